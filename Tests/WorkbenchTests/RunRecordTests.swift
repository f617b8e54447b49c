// What the run store answers after `seqlab run --record`, `seqlab check` and `seqlab run`, driven
// through the executable as a user would: each run's kind, a check's verdict (pass, or the first
// difference with both outputs), the numerics a notebook was recorded under and how a check
// compares it, evaluation results with their protocol, and each fit's hyperparameters.

import Foundation
import Store
import TestSupport
import XCTest

final class RunRecordTests: XCTestCase {
    /// Runs seqlab with `arguments`; returns its exit status, standard output and standard error.
    func seqlab(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        try runSeqlab(arguments, environment: environment)
    }

    func testRunKindsVerdictsNumericsResultsAndParameters() throws {
        let dir = NSTemporaryDirectory() + "seqlab-records-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = dir + "/runs.sqlite", notebook = dir + "/nb.seqlab"
        try """
        # A small notebook.
        seed(2020)
        w = synthetic("toy", seed: 1); s = w.split(maxLength: 20);
        m = nextitnet(s, channels: 8, dilations: [1, 2]);
        m.fit(s, epochs: 2, batch: 64, lr: 0.003, patience: none);
        m.evaluate(s.test, k: [10])
        """.write(toFile: notebook, atomically: true, encoding: .utf8)

        // Recording writes the outputs and the numerics line, on 2 threads.
        let (recordStatus, _, recordErr) = try seqlab(["run", notebook, "--record", "--store", store],
                                                      environment: ["OPENBLAS_NUM_THREADS": "2"])
        XCTAssertEqual(recordStatus, 0, recordErr)
        let recorded = try String(contentsOfFile: notebook, encoding: .utf8)
        let numericsLine = try XCTUnwrap(recorded.split(separator: "\n").first { $0.hasPrefix("#@ numerics: ") })
        XCTAssertTrue(recorded.hasPrefix("# A small notebook.\n#@ numerics: "), "the numerics line follows the title")
        XCTAssertTrue(numericsLine.hasSuffix(", 2 threads"), String(numericsLine))

        // The same machine checks exactly, on another thread count.
        let (passStatus, passOut, passErr) = try seqlab(["check", notebook, "--store", store],
                                                        environment: ["OPENBLAS_NUM_THREADS": "1"])
        XCTAssertEqual(passStatus, 0, passErr)
        XCTAssertTrue(passOut.contains("every output matches, compared exactly (recorded on "), passOut)

        // A changed number is a difference, reported with both outputs.
        let edited = recorded.replacingOccurrences(of: "#> NDCG    0.", with: "#> NDCG    9.")
        XCTAssertNotEqual(edited, recorded)
        try edited.write(toFile: notebook, atomically: true, encoding: .utf8)
        let (differStatus, _, differErr) = try seqlab(["check", notebook, "--store", store])
        XCTAssertEqual(differStatus, 1)
        XCTAssertTrue(differErr.contains("output differs\n  expected:\n"), differErr)
        XCTAssertTrue(differErr.contains("  compared exactly"), differErr)

        // Recorded under other numerics: compared with a stated tolerance, which a small change passes.
        let elsewhere = "#@ numerics: arm64, OpenBLAS 0.3.26, NEOVERSEN1 kernels, split 1, 4 threads"
        let moved = recorded.replacingOccurrences(of: String(numericsLine), with: elsewhere)
        let ndcgLine = try XCTUnwrap(recorded.split(separator: "\n").first { $0.hasPrefix("#> NDCG ") })
        let value = try XCTUnwrap(Double(ndcgLine.split(separator: " ").last ?? ""))
        try moved.replacingOccurrences(of: String(ndcgLine), with: String(format: "#> NDCG    %.4f", value + 0.004))
            .write(toFile: notebook, atomically: true, encoding: .utf8)
        let (tolerantStatus, tolerantOut, tolerantErr) = try seqlab(["check", notebook, "--store", store])
        XCTAssertEqual(tolerantStatus, 0, tolerantErr)
        XCTAssertTrue(tolerantOut.contains("compared with numbers within 0.01: recorded on arm64, OpenBLAS 0.3.26, "
                                           + "NEOVERSEN1 kernels, split 1, 4 threads, replayed on "), tolerantOut)

        // A plain run, for its kind.
        try recorded.write(toFile: notebook, atomically: true, encoding: .utf8)
        XCTAssertEqual(try seqlab(["run", notebook, "--store", store]).0, 0)

        let (listStatus, list, _) = try seqlab(["runs", "--store", store])
        XCTAssertEqual(listStatus, 0)
        let rows = list.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        XCTAssertEqual(rows.map { String($0[1]) }, ["run", "check", "check", "check", "record"], list)
        let words = list.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertTrue(words.contains { $0.hasPrefix("4 check finished pass within 0.01 ") }, list)
        XCTAssertTrue(words.contains { $0.hasPrefix("3 check finished differs at line ") }, list)
        XCTAssertTrue(words.contains { $0.hasPrefix("2 check finished pass ") }, list)
        XCTAssertTrue(words.contains { $0.hasPrefix("1 record finished - ") }, list)
        XCTAssertTrue(rows.allSatisfy { $0[6...].contains("2020") }, "every run lists the seed the script set:\n\(list)")

        // The record run keeps what evaluate reported, the fit's hyperparameters and the transcript.
        let detail = try RunStore.open(path: store).run(1)
        XCTAssertEqual(detail.run.info.kind, .record)
        XCTAssertEqual(detail.run.info.seed, 2020)
        XCTAssertEqual(detail.results.map(\.metric), ["hr@10", "ndcg@10", "mrr@10"])
        XCTAssertEqual(Set(detail.results.map(\.source)), ["evaluate"])
        XCTAssertTrue(detail.results[0].evaluationProtocol.hasPrefix("full ranking over 200 items"), detail.results[0].evaluationProtocol)
        XCTAssertEqual(detail.results[1].value, value, accuracy: 5e-5, "the stored NDCG@10 is the one the notebook shows")
        let parameters = Dictionary(uniqueKeysWithValues: detail.parameters.map { ($0.key, $0.value) })
        XCTAssertEqual(parameters["fit.1.model"], "nextitnet")
        XCTAssertEqual(parameters["fit.1.epochs"], "2")
        XCTAssertEqual(parameters["fit.1.lr"], "0.003")
        XCTAssertEqual(parameters["fit.1.batch"], "64")
        XCTAssertEqual(parameters["fit.1.model.channels"], "8")
        XCTAssertEqual(detail.transcript.count, 6)
        XCTAssertEqual(detail.transcript.last?.source, "m.evaluate(s.test, k: [10])")
        XCTAssertEqual(detail.transcript.last?.output.last.map { $0.hasPrefix("MRR ") }, true)
        let verdict = try XCTUnwrap(try RunStore.open(path: store).run(3).run.verdict)
        XCTAssertTrue(verdict.hasPrefix("differs at line "), verdict)
        XCTAssertTrue(verdict.contains("expected:") && verdict.contains("actual:"), verdict)
    }
}
