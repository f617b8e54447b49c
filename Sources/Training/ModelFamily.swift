// A model family's descriptor: the one type that names a family and says how its saved
// configuration rebuilds it. The layers above extend the same type with what they add (the
// language's builtins in Workbench), so everything SeqLab states about a family hangs off one name,
// and the catalogue is a list of families rather than a switch over their names.

import Datasets
import Models
import Tensors

/// One family of models (NextItNet, SASRec, ...): its name in checkpoints and how a checkpoint rebuilds it.
public protocol ModelFamily {
    /// The family's name as checkpoints record it (the "model" configuration entry).
    static var kind: String { get }
    /// Whether `rebuild` can restore this family from a checkpoint; `save` refuses the others up
    /// front, before any training would be lost at restore.
    static var restorable: Bool { get }
    /// The model that `entries` (a checkpoint's `configurationEntries`) describe, named `name` and
    /// initialised from `seed` before the checkpoint's weights overwrite it. Sizes are checked
    /// against the family's bounds, so a damaged entry is an error, not a huge allocation.
    static func rebuild(_ entries: ConfigurationEntries, name: String, seed: Seed) throws -> TrainableRecommender
}

extension ModelFamily {
    public static var restorable: Bool { true }
}

/// A family whose checkpoints cannot be restored yet: a transfer model's checkpoint does not hold
/// its base, item text or codes.
public protocol UnrestorableModelFamily: ModelFamily {}

extension UnrestorableModelFamily {
    public static var restorable: Bool { false }
    public static func rebuild(_ entries: ConfigurationEntries, name: String, seed: Seed) throws -> TrainableRecommender {
        throw TrainingError("restore cannot rebuild a \(kind) model yet: its checkpoint does not hold what it was built from")
    }
}

/// Every model family SeqLab knows, in the order help and tables list them.
public enum ModelCatalog {
    /// The families. Adding a family is adding its descriptor here.
    public static let families: [any ModelFamily.Type] = [
        NextItNetFamily.self, GRecFamily.self, PeterRecFamily.self, ConureFamily.self,
        SASRecFamily.self, BERT4RecFamily.self, UniSRecFamily.self, VQRecFamily.self,
        GRU4RecFamily.self,
    ]

    /// The family called `kind`, or nil.
    public static func family(_ kind: String) -> (any ModelFamily.Type)? {
        families.first { $0.kind == kind }
    }

    /// The model described by `entries` (from `configurationEntries`), named `name`, initialised
    /// from `seed` before the checkpoint's weights overwrite it.
    public static func build(_ entries: [(String, String)], name: String, seed: Seed) throws -> TrainableRecommender {
        let entries = ConfigurationEntries(entries)
        guard let kind = entries["model"], let family = family(kind) else {
            throw TrainingError("the checkpoint holds a model of kind '\(entries["model"] ?? "?")', which this SeqLab cannot build")
        }
        return try family.rebuild(entries, name: name, seed: seed)
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
