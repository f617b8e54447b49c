// The GRU4Rec family's descriptor: GRU4Rec as RecBole builds it, rebuilt from its checkpoint
// entries against `GRU4RecConfiguration`'s bounds.

import Datasets
import Models
import Tensors

/// GRU4Rec (Hidasi et al., ICLR 2016) as RecBole builds it.
public enum GRU4RecFamily: ModelFamily {
    public static let kind = "gru4rec"

    public static func rebuild(_ entries: ConfigurationEntries, name: String, seed: Seed) throws -> TrainableRecommender {
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
