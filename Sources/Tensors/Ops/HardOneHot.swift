// The hard one-hot of each row's largest entry, with a choice of gradient:
//   y[r, j] = 1 if j = argmax_k x[r, k] (the first on ties) else 0        x [..., n] → y [..., n]
// Backward:
//   straight-through   dx += dy       (the forward is the hard choice, the backward pretends it was
//                                      the identity, so the scores behind the choice still learn)
//   otherwise          dx += 0        (the true derivative of a step function, as VQ-Rec's released
//                                      `ceil(differentiable_topk(P))`; x still gets a gradient
//                                      tensor, all zeros, exactly as torch reports it)

extension Graph {
    /// The one-hot of the argmax of each last-axis row of `x` [..., n] → [..., n]; its gradient is
    /// passed straight through to x (`straightThrough`) or is exactly zero.
    public func hardOneHot(_ x: Tensor, straightThrough: Bool) -> Tensor {
        let n = x.lastDim, rows = x.rows
        precondition(n >= 1, "hardOneHot: rows must have at least one entry, got \(x.shape)")
        let y = zeros(x.shape)
        let px = x.pointer, py = y.pointer
        for r in 0..<rows {
            let row = px + r * n
            var best = 0
            for j in 1..<n where row[j] > row[best] { best = j }
            py[r * n + best] = 1
        }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gx = self.gradient(of: x)
                guard straightThrough else { return }
                for i in 0..<(rows * n) { gx[i] += gy[i] }
            }
        }
        return y
    }
}
