// Each test gets its own directory under NSTemporaryDirectory(), removed when the test ends, so tests
// never see each other's stores and nothing is left behind.
import Foundation
import XCTest

@testable import Store

final class TemporaryDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("seqlab-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension XCTestCase {
    /// A fresh directory for this test, removed at teardown.
    func temporaryDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        addTeardownBlock { directory.remove() }
        return directory
    }

    /// A run description with fixed, recognisable values.
    func sampleInfo(script: String = "seed(7)\nprint(1)\n", path: String? = "demo.seqlab") -> RunInfo {
        RunInfo(
            script: script, scriptPath: path, version: "0.1.0", gitCommit: "5c9f09c", seed: 7, threads: 2,
            blasThreads: 1, blas: "OpenBLAS 0.3.21 Haswell")
    }

    /// Asserts that `body` throws exactly `expected`.
    func assertThrows<T>(
        _ expected: StoreError, file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws(StoreError) -> T
    ) {
        do {
            _ = try body()
            XCTFail("expected \(expected), got no error", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }
}
