// Every table written through the public API reads back exactly, including the awkward values: a
// seed above Int64.max, NaN and infinite metrics, empty and binary blobs, parameters set twice.
import Foundation
import GRDB
import XCTest

@testable import Store

final class RoundTripTests: XCTestCase {
    func testRunRecordRoundTrips() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        var info = sampleInfo()
        info.seed = UInt64.max - 1  // does not fit Int64: stored by bit pattern
        let before = Date()
        let id = try store.beginRun(info)
        let running = try XCTUnwrap(store.runs().first)
        XCTAssertEqual(running.id, id)
        XCTAssertEqual(running.info, info)
        XCTAssertEqual(running.status, .running)
        XCTAssertNil(running.endedAt)
        XCTAssertNil(running.error)
        XCTAssertEqual(running.scriptSHA256, SHA256.hex(of: info.script))
        XCTAssertEqual(running.startedAt.timeIntervalSince1970, before.timeIntervalSince1970, accuracy: 5)

        try store.finishRun(id, status: .failed, error: "loss became NaN at step 12")
        let failed = try store.run(id).run
        XCTAssertEqual(failed.status, .failed)
        XCTAssertEqual(failed.error, "loss became NaN at step 12")
        let ended = try XCTUnwrap(failed.endedAt)
        XCTAssertGreaterThanOrEqual(ended, failed.startedAt)
        XCTAssertEqual(failed.startedAt, running.startedAt)
    }

    func testOptionalRunFieldsRoundTripAsNil() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        var info = sampleInfo(path: nil)
        info.gitCommit = nil
        let id = try store.beginRun(info)
        XCTAssertEqual(try store.run(id).run.info, info)
    }

    func testParametersRoundTripAndLaterValuesReplaceEarlier() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        let id = try store.beginRun(sampleInfo())
        try store.setParameters(id, [("lr", "0.01"), ("batch", "128"), ("model", "nextitnet")])
        try store.setParameters(id, [("lr", "0.001"), ("dilations", "[1, 2, 4, 8]")])
        XCTAssertEqual(
            try store.run(id).parameters,
            [
                Parameter(key: "batch", value: "128"), Parameter(key: "dilations", value: "[1, 2, 4, 8]"),
                Parameter(key: "lr", value: "0.001"), Parameter(key: "model", value: "nextitnet"),
            ])
    }

    func testMetricsRoundTripIncludingNaNAndInfinity() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        let id = try store.beginRun(sampleInfo())
        let points = [
            MetricPoint(step: 0, name: "loss", value: 7.25, epoch: 0, split: "train"),
            MetricPoint(step: 1, name: "loss", value: .nan, epoch: 0, split: "train"),
            MetricPoint(step: 2, name: "loss", value: .infinity),
            MetricPoint(step: 3, name: "grad_norm", value: -.infinity),
            MetricPoint(step: 4, name: "ndcg@10", value: 0.0351234567890123, epoch: 1, split: "valid"),
        ]
        try store.logMetrics(id, points)
        XCTAssertEqual(try store.metrics(id), points)
        XCTAssertEqual(try store.run(id).metrics, points)
        XCTAssertEqual(try store.metrics(id, name: "loss"), Array(points.prefix(3)))
        XCTAssertTrue(try store.metrics(id, name: "hr@10").isEmpty)
    }

    func testDatasetsRoundTripWithTheFileHash() throws {
        let directory = try temporaryDirectory()
        let store = try RunStore.open(path: directory.file("s.sqlite"))
        let id = try store.beginRun(sampleInfo())
        let file = directory.file("ml.inter")
        try "user_id:token\titem_id:token\n1\t2\n".write(toFile: file, atomically: true, encoding: .utf8)
        let recorded = try store.recordDataset(id, name: "ml", path: file)
        XCTAssertEqual(recorded.bytes, 32)
        XCTAssertEqual(recorded.sha256, SHA256.hex(of: "user_id:token\titem_id:token\n1\t2\n"))
        let synthetic = DatasetUse(name: "world", path: "synthetic(seed: 3)", bytes: 0, sha256: SHA256.hex(of: ""))
        try store.recordDataset(id, synthetic)
        XCTAssertEqual(try store.run(id).datasets, [recorded, synthetic])
    }

    func testArtifactsRoundTripByRunAndLatestByName() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        let first = try store.beginRun(sampleInfo())
        let second = try store.beginRun(sampleInfo())
        let weights = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let a = try store.saveArtifact(first, name: "best", kind: "safetensors", data: weights)
        let b = try store.saveArtifact(second, name: "best", kind: "safetensors", data: Data([1, 2, 3]))
        let empty = try store.saveArtifact(first, name: "empty", kind: "notes", data: Data())
        XCTAssertLessThan(a, b)

        let fromFirst = try store.loadArtifact(run: first, name: "best")
        XCTAssertEqual(fromFirst.data, weights)
        XCTAssertEqual(fromFirst.info.id, a)
        XCTAssertEqual(fromFirst.info.run, first)
        XCTAssertEqual(fromFirst.info.kind, "safetensors")
        XCTAssertEqual(fromFirst.info.bytes, 70_000)
        XCTAssertEqual(try store.loadArtifact(run: nil, name: "best").data, Data([1, 2, 3]))
        XCTAssertEqual(try store.loadArtifact(run: nil, name: "best").info.id, b)
        XCTAssertEqual(try store.loadArtifact(run: first, name: "empty").data, Data())

        let listed = try store.run(first).artifacts
        XCTAssertEqual(listed.map(\.id), [a, empty])
        XCTAssertEqual(listed.map(\.name), ["best", "empty"])
        XCTAssertEqual(listed[0], fromFirst.info)
    }

    func testStoreSurvivesReopening() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        var id: Int64 = 0
        do {
            let store = try RunStore.open(path: path)
            id = try store.beginRun(sampleInfo())
            try store.setParameters(id, [("k", "v")])
            try store.logMetrics(id, [MetricPoint(step: 1, name: "loss", value: 1.5)])
            try store.finishRun(id)
        }
        let reopened = try RunStore.open(path: path)
        let detail = try reopened.run(id)
        XCTAssertEqual(detail.run.status, .finished)
        XCTAssertEqual(detail.parameters, [Parameter(key: "k", value: "v")])
        XCTAssertEqual(detail.metrics, [MetricPoint(step: 1, name: "loss", value: 1.5)])
        XCTAssertEqual(reopened.recoveredRuns, [])
    }

    func testKindVerdictTranscriptResultsAndScriptRoundTrip() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        var info = sampleInfo()
        info.kind = .repl
        info.numerics = "x86_64+avx2, OpenBLAS 0.3.21, Haswell kernels, split 1, 1 thread"
        let id = try store.beginRun(info)
        XCTAssertEqual(try store.run(id).run.info.kind, .repl)
        XCTAssertEqual(try store.run(id).run.info.numerics, info.numerics)
        XCTAssertNil(try store.run(id).run.verdict)

        let entries = [
            TranscriptEntry(source: "x = 1", output: []),
            TranscriptEntry(source: "print(x)\nprint(2)", output: ["1", "", "2"]),
            TranscriptEntry(source: "m.fit(s)", output: ["epoch 1"], end: .interrupted, note: "stopped by Ctrl-C"),
            TranscriptEntry(source: "nope", output: [], end: .failed, note: "unknown name 'nope'"),
        ]
        try store.appendTranscript(id, Array(entries.prefix(2)))
        try store.appendTranscript(id, Array(entries.dropFirst(2)))
        let results = [
            EvaluationResult(source: "evaluate", model: "sasrec", split: "test", evaluationProtocol: "full ranking",
                             metric: "ndcg@10", value: 0.125),
            EvaluationResult(source: "compare", model: "pop", split: "valid", evaluationProtocol: "full ranking",
                             metric: "hr@5", value: .nan),
        ]
        try store.recordResults(id, results)
        try store.setScript(id, "x = 1\nprint(x)\n")
        try store.setVerdict(id, "differs at line 3\ncompared exactly")
        try store.finishRun(id)

        let detail = try store.run(id)
        XCTAssertEqual(detail.transcript, entries)
        XCTAssertEqual(detail.results.count, 2)
        XCTAssertEqual(detail.results[0], results[0])
        XCTAssertTrue(detail.results[1].value.isNaN)
        XCTAssertEqual(detail.run.info.script, "x = 1\nprint(x)\n")
        XCTAssertEqual(detail.run.scriptSHA256, SHA256.hex(of: "x = 1\nprint(x)\n"), "the hash names what ran")
        XCTAssertEqual(detail.run.verdict, "differs at line 3\ncompared exactly")
        XCTAssertThrowsError(try store.setScript(id, "later"), "an ended run's script is fixed")
    }

    func testAVersionOneStoreIsMigratedAndItsRunsReadAsKindRun() throws {
        let path = try temporaryDirectory().file("old.sqlite")
        do {
            // A store as version 1 wrote it: its tables, one run, user_version 1.
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try Schema.steps[0].1(db)
                try db.execute(sql: "PRAGMA user_version = 1")
                try db.execute(sql: """
                    INSERT INTO runs (started_at, status, script, script_sha256, script_path, seqlab_version, seed,
                        threads, blas_threads, cpu_model, blas, pid, hostname)
                    VALUES ('2025-11-23T10:44:03.000Z', 'finished', 'x', 'h', NULL, '0.1.0', 3, 1, 2, 'cpu', 'b', 1, 'host')
                    """)
            }
        }
        let store = try RunStore.open(path: path)
        let old = try XCTUnwrap(store.runs().first)
        XCTAssertEqual(old.info.kind, .run)
        XCTAssertEqual(old.info.numerics, "")
        XCTAssertNil(old.verdict)
        XCTAssertEqual(try store.run(old.id).transcript, [])
        let id = try store.beginRun(sampleInfo())
        try store.appendTranscript(id, [TranscriptEntry(source: "x", output: ["1"])])
        XCTAssertEqual(try store.run(id).transcript.count, 1)
    }
}
