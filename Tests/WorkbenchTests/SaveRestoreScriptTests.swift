// Every model kind saves and restores exactly, through the language's save / restore with a real
// run store (so a model's language-side state, a text encoder, a quantiser, VQ-Rec's fine-tuning
// schedule, travels too):
//   (a) a restored model evaluates bit for bit as the saved one (HR, NDCG and MRR compared with ==);
//   (b) fit 2 epochs, save, restore, fit 2 more gives the weights and the loss and validation
//       history of 4 epochs straight, compared exactly in the two models' checkpoints.
// Conure's analogue of (b) is learning task 1, saving, restoring and learning task 2, against
// learning both straight: every weight, every mask and every phase's history must agree.

import Foundation
import Script
import Store
import Tensors
import Training
import XCTest
@testable import Workbench

final class SaveRestoreScriptTests: XCTestCase {
    var directory = ""
    var store: String { directory + "/runs.sqlite" }

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "seqlab-save-restore-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs `source` as one run with the store and returns what it printed; any error fails the test.
    @discardableResult
    func run(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let session = try RunSession(storePath: store, script: source, scriptPath: nil, interpreter: interpreter)
        let result = Notebook.run(source, interpreter: interpreter)
        session.finish(.finished, interpreter: interpreter)
        XCTAssertEqual(result.errors.map(\.description), [], file: file, line: line)
        // save(...) says what it stored (CheckpointScriptTests checks the line); these tests compare
        // what the scripts print themselves.
        return result.outcomes.flatMap(\.output).filter { !$0.hasPrefix("saved ") }
    }

    /// The latest checkpoint saved as `name`.
    func checkpoint(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(data: try RunStore.open(path: store).loadArtifact(run: nil, name: name).data, path: name)
    }

    /// The fields of a history that must agree (every one but the wall-clock seconds).
    func histories(_ meta: [String: String]) -> [String: [[Substring]]] {
        var out: [String: [[Substring]]] = [:]
        for (key, value) in meta where key.hasSuffix("history") || key.hasSuffix("trained") {
            out[key] = value.split(separator: "\n").map { line in
                let f = line.split(separator: " ")
                return f.count == 7 ? [f[0], f[1], f[2], f[4], f[5], f[6]] : f
            }
        }
        return out
    }

    /// Asserts that checkpoints `a` and `b` hold the same weights, masks, frozen sets and training
    /// histories, bit for bit; returns how many tensors were compared.
    @discardableResult
    func assertSameTraining(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let x = try checkpoint(a), y = try checkpoint(b)
        let compared = x.names.filter { $0.hasPrefix("param.") || $0.hasPrefix("masks.") || $0.hasPrefix("state.") }.sorted()
        XCTAssertFalse(compared.isEmpty, file: file, line: line)
        XCTAssertEqual(compared, y.names.filter { $0.hasPrefix("param.") || $0.hasPrefix("masks.") || $0.hasPrefix("state.") }.sorted(),
                       file: file, line: line)
        for name in compared {
            // Compared as booleans: a failure names the tensor instead of printing thousands of values.
            if try x.entry(name).dtype.isFloatingPoint {
                XCTAssertTrue(try x.tensor(name).scalars == y.tensor(name).scalars, "\(name) differs", file: file, line: line)
            } else {
                XCTAssertTrue(try x.int64s(name) == y.int64s(name), "\(name) differs", file: file, line: line)
            }
        }
        XCTAssertEqual(x.metadata["frozen"], y.metadata["frozen"], file: file, line: line)
        let hx = histories(x.metadata), hy = histories(y.metadata)
        XCTAssertFalse(hx.isEmpty, file: file, line: line)
        XCTAssertEqual(hx, hy, "the loss and validation histories differ", file: file, line: line)
        return compared.count
    }

    /// (a) and (b) for model `model` built by `setup`, trained on `data`, evaluated on `rows`.
    func checkExact(_ setup: String, model: String = "m", data: String, rows: String, fit: String = "batch: 32, patience: none",
                    first: Int = 2, second: Int = 2, file: StaticString = #filePath, line: UInt = #line) throws {
        let metrics = ["hr", "ndcg", "mrr"].map { "r.evaluate(\(rows), k: [5, 10]).\($0)(10) == \(model).evaluate(\(rows), k: [5, 10]).\($0)(10)" }
        let halves = try run(setup + """
            \(model).fit(\(data), epochs: \(first), \(fit));
            save(\(model), "half");
            r = restore("half", \(data));
            print(\(metrics.joined(separator: ", ")))
            print(len(r.history) == len(\(model).history))
            r.fit(\(data), epochs: \(second), \(fit));
            save(r, "resumed");

            """, file: file, line: line)
        XCTAssertEqual(halves, ["true true true", "true"], "the restored model evaluates differently", file: file, line: line)
        try run(setup + "\(model).fit(\(data), epochs: \(first + second), \(fit));\nsave(\(model), \"straight\");\n", file: file, line: line)
        try assertSameTraining("resumed", "straight", file: file, line: line)
    }

