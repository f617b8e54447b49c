// L2 normalisation along the last axis, as torch.nn.functional.normalize: x / max(‖x‖, eps).

extension Graph {
    /// x [..., C] scaled to unit L2 norm per row (rows with norm below eps are divided by eps).
    public func l2Normalize(_ x: Tensor, eps: Float = 1e-12) -> Tensor {
        let c = x.lastDim, rows = x.rows
        let y = make(x.shape)
        let norms = make([rows])
        let px = x.pointer, py = y.pointer, pn = norms.pointer
        for r in 0..<rows {
            var ss: Float = 0
            for j in 0..<c { ss += px[r * c + j] * px[r * c + j] }
            let nrm = max(ss.squareRoot(), eps)
            pn[r] = nrm
            let inv = 1 / nrm
            for j in 0..<c { py[r * c + j] = px[r * c + j] * inv }
        }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gx = self.gradient(of: x)
                for r in 0..<rows {
                    let o = r * c, inv = 1 / pn[r]
                    if pn[r] > eps {
                        // dx = (dy − y·(y·dy)) / ‖x‖
                        var dot: Float = 0
                        for j in 0..<c { dot += py[o + j] * gy[o + j] }
                        for j in 0..<c { gx[o + j] += (gy[o + j] - py[o + j] * dot) * inv }
                    } else {
                        for j in 0..<c { gx[o + j] += gy[o + j] * inv }
                    }
                }
            }
        }
        return y
    }
}
