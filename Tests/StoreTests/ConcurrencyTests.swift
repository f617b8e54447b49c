// WAL mode is what lets `seqlab runs` in one terminal read while a training run writes in another.
// These tests hold a write transaction open and check that readers neither wait for it nor see it.
import Foundation
import GRDB
import XCTest

@testable import Store

/// A value shared between a test and the thread it starts.
final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&value) } }
}

final class ConcurrencyTests: XCTestCase {
    func testReaderIsNotBlockedByAnOpenWriteTransactionAndSeesOnlyCommittedRows() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        let writer = try RunStore.open(path: path)
        let reader = try RunStore.open(path: path)  // its own connections, as another process would have
        let id = try writer.beginRun(sampleInfo())
        try writer.logMetrics(id, [MetricPoint(step: 0, name: "loss", value: 9)])

        let inTransaction = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let committed = DispatchSemaphore(value: 0)
        let writerError = Shared<String?>(nil)
        DispatchQueue.global().async {
            do {
                try writer.pool.write { db in
                    for step in 1...100 {
                        try db.execute(
                            sql: "INSERT INTO metrics (run, step, name, value) VALUES (?, ?, 'loss', ?)",
                            arguments: [id, step, Double(step)])
                    }
                    inTransaction.signal()
                    release.wait()
                }
            } catch {
                writerError.set("\(error)")
            }
            committed.signal()
        }
        XCTAssertEqual(inTransaction.wait(timeout: .now() + 30), .success)

        // Read on another thread with a deadline, so a reader blocked by the writer fails the test
        // instead of deadlocking it (the writer waits for us to release it).
        for store in [reader, writer] {
            let seen = Shared<[MetricPoint]?>(nil)
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                seen.set(try? store.metrics(id))
                done.signal()
            }
            XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "reader blocked by the open write")
            XCTAssertEqual(seen.get(), [MetricPoint(step: 0, name: "loss", value: 9)])
            XCTAssertEqual(try store.runs().map(\.id), [id])
        }

        release.signal()
        XCTAssertEqual(committed.wait(timeout: .now() + 30), .success)
        XCTAssertNil(writerError.get())
        XCTAssertEqual(try reader.metrics(id).count, 101)
        XCTAssertEqual(try reader.metrics(id).last, MetricPoint(step: 100, name: "loss", value: 100))
    }

    func testSimultaneousFirstOpensOfANewFileAllSucceed() throws {
        let path = try temporaryDirectory().file("fresh.sqlite")
        let failures = Shared<[String]>([])
        let info = sampleInfo()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do {
                let store = try RunStore.open(path: path)
                try store.finishRun(try store.beginRun(info))
            } catch {
                failures.update { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.get(), [])
        XCTAssertEqual(try RunStore.open(path: path).runs(limit: nil).map(\.status), Array(repeating: .finished, count: 6))
    }

    func testTwoStoresOnOneFileWriteWithoutBusyErrors() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        let stores = try (0..<2).map { _ in try RunStore.open(path: path) }
        let ids = try stores.map { try $0.beginRun(sampleInfo()) }
        let failures = Shared<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            for batch in 0..<50 {
                do {
                    try stores[k].logMetrics(
                        ids[k], (0..<10).map { MetricPoint(step: batch * 10 + $0, name: "loss", value: Double(k)) })
                } catch {
                    failures.update { $0.append("\(error)") }
                }
            }
        }
        XCTAssertEqual(failures.get(), [])
        for k in 0..<2 { XCTAssertEqual(try stores[0].metrics(ids[k]).count, 500) }
    }
}
