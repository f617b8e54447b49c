// Results do not depend on the thread count: one epoch of every model family, trained at 1, 2 and 3
// threads, ends with the same weights bit for bit. The sizes are chosen so the products are large
// enough for BLAS.gemm to split them (GemmPartition) and the loss blocks for the fused softmax to
// split its rows, which is where the thread count used to reach the results.

import Foundation
import Script
@testable import Tensors
import XCTest
@testable import Workbench

final class ThreadCountTests: XCTestCase {
    /// One script per family; each leaves the trained model in `m`.
    static let scripts: [(family: String, source: String)] = [
        ("nextitnet", """
            w = synthetic("toy", seed: 1); s = w.split(maxLength: 20);
            m = nextitnet(s, channels: 32, dilations: [1, 2], seed: 3);
            m.fit(s, epochs: 1, batch: 128, patience: none);
            """),
        ("grec", """
            w = synthetic("toy", seed: 1); s = w.split(maxLength: 20);
            m = grec(s, channels: 32, dilations: [1, 2], seed: 3);
            m.fit(s, epochs: 1, batch: 128, patience: none);
            """),
        ("sasrec", """
            w = synthetic("toy", seed: 1); s = w.split(maxLength: 20);
            m = sasrec(s, hidden: 32, layers: 2, heads: 2, inner: 64, seed: 3);
            m.fit(s, epochs: 1, batch: 128, patience: none);
            """),
        ("bert4rec", """
            w = synthetic("toy", seed: 1); s = w.split(maxLength: 20);
            m = bert4rec(s, hidden: 32, layers: 2, heads: 2, inner: 64, seed: 3);
            m.fit(s, epochs: 1, batch: 128, patience: none);
            """),
        ("gru4rec", """
            w = synthetic("toy", seed: 1); s = w.split(maxLength: 20);
            m = gru4rec(s, embedding: 32, hidden: 32, seed: 3);
            m.fit(s, epochs: 1, batch: 128, patience: none);
            """),
        ("peterrec", """
            movies = synthetic("toy", seed: 1, domain: "movies"); books = synthetic("toy", seed: 1, domain: "books");
            pre = movies.split(maxLength: 20, training: "sequence");
            base = nextitnet(pre, channels: 32, dilations: [1, 2], seed: 3);
            base.fit(pre, epochs: 1, batch: 128, patience: none);
            task = domainTask(movies, books, targets: 2, maxLength: 20);
            m = peterrec(base, task, insertion: "serial", seed: 4);
            m.fit(task, epochs: 1, batch: 64, patience: none);
            """),
        ("conure", """
            w = synthetic("toy", seed: 1); books = synthetic("toy", seed: 1, domain: "books");
            s = w.split(maxLength: 20); t2 = domainTask(w, books, maxLength: 20);
            m = conure(w, channels: 32, dilations: [1, 2], seed: 3);
            m.learn(s, epochs: 1, retrain: 1, batch: 128);
            m.learn(t2, epochs: 1, batch: 64);
            """),
        ("unisrec", """
            movies = synthetic("toy", seed: 1, domain: "movies"); books = synthetic("toy", seed: 1, domain: "books");
            src = movies.split(maxLength: 20); tgt = books.split(maxLength: 20);
            u = unisrec(src, encoder: "tfidf", width: 32, hidden: 32, inner: 64, experts: 2, seed: 5);
            u.pretrain([src], epochs: 1, batch: 128);
            m = u.finetune(tgt, mode: "inductive");
            m.fit(tgt, epochs: 1, batch: 128, patience: none);
            """),
        ("vqrec", """
            movies = synthetic("toy", seed: 1, domain: "movies"); books = synthetic("toy", seed: 1, domain: "books");
            src = movies.split(maxLength: 20); tgt = books.split(maxLength: 20);
            v = vqrec(src, encoder: "tfidf", width: 32, codes: 4, centroids: 16, hidden: 32, inner: 64, seed: 3);
            v.pretrain([src, tgt], epochs: 1, batch: 128);
            m = v.finetune(tgt, reassignEpochs: 1);
            m.fit(tgt, epochs: 2, batch: 128, patience: none);
            """),
    ]

    /// Every family's weights after training at `threads` threads, as raw bytes per parameter.
    func weights(_ source: String, threads: Int) throws -> [String: Data] {
        let saved = BLAS.threads
        BLAS.threads = threads
        defer { BLAS.threads = saved }
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        Workbench.setProgress(.quiet, in: interpreter)
        let result = Notebook.run(source, interpreter: interpreter)
        XCTAssertEqual(result.errors.map(\.description), [])
        let parameters: [Tensor]
        switch interpreter.variables.first(where: { $0.name == "m" })?.value {
        case .object(let model as ModelObject)?:
            parameters = try XCTUnwrap(model.trainable).parameters
        case .object(let conure as ConureObject)?:
            parameters = conure.learner.conure.parameters
        default:
            XCTFail("the script leaves no model in m")
            return [:]
        }
        var out: [String: Data] = [:]
        for p in parameters {
            out[p.name] = Data(bytes: p.pointer, count: p.count * MemoryLayout<Float>.size)
        }
        return out
    }

    func testOneEpochOfEveryFamilyGivesTheSameWeightsAtOneTwoAndThreeThreads() throws {
        for (family, source) in Self.scripts {
            let one = try weights(source, threads: 1)
            XCTAssertFalse(one.isEmpty, family)
            for threads in [2, 3] {
                let other = try weights(source, threads: threads)
                XCTAssertEqual(other.keys.sorted(), one.keys.sorted(), family)
                let differing = one.keys.sorted().filter { one[$0] != other[$0] }
                XCTAssertEqual(differing, [], "\(family): weights differ between 1 and \(threads) threads")
            }
        }
    }

    /// The split itself: the products the families above make are split, or the test would not
    /// reach the code it guards.
    func testTheTrainingProductsAreLargeEnoughToBeSplit() {
        // NextItNet's output layer above: B·L = 128 · 20 rows, 201 items, 32 channels.
        XCTAssertGreaterThan(GemmPartition(m: 2560, n: 201, k: 32).parts, 1)
        // Its weight gradient: 32 × 201 summed over 2560 rows (a K split).
        let k = GemmPartition(m: 32, n: 201, k: 2560)
        XCTAssertEqual(k.axis, .k)
        XCTAssertGreaterThan(k.parts, 1)
    }
}
