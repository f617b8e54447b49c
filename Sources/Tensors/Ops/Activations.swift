// Pointwise nonlinearities. Each backward uses what the forward already computed (the input or the
// output), so nothing is recomputed.

import Foundation

extension Graph {
    /// max(x, 0). Gradient 0 at x = 0 (as PyTorch).
    public func relu(_ x: Tensor) -> Tensor { pointwise(x, .relu) }

    /// GELU, exact form: x · Φ(x) = x/2 · (1 + erf(x/√2)).
    public func gelu(_ x: Tensor) -> Tensor { pointwise(x, .gelu) }

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
        case .gelu: for i in 0..<n { py[i] = 0.5 * px[i] * (1 + erf(px[i] * inverseSqrt2)) }
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
                case .gelu:
                    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
                    for i in 0..<n {
                        let v = px[i]
                        let cdf = 0.5 * (1 + erf(v * inverseSqrt2))
                        gx[i] += gy[i] * (cdf + v * exp(-0.5 * v * v) * inverseSqrt2Pi)
                    }
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
private enum Activation { case relu, gelu, sigmoid, tanh, softplus }

private let inverseSqrt2: Float = 0.7071067811865476
private let inverseSqrt2Pi: Float = 0.3989422804014327

/// The logistic function without overflow for large |x|.
@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}
