// The training loop every model shares: shuffled batches from a seeded stream, one optimizer step
// per batch, validation after every epoch, early stopping and the best weights.
//
// A `Trainer` is long-lived: calling `fit` again continues where the last call stopped (same
// optimizer moments, same data order, same random streams), and its whole state can be written to a
// checkpoint and read back (`TrainerCheckpoint`), so 2 epochs + save + restore + 2 epochs gives the
// weights 4 epochs give. That is why the weights being trained ("last") are kept apart from the
// best weights the model shows between calls.

import Datasets
import Foundation
import Support
import Tensors

/// What one epoch did.
public struct EpochRecord: Sendable, Equatable {
    /// 1-based epoch number, counted over every `fit` call.
    public var epoch: Int
    /// Mean training loss over the epoch's batches.
    public var loss: Double
    /// The validation metric after the epoch, nil when the split has no validation rows.
    public var valid: Double?
    /// Wall-clock seconds (never printed in notebooks: they vary from run to run).
    public var seconds: Double
    /// Training rows seen.
    public var sequences: Int
    /// Optimizer steps taken in the epoch.
    public var steps: Int
    /// Whether this epoch set a new best validation value.
    public var improved: Bool
    /// Rows the epoch had trained before a Ctrl-C, when a later call finished it; `seconds` covers
    /// only the rest, so the rate is (sequences - resumedSequences) / seconds.
    public var resumedSequences: Int = 0
}

/// Where training is, reported after every batch (for progress bars).
public struct TrainingProgress: Sendable {
    /// The epoch being trained (1-based, over all calls).
    public var epoch: Int
    /// The last epoch this call will train.
    public var lastEpoch: Int
    /// Batches finished in this epoch, and how many it has.
    public var batch: Int, batches: Int
    /// Batches and rows trained in this call so far, and seconds since the call started.
    public var done: Int, sequences: Int, seconds: Double
    /// Mean loss of this epoch so far.
    public var loss: Double
}

/// Receives progress from `Trainer.fit`; every method has a do-nothing default.
public protocol TrainingObserver: AnyObject {
    /// After each optimizer step.
    func batchFinished(_ progress: TrainingProgress)
    /// Before validation starts (it can take a while on large item sets).
    func validationStarted(epoch: Int)
    /// After each epoch, validation included.
    func epochFinished(_ record: EpochRecord, metric: ValidationMetric)
}

extension TrainingObserver {
    public func batchFinished(_ progress: TrainingProgress) {}
    public func validationStarted(epoch: Int) {}
    public func epochFinished(_ record: EpochRecord, metric: ValidationMetric) {}
}

/// Why a `fit` call returned.
public enum FitStop: String, Sendable {
    /// All requested epochs ran.
    case completed
    /// Validation did not improve for `patience` epochs.
    case earlyStopped = "early-stopped"
    /// Ctrl-C: stopped after the batch in progress.
    case interrupted
}

/// Trains one model; keeps everything needed to continue exactly.
public final class Trainer {
    /// The model being trained.
    public let model: TrainableRecommender
    /// The root of the trainer's random streams ("shuffle" for data order, "loss" for the model's draws).
    public let seed: Seed
    /// Every finished epoch, over all calls.
    public internal(set) var history: [EpochRecord] = []
    /// The best validation value so far and its epoch.
    public internal(set) var best: (epoch: Int, value: Double)?
    /// The metric `best` was measured with.
    public internal(set) var bestMetric: ValidationMetric?
    /// Epochs since the best one (early stopping counts these).
    public internal(set) var epochsSinceBest = 0

    /// The max length of the split it last trained on (the history width it learned from).
    public internal(set) var maxLength: Int?

    /// The optimizer and what it was made for; nil before the first fit, and after a non-finite
    /// step (its moments are not trusted then).
    var optimizer: OptimizerState?
    /// Where the trainer is in its training data.
    var data = DataPosition.unread
    var lossStream: RandomStream
    var shuffleStream: RandomStream
    /// The weights training continues from (the model may be showing the best ones instead).
    var lastWeights: [[Float]]?
    var bestWeights: [[Float]]?
    /// A partly trained epoch (after Ctrl-C): its loss sum and batch count so far.
    var partialLoss: Double = 0
    var partialSteps = 0
    var partialSequences = 0
    private let graph = Graph()

