// RecBole 1.2.1's NextItNet as a family of its own ("nextitnet-recbole"): not the authors' model
// (Docs/fidelity.md, N1–N6), offered to compare with RecBole's numbers and to read and write
// RecBole's checkpoints. Its recommender is the shared tied-item adapter on prefix rows, as RecBole
// trains it; its entries, bounds and RecBole state-dict names are stated here once.

import Datasets
import Models
import Tensors

/// NextItNet as RecBole 1.2.1 builds it.
public enum RecBoleNextItNetFamily: TrainerModelFamily {
    public static let kind = "nextitnet-recbole"

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let items = try entries.int("items"), channels = try entries.int("channels"), kernel = try entries.int("kernel")
        let dilations = entries.ints("dilations"), maxLength = try entries.int("maxLength")
        if let problem = RecBoleNextItNetConfiguration.problem(items: items, channels: channels, kernel: kernel, dilations: dilations,
                                                               maxLength: maxLength) {
            throw TrainingError("the saved configuration is out of range: \(problem)")
        }
        guard try entries.rows() == .prefix else { throw TrainingError("RecBole's NextItNet trains on prefix rows only") }
        let (objective, _) = try ObjectiveEntries.parse(entries, itemCount: items)
        guard RecBoleNextItNet.supports(objective) else { throw TrainingError("RecBole's NextItNet trains with CE or BPR, not \(objective)") }
        return RecBoleNextItNetRecommender(
            RecBoleNextItNetConfiguration(items: items, channels: channels, kernel: kernel, dilations: dilations, maxLength: maxLength),
            seed: seed, objective: objective, rows: .prefix, name: name)
    }
}

/// RecBole's NextItNet trained with its CE or BPR on prefix rows.
public typealias RecBoleNextItNetRecommender = TiedItemRecommender<RecBoleNextItNet>

extension RecBoleNextItNet: TiedItemFamilyNetwork {
    public static var kind: String { RecBoleNextItNetFamily.kind }

    public var sizeSummary: String {
        let c = configuration
        return "\(c.channels) channels, kernel \(c.kernel), blocks with dilations "
            + c.dilations.map { "(\($0), \(2 * $0))" }.joined(separator: " ")
            + ", window \(c.maxLength) read at its last column, final layer tied to the item table"
    }

    public var sizeEntries: [(String, String)] {
        let c = configuration
        return [("channels", String(c.channels)), ("kernel", String(c.kernel)),
                ("dilations", c.dilations.map(String.init).joined(separator: ",")), ("maxLength", String(c.maxLength))]
    }
}

extension RecBoleNextItNetFamily: RecBoleLayout {
    public static var recboleModel: String { "NextItNet" }

    public static func recboleName(of name: String) -> (name: String, transposed: Bool)? {
        switch name {
        case "item_embedding": return ("item_embedding.weight", false)
        case "final.weight": return ("final_layer.weight", true)
        case "final.bias": return ("final_layer.bias", false)
        default: break
        }
        // block<i>.conv1.weight → residual_blocks.<i>.conv1.weight; ln gamma/beta → weight/bias.
        let parts = name.split(separator: ".")
        guard parts.count == 3, parts[0].hasPrefix("block"), let i = Int(parts[0].dropFirst(5)) else { return nil }
        let field: String
        switch parts[2] {
        case "weight", "gamma": field = "weight"
        case "bias", "beta": field = "bias"
        default: return nil
        }
        return ("residual_blocks.\(i).\(parts[1]).\(field)", false)
    }

    public static func isConvolution(_ name: String) -> Bool { name.hasSuffix(".weight") && name.contains(".conv") }

    public static func entries(config: RecBoleConfig?, shapes: [String: [Int]], defaults: RecBoleDefaults) throws -> [(String, String)] {
        guard let items = shapes["item_embedding.weight"], items.count == 2 else {
            throw TrainingError("the state dict has no 2-D item_embedding.weight, so it is not a RecBole NextItNet")
        }
        guard let config else {
            throw TrainingError("a bare RecBole NextItNet state dict does not hold its dilations; import the checkpoint RecBole's trainer saved (its config has them)")
        }
        let blocks = layerCount("residual_blocks.", shapes)
        guard let conv = shapes["residual_blocks.0.conv1.weight"], conv.count == 4 else {
            throw TrainingError("the state dict has no 4-D residual_blocks.0.conv1.weight, so it is not a RecBole NextItNet")
        }
        try requireShapes([("embedding_size", try config.int("embedding_size"), "item_embedding.weight", 1)], shapes)
        // RecBole repeats `dilations` block_num times; checked against the blocks present before the
        // list is built, so a hostile block_num cannot trap or allocate.
        let perBlock = try config.ints("dilations"), repeats = try config.int("block_num")
        guard repeats >= 1, !perBlock.isEmpty, perBlock.count <= blocks, repeats <= blocks / perBlock.count,
              perBlock.count * repeats == blocks else {
            throw TrainingError("the config's dilations \(perBlock.prefix(16)) × block_num \(repeats) disagree with the state dict's \(blocks) blocks")
        }
        let dilations = Array(repeatElement(perBlock, count: repeats).joined())
        let maxLength = try config.int("MAX_ITEM_LIST_LENGTH")
        guard try config.int("kernel_size") == conv[3] else { throw TrainingError("the config's kernel_size disagrees with the convolutions \(conv)") }
        // RecBole's reg_weight term (norms of the item table, final layer and block weights) shapes
        // training only; the imported weights are what they are (Docs/fidelity.md, N7).
        if let problem = RecBoleNextItNetConfiguration.problem(items: items[0], channels: items[1], kernel: conv[3], dilations: dilations,
                                                               maxLength: maxLength) {
            throw TrainingError(problem)
        }
        let objective = try recboleObjective(config, items: items[0], model: "NextItNet")
        return [("items", String(items[0])), ("channels", String(items[1])), ("kernel", String(conv[3])),
                ("dilations", dilations.map(String.init).joined(separator: ",")), ("maxLength", String(maxLength)),
                ("rows", RowKind.prefix.rawValue)] + ObjectiveEntries.entries(objective, counts: nil)
    }
}
