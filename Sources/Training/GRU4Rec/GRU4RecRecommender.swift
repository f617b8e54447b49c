// GRU4Rec as a recommender the trainer and the evaluator can use: the shared tied-item adapter
// (`TiedItemRecommender`: RecBole's prefix or sequence rows, CE or BPR, scores from each row's last
// real position) over the GRU4Rec network.

import Models

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