    /// A trainer for `model` whose random streams derive from `seed`.
    public init(model: TrainableRecommender, seed: Seed) {
        self.model = model
        self.seed = seed
        lossStream = seed.stream("loss")
        shuffleStream = seed.stream("shuffle")
    }

    /// The number of epochs trained so far.
    public var epochsTrained: Int { history.count }

    /// Optimizer steps taken so far.
    public var steps: Int { optimizer?.optimizer.stepCount ?? 0 }

    /// Trains for `options.epochs` more epochs on `split.train`, validating on `split.valid` after
    /// each, and leaves the model holding the best weights seen (by `options.validMetric`).
    @discardableResult
    public func fit(_ split: Split, options: TrainingOptions, observer: TrainingObserver? = nil) throws -> FitStop {
        try options.validate()
        guard split.itemCount - 1 == model.itemCount else {
            throw TrainingError("the split has \(split.itemCount - 1) items but the model was built for \(model.itemCount); build the model from this split's dataset")
        }
        let rows = try trainingRows(split)
        guard rows.count > 0 else { throw TrainingError("the split has no training rows") }

        let optimizer = prepareOptimizer(options)
        var cursor = try prepareData(split: split, rows: rows, options: options)
        // Held here while it moves (one owner, so its buffers are never copied), and the trainer's
        // again however this call ends: an error, Ctrl-C, early stopping.
        data = .unread
        defer { data = .reading(cursor) }
        maxLength = split.maxLength
        if let lastWeights { write(lastWeights) } else { lastWeights = read() }

        let started = Date()
        var sequencesThisCall = 0, batchesThisCall = 0
        // An epoch that Ctrl-C stopped part-way is finished first and is not one of the epochs asked
        // for: fit(epochs: 3) after an interrupted epoch 4 trains the rest of 4, then 5, 6 and 7.
        let lastEpoch = history.count + options.epochs + (partialSteps > 0 ? 1 : 0)
        var batch = cursor.batcher.makeBatch()
        var stop = FitStop.completed
        epochs: while history.count < lastEpoch {
            let epoch = history.count + 1
            let epochStarted = Date()
            let resumedSequences = partialSequences
            let batches = cursor.batcher.batchesPerEpoch
            while true {
                if Cancellation.isRequested { stop = .interrupted; break epochs }
                guard cursor.batcher.next(into: &batch) else { break }
                let loss = try step(batch, optimizer: optimizer, cursor: &cursor, options: options, epoch: epoch)
                partialLoss += loss
                partialSteps += 1
                partialSequences += batch.count
                sequencesThisCall += batch.count
                batchesThisCall += 1
                observer?.batchFinished(TrainingProgress(
                    epoch: epoch, lastEpoch: lastEpoch, batch: partialSteps, batches: batches,
                    done: batchesThisCall, sequences: sequencesThisCall, seconds: Date().timeIntervalSince(started),
                    loss: partialLoss / Double(partialSteps)))
            }
            lastWeights = read()
            observer?.validationStarted(epoch: epoch)
            let valid: Double?
            do { valid = try validate(split, options: options) } catch is EvaluationInterrupted {
                // The epoch's batches are done; the next call validates it before training on.
                stop = .interrupted
                break epochs
            }
            var record = EpochRecord(epoch: epoch, loss: partialSteps > 0 ? partialLoss / Double(partialSteps) : .nan,
                                     valid: valid, seconds: Date().timeIntervalSince(epochStarted),
                                     sequences: partialSequences, steps: partialSteps, improved: false,
                                     resumedSequences: resumedSequences)
            if let valid {
                if best.map({ valid > $0.value }) ?? true {
                    best = (epoch, valid)
                    bestWeights = lastWeights
                    epochsSinceBest = 0
                    record.improved = true
                } else {
                    epochsSinceBest += 1
                }
            }
            history.append(record)
            partialLoss = 0; partialSteps = 0; partialSequences = 0
            cursor.batcher.startEpoch()
            observer?.epochFinished(record, metric: options.validMetric)
            if let patience = options.patience, epochsSinceBest >= patience, history.count < lastEpoch {
                stop = .earlyStopped
                break
            }
        }
        if stop == .interrupted { lastWeights = read() }
        // Without validation the last weights are the best we know.
        if let bestWeights { write(bestWeights) }
        return stop
    }

