// A Conure learner as one safetensors file, so that a restored learner evaluates every task as it
// did and goes on learning new ones exactly as the saved one would have. It holds:
//   metadata   format version, content "conure-learner", name, seed, the network's sizes and
//              strategy; per task k: its name, kind, loss (and sampler), L2, prune fraction,
//              weights owned, score when learned, fingerprint, both phases' histories and its
//              split's protocol
//   tensors    param.* every parameter (embedding, blocks, every task's head); masks.<t> who owns
//              each weight of convolution t; task<k>.* the task's rows (train, valid, test) and its
//              target frequencies (the LambdaFM ranks of a BPR head)
// A learner is saved between tasks only (learning is one call), so no trainer state is needed:
// each phase of the next task starts a fresh trainer whose streams derive from the learner's seed.
// Every size is checked against the network's bounds, and every tensor's shape against the sizes,
// before anything is allocated; a damaged file is an error that says what is wrong.

import Datasets
import Foundation
import Models
import Tensors

/// Writes and reads Conure learners.
public enum ConureCheckpoint {
    /// The "content" metadata entry that marks a learner checkpoint.
    public static let content = "conure-learner"

    /// The checkpoint bytes of `learner`.
    public static func encode(_ learner: ConureLearner) -> Data {
        let conure = learner.conure, c = conure.configuration
        var meta: [String: String] = ["seqlab.checkpoint": TrainerCheckpoint.version, "content": content, "name": learner.name,
                                      "seed": String(learner.seed.root)]
        let config: [(String, String)] = [("model", ConureFamily.kind), ("strategy", conure.strategy.rawValue)]
            + NextItNetFamily.entries(c.backbone) + [("layerNormEps", "\(c.layerNormEps)"), ("initStd", "\(c.initStd)")]
        meta["config"] = config.map { "\($0)=\($1)" }.joined(separator: "\n")
        var tensors: [(name: String, value: SafetensorsValue)] = conure.parameters.map { ("param." + $0.name, .float($0)) }
        for (t, owners) in conure.masks.owners.enumerated() {
            tensors.append(("masks.\(t)", .int32(IndexTensor(shape: [owners.count], values: owners.map(Int32.init)))))
        }
        meta["tasks"] = String(learner.tasks.count)
        for task in learner.tasks {
            let p = "task\(task.number)."
            let head = conure.head(task.number)
            meta[p + "name"] = task.name
            meta[p + "kind"] = task.kind.rawValue
            meta[p + "fingerprint"] = String(task.fingerprint)
            meta[p + "loss"] = lossName(head.objective)
            meta[p + "l2"] = "\(head.objective.l2)"
            if case .bpr(let sampler, _) = head.objective, case .lambdaFM(let rho) = sampler.kind { meta[p + "rho"] = "\(rho)" }
            if let prune = task.prune { meta[p + "prune"] = "\(prune)" }
            meta[p + "owned"] = task.owned.map(String.init).joined(separator: ",")
            meta[p + "score"] = "\(task.scoreWhenLearned)"
            meta[p + "trained"] = history(task.trained)
            meta[p + "retrained"] = history(task.retrained)
            tensors.append((p + "targetCounts", .int64(task.targetCounts.map(Int64.init), shape: [task.targetCounts.count])))
            meta[p + "protocol"] = task.split.protocolDescription
            meta[p + "targets"] = String(task.split.itemCount)
            meta[p + "maxLength"] = String(task.split.maxLength)
            for (part, rows) in [("train", task.split.train), ("valid", task.split.valid), ("test", task.split.test)] {
                meta[p + part + ".kind"] = rows.kind.rawValue
                tensors.append((p + part + ".storage", .int32(IndexTensor(shape: [rows.storage.count], values: rows.storage))))
                tensors.append((p + part + ".users", .int32(IndexTensor(shape: [rows.users.count], values: rows.users))))
                tensors.append((p + part + ".starts", .int64(rows.starts.map(Int64.init), shape: [rows.starts.count])))
                tensors.append((p + part + ".ends", .int64(rows.ends.map(Int64.init), shape: [rows.ends.count])))
            }
        }
        return SafetensorsWriter.encode(tensors, metadata: meta)
    }

