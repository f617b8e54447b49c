// A trainer's whole state as one safetensors file: the model's configuration (metadata), the
// weights it shows and the weights training continues from, which parameters are frozen, the
// state its family saves beside them (item text, codes, ...; TrainerModelFamily.savedState), the
// optimizer's moments and step count, the data order and position, the random streams and the
// history. Reading it back and calling `fit` continues bit for bit as if training had never stopped.
// A schedule that drives the trainer (VQ-Rec fine-tuning's two phases) and the layers above
// (the language's text encoding) add sections of their own; names never collide because each
// section uses its own prefix.
//
// Doubles are written with Swift's shortest round-tripping description, so they read back equal.

import Datasets
import Foundation
import Tensors

/// Entries that a schedule or a layer above the trainer adds to a checkpoint, under a prefix of its own.
public struct CheckpointSection {
    /// Metadata entries.
    public var metadata: [String: String] = [:]
    /// Named tensors.
    public var tensors: [(name: String, value: SafetensorsValue)] = []

    /// An empty section.
    public init() {}

    /// Adds `other`'s entries to this section.
    public mutating func merge(_ other: CheckpointSection) {
        metadata.merge(other.metadata) { _, new in new }
        tensors += other.tensors
    }
}

/// A schedule of trainers (VQ-Rec fine-tuning) whose state a checkpoint can hold beside its last trainer's.
public protocol SavedTrainingSchedule: TrainingSchedule {
    /// The schedule's name in checkpoints (the "schedule" metadata entry).
    static var scheduleKind: String { get }
    /// The schedule's state, except the trainer the checkpoint itself holds.
    var checkpointSection: CheckpointSection { get }
    /// The schedule around `checkpoint`'s restored trainer, from the section `checkpointSection` wrote.
    static func restore(_ checkpoint: RestoredCheckpoint) throws -> Self
    /// The trainer whose state and model the checkpoint holds (the one that trains last).
    var trainer: Trainer { get }
}

/// A checkpoint read back: its trainer (with the rebuilt model), its schedule if it had one, and
/// the file, whose other sections the layers above read.
public struct RestoredCheckpoint {
    /// The trainer, in the saved state, with its model.
    public let trainer: Trainer
    /// The schedule that drove the trainer, when one was saved.
    public internal(set) var schedule: (any TrainingSchedule)?
    /// The checkpoint file.
    public let file: SafetensorsFile
    /// How errors name the checkpoint ("checkpoint 'x' (run 3)").
    public let source: String

    /// The file's metadata entry `key`, or an error that says the file is damaged.
    public func field(_ key: String) throws -> String {
        guard let value = file.metadata[key] else { throw TrainingError("\(source): the checkpoint has no '\(key)' entry; the file is damaged") }
        return value
    }
}

/// Writes and reads trainer checkpoints.
public enum TrainerCheckpoint {
    /// The format version written in the metadata; readers refuse others. Version 1 files of every
    /// kind stay readable: later entries (frozen parameters, family state, schedules) were only added.
    public static let version = "1"

    /// The schedules a checkpoint may hold, by `scheduleKind`.
    static var schedules: [any SavedTrainingSchedule.Type] { [VQRecFineTuning.self] }

    /// The checkpoint bytes of `trainer` (and its model), of the `schedule` driving it when that is
    /// not the trainer itself, and of the layers' `sections`.
    public static func encode(_ trainer: Trainer, schedule: (any SavedTrainingSchedule)? = nil,
                              sections: [CheckpointSection] = []) -> Data {
        let model = trainer.model
        var all = CheckpointSection()
        all.metadata = ["seqlab.checkpoint": version, "name": model.name, "architecture": model.architecture]
        all.metadata["config"] = model.configurationEntries.map { "\($0)=\($1)" }.joined(separator: "\n")
        all.metadata["frozen"] = model.parameters.filter(\.isFrozen).map(\.name).joined(separator: "\n")
        all.tensors = model.parameters.map { ("param." + $0.name, .float($0)) }
        all.tensors += ModelCatalog.savedState(of: model).map { (SavedState.prefix + $0.name, $0.value) }
        all.merge(trainerState(trainer, prefix: ""))
        if let schedule {
            all.metadata["schedule"] = type(of: schedule).scheduleKind
            all.merge(schedule.checkpointSection)
        }
        for section in sections { all.merge(section) }
        return SafetensorsWriter.encode(all.tensors, metadata: all.metadata)
    }

