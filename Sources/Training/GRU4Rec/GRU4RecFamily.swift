// The GRU4Rec family's descriptor: GRU4Rec as RecBole builds it. Its recommender is the shared
// tied-item adapter (`TiedItemRecommender`: RecBole's prefix or sequence rows, CE or BPR, scores
// from each row's last real position); its checkpoint entries are written and read back here,
// checked against `GRU4RecConfiguration`'s bounds.

import Datasets
import Models
import Tensors

/// GRU4Rec (Hidasi et al., ICLR 2016) as RecBole builds it.
public enum GRU4RecFamily: TrainerModelFamily {
    public static let kind = "gru4rec"

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let items = try entries.int("items"), embedding = try entries.int("embedding"), hidden = try entries.int("hidden")
        let layers = try entries.int("layers"), maxLength = try entries.int("maxLength")
        let dropout = Float(try entries.double("dropout"))
        if let problem = GRU4RecConfiguration.problem(items: items, embedding: embedding, hidden: hidden, layers: layers,
                                                      dropout: dropout, maxLength: maxLength) {
            throw TrainingError("the saved configuration is out of range: \(problem)")
        }
        let (objective, _) = try ObjectiveEntries.parse(entries, itemCount: items)
        guard GRU4Rec.supports(objective) else { throw TrainingError("GRU4Rec trains with CE or BPR, not \(objective)") }
        return GRU4RecRecommender(
            GRU4RecConfiguration(items: items, embedding: embedding, hidden: hidden, layers: layers, dropout: dropout,
                                 maxLength: maxLength),
            seed: seed, objective: objective, rows: try entries.rows(), name: name)
    }
}

/// A GRU4Rec network trained with RecBole's CE or BPR objective.
public typealias GRU4RecRecommender = TiedItemRecommender<GRU4Rec>

extension GRU4Rec: TiedItemFamilyNetwork {
    public static var kind: String { GRU4RecFamily.kind }

    public var sizeSummary: String {
        let c = configuration
        return "embedding \(c.embedding), hidden \(c.hidden), \(c.layers) GRU layer\(c.layers == 1 ? "" : "s"), "
            + "max length \(c.maxLength), dropout \(c.dropout)"
    }

    public var sizeEntries: [(String, String)] {
        let c = configuration
        return [("embedding", String(c.embedding)), ("hidden", String(c.hidden)), ("layers", String(c.layers)),
                ("maxLength", String(c.maxLength)), ("dropout", String(c.dropout))]
    }
}
