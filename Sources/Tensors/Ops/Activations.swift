// Pointwise nonlinearities. Each backward uses what the forward already computed (the input or the
// output), so nothing is recomputed.

import Foundation

extension Graph {
    /// max(x, 0). Gradient 0 at x = 0 (as PyTorch).
    public func relu(_ x: Tensor) -> Tensor {
        pointwise(x, { max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
    }

    /// GELU, exact form: x · Φ(x) = x/2 · (1 + erf(x/√2)).
    public func gelu(_ x: Tensor) -> Tensor {
        pointwise(x, { 0.5 * $0 * (1 + erf($0 * Float(0.7071067811865476))) },
                  derivative: { x, _ in
                      // d/dx x·Φ(x) = Φ(x) + x·φ(x)
                      let cdf = 0.5 * (1 + erf(x * Float(0.7071067811865476)))
                      let pdf = exp(-0.5 * x * x) * Float(0.3989422804014327)
                      return cdf + x * pdf
                  })
    }

    /// 1 / (1 + e^−x).
    public func sigmoid(_ x: Tensor) -> Tensor {
        pointwise(x, stableSigmoid, derivative: { _, y in y * (1 - y) })
    }

    /// tanh(x).
    public func tanh(_ x: Tensor) -> Tensor {
        pointwise(x, { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y })
    }

    /// log(1 + e^x), computed without overflow.
    public func softplus(_ x: Tensor) -> Tensor {
        pointwise(x, { $0 > 20 ? $0 : log1p(exp($0)) }, derivative: { x, _ in stableSigmoid(x) })
    }

    /// y = f(x) elementwise; backward dx += dy · f′(x, y).
    @inline(__always)
    private func pointwise(
        _ x: Tensor, _ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float
    ) -> Tensor {
        let y = make(x.shape)
        let n = x.count, px = x.pointer, py = y.pointer
        for i in 0..<n { py[i] = f(px[i]) }
        if needsGradient(x) {
            record(y) { [unowned self] in
                guard let gy = y.grad?.pointer else { return }
                let gx = self.gradient(of: x)
                for i in 0..<n { gx[i] += gy[i] * derivative(px[i], py[i]) }
            }
        }
        return y
    }
}

/// The logistic function without overflow for large |x|.
@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}