    /// The state of `trainer` alone (not its model's parameters), every name under `prefix`: the
    /// weights training continues from, the optimizer, the data position, the streams, the history.
    static func trainerState(_ trainer: Trainer, prefix: String) -> CheckpointSection {
        let model = trainer.model
        var s = CheckpointSection()
        func meta(_ key: String, _ value: String) { s.metadata[prefix + key] = value }
        func tensor(_ name: String, _ value: SafetensorsValue) { s.tensors.append((prefix + name, value)) }
        meta("seed", String(trainer.seed.root))
        if let last = trainer.lastWeights {
            for (p, w) in zip(model.parameters, last) { tensor("last." + p.name, .float(Tensor(shape: p.shape, scalars: w))) }
        }
        meta("history", trainer.history.map { r in
            "\(r.epoch) \(r.loss) \(r.valid.map { "\($0)" } ?? "-") \(r.seconds) \(r.sequences) \(r.steps) \(r.improved ? 1 : 0)"
        }.joined(separator: "\n"))
        if let best = trainer.best { meta("best", "\(best.epoch) \(best.value)") }
        if let metric = trainer.bestMetric { meta("metric", metric.description) }
        meta("epochsSinceBest", String(trainer.epochsSinceBest))
        if let maxLength = trainer.maxLength { meta("maxLength", String(maxLength)) }
        meta("partial", "\(trainer.partialLoss) \(trainer.partialSteps) \(trainer.partialSequences)")
        tensor("rng.loss", words(trainer.lossStream))
        tensor("rng.shuffle", words(trainer.shuffleStream))
        if let state = trainer.optimizer {
            let optimizer = state.optimizer
            meta("optimizer", state.kind.rawValue)
            meta("weightDecay", "\(state.weightDecay)")
            meta("learningRate", "\(optimizer.learningRate)")
            tensor("optim.stepCount", .int64([Int64(optimizer.stepCount)], shape: [1]))
            for (name, t) in optimizer.stateTensors() { tensor("optim." + name, .float(t)) }
        }
        func position(order: [Int32], position: Int, stream: RandomStream?, batchSize: Int, fingerprint: UInt64) {
            meta("data.batchSize", String(batchSize))
            meta("data.fingerprint", String(fingerprint))
            tensor("data.order", .int32(IndexTensor(shape: [order.count], values: order)))
            tensor("data.position", .int64([Int64(position)], shape: [1]))
            if let stream { tensor("data.stream", words(stream)) }
        }
        switch trainer.data {
        case .unread: break
        case .reading(let cursor):
            position(order: cursor.batcher.order, position: cursor.batcher.position, stream: cursor.batcher.stream,
                     batchSize: cursor.batchSize, fingerprint: cursor.fingerprint)
        case .pending(let pending):
            position(order: pending.order, position: pending.position, stream: pending.stream,
                     batchSize: pending.batchSize, fingerprint: pending.fingerprint)
        }
        return s
    }

    /// A trainer (and a model rebuilt by its family from the saved configuration and state) in the saved state.
    public static func decode(_ data: Data, source: String) throws -> Trainer {
        try restore(data, source: source).trainer
    }

    /// The checkpoint `data` read back: its model rebuilt, its trainer and schedule in the saved state.
    public static func restore(_ data: Data, source: String) throws -> RestoredCheckpoint {
        let file = try SafetensorsFile(data: data, path: source)
        let meta = file.metadata
        guard let v = meta["seqlab.checkpoint"] else {
            throw TrainingError("\(source) is not a SeqLab checkpoint (no seqlab.checkpoint metadata); weights exported from elsewhere cannot be restored as a model")
        }
        guard v == version else { throw TrainingError("\(source) is checkpoint format \(v); this SeqLab reads format \(version)") }
        if let content = meta["content"] {
            throw TrainingError("\(source) holds a \(content), not one trained model; restore(name, data) gives it back as it was saved")
        }
        func field(_ key: String) throws -> String {
            guard let value = meta[key] else { throw TrainingError("\(source): the checkpoint has no '\(key)' entry; the file is damaged") }
            return value
        }
        let entries = try configuration(try field("config"), source: source)
        let seed = Seed(try number(Substring(try field("seed")), "the seed", source: source) as UInt64)
        let name = try field("name")
        let model: TrainableRecommender
        // The catalog's messages describe the configuration; say which checkpoint holds it.
        do {
            model = try ModelCatalog.build(entries, state: SavedState(file: file, source: source), name: name, seed: seed)
        } catch let e as TrainingError where e.description.hasPrefix(source) {
            throw e
        } catch { throw TrainingError("\(source): \(error)") }
        for p in model.parameters { try copy(file, "param." + p.name, into: p, source: source) }
        if let frozen = meta["frozen"] {
            // Which parameters train is part of the state (PeterRec's mode, a frozen encoder, VQ-Rec's
            // phase); files written before this entry keep what the family's rebuild set.
            let names = Set(frozen.split(separator: "\n").map(String.init))
            let known = Set(model.parameters.map(\.name))
            if let unknown = names.subtracting(known).sorted().first {
                throw TrainingError("\(source): the frozen parameter '\(unknown)' is not one of the model's; the file is damaged")
            }
            for p in model.parameters { p.isFrozen = names.contains(p.name) }
        }
        let trainer = Trainer(model: model, seed: seed)
        try restoreTrainerState(trainer, file: file, prefix: "", source: source)
        var checkpoint = RestoredCheckpoint(trainer: trainer, schedule: nil, file: file, source: source)
        if let kind = meta["schedule"] {
            guard let schedule = schedules.first(where: { $0.scheduleKind == kind }) else {
                throw TrainingError("\(source) holds a '\(kind)' training schedule, which this SeqLab does not know")
            }
            checkpoint.schedule = try schedule.restore(checkpoint)
        }
        return checkpoint
    }

