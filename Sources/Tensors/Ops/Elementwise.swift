// Elementwise arithmetic with broadcasting over leading dimensions.
//
// The second operand's shape must be a suffix of the first's (e.g. a bias [C] against [B, L, C],
// or a scalar []), which covers every use in the models and keeps the loops simple: `b` repeats
// every `b.count` elements of `a`, and its gradient is the sum of those repeats.

extension Graph {
    /// a + b, b broadcast over the leading dims of a. [..., S] + [S] → [..., S]
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(a, b, forward: { $0 + $1 }, da: { g, _, _ in g }, db: { g, _, _ in g })
    }

    /// a − b, b broadcast over the leading dims of a.
    public func sub(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(a, b, forward: { $0 - $1 }, da: { g, _, _ in g }, db: { g, _, _ in -g })
    }

    /// a ⊙ b (elementwise product), b broadcast over the leading dims of a.
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor {
        binary(a, b, forward: { $0 * $1 }, da: { g, _, y in g * y }, db: { g, x, _ in g * x })
    }

    /// s · a for a constant s.
    public func scale(_ a: Tensor, _ s: Float) -> Tensor {
        // forward: y = s·a;  backward: da += s·dy
        let y = make(a.shape)
        let n = a.count, pa = a.pointer, py = y.pointer
        for i in 0..<n { py[i] = pa[i] * s }
        if needsGradient(a) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let ga = self.gradient(of: a)
                for i in 0..<n { ga[i] += s * gy[i] }
            }
        }
        return y
    }

    /// a + c for a constant c.
    public func addScalar(_ a: Tensor, _ c: Float) -> Tensor {
        let y = make(a.shape)
        let n = a.count, pa = a.pointer, py = y.pointer
        for i in 0..<n { py[i] = pa[i] + c }
        if needsGradient(a) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let ga = self.gradient(of: a)
                for i in 0..<n { ga[i] += gy[i] }
            }
        }
        return y
    }

    /// Shared loop for broadcasting binary ops: `da(g, a, b)` and `db(g, a, b)` give the local
    /// gradient contributions for one element pair.
    @inline(__always)
    private func binary(
        _ a: Tensor, _ b: Tensor,
        forward: (Float, Float) -> Float,
        da: @escaping (Float, Float, Float) -> Float,
        db: @escaping (Float, Float, Float) -> Float
    ) -> Tensor {
        precondition(b.count > 0 && a.count % b.count == 0 && a.shape.suffix(b.shape.count).elementsEqual(b.shape),
                     "cannot broadcast \(b.shape) against \(a.shape): the second shape must be a suffix of the first")
        let y = make(a.shape)
        let n = a.count, m = b.count
        let pa = a.pointer, pb = b.pointer, py = y.pointer
        var base = 0
        while base < n {
            for j in 0..<m { py[base + j] = forward(pa[base + j], pb[j]) }
            base += m
        }
        if needsGradient(a, b) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                if a.requiresGrad {
                    let ga = self.gradient(of: a)
                    var base = 0
                    while base < n {
                        for j in 0..<m { ga[base + j] += da(gy[base + j], pa[base + j], pb[j]) }
                        base += m
                    }
                }
                if b.requiresGrad {
                    let gb = self.gradient(of: b)
                    var base = 0
                    while base < n {
                        for j in 0..<m { gb[j] += db(gy[base + j], pa[base + j], pb[j]) }
                        base += m
                    }
                }
            }
        }
        return y
    }
}
