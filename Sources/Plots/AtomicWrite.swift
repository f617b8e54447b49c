// Writing a plot file so that a reader never sees half of it: the text goes to a temporary file in
// the same directory (a rename is only atomic within one file system), then replaces the target.

import Foundation

/// Why a plot file could not be written; the message names the path and what to do.
public struct PlotWriteError: Error, CustomStringConvertible, Equatable {
    /// The path that was to be written.
    public let path: String
    /// What went wrong and what to do about it.
    public let message: String

    /// The message with the path, as printed to the user.
    public var description: String { "cannot write '\(path)': \(message)" }
}

/// Writes `text` (UTF-8) to `path` atomically: a temporary file in the same directory, then a rename.
///
/// A reader sees either the old file or the complete new one. Throws `PlotWriteError` naming the path
/// when the directory does not exist, is not a directory, or the file cannot be created.
public func writeAtomically(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
        throw PlotWriteError(
            path: path, message: "the directory '\(directory)' does not exist; create it first or choose another path")
    }
    guard isDirectory.boolValue else {
        throw PlotWriteError(path: path, message: "'\(directory)' is a file, not a directory")
    }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw PlotWriteError(path: path, message: "it is a directory; give a file name")
    }
    // The process id and a random suffix keep concurrent writers to the same target apart.
    let temporary = directory + "/." + url.lastPathComponent + ".\(ProcessInfo.processInfo.processIdentifier)."
        + String(UInt32.random(in: 0...UInt32.max), radix: 16) + ".tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
        throw PlotWriteError(path: path, message: "cannot create a file in '\(directory)' (check its permissions)")
    }
    // rename(2) replaces an existing target in one step; FileManager.moveItem would refuse it.
    if rename(temporary, path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(atPath: temporary)
        throw PlotWriteError(path: path, message: "cannot replace the file (\(reason))")
    }
}