    /// The configuration entries of a checkpoint's "config" text (one key=value per line).
    static func configuration(_ text: String, source: String) throws -> [(String, String)] {
        try text.split(separator: "\n").map { line in
            guard let eq = line.firstIndex(of: "=") else { throw TrainingError("\(source): bad configuration line '\(line)'") }
            return (String(line[..<eq]), String(line[line.index(after: eq)...]))
        }
    }

    /// Puts `trainer` (whose model's parameters are already in place) in the state saved under `prefix`.
    static func restoreTrainerState(_ trainer: Trainer, file: SafetensorsFile, prefix: String, source: String) throws {
        let model = trainer.model
        let meta = file.metadata
        func field(_ key: String) throws -> String {
            guard let value = meta[prefix + key] else {
                throw TrainingError("\(source): the checkpoint has no '\(prefix + key)' entry; the file is damaged")
            }
            return value
        }
        func num<T: LosslessStringConvertible>(_ text: Substring, _ what: String) throws -> T {
            try number(text, what, source: source)
        }
        if file.names.contains(prefix + "last." + model.parameters[0].name) {
            trainer.lastWeights = try model.parameters.map { p in
                let name = prefix + "last." + p.name
                let t = try file.tensor(name)
                guard t.shape == p.shape else { throw TrainingError("\(source): \(name) has shape \(t.shape), expected \(p.shape)") }
                try checkFinite(t, name, source: source)
                return Array(UnsafeBufferPointer(start: t.pointer, count: t.count))
            }
        }
        let historyText = meta[prefix + "history"] ?? ""
        trainer.history = try historyText.split(separator: "\n").map { line in
            let f = line.split(separator: " ")
            guard f.count == 7 else { throw TrainingError("\(source): bad history line '\(line)'") }
            return EpochRecord(epoch: try num(f[0], "an epoch"), loss: try num(f[1], "a loss"),
                               valid: f[2] == "-" ? nil : try num(f[2], "a validation value") as Double,
                               seconds: try num(f[3], "seconds"), sequences: try num(f[4], "sequences"),
                               steps: try num(f[5], "steps"), improved: f[6] == "1")
        }
        if let best = meta[prefix + "best"] {
            let f = best.split(separator: " ")
            guard f.count == 2 else { throw TrainingError("\(source): bad best entry '\(best)'") }
            trainer.best = (try num(f[0], "the best epoch"), try num(f[1], "the best value"))
            // The model shows the best weights between fits (see Trainer.fit).
            trainer.bestWeights = model.parameters.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) }
        }
        if let text = meta[prefix + "maxLength"] { trainer.maxLength = try num(Substring(text), "maxLength") }
        if let metric = meta[prefix + "metric"] { trainer.bestMetric = try ValidationMetric(parsing: metric) }
        trainer.epochsSinceBest = try num(Substring(try field("epochsSinceBest")), "epochsSinceBest")
        let partial = try field("partial").split(separator: " ")
        guard partial.count == 3 else { throw TrainingError("\(source): bad partial-epoch entry") }
        trainer.partialLoss = try num(partial[0], "a loss")
        trainer.partialSteps = try num(partial[1], "steps")
        trainer.partialSequences = try num(partial[2], "sequences")
        trainer.lossStream = try stream(file, prefix + "rng.loss")
        trainer.shuffleStream = try stream(file, prefix + "rng.shuffle")

        if let kindText = meta[prefix + "optimizer"] {
            guard let kind = OptimizerKind(rawValue: kindText) else { throw TrainingError("\(source): unknown optimizer '\(kindText)'") }
            let decay: Float = try num(Substring(try field("weightDecay")), "weightDecay")
            let lr: Float = try num(Substring(try field("learningRate")), "learningRate")
            guard lr.isFinite, lr > 0 else { throw TrainingError("\(source): learningRate \(lr) is out of range; the file is damaged") }
            guard decay.isFinite, decay >= 0 else { throw TrainingError("\(source): weightDecay \(decay) is out of range; the file is damaged") }
            let optimizer: Optimizer
            switch kind {
            case .adam: optimizer = Adam(model.parameters, learningRate: lr, weightDecay: decay)
            case .adamw: optimizer = Adam(model.parameters, learningRate: lr, weightDecay: decay, decoupled: true)
            case .sgd: optimizer = SGD(model.parameters, learningRate: lr, momentum: 0.9, weightDecay: decay)
            }
            for (name, t) in optimizer.stateTensors() { try copy(file, prefix + "optim." + name, into: t, source: source) }
            optimizer.restore(stepCount: Int(try single(file, prefix + "optim.stepCount", source: source)))
            trainer.optimizer = OptimizerState(optimizer: optimizer, kind: kind, weightDecay: decay)
        }
        if file.names.contains(prefix + "data.order") {
            let order = try file.indices(prefix + "data.order").values
            let position = try single(file, prefix + "data.position", source: source)
            // The order is a permutation of the training rows and the position a place in it; anything
            // else would index past the rows when the next fit resumes.
            var seen = [Bool](repeating: false, count: order.count)
            for row in order {
                guard row >= 0, Int(row) < order.count, !seen[Int(row)] else {
                    throw TrainingError("\(source): \(prefix)data.order holds row \(row), outside the \(order.count) training rows it orders (or twice); the file is damaged")
                }
                seen[Int(row)] = true
            }
            guard position >= 0, position <= Int64(order.count) else {
                throw TrainingError("\(source): \(prefix)data.position \(position) is outside the data order of \(order.count) rows; the file is damaged")
            }
            let batchSize: Int = try num(Substring(try field("data.batchSize")), "the batch size")
            guard batchSize >= 1 else { throw TrainingError("\(source): \(prefix)data.batchSize \(batchSize) is out of range; the file is damaged") }
            trainer.data = .pending(PendingData(
                order: order, position: Int(position),
                stream: file.names.contains(prefix + "data.stream") ? try stream(file, prefix + "data.stream") : nil,
                batchSize: batchSize,
                fingerprint: try num(Substring(try field("data.fingerprint")), "the data fingerprint")))
        }
    }

    /// The value of `text`, or an error that names `what` and says the file is damaged.
    public static func number<T: LosslessStringConvertible>(_ text: Substring, _ what: String, source: String) throws -> T {
        guard let value = T(String(text)) else { throw TrainingError("\(source): cannot read \(what) from '\(text)'; the file is damaged") }
        return value
    }

    static func words(_ stream: RandomStream) -> SafetensorsValue {
        .int64(stream.stateWords.map { Int64(bitPattern: $0) }, shape: [4])
    }

    static func stream(_ file: SafetensorsFile, _ name: String) throws -> RandomStream {
        let w = try file.int64s(name)
        guard w.count == 4 else { throw TrainingError("\(file.path): \(name) should hold 4 state words, found \(w.count)") }
        return RandomStream(state: w.map { UInt64(bitPattern: $0) })
    }

    /// Copies tensor `name` of `file` into `p`, after checking its shape and that it is finite.
    static func copy(_ file: SafetensorsFile, _ name: String, into p: Tensor, source: String) throws {
        let entry = try file.entry(name)
        guard entry.shape == p.shape else {
            throw TrainingError("\(source): \(name) has shape \(entry.shape) but the model needs \(p.shape); the checkpoint does not match its configuration")
        }
        let t = try file.tensor(name)
        try checkFinite(t, name, source: source)
        p.pointer.update(from: t.pointer, count: p.count)
    }

    /// Refuses a NaN or infinite value: restored, it would turn every later score and loss into NaN.
    static func checkFinite(_ t: Tensor, _ name: String, source: String) throws {
        let values = UnsafeBufferPointer(start: t.pointer, count: t.count)
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError("\(source): \(name) holds \(values[k]) at element \(k); the checkpoint is damaged")
        }
    }

    /// The one int64 a scalar entry (a step count, a position) holds.
    static func single(_ file: SafetensorsFile, _ name: String, source: String) throws -> Int64 {
        let values = try file.int64s(name)
        guard values.count == 1 else { throw TrainingError("\(source): \(name) should hold 1 value, found \(values.count)") }
        return values[0]
    }
}

/// A saved data position waiting for the split it belongs to (the next `fit` call).
struct PendingData {
    var order: [Int32]
    var position: Int
    var stream: RandomStream?
    var batchSize: Int
    var fingerprint: UInt64
}
