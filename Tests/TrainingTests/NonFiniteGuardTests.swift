// The trainer's numerical guard on a real NextItNet: a loss or gradient that becomes NaN or ±Inf
// stops `fit` with an error naming the epoch, the step, what went bad and the likely cause; the
// model keeps the weights from before that step bit for bit, still evaluates, and a later `fit`
// with a sensible learning rate trains again.
//
// The bad values are injected at a chosen step by a wrapper that adds a term to the real loss:
// exactly NaN or Inf for the loss; for the gradient, p·z·3e38 with a zero parameter p, which is
// 0 forward but whose backward multiplies 3e38 by 10 (Inf) and then by z (Inf·0 = NaN when z = 0).

import Foundation
import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

/// A NextItNet whose loss at optimizer step `at` gets a poisoned term.
final class PoisonedNextItNet: TrainableRecommender {
    enum Poison { case lossNaN, lossInf, gradientInf, gradientNaN }
    let inner: NextItNetRecommender
    let poison: Poison
    let at: Int
    var calls = 0
    /// Zero and never moved by the optimizer (its gradient is 0 except at the poisoned step).
    let probe = Tensor(shape: [1], scalars: [0], name: "probe", isParameter: true)

    init(_ inner: NextItNetRecommender, poison: Poison, at: Int) {
        self.inner = inner
        self.poison = poison
        self.at = at
    }

    var name: String { inner.name }
    var itemCount: Int { inner.itemCount }
    var parameters: [Tensor] { inner.parameters + [probe] }
    var trainingRowKind: RowKind { inner.trainingRowKind }
    var architecture: String { inner.architecture }
    var configurationEntries: [(String, String)] { inner.configurationEntries }
    func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws { try inner.score(batch, into: scores) }

    func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        calls += 1
        let loss = try inner.trainingLoss(g, batch: batch, rng: &rng)
        let z: Float = poison == .gradientNaN ? 0 : 1
        let zero = Tensor(shape: [1], scalars: [z]), huge = Tensor(shape: [1], scalars: [3e38])
        let extra = g.scale(g.sum(g.mul(g.mul(probe, zero), huge)), calls == at ? 10 : 0)
        let total = g.add(loss, extra)
        guard calls == at else { return total }
        switch poison {
        case .lossNaN: return g.addScalar(total, .nan)
        case .lossInf: return g.addScalar(total, .infinity)
        case .gradientInf, .gradientNaN: return total
        }
    }
}

