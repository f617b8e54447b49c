// Atomic writes: the file is replaced whole, no temporary file is left behind, and failures name the
// path and the reason.

import Foundation
import XCTest
@testable import Plots

final class AtomicWriteTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "seqlab-plots-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testReplacesAnExistingFileAndLeavesNoTemporary() throws {
        let path = directory + "/plot.svg"
        try "old contents that are longer than the new ones".write(toFile: path, atomically: false, encoding: .utf8)
        try writeAtomically("new ⠑⢄", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new ⠑⢄")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["plot.svg"])
        try writeAtomically("", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["plot.svg"])
    }

    func testMissingDirectoryIsNamed() {
        let path = directory + "/nowhere/plot.svg"
        XCTAssertThrowsError(try writeAtomically("x", to: path)) { error in
            XCTAssertEqual(
                "\(error)",
                "cannot write '\(path)': the directory '\(directory)/nowhere' does not exist; create it first or choose another path")
        }
    }

    func testDirectoryAsTargetIsRefused() throws {
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: false)
        XCTAssertThrowsError(try writeAtomically("x", to: directory + "/sub")) { error in
            XCTAssertEqual("\(error)", "cannot write '\(directory)/sub': it is a directory; give a file name")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["sub"])
    }

    func testFileInPlaceOfTheDirectory() throws {
        try "x".write(toFile: directory + "/file", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try writeAtomically("x", to: directory + "/file/plot.svg")) { error in
            XCTAssertTrue("\(error)".contains("is a file, not a directory"), "\(error)")
        }
    }
}
