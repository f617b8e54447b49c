// Atomic writes: the file is replaced whole, no temporary file is left behind, a writer that fails
// half way leaves the old file as it was, and failures name the path and the reason.

import Foundation
import Support
import XCTest
@testable import Tensors

final class AtomicFileTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "seqlab-atomic-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testReplacesAnExistingFileAndLeavesNoTemporary() throws {
        let path = directory + "/plot.svg"
        try "old contents that are longer than the new ones".write(toFile: path, atomically: false, encoding: .utf8)
        try AtomicFile.write("new ⠑⢄", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new ⠑⢄")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["plot.svg"])
        try AtomicFile.write("", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["plot.svg"])
    }

    func testMissingDirectoryIsNamed() {
        let path = directory + "/nowhere/plot.svg"
        XCTAssertThrowsError(try AtomicFile.write("x", to: path)) { error in
            XCTAssertEqual(
                "\(error)",
                "cannot write '\(path)': the directory '\(directory)/nowhere' does not exist; create it first or choose another path")
        }
    }

    func testDirectoryAsTargetIsRefused() throws {
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: false)
        XCTAssertThrowsError(try AtomicFile.write("x", to: directory + "/sub")) { error in
            XCTAssertEqual("\(error)", "cannot write '\(directory)/sub': it is a directory; give a file name")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["sub"])
    }

    func testFileInPlaceOfTheDirectory() throws {
        try "x".write(toFile: directory + "/file", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try AtomicFile.write("x", to: directory + "/file/plot.svg")) { error in
            XCTAssertTrue("\(error)".contains("is a file, not a directory"), "\(error)")
        }
    }

    func testAWriterFailingHalfWayLeavesTheOldFileAndNoTemporary() throws {
        struct DiskFull: Error {}
        let path = directory + "/weights.safetensors"
        try AtomicFile.write(Data("old complete file".utf8), to: path)
        XCTAssertThrowsError(try AtomicFile.write(to: path) { handle in
            try handle.write(contentsOf: Data("new but only ha".utf8))
            throw DiskFull()
        }) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write '\(path)': writing failed"), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("the old file is unchanged"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old complete file")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["weights.safetensors"])
    }

    func testAReadOnlyDirectoryKeepsTheOldFile() throws {
        let path = directory + "/notebook.seqlab"
        try AtomicFile.write("old", to: path)
        chmod(directory, 0o555)
        defer { chmod(directory, 0o755) }
        // Root ignores directory permissions (CI runs as root), so the write runs where they hold:
        // for an ordinary user as it is, for root on a thread whose filesystem user is `nobody`.
        // The probe shows the directory really refuses a new file there; without that the test
        // would prove nothing, and it fails rather than skipping.
        let (probe, outcome) = try withoutFileOverride {
            (FileManager.default.createFile(atPath: self.directory + "/probe", contents: Data("p".utf8)),
             Result { try AtomicFile.write("new", to: path) })
        }
        XCTAssertFalse(probe, "the probe could create a file in a directory of mode 0555 (uid \(getuid()))")
        guard case .failure(let error) = outcome else { return XCTFail("the write into a read-only directory succeeded") }
        XCTAssertTrue("\(error)".contains("check its permissions"), "\(error)")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["notebook.seqlab"])
    }

    /// Runs `body` where file permissions apply: directly for an ordinary user; for root on a
    /// thread of its own whose filesystem uid is 65534 (Linux's setfsuid is per thread, and moving
    /// the fsuid off 0 drops the thread's CAP_DAC_OVERRIDE), restored before the thread ends.
    func withoutFileOverride<T>(_ body: @escaping () -> T) throws -> T {
        guard getuid() == 0 else { return body() }
        #if os(Linux)
        typealias SetFSUID = @convention(c) (UInt32) -> Int32
        guard let symbol = dlsym(nil, "setfsuid") else { throw FileOverrideUnavailable(reason: "no setfsuid in libc") }
        let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
        // The thread hands its results back only after `done.signal()`, read after `done.wait()`.
        let box = ThreadResult<T>(), done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let work = body
        let thread = Thread {
            box.previous = setfsuid(65534)
            box.value = work()
            _ = setfsuid(UInt32(box.previous))
            box.after = setfsuid(UInt32.max)   // -1 changes nothing and returns the current fsuid
            done.signal()
        }
        thread.start()
        done.wait()
        XCTAssertEqual(box.previous, 0, "the thread started as filesystem user root")
        XCTAssertEqual(box.after, 0, "and went back to it")
        return box.value!
        #else
        throw FileOverrideUnavailable(reason: "running as root where setfsuid is not available")
        #endif
    }

    /// The test cannot take away root's override of file permissions here.
    struct FileOverrideUnavailable: Error, CustomStringConvertible {
        let reason: String
        var description: String { "cannot run a write without root's permission override: \(reason)" }
    }

    func testTheNewFileGetsOrdinaryPermissions() throws {
        let path = directory + "/plot.svg"
        try AtomicFile.write("x", to: path)
        let mask = umask(0); umask(mask)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o666 & ~Int(mask), "not mkstemp's 0600")
    }

    func testSafetensorsAndStreamingWritesGoThroughTheSameReplacement() throws {
        let path = directory + "/t.safetensors"
        try SafetensorsWriter.write([("w", .float(Tensor(shape: [1, 2], scalars: [1.5, -2])))], to: path)
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        try SafetensorsWriter.write([("w", .float(Tensor(shape: [1, 2], scalars: [3, 4])))], to: path)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: path)), first)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["t.safetensors"])
    }
}

/// What a helper thread computed, read by the thread that waited for it.
final class ThreadResult<T>: @unchecked Sendable {
    var value: T?
    var previous: Int32 = -1
    var after: Int32 = -1
}
