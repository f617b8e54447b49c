// Pointwise nonlinearities. Each backward uses what the forward already computed (the input or the
// output), so nothing is recomputed.

import CKernels
import Foundation

extension Graph {
    /// max(x, 0). Gradient 0 at x = 0 (as PyTorch).
    public func relu(_ x: Tensor) -> Tensor { pointwise(x, .relu) }

    /// GELU, exact form: x · Φ(x) = x/2 · (1 + erf(x/√2)), with the vectorised erf of CKernels
    /// (absolute error below 4e-7), split over the BLAS threads for large tensors.
    public func gelu(_ x: Tensor) -> Tensor {
        let y = make(x.shape)
        let n = x.count, px = x.pointer, py = y.pointer
        let parts = Parallel.parts(n, minimum: 1 << 15)
        Parallel.run(parts) { p in
            let i0 = Parallel.start(p, of: parts, n), i1 = Parallel.start(p + 1, of: parts, n)
            seqlab_gelu_forward(px + i0, py + i0, i1 - i0)
        }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                // d/dx x·Φ(x) = Φ(x) + x·φ(x)
                let (gx, accumulate) = self.gradientForWriting(of: x)
                Parallel.run(parts) { p in
                    let i0 = Parallel.start(p, of: parts, n), i1 = Parallel.start(p + 1, of: parts, n)
                    seqlab_gelu_backward(px + i0, gy + i0, gx + i0, i1 - i0, accumulate ? 1 : 0)
                }
            }
        }
        return y
    }

    /// 1 / (1 + e^−x).
    public func sigmoid(_ x: Tensor) -> Tensor { pointwise(x, .sigmoid) }

    /// tanh(x).
    public func tanh(_ x: Tensor) -> Tensor { pointwise(x, .tanh) }

    /// log(1 + e^x), computed without overflow.
    public func softplus(_ x: Tensor) -> Tensor { pointwise(x, .softplus) }

    /// y = f(x) elementwise; backward dx += dy · f′(x, y). One loop per function, chosen outside
    /// the loop, so no call is made per element.
    private func pointwise(_ x: Tensor, _ f: Activation) -> Tensor {
        let y = make(x.shape)
        let n = x.count, px = x.pointer, py = y.pointer
        switch f {
        case .relu: for i in 0..<n { py[i] = max(px[i], 0) }
        case .sigmoid: for i in 0..<n { py[i] = stableSigmoid(px[i]) }
        case .tanh: for i in 0..<n { py[i] = Foundation.tanh(px[i]) }
        case .softplus: for i in 0..<n { py[i] = px[i] > 20 ? px[i] : log1p(exp(px[i])) }
        }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gx = self.gradient(of: x)
                switch f {
                case .relu:
                    // Both loads unconditional, so the loop becomes a vector select.
                    for i in 0..<n { let d = gy[i]; gx[i] += px[i] > 0 ? d : 0 }
                case .sigmoid: for i in 0..<n { gx[i] += gy[i] * py[i] * (1 - py[i]) }
                case .tanh: for i in 0..<n { gx[i] += gy[i] * (1 - py[i] * py[i]) }
                case .softplus: for i in 0..<n { gx[i] += gy[i] * stableSigmoid(px[i]) }
                }
            }
        }
        return y
    }
}

/// The pointwise nonlinearities.
private enum Activation { case relu, sigmoid, tanh, softplus }

/// The logistic function without overflow for large |x|.
@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}
