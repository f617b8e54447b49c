// Members that let results be used in scripts rather than only read: per-user values of a result,
// the epochs of a history, the models of a comparison. Values are exact; printing rounds them.

import Foundation
import Script
import Training

extension Registry {
    func registerResultMembers() {
        func result(_ name: String, _ help: String, parameters: [Parameter] = [], isProperty: Bool = false,
                    _ body: @escaping (ResultObject, Arguments) throws -> Value) {
            registerMethod(BuiltinSpec(name, owner: "Result", topic: "models", parameters: parameters, isProperty: isProperty, help: help) { args, _ in
                try body(args.receiver(as: ResultObject.self), args)
            })
        }
        result("ks", "The cut-offs evaluated.", isProperty: true) { r, _ in .list(r.result.ks.map { .number(Double($0)) }) }
        result("users", "The user of each evaluated row, by id in the data.", isProperty: true) { r, _ in .list(r.users.map { .string($0) }) }
        result("ranks", "Each row's rank of its positive item (1 = first).", isProperty: true) { r, _ in
            .list(r.result.ranks.map { .number(Double($0) + 1) })
        }
        result("perUser", "One row's value per evaluated row (in the order of users): hr, ndcg or mrr at k.", parameters: [
            Parameter("metric", .string, positional: true, default: .string("ndcg"), help: "hr, ndcg or mrr"),
            Parameter("k", .integer, positional: true, default: .number(10), help: "the cut-off"),
        ]) { r, args in
            let metric = try args.string("metric", choices: ["hr", "ndcg", "mrr"])
            let k = try args.int("k", min: 1)
            return .list(r.result.ranks.map { rank in
                let inside = Int(rank) < k
                switch metric {
                case "hr": return .number(inside ? 1 : 0)
                case "mrr": return .number(inside ? 1 / (Double(rank) + 1) : 0)
                default: return .number(inside ? 1 / log2(Double(rank) + 2) : 0)
                }
            })
        }
        result("protocol", "The evaluation protocol, as the header states it.", isProperty: true) { r, _ in .string(r.result.header) }

        func history(_ name: String, _ help: String, _ body: @escaping (HistoryObject) -> Value) {
            registerMethod(BuiltinSpec(name, owner: "History", topic: "models", isProperty: true, help: help) { args, _ in
                body(args.receiver(as: HistoryObject.self))
            })
        }
        history("epochs", "Epochs trained so far.") { .number(Double($0.records.count)) }
        history("losses", "The mean training loss of each epoch.") { .list($0.records.map { .number($0.loss) }) }
        history("valid", "The validation metric after each epoch (none without validation rows).") { h in
            .list(h.records.map { $0.valid.map { Value.number($0) } ?? .none })
        }
        history("bestEpoch", "The epoch with the best validation value (none without validation).") { h in
            h.best.map { .number(Double($0.epoch)) } ?? .none
        }
        history("best", "The best validation value.") { h in h.best.map { .number($0.value) } ?? .none }
        history("metric", "The validation metric's name, e.g. ndcg@10.") { .string("\($0.metric)") }
        history("stop", "Why the last fit returned: completed, early-stopped or interrupted.") { h in
            switch h.stop {
            case .completed: return .string("completed")
            case .earlyStopped: return .string("early-stopped")
            case .interrupted: return .string("interrupted")
            }
        }

        registerMethod(BuiltinSpec("models", owner: "Comparison", topic: "models", isProperty: true,
                                   help: "The names in the comparison, in order (models, or runs).") { args, _ in
            switch args.receiver {
            case .object(let t as ModelTableObject)?: return .list(t.rows.map { .string($0.name) })
            case .object(let r as RunComparisonObject)?: return .list(r.details.map { .string("run \($0.run.id)") })
            default: return .none
            }
        })
    }
}
