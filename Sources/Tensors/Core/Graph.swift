// The tape: records each op's backward closure during the forward pass and runs them in reverse.
//
// One Graph serves a whole training run. `reset()` between steps rewinds its arena, so a step with
// the same shapes as the last one reuses the same buffers: no allocation after the first step. A
// buffer is reused only when no tensor outside the arena still refers to it (checked by reference
// uniqueness), so a tensor the caller kept from an earlier step is never overwritten.

/// Records differentiable ops and computes gradients by reverse-mode autodiff.
public final class Graph {
    /// When false, ops compute values only (evaluation, inference): nothing is recorded.
    public var isRecording: Bool
    private var backwards: [() -> Void] = []
    private var slots: [TensorStorage] = []
    private var cursor = 0
    /// Parameters with a gradient mask that received gradient in the current backward pass.
    private var maskedParameters: [Tensor] = []
    private var maskedSeen: Set<ObjectIdentifier> = []

    /// A graph; `recording: false` makes a no-gradient graph for inference.
    public init(recording: Bool = true) { isRecording = recording }

    /// Number of backward closures recorded since the last reset.
    public var recordedOps: Int { backwards.count }

    /// Forgets the recorded ops and rewinds the arena. Tensors from before stay valid if kept.
    public func reset() {
        backwards.removeAll(keepingCapacity: true)
        cursor = 0
    }

    /// Runs `body` without recording (values only), restoring the previous mode afterwards.
    public func withoutRecording<T>(_ body: () throws -> T) rethrows -> T {
        let saved = isRecording
        isRecording = false
        defer { isRecording = saved }
        return try body()
    }

    /// Backpropagates from a one-element `loss` (seeded with `seed`, normally 1) through every
    /// recorded op, accumulating into the gradients of parameters, then clears the tape.
    public func backward(_ loss: Tensor, seed: Float = 1) {
        precondition(loss.count == 1, "backward needs a one-element loss, shape is \(loss.shape)")
        guard loss.requiresGrad else { backwards.removeAll(keepingCapacity: true); return }
        gradient(of: loss)[0] += seed
        for op in backwards.reversed() { op() }
        backwards.removeAll(keepingCapacity: true)
        // Masks apply to the gradient itself, so clipping and logging see only what may change.
        for p in maskedParameters {
            guard let mask = p.gradientMask, let g = p.grad else { continue }
            precondition(mask.count == p.count, "gradient mask of \(p.name) has \(mask.count) elements, parameter \(p.count)")
            for i in 0..<p.count { g.pointer[i] *= mask.pointer[i] }
        }
        maskedParameters.removeAll(keepingCapacity: true)
        maskedSeen.removeAll(keepingCapacity: true)
    }

    // MARK: - For op implementations

    /// True when an op over these inputs must record its backward.
    @inline(__always)
    func needsGradient(_ inputs: Tensor...) -> Bool {
        guard isRecording else { return false }
        for t in inputs where t.requiresGrad { return true }
        return false
    }

    /// An uninitialised tensor from the arena.
    public func make(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        if cursor < slots.count, slots[cursor].capacity >= n, isKnownUniquelyReferenced(&slots[cursor]) {
            let t = Tensor(shape: shape, storage: slots[cursor])
            cursor += 1
            return t
        }
        let storage = TensorStorage(capacity: n)
        if cursor < slots.count { slots[cursor] = storage } else { slots.append(storage) }
        cursor += 1
        return Tensor(shape: shape, storage: storage)
    }

    /// A zero-filled tensor from the arena.
    public func zeros(_ shape: [Int]) -> Tensor {
        let t = make(shape)
        t.fill(0)
        return t
    }

    /// Records `backward` for `output`, marking the output as carrying gradient.
    func record(_ output: Tensor, _ backward: @escaping () -> Void) {
        output.dependsOnParameters = true
        backwards.append(backward)
    }

    /// The gradient buffer of `t`, allocated and zeroed on first use in this backward pass.
    /// Parameters keep theirs across steps (the optimizer clears it); activations use the arena.
    func gradient(of t: Tensor) -> UnsafeMutablePointer<Float> {
        let (g, accumulate) = gradientForWriting(of: t)
        if !accumulate { g.update(repeating: 0, count: t.count) }
        return g
    }

    /// The gradient buffer of `t` for an op that writes every element of it. On the first
    /// contribution to an activation's gradient in this backward pass the buffer is fresh arena
    /// memory, not zeroed, and `accumulate` is false: the op stores its gradient (a product with
    /// beta 0, `=` instead of `+=`), which saves a pass of zeros. Later contributions, and every
    /// contribution to a parameter (whose gradient lives across steps), add.
    func gradientForWriting(of t: Tensor) -> (pointer: UnsafeMutablePointer<Float>, accumulate: Bool) {
        if t.gradientMask != nil, maskedSeen.insert(ObjectIdentifier(t)).inserted { maskedParameters.append(t) }
        if let g = t.grad, g.count == t.count { return (g.pointer, true) }
        if t.isParameter {
            let g = Tensor(zeros: t.shape)
            t.grad = g
            return (g.pointer, true)
        }
        let g = make(t.shape)
        t.grad = g
        return (g.pointer, false)
    }

    /// Makes `t`'s gradient the very buffer `source` (same element count), when `t` has none yet:
    /// a view's gradient is its base's, so no copy is needed. Returns false (and does nothing) when
    /// `t` already has a gradient or is a parameter; the caller then adds as usual.
    func shareGradient(of t: Tensor, with source: Tensor) -> Bool {
        guard !t.isParameter, t.gradientMask == nil, t.grad == nil, source.count == t.count else { return false }
        t.grad = Tensor(shape: t.shape, storage: source.storage)
        return true
    }
}
