// A model family's descriptor: the one type that names a family and says how its saved
// configuration rebuilds it. The layers above extend the same type with what they add (the
// language's builtins in Workbench), so everything SeqLab states about a family hangs off one name,
// and the catalogue is a list of families rather than a switch over their names.
//
// Most families train one model under one `Trainer` and are saved as trainer checkpoints
// (`TrainerModelFamily`). Conure is a learner over several tasks, each phase with a trainer of its
// own that is gone once the task is learned; it is saved as a whole learner (ConureCheckpoint.swift).

import Datasets
import Models
import Tensors

/// One family of models (NextItNet, SASRec, Conure, ...): its name in checkpoints.
public protocol ModelFamily: Sendable {
    /// The family's name as checkpoints record it (the "model" configuration entry).
    static var kind: String { get }
}

/// A family whose models are saved as trainer checkpoints (TrainerCheckpoint.swift): their
/// configuration entries, parameters and the tensors `savedState` adds rebuild them exactly.
public protocol TrainerModelFamily: ModelFamily {
    /// What `model` (of this family) needs saved beside its parameters and configuration entries to
    /// be rebuilt from its checkpoint alone: item text, item codes, a sampler's counts. Written under
    /// `SavedState.prefix`; `rebuild` reads them back.
    static func savedState(of model: TrainableRecommender) -> [(name: String, value: SafetensorsValue)]
    /// The model that `entries` (a checkpoint's `configurationEntries`) and `state` (what
    /// `savedState` wrote) describe, named `name` and initialised from `seed` before the checkpoint's
    /// weights overwrite it. Sizes are checked against the family's bounds before anything is
    /// allocated, so a damaged entry is an error, not a huge allocation.
    static func rebuild(_ entries: ConfigurationEntries, state: SavedState, name: String, seed: Seed) throws -> TrainableRecommender
}

extension TrainerModelFamily {
    /// Nothing beyond parameters and entries (NextItNet, GRec, SASRec, BERT4Rec, GRU4Rec).
    public static func savedState(of model: TrainableRecommender) -> [(name: String, value: SafetensorsValue)] { [] }
}

/// Every model family SeqLab knows, in the order help and tables list them.
public enum ModelCatalog {
    /// The families. Adding a family is adding its descriptor here.
    public static let families: [any ModelFamily.Type] = [
        NextItNetFamily.self, GRecFamily.self, PeterRecFamily.self, ConureFamily.self,
        SASRecFamily.self, BERT4RecFamily.self, UniSRecFamily.self, VQRecFamily.self,
        GRU4RecFamily.self, RecBoleNextItNetFamily.self,
    ]

    /// The family called `kind`, or nil.
    public static func family(_ kind: String) -> (any ModelFamily.Type)? {
        families.first { $0.kind == kind }
    }

    /// The model described by `entries` (from `configurationEntries`) and the family's saved
    /// `state`, named `name`, initialised from `seed` before the checkpoint's weights overwrite it.
    public static func build(_ entries: [(String, String)], state: SavedState = .empty, name: String, seed: Seed) throws -> TrainableRecommender {
        let entries = ConfigurationEntries(entries)
        let kind = entries["model"] ?? "?"
        guard let family = family(kind) else {
            throw TrainingError("the checkpoint holds a model of kind '\(kind)', which this SeqLab cannot build")
        }
        guard let trainerFamily = family as? any TrainerModelFamily.Type else {
            throw TrainingError("a \(kind) checkpoint holds a whole learner, not one trained model; restore it with restore(name, data)")
        }
        return try trainerFamily.rebuild(entries, state: state, name: name, seed: seed)
    }

    /// The tensors the family of `model` saves beside its parameters (none for an unknown kind).
    public static func savedState(of model: TrainableRecommender) -> [(name: String, value: SafetensorsValue)] {
        let kind = model.configurationEntries.first { $0.0 == "model" }?.1 ?? ""
        guard let family = family(kind) as? any TrainerModelFamily.Type else { return [] }
        return family.savedState(of: model)
    }
}

/// A checkpoint's configuration entries, read with the checks a damaged file needs.
public struct ConfigurationEntries {
    private var values: [String: String] = [:]

    /// The entries as `configurationEntries` lists them (a repeated key keeps its last value).
    public init(_ entries: [(String, String)]) {
        for (key, value) in entries { values[key] = value }
    }

    /// The raw value of `key`, or nil.
    public subscript(key: String) -> String? { values[key] }

    /// The text `key`.
    public func string(_ key: String) throws -> String {
        guard let text = values[key] else { throw TrainingError("the saved configuration has no '\(key)'") }
        return text
    }

    /// The integer `key`.
    public func int(_ key: String) throws -> Int {
        guard let text = values[key], let v = Int(text) else { throw TrainingError("the saved configuration has no integer '\(key)'") }
        return v
    }

    /// The number `key`.
    public func double(_ key: String) throws -> Double {
        guard let text = values[key], let v = Double(text) else { throw TrainingError("the saved configuration has no number '\(key)'") }
        return v
    }

    /// The truth value `key` ("true" or "false").
    public func bool(_ key: String) throws -> Bool {
        guard let text = values[key], let v = Bool(text) else { throw TrainingError("the saved configuration has no true/false '\(key)'") }
        return v
    }

    /// The comma-separated integers of `key` (empty when absent).
    public func ints(_ key: String) -> [Int] {
        (values[key] ?? "").split(separator: ",").compactMap { Int($0) }
    }

    /// The row kind of `key` ("prefix" when absent).
    public func rows(_ key: String = "rows") throws -> RowKind {
        guard let rows = RowKind(rawValue: values[key] ?? "prefix") else {
            throw TrainingError("the saved configuration has \(key) '\(values[key] ?? "")'; expected prefix or sequence")
        }
        return rows
    }
}
