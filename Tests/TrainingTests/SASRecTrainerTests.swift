// SASRec under the shared trainer: it learns beyond popularity on the toy world, its evaluation does
// not depend on the batch size, a checkpoint continues bit-identically with dropout on (so the
// trainer's stream must carry the dropout draws), and the scoring pass hands out its attention maps.

import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class SASRecTrainerTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)

    func split(maxLength: Int = 20) throws -> Split {
        try SASRecTrainerTests.world.domains[0].leaveOneOut(maxLength: maxLength)
    }

    func sasrec(_ split: Split, seed: UInt64 = 7, dropout: Float = 0.2, objective: NextItemObjective = .fullSoftmax,
                rows: RowKind = .prefix) -> SASRecRecommender {
        SASRecRecommender(SASRecConfiguration(items: split.itemCount, hidden: 16, layers: 2, heads: 2, inner: 32, maxLength: 20,
                                              hiddenDropout: dropout, attentionDropout: dropout),
                          seed: Seed(seed), objective: objective, rows: rows)
    }

    func testSASRecLearnsBeyondPopularity() throws {
        let split = try split()
        let model = sasrec(split)
        let trainer = Trainer(model: model, seed: Seed(1))
        try trainer.fit(split, options: smallOptions(epochs: 6))
        let pop = try Evaluator.evaluate(PopularityModel(train: split.train, itemCount: model.itemCount), rows: split.valid, width: 20)
        let ours = try Evaluator.evaluate(model, rows: split.valid, width: 20)
        print("SASRec valid NDCG@10 \(ours.ndcg[1]) vs popularity \(pop.ndcg[1]); losses \(trainer.history.map(\.loss))")
        XCTAssertLessThan(trainer.history.last!.loss, trainer.history.first!.loss)
        XCTAssertGreaterThan(ours.ndcg[1], pop.ndcg[1] * 1.5, "sasrec \(ours.ndcg[1]) vs popularity \(pop.ndcg[1])")
    }

    func testEvaluationDoesNotDependOnTheBatchSize() throws {
        let split = try split()
        let model = sasrec(split)
        try Trainer(model: model, seed: Seed(1)).fit(split, options: smallOptions(epochs: 1))
        let whole = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: 300)
        for size in [1, 7, 64] {
            let part = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: size)
            XCTAssertEqual(part.ranks, whole.ranks, "batch \(size)")
        }
    }

    func testFourEpochsEqualTwoPlusCheckpointPlusTwoWithDropout() throws {
        let split = try split()
        let straight = Trainer(model: sasrec(split), seed: Seed(3))
        try straight.fit(split, options: smallOptions(epochs: 4))

        let first = Trainer(model: sasrec(split), seed: Seed(3))
        try first.fit(split, options: smallOptions(epochs: 2))
        let resumed = try roundTrip(first)
        XCTAssertTrue(resumed.model is SASRecRecommender)
        XCTAssertEqual(resumed.model.configurationEntries.map { "\($0)=\($1)" }, first.model.configurationEntries.map { "\($0)=\($1)" })
        XCTAssertEqual(weights(resumed.model), weights(first.model), "restoring shows the saved weights")
        try resumed.fit(split, options: smallOptions(epochs: 2))

        XCTAssertEqual(weights(resumed.model), weights(straight.model), "resumed training must end bit-identical")
        XCTAssertEqual(resumed.history.map(\.loss), straight.history.map(\.loss))
        XCTAssertEqual(resumed.history.map(\.valid), straight.history.map(\.valid))
        XCTAssertEqual(resumed.lastWeights!, straight.lastWeights!)
    }

    func testBPRAndSequenceRowsTrainAndSurviveACheckpoint() throws {
        let split = try split()
        let bpr = NextItemObjective.bpr(sampler: try .uniform(itemCount: split.itemCount))
        for (objective, rows) in [(bpr, RowKind.prefix), (.fullSoftmax, .sequence), (bpr, .sequence)] {
            let straight = Trainer(model: sasrec(split, objective: objective, rows: rows), seed: Seed(5))
            try straight.fit(split, options: smallOptions(epochs: 3))
            XCTAssertLessThan(straight.history.last!.loss, straight.history.first!.loss, "\(objective), \(rows) rows")
            let first = Trainer(model: sasrec(split, objective: objective, rows: rows), seed: Seed(5))
            try first.fit(split, options: smallOptions(epochs: 1))
            let resumed = try roundTrip(first)
            let model = try XCTUnwrap(resumed.model as? SASRecRecommender)
            XCTAssertEqual(model.objective.description, objective.description)
            XCTAssertEqual(model.rows, rows)
            try resumed.fit(split, options: smallOptions(epochs: 2))
            XCTAssertEqual(weights(resumed.model), weights(straight.model), "\(objective), \(rows) rows")
        }
    }

    func testScoringPassKeepsCausalAttentionMaps() throws {
        let split = try split()
        let model = sasrec(split)
        var batcher = try Batcher(rows: split.test, batchSize: 5, width: 20)
        var batch = batcher.makeBatch()
        batcher.startEpoch()
        XCTAssertTrue(batcher.next(into: &batch))
        let n = model.itemCount + 1
        var plain = [Float](repeating: 0, count: batch.count * n), kept = plain
        try model.score(batch, into: &plain)
        let maps = model.scoreKeepingAttention(batch, into: &kept)
        XCTAssertEqual(kept, plain, "the maps come from the scoring pass itself")
        XCTAssertEqual(maps.count, 2)
        let w = batch.longest
        for map in maps {
            XCTAssertEqual(map.shape, [batch.count, 2, w, w])
            for b in 0..<batch.count {
                let length = Int(batch.lengths[b])
                for head in 0..<2 {
                    for i in 0..<length {
                        let row = ((b * 2 + head) * w + i) * w
                        let total = (0..<w).reduce(Float(0)) { $0 + map[flat: row + $1] }
                        XCTAssertEqual(total, 1, accuracy: 1e-5)
                        // −10000 before the vectorised exp leaves at most a subnormal, never a real weight.
                        let future = ((i + 1)..<max(w, i + 1)).map { map[flat: row + $0] }.max() ?? 0
                        XCTAssertLessThan(future, 1e-30, "no attention to the future or padding")
                    }
                }
            }
        }
    }
}
