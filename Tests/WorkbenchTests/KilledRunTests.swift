// `seqlab run` killed with SIGKILL while it writes metrics: the store must open afterwards, list
// the run as not finished, and hold every metric written before the kill.

import Foundation
import Store
import TestSupport
import XCTest

final class KilledRunTests: XCTestCase {
    func testSIGKILLDuringMetricsLeavesAReadableStoreAndAnUnfinishedRun() throws {
        guard seqlabBinary != nil else { try skipTest("seqlab binary not built next to the tests; run `make test`") }
        let dir = NSTemporaryDirectory() + "seqlab-kill-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/loop.seqlab", store = dir + "/runs.sqlite"
        try "for i in range(1000000) { metric(\"loss\", 1 / (i + 1), step: i) }\n".write(toFile: script, atomically: true, encoding: .utf8)

        let (process, _) = try startSeqlabRun(script: script, store: store, captureOutput: false)

        // Wait until a good number of metrics are committed, then kill without warning.
        let deadline = Date().addingTimeInterval(60)
        var seen = 0
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            if let s = try? RunStore.open(path: store), let run = try? s.runs(limit: 1).first,
               let points = try? s.metrics(run.id) {
                seen = points.count
                if seen >= 200 { break }
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertGreaterThanOrEqual(seen, 200, "the script should have written metrics before the kill")

        let reopened = try RunStore.open(path: store)
        let run = try XCTUnwrap(try reopened.runs(limit: 1).first)
        XCTAssertNotEqual(run.status, .finished)
        XCTAssertEqual(run.status, .interrupted)
        let points = try reopened.metrics(run.id)
        XCTAssertGreaterThanOrEqual(points.count, seen, "every metric committed before the kill is kept")
        XCTAssertEqual(points.map(\.step), Array(0..<points.count), "metrics are whole and in order")
    }

    func testCtrlCStopsTheScriptAndRecordsTheRunAsInterrupted() throws {
        guard seqlabBinary != nil else { try skipTest("seqlab binary not built next to the tests; run `make test`") }
        let dir = NSTemporaryDirectory() + "seqlab-int-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/loop.seqlab", store = dir + "/runs.sqlite"
        try "for i in range(5000000) { metric(\"i\", i, step: i) }\nprint(\"never reached\")\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let (process, output) = try startSeqlabRun(script: script, store: store)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            if let s = try? RunStore.open(path: store), let run = try? s.runs(limit: 1).first,
               let points = try? s.metrics(run.id), points.count >= 50 { break }
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 2)
        XCTAssertFalse(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("never reached"))
        let run = try XCTUnwrap(try RunStore.open(path: store).runs(limit: 1).first)
        XCTAssertEqual(run.status, .interrupted)
        XCTAssertNotNil(run.endedAt, "an interrupted script still closes its run")
    }
}
