// Rebuilding a model from the configuration entries a checkpoint holds. Every trainable model
// family registers here, so `restore("name")` can rebuild whatever was saved.

import Datasets
import Models
import Tensors

/// Builds trainable models from saved configuration entries.
public enum ModelCatalog {
    /// The model kinds (`configurationEntries`' "model") that `build` can rebuild. Transfers
    /// (PeterRec), Conure and the text models (UniSRec, VQ-Rec) are not among them: a checkpoint
    /// holds neither their base model nor their item text or codes.
    public static let rebuildableKinds: Set<String> = ["nextitnet", "grec", "sasrec", "bert4rec"]

    /// The model described by `entries` (from `configurationEntries`), named `name`, initialised
    /// from `seed` before the checkpoint's weights overwrite it.
    public static func build(_ entries: [(String, String)], name: String, seed: Seed) throws -> TrainableRecommender {
        var values: [String: String] = [:]
        for (key, value) in entries { values[key] = value }
        func int(_ key: String) throws -> Int {
            guard let text = values[key], let v = Int(text) else { throw TrainingError("the saved configuration has no integer '\(key)'") }
            return v
        }
        func double(_ key: String) throws -> Double {
            guard let text = values[key], let v = Double(text) else { throw TrainingError("the saved configuration has no number '\(key)'") }
            return v
        }
        func network(causal: Bool) throws -> NextItNetConfiguration {
            let dilations = (values["dilations"] ?? "").split(separator: ",").compactMap { Int($0) }
            let items = try int("items"), channels = try int("channels"), kernel = try int("kernel")
            // The bounds nextitnet(...) enforces, so a damaged entry cannot ask for gigabytes before the
            // weights' shapes are compared.
            guard items >= 2, items <= 1 << 26, (1...4096).contains(channels), (1...64).contains(kernel),
                  (1...64).contains(dilations.count), dilations.allSatisfy({ (1...1024).contains($0) }) else {
                throw TrainingError("the saved configuration is out of range: items \(items), channels \(channels), kernel \(kernel), dilations \(dilations)")
            }
            return NextItNetConfiguration(items: items, channels: channels, kernel: kernel, dilations: dilations,
                                          causal: causal, extraInputTokens: causal ? 0 : 1)
        }
        switch values["model"] {
        case "nextitnet":
            let configuration = try network(causal: true)
            let (objective, counts) = try ObjectiveEntries.parse(values, itemCount: configuration.items)
            return NextItNetRecommender(configuration, seed: seed, objective: objective, samplerCounts: counts, name: name)
        case "grec":
            let p = try double("maskProbability"), m = try int("maxPredictions")
            guard p > 0, p <= 1, m >= 1 else { throw TrainingError("the saved masking is out of range: probability \(p), maxPredictions \(m)") }
            return GRecRecommender(try network(causal: false), seed: seed,
                                   masking: ClozeMasking(probability: p, maxPredictions: m), name: name)
        case "sasrec":
            let sizes = (items: try int("items"), hidden: try int("hidden"), layers: try int("layers"), heads: try int("heads"),
                         inner: try int("inner"), maxLength: try int("maxLength"))
            let dropout = Float(try double("dropout")), attentionDropout = Float(try double("attentionDropout"))
            if let problem = SASRecConfiguration.problem(
                items: sizes.items, hidden: sizes.hidden, layers: sizes.layers, heads: sizes.heads, inner: sizes.inner,
                maxLength: sizes.maxLength, hiddenDropout: dropout, attentionDropout: attentionDropout) {
                throw TrainingError("the saved configuration is out of range: \(problem)")
            }
            guard let rows = RowKind(rawValue: values["rows"] ?? "prefix") else {
                throw TrainingError("the saved configuration has rows '\(values["rows"] ?? "")'; expected prefix or sequence")
            }
            let (objective, _) = try ObjectiveEntries.parse(values, itemCount: sizes.items)
            guard SASRec.supports(objective) else { throw TrainingError("SASRec trains with CE or BPR, not \(objective)") }
            return SASRecRecommender(
                SASRecConfiguration(items: sizes.items, hidden: sizes.hidden, layers: sizes.layers, heads: sizes.heads,
                                    inner: sizes.inner, maxLength: sizes.maxLength, hiddenDropout: dropout,
                                    attentionDropout: attentionDropout),
                seed: seed, objective: objective, rows: rows, name: name)
        case "bert4rec":
            let sizes = (items: try int("items"), hidden: try int("hidden"), layers: try int("layers"), heads: try int("heads"),
                         inner: try int("inner"), maxLength: try int("maxLength"))
            let dropout = Float(try double("dropout")), attentionDropout = Float(try double("attentionDropout"))
            let maskRatio = try double("maskRatio")
            if let problem = BERT4RecConfiguration.problem(
                items: sizes.items, hidden: sizes.hidden, layers: sizes.layers, heads: sizes.heads, inner: sizes.inner,
                maxLength: sizes.maxLength, hiddenDropout: dropout, attentionDropout: attentionDropout, maskRatio: maskRatio) {
                throw TrainingError("the saved configuration is out of range: \(problem)")
            }
            guard let rows = RowKind(rawValue: values["rows"] ?? "prefix") else {
                throw TrainingError("the saved configuration has rows '\(values["rows"] ?? "")'; expected prefix or sequence")
            }
            return BERT4RecRecommender(
                BERT4RecConfiguration(items: sizes.items, hidden: sizes.hidden, layers: sizes.layers, heads: sizes.heads,
                                      inner: sizes.inner, maxLength: sizes.maxLength, hiddenDropout: dropout,
                                      attentionDropout: attentionDropout, maskRatio: maskRatio),
                seed: seed, rows: rows, name: name)
        case let other:
            throw TrainingError("the checkpoint holds a model of kind '\(other ?? "?")', which this SeqLab cannot build")
        }
    }
}
