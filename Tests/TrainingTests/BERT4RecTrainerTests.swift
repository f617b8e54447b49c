// BERT4Rec under the shared trainer: it learns beyond popularity on the toy world (both row kinds),
// its evaluation does not depend on the batch size, a checkpoint continues bit-identically with
// masking and dropout on (so the trainer's stream must carry both), and the scoring pass hands out
// bidirectional attention maps that include the mask slot.

import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class BERT4RecTrainerTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)

    func split() throws -> Split {
        try BERT4RecTrainerTests.world.domains[0].leaveOneOut(maxLength: 20)
    }

    func bert4rec(_ split: Split, seed: UInt64 = 7, dropout: Float = 0.2, rows: RowKind = .prefix) -> BERT4RecRecommender {
        BERT4RecRecommender(BERT4RecConfiguration(items: split.itemCount, hidden: 16, layers: 2, heads: 2, inner: 32, maxLength: 20,
                                                  hiddenDropout: dropout, attentionDropout: dropout, maskRatio: 0.2),
                            seed: Seed(seed), rows: rows)
    }

    func testBERT4RecLearnsBeyondPopularity() throws {
        let split = try split()
        let pop = try Evaluator.evaluate(PopularityModel(train: split.train, itemCount: split.itemCount - 1), rows: split.valid, width: 20)
        for rows in [RowKind.prefix, .sequence] {
            let model = bert4rec(split, rows: rows)
            let trainer = Trainer(model: model, seed: Seed(1))
            // Whole windows give about a tenth of the prefix rows (411 against 4798 here), so they get
            // smaller batches and more epochs for a similar number of steps, and no early stop: the
            // loss sits on a popularity plateau for a while before the network finds the order.
            var o = smallOptions(epochs: rows == .prefix ? 6 : 30)
            if rows == .sequence { o.batchSize = 8; o.patience = nil }
            try trainer.fit(split, options: o)
            let ours = try Evaluator.evaluate(model, rows: split.valid, width: 20)
            print("BERT4Rec (\(rows.rawValue) rows) valid NDCG@10 \(ours.ndcg[1]) vs popularity \(pop.ndcg[1]); losses \(trainer.history.map(\.loss))")
            XCTAssertLessThan(trainer.history.last!.loss, trainer.history.first!.loss, "\(rows) rows")
            XCTAssertGreaterThan(ours.ndcg[1], pop.ndcg[1] * 1.5, "\(rows) rows: bert4rec \(ours.ndcg[1]) vs popularity \(pop.ndcg[1])")
        }
    }

    func testEvaluationDoesNotDependOnTheBatchSize() throws {
        let split = try split()
        let model = bert4rec(split)
        try Trainer(model: model, seed: Seed(1)).fit(split, options: smallOptions(epochs: 1))
        let whole = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: 300)
        for size in [1, 7, 64] {
            let part = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: size)
            XCTAssertEqual(part.ranks, whole.ranks, "batch \(size)")
        }
    }

    func testFourEpochsEqualTwoPlusCheckpointPlusTwoWithDropout() throws {
        let split = try split()
        for rows in [RowKind.prefix, .sequence] {
            let straight = Trainer(model: bert4rec(split, rows: rows), seed: Seed(3))
            try straight.fit(split, options: smallOptions(epochs: 4))

            let first = Trainer(model: bert4rec(split, rows: rows), seed: Seed(3))
            try first.fit(split, options: smallOptions(epochs: 2))
            let resumed = try roundTrip(first)
            let model = try XCTUnwrap(resumed.model as? BERT4RecRecommender)
            XCTAssertEqual(model.rows, rows)
            XCTAssertEqual(model.network.configuration, (first.model as! BERT4RecRecommender).network.configuration)
            XCTAssertEqual(resumed.model.configurationEntries.map { "\($0)=\($1)" }, first.model.configurationEntries.map { "\($0)=\($1)" })
            XCTAssertEqual(weights(resumed.model), weights(first.model), "restoring shows the saved weights")
            try resumed.fit(split, options: smallOptions(epochs: 2))

            XCTAssertEqual(weights(resumed.model), weights(straight.model), "\(rows) rows: resumed training must end bit-identical")
            XCTAssertEqual(resumed.history.map(\.loss), straight.history.map(\.loss))
            XCTAssertEqual(resumed.history.map(\.valid), straight.history.map(\.valid))
            XCTAssertEqual(resumed.lastWeights!, straight.lastWeights!)
        }
    }

    func testTrainingSequencesKeepTheMostRecentItems() throws {
        let split = try split()
        var batcher = try Batcher(rows: split.test, batchSize: 4, width: 20)
        var batch = batcher.makeBatch()
        XCTAssertTrue(batcher.next(into: &batch))
        let small = BERT4RecRecommender(BERT4RecConfiguration(items: split.itemCount, hidden: 8, layers: 1, heads: 2, inner: 8,
                                                              maxLength: 5, maskRatio: 0.2), seed: Seed(1), rows: .sequence)
        let sequences = small.trainingSequences(batch)                     // [4, ≤ 6]
        for b in 0..<batch.count {
            let length = Int(batch.lengths[b])
            let whole = Array(batch.items[(b * 20)..<(b * 20 + length)]) + [batch.targets[b]]
            let row = Array(sequences.values[(b * sequences.shape[1])..<((b + 1) * sequences.shape[1])]).filter { $0 != 0 }
            XCTAssertEqual(row, Array(whole.suffix(6)), "row \(b): the most recent maxLength + 1 items")
        }
    }

    func testScoringPassKeepsBidirectionalAttentionMaps() throws {
        let split = try split()
        let model = bert4rec(split)
        var batcher = try Batcher(rows: split.test, batchSize: 5, width: 20)
        var batch = batcher.makeBatch()
        XCTAssertTrue(batcher.next(into: &batch))
        let n = model.itemCount + 1
        var plain = [Float](repeating: 0, count: batch.count * n), kept = plain
        try model.score(batch, into: &plain)
        let maps = model.scoreKeepingAttention(batch, into: &kept)
        XCTAssertEqual(kept, plain, "the maps come from the scoring pass itself")
        XCTAssertEqual(maps.count, 2)
        let w = 21
        for map in maps {
            XCTAssertEqual(map.shape, [batch.count, 2, w, w])
            for b in 0..<batch.count {
                let real = Int(batch.lengths[b]) + 1                      // history and the mask slot
                for head in 0..<2 {
                    let row = ((b * 2 + head) * w + real - 1) * w         // the mask slot's query
                    let total = (0..<w).reduce(Float(0)) { $0 + map[flat: row + $1] }
                    XCTAssertEqual(total, 1, accuracy: 1e-5)
                    let padding = (real..<w).map { map[flat: row + $0] }.max() ?? 0
                    XCTAssertLessThan(padding, 1e-30, "no attention to padding")
                    if real > 1 {
                        XCTAssertGreaterThan(map[flat: row], 0, "the mask slot reads the oldest item: bidirectional")
                    }
                }
            }
        }
    }
}