    /// The learner `data` holds, every task as it was learned; errors name `source`.
    public static func decode(_ data: Data, source: String) throws -> ConureLearner {
        let file = try SafetensorsFile(data: data, path: source)
        let meta = file.metadata
        func field(_ key: String) throws -> String {
            guard let value = meta[key] else { throw TrainingError("\(source): the checkpoint has no '\(key)' entry; the file is damaged") }
            return value
        }
        func num<T: LosslessStringConvertible>(_ key: String) throws -> T {
            try TrainerCheckpoint.number(Substring(try field(key)), key, source: source)
        }
        func fail(_ message: String) -> TrainingError { TrainingError("\(source): \(message); the file is damaged") }
        guard let version = meta["seqlab.checkpoint"], meta["content"] == content else {
            throw TrainingError("\(source) is not a Conure learner checkpoint")
        }
        guard version == TrainerCheckpoint.version else {
            throw TrainingError("\(source) is checkpoint format \(version); this SeqLab reads format \(TrainerCheckpoint.version)")
        }
        let entries = ConfigurationEntries(try TrainerCheckpoint.configuration(try field("config"), source: source))
        let configuration: ConureConfiguration
        let strategy: ConureStrategy
        do {
            guard let s = ConureStrategy(rawValue: try entries.string("strategy")) else { throw TrainingError("unknown Conure strategy '\(entries["strategy"] ?? "")'") }
            strategy = s
            let backbone = try NextItNetFamily.network(entries, causal: true)
            let eps = try entries.double("layerNormEps"), std = try entries.double("initStd")
            guard eps > 0, eps < 1, std > 0, std.isFinite else { throw TrainingError("the saved configuration is out of range: layerNormEps \(eps), initStd \(std)") }
            configuration = ConureConfiguration(items: backbone.items, channels: backbone.channels, kernel: backbone.kernel,
                                                dilations: backbone.dilations, layerNormEps: Float(eps), initStd: Float(std))
        } catch { throw TrainingError("\(source): \(error)") }
        let seed = Seed(try num("seed") as UInt64)
        let learner = ConureLearner(configuration, strategy: strategy, seed: seed, name: try field("name"))
        let conure = learner.conure
        let taskCount: Int = try num("tasks")
        guard (0...ConureMasks.maximumTasks).contains(taskCount) else { throw fail("\(taskCount) tasks is out of range") }
        var records: [ConureTaskRecord] = []
        var fractions: [Double] = []
        for k in 1...max(taskCount, 1) where taskCount > 0 {
            let p = "task\(k)."
            guard let kind = ConureTaskKind(rawValue: try field(p + "kind")), (kind == .nextItem) == (k == 1) else {
                throw fail("task \(k) has kind '\(meta[p + "kind"] ?? "")'; task 1 is next-item prediction and only task 1")
            }
            let targets: Int = try num(p + "targets"), maxLength: Int = try num(p + "maxLength")
            guard NextItNetConfiguration.Bounds.items.contains(targets), maxLength >= 1,
                  kind != .nextItem || targets == configuration.items else {
                throw fail("task \(k) has \(targets) targets and max length \(maxLength)")
            }
            let counts = try ints(file, p + "targetCounts", shape: nil, in: 0...Int(Int32.max), source: source)
            guard counts.isEmpty || counts.count == targets else { throw fail("task \(k) has \(counts.count) target frequencies for \(targets) targets") }
            let l2: Float = try num(p + "l2")
            guard l2.isFinite, l2 >= 0 else { throw fail("task \(k) has L2 \(l2)") }
            let objective: ConureObjective
            do {
                switch try field(p + "loss") {
                case "next-item" where kind == .nextItem: objective = .nextItem
                case "softmax" where kind != .nextItem: objective = .softmax(l2: l2)
                case "bce" where kind != .nextItem: objective = .bce(sampler: try .uniform(itemCount: targets), l2: l2)
                case "bpr" where kind != .nextItem && counts.count == targets:
                    objective = .bpr(sampler: try .lambdaFM(counts: counts, rho: try num(p + "rho")), l2: l2)
                case let other: throw fail("task \(k) (\(kind.rawValue)) has loss '\(other)'")
                }
            } catch let e as NegativeSamplerError { throw fail("task \(k)'s sampler cannot be rebuilt: \(e)") }
            var prune: Double?
            if meta[p + "prune"] != nil {
                let value: Double = try num(p + "prune")
                guard strategy == .conure, value > 0, value < 1 else { throw fail("task \(k) has prune fraction \(value)") }
                prune = value
                fractions.append(value)
            } else if strategy == .conure {
                throw fail("task \(k) of a Conure learner has no prune fraction")
            }
            conure.addTask(objective, targets: targets)
            let owned = try field(p + "owned").split(separator: ",").map { text -> Int in
                guard let v = Int(text), v >= 0 else { throw fail("task \(k) owns '\(text)' weights") }
                return v
            }
            let rows = try ["train", "valid", "test"].map { part in
                try self.rows(file, p + part, meta: meta, histories: configuration.items, targets: targets, source: source)
            }
            let split = Split(protocolDescription: try field(p + "protocol"), train: rows[0], valid: rows[1], test: rows[2],
                              itemCount: targets, maxLength: maxLength)
            records.append(ConureTaskRecord(
                number: k, name: try field(p + "name"), kind: kind, split: split, fingerprint: try num(p + "fingerprint"),
                targets: targets, objective: objective.description,
                trained: try history(try field(p + "trained"), source: source),
                retrained: try history(meta[p + "retrained"] ?? "", source: source),
                prune: prune, owned: owned, scoreWhenLearned: try num(p + "score"), targetCounts: counts))
        }
        for p in conure.parameters { try TrainerCheckpoint.copy(file, "param." + p.name, into: p, source: source) }
        let sizes = conure.convolutionWeights.map(\.count)
        let owners = try sizes.enumerated().map { t, size in
            try ints(file, "masks.\(t)", shape: [size], in: 0...taskCount, source: source).map { UInt8($0) }
        }
        guard let masks = ConureMasks(owners: owners, sizes: sizes, tasks: taskCount) else { throw fail("the masks do not fit the network") }
        conure.restoreOwnership(masks, pruneFractions: fractions)
        learner.tasks = records
        return learner
    }

