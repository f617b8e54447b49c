// VQ-Rec's fine-tuning schedule (reference/text-models.md §5.4, `VQRecTrainer.fit`):
//   reassignment epochs (`learned` / `released`, reference 5): every lookup reads T' = Hard(P)·T
//     with fresh Gumbel noise per batch and only the permutation scores M train (everything else
//     frozen). `learned` reaches M through the straight-through estimator; `released` gives M the
//     zero gradient of the reference's ceil, so these epochs change nothing, as in the reference.
//   commit: T' is computed once more with Gumbel noise (stream "reassignment.commit"), its row 0
//     set to zero, and copied into the code table; M freezes.
//   then: the code table and the input layer norm train, the position table and the layers stay
//     frozen (also the reference's behaviour when training from scratch).
// `none` skips straight to the last phase. M starts as N(0, 1) scores, so at the fine-tuning
// learning rate (1e-3) a few hundred Adam steps move it by a fraction of the Gumbel noise and the
// hard assignment stays the random one it started as; `reassignmentLearningRate` (the language's
// default 0.1) lets the permutation really move in a few epochs. The reference uses one rate.
// Each phase has its own trainer (streams derived from
// the seed by phase name): the reference's optimizer has no state for the table when it starts
// training it (it was frozen), and neither has a fresh Adam; and a trainer that saw the pre-commit
// weights would write them back. Validation after each epoch ranks with the noise-free assignment
// while reassigning (the reference uses the last batch's noisy one).

import Datasets
import Models
import Tensors

/// A VQ-Rec model fine-tuning on a target catalogue, with its permutation phase and trainers.
public final class VQRecFineTuning: TrainingSchedule {
    /// The model being fine-tuned.
    public let model: VQRecRecommender
    /// How the code embeddings are re-assigned before tuning them.
    public let permutation: VQRecPermutation
    /// Epochs that train only the permutation (0 with `.none`).
    public let reassignEpochs: Int
    /// The learning rate of the reassignment epochs (nil: `fit`'s).
    public let reassignmentLearningRate: Float?
    /// The trainer of the reassignment epochs, nil with `.none`.
    public let reassignmentTrainer: Trainer?
    /// The trainer of the code table and the input layer norm.
    public let trainer: Trainer
    /// After the commit: for each sub-space, the table row each of its K+1 code rows now holds.
    public private(set) var assignment: [[Int]]?
    /// Root of the phases' trainer seeds and of the commit's Gumbel noise.
    let seed: Seed

    /// A fine-tuning of `model` (fresh from a transfer); throws when the schedule is not one.
    init(model: VQRecRecommender, permutation: VQRecPermutation, reassignEpochs: Int, reassignmentLearningRate: Float?,
         seed: Seed) throws {
        guard reassignEpochs >= 0 else { throw TrainingError("reassignEpochs must be ≥ 0, got \(reassignEpochs)") }
        if let lr = reassignmentLearningRate, !(lr.isFinite && lr > 0) {
            throw TrainingError("the reassignment learning rate must be a positive number, got \(lr)")
        }
        self.reassignmentLearningRate = reassignmentLearningRate
        guard permutation == .none || reassignEpochs >= 1 else {
            throw TrainingError("a \(permutation.rawValue) permutation needs at least one reassignment epoch; use permutation: none to skip it")
        }
        self.model = model
        self.permutation = permutation
        self.reassignEpochs = permutation == .none ? 0 : reassignEpochs
        self.seed = seed
        func trainerSeed(_ phase: String) -> Seed {
            var stream = seed.stream("trainer.\(phase)")
            return Seed(stream.next())
        }
        trainer = Trainer(model: model, seed: trainerSeed("codes"))
        if permutation == .none {
            reassignmentTrainer = nil
            tuneCodes()
        } else {
            reassignmentTrainer = Trainer(model: model, seed: trainerSeed("reassignment"))
            model.network.reassignment = permutation
            for p in model.parameters { p.isFrozen = p !== model.network.permutationLogits }
            model.origin += ", reassigning codes (\(permutation.rawValue) permutation, \(reassignEpochs) epoch\(reassignEpochs == 1 ? "" : "s") first)"
        }
    }

