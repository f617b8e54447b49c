// Writing a file so that no reader, and no crash, ever sees half of it: the bytes go to a
// temporary file in the same directory (a rename is only atomic within one file system), are
// flushed to disk, and then the temporary replaces the target with rename(2). If anything fails
// on the way the temporary is removed and the old file is left as it was. Checkpoints, exported
// weights, quantiser files, recorded notebooks, plots and fetched models all go through here.

import Foundation

/// Why a file could not be written; the message names the path and what to do.
public struct FileWriteError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path that was to be written.
    public let path: String
    /// What went wrong and what to do about it.
    public let message: String

    /// An error about `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// The message with the path, as printed to the user.
    public var description: String { "cannot write '\(path)': \(message)" }
}

/// Atomic replacement of whole files.
public enum AtomicFile {
    /// Writes `data` to `path`: either the old file or the complete new one is there afterwards.
    public static func write(_ data: Data, to path: String) throws(FileWriteError) {
        try write(to: path) { handle in try handle.write(contentsOf: data) }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws(FileWriteError) {
        try write(Data(text.utf8), to: path)
    }

    /// Lets `produce` write the new contents through a handle on a temporary file, then replaces
    /// `path` with it. When `produce` throws, the temporary is removed, `path` is untouched, and
    /// the error is reported as a `FileWriteError` (streaming writers use this form).
    public static func write(to path: String, _ produce: (FileHandle) throws -> Void) throws(FileWriteError) {
        let (fd, temporary) = try createTemporary(beside: path)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try produce(handle)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary)
            throw FileWriteError(path: path, message: "writing failed (\(error.localizedDescription)); the old file is unchanged")
        }
        // Files are created 0600 by mkstemp; give the new file the permissions a plain create would.
        let mask = umask(0); umask(mask)
        chmod(temporary, 0o666 & ~mask)
        // rename(2) replaces an existing target in one step; FileManager.moveItem would refuse it.
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileWriteError(path: path, message: "cannot replace the file (\(reason))")
        }
    }

    /// Throws the error `write` would, when the directory is missing, `path` is a directory or no
    /// file can be created beside it; leaves `path` as it is. For commands that work a long time
    /// before they write (a report runs its notebook first).
    public static func checkWritable(_ path: String) throws(FileWriteError) {
        let (fd, temporary) = try createTemporary(beside: path)
        close(fd)
        unlink(temporary)
    }

    /// An empty temporary file in `path`'s directory, open for writing, and its name.
    private static func createTemporary(beside path: String) throws(FileWriteError) -> (Int32, String) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw FileWriteError(path: path, message: "the directory '\(directory)' does not exist; create it first or choose another path")
        }
        guard isDirectory.boolValue else {
            throw FileWriteError(path: path, message: "'\(directory)' is a file, not a directory")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FileWriteError(path: path, message: "it is a directory; give a file name")
        }
        // mkstemp gives a name no other writer (another process, another thread) is using.
        var template = Array((directory + "/." + url.lastPathComponent + ".XXXXXX.tmp").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard fd >= 0 else {
            throw FileWriteError(path: path, message: "cannot create a file in '\(directory)' (\(String(cString: strerror(errno)))); check its permissions")
        }
        return (fd, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }
}
