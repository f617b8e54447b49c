// The GRU4Rec family in the language: `gru4rec(data, hidden:, layers:, dropout:, ...)`. Sizes are
// checked at the call against `GRU4RecConfiguration.Bounds`, the bounds checkpoints are read against.

import Datasets
import Models
import Script
import Tensors
import Training

extension GRU4RecFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        let bounds = GRU4RecConfiguration.Bounds.self
        registry.register(BuiltinSpec("gru4rec", topic: "models", parameters: [
            Parameter("data", .oneOf([.object("Dataset"), .object("Split")]), positional: true,
                      help: "the dataset (or a split of it) whose items the model ranks"),
            Parameter("embedding", .integer, default: .number(64), help: "item embedding width E (also the output layer's)"),
            Parameter("hidden", .integer, default: .number(128), help: "GRU state width H"),
            Parameter("layers", .integer, default: .number(1), help: "stacked GRU layers"),
            Parameter("dropout", .number, default: .number(0.3), help: "dropout on the item embeddings (RecBole's dropout_prob)"),
            Parameter("maxLength", .integer, default: Value.none, help: "longest history it reads (default: the split's max length, else 50)"),
            Parameter("loss", .string, default: .string("softmax"), help: "\"softmax\" (CE over all items) or \"bpr\" (one uniform negative)"),
            Parameter("rows", .string, default: Value.none,
                      help: "\"prefix\" (RecBole: one row per history prefix) or \"sequence\" (whole windows); default: the split's training rows"),
            Parameter("seed", .integer, default: Value.none, help: "initialisation, dropout and shuffling seed (default: the session's)"),
            Parameter("name", .string, default: Value.none, help: "how tables and the store call it"),
        ], help: "GRU4Rec (Hidasi et al., ICLR 2016) as RecBole builds it: embedding, dropout, GRU layers, dense layer, scores against the item table.") { args, interpreter in
            let (dataset, split) = try datasetOrSplit(args, "data")
            let embedding = try args.int("embedding", in: bounds.embedding)
            let hidden = try args.int("hidden", in: bounds.hidden)
            let layers = try args.int("layers", in: bounds.layers)
            let dropout = try args.number("dropout", min: 0)
            guard dropout < 1 else { throw args.error("dropout", "dropout must be below 1, got \(formatNumber(dropout))") }
            let maxLength = args.has("maxLength") ? try args.int("maxLength", in: bounds.maxLength) : (split?.split.maxLength ?? 50)
            let rowsName = args.has("rows") ? try args.string("rows", choices: ["prefix", "sequence"])
                                            : (split?.split.train.kind.rawValue ?? "prefix")
            let items = dataset.dataset.itemCount + 1
            let loss = try args.string("loss", choices: ["softmax", "bpr"])
            let objective: NextItemObjective
            do {
                objective = try ObjectiveEntries.objective(loss: loss, sampler: "uniform", negatives: 1, rho: 0.3, counts: nil, itemCount: items)
            } catch { throw args.error("loss", "\(error)") }
            let seed = try modelSeed(args, interpreter)
            let configuration = GRU4RecConfiguration(items: items, embedding: embedding, hidden: hidden, layers: layers,
                                                     dropout: Float(dropout), maxLength: maxLength)
            let model = GRU4RecRecommender(configuration, seed: seed, objective: objective, rows: rowsName == "prefix" ? .prefix : .sequence,
                                           name: try args.modelName(default: kind))
            return .object(ModelObject(model, trainer: Trainer(model: model, seed: seed), dataset: dataset, split: split,
                                       width: split?.split.maxLength ?? maxLength))
        })
    }
}
