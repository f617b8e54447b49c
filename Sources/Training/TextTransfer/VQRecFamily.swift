// The VQ-Rec family's descriptor. A VQ-Rec checkpoint is self-contained: beside the parameters
// (code table, permutation scores, encoder) it holds every item's codes, and its entries say the
// sizes, the objective, how the model was obtained and whether the permutation is re-assigning the
// code embeddings (the fine-tuning phase). Which parameters train is the checkpoint's "frozen"
// entry; the fine-tuning schedule around the model saves itself (VQRecFineTuningCheckpoint.swift).
// The quantiser that made the codes belongs to the language's text state, which saves it too.

import Datasets
import Models
import Tensors

/// VQ-Rec (Hou et al., WWW 2023: items as discrete codes of their text, through a code table shared across domains).
public enum VQRecFamily: TrainerModelFamily {
    public static let kind = "vqrec"

    /// Bounds of the sizes a checkpoint gives (the language's `vqrec(codes:, centroids:)` bounds).
    public enum Bounds {
        /// Item ids, padding included.
        public static let items = 2...(1 << 26)
        /// Codes per item D.
        public static let codes = 1...4096
        /// Centroids per sub-space K.
        public static let centroids = 2...256
    }

    /// Every item's codes [items, D].
    public static func savedState(of model: TrainableRecommender) -> [(name: String, value: SafetensorsValue)] {
        guard let vqrec = model as? VQRecRecommender else { return [] }
        let codes = vqrec.network.codes
        return [("codes", .int32(IndexTensor(shape: [codes.rows, codes.positions], values: codes.values)))]
    }

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let items = try entries.int("items"), d = try entries.int("codes"), k = try entries.int("centroids")
        guard Bounds.items.contains(items), Bounds.codes.contains(d), Bounds.centroids.contains(k) else {
            throw TrainingError("the saved configuration is out of range: items \(items), codes \(d), centroids \(k)")
        }
        var configuration = VQRecConfiguration(codePositions: d, codeCap: k, temperature: Float(try entries.double("temperature")),
                                               fakeCodeRatio: Float(try entries.double("fakeCodeRatio")),
                                               sinkhornIterations: try entries.int("sinkhornIterations"),
                                               sinkhornTemperature: Float(try entries.double("sinkhornTemperature")))
        configuration.size = try TransformerSize(entries)
        if let problem = configuration.problem { throw TrainingError("the saved configuration is out of range: \(problem)") }
        guard configuration.sinkhornIterations <= 1000 else {
            throw TrainingError("the saved configuration is out of range: \(configuration.sinkhornIterations) Sinkhorn iterations")
        }
        guard let reassignment = VQRecPermutation(rawValue: try entries.string("reassignment")) else {
            throw TrainingError("the saved reassignment '\(entries["reassignment"] ?? "")' is not learned, released or none")
        }
        guard let objective = VQRecObjective(rawValue: try entries.string("objective")) else {
            throw TrainingError("the saved VQ-Rec objective '\(entries["objective"] ?? "")' is not nextItem or pretraining")
        }
        let values = try state.ints("codes", shape: [items, d], in: 0...(k - 1), what: "the items' codes").map { Int32($0) }
        if let problem = ItemCodes.problem(rows: items, positions: d, cap: k, values: values) {
            throw TrainingError("the saved item codes are damaged: \(problem)")
        }
        let network = VQRec(configuration, codes: ItemCodes(rows: items, positions: d, cap: k, values: values), seed: seed)
        network.reassignment = reassignment
        return VQRecRecommender(network: network, objective: objective, origin: entries["origin"] ?? "restored", name: name)
    }
}
