// The promise of the store: SIGKILL at any moment (even inside a write transaction) leaves a store
// that opens, lists the run as not finished, and keeps every metric batch committed before the kill.
// The child is this same test binary re-run with a filter selecting `testChildWritesUntilKilled`,
// which only acts when SEQLAB_STORE_CHILD names a store: no separate executable to build.
import Foundation
import TestSupport
import XCTest

@testable import Store

final class KilledRunTests: XCTestCase {
    static let childVariable = "SEQLAB_STORE_CHILD"
    static let batchSize = 50

    /// The child's side: begin a run and log metric batches as fast as possible until killed.
    func testChildWritesUntilKilled() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.childVariable] else {
            try skipTest("helper for testSIGKILLDuringMetricWritesLeavesAnInterruptedRun; runs only as its child")
        }
        let store = try RunStore.open(path: path)
        let id = try store.beginRun(sampleInfo(script: "child"))
        try store.setParameters(id, [("role", "killed child")])
        // Bounded so an orphaned child (parent crashed before killing it) ends by itself.
        let deadline = Date().addingTimeInterval(120)
        var batch = 0
        while Date() < deadline {
            try store.logMetrics(id, (0..<Self.batchSize).map {
                MetricPoint(step: batch * Self.batchSize + $0, name: "loss", value: Double(batch), epoch: batch)
            })
            batch += 1
        }
        XCTFail("the parent never killed this child")
    }

    func testSIGKILLDuringMetricWritesLeavesAnInterruptedRun() throws {
        #if !os(Linux)
        try skipTest("re-running the test binary as a child is set up for Linux's xctest layout")
        #else
        let directory = try temporaryDirectory()
        let path = directory.file("killed.sqlite")
        let observer = try RunStore.open(path: path)  // also creates the schema before the child starts

        let child = Process()
        child.executableURL = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
        child.arguments = ["StoreTests.KilledRunTests/testChildWritesUntilKilled"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = path
        child.environment = environment
        let log = directory.file("child.log")
        guard FileManager.default.createFile(atPath: log, contents: nil) else { return XCTFail("cannot create \(log)") }
        child.standardOutput = FileHandle(forWritingAtPath: log)
        child.standardError = child.standardOutput
        try child.run()
        var childLog: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        // Wait until at least 20 batches are visible from outside: those are committed for certain.
        var committed: [MetricPoint] = []
        var runID: Int64?
        let deadline = Date().addingTimeInterval(60)
        while committed.count < 20 * Self.batchSize && child.isRunning && Date() < deadline {
            if runID == nil { runID = try observer.runs(limit: 1).first?.id }
            if let runID { committed = try observer.metrics(runID) }
            usleep(2_000)
        }
        guard child.isRunning, let id = runID, committed.count >= 20 * Self.batchSize else {
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
            child.waitUntilExit()
            return XCTFail("the child did not write 20 batches in time; its output:\n\(childLog)")
        }
        XCTAssertEqual(try observer.run(id).run.status, .running)

        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()  // reaps it, so its pid is no longer a live (zombie) process
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        XCTAssertEqual(child.terminationStatus, SIGKILL)

        let reopened = try RunStore.open(path: path)
        XCTAssertEqual(reopened.recoveredRuns, [id])
        let listed = try XCTUnwrap(reopened.runs().first)
        XCTAssertEqual(listed.id, id)
        XCTAssertEqual(listed.status, .interrupted)
        XCTAssertNil(listed.endedAt)
        XCTAssertEqual(listed.info.pid, child.processIdentifier)

        let detail = try reopened.run(id)
        XCTAssertEqual(detail.parameters, [Parameter(key: "role", value: "killed child")])
        let after = detail.metrics
        // Everything seen before the kill survived, and only whole batches are there.
        XCTAssertEqual(Array(after.prefix(committed.count)), committed)
        XCTAssertEqual(after.count % Self.batchSize, 0, "a partly written batch survived the kill")
        XCTAssertEqual(after.map(\.step), Array(0..<after.count))
        XCTAssertTrue(RunText.table(try reopened.runs()).contains("interrupted"))

        // And the store takes new runs as before.
        let next = try reopened.beginRun(sampleInfo())
        try reopened.logMetrics(next, [MetricPoint(step: 0, name: "loss", value: 1)])
        try reopened.finishRun(next)
        XCTAssertEqual(try reopened.runs(limit: 2).map(\.status), [.finished, .interrupted])
        #endif
    }
}
