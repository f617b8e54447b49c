// UniSRec in the authors' checkpoints (`unisrec.py` on RecBole): the pretrained model they release
// (`UniSRec-FHCKM-300.pth`) is RecBole's trainer checkpoint, {'config', 'epoch', 'state_dict', ...},
// whose state dict holds the MoE adaptor (`moe_adaptor.experts.<k>.lin.weight` [H, d] and `.bias`
// [d], `moe_adaptor.w_gate`, `moe_adaptor.w_noise` [d, E]), SASRec's encoder under RecBole's names,
// and two tables of its own catalogue: `plm_embedding.weight` (the item text vectors) and
// `item_embedding.weight`. Those two belong to the catalogue it was trained on, so a transfer reads
// the adaptor and the encoder and builds the item side from the new catalogue's own text vectors, as
// the authors' `finetune.py` does; a transductive model's item table starts fresh, unless the
// checkpoint's has exactly this catalogue's rows (a model fine-tuned on it). SeqLab names the same
// tensors as `UniSRec.parameters` does, Linear weights transposed.

import Datasets
import Models
import Tensors

/// UniSRec as the authors' checkpoints name and lay it out.
public enum UniSRecAuthorsLayout {
    /// The authors' name of SeqLab's UniSRec parameter `name`, and whether they store it
    /// transposed; nil for a name the authors' model does not have.
    public static func authorsName(of name: String) -> (name: String, transposed: Bool)? {
        switch name {
        case "adaptor.gate": return ("moe_adaptor.w_gate", false)
        case "adaptor.noise": return ("moe_adaptor.w_noise", false)
        default: break
        }
        let parts = name.split(separator: ".")
        if parts.count == 3, parts[0] == "adaptor", parts[1].hasPrefix("expert"), let k = Int(parts[1].dropFirst(6)) {
            switch parts[2] {
            case "bias": return ("moe_adaptor.experts.\(k).bias", false)
            case "weight": return ("moe_adaptor.experts.\(k).lin.weight", true)
            default: return nil
            }
        }
        return transformerRecBoleName(of: name)
    }

