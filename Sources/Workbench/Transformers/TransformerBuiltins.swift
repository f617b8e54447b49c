// Building transformer models in the language: `sasrec(data, ...)` and `bert4rec(data, ...)`. Sizes are checked at the call
// (heads must divide hidden, dropout in [0, 1)), so a typo points at the argument.

import Datasets
import Models
import Script
import Tensors
import Training

extension Registry {
    func registerTransformers() {
        let common = transformerParameters(hidden: 64)

        register(BuiltinSpec("sasrec", topic: "models", parameters: common + [
            Parameter("loss", .string, default: .string("softmax"), help: "\"softmax\" (CE over all items) or \"bpr\" (one uniform negative)"),
        ], help: "SASRec as RecBole builds it: causal self-attention over item + position embeddings, tied output.") { args, interpreter in
            let t = try TransformerSetup(args, interpreter: interpreter, defaultName: "sasrec")
            let loss = try args.string("loss", choices: ["softmax", "bpr"])
            let objective: NextItemObjective
            do {
                objective = try ObjectiveEntries.objective(loss: loss, sampler: "uniform", negatives: 1, rho: 0.3, counts: nil, itemCount: t.items)
            } catch { throw args.error("loss", "\(error)") }
            let configuration = SASRecConfiguration(items: t.items, hidden: t.hidden, layers: t.layers, heads: t.heads, inner: t.inner,
                                                    maxLength: t.maxLength, hiddenDropout: t.dropout, attentionDropout: t.attentionDropout)
            let model = SASRecRecommender(configuration, seed: t.seed, objective: objective, rows: t.rows, name: t.name)
            return .object(ModelObject(model, trainer: Trainer(model: model, seed: t.seed), dataset: t.dataset, split: t.split, width: t.width))
        })

        register(BuiltinSpec("bert4rec", topic: "models", parameters: common + [
            Parameter("maskRatio", .number, default: .number(0.2), help: "share of each sequence replaced by the mask token in training"),
        ], help: "BERT4Rec as RecBole 1.0.1 builds it: bidirectional attention, Cloze masking, prediction through an appended mask.") { args, interpreter in
            let t = try TransformerSetup(args, interpreter: interpreter, defaultName: "bert4rec")
            let ratio = try args.number("maskRatio", min: 0, exclusiveMin: true)
            if let problem = BERT4RecConfiguration.problem(items: t.items, hidden: t.hidden, layers: t.layers, heads: t.heads, inner: t.inner,
                                                           maxLength: t.maxLength, hiddenDropout: t.dropout,
                                                           attentionDropout: t.attentionDropout, maskRatio: ratio) {
                throw args.error("maskRatio", problem)
            }
            let configuration = BERT4RecConfiguration(items: t.items, hidden: t.hidden, layers: t.layers, heads: t.heads, inner: t.inner,
                                                      maxLength: t.maxLength, hiddenDropout: t.dropout, attentionDropout: t.attentionDropout,
                                                      maskRatio: ratio)
            let model = BERT4RecRecommender(configuration, seed: t.seed, rows: t.rows, name: t.name)
            return .object(ModelObject(model, trainer: Trainer(model: model, seed: t.seed), dataset: t.dataset, split: t.split, width: t.width))
        })
    }
}

/// The arguments every transformer constructor takes (data, sizes, dropouts, rows, seed, name).
func transformerParameters(hidden: Int) -> [Parameter] {
    [
        Parameter("data", .oneOf([.object("Dataset"), .object("Split")]), positional: true,
                      help: "the dataset (or a split of it) whose items the model ranks"),
        Parameter("hidden", .integer, default: .number(Double(hidden)), help: "hidden size H (item and position embeddings)"),
        Parameter("layers", .integer, default: .number(2), help: "transformer layers"),
        Parameter("heads", .integer, default: .number(2), help: "attention heads (must divide hidden)"),
        Parameter("inner", .integer, default: .number(256), help: "feed-forward width"),
        Parameter("dropout", .number, default: .number(0.5), help: "hidden dropout (RecBole's hidden_dropout_prob)"),
        Parameter("attentionDropout", .number, default: Value.none, help: "dropout on attention probabilities (default: dropout)"),
        Parameter("maxLength", .integer, default: Value.none, help: "positions it reads (default: the split's max length, else 50)"),
        Parameter("rows", .string, default: Value.none,
                      help: "\"prefix\" (RecBole: one row per history prefix) or \"sequence\" (whole windows); default: the split's training rows"),
        Parameter("seed", .integer, default: Value.none, help: "initialisation, dropout and shuffling seed (default: the session's)"),
        Parameter("name", .string, default: Value.none, help: "how tables and the store call it"),
    ]
}

/// The arguments every transformer constructor shares, checked.
struct TransformerSetup {
    let dataset: DatasetObject
    let split: SplitObject?
    let items: Int, hidden: Int, layers: Int, heads: Int, inner: Int, maxLength: Int, width: Int
    let dropout: Float, attentionDropout: Float
    let rows: RowKind
    let seed: Seed
    let name: String

    init(_ args: Arguments, interpreter: Interpreter, defaultName: String) throws {
        (dataset, split) = try datasetOrSplit(args, "data")
        items = dataset.dataset.itemCount + 1
        hidden = try args.int("hidden", min: 1, max: 4096)
        layers = try args.int("layers", min: 1, max: 64)
        heads = try args.int("heads", min: 1, max: 256)
        guard hidden % heads == 0 else {
            throw args.error("heads", "\(heads) heads do not divide the hidden size \(hidden); each head gets hidden / heads dimensions")
        }
        inner = try args.int("inner", min: 1, max: 65_536)
        let d = try args.number("dropout", min: 0)
        guard d < 1 else { throw args.error("dropout", "dropout must be below 1, got \(formatNumber(d))") }
        let a = args.has("attentionDropout") ? try args.number("attentionDropout", min: 0) : d
        guard a < 1 else { throw args.error("attentionDropout", "attentionDropout must be below 1, got \(formatNumber(a))") }
        dropout = Float(d)
        attentionDropout = Float(a)
        maxLength = args.has("maxLength") ? try args.int("maxLength", min: 1, max: 100_000) : (split?.split.maxLength ?? 50)
        width = split?.split.maxLength ?? maxLength
        let rowsName = args.has("rows") ? try args.string("rows", choices: ["prefix", "sequence"])
                                        : (split?.split.train.kind.rawValue ?? "prefix")
        rows = rowsName == "prefix" ? .prefix : .sequence
        seed = try modelSeed(args, interpreter)
        name = args.has("name") ? try args.string("name") : defaultName
        guard !name.isEmpty else { throw args.error("name", "the name must not be empty") }
    }
}
