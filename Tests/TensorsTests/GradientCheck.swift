// Finite-difference gradient checking.
//
// For an op f and a fixed random R, the scalar loss = Σ f(x) ⊙ R has analytic gradient dloss/dx
// from the tape, compared with central differences (loss(x + ε) − loss(x − ε)) / 2ε evaluated in
// Float32 ops but summed in Double. With ε = 1e-2 the truncation error is O(ε²) and rounding error
// about 1e-7/ε, so we accept |analytic − numeric| ≤ atol + rtol·|numeric| with atol 2e-3, rtol 2e-2
// unless a test states otherwise.

import XCTest
@testable import Tensors

/// A parameter tensor with normal(0, std) values from a named stream.
func randomParameter(_ name: String, _ shape: [Int], std: Float = 1, seed: UInt64 = 1) -> Tensor {
    var rng = Seed(seed).stream(name)
    return Tensor.parameter(name, shape: shape, normalStd: std, rng: &rng)
}

/// Checks the gradients of every tensor in `inputs` (parameters) for the output of `f`.
/// At most `samples` elements per input are probed (spread over the tensor), so big inputs stay fast.
func checkGradients(
    _ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 2e-3, rtol: Float = 2e-2, samples: Int = 48,
    file: StaticString = #filePath, line: UInt = #line, _ f: (Graph) -> Tensor
) {
    // Fixed upstream gradient R, shaped like the output.
    let probe = Graph(recording: false)
    let shape = f(probe).shape
    var rng = Seed(99).stream("gradcheck.R")
    let r = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.normal() })

    func loss() -> Double {
        let g = Graph(recording: false)
        let out = f(g)
        var s: Double = 0
        for i in 0..<out.count { s += Double(out.pointer[i]) * Double(r.pointer[i]) }
        return s
    }

    for t in inputs { t.grad = nil }
    let g = Graph()
    let out = f(g)
    let l = g.sum(g.mul(out, r))
    g.backward(l)

    for t in inputs {
        guard let grad = t.grad else {
            XCTFail("no gradient reached \(t.name)", file: file, line: line)
            continue
        }
        let stride = max(1, t.count / samples)
        for i in Swift.stride(from: 0, to: t.count, by: stride) {
            let saved = t.pointer[i]
            t.pointer[i] = saved + eps
            let plus = loss()
            t.pointer[i] = saved - eps
            let minus = loss()
            t.pointer[i] = saved
            let numeric = Float((plus - minus) / Double(2 * eps))
            let analytic = grad.pointer[i]
            let error = abs(analytic - numeric)
            if error > atol + rtol * abs(numeric) {
                XCTFail("\(t.name)[\(i)]: analytic \(analytic) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}