    static let toy = """
        w = synthetic("toy", seed: 1);
        s = w.split(maxLength: 20);

        """

    func testEveryNextItemModelSavesAndRestoresExactly() throws {
        for model in ["nextitnet(s, channels: 8, dilations: [1, 2], seed: 4)",
                      "grec(s, channels: 8, dilations: [1, 2], seed: 4)",
                      "sasrec(s, hidden: 8, layers: 1, heads: 2, inner: 16, seed: 4)",
                      "bert4rec(s, hidden: 8, layers: 1, heads: 2, inner: 16, seed: 4)",
                      "gru4rec(s, embedding: 8, hidden: 8, seed: 4)"] {
            try setUpWithError()
            try checkExact(Self.toy + "m = \(model);\n", data: "s", rows: "s.test")
        }
    }

    static func transfer(base: String) -> String {
        """
        movies = synthetic("toy", seed: 1, domain: "movies");
        books = synthetic("toy", seed: 1, domain: "books");
        pre = movies.split(maxLength: 20, training: "sequence");
        base = \(base)(pre, channels: 8, dilations: [1, 2], seed: 3);
        base.fit(pre, epochs: 1, batch: 64, patience: none);
        task = domainTask(movies, books, targets: 2, maxLength: 20);

        """
    }

    func testPeterRecSavesAndRestoresExactlyForEveryInsertionAndBase() throws {
        for base in ["nextitnet", "grec"] {
            for insertion in ["serial", "parallel"] {
                try setUpWithError()
                try checkExact(Self.transfer(base: base) + "m = peterrec(base, task, insertion: \"\(insertion)\", patch: 2, seed: 4);\n",
                               data: "task", rows: "task.test")
                // Self-contained: the frozen base's weights are in the checkpoint, which restores in a
                // run that never built the base.
                let restored = try run("""
                    books = synthetic("toy", seed: 1, domain: "books");
                    movies = synthetic("toy", seed: 1, domain: "movies");
                    task = domainTask(movies, books, targets: 2, maxLength: 20);
                    r = restore("resumed", task);
                    print(r.evaluate(task.test, k: [10]).ndcg(10) > 0)
                    r.summary()
                    """)
                XCTAssertEqual(restored.first, "true")
                XCTAssertTrue(restored.joined().contains("\(insertion) patches of width 2"), "\(restored)")
                XCTAssertTrue(restored.joined().contains(base == "grec" ? "non-causal GRec encoder" : "causal NextItNet"), "\(restored)")
            }
        }
    }

    func testFineTuningBaselinesSaveAndRestoreExactly() throws {
        for (mode, loss) in [("all", "bce"), ("head", "bpr"), ("scratch", "softmax")] {
            try setUpWithError()
            try checkExact(Self.transfer(base: "nextitnet") + "m = finetune(base, task, mode: \"\(mode)\", loss: \"\(loss)\", seed: 4);\n",
                           data: "task", rows: "task.test")
        }
    }

    func testConureRestoresEveryTaskAndLearnsTheNextExactly() throws {
        for mode in ["conure", "finetune"] {
            try setUpWithError()
            let setup = """
                w = synthetic("toy", seed: 1);
                books = synthetic("toy", seed: 1, domain: "books");
                s = w.split(maxLength: 20);
                t2 = domainTask(w, books, maxLength: 20);
                t3 = attributeTask(w, "gender", maxLength: 20);
                c = conure(w, channels: 8, dilations: [1, 2], mode: "\(mode)", seed: 3);
                c.learn(s, epochs: 2\(mode == "conure" ? ", retrain: 1" : ""), batch: 64);
                c.learn(t2, epochs: 1, batch: 64);

                """
            let halves = try run(setup + """
                save(c, "two");
                r = restore("two", w);
                print(r.evaluate(1).ndcg(10) == c.evaluate(1).ndcg(10), r.evaluate(t2).mrr(10) == c.evaluate(2).mrr(10))
                print(len(r))
                r.learn(t3, epochs: 2, batch: 64);
                save(r, "resumed");
                r.evaluate()

                """)
            XCTAssertEqual(Array(halves.prefix(2)), ["true true", "2"])
            let straight = try run(setup + "c.learn(t3, epochs: 2, batch: 64);\nsave(c, \"straight\");\nc.evaluate()\n")
            // The forgetting table: every task now and when learned, restored or not.
            XCTAssertEqual(Array(halves.dropFirst(2)), straight)
            XCTAssertEqual(try assertSameTraining("resumed", "straight"), 1 + 2 * 8 + 4 + 4,
                           "the embedding, two blocks of 8 tensors, three heads (4 tensors) and four masks")
        }
    }

