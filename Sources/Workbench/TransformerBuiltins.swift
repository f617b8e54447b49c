// Building transformer models in the language: `sasrec(data, ...)`. Sizes are checked at the call
// (heads must divide hidden, dropout in [0, 1)), so a typo points at the argument.

import Datasets
import Models
import Script
import Tensors
import Training

extension Registry {
    func registerTransformers() {
        register(BuiltinSpec("sasrec", topic: "models", parameters: [
            Parameter("data", .oneOf([.object("Dataset"), .object("Split")]), positional: true,
                      help: "the dataset (or a split of it) whose items the model ranks"),
            Parameter("hidden", .integer, default: .number(64), help: "hidden size H (item and position embeddings)"),
            Parameter("layers", .integer, default: .number(2), help: "transformer layers"),
            Parameter("heads", .integer, default: .number(2), help: "attention heads (must divide hidden)"),
            Parameter("inner", .integer, default: .number(256), help: "feed-forward width"),
            Parameter("dropout", .number, default: .number(0.5), help: "hidden dropout (RecBole's hidden_dropout_prob)"),
            Parameter("attentionDropout", .number, default: Value.none, help: "dropout on attention probabilities (default: dropout)"),
            Parameter("maxLength", .integer, default: Value.none, help: "positions it reads (default: the split's max length, else 50)"),
            Parameter("loss", .string, default: .string("softmax"), help: "\"softmax\" (CE over all items) or \"bpr\" (one uniform negative)"),
            Parameter("rows", .string, default: Value.none,
                      help: "\"prefix\" (RecBole: one term per history prefix) or \"sequence\" (every position); default: the split's training rows"),
            Parameter("seed", .integer, default: Value.none, help: "initialisation, dropout and shuffling seed (default: the session's)"),
            Parameter("name", .string, default: Value.none, help: "how tables and the store call it"),
        ], help: "SASRec as RecBole builds it: causal self-attention over item + position embeddings, tied output.") { args, interpreter in
            let dataset: DatasetObject, split: SplitObject?
            switch args.value("data") {
            case .object(let s as SplitObject): split = s; dataset = s.source
            case .object(let d as DatasetObject): split = nil; dataset = d
            default: throw args.error("data", "give a dataset or a split")
            }
            let items = dataset.dataset.itemCount + 1
            let hidden = try args.int("hidden", min: 1, max: 4096)
            let layers = try args.int("layers", min: 1, max: 64)
            let heads = try args.int("heads", min: 1, max: 256)
            guard hidden % heads == 0 else {
                throw args.error("heads", "\(heads) heads do not divide the hidden size \(hidden); each head gets hidden / heads dimensions")
            }
            let inner = try args.int("inner", min: 1, max: 65_536)
            let dropout = try args.number("dropout", min: 0)
            guard dropout < 1 else { throw args.error("dropout", "dropout must be below 1, got \(formatNumber(dropout))") }
            let attentionDropout = args.has("attentionDropout") ? try args.number("attentionDropout", min: 0) : dropout
            guard attentionDropout < 1 else { throw args.error("attentionDropout", "attentionDropout must be below 1, got \(formatNumber(attentionDropout))") }
            let maxLength = args.has("maxLength") ? try args.int("maxLength", min: 1, max: 100_000) : (split?.split.maxLength ?? 50)
            let loss = try args.string("loss", choices: ["softmax", "bpr"])
            let rowsName = args.has("rows") ? try args.string("rows", choices: ["prefix", "sequence"])
                                            : (split?.split.train.kind.rawValue ?? "prefix")
            let seed = args.has("seed") ? Seed(UInt64(try args.int("seed", min: 0))) : interpreter.seed
            let name = args.has("name") ? try args.string("name") : "sasrec"
            guard !name.isEmpty else { throw args.error("name", "the name must not be empty") }
            let objective: NextItemObjective
            do {
                objective = try ObjectiveEntries.objective(loss: loss, sampler: "uniform", negatives: 1, rho: 0.3, counts: nil, itemCount: items)
            } catch { throw args.error("loss", "\(error)") }
            let configuration = SASRecConfiguration(items: items, hidden: hidden, layers: layers, heads: heads, inner: inner,
                                                    maxLength: maxLength, hiddenDropout: Float(dropout), attentionDropout: Float(attentionDropout))
            let model = SASRecRecommender(configuration, seed: seed, objective: objective,
                                          rows: rowsName == "prefix" ? .prefix : .sequence, name: name)
            return .object(ModelObject(model, trainer: Trainer(model: model, seed: seed), dataset: dataset,
                                       split: split, width: split?.split.maxLength ?? maxLength))
        })
    }
}
