// Golden scripts for the data and run builtins (format: Sources/Script/Notebook/GoldenScript.swift),
// and `seqlab run` killed with SIGKILL while it writes metrics.

import Foundation
import Script
import Store
import TestSupport
import XCTest
@testable import Workbench

final class WorkbenchScriptTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    func testEveryGoldenScript() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".seqlab") }.sorted()
        // The real count, not a floor: removing a script is a deliberate edit of this number.
        XCTAssertEqual(files.count, 90, "golden scripts in \(Self.directory.path)")
        for file in files {
            let script = GoldenScript(try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8))
            let (output, errors) = script.run(Interpreter(registry: Workbench.registry(), diagnostics: { _ in }))
            XCTAssertEqual(output, script.expectedOutput, "\(file): output")
            XCTAssertEqual(errors, script.expectedErrors, "\(file): errors")
        }
    }

    func testLoadingRecordsTheDatasetFilesInTheRun() throws {
        let shared = try sharedPath("data/ml-100k")
        let store = NSTemporaryDirectory() + "seqlab-wb-\(getpid()).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + s) } }
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let source = "ml = load(\"\(shared)\")\nml.users"
        let session = try RunSession(storePath: store, script: source, scriptPath: nil, interpreter: interpreter)
        let run = Notebook.run(source, interpreter: interpreter)
        XCTAssertEqual(run.errors, [])
        XCTAssertEqual(run.outcomes.last?.output, ["943"])
        session.finish(.finished, interpreter: interpreter)
        let detail = try RunStore.open(path: store).run(session.runID)
        XCTAssertEqual(detail.run.status, .finished)
        let inter = try XCTUnwrap(detail.datasets.first { $0.path.hasSuffix("ml-100k.inter") })
        XCTAssertEqual(inter.sha256, "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff")
    }

    func testRunsRecordTheirSeedAndCompareMarksWhatDiffers() throws {
        let store = NSTemporaryDirectory() + "seqlab-cmp-\(getpid()).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + s) } }
        var ids: [Int64] = []
        for (seed, loss) in [(1, "0.5"), (2, "0.25"), (2, "0.36359024633297526")] {
            let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
            let source = "seed(\(seed))\nmetric(\"loss\", \(loss), step: 3)"
            let session = try RunSession(storePath: store, script: source, scriptPath: nil, interpreter: interpreter)
            XCTAssertEqual(Notebook.run(source, interpreter: interpreter).errors, [])
            session.finish(.finished, interpreter: interpreter)
            ids.append(session.runID)
        }
        XCTAssertEqual(try RunStore.open(path: store).runs().map(\.info.seed), [2, 2, 1])

        var shown: [String] = []
        let interpreter = Interpreter(registry: Workbench.registry(), output: { shown.append($0) }, diagnostics: { _ in })
        let session = try RunSession(storePath: store, script: "compare", scriptPath: nil, interpreter: interpreter)
        defer { session.finish(.finished, interpreter: interpreter) }
        let run = Notebook.run("compare(\(ids[0]), \(ids[1]))\ncompare(\(ids[0]), 99)", interpreter: interpreter)
        let lines = run.outcomes.flatMap(\.output)
        // Column widths depend on the longest cell (the machine's CPU name, say): compare words.
        let rows = lines.map { $0.split(separator: " ").map(String.init) }
        XCTAssertTrue(rows.contains(["≠", "seed", "1", "2"]), lines.joined(separator: "\n"))
        XCTAssertTrue(rows.contains(["≠", "last", "loss", "0.5", "@3", "0.25", "@3"]), lines.joined(separator: "\n"))
        XCTAssertTrue(rows.contains { $0.first == "threads" }, "equal rows are not marked")
        XCTAssertEqual(run.errors.map(\.message), ["\(store): no run 99; `seqlab runs` lists them"])

        // Any number of runs (issue 20: two only); values print rounded, rows keep them exact.
        shown = []
        let three = Notebook.run("c = compare([\(ids[0]), \(ids[1]), \(ids[2])])\nc\nc.models\nc.rows[9]", interpreter: interpreter)
        XCTAssertEqual(three.errors, [])
        let table = three.outcomes[1].output.map { $0.split(separator: " ").map(String.init) }
        XCTAssertTrue(table.contains(["≠", "last", "loss", "0.5", "@3", "0.25", "@3", "0.3636", "@3"]), three.outcomes[1].output.joined(separator: "\n"))
        XCTAssertTrue(table.contains(["≠", "seed", "1", "2", "2"]), three.outcomes[1].output.joined(separator: "\n"))
        XCTAssertEqual(three.outcomes[2].output, ["[\"run \(ids[0])\", \"run \(ids[1])\", \"run \(ids[2])\"]"])
        XCTAssertTrue(three.outcomes[3].output[0].contains("\"0.36359024633297526 @3\""), three.outcomes[3].output[0])
    }
}
