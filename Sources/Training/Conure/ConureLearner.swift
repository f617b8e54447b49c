// Continual learning with Conure (reference/yuan-models.md §5.5): tasks arrive one at a time and
// each is learned in up to three steps, each training phase with a fresh `Trainer` (a fresh Adam,
// so no momentum of an earlier phase can move a frozen weight):
//   1. train-and-prune   the free convolution weights and the task's head train (task 1: also the
//                        embedding and the layer norms, which then freeze for good);
//   2. prune             each convolution tensor gives the task its largest free weights;
//   3. retrain           only those weights and the head train, with free weights zeroed.
// The naive baseline (strategy `.fineTuneAll`) trains everything on each task in one phase, so
// earlier tasks forget; it exists to show that difference.
//
// A task that does not finish (Ctrl-C, a diverging loss) is rolled back: its head and its weights
// are given up, and the learner is exactly as before the call for every task already learned.

import Datasets
import Models
import Tensors

/// What kind of task a learned task is.
public enum ConureTaskKind: String, Sendable {
    /// Task 1: the next item of a sequence, over the dataset's items.
    case nextItem = "next-item"
    /// Items of another domain (or of a fine-tuning file) as targets.
    case items
    /// Classes of a user attribute.
    case classes
}

/// The loss of a task after the first.
public enum ConureLoss: String, Sendable, CaseIterable {
    /// BPR with one LambdaFM negative (the reference's item tasks T2 and T3).
    case bpr
    /// BCE with one uniform negative (the reference's attribute task T4).
    case bce
    /// Full softmax over the task's targets (small label spaces).
    case softmax
}

/// How `ConureLearner.learn` trains one task.
public struct ConureLearnOptions: Sendable {
    /// Epochs, batch size, learning rate and patience of the training phase (its validation metric
    /// is `validMetric`; weight decay must stay 0: frozen weights may not decay, heads have L2).
    public var training: TrainingOptions
    /// Epochs of the retrain phase (0 skips it); nil: as many as `training.epochs`. Conure only.
    public var retrainEpochs: Int?
    /// Share of the free weights each tensor releases for later tasks; nil: 0.7. Conure only.
    public var prune: Double?
    /// The loss of tasks 2 onwards; nil: BPR for item targets, softmax for classes.
    public var loss: ConureLoss?
    /// λ of the head's L2 term λ/2 · ‖W‖² (tasks 2 onwards; the reference's 0.02).
    public var l2: Float = 0.02
    /// LambdaFM's rank decay ρ for BPR negatives.
    public var rho: Double = 0.3
    /// Picks each phase's best epoch; nil: NDCG@10, or HR@1 (= accuracy) for attribute tasks.
    public var validMetric: ValidationMetric?

    /// Options around `training`.
    public init(training: TrainingOptions) { self.training = training }
}

/// A task a learner has learned.
public struct ConureTaskRecord: Sendable {
    /// Its number (1-based).
    public let number: Int
    /// A short name for tables ("synthetic-movies", "gender", "movies → books").
    public let name: String
    /// What it predicts.
    public let kind: ConureTaskKind
    /// Its rows (for evaluation) and protocol.
    public let split: Split
    /// Identifies its rows, so the same task given again is recognised.
    public let fingerprint: UInt64
    /// Ids its head scores, id 0 included.
    public let targets: Int
    /// The loss it was trained with.
    public let objective: String
    /// Epochs of the training phase (train-and-prune, or fine-tune-all).
    public let trained: [EpochRecord]
    /// Epochs of the retrain phase (empty for the baseline or `retrain: 0`).
    public let retrained: [EpochRecord]
    /// The prune fraction used after it (nil for the baseline).
    public let prune: Double?
    /// Weights it owns per convolution tensor (empty for the baseline).
    public let owned: [Int]
    /// Its headline test metric right after it was learned (NDCG@10, or accuracy for classes).
    public internal(set) var scoreWhenLearned: Double
    /// How often each target id is a training target (the LambdaFM ranks of a BPR head; empty for
    /// task 1), kept so that a checkpoint rebuilds the head's sampler without the task.
    public let targetCounts: [Int]

    /// "NDCG@10" or "accuracy".
    public var headlineMetric: String { kind == .classes ? "accuracy" : "NDCG@10" }
}

/// A Conure network learning tasks one after another.
public final class ConureLearner {
    /// The network, its heads and masks.
    public let conure: Conure
    /// Root of every phase's random streams.
    public let seed: Seed
    /// How tables call it.
    public let name: String
    /// The tasks learned so far, in order (set here and by a checkpoint being read back).
    public internal(set) var tasks: [ConureTaskRecord] = []

