// The guards as a user meets them at the prompt, in process: Ctrl-C from another thread during a
// real `fit` returns the history marked interrupted and leaves a model that evaluates and trains
// on; Ctrl-C during `encode` or `evaluate` is one script error and the next call works; the memory limit
// makes evaluation work in smaller blocks with identical metrics, and refuses with a message when
// even one row does not fit; a NaN in training is one script error and the model stays usable.

import Foundation
import Script
import Support
import Tensors
import XCTest
@testable import Workbench

final class GuardScriptTests: XCTestCase {
    var interpreter: Interpreter!
    var lines: [String] = []

    override func setUp() {
        Cancellation.clear()
        lines = []
        interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
    }

    override func tearDown() {
        Cancellation.clear()
        MemoryLimit.bytes = MemoryLimit.defaultBytes
    }

    /// Runs `source` as the REPL would an entry (the interrupt flag cleared first); returns the errors.
    @discardableResult
    func enter(_ source: String) -> [String] {
        Cancellation.clear()
        lines = []
        return Notebook.run(source, interpreter: interpreter, echo: { [unowned self] in self.lines.append($0) }).errors.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    func prepare() {
        XCTAssertEqual(enter("""
            w = synthetic("toy", seed: 1);
            s = w.split(maxLength: 20);
            m = nextitnet(s, channels: 16, dilations: [1, 2], seed: 3);
            """), [])
    }

    /// The model object the script variable `name` holds.
    func model(named name: String) throws -> ModelObject {
        try XCTUnwrap(interpreter.variables.first { $0.name == name }.flatMap { v -> ModelObject? in
            if case .object(let o) = v.value { return o as? ModelObject }
            return nil
        })
    }

    func testCtrlCDuringFitReturnsTheHistoryAndTheModelGoesOn() throws {
        prepare()
        // Batches per epoch, from one epoch of a twin model on the same rows.
        XCTAssertEqual(enter("twin = nextitnet(s, channels: 16, dilations: [1, 2], seed: 3); "
                             + "twin.fit(s, epochs: 1, batch: 16, lr: 0.001, patience: none)"), [])
        let perEpoch = try XCTUnwrap(try model(named: "twin").trainer?.history.first?.steps)
        XCTAssertGreaterThan(perEpoch, 4)
        // Ctrl-C from another thread half way through the second epoch (the flag is what SIGINT sets).
        let trigger = perEpoch + perEpoch / 2
        let trainer = try XCTUnwrap(try model(named: "m").trainer)
        // Reading the step count while training writes it is a benign race (an aligned Int); it
        // only decides when the flag goes up, as a user's Ctrl-C would at any moment. The stopper
        // notes the count right after raising the flag: the trainer checks the flag before each
        // batch, so it stops at that count or one later (the batch in progress).
        nonisolated(unsafe) let watched = trainer
        final class Raised: @unchecked Sendable { var at = -1 }
        let raised = Raised(), done = DispatchSemaphore(value: 0)
        let stopper = Thread {
            while watched.steps < trigger { usleep(200) }
            Cancellation.request()
            raised.at = watched.steps
            done.signal()
        }
        Cancellation.clear()
        lines = []
        stopper.start()
        let run = Notebook.run("m.fit(s, epochs: 1000, batch: 16, lr: 0.001, patience: none)", interpreter: interpreter,
                               echo: { [unowned self] in self.lines.append($0) })
        done.wait()
        XCTAssertEqual(run.errors, [])
        let output = lines.joined(separator: "\n")
        XCTAssertTrue(output.contains("interrupted: stopped after the batch in progress"), output)
        let stepsAtStop = trainer.steps
        print("Ctrl-C requested at step \(raised.at) (\(perEpoch) per epoch); training stopped after step \(stepsAtStop)")
        XCTAssertGreaterThanOrEqual(raised.at, trigger)
        XCTAssertTrue([raised.at, raised.at + 1].contains(stepsAtStop),
                      "stopped after step \(stepsAtStop), flag raised at step \(raised.at): at most the batch in progress runs")
        // Every finished epoch is in the history, the interrupted one is not. (Only a stopper that
        // woke a whole epoch late could stop on an epoch's last batch, where Ctrl-C during that
        // epoch's validation leaves it out: then one less.)
        let finished = stepsAtStop / perEpoch
        if stepsAtStop % perEpoch == 0 {
            XCTAssertTrue([finished - 1, finished].contains(trainer.history.count), "finished epochs at step \(stepsAtStop)")
        } else {
            XCTAssertEqual(trainer.history.count, finished, "finished epochs at step \(stepsAtStop)")
        }
        XCTAssertTrue(trainer.history.allSatisfy { $0.steps == perEpoch })

        XCTAssertEqual(enter("m.evaluate(s.test, k: [10]).ndcg(10) > 0"), [])
        XCTAssertEqual(lines, ["true"], "the interrupted model evaluates")
        let epochs = trainer.history.count
        XCTAssertEqual(enter("len(m.fit(s, epochs: 1, batch: 16, lr: 0.001))"), [])
        // The epoch Ctrl-C stopped is finished first, then the one asked for (issue 20).
        XCTAssertEqual(lines, ["\(epochs + 2)"], "and trains on")
    }

    func testCtrlCDuringEncodeIsOneErrorAndTheNextEncodeWorks() {
        prepare()
        // As the REPL runs an entry: the statement itself, with Ctrl-C already pressed when the
        // encoder reaches its first check.
        let (statements, _) = Parser.parse("v = encode(w, encoder: \"tfidf\", width: 8);")
        Cancellation.request()
        var errors: [String] = []
        do { try interpreter.execute(statements[0]) } catch let e as ScriptError { errors.append(e.message) } catch {
            XCTFail("not a script error: \(error)")
        }
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0] == "interrupted: TF-IDF fitting (truncated SVD) stopped by Ctrl-C; nothing was changed", "\(errors)")
        XCTAssertFalse(interpreter.variables.contains { $0.name == "v" }, "no half result is bound")
        XCTAssertEqual(enter("v = encode(w, encoder: \"tfidf\", width: 8);\nlen(v)"), [])
        XCTAssertEqual(lines, ["200"])
    }

    func testCtrlCDuringEvaluateIsOneErrorAndTheModelEvaluatesAgain() {
        prepare()
        XCTAssertEqual(enter("before = m.evaluate(s.test, k: [10]).ndcg(10);"), [])
        // As the REPL runs an entry, with Ctrl-C pressed before the first batch is scored.
        let (statements, _) = Parser.parse("r = m.evaluate(s.test, k: [10], batch: 16);")
        Cancellation.request()
        var errors: [String] = []
        do { try interpreter.execute(statements[0]) } catch let e as ScriptError { errors.append(e.message) } catch {
            XCTFail("not a script error: \(error)")
        }
        XCTAssertEqual(errors, ["interrupted: evaluation stopped by Ctrl-C; nothing was changed, run it again"])
        XCTAssertFalse(interpreter.variables.contains { $0.name == "r" }, "no half result is bound")
        XCTAssertEqual(enter("m.evaluate(s.test, k: [10], batch: 16).ndcg(10) == before"), [])
        XCTAssertEqual(lines, ["true"], "the same model evaluates to the same value afterwards")
    }

    func testTheMemoryLimitEvaluatesInBlocksWithTheSameMetricsAndRefusesWhatCannotFit() {
        prepare()
        XCTAssertEqual(enter("m.fit(s, epochs: 1, batch: 16);\nm.evaluate(s.test, k: [5, 10])"), [])
        let whole = lines
        // 201 scores a row: 4 KiB holds 5 rows at once instead of 256.
        XCTAssertEqual(enter("memoryLimit(\"4KiB\")\nm.evaluate(s.test, k: [5, 10])"), [])
        XCTAssertEqual(lines, ["\"4 KiB\""] + whole, "blocked evaluation gives the same table")
        XCTAssertEqual(enter("memoryLimit(512)\nm.evaluate(s.test, k: [10])"), [
            "2:3: scoring all 200 items for one row would need 804 bytes, more than the memory limit of 512 bytes; "
                + "raise it with memoryLimit(\"1MiB\") (or SEQLAB_MEMORY_LIMIT) if the machine has the memory, or make the operation smaller",
        ])
        XCTAssertEqual(enter("memoryLimit(\"lots\")"), [
            "1:13: cannot read the memory limit \"lots\"; write a size such as \"2GiB\", \"512MB\" or a number of bytes",
        ])
        XCTAssertEqual(enter("memoryLimit(\"2GiB\")\nm.evaluate(s.test, k: [5, 10])"), [])
        XCTAssertEqual(lines, ["\"2 GiB\""] + whole)
    }

    func testALossThatExplodesIsOneErrorAndTheModelStaysUsable() {
        XCTAssertEqual(enter("""
            w = synthetic("toy", seed: 1);
            s = w.split(maxLength: 20);
            m = sasrec(s, hidden: 16, layers: 1, heads: 1);
            """), [])
        let errors = enter("m.fit(s, epochs: 30, batch: 16, lr: 10, optimizer: \"sgd\", patience: none)")
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors.first?.hasPrefix("1:3: the loss became Inf at epoch 1, step 20 ") ?? false, "\(errors)")
        XCTAssertEqual(enter("r = m.evaluate(s.test, k: [10]).ndcg(10);\nr >= 0 and r <= 1"), [])
        XCTAssertEqual(lines, ["true"], "the model from before the bad step evaluates")
        XCTAssertEqual(enter("h = m.fit(s, epochs: 2, batch: 16, lr: 0.001);\nlen(h)"), [])
        XCTAssertEqual(lines, ["2"], "and trains again from the epoch's first weights with a sensible lr")
    }
}
