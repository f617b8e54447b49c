// The text of `seqlab runs` and `seqlab show RUN`, byte for byte: notebooks record it, so any change
// in spacing is a change in every recorded notebook. Expected texts were laid out independently of
// RunText.align (column widths counted by hand/script), not copied from its output.
import Foundation
import XCTest

@testable import Store

final class RunTextTests: XCTestCase {
    let started = Date(timeIntervalSince1970: 1_763_894_643)  // 2025-11-23 10:44:03 UTC

    func makeRun(id: Int64, status: RunStatus, endedAfter seconds: Double?, info: RunInfo) -> Run {
        Run(
            id: id, startedAt: started, endedAt: seconds.map { started.addingTimeInterval($0) }, status: status,
            error: nil, scriptSHA256: SHA256.hex(of: info.script), info: info)
    }

    func testRunsTable() {
        var other = sampleInfo(script: "x", path: nil)
        other.seed = UInt64.max
        other.threads = 1
        other.kind = .repl
        var interrupted = makeRun(id: 9, status: .interrupted, endedAfter: nil, info: other)
        interrupted.startedAt = Date(timeIntervalSince1970: 1_763_888_400)  // 09:00:00
        var check = makeRun(id: 12, status: .finished, endedAfter: 67.5, info: sampleInfo())
        check.info.kind = .check
        check.verdict = "differs at line 4\ncompared exactly\n4: output differs"
        let runs = [check, interrupted]
        XCTAssertEqual(
            RunText.table(runs),
            """
            ID  KIND   STATUS       VERDICT            STARTED (UTC)         TIME                  SEED  THREADS  SHA256    SCRIPT
            12  check  finished     differs at line 4  2025-11-23 10:44:03  1m07s                     7  2/1      ec32f19f  demo.seqlab
             9  repl   interrupted  -                  2025-11-23 09:00:00      -  18446744073709551615  1/1      2d711642  (interactive)
            """)
        XCTAssertEqual(RunText.table([]), "no runs yet")
    }

