// Layer normalisation over the last axis: y = (x − μ) / √(σ² + eps) · γ + β, with the population
// variance (as PyTorch and the NextItNet TF code). eps differs between models (1e-8 in NextItNet,
// 1e-12 in RecBole's transformers, 1e-5 PyTorch's default), so it is an argument.

import CKernels

extension Graph {
    /// Layer norm of x [..., C] with gamma, beta [C]. Rows are split over the BLAS threads; the gain
    /// and shift gradients are split by channel, each summed over the rows in order, so nothing
    /// depends on the number of threads.
    public func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> Tensor {
        let c = x.lastDim, rows = x.rows
        precondition(gamma.count == c && beta.count == c,
                     "layerNorm: gamma and beta need \(c) elements, got \(gamma.count) and \(beta.count)")
        let y = make(x.shape)
        let xhat = make(x.shape)   // normalised input, kept for backward
        let inverseStd = make([rows])
        let px = x.pointer, py = y.pointer, ph = xhat.pointer, pinv = inverseStd.pointer
        let parts = Parallel.parts(rows * c, minimum: 1 << 14)
        Parallel.run(parts) { p in
            let r0 = Parallel.start(p, of: parts, rows), r1 = Parallel.start(p + 1, of: parts, rows)
            seqlab_layer_norm_forward(px + r0 * c, r1 - r0, Int32(c), gamma.pointer, beta.pointer, eps, py + r0 * c,
                                      ph + r0 * c, pinv + r0)
        }
        if needsGradient(x, gamma, beta) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                // dx = inv/C · (C·dĥ − Σdĥ − ĥ·Σ(dĥ·ĥ)), with dĥ = dy ⊙ γ
                if x.requiresGrad {
                    let (gx, accumulate) = self.gradientForWriting(of: x)
                    Parallel.run(parts) { p in
                        let r0 = Parallel.start(p, of: parts, rows), r1 = Parallel.start(p + 1, of: parts, rows)
                        seqlab_layer_norm_backward(gy + r0 * c, ph + r0 * c, pinv + r0, gamma.pointer, r1 - r0, Int32(c),
                                                   gx + r0 * c, accumulate ? 1 : 0)
                    }
                }
                // dγ += Σ dy ⊙ ĥ, dβ += Σ dy
                let gGamma = gamma.requiresGrad ? self.gradient(of: gamma) : nil
                let gBeta = beta.requiresGrad ? self.gradient(of: beta) : nil
                guard gGamma != nil || gBeta != nil else { return }
                let channelParts = max(1, min(parts, c / 8))
                Parallel.run(channelParts) { p in
                    seqlab_layer_norm_parameter_gradients(
                        gy, ph, rows, Int32(c), Int32(Parallel.start(p, of: channelParts, c)),
                        Int32(Parallel.start(p + 1, of: channelParts, c)), gGamma, gBeta)
                }
            }
        }
        return y
    }
}
