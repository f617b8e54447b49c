// A trainer's whole state as one safetensors file: the model's configuration (metadata), the
// weights it shows and the weights training continues from, the optimizer's moments and step
// count, the data order and position, the random streams and the history. Reading it back and
// calling `fit` continues bit for bit as if training had never stopped.
//
// Doubles are written with Swift's shortest round-tripping description, so they read back equal.

import Datasets
import Foundation
import Tensors

/// Writes and reads trainer checkpoints.
public enum TrainerCheckpoint {
    /// The format version written in the metadata; readers refuse others.
    public static let version = "1"

    /// The checkpoint bytes of `trainer` (and its model).
    public static func encode(_ trainer: Trainer) -> Data {
        let model = trainer.model
        var meta: [String: String] = ["seqlab.checkpoint": version, "seed": String(trainer.seed.root),
                                      "name": model.name, "architecture": model.architecture]
        meta["config"] = model.configurationEntries.map { "\($0)=\($1)" }.joined(separator: "\n")
        var tensors: [(name: String, value: SafetensorsValue)] = model.parameters.map { ("param." + $0.name, .float($0)) }
        if let last = trainer.lastWeights {
            for (p, w) in zip(model.parameters, last) { tensors.append(("last." + p.name, .float(Tensor(shape: p.shape, scalars: w)))) }
        }
        meta["history"] = trainer.history.map { r in
            "\(r.epoch) \(r.loss) \(r.valid.map { "\($0)" } ?? "-") \(r.seconds) \(r.sequences) \(r.steps) \(r.improved ? 1 : 0)"
        }.joined(separator: "\n")
        if let best = trainer.best { meta["best"] = "\(best.epoch) \(best.value)" }
        if let metric = trainer.bestMetric { meta["metric"] = metric.description }
        meta["epochsSinceBest"] = String(trainer.epochsSinceBest)
        if let maxLength = trainer.maxLength { meta["maxLength"] = String(maxLength) }
        meta["partial"] = "\(trainer.partialLoss) \(trainer.partialSteps) \(trainer.partialSequences)"
        tensors.append(("rng.loss", words(trainer.lossStream)))
        tensors.append(("rng.shuffle", words(trainer.shuffleStream)))
        if let state = trainer.optimizer {
            let optimizer = state.optimizer
            meta["optimizer"] = state.kind.rawValue
            meta["weightDecay"] = "\(state.weightDecay)"
            meta["learningRate"] = "\(optimizer.learningRate)"
            tensors.append(("optim.stepCount", .int64([Int64(optimizer.stepCount)], shape: [1])))
            for (name, t) in optimizer.stateTensors() { tensors.append(("optim." + name, .float(t))) }
        }
        switch trainer.data {
        case .unread: break
        case .reading(let cursor):
            let batcher = cursor.batcher
            meta["data.batchSize"] = String(cursor.batchSize)
            meta["data.fingerprint"] = String(cursor.fingerprint)
            tensors.append(("data.order", .int32(IndexTensor(shape: [batcher.order.count], values: batcher.order))))
            tensors.append(("data.position", .int64([Int64(batcher.position)], shape: [1])))
            if let stream = batcher.stream { tensors.append(("data.stream", words(stream))) }
        case .pending(let pending):
            meta["data.batchSize"] = String(pending.batchSize)
            meta["data.fingerprint"] = String(pending.fingerprint)
            tensors.append(("data.order", .int32(IndexTensor(shape: [pending.order.count], values: pending.order))))
            tensors.append(("data.position", .int64([Int64(pending.position)], shape: [1])))
            if let stream = pending.stream { tensors.append(("data.stream", words(stream))) }
        }
        return SafetensorsWriter.encode(tensors, metadata: meta)
    }

