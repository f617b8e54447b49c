// The trainer: it learns, keeps the best weights, stops early, and continues exactly from a
// checkpoint — after whole epochs and after an interruption in the middle of one.

import Foundation
import Support
import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class TrainerTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)

    func split(maxLength: Int = 20) throws -> Split {
        try TrainerTests.world.domains[0].leaveOneOut(maxLength: maxLength)
    }

    func nextItNet(_ split: Split, seed: UInt64 = 7) -> NextItNetRecommender {
        NextItNetRecommender(NextItNetConfiguration(items: split.itemCount, channels: 16, kernel: 3, dilations: [1, 2]), seed: Seed(seed))
    }

    func options(epochs: Int, patience: Int? = nil) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = 32
        o.learningRate = 3e-3
        o.patience = patience
        return o
    }

    func testNextItNetLearnsBeyondPopularity() throws {
        let split = try split()
        let model = nextItNet(split)
        let trainer = Trainer(model: model, seed: Seed(1))
        try trainer.fit(split, options: options(epochs: 8))
        let pop = try Evaluator.evaluate(PopularityModel(train: split.train, itemCount: model.itemCount), rows: split.valid, width: 20)
        let ours = try Evaluator.evaluate(model, rows: split.valid, width: 20)
        XCTAssertEqual(trainer.history.count, 8)
        XCTAssertLessThan(trainer.history.last!.loss, trainer.history.first!.loss)
        XCTAssertGreaterThan(ours.ndcg[1], pop.ndcg[1] * 1.5, "nextitnet \(ours.ndcg[1]) vs popularity \(pop.ndcg[1])")
    }

    func testFourEpochsEqualTwoPlusCheckpointPlusTwo() throws {
        let split = try split()
        let straight = Trainer(model: nextItNet(split), seed: Seed(3))
        try straight.fit(split, options: options(epochs: 4))

        let first = Trainer(model: nextItNet(split), seed: Seed(3))
        try first.fit(split, options: options(epochs: 2))
        let resumed = try roundTrip(first)
        XCTAssertEqual(weights(resumed.model), weights(first.model), "restoring shows the saved weights")
        try resumed.fit(split, options: options(epochs: 2))

        XCTAssertEqual(weights(resumed.model), weights(straight.model), "resumed training must end bit-identical")
        XCTAssertEqual(resumed.history.map(\.loss), straight.history.map(\.loss))
        XCTAssertEqual(resumed.history.map(\.valid), straight.history.map(\.valid))
        XCTAssertEqual(resumed.steps, straight.steps)
        XCTAssertEqual(resumed.lastWeights!, straight.lastWeights!)
    }

    func testGRecResumesExactlyIncludingItsMaskingStream() throws {
        let split = try split()
        func grec() -> GRecRecommender {
            GRecRecommender(NextItNetConfiguration(items: split.itemCount, channels: 16, kernel: 3, dilations: [1, 2], causal: false), seed: Seed(5))
        }
        let straight = Trainer(model: grec(), seed: Seed(9))
        try straight.fit(split, options: options(epochs: 3))
        let first = Trainer(model: grec(), seed: Seed(9))
        try first.fit(split, options: options(epochs: 1))
        let resumed = try roundTrip(first)
        try resumed.fit(split, options: options(epochs: 2))
        XCTAssertEqual(weights(resumed.model), weights(straight.model))
        XCTAssertEqual(resumed.history.map(\.loss), straight.history.map(\.loss))
    }

    /// Stops training after a given number of batches, as Ctrl-C would.
    final class InterruptAfter: TrainingObserver {
        let batches: Int
        var seen = 0
        init(_ batches: Int) { self.batches = batches }
        func batchFinished(_ progress: TrainingProgress) {
            seen += 1
            if seen == batches { Cancellation.request() }
        }
    }

    func testInterruptedEpochResumesMidEpochExactly() throws {
        let split = try split()
        let straight = Trainer(model: nextItNet(split), seed: Seed(4))
        try straight.fit(split, options: options(epochs: 2))

        let interrupted = Trainer(model: nextItNet(split), seed: Seed(4))
        defer { Cancellation.clear() }
        let stop = try interrupted.fit(split, options: options(epochs: 2), observer: InterruptAfter(3))
        Cancellation.clear()
        XCTAssertEqual(stop, .interrupted)
        XCTAssertEqual(interrupted.history.count, 0, "an interrupted epoch is not recorded")
        XCTAssertEqual(interrupted.steps, 3)
        let resumed = try roundTrip(interrupted)
        // The interrupted epoch is finished first and is not one of the epochs asked for.
        try resumed.fit(split, options: options(epochs: 1))
        XCTAssertEqual(weights(resumed.model), weights(straight.model))
        XCTAssertEqual(resumed.history.map(\.loss), straight.history.map(\.loss))
        XCTAssertEqual(resumed.history.map(\.resumedSequences), [3 * options(epochs: 1).batchSize, 0])
    }

    /// Issue 20: after Ctrl-C in epoch 4, fit(epochs: 3) showed "epoch 5/6" and trained about two
    /// real epochs. It finishes epoch 4, then trains 5, 6 and 7; the resumed epoch's rate counts only
    /// the rows trained after the interruption.
    func testFitAfterAnInterruptTrainsTheEpochsAskedForBeyondTheResumedOne() throws {
        let split = try split()
        let trainer = Trainer(model: nextItNet(split), seed: Seed(4))
        try trainer.fit(split, options: options(epochs: 3))
        defer { Cancellation.clear() }
        let batches = trainer.history[0].steps, rows = trainer.history[0].sequences
        XCTAssertGreaterThan(batches, 3)
        XCTAssertEqual(try trainer.fit(split, options: options(epochs: 3), observer: InterruptAfter(batches - 2)), .interrupted)
        Cancellation.clear()
        XCTAssertEqual(trainer.history.count, 3)
        final class LastEpochs: TrainingObserver {
            var lastEpoch = 0
            var records: [EpochRecord] = []
            func batchFinished(_ p: TrainingProgress) { lastEpoch = p.lastEpoch }
            func epochFinished(_ r: EpochRecord, metric: ValidationMetric) { records.append(r) }
        }
        let seen = LastEpochs()
        try trainer.fit(split, options: options(epochs: 3), observer: seen)
        XCTAssertEqual(trainer.history.map(\.epoch), [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(seen.lastEpoch, 7)
        XCTAssertEqual(seen.records.map(\.epoch), [4, 5, 6, 7])
        let resumed = seen.records[0]
        XCTAssertEqual(resumed.sequences, rows)
        XCTAssertEqual(resumed.resumedSequences, (batches - 2) * options(epochs: 1).batchSize)
        XCTAssertEqual(seen.records.dropFirst().map(\.resumedSequences), [0, 0, 0])
    }

    /// Copies the weights at the end of every epoch (the model holds the epoch's last weights then).
    final class WeightsPerEpoch: TrainingObserver {
        let model: TrainableRecommender
        var snapshots: [[[Float]]] = []
        init(_ model: TrainableRecommender) { self.model = model }
        func epochFinished(_ record: EpochRecord, metric: ValidationMetric) {
            snapshots.append(model.parameters.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) })
        }
    }

    func testFitLeavesTheBestEpochsWeightsAndStopsEarly() throws {
        let split = try split()
        let model = nextItNet(split)
        let trainer = Trainer(model: model, seed: Seed(2))
        var o = options(epochs: 30, patience: 2)
        o.learningRate = 2e-2   // large enough that validation stops improving within 30 epochs
        let observer = WeightsPerEpoch(model)
        let stop = try trainer.fit(split, options: o, observer: observer)
        let best = try XCTUnwrap(trainer.best)
        XCTAssertEqual(best.value, trainer.history.compactMap(\.valid).max())
        XCTAssertEqual(weights(model), observer.snapshots[best.epoch - 1], "the model shows the best epoch's weights")
        XCTAssertEqual(stop, .earlyStopped, "validation kept improving for 30 epochs: \(trainer.history.compactMap(\.valid))")
        XCTAssertEqual(trainer.epochsSinceBest, 2)
        XCTAssertEqual(trainer.history.count, best.epoch + 2)
        // A later call continues from the last weights, not the best ones.
        let more = options(epochs: 1)
        var continued = more; continued.learningRate = o.learningRate
        try trainer.fit(split, options: continued)
        XCTAssertEqual(trainer.history.count, best.epoch + 3)
    }

    func testRefusesAModelBuiltForAnotherItemSet() throws {
        let split = try split()
        let other = NextItNetRecommender(NextItNetConfiguration(items: split.itemCount + 5, channels: 8, dilations: [1]), seed: Seed(1))
        XCTAssertThrowsError(try Trainer(model: other, seed: Seed(1)).fit(split, options: options(epochs: 1))) { error in
            XCTAssertTrue("\(error)".contains("build the model from this split's dataset"), "\(error)")
        }
        var bad = options(epochs: 1)
        bad.learningRate = -1
        XCTAssertThrowsError(try Trainer(model: nextItNet(split), seed: Seed(1)).fit(split, options: bad)) { error in
            XCTAssertEqual("\(error)", "lr must be a positive number, got -1.0")
        }
    }

    func testCheckpointRefusesOtherFiles() throws {
        let plain = SafetensorsWriter.encode([("w", .float(Tensor(shape: [2], scalars: [1, 2])))])
        XCTAssertThrowsError(try TrainerCheckpoint.decode(plain, source: "w.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("not a SeqLab checkpoint"), "\(error)")
        }
    }

    func testPrefixRowsBecomeSequenceWindowsWithTheSameTransitions() throws {
        let d = TrainerTests.world.domains[0]
        let prefix = try d.leaveOneOut(maxLength: 20, training: .prefix)
        let sequence = try d.leaveOneOut(maxLength: 20, training: .sequence)
        let windows = prefix.train.sequenceWindows(maxLength: 20)
        XCTAssertEqual(windows.kind, .sequence)
        XCTAssertEqual(windows.count, sequence.train.count)
        XCTAssertEqual(windows.starts, sequence.train.starts)
        XCTAssertEqual(windows.ends, sequence.train.ends)
    }

    func testEvaluationOfTrainedModelsDoesNotDependOnTheBatchSize() throws {
        let split = try split()
        let net = nextItNet(split)
        try Trainer(model: net, seed: Seed(1)).fit(split, options: options(epochs: 2))
        let grec = GRecRecommender(NextItNetConfiguration(items: split.itemCount, channels: 8, kernel: 3, dilations: [1, 2], causal: false), seed: Seed(5))
        try Trainer(model: grec, seed: Seed(1)).fit(split, options: options(epochs: 1))
        for model in [net, grec] as [TrainableRecommender] {
            let whole = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: 300)
            for size in [1, 7, 64] {
                let part = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: size)
                XCTAssertEqual(part.ranks, whole.ranks, "\(model.name), batch \(size)")
            }
        }
    }

    func testSampledObjectivesTrainAndTheirSamplerSurvivesACheckpoint() throws {
        let split = try split()
        let counts = split.train.targetCounts(itemCount: split.itemCount)
        XCTAssertEqual(counts[0], 0)
        XCTAssertEqual(counts.reduce(0, +), split.train.sequenceWindows(maxLength: 20).predictionCount)
        for (loss, sampler) in [("bpr", "lambdafm"), ("sampled-softmax", "popularity"), ("bce", "uniform")] {
            let objective = try ObjectiveEntries.objective(loss: loss, sampler: sampler, negatives: 20, rho: 0.3, counts: counts, itemCount: split.itemCount)
            func model() -> NextItNetRecommender {
                NextItNetRecommender(NextItNetConfiguration(items: split.itemCount, channels: 16, kernel: 3, dilations: [1, 2]),
                                     seed: Seed(7), objective: objective, samplerCounts: counts)
            }
            let straight = Trainer(model: model(), seed: Seed(3))
            try straight.fit(split, options: options(epochs: 3))
            XCTAssertLessThan(straight.history.last!.loss, straight.history.first!.loss, "\(loss) with \(sampler)")
            let first = Trainer(model: model(), seed: Seed(3))
            try first.fit(split, options: options(epochs: 1))
            let resumed = try roundTrip(first)
            XCTAssertEqual((resumed.model as! NextItNetRecommender).objective.description, objective.description)
            try resumed.fit(split, options: options(epochs: 2))
            XCTAssertEqual(weights(resumed.model), weights(straight.model), "\(loss) with \(sampler)")
        }
    }
}