    static let text = """
        movies = synthetic("toy", seed: 1, domain: "movies");
        books = synthetic("toy", seed: 1, domain: "books");
        src = movies.split(maxLength: 10);
        tgt = books.split(maxLength: 10);

        """

    func testUniSRecSavesAndRestoresExactlyPretrainedAndFineTuned() throws {
        let base = Self.text + "u = unisrec(src, encoder: \"tfidf\", width: 16, hidden: 8, inner: 16, experts: 2, seed: 3);\n"
        // From scratch, and after pretraining in place.
        try checkExact(base, model: "u", data: "src", rows: "src.test")
        try setUpWithError()
        let pretrained = base + "u.pretrain([src, tgt], epochs: 1, batch: 128);\n"
        try checkExact(pretrained, model: "u", data: "src", rows: "src.test")
        for mode in ["inductive", "transductive"] {
            try setUpWithError()
            try checkExact(pretrained + "z = u.finetune(tgt, mode: \"\(mode)\", freeze: \(mode == "inductive"), seed: 5);\n",
                           model: "z", data: "tgt", rows: "tgt.test")
            // A restored pretrained model fine-tunes as the saved one: same text encoder, same weights.
            try run(pretrained + "save(u, \"u\");\nz = u.finetune(tgt, mode: \"\(mode)\", seed: 5);\nz.fit(tgt, epochs: 1, batch: 32);\nsave(z, \"direct\");\n")
            try run(Self.text + "v = restore(\"u\", src);\nz = v.finetune(tgt, mode: \"\(mode)\", seed: 5);\nz.fit(tgt, epochs: 1, batch: 32);\nsave(z, \"via\");\n")
            try assertSameTraining("via", "direct")
        }
    }

    static let vqrec = text + "q = vqrec(src, encoder: \"tfidf\", width: 16, codes: 4, centroids: 16, hidden: 8, inner: 16, seed: 3);\n"

    func testVQRecSavesAndRestoresExactlyThroughItsPermutationPhase() throws {
        try checkExact(Self.vqrec, model: "q", data: "src", rows: "src.test")
        let pretrained = Self.vqrec + "q.pretrain([src, tgt], epochs: 1, batch: 128);\n"
        try setUpWithError()
        try checkExact(pretrained, model: "q", data: "src", rows: "src.test")
        // Saved during the reassignment epochs (the switch to the code table comes after the
        // restore), after the switch, and without a permutation.
        for (finetune, first, second) in [("permutation: \"learned\", reassignEpochs: 3", 2, 2),
                                          ("permutation: \"learned\", reassignEpochs: 2", 3, 2),
                                          ("permutation: \"released\", reassignEpochs: 2", 2, 1),
                                          ("permutation: \"none\"", 2, 2)] {
            try setUpWithError()
            try checkExact(pretrained + "t = q.finetune(tgt, \(finetune), seed: 5);\n", model: "t", data: "tgt", rows: "tgt.test",
                           first: first, second: second)
        }
        // A restored model keeps its quantiser: fine-tuning it quantises and transfers as the saved one.
        try setUpWithError()
        try run(pretrained + "save(q, \"q\");\nt = q.finetune(tgt, reassignEpochs: 1, seed: 5);\nt.fit(tgt, epochs: 2, batch: 32);\nsave(t, \"direct\");\nprint(q.codes(3))\n")
        let via = try run(Self.text + "v = restore(\"q\", src);\nt = v.finetune(tgt, reassignEpochs: 1, seed: 5);\nt.fit(tgt, epochs: 2, batch: 32);\nsave(t, \"via\");\nprint(v.codes(3))\n")
        try assertSameTraining("via", "direct")
        XCTAssertEqual(via.count, 1)
    }

