// Layer normalisation over the last axis: y = (x − μ) / √(σ² + eps) · γ + β, with the population
// variance (as PyTorch and the NextItNet TF code). eps differs between models (1e-8 in NextItNet,
// 1e-12 in RecBole's transformers, 1e-5 PyTorch's default), so it is an argument.

extension Graph {
    /// Layer norm of x [..., C] with gamma, beta [C].
    public func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> Tensor {
        let c = x.lastDim, rows = x.rows
        precondition(gamma.count == c && beta.count == c,
                     "layerNorm: gamma and beta need \(c) elements, got \(gamma.count) and \(beta.count)")
        let y = make(x.shape)
        let xhat = make(x.shape)   // normalised input, kept for backward
        let inverseStd = make([rows])
        let px = x.pointer, py = y.pointer, ph = xhat.pointer, pr = inverseStd.pointer
        let pg = gamma.pointer, pb = beta.pointer
        for r in 0..<rows {
            let row = px + r * c
            var mean: Double = 0
            for j in 0..<c { mean += Double(row[j]) }
            mean /= Double(c)
            var variance: Double = 0
            for j in 0..<c { let d = Double(row[j]) - mean; variance += d * d }
            variance /= Double(c)
            let inv = Float(1 / (variance + Double(eps)).squareRoot())
            pr[r] = inv
            let m = Float(mean)
            for j in 0..<c {
                let h = (row[j] - m) * inv
                ph[r * c + j] = h
                py[r * c + j] = h * pg[j] + pb[j]
            }
        }
        if needsGradient(x, gamma, beta) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                if gamma.requiresGrad || beta.requiresGrad {
                    let gg = gamma.requiresGrad ? self.gradient(of: gamma) : nil
                    let gb = beta.requiresGrad ? self.gradient(of: beta) : nil
                    for r in 0..<rows {
                        for j in 0..<c {
                            let g = gy[r * c + j]
                            gg?[j] += g * ph[r * c + j]
                            gb?[j] += g
                        }
                    }
                }
                guard x.requiresGrad else { return }
                // dx = inv/C · (C·dĥ − Σdĥ − ĥ·Σ(dĥ·ĥ)), with dĥ = dy ⊙ γ
                let gx = self.gradient(of: x)
                let invC = 1 / Float(c)
                for r in 0..<rows {
                    var sum: Float = 0, dot: Float = 0
                    for j in 0..<c {
                        let dh = gy[r * c + j] * pg[j]
                        sum += dh
                        dot += dh * ph[r * c + j]
                    }
                    let inv = pr[r]
                    for j in 0..<c {
                        let dh = gy[r * c + j] * pg[j]
                        gx[r * c + j] += inv * (dh - invC * sum - ph[r * c + j] * invC * dot)
                    }
                }
            }
        }
        return y
    }
}
