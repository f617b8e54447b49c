// Turning one fuzz input into the files a reader expects.
//
// Readers take paths, and several formats are more than one file (`.inter` + `.item` + `.user`), so a
// fuzz input is cut at every 0xFF byte into the contents of consecutive files. 0xFF never occurs in
// UTF-8 text, so the cut costs no valid input; invalid UTF-8 stays reachable through other bytes.

import Foundation

/// A private directory for one fuzz process's files, removed when the process exits.
public enum ScratchFiles {
    /// The directory, created on first use: in /dev/shm when there is one, since a fuzzer writes
    /// thousands of files a second and a disk-backed directory would make that the bottleneck.
    public static let root: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array((base + "/seqlab-fuzz-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("cannot create a temporary directory for fuzzing in \(base)") }
        let path = String(cString: made)
        atexit { try? FileManager.default.removeItem(atPath: ScratchFiles.root) }
        return path
    }()

    /// The input cut at 0xFF bytes into at most `count` parts; the last part keeps any later 0xFF.
    public static func parts(of input: UnsafeRawBufferPointer, count: Int) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in input {
            if byte == 0xFF && result.count < count - 1 {
                result.append(current)
                current = []
            } else {
                current.append(byte)
            }
        }
        result.append(current)
        return result
    }

    /// Writes `files` (name → contents) into `root/directory`, first removing every other file named
    /// in `names` so that a file absent from this input is absent on disk. Returns the directory path.
    @discardableResult
    public static func write(_ files: [(name: String, bytes: [UInt8])], in directory: String, clearing names: [String]) -> String {
        let dir = root + "/" + directory
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in names where !files.contains(where: { $0.name == name }) { unlink(dir + "/" + name) }
        // Plain POSIX writes: FileManager.createFile writes atomically and fsyncs, 10 ms a file here.
        for (name, bytes) in files {
            let path = dir + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { fatalError("cannot create \(path): errno \(errno)") }
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else { fatalError("cannot write \(path): errno \(errno)") }
        }
        return dir
    }
}