    /// A learner over a fresh network initialised from `seed`.
    public init(_ configuration: ConureConfiguration, strategy: ConureStrategy = .conure, seed: Seed, name: String = "conure") {
        conure = Conure(configuration, strategy: strategy, seed: seed)
        self.seed = seed
        self.name = name
    }

    /// The strategy of its network.
    public var strategy: ConureStrategy { conure.strategy }

    /// The learned task whose rows are those of `split`, if any.
    public func task(matching split: Split) -> ConureTaskRecord? {
        let f = Self.fingerprint(split)
        return tasks.first { $0.fingerprint == f }
    }

    /// Learns the next task: task 1 from an ordinary split of the dataset the network was built for
    /// (`task` nil), later tasks from transfer tasks whose histories are that dataset's items.
    /// `name` labels it in tables (default: the transfer task's name, or "next item").
    /// `observe` may give a progress observer per training phase.
    @discardableResult
    public func learn(_ split: Split, task: TransferTask?, name: String? = nil, options: ConureLearnOptions,
                      observe: (ConurePhase) -> TrainingObserver? = { _ in nil }) throws -> ConureTaskRecord {
        let k = tasks.count + 1
        let kind = try check(split, task: task, options: options)
        let objective = try makeObjective(kind: kind, task: task, options: options)
        conure.addTask(objective, targets: split.itemCount)
        do {
            return try run(k, kind: kind, split: split, name: name ?? task?.name ?? "next item", objective: objective,
                           targetCounts: task?.trainCounts ?? [], options: options, observe: observe)
        } catch {
            rollBack(k)
            throw error
        }
    }

    /// The task-`j` view the evaluator scores (W ⊙ (M1 + … + Mj) and head j).
    public func model(forTask j: Int) -> ConureTaskModel {
        precondition(j >= 1 && j <= tasks.count, "task \(j) is not learned")
        return ConureTaskModel(conure, phase: .inference(task: j), parameters: [], name: "\(name) T\(j)")
    }

    /// Task `j`'s headline metric on `rows`: NDCG@10 by full ranking, or accuracy for classes.
    public func headline(task j: Int, rows: Rows) throws -> Double {
        let record = tasks[j - 1]
        let model = model(forTask: j)
        if record.kind == .classes {
            return try Evaluator.classify(model, rows: rows, width: record.split.maxLength).accuracy
        }
        return try Evaluator.evaluate(model, rows: rows, ks: [10], width: record.split.maxLength).value("ndcg", at: 10) ?? 0
    }

    // MARK: - Steps

    private func run(_ k: Int, kind: ConureTaskKind, split: Split, name: String, objective: ConureObjective,
                     targetCounts: [Int], options: ConureLearnOptions, observe: (ConurePhase) -> TrainingObserver?) throws -> ConureTaskRecord {
        var trainingOptions = options.training
        // With a handful of classes the top-1 hit rate is the accuracy: pick epochs by it.
        trainingOptions.validMetric = try options.validMetric ?? ValidationMetric(parsing: kind == .classes ? "hr@1" : "ndcg@10")
        let first: ConurePhase = strategy == .conure ? .trainAndPrune(task: k) : .fineTuneAll(task: k)
        let trained = try train(first, split: split, options: trainingOptions, observe: observe)
        var retrained: [EpochRecord] = []
        var owned: [Int] = []
        if strategy == .conure {
            conure.prune(task: k, fraction: options.prune ?? 0.7)
            let epochs = options.retrainEpochs ?? options.training.epochs
            if epochs > 0 {
                var retrainOptions = trainingOptions
                retrainOptions.epochs = epochs
                retrained = try train(.retrain(task: k), split: split, options: retrainOptions, observe: observe)
            }
            owned = (0..<conure.masks.tensorCount).map { conure.masks.count(tensor: $0, task: k) }
        }
        conure.enter(.inference(task: k))   // everything frozen until the next task
        // The record goes in first: evaluating task k needs it (its split, its kind).
        tasks.append(ConureTaskRecord(
            number: k, name: name, kind: kind, split: split, fingerprint: Self.fingerprint(split), targets: split.itemCount,
            objective: objective.description, trained: trained, retrained: retrained,
            prune: strategy == .conure ? options.prune ?? 0.7 : nil, owned: owned, scoreWhenLearned: 0,
            targetCounts: targetCounts))
        tasks[k - 1].scoreWhenLearned = try headline(task: k, rows: split.test.count > 0 ? split.test : split.valid)
        return tasks[k - 1]
    }

    /// One phase with a fresh trainer whose streams derive from the task and the phase.
    private func train(_ phase: ConurePhase, split: Split, options: TrainingOptions,
                       observe: (ConurePhase) -> TrainingObserver?) throws -> [EpochRecord] {
        let trainable = conure.enter(phase)
        let model = ConureTaskModel(conure, phase: phase, parameters: trainable, name: "\(name) \(phase)")
        var stream = seed.stream("conure.\(phase)")
        let trainer = Trainer(model: model, seed: Seed(stream.next()))
        let stop = try trainer.fit(split, options: options, observer: observe(phase))
        if stop == .interrupted {
            throw TrainingError("interrupted during \(phase); the task was not learned (tasks 1...\(phase.task - 1) are unchanged)")
        }
        return trainer.history
    }

