import Foundation
import Script
import Store
import XCTest
@testable import Workbench

/// `encode` keeps text vectors in the run store and reads them back instead of encoding again.
final class TextCacheTests: XCTestCase {
    func testASecondEncodeOfTheSameTextsReadsTheStoredVectors() throws {
        let store = NSTemporaryDirectory() + "seqlab-text-cache-\(getpid()).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + s) } }
        let source = """
            v = encode(["space war", "war in space", "romantic comedy", "space opera"], encoder: "tfidf", width: 2, seed: 3)
            """
        var summaries: [String] = []
        var runs: [Int64] = []
        for _ in 0..<2 {
            let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
            let session = try RunSession(storePath: store, script: source, scriptPath: nil, interpreter: interpreter)
            let run = Notebook.run(source + "\nv", interpreter: interpreter)
            XCTAssertEqual(run.errors, [])
            summaries.append(run.outcomes.last?.output.joined(separator: "\n") ?? "")
            session.finish(.finished, interpreter: interpreter)
            runs.append(session.runID)
        }
        XCTAssertEqual(summaries[0], summaries[1])
        let opened = try RunStore.open(path: store)
        let first = try opened.run(runs[0]).artifacts.filter { $0.name.hasPrefix("text-vectors/") }
        let second = try opened.run(runs[1]).artifacts.filter { $0.name.hasPrefix("text-vectors/") }
        XCTAssertEqual(first.count, 1, "the first run encodes and stores the vectors")
        XCTAssertEqual(first.first?.bytes, Int64(4 * 2 * 4))
        XCTAssertEqual(second.count, 0, "the second run finds them and stores nothing new")
    }
}