    /// A schedule restored from a checkpoint: `model` and both trainers are in their saved state
    /// already (weights, frozen sets, origin), so nothing is frozen or renamed here.
    init(restoring model: VQRecRecommender, permutation: VQRecPermutation, reassignEpochs: Int, reassignmentLearningRate: Float?,
         seed: Seed, reassignmentTrainer: Trainer?, trainer: Trainer, assignment: [[Int]]?) {
        self.model = model
        self.permutation = permutation
        self.reassignEpochs = reassignEpochs
        self.reassignmentLearningRate = reassignmentLearningRate
        self.seed = seed
        self.reassignmentTrainer = reassignmentTrainer
        self.trainer = trainer
        self.assignment = assignment
    }

    /// Whether the reassignment epochs are still to come or under way.
    public var reassigning: Bool { model.network.reassignment != .none }

    /// Every finished epoch of both phases, numbered on.
    public var history: [EpochRecord] {
        let first = reassignmentTrainer?.history ?? []
        return first + trainer.history.map { record in
            var r = record
            r.epoch += first.count
            return r
        }
    }

    /// The best validated epoch of the phase that trains last (numbered on), and its value.
    public var best: (epoch: Int, value: Double)? {
        if let b = trainer.best { return (b.epoch + (reassignmentTrainer?.epochsTrained ?? 0), b.value) }
        return trainer.history.isEmpty ? reassignmentTrainer?.best : nil
    }

    /// The metric that picked `best`.
    public var bestMetric: ValidationMetric? { trainer.bestMetric ?? reassignmentTrainer?.bestMetric }

    /// Epochs of both phases trained so far.
    public var epochsTrained: Int { (reassignmentTrainer?.epochsTrained ?? 0) + trainer.epochsTrained }

    /// Optimizer steps of both phases so far.
    public var steps: Int { (reassignmentTrainer?.steps ?? 0) + trainer.steps }

    /// Trains `options.epochs` more epochs: reassignment epochs first (no early stopping there),
    /// the commit as soon as they are done, then the code table and input layer norm.
    @discardableResult
    public func fit(_ split: Split, options: TrainingOptions, observer: TrainingObserver? = nil) throws -> FitStop {
        try options.validate()
        var remaining = options.epochs
        if reassigning, let first = reassignmentTrainer {
            let epochs = min(remaining, reassignEpochs - first.epochsTrained)
            if epochs > 0 {
                var o = options
                o.epochs = epochs
                o.patience = nil
                o.learningRate = reassignmentLearningRate ?? options.learningRate
                if try first.fit(split, options: o, observer: observer) == .interrupted { return .interrupted }
                remaining -= epochs
            }
            if first.epochsTrained >= reassignEpochs { commit() }
        }
        guard remaining > 0 else { return .completed }
        var o = options
        o.epochs = remaining
        let offset = reassignmentTrainer?.epochsTrained ?? 0
        return try trainer.fit(split, options: o, observer: observer.map { EpochOffset($0, by: offset) })
    }

    /// Writes the reassigned table (Gumbel noise from "reassignment.commit") into the code table
    /// and switches to tuning the codes.
    private func commit() {
        var stream = seed.stream("reassignment.commit")
        var draws = VQRecDraws(trainingSeed: stream.next())
        let c = model.network.configuration
        let noise = draws.gumbel(Graph(recording: false), shape: [c.codePositions, c.codeCap + 1, c.codeCap + 1])
        assignment = model.network.commitReassignment(gumbel: noise)
        tuneCodes()
    }

    /// Only the code table and the input layer norm train.
    private func tuneCodes() {
        let network = model.network
        let trained = [network.codeEmbedding, network.lnGamma, network.lnBeta]
        for p in network.parameters { p.isFrozen = !trained.contains { $0 === p } }
        model.origin += "; code table and input layer norm tuned, encoder frozen"
    }
}

/// Passes a phase's progress on with its epochs numbered after the earlier phase's, so progress
/// lines and the run store count the fine-tuning's epochs as `history` does.
private final class EpochOffset: TrainingObserver {
    let inner: TrainingObserver
    let offset: Int

    init(_ inner: TrainingObserver, by offset: Int) {
        self.inner = inner
        self.offset = offset
    }

    func batchFinished(_ progress: TrainingProgress) {
        var p = progress
        p.epoch += offset
        p.lastEpoch += offset
        inner.batchFinished(p)
    }

    func validationStarted(epoch: Int) { inner.validationStarted(epoch: epoch + offset) }

    func epochFinished(_ record: EpochRecord, metric: ValidationMetric) {
        var r = record
        r.epoch += offset
        inner.epochFinished(r, metric: metric)
    }
}
