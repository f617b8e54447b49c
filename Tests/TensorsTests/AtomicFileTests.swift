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
        guard getuid() != 0 else { throw XCTSkip("root writes into read-only directories") }
        let path = directory + "/notebook.seqlab"
        try AtomicFile.write("old", to: path)
        chmod(directory, 0o555)
        defer { chmod(directory, 0o755) }
        XCTAssertThrowsError(try AtomicFile.write("new", to: path)) { error in
            XCTAssertTrue("\(error)".contains("check its permissions"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["notebook.seqlab"])
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
