// Opening a store marks `running` runs whose process is gone as `interrupted`, and leaves alone runs
// whose process is alive (another terminal's training run must not be touched by `seqlab runs`).
import Foundation
import XCTest

@testable import Store

final class RecoveryTests: XCTestCase {
    func testRunOfThisLiveProcessStaysRunning() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        let id = try RunStore.open(path: path).beginRun(sampleInfo())
        let reopened = try RunStore.open(path: path)
        XCTAssertEqual(reopened.recoveredRuns, [])
        XCTAssertEqual(try reopened.run(id).run.status, .running)
        try reopened.finishRun(id)
    }

    func testRunOfAnExitedProcessBecomesInterrupted() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        var info = sampleInfo()
        info.pid = exited.processIdentifier
        let store = try RunStore.open(path: path)
        let dead = try store.beginRun(info)
        let alive = try store.beginRun(sampleInfo())
        let finished = try store.beginRun(info)
        try store.finishRun(finished)

        let reopened = try RunStore.open(path: path)
        XCTAssertEqual(reopened.recoveredRuns, [dead])
        let run = try reopened.run(dead).run
        XCTAssertEqual(run.status, .interrupted)
        XCTAssertNil(run.endedAt)
        XCTAssertTrue(run.error?.contains("process \(exited.processIdentifier) ended without finishing") ?? false)
        XCTAssertEqual(try reopened.run(alive).run.status, .running)
        XCTAssertEqual(try reopened.run(finished).run.status, .finished)
        // Once marked, a run is not reported again, and it cannot be finished late.
        XCTAssertEqual(try RunStore.open(path: path).recoveredRuns, [])
        assertThrows(.runAlreadyEnded(path: path, id: dead, status: .interrupted)) { () throws(StoreError) in
            try reopened.finishRun(dead)
        }
    }

    func testRunFromAnotherHostBecomesInterrupted() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        var info = sampleInfo()
        info.hostname = Machine.hostname() + "-elsewhere"
        let id = try RunStore.open(path: path).beginRun(info)
        let reopened = try RunStore.open(path: path)
        XCTAssertEqual(reopened.recoveredRuns, [id])
        XCTAssertEqual(try reopened.run(id).run.status, .interrupted)
    }

    func testLivenessCheckSeesThisProcessAndRejectsAReusedPid() {
        let me = Machine.processID()
        let start = Machine.processStartTicks(me)
        XCTAssertNotNil(start)
        XCTAssertTrue(Machine.isAlive(pid: me, startTicks: start))
        XCTAssertTrue(Machine.isAlive(pid: me, startTicks: nil))
        // Same pid, different start time: a different process that reused the number.
        XCTAssertFalse(Machine.isAlive(pid: me, startTicks: (start ?? 0) + 1))
        XCTAssertFalse(Machine.isAlive(pid: 0, startTicks: nil))
    }

    func testMachineIdentityIsFilledIn() {
        XCTAssertFalse(Machine.hostname().isEmpty)
        XCTAssertNotEqual(Machine.hostname(), "unknown")
        let cpu = Machine.cpuModel()
        XCTAssertFalse(cpu.isEmpty)
        XCTAssertEqual(cpu, cpu.trimmingCharacters(in: .whitespaces))
    }
}