    /// A UniSRec over `features` (this catalogue's item text vectors, row 0 padding) in `mode`, with
    /// the adaptor and encoder of `checkpoint` (the authors' trainer checkpoint, or a bare state dict
    /// of theirs, whose attention heads `heads` gives). Named `name`; `seed` draws what the
    /// checkpoint does not hold (a fresh transductive item table) and later training.
    public static func importModel(_ checkpoint: TorchCheckpoint, features: FeatureMatrix, mode: UniSRecMode,
                                   heads: Int = 2, name: String = "unisrec", seed: Seed) throws -> ImportedModel {
        let path = checkpoint.path
        var stateValue = checkpoint.pickle.root
        var config: RecBoleConfig?
        var source = "the authors' UniSRec state dict"
        if let trainer = try RecBoleTrainerCheckpoint(checkpoint) {
            guard let found = trainer.config else {
                throw TrainingError("\(path): the checkpoint has a state_dict but no RecBole config with a final_config_dict")
            }
            if let model = found.string("model"), model != "UniSRec" {
                throw TrainingError("\(path): the checkpoint holds \(model), not UniSRec")
            }
            (stateValue, config) = (trainer.stateDict, found)
            source = "the authors' UniSRec checkpoint (stage \(found.string("train_stage") ?? "?")" + (trainer.epoch.map { ", epoch \($0)" } ?? "") + ")"
        }
        let tensors = try checkpoint.stateDict(stateValue)
        var byName: [String: TorchTensorReference] = [:]
        for (n, t) in tensors { byName[n] = t }
        guard let positions = byName["position_embedding.weight"]?.shape, positions.count == 2,
              let expert = byName["moe_adaptor.experts.0.lin.weight"]?.shape, expert.count == 2 else {
            throw TrainingError("\(path): the state dict has no position_embedding.weight or moe_adaptor.experts.0.lin.weight, so it is not the authors' UniSRec")
        }
        let experts = Set(byName.keys.compactMap { key -> Int? in
            guard key.hasPrefix("moe_adaptor.experts.") else { return nil }
            return Int(key.dropFirst("moe_adaptor.experts.".count).prefix { $0 != "." })
        }).count
        let layers = Set(byName.keys.compactMap { key -> Int? in
            guard key.hasPrefix("trm_encoder.layer.") else { return nil }
            return Int(key.dropFirst("trm_encoder.layer.".count).prefix { $0 != "." })
        }).count
        let hidden = positions[1]
        var configuration: UniSRecConfiguration
        if let config {
            if let act = config.string("hidden_act"), act != "gelu" {
                throw TrainingError("\(path): the checkpoint's UniSRec uses hidden_act '\(act)'; SeqLab's has gelu (exact erf)")
            }
            let eps = try config.double("layer_norm_eps")
            guard abs(eps - 1e-12) <= 1e-18 else { throw TrainingError("\(path): the checkpoint uses layer_norm_eps \(eps); SeqLab's UniSRec has 1e-12") }
            configuration = UniSRecConfiguration(
                featureWidth: expert[1], hidden: try config.int("hidden_size"), layers: try config.int("n_layers"),
                heads: try config.int("n_heads"), inner: try config.int("inner_size"), maxLength: try config.int("MAX_ITEM_LIST_LENGTH"),
                hiddenDropout: Float(try config.double("hidden_dropout_prob")), attentionDropout: Float(try config.double("attn_dropout_prob")),
                experts: try config.int("n_exps"), adaptorDropout: Float(try config.double("adaptor_dropout_prob")),
                temperature: Float(try config.double("temperature")))
        } else {
            configuration = UniSRecConfiguration(featureWidth: expert[1], hidden: hidden, layers: layers, heads: heads,
                                                 inner: byName["trm_encoder.layer.0.feed_forward.dense_1.weight"]?.shape.first ?? 4 * hidden,
                                                 maxLength: positions[0], experts: experts)
        }
        guard configuration.hidden == hidden, configuration.maxLength == positions[0], configuration.experts == experts,
              configuration.size.layers == layers else {
            throw TrainingError("\(path): the config (hidden \(configuration.hidden), \(configuration.size.layers) layers, \(configuration.experts) experts, max length \(configuration.maxLength)) disagrees with the tensors (hidden \(hidden), \(layers) layers, \(experts) experts, \(positions[0]) positions)")
        }
        if let problem = configuration.problem { throw TrainingError("\(path): \(problem)") }
        guard features.width == configuration.featureWidth else {
            throw TrainingError("the data's item features are \(features.width)-d but the checkpoint's adaptor reads \(configuration.featureWidth)-d vectors; give the data the text features the model was trained with (e.g. its .feat1CLS)")
        }
        let model = try UniSRecRecommender(configuration, features: features, mode: mode, seed: seed, name: name)
        // The item side of the checkpoint's own catalogue: read only when it is this catalogue's.
        var optional: Set<String> = ["plm_embedding.weight"]
        if let table = byName["item_embedding.weight"], mode == .inductive || table.shape != [features.rows, hidden] {
            optional.insert("item_embedding.weight")
        }
        var used = Set<String>()
        for parameter in model.parameters {
            guard let (authors, transposed) = authorsName(of: parameter.name) else {
                throw TrainingError("SeqLab's UniSRec has a parameter \(parameter.name) with no counterpart in the authors' model")
            }
            guard !optional.contains(authors), let reference = byName[authors] else {
                if authors == "item_embedding.weight" { continue }   // a fresh table for this catalogue
                throw TrainingError("\(path): the state dict has no '\(authors)' (SeqLab's \(parameter.name))")
            }
            let expected = transposed ? Array(parameter.shape.reversed()) : parameter.shape
            guard reference.shape == expected else {
                throw TrainingError("\(path): '\(authors)' is \(reference.shape) but this UniSRec needs \(expected)")
            }
            let values = try checkpoint.floatTensor(reference, name: authors)
            if transposed {
                let (rows, columns) = (reference.shape[0], reference.shape[1])
                transpose(values.pointer, rows: rows, columns: columns, into: parameter.pointer)
            } else {
                parameter.pointer.update(from: values.pointer, count: values.count)
            }
            used.insert(authors)
        }
        if let extra = tensors.first(where: { !used.contains($0.name) && !optional.contains($0.name) }) {
            throw TrainingError("\(path): the state dict has '\(extra.name)', which the authors' UniSRec does not have")
        }
        // Same row count is all a file can show; say so, since another catalogue of that size would fit too.
        let table = used.contains("item_embedding.weight") ? "; its item table read as this catalogue's (same row count)" : ""
        return ImportedModel(model: model, source: source + table)
    }
}
