// SASRec in RecBole 1.2.1's state dict (`sequential_recommender/sasrec.py`, `layers.py`): SeqLab's
// SASRec is RecBole's, so the map is names and transposes only. RecBole's Linear layers keep their
// weights [out, in]; SeqLab's [in, out]. RecBole registers the embedding layer norm after the
// encoder, so its `LayerNorm.*` come last in the state dict.

import Datasets
import Models

extension SASRecFamily: RecBoleLayout {
    public static var recboleModel: String { "SASRec" }

    public static func recboleName(of name: String) -> (name: String, transposed: Bool)? { transformerRecBoleName(of: name) }

    public static func recboleOrder(_ name: String) -> Int { name.hasPrefix("LayerNorm.") ? 1 : 0 }

    public static func entries(config: RecBoleConfig?, shapes: [String: [Int]], defaults: RecBoleDefaults) throws -> [(String, String)] {
        guard let items = shapes["item_embedding.weight"], items.count == 2 else {
            throw TrainingError("the state dict has no 2-D item_embedding.weight, so it is not a RecBole SASRec")
        }
        let size: TransformerSize
        if let config {
            try requireTransformerDefaults(config, model: "SASRec")
            size = TransformerSize(hidden: try config.int("hidden_size"), layers: try config.int("n_layers"),
                                   heads: try config.int("n_heads"), inner: try config.int("inner_size"),
                                   maxLength: try config.int("MAX_ITEM_LIST_LENGTH"),
                                   hiddenDropout: Float(try config.double("hidden_dropout_prob")),
                                   attentionDropout: Float(try config.double("attn_dropout_prob")))
            try requireShapes([("hidden_size", size.hidden, "item_embedding.weight", 1),
                               ("MAX_ITEM_LIST_LENGTH", size.maxLength, "position_embedding.weight", 0),
                               ("inner_size", size.inner, "trm_encoder.layer.0.feed_forward.dense_1.weight", 0)],
                              layers: (size.layers, "trm_encoder.layer."), shapes)
        } else {
            size = TransformerSize(hidden: items[1], layers: layerCount("trm_encoder.layer.", shapes), heads: defaults.heads,
                                   inner: shapes["trm_encoder.layer.0.feed_forward.dense_1.weight"]?.first ?? 4 * items[1],
                                   maxLength: shapes["position_embedding.weight"]?.first ?? defaults.maxLength)
        }
        if let problem = SASRecConfiguration.problem(items: items[0], size: size) { throw TrainingError(problem) }
        let objective = try recboleObjective(config, items: items[0], model: "SASRec")
        return [("items", String(items[0]))] + size.entries + [("rows", RowKind.prefix.rawValue)]
            + ObjectiveEntries.entries(objective, counts: nil)
    }
}

/// The RecBole name of a parameter every RecBole transformer (SASRec, BERT4Rec, UniSRec's encoder)
/// has: the item and position tables, the embedding layer norm, and the layers'.
func transformerRecBoleName(of name: String) -> (name: String, transposed: Bool)? {
    switch name {
    case "item_embedding": return ("item_embedding.weight", false)
    case "position_embedding": return ("position_embedding.weight", false)
    case "ln.gamma": return ("LayerNorm.weight", false)
    case "ln.beta": return ("LayerNorm.bias", false)
    default: return transformerLayerName(of: name)
    }
}

/// The RecBole name of a SeqLab transformer-layer parameter (`layer<i>.q.weight` →
/// `trm_encoder.layer.<i>.multi_head_attention.query.weight`, transposed), or nil.
func transformerLayerName(of name: String) -> (name: String, transposed: Bool)? {
    let parts = name.split(separator: ".")
    guard parts.count == 3, parts[0].hasPrefix("layer"), let i = Int(parts[0].dropFirst(5)) else { return nil }
    let module: String
    switch parts[1] {
    case "q": module = "multi_head_attention.query"
    case "k": module = "multi_head_attention.key"
    case "v": module = "multi_head_attention.value"
    case "o": module = "multi_head_attention.dense"
    case "ln1": module = "multi_head_attention.LayerNorm"
    case "ff1": module = "feed_forward.dense_1"
    case "ff2": module = "feed_forward.dense_2"
    case "ln2": module = "feed_forward.LayerNorm"
    default: return nil
    }
    let field: String
    switch parts[2] {
    case "weight", "gamma": field = "weight"
    case "bias", "beta": field = "bias"
    default: return nil
    }
    let linear = !module.hasSuffix("LayerNorm")
    return ("trm_encoder.layer.\(i).\(module).\(field)", linear && field == "weight")
}