    /// The training rows in the form the model learns from.
    private func trainingRows(_ split: Split) throws -> Rows {
        switch (model.trainingRowKind, split.train.kind) {
        case (.sequence, .prefix): return split.train.sequenceWindows(maxLength: split.maxLength)
        case (.prefix, .sequence):
            throw TrainingError("\(model.name) trains on one row per history prefix, but this split was made with training: \"sequence\"; make the split with training: \"prefix\"")
        default: return split.train
        }
    }

    /// The optimizer for this call: the one training continues with, or a fresh one when there is
    /// none or the call asks for another kind or weight decay.
    private func prepareOptimizer(_ options: TrainingOptions) -> Optimizer {
        if let state = optimizer, state.kind == options.optimizer, state.weightDecay == options.weightDecay {
            state.optimizer.learningRate = options.learningRate
            return state.optimizer
        }
        let parameters = model.parameters
        let made: Optimizer
        switch options.optimizer {
        case .adam: made = Adam(parameters, learningRate: options.learningRate, weightDecay: options.weightDecay)
        case .adamw: made = Adam(parameters, learningRate: options.learningRate, weightDecay: options.weightDecay, decoupled: true)
        case .sgd: made = SGD(parameters, learningRate: options.learningRate, momentum: 0.9, weightDecay: options.weightDecay)
        }
        optimizer = OptimizerState(optimizer: made, kind: options.optimizer, weightDecay: options.weightDecay)
        return made
    }

    /// The data cursor for this call: the one in progress when the rows are the same, a checkpoint's
    /// position when it matches them, else a fresh shuffle. Another split's validation values are
    /// not comparable with the old best, and a partly trained epoch of the old rows cannot be
    /// finished, so those are dropped.
    private func prepareData(split: Split, rows: Rows, options: TrainingOptions) throws -> DataCursor {
        let fingerprint = Trainer.fingerprint(rows, maxLength: split.maxLength, validRows: split.valid.count)
        var live: DataCursor?
        var lastFingerprint: UInt64?
        switch data {
        case .unread: break
        case .reading(let cursor):
            live = cursor
            lastFingerprint = cursor.fingerprint
        case .pending(let pending):
            // A restored checkpoint: finish its epoch in its order when the data is the same.
            lastFingerprint = pending.fingerprint
            if pending.fingerprint == fingerprint {
                var resumed = try Batcher(rows: rows, batchSize: options.batchSize, width: split.maxLength, shuffle: pending.stream)
                try resumed.resume(order: pending.order, position: pending.position, stream: pending.stream)
                live = DataCursor(batcher: resumed, batchSize: options.batchSize, fingerprint: fingerprint)
            } else if let stream = pending.stream {
                shuffleStream = stream
            }
        }
        let trainedBefore = live != nil || !history.isEmpty || partialSteps > 0
        if trainedBefore, fingerprint != lastFingerprint ?? 0 {
            best = nil; bestWeights = nil; epochsSinceBest = 0
            partialLoss = 0; partialSteps = 0; partialSequences = 0
        }
        if bestMetric != options.validMetric {
            if bestMetric != nil { best = nil; bestWeights = nil; epochsSinceBest = 0 }
            bestMetric = options.validMetric
        }
        guard let cursor = live, cursor.fingerprint == fingerprint else {
            let batcher = try Batcher(rows: rows, batchSize: options.batchSize, width: split.maxLength,
                                      shuffle: live?.batcher.stream ?? shuffleStream)
            return DataCursor(batcher: batcher, batchSize: options.batchSize, fingerprint: fingerprint)
        }
        guard cursor.batchSize != options.batchSize else { return cursor }
        // Same rows, another batch size: finish the epoch in progress in its order.
        var resized = try Batcher(rows: rows, batchSize: options.batchSize, width: split.maxLength, shuffle: cursor.batcher.stream)
        try resized.resume(order: cursor.batcher.order, position: cursor.batcher.position, stream: cursor.batcher.stream)
        return DataCursor(batcher: resized, batchSize: options.batchSize, fingerprint: fingerprint)
    }

