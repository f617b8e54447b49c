// BERT4Rec in RecBole 1.2.1's state dict (`sequential_recommender/bert4rec.py`, `layers.py`): SeqLab's
// BERT4Rec with `recbole: .v1_2_1` is RecBole 1.2.1's class (Docs/fidelity.md B1, B2; checked in
// Tests/TrainingTests/RecBoleBERT4RecGoldenTests.swift), so the map is names and transposes only.
// RecBole's Linear layers keep their weights [out, in]; SeqLab's [in, out].
//   item_embedding.weight [N + 1, H]    item_embedding       (RecBole's n_items + 1 rows, the last the mask token)
//   position_embedding.weight [L, H]    position_embedding   (L = MAX_ITEM_LIST_LENGTH: 1.2.1's table)
//   trm_encoder.layer.<i>.*             layer<i>.*           (as SASRec's, `transformerLayerName`)
//   LayerNorm.weight / .bias            ln.gamma / ln.beta
//   output_ffn.weight [H, H] / .bias    output.dense.weight (transposed) / output.dense.bias
//   output_ln.weight / .bias            output.ln.gamma / output.ln.beta
//   output_bias [N]                     output.bias
// State-dict order: PyTorch writes a module's own parameters before its submodules', so
// `output_bias`, a parameter of BERT4Rec itself, comes first; then the submodules in registration
// order: item and position embeddings, encoder, LayerNorm, output_ffn, output_ln.
// A SeqLab BERT4Rec of the default (RecBole 1.0.1) has no head and one more position row: RecBole
// 1.2.1 cannot load it, and `exportRefusal` says so.

import Datasets
import Models

extension BERT4RecFamily: RecBoleLayout {
    public static var recboleModel: String { "BERT4Rec" }

    public static func recboleName(of name: String) -> (name: String, transposed: Bool)? {
        switch name {
        case "output.dense.weight": return ("output_ffn.weight", true)
        case "output.dense.bias": return ("output_ffn.bias", false)
        case "output.ln.gamma": return ("output_ln.weight", false)
        case "output.ln.beta": return ("output_ln.bias", false)
        case "output.bias": return ("output_bias", false)
        default: return transformerRecBoleName(of: name)
        }
    }

    public static func recboleOrder(_ name: String) -> Int {
        if name == "output_bias" { return 0 }
        if name.hasPrefix("LayerNorm.") { return 2 }
        if name.hasPrefix("output_ffn.") { return 3 }
        if name.hasPrefix("output_ln.") { return 4 }
        return 1   // item_embedding, position_embedding, trm_encoder.*: SeqLab's order is RecBole's
    }

    /// Why RecBole 1.2.1 cannot load a SeqLab BERT4Rec with these configuration entries, or nil:
    /// only the `recbole: "1.2.1"` variant has RecBole 1.2.1's output head and position table.
    public static func exportRefusal(_ entries: [(String, String)]) -> String? {
        let release = ConfigurationEntries(entries)["recbole"] ?? BERT4RecConfiguration.RecBoleRelease.v1_0_1.rawValue
        guard release != BERT4RecConfiguration.RecBoleRelease.v1_2_1.rawValue else { return nil }
        return "this BERT4Rec is RecBole \(release)'s, which RecBole 1.2.1 cannot load (no output head, one more position row); build it with bert4rec(..., recbole: \"1.2.1\") to export it"
    }

    public static func entries(config: RecBoleConfig?, shapes: [String: [Int]], defaults: RecBoleDefaults) throws -> [(String, String)] {
        guard let table = shapes["item_embedding.weight"], table.count == 2 else {
            throw TrainingError("the state dict has no 2-D item_embedding.weight, so it is not a RecBole BERT4Rec")
        }
        guard shapes["output_ffn.weight"] != nil else {
            throw TrainingError("the state dict has no output_ffn.weight: it is not RecBole 1.2.1's BERT4Rec (RecBole 1.0.1's has no output head; SeqLab reads 1.2.1's)")
        }
        let items = table[0] - 1   // n_items + 1 rows: ids 0 ..< n_items and the mask token n_items
        if let bias = shapes["output_bias"], bias != [items] {
            throw TrainingError("the state dict's output_bias is \(bias) but its item_embedding.weight \(table) has \(items) item rows besides the mask token")
        }
        let size: TransformerSize, maskRatio: Double
        if let config {
            try requireTransformerDefaults(config, model: "BERT4Rec")
            if let loss = config.string("loss_type"), loss != "CE" {
                throw TrainingError("the RecBole BERT4Rec trains with loss_type '\(loss)'; SeqLab's BERT4Rec trains with CE")
            }
            size = TransformerSize(hidden: try config.int("hidden_size"), layers: try config.int("n_layers"),
                                   heads: try config.int("n_heads"), inner: try config.int("inner_size"),
                                   maxLength: try config.int("MAX_ITEM_LIST_LENGTH"),
                                   hiddenDropout: Float(try config.double("hidden_dropout_prob")),
                                   attentionDropout: Float(try config.double("attn_dropout_prob")))
            maskRatio = try config.double("mask_ratio")
            try requireShapes([("hidden_size", size.hidden, "item_embedding.weight", 1),
                               ("MAX_ITEM_LIST_LENGTH", size.maxLength, "position_embedding.weight", 0),
                               ("inner_size", size.inner, "trm_encoder.layer.0.feed_forward.dense_1.weight", 0)],
                              layers: (size.layers, "trm_encoder.layer."), shapes)
        } else {
            // A bare state dict shows the sizes but not the training settings: those are RecBole
            // 1.2.1's BERT4Rec.yaml (dropouts 0.2 / 0.2, mask_ratio 0.2).
            size = TransformerSize(hidden: table[1], layers: layerCount("trm_encoder.layer.", shapes), heads: defaults.heads,
                                   inner: shapes["trm_encoder.layer.0.feed_forward.dense_1.weight"]?.first ?? 4 * table[1],
                                   maxLength: shapes["position_embedding.weight"]?.first ?? defaults.maxLength,
                                   hiddenDropout: 0.2, attentionDropout: 0.2)
            maskRatio = 0.2
        }
        if let problem = BERT4RecConfiguration.problem(items: items, size: size, maskRatio: maskRatio) { throw TrainingError(problem) }
        return [("items", String(items))] + size.entries
            + [("maskRatio", String(maskRatio)), ("rows", RowKind.prefix.rawValue),
               ("recbole", BERT4RecConfiguration.RecBoleRelease.v1_2_1.rawValue)]
    }
}
