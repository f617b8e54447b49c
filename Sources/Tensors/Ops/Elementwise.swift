// Elementwise arithmetic with broadcasting over leading dimensions.
//
// The second operand's shape must be a suffix of the first's (e.g. a bias [C] against [B, L, C],
// or a scalar []), which covers every use in the models and keeps the loops simple: `b` repeats
// every `b.count` elements of `a`, and its gradient is the sum of those repeats.

extension Graph {
    /// a + b, b broadcast over the leading dims of a. [..., S] + [S] → [..., S]
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { binary(a, b, .add) }

    /// a − b, b broadcast over the leading dims of a.
    public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { binary(a, b, .sub) }

    /// a ⊙ b (elementwise product), b broadcast over the leading dims of a.
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { binary(a, b, .mul) }

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

    /// Shared driver for broadcasting binary ops. The switch sits outside the element loops so each
    /// loop is a plain, vectorisable pass (no call per element).
    private func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp) -> Tensor {
        precondition(b.count > 0 && a.count % b.count == 0 && a.shape.suffix(b.shape.count).elementsEqual(b.shape),
                     "cannot broadcast \(b.shape) against \(a.shape): the second shape must be a suffix of the first")
        let y = make(a.shape)
        let n = a.count, m = b.count
        let pa = a.pointer, pb = b.pointer, py = y.pointer
        // forward: y[r·m + j] = a[r·m + j] ∘ b[j]
        var base = 0
        while base < n {
            let ya = py + base, xa = pa + base
            switch op {
            case .add: for j in 0..<m { ya[j] = xa[j] + pb[j] }
            case .sub: for j in 0..<m { ya[j] = xa[j] - pb[j] }
            case .mul: for j in 0..<m { ya[j] = xa[j] * pb[j] }
            }
            base += m
        }
        if needsGradient(a, b) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                // da = dy (add, sub) or dy·b (mul), repeated over the leading dims
                if a.requiresGrad {
                    let ga = self.gradient(of: a)
                    var base = 0
                    while base < n {
                        let g = ga + base, d = gy + base
                        switch op {
                        case .add, .sub: for j in 0..<m { g[j] += d[j] }
                        case .mul: for j in 0..<m { g[j] += d[j] * pb[j] }
                        }
                        base += m
                    }
                }
                // db = Σ over leading dims of dy (add), −dy (sub), dy·a (mul)
                if b.requiresGrad {
                    let gb = self.gradient(of: b)
                    var base = 0
                    while base < n {
                        let d = gy + base, xa = pa + base
                        switch op {
                        case .add: for j in 0..<m { gb[j] += d[j] }
                        case .sub: for j in 0..<m { gb[j] -= d[j] }
                        case .mul: for j in 0..<m { gb[j] += d[j] * xa[j] }
                        }
                        base += m
                    }
                }
            }
        }
        return y
    }
}

/// The broadcasting binary ops.
private enum BinaryOp { case add, sub, mul }
