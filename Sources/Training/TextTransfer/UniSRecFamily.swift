// The UniSRec family's descriptor. A UniSRec checkpoint is self-contained: beside the parameters
// (adaptor, item table in transductive mode, encoder) it holds the item text table the model reads
// (and its word-dropped twin when it has one), so restoring needs no encoder; its entries say the
// mode, the sizes, the objective and how the model was obtained. Which parameters train (a frozen
// encoder) is the checkpoint's "frozen" entry.

import Datasets
import Models
import Tensors

/// UniSRec (Hou et al., KDD 2022: item vectors from item text through a mixture-of-experts adaptor).
public enum UniSRecFamily: TrainerModelFamily {
    public static let kind = "unisrec"

    /// Bounds of the sizes only a checkpoint gives (the language takes them from the data).
    public enum Bounds {
        /// Item ids, padding included.
        public static let items = 2...(1 << 26)
        /// Width of the item text vectors.
        public static let featureWidth = 1...65_536
        /// Experts of the adaptor (as `unisrec(experts:)` allows).
        public static let experts = 1...256
    }

    /// The item text table, its word-dropped twin and which rows of that are real.
    public static func savedState(of model: TrainableRecommender) -> [(name: String, value: SafetensorsValue)] {
        guard let unisrec = model as? UniSRecRecommender else { return [] }
        let features = unisrec.network.features
        var state: [(name: String, value: SafetensorsValue)] = [("features", .float(features.primary))]
        if let secondary = features.secondary {
            state.append(("features.wordDropped", .float(secondary)))
            state.append(("features.hasWordDropped", .int32(IndexTensor(shape: [features.rows], values: features.hasSecondary.map { $0 ? 1 : 0 }))))
        }
        return state
    }

    public static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender {
        let items = try entries.int("items"), width = try entries.int("featureWidth"), experts = try entries.int("experts")
        guard Bounds.items.contains(items), Bounds.featureWidth.contains(width), Bounds.experts.contains(experts) else {
            throw TrainingError("the saved configuration is out of range: items \(items), featureWidth \(width), experts \(experts)")
        }
        var configuration = UniSRecConfiguration(featureWidth: width, experts: experts,
                                                 adaptorDropout: Float(try entries.double("adaptorDropout")),
                                                 temperature: Float(try entries.double("temperature")))
        configuration.size = try TransformerSize(entries)
        if let problem = configuration.problem { throw TrainingError("the saved configuration is out of range: \(problem)") }
        guard let mode = UniSRecMode(rawValue: try entries.string("mode")) else {
            throw TrainingError("the saved UniSRec mode '\(entries["mode"] ?? "")' is not inductive or transductive")
        }
        let objective: UniSRecObjective
        switch try entries.string("objective") {
        case "nextItem": objective = .nextItem
        case "pretraining":
            let augmentation = ContrastiveAugmentation(itemDropProbability: try entries.double("itemDropProbability"),
                                                       itemDropRate: try entries.double("itemDropRate"),
                                                       wordDropRate: try entries.double("wordDropRate"))
            let lambda = try entries.double("lambda")
            if let problem = augmentation.problem { throw TrainingError("the saved augmentation is out of range: \(problem)") }
            guard lambda.isFinite, lambda >= 0 else { throw TrainingError("the saved lambda \(lambda) is out of range") }
            objective = .pretraining(lambda: Float(lambda), augmentation: augmentation)
        case let other: throw TrainingError("the saved UniSRec objective '\(other)' is not nextItem or pretraining")
        }
        let primary = try state.floats("features", shape: [items, width], what: "the item text table")
        var secondary: Tensor?, hasSecondary: [Bool]?
        if state.has("features.wordDropped") {
            secondary = try state.floats("features.wordDropped", shape: [items, width], what: "the word-dropped item text table")
            hasSecondary = try state.ints("features.hasWordDropped", shape: [items], in: 0...1, what: "which word-dropped rows are real")
                .map { $0 == 1 }
        }
        let values = primary.scalars, secondaryValues = secondary?.scalars
        if let problem = ItemTextFeatures.problem(rows: items, width: width, values: values, secondary: secondaryValues,
                                                  hasSecondary: hasSecondary) {
            throw TrainingError("the saved item text table is damaged: \(problem)")
        }
        let features = ItemTextFeatures(rows: items, width: width, values: values, secondary: secondaryValues, hasSecondary: hasSecondary)
        let network = UniSRec(configuration, features: features, mode: mode, seed: seed)
        if try entries.string("frozen") == "encoder" { for p in network.frozenWhenFineTuning { p.isFrozen = true } }
        return UniSRecRecommender(network: network, objective: objective, origin: entries["origin"] ?? "restored", name: name)
    }
}
