// Reads come back in a fixed order whatever order the writes came in: runs newest first, metrics by
// step then name then split, parameters by key, datasets and artifacts in the order recorded.
import Foundation
import XCTest

@testable import Store

final class OrderingTests: XCTestCase {
    func testRunsAreMostRecentFirstAndLimited() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        let ids = try (0..<5).map { _ in try store.beginRun(sampleInfo()) }
        XCTAssertEqual(try store.runs().map(\.id), ids.reversed())
        XCTAssertEqual(try store.runs(limit: 2).map(\.id), [ids[4], ids[3]])
        XCTAssertEqual(try store.runs(limit: nil).count, 5)
        XCTAssertEqual(try store.runs(limit: 0).count, 0)
    }

    func testMetricsAreOrderedByStepNameSplitThenLogOrder() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        let id = try store.beginRun(sampleInfo())
        try store.logMetrics(id, [
            MetricPoint(step: 3, name: "loss", value: 3),
            MetricPoint(step: 1, name: "ndcg@10", value: 0.2, split: "valid"),
            MetricPoint(step: 1, name: "ndcg@10", value: 0.1, split: "test"),
        ])
        try store.logMetrics(id, [
            MetricPoint(step: 1, name: "hr@10", value: 0.5, split: "valid"),
            MetricPoint(step: 2, name: "loss", value: 2),
            MetricPoint(step: 1, name: "loss", value: 1),
            MetricPoint(step: 1, name: "loss", value: 1.25),  // the same step logged twice keeps both, in order
        ])
        let read = try store.metrics(id)
        XCTAssertEqual(read.map { "\($0.step) \($0.name) \($0.split ?? "-") \($0.value)" }, [
            "1 hr@10 valid 0.5",
            "1 loss - 1.0",
            "1 loss - 1.25",
            "1 ndcg@10 test 0.1",
            "1 ndcg@10 valid 0.2",
            "2 loss - 2.0",
            "3 loss - 3.0",
        ])
    }

    func testParametersAreOrderedByKeyNotInsertion() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        let id = try store.beginRun(sampleInfo())
        let keys = ["zeta", "alpha", "mid", "Beta", "a"]
        try store.setParameters(id, keys.map { ($0, "x") })
        // Byte order (SQLite's BINARY collation): uppercase before lowercase.
        XCTAssertEqual(try store.run(id).parameters.map(\.key), ["Beta", "a", "alpha", "mid", "zeta"])
    }

    func testDatasetsAndArtifactsKeepRecordingOrder() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        let id = try store.beginRun(sampleInfo())
        for name in ["z", "a", "m"] {
            try store.recordDataset(id, DatasetUse(name: name, path: name, bytes: 1, sha256: SHA256.hex(of: name)))
            try store.saveArtifact(id, name: name, kind: "k", data: Data(name.utf8))
        }
        let detail = try store.run(id)
        XCTAssertEqual(detail.datasets.map(\.name), ["z", "a", "m"])
        XCTAssertEqual(detail.artifacts.map(\.name), ["z", "a", "m"])
    }
}