    /// One optimizer step; returns the batch loss. The loss and then the gradients are checked
    /// before the update, so a NaN or ±Inf never reaches the weights or the optimizer's moments.
    private func step(_ batch: Batch, optimizer: Optimizer, cursor: inout DataCursor, options: TrainingOptions,
                      epoch: Int) throws -> Double {
        graph.reset()
        optimizer.zeroGradients()
        let loss = try model.trainingLoss(graph, batch: batch, rng: &lossStream)
        let value = Double(loss.pointer[0])
        guard value.isFinite else {
            throw stopNonFinite(.loss(value), batch: batch, optimizer: optimizer, cursor: &cursor, options: options, epoch: epoch)
        }
        graph.backward(loss)
        let parameters = optimizer.parameters
        if let clip = options.clip {
            // Clipping needs the global norm anyway, and it is non-finite exactly when a gradient is.
            let norm = gradientNorm(parameters)
            guard norm.isFinite else {
                throw stopNonFinite(badGradient(parameters), batch: batch, optimizer: optimizer, cursor: &cursor,
                                    options: options, epoch: epoch)
            }
            clipGradientNorm(parameters, maxNorm: clip, norm: Float(norm))
        } else {
            for p in parameters where !p.isFrozen {
                guard let g = p.grad, !Finiteness.allFinite(g.pointer, count: g.count) else { continue }
                throw stopNonFinite(badGradient(parameters), batch: batch, optimizer: optimizer, cursor: &cursor,
                                    options: options, epoch: epoch)
            }
        }
        optimizer.step()
        return value
    }

    /// The first parameter whose gradient holds NaN (or else ±Inf), and that value.
    private func badGradient(_ parameters: [Tensor]) -> NonFiniteTrainingError.Quantity {
        var infinite: NonFiniteTrainingError.Quantity?
        for p in parameters where !p.isFrozen {
            guard let g = p.grad, let i = Finiteness.firstNonFinite(g.pointer, count: g.count) else { continue }
            if g.pointer[i].isNaN { return .gradient(parameter: p.name, value: g.pointer[i]) }
            if infinite == nil { infinite = .gradient(parameter: p.name, value: g.pointer[i]) }
        }
        return infinite ?? .gradient(parameter: "?", value: .nan)
    }

    /// Stops training at a non-finite loss or gradient. Nothing of the failing step was applied,
    /// so the model keeps the weights from before it (unless those had overflowed already). Those
    /// weights produced the bad value, so training cannot go on from them: a later `fit` restarts
    /// the epoch in the same row order from the best weights (or the epoch's first weights), with
    /// fresh optimizer moments, since the moments that led here cannot be trusted either.
    private func stopNonFinite(_ quantity: NonFiniteTrainingError.Quantity, batch: Batch, optimizer failed: Optimizer,
                               cursor: inout DataCursor, options: TrainingOptions, epoch: Int) -> NonFiniteTrainingError {
        let step = partialSteps + 1
        let optimizerStep = failed.stepCount + 1
        let restart: (weights: [[Float]], point: NonFiniteTrainingError.Restart)?
        if let w = bestWeights, let b = best, w.allSatisfy(Finiteness.allFinite) {
            restart = (w, .best(epoch: b.epoch))
        } else if let w = lastWeights, w.allSatisfy(Finiteness.allFinite) {
            restart = (w, .epochStart(epoch: epoch))
        } else {
            restart = nil
        }
        let modelFinite = model.parameters.allSatisfy { Finiteness.allFinite($0.pointer, count: $0.count) }
        if !modelFinite, let restart { write(restart.weights) }
        lastWeights = restart?.weights ?? read()
        optimizer = nil
        try? cursor.batcher.resume(order: cursor.batcher.order, position: 0, stream: cursor.batcher.stream)
        partialLoss = 0; partialSteps = 0; partialSequences = 0
        let users = (0..<min(batch.count, 5)).map { Int(batch.users[$0]) }
        return NonFiniteTrainingError(quantity: quantity, epoch: epoch, step: step, optimizerStep: optimizerStep,
                                      rows: batch.count, users: users, learningRate: options.learningRate,
                                      clip: options.clip, keptWeightsBeforeStep: modelFinite,
                                      restart: restart?.point ?? .nowhere)
    }

