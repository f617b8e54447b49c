// Dense Float32 tensors: contiguous, row-major, with a shape.
//
// A tensor is a reference type because autodiff needs identity: the tape's backward closures refer
// to the very tensors the forward pass produced and accumulate into their gradients. Storage is a
// separate object so that reshapes share memory and so that the graph's arena can tell (by
// uniqueness of the reference) when a buffer from an earlier step is free to reuse.
//
// Shape legend used in comments throughout: B batch, L sequence length, C channels, N items,
// H hidden, R rows (flattened leading dims), V vocabulary, k kernel, d dilation.

import Foundation

/// Raw Float32 memory owned by one or more tensors.
public final class TensorStorage: @unchecked Sendable {
    /// Start of the buffer; valid for `capacity` elements while the storage lives.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of Float elements allocated.
    public let capacity: Int

    /// Allocates `capacity` uninitialised elements (at least one, so the pointer is never dangling).
    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: self.capacity)
    }

    deinit { pointer.deallocate() }
}

/// A contiguous row-major Float32 tensor with optional gradient.
public final class Tensor: @unchecked Sendable, CustomStringConvertible {
    /// Dimensions, outermost first. A scalar has shape `[]`.
    public private(set) var shape: [Int]
    /// Number of elements (the product of `shape`).
    public let count: Int
    /// The memory; shared with tensors made by `reshaped`.
    public let storage: TensorStorage

    /// A name for messages and checkpoints (parameters are saved under it).
    public var name: String
    /// True for trainable weights: their gradient lives across steps until the optimizer clears it.
    public let isParameter: Bool
    /// A frozen parameter receives no gradient and is never changed by an optimizer.
    public var isFrozen = false
    /// Per-element 0/1 mask (Conure's pruning), same shape as the tensor: `Graph.backward` multiplies
    /// the gradient by it, and optimizers skip masked elements entirely (no momentum, no weight
    /// decay), so elements with mask 0 stay exactly as they are.
    public var gradientMask: Tensor?
    /// The gradient of the last `Graph.backward`, or nil if none flowed here.
    public internal(set) var grad: Tensor?
    /// Set by ops on outputs that depend on a trainable input while the graph records.
    internal var dependsOnParameters = false

    /// True when gradients should flow into this tensor.
    public var requiresGrad: Bool { isParameter ? !isFrozen : dependsOnParameters }

    /// Pointer to the first element.
    @inline(__always) public var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// A tensor over existing storage (used by the arena and by reshapes).
    public init(shape: [Int], storage: TensorStorage, name: String = "", isParameter: Bool = false) {
        let n = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(n <= storage.capacity || n == 0, "storage too small for shape \(shape)")
        self.shape = shape
        self.count = n
        self.storage = storage
        self.name = name
        self.isParameter = isParameter
    }

    /// A zero-filled tensor with its own storage.
    public convenience init(zeros shape: [Int], name: String = "", isParameter: Bool = false) {
        let n = shape.reduce(1, *)
        let s = TensorStorage(capacity: n)
        s.pointer.initialize(repeating: 0, count: s.capacity)
        self.init(shape: shape, storage: s, name: name, isParameter: isParameter)
    }

    /// A tensor holding `scalars` (row-major) with the given shape.
    public convenience init(shape: [Int], scalars: [Float], name: String = "", isParameter: Bool = false) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(scalars.count)")
        self.init(zeros: shape, name: name, isParameter: isParameter)
        scalars.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: scalars.count) }
    }

    /// A trainable parameter initialised by `initialise(index)` for each element.
    public static func parameter(_ name: String, shape: [Int], _ initialise: (Int) -> Float) -> Tensor {
        let t = Tensor(zeros: shape, name: name, isParameter: true)
        for i in 0..<t.count { t.pointer[i] = initialise(i) }
        return t
    }

    /// A trainable parameter with normal(0, std) entries drawn from `rng`.
    public static func parameter(_ name: String, shape: [Int], normalStd std: Float,
                                 rng: inout RandomStream) -> Tensor {
        let t = Tensor(zeros: shape, name: name, isParameter: true)
        for i in 0..<t.count { t.pointer[i] = rng.normal(mean: 0, std: std) }
        return t
    }

    /// The values as an array (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, shape is \(shape)")
        return pointer[0]
    }

    /// Element at a flat row-major index.
    public subscript(flat i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    /// Size of the last dimension (1 for a scalar).
    public var lastDim: Int { shape.last ?? 1 }

    /// Number of rows when the tensor is seen as `[R, lastDim]` (the product of the leading dims,
    /// so a [3, 0] tensor has 3 empty rows).
    public var rows: Int { shape.dropLast().reduce(1, *) }

    /// Copies values from `other` (same element count).
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy between tensors of \(other.count) and \(count) elements")
        pointer.update(from: other.pointer, count: count)
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

    /// An independent copy (same shape and values, no gradient, not a parameter).
    public func detachedCopy() -> Tensor {
        let t = Tensor(zeros: shape, name: name)
        t.copy(from: self)
        return t
    }

    /// Shape and first values, e.g. `Tensor[2, 3] [0.1, 0.2, ...]`.
    public var description: String {
        let shown = (0..<min(count, 8)).map { String(format: "%.4g", Double(pointer[$0])) }
        return "Tensor\(shape) [\(shown.joined(separator: ", "))\(count > 8 ? ", ..." : "")]"
    }

    /// Replaces the shape of a tensor in place when the element count is unchanged.
    internal func setShape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }
}

/// Integer tensor of item ids or labels (Int32, row-major).
public struct IndexTensor: Sendable, Equatable {
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// The ids, row-major.
    public var values: [Int32]

    /// An index tensor; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Int32]) {
        precondition(shape.reduce(1, *) == values.count,
                     "index shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// A one-dimensional index tensor.
    public init(_ values: [Int32]) { self.init(shape: [values.count], values: values) }

    /// Number of ids.
    public var count: Int { values.count }
}
