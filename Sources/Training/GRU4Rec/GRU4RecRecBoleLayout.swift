// GRU4Rec in RecBole 1.2.1's state dict (`sequential_recommender/gru4rec.py`): SeqLab's GRU4Rec
// already carries RecBole's names and PyTorch's layouts; only the item table gains `.weight`.

import Datasets
import Models

extension GRU4RecFamily: RecBoleLayout {
    public static var recboleModel: String { "GRU4Rec" }

    public static func recboleName(of name: String) -> (name: String, transposed: Bool)? {
        name == "item_embedding" ? ("item_embedding.weight", false) : (name, false)
    }

    public static func entries(config: RecBoleConfig?, shapes: [String: [Int]], defaults: RecBoleDefaults) throws -> [(String, String)] {
        guard let items = shapes["item_embedding.weight"], items.count == 2 else {
            throw TrainingError("the state dict has no 2-D item_embedding.weight, so it is not a RecBole GRU4Rec")
        }
        let embedding: Int, hidden: Int, layers: Int, maxLength: Int, dropout: Double
        if let config {
            (embedding, hidden, layers) = (try config.int("embedding_size"), try config.int("hidden_size"), try config.int("num_layers"))
            (maxLength, dropout) = (try config.int("MAX_ITEM_LIST_LENGTH"), try config.double("dropout_prob"))
            try requireShapes([("embedding_size", embedding, "item_embedding.weight", 1), ("hidden_size", hidden, "gru_layers.weight_hh_l0", 1)],
                              layers: (layers, "gru_layers.weight_hh_l"), shapes)
        } else {
            guard let hh = shapes["gru_layers.weight_hh_l0"], hh.count == 2 else {
                throw TrainingError("the state dict has no 2-D gru_layers.weight_hh_l0, so it is not a RecBole GRU4Rec")
            }
            embedding = items[1]
            hidden = hh[1]
            layers = shapes.keys.filter { $0.hasPrefix("gru_layers.weight_hh_l") }.count
            (maxLength, dropout) = (defaults.maxLength, 0.3)
        }
        if let problem = GRU4RecConfiguration.problem(items: items[0], embedding: embedding, hidden: hidden, layers: layers,
                                                      dropout: Float(dropout), maxLength: maxLength) {
            throw TrainingError(problem)
        }
        let objective = try recboleObjective(config, items: items[0], model: "GRU4Rec")
        return [("items", String(items[0])), ("embedding", String(embedding)), ("hidden", String(hidden)),
                ("layers", String(layers)), ("maxLength", String(maxLength)), ("dropout", String(Float(dropout))),
                ("rows", RowKind.prefix.rawValue)] + ObjectiveEntries.entries(objective, counts: nil)
    }
}
