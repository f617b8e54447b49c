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
    /// loop is a plain, vectorisable pass (no call per element). The elements of a are split over the
    /// BLAS threads; b's gradient is split by its elements, each summed over the rows in order, so the
    /// result does not depend on the number of threads.
    private func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp) -> Tensor {
        precondition(b.count > 0 && a.count % b.count == 0 && a.shape.suffix(b.shape.count).elementsEqual(b.shape),
                     "cannot broadcast \(b.shape) against \(a.shape): the second shape must be a suffix of the first")
        let y = make(a.shape)
        let n = a.count, m = b.count, rows = n / m
        let pa = a.pointer, pb = b.pointer, py = y.pointer
        let parts = Parallel.parts(n, minimum: 1 << 15)
        // forward: y[r·m + j] = a[r·m + j] ∘ b[j]
        Self.broadcastRuns(n, m, parts: parts) { base, j0, j1 in
            let ya = py + base, xa = pa + base
            switch op {
            case .add: for j in j0..<j1 { ya[j] = xa[j] + pb[j] }
            case .sub: for j in j0..<j1 { ya[j] = xa[j] - pb[j] }
            case .mul: for j in j0..<j1 { ya[j] = xa[j] * pb[j] }
            }
        }
        if needsGradient(a, b) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                // da (+)= dy (add, sub) or dy·b (mul), repeated over the leading dims
                if a.requiresGrad {
                    let (ga, accumulate) = self.gradientForWriting(of: a)
                    switch op {
                    case .add, .sub: Self.copy(gy, into: ga, accumulate: accumulate, n)
                    case .mul:
                        Self.broadcastRuns(n, m, parts: parts) { base, j0, j1 in
                            let g = ga + base, d = gy + base
                            if accumulate {
                                for j in j0..<j1 { g[j] += d[j] * pb[j] }
                            } else {
                                for j in j0..<j1 { g[j] = d[j] * pb[j] }
                            }
                        }
                    }
                }
                // db += Σ over leading dims of dy (add), −dy (sub), dy·a (mul)
                if b.requiresGrad {
                    let gb = self.gradient(of: b)
                    let bParts = max(1, min(parts, m / 8))
                    Parallel.run(bParts) { p in
                        let j0 = Parallel.start(p, of: bParts, m), j1 = Parallel.start(p + 1, of: bParts, m)
                        for r in 0..<rows {
                            let d = gy + r * m, xa = pa + r * m
                            switch op {
                            case .add: for j in j0..<j1 { gb[j] += d[j] }
                            case .sub: for j in j0..<j1 { gb[j] -= d[j] }
                            case .mul: for j in j0..<j1 { gb[j] += d[j] * xa[j] }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// Covers elements 0..<n of a [n/m, m] layout with runs, split into `parts` ranges run in
    /// parallel: body(base, j0, j1) handles elements base + j for j in j0..<j1, which line up with
    /// the broadcast operand's j0..<j1 (base is a multiple of m).
    private static func broadcastRuns(_ n: Int, _ m: Int, parts: Int, _ body: (Int, Int, Int) -> Void) {
        Parallel.run(parts) { p in
            var i = Parallel.start(p, of: parts, n)
            let end = Parallel.start(p + 1, of: parts, n)
            while i < end {
                let base = i / m * m, j0 = i - base, j1 = min(m, end - base)
                body(base, j0, j1)
                i = base + j1
            }
        }
    }
}

/// The broadcasting binary ops.
private enum BinaryOp { case add, sub, mul }