    /// A trainer (and a model built by `build` from the saved configuration) in the saved state.
    /// `build` receives the configuration entries, the model name and the seed.
    public static func decode(_ data: Data, source: String,
                              build: ([(String, String)], String, Seed) throws -> TrainableRecommender) throws -> Trainer {
        let file = try SafetensorsFile(data: data, path: source)
        let meta = file.metadata
        guard let v = meta["seqlab.checkpoint"] else {
            throw TrainingError("\(source) is not a SeqLab checkpoint (no seqlab.checkpoint metadata); weights exported from elsewhere cannot be restored as a model")
        }
        guard v == version else { throw TrainingError("\(source) is checkpoint format \(v); this SeqLab reads format \(version)") }
        func field(_ key: String) throws -> String {
            guard let value = meta[key] else { throw TrainingError("\(source): the checkpoint has no '\(key)' entry; the file is damaged") }
            return value
        }
        func number<T: LosslessStringConvertible>(_ text: Substring, _ what: String) throws -> T {
            guard let value = T(String(text)) else { throw TrainingError("\(source): cannot read \(what) from '\(text)'; the file is damaged") }
            return value
        }
        let entries: [(String, String)] = try field("config").split(separator: "\n").map { line in
            guard let eq = line.firstIndex(of: "=") else { throw TrainingError("\(source): bad configuration line '\(line)'") }
            return (String(line[..<eq]), String(line[line.index(after: eq)...]))
        }
        let seed = Seed(try number(Substring(try field("seed")), "the seed") as UInt64)
        let name = try field("name")
        let model: TrainableRecommender
        // The catalog's messages describe the configuration; say which checkpoint holds it.
        do { model = try build(entries, name, seed) } catch { throw TrainingError("\(source): \(error)") }
        let trainer = Trainer(model: model, seed: seed)

        for p in model.parameters { try copy(file, "param." + p.name, into: p, source: source) }
        if file.names.contains("last." + model.parameters[0].name) {
            trainer.lastWeights = try model.parameters.map { p in
                let t = try file.tensor("last." + p.name)
                guard t.shape == p.shape else { throw TrainingError("\(source): last.\(p.name) has shape \(t.shape), expected \(p.shape)") }
                try checkFinite(t, "last." + p.name, source: source)
                return Array(UnsafeBufferPointer(start: t.pointer, count: t.count))
            }
        }
        let historyText = meta["history"] ?? ""
        trainer.history = try historyText.split(separator: "\n").map { line in
            let f = line.split(separator: " ")
            guard f.count == 7 else { throw TrainingError("\(source): bad history line '\(line)'") }
            return EpochRecord(epoch: try number(f[0], "an epoch"), loss: try number(f[1], "a loss"),
                               valid: f[2] == "-" ? nil : try number(f[2], "a validation value") as Double,
                               seconds: try number(f[3], "seconds"), sequences: try number(f[4], "sequences"),
                               steps: try number(f[5], "steps"), improved: f[6] == "1")
        }
        if let best = meta["best"] {
            let f = best.split(separator: " ")
            guard f.count == 2 else { throw TrainingError("\(source): bad best entry '\(best)'") }
            trainer.best = (try number(f[0], "the best epoch"), try number(f[1], "the best value"))
            // The model shows the best weights between fits (see Trainer.fit).
            trainer.bestWeights = model.parameters.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) }
        }
        if let text = meta["maxLength"] { trainer.maxLength = try number(Substring(text), "maxLength") }
        if let metric = meta["metric"] { trainer.bestMetric = try ValidationMetric(parsing: metric) }
        trainer.epochsSinceBest = try number(Substring(try field("epochsSinceBest")), "epochsSinceBest")
        let partial = try field("partial").split(separator: " ")
        guard partial.count == 3 else { throw TrainingError("\(source): bad partial-epoch entry") }
        trainer.partialLoss = try number(partial[0], "a loss")
        trainer.partialSteps = try number(partial[1], "steps")
        trainer.partialSequences = try number(partial[2], "sequences")
        trainer.lossStream = try stream(file, "rng.loss")
        trainer.shuffleStream = try stream(file, "rng.shuffle")

        if let kindText = meta["optimizer"] {
            guard let kind = OptimizerKind(rawValue: kindText) else { throw TrainingError("\(source): unknown optimizer '\(kindText)'") }
            let decay: Float = try number(Substring(try field("weightDecay")), "weightDecay")
            let lr: Float = try number(Substring(try field("learningRate")), "learningRate")
            guard lr.isFinite, lr > 0 else { throw TrainingError("\(source): learningRate \(lr) is out of range; the file is damaged") }
            guard decay.isFinite, decay >= 0 else { throw TrainingError("\(source): weightDecay \(decay) is out of range; the file is damaged") }
            let optimizer: Optimizer
            switch kind {
            case .adam: optimizer = Adam(model.parameters, learningRate: lr, weightDecay: decay)
            case .adamw: optimizer = Adam(model.parameters, learningRate: lr, weightDecay: decay, decoupled: true)
            case .sgd: optimizer = SGD(model.parameters, learningRate: lr, momentum: 0.9, weightDecay: decay)
            }
            for (name, t) in optimizer.stateTensors() { try copy(file, "optim." + name, into: t, source: source) }
            optimizer.restore(stepCount: Int(try single(file, "optim.stepCount", source: source)))
            trainer.optimizer = OptimizerState(optimizer: optimizer, kind: kind, weightDecay: decay)
        }
        if file.names.contains("data.order") {
            let order = try file.indices("data.order").values
            let position = try single(file, "data.position", source: source)
            // The order is a permutation of the training rows and the position a place in it; anything
            // else would index past the rows when the next fit resumes.
            var seen = [Bool](repeating: false, count: order.count)
            for row in order {
                guard row >= 0, Int(row) < order.count, !seen[Int(row)] else {
                    throw TrainingError("\(source): data.order holds row \(row), outside the \(order.count) training rows it orders (or twice); the file is damaged")
                }
                seen[Int(row)] = true
            }
            guard position >= 0, position <= Int64(order.count) else {
                throw TrainingError("\(source): data.position \(position) is outside the data order of \(order.count) rows; the file is damaged")
            }
            let batchSize: Int = try number(Substring(try field("data.batchSize")), "the batch size")
            guard batchSize >= 1 else { throw TrainingError("\(source): data.batchSize \(batchSize) is out of range; the file is damaged") }
            trainer.data = .pending(PendingData(
                order: order, position: Int(position),
                stream: file.names.contains("data.stream") ? try stream(file, "data.stream") : nil,
                batchSize: batchSize,
                fingerprint: try number(Substring(try field("data.fingerprint")), "the data fingerprint")))
        }
        return trainer
    }

    private static func words(_ stream: RandomStream) -> SafetensorsValue {
        .int64(stream.stateWords.map { Int64(bitPattern: $0) }, shape: [4])
    }

    private static func stream(_ file: SafetensorsFile, _ name: String) throws -> RandomStream {
        let w = try file.int64s(name)
        guard w.count == 4 else { throw TrainingError("\(file.path): \(name) should hold 4 state words, found \(w.count)") }
        return RandomStream(state: w.map { UInt64(bitPattern: $0) })
    }

    private static func copy(_ file: SafetensorsFile, _ name: String, into p: Tensor, source: String) throws {
        let t = try file.tensor(name)
        guard t.shape == p.shape else {
            throw TrainingError("\(source): \(name) has shape \(t.shape) but the model needs \(p.shape); the checkpoint does not match its configuration")
        }
        try checkFinite(t, name, source: source)
        p.pointer.update(from: t.pointer, count: p.count)
    }

    /// Refuses a NaN or infinite value: restored, it would turn every later score and loss into NaN.
    private static func checkFinite(_ t: Tensor, _ name: String, source: String) throws {
        let values = UnsafeBufferPointer(start: t.pointer, count: t.count)
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError("\(source): \(name) holds \(values[k]) at element \(k); the checkpoint is damaged")
        }
    }

    /// The one int64 a scalar entry (a step count, a position) holds.
    private static func single(_ file: SafetensorsFile, _ name: String, source: String) throws -> Int64 {
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
