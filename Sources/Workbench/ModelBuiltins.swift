// Models in the language: the baselines (`popularity(split)`, `markov(split)`) and
// `model.evaluate(rows, k:, negatives:, maskHistory:)`, whose result's header states the protocol.
// Neural models join through the same `Recommender` protocol (NeuralModelBuiltins.swift).

import Datasets
import Script
import Tensors
import Training

/// An evaluation result.
public final class ResultObject: ScriptObject {
    /// The metrics and per-row ranks.
    public let result: RankingResult
    /// Which model and rows.
    public let label: String
    /// The user of each evaluated row: the id in the data (for a Conure task, the row's user number).
    public let users: [String]

    init(_ result: RankingResult, label: String, users: [String]) {
        self.result = result
        self.label = label
        self.users = users
    }

    public var typeName: String { "Result" }
    public var summary: String { "\(label)\n\(result)" }
    public var oneLine: String {
        let i = result.ks.firstIndex(of: 10) ?? result.ks.count - 1
        return "\(label): NDCG@\(result.ks[i]) \(String(format: "%.4f", result.ndcg[i]))"
    }
}

extension Registry {
    func registerModels() {
        describeType("Model", "a recommender that scores every item for a history")
        describeType("Result", "ranking metrics (HR, NDCG, MRR at each cut-off) under a stated protocol")

        for (name, help) in [("popularity", "Recommends the most frequent training targets to everyone (a baseline)."),
                             ("markov", "First-order item-to-item transitions from the last item, popularity as fallback (a baseline).")] {
            register(BuiltinSpec(name, topic: "models", parameters: [
                Parameter("split", .object("Split"), positional: true, help: "the split whose training rows it is fitted on"),
            ], help: help) { args, _ in
                let split = try args.object("split", as: SplitObject.self)
                let n = split.split.itemCount - 1   // the split counts padding; models rank items 1...n
                let model: Recommender = name == "popularity"
                    ? PopularityModel(train: split.split.train, itemCount: n)
                    : MarkovModel(train: split.split.train, itemCount: n)
                return .object(ModelObject(model, split: split))
            })
        }

        registerMethod(BuiltinSpec("evaluate", owner: "Model", topic: "models", parameters: [
            Parameter("rows", .object("Rows"), positional: true, help: "rows to rank, e.g. split.test"),
            Parameter("k", .list, default: Value.none, help: "cut-offs (default [5, 10, 20]; [5] under protocol \"peterrec\")"),
            Parameter("negatives", .integer, default: Value.none, help: "sample this many negatives instead of ranking all items (labelled SAMPLED)"),
            Parameter("maskHistory", .bool, default: .bool(false), help: "leave the row's history items out of the ranking"),
            Parameter("batch", .integer, default: .number(256), help: "rows scored at once (speed and memory only)"),
            Parameter("protocol", .string, default: .string("seqlab"),
                      help: "\"seqlab\"; \"recbole\": RecBole 1.2.1's full sort for sequential models (all items, no history masked), to compare with its numbers; \"peterrec\": the PeterRec and Conure papers' protocol, the positive against 99 uniform negatives, HR and MRR at 5"),
        ], help: "Ranks each row's next item; HR, NDCG and MRR at each cut-off, protocol in the header.") { args, interpreter in
            let m = args.receiver(as: ModelObject.self)
            let rows = try args.object("rows", as: RowsObject.self)
            guard rows.rows.kind == .prefix else {
                throw args.error("rows", "evaluate needs prefix rows (history → next item), such as split.valid or split.test")
            }
            let protocolName = try args.string("protocol", choices: ["seqlab", "recbole", "peterrec"])
            let ks = try (args.has("k") ? args.list("k") : (protocolName == "peterrec" ? [.number(5)] : [.number(5), .number(10), .number(20)])).map { v -> Int in
                guard case .number(let x) = v, x >= 1, x == x.rounded(), x <= 1e6 else { throw args.error("k", "cut-offs must be whole numbers ≥ 1") }
                return Int(x)
            }
            guard !ks.isEmpty else { throw args.error("k", "give at least one cut-off") }
            var rankingProtocol = RankingProtocol.full
            if protocolName == "peterrec" {
                let masked = try args.bool("maskHistory")
                if args.has("negatives") || masked {
                    let conflicting = args.has("negatives") ? "negatives" : "maskHistory"
                    throw args.error(conflicting, "protocol: \"peterrec\" ranks the positive against 99 uniform negatives, as the PeterRec and Conure papers do; drop \(conflicting):")
                }
                guard m.model.itemCount >= 100 else {
                    throw args.error("protocol", "protocol: \"peterrec\" draws 99 negatives, but \(m.model.name) ranks \(m.model.itemCount) items; give negatives: fewer than that instead")
                }
                rankingProtocol = .sampled(negatives: 99, seed: interpreter.seed)
            } else if protocolName == "recbole" {
                let masked = try args.bool("maskHistory")
                if args.has("negatives") || masked {
                    let conflicting = args.has("negatives") ? "negatives" : "maskHistory"
                    throw args.error(conflicting, "protocol: \"recbole\" ranks all items with no history masked, as RecBole does for sequential models; drop \(conflicting):")
                }
                rankingProtocol = .recbole
            } else if args.has("negatives") {
                guard m.model.itemCount >= 2 else { throw args.error("negatives", "sampling negatives needs at least 2 items") }
                let count = try args.int("negatives", min: 1, max: m.model.itemCount - 1)
                rankingProtocol = .sampled(negatives: count, seed: interpreter.seed)
            }
            return try args.rethrowing {
                do {
                    let result = try Evaluator.evaluate(
                        m.model, rows: rows.rows, ks: ks, protocol: rankingProtocol, maskHistory: try args.bool("maskHistory"),
                        width: m.width, batchSize: try args.int("batch", min: 1, max: 65_536))
                    RunSession.of(interpreter)?.recordResults(result, source: "evaluate", model: m.model.name, split: rows.part)
                    let vocabulary = m.dataset.dataset.users
                    let users = rows.rows.users.map { vocabulary.token(Int($0)) ?? String($0) }
                    return .object(ResultObject(result, label: "\(m.model.name) on \(rows.part) of \(m.dataset.dataset.name)", users: users))
                } catch is EvaluationInterrupted {
                    throw args.error("interrupted: evaluation stopped by Ctrl-C; nothing was changed, run it again")
                }
            }
        })

        for metric in ["hr", "ndcg", "mrr"] {
            registerMethod(BuiltinSpec(metric, owner: "Result", topic: "models", parameters: [
                Parameter("k", .integer, positional: true, default: .number(10), help: "the cut-off"),
            ], help: "\(metric.uppercased())@k as a number.") { args, _ in
                let r = args.receiver(as: ResultObject.self)
                let k = try args.int("k", min: 1)
                guard let v = r.result.value(metric, at: k) else {
                    throw args.error("k", "@\(k) was not evaluated; cut-offs: \(r.result.ks.map(String.init).joined(separator: ", "))")
                }
                return .number(v)
            })
        }
    }
}
