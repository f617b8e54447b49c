// A per-row weighted sum of several tensors: the mixture step of a mixture of experts,
//   y[r] = Σ_k w[r, k] · x_k[r]          x_k [R, C] each (K of them), w [R, K] → y [R, C]
// Backward:
//   dx_k[r] += w[r, k] · dy[r]           dw[r, k] += x_k[r] · dy[r]
// One op instead of stacking the K tensors into [R, K, C] and a batched product: no copy of the
// terms, and no R tiny matrix products.

extension Graph {
    /// Σ_k weights[r, k] · terms[k][r] per row r: terms K tensors [..., C] of one shape (R rows),
    /// weights [..., K] (R rows) → [..., C].
    public func weightedSum(_ terms: [Tensor], weights: Tensor) -> Tensor {
        precondition(!terms.isEmpty, "weightedSum needs at least one term")
        let shape = terms[0].shape, rows = terms[0].rows, c = terms[0].lastDim, k = terms.count
        for t in terms { precondition(t.shape == shape, "weightedSum: terms of shapes \(shape) and \(t.shape)") }
        precondition(weights.lastDim == k && weights.rows == rows,
                     "weightedSum: \(k) terms of \(rows) rows need weights [\(rows), \(k)], got \(weights.shape)")
        let y = zeros(shape)
        let pw = weights.pointer, py = y.pointer
        for (j, t) in terms.enumerated() {
            let px = t.pointer
            for r in 0..<rows {
                let w = pw[r * k + j], o = r * c
                for i in 0..<c { py[o + i] += w * px[o + i] }
            }
        }
        if isRecording && (weights.requiresGrad || terms.contains(where: \.requiresGrad)) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gw = weights.requiresGrad ? self.gradient(of: weights) : nil
                for (j, t) in terms.enumerated() {
                    let px = t.pointer
                    let gx = t.requiresGrad ? self.gradient(of: t) : nil
                    for r in 0..<rows {
                        let o = r * c
                        if let gx {
                            let w = pw[r * k + j]
                            for i in 0..<c { gx[o + i] += w * gy[o + i] }
                        }
                        if let gw {
                            var dot: Float = 0
                            for i in 0..<c { dot += px[o + i] * gy[o + i] }
                            gw[r * k + j] += dot
                        }
                    }
                }
            }
        }
        return y
    }
}
