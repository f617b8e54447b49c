// Layer normalisation over the last axis: y = (x − μ) / √(σ² + eps) · γ + β, with the population
// variance (as PyTorch and the NextItNet TF code). eps differs between models (1e-8 in NextItNet,
// 1e-12 in RecBole's transformers, 1e-5 PyTorch's default), so it is an argument.

import CKernels

extension Graph {
    /// Layer norm of x [..., C] with gamma, beta [C].
    public func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> Tensor {
        let c = x.lastDim, rows = x.rows
        precondition(gamma.count == c && beta.count == c,
                     "layerNorm: gamma and beta need \(c) elements, got \(gamma.count) and \(beta.count)")
        let y = make(x.shape)
        let xhat = make(x.shape)   // normalised input, kept for backward
        let inverseStd = make([rows])
        seqlab_layer_norm_forward(x.pointer, rows, Int32(c), gamma.pointer, beta.pointer, eps, y.pointer,
                                  xhat.pointer, inverseStd.pointer)
        if needsGradient(x, gamma, beta) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                // dx = inv/C · (C·dĥ − Σdĥ − ĥ·Σ(dĥ·ĥ)), with dĥ = dy ⊙ γ; dγ += dy ⊙ ĥ, dβ += dy
                seqlab_layer_norm_backward(
                    gy, xhat.pointer, inverseStd.pointer, gamma.pointer, rows, Int32(c),
                    x.requiresGrad ? self.gradient(of: x) : nil,
                    gamma.requiresGrad ? self.gradient(of: gamma) : nil,
                    beta.requiresGrad ? self.gradient(of: beta) : nil)
            }
        }
        return y
    }
}
