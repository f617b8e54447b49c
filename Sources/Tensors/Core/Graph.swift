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
        if t.gradientMask != nil, maskedSeen.insert(ObjectIdentifier(t)).inserted { maskedParameters.append(t) }
        if let g = t.grad, g.count == t.count { return g.pointer }
        let g = t.isParameter ? Tensor(zeros: t.shape) : zeros(t.shape)
        t.grad = g
        return g.pointer
    }
}
