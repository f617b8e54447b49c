// The evaluator and the baselines: metric formulas, independence from batch size, ties, the
// sampled protocol, history masking, and the baselines on a synthetic world and on ml-100k.

import Foundation
import TestSupport
import XCTest
@testable import Datasets
@testable import Training

/// Scores from a fixed function of (history, item), for controlled cases.
final class FunctionModel: Recommender {
    let name = "function"
    let itemCount: Int
    let f: (ArraySlice<Int32>, Int) -> Float
    init(itemCount: Int, _ f: @escaping (ArraySlice<Int32>, Int) -> Float) {
        self.itemCount = itemCount
        self.f = f
    }
    func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        for b in 0..<batch.count {
            let history = batch.items[(b * batch.width)..<(b * batch.width + Int(batch.lengths[b]))]
            for i in 0...itemCount { scores[b * (itemCount + 1) + i] = f(history, i) }
        }
    }
}

final class EvaluatorTests: XCTestCase {
    func toySplit() throws -> (Dataset, Split) {
        let world = try SyntheticWorld.generate(.toy)
        let d = world.domains[0]
        return (d, try d.leaveOneOut(maxLength: 20))
    }

    func testMetricFormulas() {
        let r = RankingResult(ranks: [0, 1, 4, 20], ks: [10, 1, 5], header: "h")
        XCTAssertEqual(r.ks, [1, 5, 10])
        XCTAssertEqual(r.hitRate, [0.25, 0.75, 0.75])
        XCTAssertEqual(r.ndcg[1], (1 + 1 / log2(3.0) + 1 / log2(6.0)) / 4, accuracy: 1e-12)
        XCTAssertEqual(r.mrr[1], (1 + 0.5 + 0.2) / 4, accuracy: 1e-12)
        XCTAssertEqual(r.value("ndcg", at: 5), r.ndcg[1])
        XCTAssertEqual(r.rowNDCG(at: 5)[3], 0)
    }

    func testResultDoesNotDependOnBatchSize() throws {
        let (d, split) = try toySplit()
        let markov = MarkovModel(train: split.train, itemCount: d.itemCount)
        let results = try [1, 7, 300, 512].map {
            try Evaluator.evaluate(markov, rows: split.test, width: 20, batchSize: $0).ranks
        }
        for r in results.dropFirst() { XCTAssertEqual(r, results[0]) }
    }

    func testTiesCountAgainstThePositive() throws {
        let (d, split) = try toySplit()
        let flat = FunctionModel(itemCount: d.itemCount) { _, _ in 1 }
        let r = try Evaluator.evaluate(flat, rows: split.test, ks: [10], width: 20)
        XCTAssertEqual(r.hitRate, [0])
        XCTAssertEqual(Set(r.ranks), [Int32(d.itemCount - 1)])
    }

    func testSampledProtocolIsSeededAndLabelled() throws {
        let (d, split) = try toySplit()
        let markov = MarkovModel(train: split.train, itemCount: d.itemCount)
        let a = try Evaluator.evaluate(markov, rows: split.test, protocol: .sampled(negatives: 99, seed: 5), width: 20)
        let b = try Evaluator.evaluate(markov, rows: split.test, protocol: .sampled(negatives: 99, seed: 5), width: 20, batchSize: 3)
        XCTAssertEqual(a.ranks, b.ranks)
        XCTAssertTrue(a.ranks.allSatisfy { $0 >= 0 && $0 <= 99 })
        XCTAssertTrue(a.header.hasPrefix("SAMPLED"))
        let full = try Evaluator.evaluate(markov, rows: split.test, width: 20)
        XCTAssertGreaterThan(a.ndcg[1], full.ndcg[1], "100 candidates are easier than \(d.itemCount)")
    }

