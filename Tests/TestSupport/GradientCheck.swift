// Finite-difference gradient checking, shared by the test targets. For a fixed random R the scalar
// Σ f(params) ⊙ R has its tape gradient compared with central differences evaluated in Float32 ops
// and summed in Double; |analytic − numeric| ≤ atol + rtol·|numeric|.
//
// Whole models differ from single ops in one way: a probe moves hundreds of ReLU inputs at once, so
// some probes land within ε of a kink, where the central difference is off by up to half the jump in
// slope while the tape is right (shrinking ε converges to the tape's value). The one-sided
// differences F = (f(x+ε) − f(x))/ε and B = (f(x) − f(x−ε))/ε bound that error: the central
// difference (F + B)/2 is within |F − B|/2 of the truth (plus O(ε) for smooth curvature). So a probe
// passes when |analytic − central| ≤ tolerance + |F − B|/2, and is skipped when |F − B|/2 alone
// exceeds the tolerance. At most half the probes of a tensor may be skipped, so the check cannot
// pass vacuously.

import XCTest
@testable import Tensors

/// Checks the gradients of every tensor in `inputs` (parameters) for the output of `f`.
/// At most `samples` elements per input are probed (spread over the tensor). The defaults suit single
/// ops; whole models pass a smaller ε (1e-3) with atol 5e-3 (see ModelGradientTests).
public func checkGradients(
    _ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 2e-3, rtol: Float = 2e-2, samples: Int = 48,
    file: StaticString = #filePath, line: UInt = #line, _ f: (Graph) -> Tensor
) {
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
    g.backward(g.sum(g.mul(out, r)))

    for t in inputs {
        guard let grad = t.grad else {
            XCTFail("no gradient reached \(t.name)", file: file, line: line)
            continue
        }
        let stride = max(1, t.count / samples)
        var probes = 0, skipped = 0
        let centre = loss()
        for i in Swift.stride(from: 0, to: t.count, by: stride) {
            probes += 1
            let saved = t.pointer[i]
            t.pointer[i] = saved + eps
            let plus = loss()
            t.pointer[i] = saved - eps
            let minus = loss()
            t.pointer[i] = saved
            let forward = Float((plus - centre) / Double(eps)), backward = Float((centre - minus) / Double(eps))
            let numeric = (forward + backward) / 2, kinkBound = abs(forward - backward) / 2
            let tolerance = atol + rtol * abs(numeric)
            if kinkBound > tolerance { skipped += 1; continue }
            let analytic = grad.pointer[i]
            if abs(analytic - numeric) > tolerance + kinkBound {
                XCTFail("\(t.name)[\(i)]: analytic \(analytic) vs numeric \(numeric) (one-sided \(forward), \(backward))",
                        file: file, line: line)
                return
            }
        }
        XCTAssertLessThanOrEqual(2 * skipped, probes, "\(t.name): \(skipped) of \(probes) probes near a kink",
                                 file: file, line: line)
    }
}

/// Largest absolute elementwise difference of two tensors with the same element count.
public func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.count == b.count, "comparing \(a.count) with \(b.count) elements")
    var worst: Float = 0
    for i in 0..<a.count { worst = max(worst, abs(a.pointer[i] - b.pointer[i])) }
    return worst
}

/// Random ids in 1..<items, shape [b, l], from the named stream of seed 1.
public func randomIds(_ name: String, b: Int, l: Int, items: Int) -> IndexTensor {
    var rng = Seed(1).stream(name)
    return IndexTensor(shape: [b, l], values: (0..<(b * l)).map { _ in Int32(1 + rng.int(below: items - 1)) })
}

/// Sets every parameter to normal(0, std) values, so a tiny test network is far from the
/// near-zero initialisation (where layer norms of tiny activations make differences noisy).
public func randomise(_ parameters: [Tensor], std: Float, name: String) {
    var rng = Seed(3).stream(name)
    for p in parameters {
        for i in 0..<p.count { p.pointer[i] = rng.normal(mean: p.name.hasSuffix("gamma") ? 1 : 0, std: std) }
    }
}

/// A parameter tensor with normal(0, std) values from a named stream.
public func randomParameter(_ name: String, _ shape: [Int], std: Float = 1, seed: UInt64 = 1) -> Tensor {
    var rng = Seed(seed).stream(name)
    return Tensor.parameter(name, shape: shape, normalStd: std, rng: &rng)
}
