// The tensors a family saves beside a model's parameters (TrainerModelFamily.savedState): what the
// model was built from and what it does not train, such as UniSRec's item text table, VQ-Rec's item
// codes or the target counts of a LambdaFM sampler. They sit under "state." in a checkpoint.
//
// Every read names the size it expects, computed from configuration entries that were already
// checked against the family's bounds, and the stored entry's shape is compared with it before a
// single value is copied: a damaged file is an error that says what to do, never a crash or a huge
// allocation.

import Foundation
import Tensors

/// A checkpoint's "state." tensors, read with the checks a damaged file needs.
public struct SavedState {
    /// The prefix of the state tensors' names in a checkpoint.
    public static let prefix = "state."

    /// No saved state (a configuration alone, as in tests that build from entries).
    public static var empty: SavedState { SavedState(file: nil, source: "the configuration") }

    private let file: SafetensorsFile?
    private let source: String

    /// The state tensors of `file`, which errors call `source`.
    public init(file: SafetensorsFile?, source: String) {
        self.file = file
        self.source = source
    }

    /// Whether the checkpoint holds state tensor `name`.
    public func has(_ name: String) -> Bool { file?.names.contains(Self.prefix + name) ?? false }

    /// The float tensor `name` (`what` says what it is, for errors), which must have `shape` and hold finite values.
    public func floats(_ name: String, shape: [Int], what: String) throws -> Tensor {
        let (file, entry) = try checkedEntry(name, shape: shape, what: what)
        let t = try file.tensor(entry.name)
        let values = UnsafeBufferPointer(start: t.pointer, count: t.count)
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError("\(source): \(entry.name) (\(what)) holds \(values[k]) at element \(k); the checkpoint is damaged, save the model again")
        }
        return t
    }

    /// The integers of tensor `name` (int32 or int64), which must have `shape`, each within `range`.
    public func ints(_ name: String, shape: [Int], in range: ClosedRange<Int>, what: String) throws -> [Int] {
        let (file, entry) = try checkedEntry(name, shape: shape, what: what)
        let values: [Int]
        switch entry.dtype {
        case .i64: values = try file.int64s(entry.name).map { Int($0) }
        default: values = try file.indices(entry.name).values.map { Int($0) }
        }
        if let k = values.firstIndex(where: { !range.contains($0) }) {
            throw TrainingError("\(source): \(entry.name) (\(what)) holds \(values[k]) at element \(k), outside \(range.lowerBound)...\(range.upperBound); the checkpoint is damaged, save the model again")
        }
        return values
    }

    /// The entry `name` after checking it exists and has `shape`.
    private func checkedEntry(_ name: String, shape: [Int], what: String) throws -> (SafetensorsFile, SafetensorsFile.Entry) {
        let full = Self.prefix + name
        guard let file, file.names.contains(full) else {
            throw TrainingError("\(source) has no \(full) (\(what)); it is damaged or was not written by save. Save the model again")
        }
        let entry = try file.entry(full)
        guard entry.shape == shape else {
            throw TrainingError("\(source): \(full) (\(what)) has shape \(entry.shape) but the saved configuration needs \(shape); the checkpoint does not match its configuration")
        }
        return (file, entry)
    }
}
