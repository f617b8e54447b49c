// `seqlab run` on a real (small) training script, stopped from outside: SIGKILL in the middle of
// `fit` must leave a store that opens, with every finished epoch's metrics in order and the run
// listed as not finished; SIGINT must stop `fit` after the batch in progress, print the history
// it returns, stop the script there (exit 2) and record the run as interrupted.

import Foundation
import Store
import TestSupport
import XCTest

final class TrainingRunSignalTests: XCTestCase {
    /// A toy world and a small NextItNet trained for far more epochs than the test waits for
    /// (an epoch takes a fraction of a second), one metric row per epoch in the store.
    static let script = """
        w = synthetic("toy", seed: 1);
        s = w.split(maxLength: 20);
        net = nextitnet(s, channels: 16, dilations: [1, 2], seed: 3);
        net.fit(s, epochs: 500, batch: 16, lr: 0.001, patience: none)
        print("after fit")
        """

    /// Starts `seqlab run` on the script with a fresh store; returns the process, the store path
    /// and the pipe its standard output goes to.
    func start(_ name: String) throws -> (Process, String, Pipe, String) {
        guard seqlabBinary != nil else { try skipTest("seqlab binary not built next to the tests; run `make test`") }
        let dir = NSTemporaryDirectory() + "seqlab-\(name)-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/train.seqlab", store = dir + "/runs.sqlite"
        try Self.script.write(toFile: file, atomically: true, encoding: .utf8)
        let (process, output) = try startSeqlabRun(script: file, store: store)
        return (process, store, output, dir)
    }

    /// The per-epoch training losses recorded so far (nil while the store or the run is not there yet).
    func epochLosses(_ store: String) -> [MetricPoint]? {
        guard let s = try? RunStore.open(path: store), let run = try? s.runs(limit: 1).first,
              let points = try? s.metrics(run.id) else { return nil }
        return points.filter { $0.name.hasSuffix(".loss") }
    }

    /// Waits (up to two minutes: the machine may be busy) until `epochs` epochs are in the store.
    func waitForEpochs(_ epochs: Int, store: String, process: Process) -> Int {
        let deadline = Date().addingTimeInterval(120)
        var seen = 0
        while Date() < deadline, process.isRunning {
            Thread.sleep(forTimeInterval: 0.02)
            seen = epochLosses(store)?.count ?? seen
            if seen >= epochs { break }
        }
        return seen
    }

    func testSIGKILLDuringFitKeepsEveryFinishedEpochAndLeavesTheRunUnfinished() throws {
        let (process, store, _, dir) = try start("killfit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seen = waitForEpochs(3, store: store, process: process)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertGreaterThanOrEqual(seen, 3, "fit should have finished epochs before the kill")

        let reopened = try RunStore.open(path: store)
        let run = try XCTUnwrap(try reopened.runs(limit: 1).first)
        XCTAssertEqual(run.status, .interrupted, "a killed run is found and marked as not finished")
        XCTAssertTrue(run.info.script.contains("net.fit"), "the script text was recorded before training")
        let losses = try XCTUnwrap(epochLosses(store))
        XCTAssertGreaterThanOrEqual(losses.count, seen, "every epoch committed before the kill is kept")
        XCTAssertEqual(losses.map(\.step), Array(1...losses.count), "epochs are whole and in order")
        XCTAssertEqual(losses.map(\.epoch), losses.map { Optional($0.step) })
        XCTAssertTrue(losses.allSatisfy { $0.value.isFinite && $0.value > 0 })
        let valid = try reopened.metrics(run.id).filter { $0.split == "valid" }
        XCTAssertEqual(valid.map(\.step), losses.map(\.step), "each recorded epoch has its validation value too")
        print("SIGKILL after \(seen) epochs seen; \(losses.count) recorded")
    }

    func testSIGINTDuringFitStopsAfterTheBatchPrintsTheHistoryAndStopsTheScript() throws {
        let (process, store, output, dir) = try start("intfit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seen = waitForEpochs(2, store: store, process: process)
        XCTAssertGreaterThanOrEqual(seen, 2)
        let sent = Date()
        kill(process.processIdentifier, SIGINT)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print("SIGINT: seqlab exited \(String(format: "%.3f", Date().timeIntervalSince(sent))) s after the signal")
        XCTAssertEqual(process.terminationReason, .exit, "the first Ctrl-C never kills the process")
        XCTAssertEqual(process.terminationStatus, 2, "a script stops at an interrupted statement")
        XCTAssertTrue(text.contains("History of nextitnet:"), text)
        XCTAssertTrue(text.contains("interrupted: stopped after the batch in progress"), text)
        XCTAssertFalse(text.contains("after fit"), "the statements after the interrupted one do not run")

        let reopened = try RunStore.open(path: store)
        let run = try XCTUnwrap(try reopened.runs(limit: 1).first)
        XCTAssertEqual(run.status, .interrupted)
        XCTAssertNotNil(run.endedAt, "an interrupted script closes its run")
        let losses = try XCTUnwrap(epochLosses(store))
        XCTAssertGreaterThanOrEqual(losses.count, seen)
        XCTAssertEqual(losses.map(\.step), Array(1...losses.count))
        // The history printed lists exactly the epochs the store holds.
        let rows = text.split(separator: "\n").filter { $0.range(of: #"^\s*\d+\s+\d+\.\d{4}"#, options: .regularExpression) != nil }
        XCTAssertEqual(rows.count, losses.count, text)
    }
}