final class NonFiniteGuardTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)

    func split() throws -> Split { try Self.world.domains[0].leaveOneOut(maxLength: 20) }

    func model(_ split: Split, _ poison: PoisonedNextItNet.Poison, at step: Int) -> PoisonedNextItNet {
        PoisonedNextItNet(NextItNetRecommender(NextItNetConfiguration(items: split.itemCount, channels: 16, kernel: 3, dilations: [1, 2]),
                                               seed: Seed(7)), poison: poison, at: step)
    }

    func options(lr: Float = 3e-3, epochs: Int = 3, clip: Float? = nil) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = 32
        o.learningRate = lr
        o.clip = clip
        return o
    }

    /// Copies the weights after every step: the last copy is the weights before the next step.
    final class StepWeights: TrainingObserver {
        let model: TrainableRecommender
        var last: [[Float]]
        var steps = 0
        init(_ model: TrainableRecommender) { self.model = model; last = weights(model) }
        func batchFinished(_ progress: TrainingProgress) { last = weights(model); steps += 1 }
    }

    /// `fit` ran to its end although a step was poisoned: the guard did not fire.
    struct GuardDidNotFire: Error, CustomStringConvertible {
        let step: Int, steps: Int, file: StaticString, line: UInt
        var description: String {
            "\(file):\(line): error: fit finished \(steps) steps without a NonFiniteTrainingError; the poisoned step \(step) got through the guard"
        }
    }

    /// Trains until the poisoned step and returns the error, the weights before that step, and the
    /// trainer. A fit that ends without the guard's error fails the calling test (and throws, so it
    /// stops there): that is the very failure these tests exist to catch.
    func failingFit(_ poison: PoisonedNextItNet.Poison, at step: Int, options o: TrainingOptions,
                    file: StaticString = #filePath, line: UInt = #line)
        throws -> (NonFiniteTrainingError, [[Float]], Trainer, Split, StepWeights) {
        let split = try split()
        let m = model(split, poison, at: step)
        let trainer = Trainer(model: m, seed: Seed(1))
        let observer = StepWeights(m)
        do {
            try trainer.fit(split, options: o, observer: observer)
        } catch let e as NonFiniteTrainingError {
            return (e, observer.last, trainer, split, observer)
        }
        let error = GuardDidNotFire(step: step, steps: observer.steps, file: file, line: line)
        XCTFail("\(error)", file: file, line: line)
        throw error
    }

    func testANaNLossStopsAtItsStepAndKeepsTheWeightsFromBeforeIt() throws {
        let perEpoch = try Batcher(rows: split().train.sequenceWindows(maxLength: 20), batchSize: 32, width: 20).batchesPerEpoch
        let at = perEpoch + 5   // epoch 2, step 5
        let (e, before, trainer, split, observer) = try failingFit(.lossNaN, at: at, options: options(lr: 3e-3))
        XCTAssertEqual(e.epoch, 2)
        XCTAssertEqual(e.step, 5)
        XCTAssertEqual(e.optimizerStep, at)
        XCTAssertEqual(observer.steps, at - 1, "no step after the bad one")
        guard case .loss(let value) = e.quantity else { return XCTFail("\(e)") }
        XCTAssertTrue(value.isNaN)
        XCTAssertTrue(e.isNaN)
        XCTAssertEqual(weights(trainer.model), before, "the weights from before the failing step, bit for bit")
        XCTAssertEqual(e.restart, .best(epoch: 1))
        XCTAssertEqual(trainer.history.count, 1, "the failing epoch is not recorded")
        let message = "\(e)"
        XCTAssertTrue(message.hasPrefix("the loss became NaN at epoch 2, step 5 (optimizer step \(at); batch of 32 rows, users "), message)
        XCTAssertTrue(message.contains("nothing was applied: the model keeps the weights from before this step"), message)
        XCTAssertTrue(message.contains("a later fit starts again from the best epoch's weights (epoch 1)"), message)
        XCTAssertTrue(message.hasSuffix("Likely cause: exploding gradients (lr 0.003 is already small); try clip: 1.0"), message)

        // Still a working model: it evaluates, and fit goes on (the poison was one step only).
        let result = try Evaluator.evaluate(trainer.model, rows: split.test, width: 20)
        XCTAssertTrue(result.ndcg.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        try trainer.fit(split, options: options(epochs: 2))
        XCTAssertEqual(trainer.history.count, 3)
        XCTAssertTrue(trainer.history.allSatisfy { $0.loss.isFinite })
    }

    func testAnInfiniteLossIsNamedAndTheLearningRateBlamed() throws {
        let (e, before, trainer, _, _) = try failingFit(.lossInf, at: 3, options: options(lr: 10))
        XCTAssertEqual(e.valueName, "Inf")
        XCTAssertEqual([e.epoch, e.step], [1, 3])
        XCTAssertEqual(weights(trainer.model), before)
        XCTAssertEqual(e.restart, .epochStart(epoch: 1), "no epoch finished: the epoch starts over")
        XCTAssertTrue("\(e)".hasPrefix("the loss became Inf at epoch 1, step 3 "), "\(e)")
        XCTAssertTrue("\(e)".hasSuffix("Likely cause: a learning rate too high (lr 10); try a smaller lr (lr: 1) or clip: 1.0"), "\(e)")
        XCTAssertEqual(trainer.lastWeights, TrainerStart.initialWeights(of: trainer), "a later fit starts from the epoch's first weights")
    }

    func testAnInfiniteGradientWithAFiniteLossIsCaughtBeforeTheUpdate() throws {
        let (e, before, trainer, _, _) = try failingFit(.gradientInf, at: 4, options: options())
        XCTAssertEqual(e.quantity, .gradient(parameter: "probe", value: .infinity))
        XCTAssertEqual(e.step, 4)
        XCTAssertEqual(weights(trainer.model), before, "the bad gradient never reached the weights")
        XCTAssertTrue("\(e)".hasPrefix("the gradient of probe became Inf (the loss was finite) at epoch 1, step 4 "), "\(e)")
    }

    func testANaNGradientIsCaughtWithClippingOnToo() throws {
        let (e, before, trainer, _, _) = try failingFit(.gradientNaN, at: 2, options: options(lr: 0.5, clip: 1))
        guard case .gradient(let name, let value) = e.quantity else { return XCTFail("\(e)") }
        XCTAssertEqual(name, "probe")
        XCTAssertTrue(value.isNaN)
        XCTAssertEqual(weights(trainer.model), before)
        XCTAssertTrue("\(e)".hasSuffix("Likely cause: a learning rate too high (lr 0.5) even with clip: 1; try lr: 0.05 or a smaller clip"), "\(e)")
    }

    func testOverflowedWeightsGoBackToTheRestartWeights() throws {
        // A finite but huge update can overflow a weight; the next loss is then NaN and the
        // weights before that step are not worth keeping.
        let split = try split()
        let m = model(split, .lossNaN, at: 1_000_000)
        let trainer = Trainer(model: m, seed: Seed(1))
        let initial = weights(m)
        final class Overflow: TrainingObserver {
            let p: Tensor
            init(_ p: Tensor) { self.p = p }
            func batchFinished(_ progress: TrainingProgress) { if progress.batch == 2 { for i in 0..<p.count { p.pointer[i] = .infinity } } }
        }
        XCTAssertThrowsError(try trainer.fit(split, options: options(), observer: Overflow(m.inner.parameters[0]))) { error in
            guard let e = error as? NonFiniteTrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.step, 3)
            XCTAssertFalse(e.keptWeightsBeforeStep)
            XCTAssertTrue("\(e)".contains("had already overflowed"), "\(e)")
        }
        XCTAssertEqual(weights(m), initial, "back to the weights the epoch started from")
    }
}

/// The weights a trainer's model was built with (the toy NextItNet is rebuilt from its seed).
enum TrainerStart {
    static func initialWeights(of trainer: Trainer) -> [[Float]] {
        let m = trainer.model as! PoisonedNextItNet
        let fresh = NextItNetRecommender(m.inner.network.configuration, seed: Seed(7))
        return weights(fresh) + [[0]]
    }
}