    func testMaskingHistoryRemovesHistoryItemsFromTheRanking() throws {
        let (d, split) = try toySplit()
        // Scores history items above everything else: masked, they no longer push the target down.
        let model = FunctionModel(itemCount: d.itemCount) { history, i in history.contains(Int32(i)) ? 10 : Float(i % 7) }
        let plain = try Evaluator.evaluate(model, rows: split.test, width: 20)
        let masked = try Evaluator.evaluate(model, rows: split.test, maskHistory: true, width: 20)
        XCTAssertTrue(zip(plain.ranks, masked.ranks).allSatisfy { $0 >= $1 })
        XCTAssertTrue(zip(plain.ranks, masked.ranks).contains { $0 > $1 })
        XCTAssertTrue(masked.header.contains("history masked"))
    }

    func testMarkovBeatsPopularityOnASequentialWorld() throws {
        let (d, split) = try toySplit()
        let pop = try Evaluator.evaluate(PopularityModel(train: split.train, itemCount: d.itemCount), rows: split.test, width: 20)
        let markov = try Evaluator.evaluate(MarkovModel(train: split.train, itemCount: d.itemCount), rows: split.test, width: 20)
        XCTAssertGreaterThan(markov.ndcg[1], pop.ndcg[1] * 1.5, "pop \(pop.ndcg[1]) markov \(markov.ndcg[1])")
    }

    func testBaselinesOnML100K() throws {
        let dir = try sharedPath("data/ml-100k")
        let d = try RecBole.load(directory: dir)
        let split = try d.leaveOneOut(maxLength: 50)
        let pop = try Evaluator.evaluate(PopularityModel(train: split.train, itemCount: d.itemCount), rows: split.test, width: 50)
        let markov = try Evaluator.evaluate(MarkovModel(train: split.train, itemCount: d.itemCount), rows: split.test, width: 50)
        print("ml-100k test, full ranking: popularity NDCG@10 \(pop.ndcg[1]) HR@10 \(pop.hitRate[1]); markov NDCG@10 \(markov.ndcg[1]) HR@10 \(markov.hitRate[1])")
        // Popularity is deterministic, so it is checked exactly against the same protocol computed
        // here from the raw file, without the loader, the split, the baseline or the evaluator.
        // (DESIGN.md's PyTorch reference gets NDCG@10 0.023, HR@10 0.050 on this protocol.)
        let reference = try Self.popularityByHand(inter: dir + "/ml-100k.inter")
        print("ml-100k popularity by hand: NDCG@10 \(reference.ndcg) HR@10 \(reference.hitRate)")
        XCTAssertEqual(pop.ndcg[1], reference.ndcg, accuracy: 1e-6)
        XCTAssertEqual(pop.hitRate[1], reference.hitRate, accuracy: 1e-9, "a count of hits over 943 users")
    }

    /// Popularity NDCG@10 and HR@10 under leave-one-out, from the .inter file alone: each user's
    /// events by time (ties in file order); the training targets are every event but the first and
    /// the last two; an item's score is how often it is a training target; the test target is the
    /// last event, and its rank is 1 + the number of other items scoring at least as much (ties
    /// count against it), over every item of the file.
    static func popularityByHand(inter path: String) throws -> (ndcg: Double, hitRate: Double) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var events: [String: [(time: Double, line: Int, item: String)]] = [:]
        var items = Set<String>()
        for (n, line) in text.split(separator: "\n").dropFirst().enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            let (user, item) = (String(f[0]), String(f[1]))
            events[user, default: []].append((Double(f[3])!, n, item))
            items.insert(item)
        }
        var counts: [String: Int] = [:]
        var lastItems: [String] = []
        for user in events.keys.sorted() {
            let sequence = events[user]!.sorted { ($0.time, $0.line) < ($1.time, $1.line) }.map(\.item)
            for item in sequence.dropFirst().dropLast(2) { counts[item, default: 0] += 1 }
            lastItems.append(sequence.last!)
        }
        var ndcg = 0.0, hits = 0.0
        for target in lastItems {
            let score = counts[target, default: 0]
            let rank = 1 + items.filter { $0 != target && counts[$0, default: 0] >= score }.count
            if rank <= 10 { ndcg += 1 / log2(Double(rank) + 1); hits += 1 }
        }
        return (ndcg / Double(lastItems.count), hits / Double(lastItems.count))
    }
}