    /// Golden scripts that need a run store (save / restore), each run as one run of a fresh store.
    func testEveryGoldenScriptWithAStore() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("StoreScripts")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".seqlab") }.sorted()
        XCTAssertEqual(files, ["peterrec_save_restore.seqlab"], "store golden scripts (a removal is a deliberate edit)")
        for file in files {
            try setUpWithError()
            let script = GoldenScript(try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
            let interpreter = Interpreter(registry: Workbench.registry(), diagnostics: { _ in })
            let session = try RunSession(storePath: store, script: script.source, scriptPath: nil, interpreter: interpreter)
            let (output, errors) = script.run(interpreter)
            session.finish(.finished, interpreter: interpreter)
            XCTAssertEqual(output, script.expectedOutput, "\(file): output")
            XCTAssertEqual(errors, script.expectedErrors, "\(file): errors")
        }
    }

    /// A damaged transfer checkpoint is refused with one error that names it and says what is wrong.
    func testDamagedStateIsRefusedWithAReason() throws {
        try run(Self.vqrec + "save(q, \"q\");\n" + Self.transfer(base: "nextitnet") + "p = finetune(base, task, mode: \"head\", loss: \"bpr\", seed: 4);\nsave(p, \"p\");\n")
        func damaged(_ name: String, _ edit: (inout [(name: String, value: SafetensorsValue)], inout [String: String]) throws -> Void) throws -> String {
            let file = try checkpoint(name)
            var tensors: [(name: String, value: SafetensorsValue)] = try file.names.map { n in
                let e = try file.entry(n)
                if e.dtype.isFloatingPoint { return (n, .float(try file.tensor(n))) }
                if e.dtype == .i64 { return (n, .int64(try file.int64s(n), shape: e.shape)) }
                return (n, .int32(try file.indices(n)))
            }
            var meta = file.metadata
            try edit(&tensors, &meta)
            do { _ = try TrainerCheckpoint.restore(SafetensorsWriter.encode(tensors, metadata: meta), source: "checkpoint 'x'") } catch {
                return "\(error)"
            }
            return "restored"
        }
        func replacing(_ name: String, _ value: SafetensorsValue) -> (inout [(name: String, value: SafetensorsValue)], inout [String: String]) throws -> Void {
            { tensors, _ in tensors = tensors.map { $0.name == name ? (name, value) : $0 } }
        }
        XCTAssertEqual(try damaged("q") { tensors, _ in tensors.removeAll { $0.name == "state.codes" } },
                       "checkpoint 'x' has no state.codes (the items' codes); it is damaged or was not written by save. Save the model again")
        XCTAssertEqual(try damaged("q", replacing("state.codes", .int32(IndexTensor(shape: [3, 4], values: [Int32](repeating: 0, count: 12))))),
                       "checkpoint 'x': state.codes (the items' codes) has shape [3, 4] but the saved configuration needs [201, 4]; the checkpoint does not match its configuration")
        XCTAssertEqual(try damaged("q", replacing("state.codes", .int32(IndexTensor(shape: [201, 4], values: [Int32](repeating: 16, count: 804))))),
                       "checkpoint 'x': state.codes (the items' codes) holds 16 at element 0, outside 0...15; the checkpoint is damaged, save the model again")
        XCTAssertEqual(try damaged("q") { _, meta in meta["config"] = meta["config"]!.replacingOccurrences(of: "codes=4", with: "codes=100000") },
                       "checkpoint 'x': the saved configuration is out of range: items 201, codes 100000, centroids 16")
        XCTAssertEqual(try damaged("q") { _, meta in meta["frozen"] = "nothing.like.this" },
                       "checkpoint 'x': the frozen parameter 'nothing.like.this' is not one of the model's; the file is damaged")
        XCTAssertEqual(try damaged("p", replacing("state.targetCounts", .int64([Int64](repeating: -1, count: 150), shape: [150]))),
                       "checkpoint 'x': state.targetCounts (the task's target frequencies) holds -1 at element 0, outside 0...2147483647; the checkpoint is damaged, save the model again")
        XCTAssertEqual(try damaged("p") { _, meta in meta["config"] = meta["config"]!.replacingOccurrences(of: "mode=finetune-head", with: "mode=sideways") },
                       "checkpoint 'x': the saved transfer mode 'sideways' is not one of peterrec-serial, peterrec-parallel, finetune-all, finetune-head, scratch")
        XCTAssertEqual(try damaged("p") { tensors, _ in tensors.removeAll { $0.name == "param.target.embedding" } },
                       "checkpoint 'x': error: no tensor named 'param.target.embedding'")
    }
}
