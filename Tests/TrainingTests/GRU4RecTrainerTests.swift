// GRU4Rec under the shared trainer: it learns beyond popularity on the toy world, its evaluation does
// not depend on the batch size, and a checkpoint rebuilt through the catalogue continues
// bit-identically with dropout on, for both objectives and both kinds of rows.

import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class GRU4RecTrainerTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)

    func split() throws -> Split { try GRU4RecTrainerTests.world.domains[0].leaveOneOut(maxLength: 20) }

    func gru4rec(_ split: Split, seed: UInt64 = 7, objective: NextItemObjective = .fullSoftmax,
                 rows: RowKind = .prefix) -> GRU4RecRecommender {
        GRU4RecRecommender(GRU4RecConfiguration(items: split.itemCount, embedding: 16, hidden: 24, layers: 2, dropout: 0.25,
                                                maxLength: 20),
                           seed: Seed(seed), objective: objective, rows: rows)
    }

    func testGRU4RecLearnsBeyondPopularity() throws {
        let split = try split()
        let model = gru4rec(split)
        let trainer = Trainer(model: model, seed: Seed(1))
        try trainer.fit(split, options: smallOptions(epochs: 6))
        let pop = try Evaluator.evaluate(PopularityModel(train: split.train, itemCount: model.itemCount), rows: split.valid, width: 20)
        let ours = try Evaluator.evaluate(model, rows: split.valid, width: 20)
        XCTAssertLessThan(trainer.history.last!.loss, trainer.history.first!.loss)
        XCTAssertGreaterThan(ours.ndcg[1], pop.ndcg[1] * 1.5, "gru4rec \(ours.ndcg[1]) vs popularity \(pop.ndcg[1])")
    }

    func testEvaluationDoesNotDependOnTheBatchSize() throws {
        let split = try split()
        let model = gru4rec(split)
        try Trainer(model: model, seed: Seed(1)).fit(split, options: smallOptions(epochs: 1))
        let whole = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: 300)
        for size in [1, 7, 64] {
            XCTAssertEqual(try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: size).ranks, whole.ranks, "batch \(size)")
        }
    }

    func testFourEpochsEqualTwoPlusCheckpointPlusTwo() throws {
        let split = try split()
        let bpr = NextItemObjective.bpr(sampler: try .uniform(itemCount: split.itemCount))
        for (objective, rows) in [(NextItemObjective.fullSoftmax, RowKind.prefix), (bpr, .prefix), (.fullSoftmax, .sequence)] {
            let straight = Trainer(model: gru4rec(split, objective: objective, rows: rows), seed: Seed(3))
            try straight.fit(split, options: smallOptions(epochs: 4))
            let first = Trainer(model: gru4rec(split, objective: objective, rows: rows), seed: Seed(3))
            try first.fit(split, options: smallOptions(epochs: 2))
            let resumed = try roundTrip(first)
            let model = try XCTUnwrap(resumed.model as? GRU4RecRecommender)
            XCTAssertEqual(resumed.model.configurationEntries.map { "\($0)=\($1)" }, first.model.configurationEntries.map { "\($0)=\($1)" })
            XCTAssertEqual(model.objective.description, objective.description)
            XCTAssertEqual(model.rows, rows)
            XCTAssertEqual(weights(resumed.model), weights(first.model), "restoring shows the saved weights")
            try resumed.fit(split, options: smallOptions(epochs: 2))
            XCTAssertEqual(weights(resumed.model), weights(straight.model), "\(objective), \(rows) rows: resumed training must end bit-identical")
            XCTAssertEqual(resumed.history.map(\.loss), straight.history.map(\.loss))
        }
    }

    func testDamagedSizesAreAnErrorNotAnAllocation() throws {
        let split = try split()
        var entries = gru4rec(split).configurationEntries
        entries = entries.map { $0.0 == "hidden" ? ("hidden", "100000") : $0 }
        XCTAssertThrowsError(try ModelCatalog.build(entries, name: "x", seed: Seed(1))) { error in
            XCTAssertTrue("\(error)".contains("GRU4Rec hidden must be at most 4096, got 100000"), "\(error)")
        }
    }
}