    /// The loss of a head as the checkpoint names it.
    private static func lossName(_ objective: ConureObjective) -> String {
        switch objective {
        case .nextItem: "next-item"
        case .softmax: "softmax"
        case .bpr: "bpr"
        case .bce: "bce"
        }
    }

    /// Epoch records as lines of "epoch loss valid seconds sequences steps improved".
    private static func history(_ records: [EpochRecord]) -> String {
        records.map { r in
            "\(r.epoch) \(r.loss) \(r.valid.map { "\($0)" } ?? "-") \(r.seconds) \(r.sequences) \(r.steps) \(r.improved ? 1 : 0)"
        }.joined(separator: "\n")
    }

    /// The epoch records `history` wrote.
    private static func history(_ text: String, source: String) throws -> [EpochRecord] {
        func num<T: LosslessStringConvertible>(_ s: Substring, _ what: String) throws -> T { try TrainerCheckpoint.number(s, what, source: source) }
        return try text.split(separator: "\n").map { line in
            let f = line.split(separator: " ")
            guard f.count == 7 else { throw TrainingError("\(source): bad history line '\(line)'") }
            return EpochRecord(epoch: try num(f[0], "an epoch"), loss: try num(f[1], "a loss"),
                               valid: f[2] == "-" ? nil : try num(f[2], "a validation value") as Double,
                               seconds: try num(f[3], "seconds"), sequences: try num(f[4], "sequences"),
                               steps: try num(f[5], "steps"), improved: f[6] == "1")
        }
    }

    /// The integers of tensor `name`, of `shape` when given (else any one-dimensional length), each in `range`.
    private static func ints(_ file: SafetensorsFile, _ name: String, shape: [Int]?, in range: ClosedRange<Int>,
                             source: String) throws -> [Int] {
        let entry = try file.entry(name)
        guard entry.shape.count == 1, shape.map({ $0 == entry.shape }) ?? true else {
            throw TrainingError("\(source): \(name) has shape \(entry.shape)\(shape.map { ", expected \($0)" } ?? ""); the file is damaged")
        }
        let values = try file.int64s(name).map { Int($0) }
        if let k = values.firstIndex(where: { !range.contains($0) }) {
            throw TrainingError("\(source): \(name) holds \(values[k]) at element \(k), outside \(range.lowerBound)...\(range.upperBound); the file is damaged")
        }
        return values
    }

    /// One part of a task's split: rows whose history items are among the network's `histories`
    /// ids and whose targets are among the task's `targets`.
    private static func rows(_ file: SafetensorsFile, _ prefix: String, meta: [String: String], histories: Int, targets: Int,
                             source: String) throws -> Rows {
        guard let kind = RowKind(rawValue: meta[prefix + ".kind"] ?? "") else {
            throw TrainingError("\(source): \(prefix).kind is not prefix or sequence; the file is damaged")
        }
        let storage = try ints(file, prefix + ".storage", shape: nil, in: 0...Int(Int32.max), source: source).map { Int32($0) }
        let users = try ints(file, prefix + ".users", shape: nil, in: 0...Int(Int32.max), source: source).map { Int32($0) }
        let starts = try ints(file, prefix + ".starts", shape: nil, in: 0...storage.count, source: source)
        let ends = try ints(file, prefix + ".ends", shape: nil, in: 0...storage.count, source: source)
        let rows: Rows
        do { rows = try Rows(kind: kind, storage: storage, users: users, starts: starts, ends: ends) } catch {
            throw TrainingError("\(source): the rows of \(prefix) are damaged: \(error)")
        }
        for r in 0..<rows.count {
            // Histories index the network's embedding and targets the task's head: one id outside
            // either would read past a table.
            guard rows.history(r).allSatisfy({ Int($0) < histories }), Int(rows.target(r)) < targets,
                  kind == .prefix || rows.labels(r).allSatisfy({ Int($0) < targets }) else {
                throw TrainingError("\(source): row \(r) of \(prefix) holds an id outside the network's \(histories) items or the task's \(targets) targets; the file is damaged")
            }
        }
        return rows
    }
}
