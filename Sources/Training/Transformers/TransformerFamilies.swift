// The transformer family's descriptors: SASRec and BERT4Rec as RecBole builds them, over one
// `TransformerSize` whose checkpoint entries are written and read here once. SASRec's recommender
// is the shared tied-item adapter (`TiedItemRecommender`: RecBole's prefix or sequence rows, CE or
// BPR, scores from each row's last real position); BERT4Rec's is its own (BERT4RecRecommender.swift).

import Datasets
import Models
import Tensors

/// SASRec as RecBole builds it.
public enum SASRecFamily: TrainerModelFamily {
    public static let kind = "sasrec"

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let items = try entries.int("items"), size = try TransformerSize(entries)
        if let problem = SASRecConfiguration.problem(items: items, size: size) {
            throw TrainingError("the saved configuration is out of range: \(problem)")
        }
        let (objective, _) = try ObjectiveEntries.parse(entries, itemCount: items)
        guard SASRec.supports(objective) else { throw TrainingError("SASRec trains with CE or BPR, not \(objective)") }
        return SASRecRecommender(SASRecConfiguration(items: items, size: size), seed: seed, objective: objective,
                                 rows: try entries.rows(), name: name)
    }
}

/// BERT4Rec as RecBole 1.0.1 builds it, or as 1.2.1 does (output head and its prediction layout).
public enum BERT4RecFamily: TrainerModelFamily {
    public static let kind = "bert4rec"

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let items = try entries.int("items"), size = try TransformerSize(entries), maskRatio = try entries.double("maskRatio")
        if let problem = BERT4RecConfiguration.problem(items: items, size: size, maskRatio: maskRatio) {
            throw TrainingError("the saved configuration is out of range: \(problem)")
        }
        // Entries written before the 1.2.1 variant existed, and every 1.0.1 model's, have no "recbole".
        let release = try entries["recbole"].map { text in
            guard let release = BERT4RecConfiguration.RecBoleRelease(rawValue: text) else {
                let known = BERT4RecConfiguration.RecBoleRelease.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
                throw TrainingError("the saved configuration has recbole '\(text)'; SeqLab's BERT4Rec is RecBole \(known)")
            }
            return release
        } ?? .v1_0_1
        return BERT4RecRecommender(BERT4RecConfiguration(items: items, size: size, maskRatio: maskRatio, recbole: release),
                                   seed: seed, rows: try entries.rows(), name: name)
    }
}

/// A SASRec network trained with RecBole's CE or BPR objective.
public typealias SASRecRecommender = TiedItemRecommender<SASRec>

extension SASRec: TiedItemFamilyNetwork {
    public static var kind: String { SASRecFamily.kind }
    public var sizeSummary: String { configuration.size.summary }
    public var sizeEntries: [(String, String)] { configuration.size.entries }
}

extension TransformerSize {
    /// The sizes as checkpoint entries (hidden, layers, heads, inner, maxLength, dropout, attentionDropout).
    public var entries: [(String, String)] {
        [("hidden", String(hidden)), ("layers", String(layers)), ("heads", String(heads)), ("inner", String(inner)),
         ("maxLength", String(maxLength)), ("dropout", String(hiddenDropout)), ("attentionDropout", String(attentionDropout))]
    }

    /// The sizes `entries` hold (layer-norm epsilon and initialisation range keep their defaults,
    /// which no builder changes). Not checked: the configuration's `problem` does that.
    public init(_ entries: ConfigurationEntries) throws {
        self.init(hidden: try entries.int("hidden"), layers: try entries.int("layers"), heads: try entries.int("heads"),
                  inner: try entries.int("inner"), maxLength: try entries.int("maxLength"),
                  hiddenDropout: Float(try entries.double("dropout")), attentionDropout: Float(try entries.double("attentionDropout")))
    }
}