    /// The validation value after an epoch, or nil without validation rows.
    private func validate(_ split: Split, options: TrainingOptions) throws -> Double? {
        guard split.valid.count > 0 else { return nil }
        let result = try Evaluator.evaluate(model, rows: split.valid, ks: [options.validMetric.k],
                                            width: split.maxLength, batchSize: options.evaluationBatch)
        return result.value(options.validMetric.metric, at: options.validMetric.k)
    }

    /// A copy of every parameter's values.
    func read() -> [[Float]] {
        model.parameters.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) }
    }

    /// Overwrites every parameter with `weights`.
    func write(_ weights: [[Float]]) {
        for (p, w) in zip(model.parameters, weights) { w.withUnsafeBufferPointer { p.pointer.update(from: $0.baseAddress!, count: p.count) } }
    }

    /// Identifies a set of training rows, so a resumed run can tell whether it sees the same data.
    static func fingerprint(_ rows: Rows, maxLength: Int, validRows: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: Int) { h = (h ^ UInt64(truncatingIfNeeded: v)) &* 0x100_0000_01b3 }
        mix(rows.count); mix(maxLength); mix(validRows); mix(rows.kind == .prefix ? 1 : 2)
        for r in 0..<rows.count { mix(Int(rows.users[r])); mix(Int(rows.starts[r])); mix(Int(rows.ends[r])) }
        return h
    }
}

/// A trainer's optimizer and the settings it was made with (another kind or decay makes a new one).
struct OptimizerState {
    let optimizer: Optimizer
    let kind: OptimizerKind
    let weightDecay: Float
}

/// A batcher over one set of training rows.
struct DataCursor {
    var batcher: Batcher
    /// The batch size it was made for.
    var batchSize: Int
    /// The rows it reads (`Trainer.fingerprint`).
    var fingerprint: UInt64
}

/// Where a trainer is in its training data.
enum DataPosition {
    /// Nothing read yet: the next fit shuffles from the trainer's stream.
    case unread
    /// A position read from a checkpoint, applied by the next fit when its rows are the same.
    case pending(PendingData)
    /// A live cursor.
    case reading(DataCursor)
}

/// Whatever drives a model's training: one `Trainer`, or a schedule of several (VQ-Rec's
/// reassignment and code-table phases), seen as one run of epochs.
public protocol TrainingSchedule: AnyObject {
    /// Every finished epoch, numbered on across phases.
    var history: [EpochRecord] { get }
    /// The best validated epoch so far and its value.
    var best: (epoch: Int, value: Double)? { get }
    /// The metric `best` was measured with.
    var bestMetric: ValidationMetric? { get }
    /// Epochs trained so far.
    var epochsTrained: Int { get }
    /// Optimizer steps taken so far.
    var steps: Int { get }
    /// Trains `options.epochs` more epochs on `split`.
    @discardableResult
    func fit(_ split: Split, options: TrainingOptions, observer: TrainingObserver?) throws -> FitStop
}

extension Trainer: TrainingSchedule {}