    func testRunDetail() {
        var info = sampleInfo()
        info.cpuModel = "Test CPU @ 3.00GHz"
        info.pid = 4242
        info.hostname = "lab1"
        info.kind = .check
        info.numerics = "x86_64+avx2, OpenBLAS 0.3.21, Haswell kernels, split 1, 2 threads"
        var run = makeRun(id: 12, status: .finished, endedAfter: 67.5, info: info)
        run.verdict = "pass\ncompared exactly"
        var detail = RunDetail(
            run: run,
            parameters: [Parameter(key: "batch", value: "128"), Parameter(key: "lr", value: "0.001")],
            datasets: [
                DatasetUse(
                    name: "ml-100k", path: "../shared/data/ml-100k/ml-100k.inter", bytes: 2_082_003,
                    sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
            ],
            artifacts: [
                ArtifactInfo(
                    id: 5, run: 12, name: "best", kind: "safetensors", bytes: 1_048_576,
                    createdAt: started.addingTimeInterval(66))
            ],
            metrics: [
                MetricPoint(step: 0, name: "loss", value: 3),
                MetricPoint(step: 1, name: "loss", value: .nan),
                MetricPoint(step: 1, name: "ndcg@10", value: .infinity, split: "valid"),
                MetricPoint(step: 2, name: "loss", value: 1),
                MetricPoint(step: 2, name: "ndcg@10", value: 0.0351234567, split: "valid"),
            ])
        detail.results = [EvaluationResult(source: "evaluate", model: "m", split: "test",
                                           evaluationProtocol: "full ranking", metric: "ndcg@10", value: 0.25)]
        detail.transcript = [
            TranscriptEntry(source: "seed(7)", output: []),
            TranscriptEntry(source: "print(1)", output: ["1", ""]),
            TranscriptEntry(source: "m.fit(s)", output: ["3 epochs"], end: .interrupted, note: "stopped by Ctrl-C"),
        ]
        XCTAssertEqual(
            RunText.detail(detail),
            """
            run 12
              kind      check
              status    finished
              started   2025-11-23 10:44:03 UTC
              ended     2025-11-23 10:45:10 UTC (1m07s)
              script    demo.seqlab, sha256 ec32f19fd051a60bd8491157523a7858a7cee5d1b450edb72a32fd00f9101e16
              seqlab    0.1.0 (git 5c9f09c)
              seed      7
              threads   2, BLAS 1
              cpu       Test CPU @ 3.00GHz
              blas      OpenBLAS 0.3.21 Haswell
              numerics  x86_64+avx2, OpenBLAS 0.3.21, Haswell kernels, split 1, 2 threads
              process   4242 on lab1

            verdict
              pass
              compared exactly

            parameters
              KEY    VALUE
              batch  128
              lr     0.001

            datasets
              NAME       BYTES  SHA256            PATH
              ml-100k  2082003  0123456789abcdef  ../shared/data/ml-100k/ml-100k.inter

            artifacts
              ID  NAME  KIND           BYTES  SAVED (UTC)
               5  best  safetensors  1048576  2025-11-23 10:45:09

            results
              SOURCE    MODEL  SPLIT  METRIC   VALUE  PROTOCOL
              evaluate  m      test   ndcg@10   0.25  full ranking

            metrics
              NAME     SPLIT  POINTS  STEPS       LAST        MIN  MAX
              loss     -           3    0-2          1          1    3
              ndcg@10  valid       2    1-2  0.0351235  0.0351235  inf

            transcript
              seed(7)
              print(1)
              #> 1
              #>
              m.fit(s)
              #> 3 epochs
              (interrupted: stopped by Ctrl-C)
            """)
    }

    func testEmptySectionsAndErrorLine() {
        var run = makeRun(id: 3, status: .interrupted, endedAfter: nil, info: sampleInfo(path: nil))
        run.error = "interrupted: process 77 ended without finishing the run"
        let text = RunText.detail(RunDetail(run: run, parameters: [], datasets: [], artifacts: [], metrics: []))
        XCTAssertTrue(text.contains("\n  ended     -\n"))
        XCTAssertTrue(text.contains("\n  numerics  -\n"), "runs stored before numerics were recorded show a dash")
        XCTAssertTrue(text.contains("\n  error     interrupted: process 77 ended without finishing the run\n"))
        XCTAssertFalse(text.contains("verdict"), "only checks have a verdict")
        XCTAssertTrue(text.hasSuffix("metrics\n  none\n\ntranscript\n  none"))
        XCTAssertEqual(text.components(separatedBy: "\n  none").count - 1, 6)
        XCTAssertFalse(text.contains("\u{1B}"), "no ANSI escapes")
        XCTAssertFalse(text.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no trailing spaces")
    }

    func testDurationsAndNumbers() {
        let info = sampleInfo()
        XCTAssertEqual(RunText.duration(makeRun(id: 1, status: .finished, endedAfter: 4.25, info: info)), "4.2s")
        XCTAssertEqual(RunText.duration(makeRun(id: 1, status: .finished, endedAfter: 187, info: info)), "3m07s")
        XCTAssertEqual(RunText.duration(makeRun(id: 1, status: .finished, endedAfter: 7500, info: info)), "2h05m")
        XCTAssertEqual(RunText.number(-.infinity), "-inf")
        XCTAssertEqual(RunText.number(1e-7), "1e-07")
        XCTAssertEqual(RunText.number(123456789), "1.23457e+08")
    }

    func testTimestampTextRoundTripsToTheMillisecond() {
        for ms: Int64 in [0, 1_763_894_643_123, 1_763_894_643_999, -1] {
            let date = Timestamp.date(milliseconds: ms)
            let text = Timestamp.text(date)
            XCTAssertEqual(Timestamp.date(text), date, text)
        }
        XCTAssertEqual(Timestamp.text(Timestamp.date(milliseconds: 1_763_894_643_123)), "2025-11-23T10:44:03.123Z")
        XCTAssertEqual(Timestamp.text(Timestamp.date(milliseconds: -1)), "1969-12-31T23:59:59.999Z")
        XCTAssertNil(Timestamp.date("2025-11-23 10:44:03"))
    }
}