    /// Undoes an unfinished task k: its record, its weights (free again) and its head.
    private func rollBack(_ k: Int) {
        if tasks.count >= k { tasks.removeLast(tasks.count - k + 1) }
        if conure.taskCount == k { conure.removeLastTask() }
    }

    // MARK: - Checks

    /// The kind of the next task, or an error that says what to give instead.
    private func check(_ split: Split, task: TransferTask?, options: ConureLearnOptions) throws -> ConureTaskKind {
        let k = tasks.count + 1
        try options.training.validate()
        guard options.training.weightDecay == 0 else {
            throw TrainingError("Conure trains without weight decay (frozen weights must not move; heads have their own L2, l2:)")
        }
        if strategy == .fineTuneAll, options.prune != nil || options.retrainEpochs != nil {
            throw TrainingError("prune and retrain belong to Conure; \(name) is the fine-tune-everything baseline, which neither prunes nor retrains")
        }
        if let p = options.prune, !(p > 0 && p < 1) {
            throw TrainingError("prune is the share of the free weights released for later tasks; it must lie between 0 and 1 (exclusive), e.g. 0.7, got \(p)")
        }
        if let r = options.retrainEpochs, r < 0 { throw TrainingError("retrain must be 0 or more epochs, got \(r)") }
        if let done = self.task(matching: split) {
            throw TrainingError("this task is already learned as T\(done.number) (\(done.name)); its weights are frozen. Learn a new task")
        }
        guard k <= ConureMasks.maximumTasks else { throw TrainingError("a Conure network holds at most \(ConureMasks.maximumTasks) tasks") }
        let items = conure.configuration.items
        guard let task else {
            guard k == 1 else {
                throw TrainingError("task 1 (next item) is learned; later tasks are transfer tasks: domainTask(...), attributeTask(...) or finetuneTask(...)")
            }
            guard split.itemCount == items else {
                throw TrainingError("the split has \(split.itemCount - 1) items but \(name) was built for \(items - 1); build it from this split's dataset")
            }
            return .nextItem
        }
        guard k >= 2 else {
            throw TrainingError("Conure learns next-item prediction first: give task 1 as an ordinary split of the dataset (e.g. data.split()), then \(task.name)")
        }
        if strategy == .conure {
            let tight = conure.freeCounts.enumerated().filter { $0.element == 0 }.map(\.offset)
            if let t = tight.first {
                throw TrainingError("no free weights left in \(conure.convolutionWeights[t].name): every weight belongs to an earlier task. Use a larger prune fraction for earlier tasks, or more channels")
            }
        }
        for r in 0..<split.train.count {
            for item in split.train.history(r) where item < 0 || Int(item) >= items {
                throw TrainingError("the task's histories hold item id \(item), outside the \(items - 1) items \(name) knows; make the task from the dataset task 1 was learned on")
            }
        }
        return task.kind == .classes ? .classes : .items
    }

    /// The objective of a new task of `kind`.
    private func makeObjective(kind: ConureTaskKind, task: TransferTask?, options: ConureLearnOptions) throws -> ConureObjective {
        guard kind != .nextItem, let task else { return .nextItem }
        guard options.l2.isFinite, options.l2 >= 0 else { throw TrainingError("l2 must be 0 or more, got \(options.l2)") }
        let loss = options.loss ?? (kind == .classes ? .softmax : .bpr)
        do {
            switch loss {
            case .softmax: return .softmax(l2: options.l2)
            case .bce: return .bce(sampler: try .uniform(itemCount: task.labels.count), l2: options.l2)
            case .bpr:
                guard options.rho.isFinite, options.rho > 0 else { throw TrainingError("rho must be positive, got \(options.rho)") }
                return .bpr(sampler: try .lambdaFM(counts: task.trainCounts, rho: options.rho), l2: options.l2)
            }
        } catch let e as NegativeSamplerError {
            throw TrainingError("\(loss.rawValue) on \(task.name): \(e); use loss: \"softmax\"")
        }
    }

    /// Identifies a split's rows (and its label space), as the trainer does.
    static func fingerprint(_ split: Split) -> UInt64 {
        var h = Trainer.fingerprint(split.train, maxLength: split.maxLength, validRows: split.valid.count)
        for v in [split.itemCount, split.test.count] { h = (h ^ UInt64(truncatingIfNeeded: v)) &* 0x100_0000_01b3 }
        return h
    }
}
