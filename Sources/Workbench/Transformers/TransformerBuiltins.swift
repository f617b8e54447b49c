// The transformer family in the language: `sasrec(data, ...)` and `bert4rec(data, ...)`. Sizes are
// checked at the call against `TransformerSize.Bounds` (heads must divide hidden, dropout in [0, 1)),
// so a typo points at the argument.

import Datasets
import Models
import Script
import Tensors
import Training

extension SASRecFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        registry.register(BuiltinSpec("sasrec", topic: "models", parameters: transformerParameters(hidden: 64) + [
            Parameter("loss", .string, default: .string("softmax"), help: "\"softmax\" (CE over all items) or \"bpr\" (one uniform negative)"),
        ], help: "SASRec as RecBole builds it: causal self-attention over item + position embeddings, tied output.") { args, interpreter in
            let t = try TransformerSetup(args, interpreter: interpreter, defaultName: kind)
            let loss = try args.string("loss", choices: ["softmax", "bpr"])
            let objective: NextItemObjective
            do {
                objective = try ObjectiveEntries.objective(loss: loss, sampler: "uniform", negatives: 1, rho: 0.3, counts: nil, itemCount: t.items)
            } catch { throw args.error("loss", "\(error)") }
            let model = SASRecRecommender(SASRecConfiguration(items: t.items, size: t.size), seed: t.seed, objective: objective,
                                          rows: t.rows, name: t.name)
            return .object(ModelObject(model, trainer: Trainer(model: model, seed: t.seed), dataset: t.dataset, split: t.split, width: t.width))
        })
    }
}

extension BERT4RecFamily: LanguageModelFamily {
    static func register(in registry: Registry) {
        registry.register(BuiltinSpec("bert4rec", topic: "models", parameters: transformerParameters(hidden: 64) + [
            Parameter("maskRatio", .number, default: .number(0.2), help: "share of each sequence replaced by the mask token in training"),
            Parameter("recbole", .string, default: .string("1.0.1"),
                      help: "\"1.0.1\" (the papers' baseline) or \"1.2.1\" (adds RecBole 1.2.1's output head and bias; its position table has maxLength rows and prediction drops the oldest history item)"),
        ], help: "BERT4Rec as RecBole 1.0.1 (or, with recbole: \"1.2.1\", 1.2.1) builds it: bidirectional attention, Cloze masking, prediction through an appended mask.") { args, interpreter in
            let t = try TransformerSetup(args, interpreter: interpreter, defaultName: kind)
            let ratio = try args.number("maskRatio", min: 0, exclusiveMin: true)
            if let problem = BERT4RecConfiguration.problem(items: t.items, size: t.size, maskRatio: ratio) {
                throw args.error("maskRatio", problem)
            }
            typealias Release = BERT4RecConfiguration.RecBoleRelease
            // The choices are the raw values, so the lookup cannot fail.
            let release = Release(rawValue: try args.string("recbole", choices: Release.allCases.map(\.rawValue)))!
            let configuration = BERT4RecConfiguration(items: t.items, size: t.size, maskRatio: ratio, recbole: release)
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
    /// Item ids, padding included.
    let items: Int
    /// The encoder's sizes.
    let size: TransformerSize
    /// The history width it is scored with.
    let width: Int
    let rows: RowKind
    let seed: Seed
    let name: String

    init(_ args: Arguments, interpreter: Interpreter, defaultName: String) throws {
        (dataset, split) = try datasetOrSplit(args, "data")
        items = dataset.dataset.itemCount + 1
        size = try transformerSize(args, defaultMaxLength: split?.split.maxLength ?? 50)
        width = split?.split.maxLength ?? size.maxLength
        let rowsName = args.has("rows") ? try args.string("rows", choices: ["prefix", "sequence"])
                                        : (split?.split.train.kind.rawValue ?? "prefix")
        rows = rowsName == "prefix" ? .prefix : .sequence
        seed = try modelSeed(args, interpreter)
        name = try args.modelName(default: defaultName)
    }
}

/// The checked size arguments of a transformer (hidden, layers, heads, inner, dropouts, maxLength),
/// each against `TransformerSize.Bounds`; a maxLength not given is `defaultMaxLength`.
func transformerSize(_ args: Arguments, defaultMaxLength: Int) throws -> TransformerSize {
    let bounds = TransformerSize.Bounds.self
    let hidden = try args.int("hidden", in: bounds.hidden)
    let layers = try args.int("layers", in: bounds.layers)
    let heads = try args.int("heads", in: bounds.heads)
    guard hidden % heads == 0 else {
        throw args.error("heads", "\(heads) heads do not divide the hidden size \(hidden); each head gets hidden / heads dimensions")
    }
    let inner = try args.int("inner", in: bounds.inner)
    let d = try args.number("dropout", min: 0)
    guard d < 1 else { throw args.error("dropout", "dropout must be below 1, got \(formatNumber(d))") }
    let a = args.has("attentionDropout") ? try args.number("attentionDropout", min: 0) : d
    guard a < 1 else { throw args.error("attentionDropout", "attentionDropout must be below 1, got \(formatNumber(a))") }
    let maxLength = args.has("maxLength") ? try args.int("maxLength", in: bounds.maxLength) : defaultMaxLength
    return TransformerSize(hidden: hidden, layers: layers, heads: heads, inner: inner, maxLength: maxLength,
                           hiddenDropout: Float(d), attentionDropout: Float(a))
}
