// The GRU op: finite-difference gradients of every input (with and without biases, one layer and two
// stacked), the forward and every gradient against the same recurrence composed step by step from the
// engine's plain ops, and no thread dependence of its own.

import TestSupport
import XCTest
@testable import Tensors

final class GRUGradientTests: XCTestCase {
    /// The recurrence from matmul, sigmoid, tanh and elementwise ops, one step at a time (torch's
    /// formulas, h′ = (1 − z) ⊙ n + z ⊙ h): x [B, L, E] → [B, L, H].
    private func composedGRU(_ g: Graph, _ x: Tensor, _ wih: Tensor, _ whh: Tensor, _ bih: Tensor?, _ bhh: Tensor?) -> Tensor {
        let (b, l, e) = (x.shape[0], x.shape[1], x.shape[2]), h = whh.shape[1]
        var state = g.zeros([b, h])
        var outputs: [Tensor] = []
        for t in 0..<l {
            let xt = g.reshape(g.slice(x, axis: 1, start: t, length: 1), [b, e])          // [B, E]
            var gi = g.matmul(xt, wih, transposeB: true)                                   // [B, 3H]
            if let bih { gi = g.add(gi, bih) }
            var gh = g.matmul(state, whh, transposeB: true)                                // [B, 3H]
            if let bhh { gh = g.add(gh, bhh) }
            func part(_ m: Tensor, _ i: Int) -> Tensor { g.slice(m, axis: 1, start: i * h, length: h) }
            let r = g.sigmoid(g.add(part(gi, 0), part(gh, 0)))
            let z = g.sigmoid(g.add(part(gi, 1), part(gh, 1)))
            let n = g.tanh(g.add(part(gi, 2), g.mul(r, part(gh, 2))))
            let oneMinusZ = g.addScalar(g.scale(z, -1), 1)
            state = g.add(g.mul(oneMinusZ, n), g.mul(z, state))                            // [B, H]
            outputs.append(g.reshape(state, [b, 1, h]))
        }
        return g.concat(outputs, axis: 1)                                                  // [B, L, H]
    }

    func testSingleLayerGradientsWithBiases() {
        let x = randomParameter("x", [2, 4, 3])
        let wih = randomParameter("wih", [12, 3], std: 0.6), whh = randomParameter("whh", [12, 4], std: 0.6)
        let bih = randomParameter("bih", [12], std: 0.5), bhh = randomParameter("bhh", [12], std: 0.5)
        checkGradients([x, wih, whh, bih, bhh]) { $0.gru(x, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh) }
    }

    func testSingleLayerGradientsWithoutBiases() {
        let x = randomParameter("x", [3, 5, 2])
        let wih = randomParameter("wih", [9, 2], std: 0.8), whh = randomParameter("whh", [9, 3], std: 0.8)
        checkGradients([x, wih, whh]) { $0.gru(x, weightIH: wih, weightHH: whh) }
    }

    func testTwoStackedLayersGradients() {
        let x = randomParameter("x", [2, 4, 3])
        let wih0 = randomParameter("wih0", [15, 3], std: 0.6), whh0 = randomParameter("whh0", [15, 5], std: 0.6)
        let wih1 = randomParameter("wih1", [12, 5], std: 0.6), whh1 = randomParameter("whh1", [12, 4], std: 0.6)
        let bih1 = randomParameter("bih1", [12], std: 0.5), bhh1 = randomParameter("bhh1", [12], std: 0.5)
        checkGradients([x, wih0, whh0, wih1, whh1, bih1, bhh1]) { g in
            let first = g.gru(x, weightIH: wih0, weightHH: whh0)                            // [2, 4, 5]
            return g.gru(first, weightIH: wih1, weightHH: whh1, biasIH: bih1, biasHH: bhh1)  // [2, 4, 4]
        }
    }

    /// Only the weights train (a frozen input), and only the input does (frozen weights): each
    /// path of the backward alone.
    func testGradientsOfWeightsAloneAndInputAlone() {
        let x = randomParameter("x", [2, 3, 3])
        let wih = randomParameter("wih", [6, 3], std: 0.7), whh = randomParameter("whh", [6, 2], std: 0.7)
        x.isFrozen = true
        checkGradients([wih, whh]) { $0.gru(x, weightIH: wih, weightHH: whh) }
        x.isFrozen = false
        wih.isFrozen = true; whh.isFrozen = true
        checkGradients([x]) { $0.gru(x, weightIH: wih, weightHH: whh) }
    }

    func testMatchesTheComposedRecurrenceInValueAndGradient() {
        for withBias in [true, false] {
            let x = randomParameter("x", [3, 6, 4])
            let wih = randomParameter("wih", [15, 4], std: 0.6), whh = randomParameter("whh", [15, 5], std: 0.6)
            let bih = randomParameter("bih", [15], std: 0.5), bhh = randomParameter("bhh", [15], std: 0.5)
            let inputs = withBias ? [x, wih, whh, bih, bhh] : [x, wih, whh]
            let r = randomParameter("r", [3, 6, 5])
            func gradients(_ f: (Graph) -> Tensor) -> (Tensor, [[Float]]) {
                for t in inputs { t.grad = nil }
                let g = Graph()
                let y = f(g)
                g.backward(g.sum(g.mul(y, r)))
                return (y.detachedCopy(), inputs.map { $0.grad!.scalars })
            }
            let (fused, fusedGrads) = gradients {
                $0.gru(x, weightIH: wih, weightHH: whh, biasIH: withBias ? bih : nil, biasHH: withBias ? bhh : nil)
            }
            let (composed, composedGrads) = gradients {
                composedGRU($0, x, wih, whh, withBias ? bih : nil, withBias ? bhh : nil)
            }
            XCTAssertEqual(fused.shape, [3, 6, 5])
            XCTAssertLessThanOrEqual(maxAbsDifference(fused, composed), 1e-6, "forward, bias \(withBias)")
            for (i, t) in inputs.enumerated() {
                let a = Tensor(shape: t.shape, scalars: fusedGrads[i]), b = Tensor(shape: t.shape, scalars: composedGrads[i])
                XCTAssertLessThanOrEqual(maxAbsDifference(a, b), 1e-5, "gradient of \(t.name), bias \(withBias)")
            }
        }
    }

    func testLaterInputsDoNotChangeEarlierStates() {
        let x = randomParameter("x", [2, 5, 3])
        let wih = randomParameter("wih", [6, 3]), whh = randomParameter("whh", [6, 2])
        let g = Graph(recording: false)
        let before = g.gru(x, weightIH: wih, weightHH: whh).scalars
        for b in 0..<2 { x.pointer[(b * 5 + 4) * 3] += 3 }   // change only the last step
        let after = g.gru(x, weightIH: wih, weightHH: whh).scalars
        for b in 0..<2 {
            XCTAssertEqual(Array(before[(b * 10)..<(b * 10 + 8)]), Array(after[(b * 10)..<(b * 10 + 8)]))
            XCTAssertNotEqual(before[b * 10 + 8], after[b * 10 + 8])
        }
    }

    /// The op has no threads of its own: with OpenBLAS's thread count held (its products' rounding
    /// depends on it, as DropoutAndFusionTests notes) the bits are the same whatever the engine's split
    /// loops are allowed, run after run; across OpenBLAS thread counts only the products' rounding moves.
    func testNoThreadDependenceOfItsOwn() {
        let x = randomParameter("x", [48, 12, 32], std: 0.5)
        let wih = randomParameter("wih", [192, 32], std: 0.2), whh = randomParameter("whh", [192, 64], std: 0.2)
        let bih = randomParameter("bih", [192], std: 0.1), bhh = randomParameter("bhh", [192], std: 0.1)
        let inputs = [x, wih, whh, bih, bhh]
        let saved = BLAS.threads
        defer { BLAS.threads = saved; Parallel.partsLimit = nil }
        func run(threads: Int, parts: Int?) -> [[Float]] {
            BLAS.threads = threads
            Parallel.partsLimit = parts
            for t in inputs { t.grad = nil }
            let g = Graph()
            let y = g.gru(x, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh)
            g.backward(g.sum(g.mul(y, y)))
            return [y.scalars] + inputs.map { $0.grad!.scalars }
        }
        let reference = run(threads: 2, parts: 1)
        XCTAssertEqual(reference, run(threads: 2, parts: 2))
        XCTAssertEqual(reference, run(threads: 2, parts: 4))
        XCTAssertEqual(reference, run(threads: 2, parts: nil))
        for threads in [1, 4] {
            for (a, b) in zip(reference, run(threads: threads, parts: nil)) {
                let scale = a.map(abs).max() ?? 1
                let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 1e-5 * scale, "\(threads) OpenBLAS threads: \(worst) of \(scale)")
            }
        }
    }

    func testEmptyBatchAndSingleStep() {
        let wih = randomParameter("wih", [6, 3]), whh = randomParameter("whh", [6, 2])
        let empty = randomParameter("empty", [0, 4, 3])
        XCTAssertEqual(Graph().gru(empty, weightIH: wih, weightHH: whh).shape, [0, 4, 2])
        // One step reads only h₋₁ = 0: W_hh still gets a (zero) gradient, b_hh a real one.
        let x = randomParameter("x", [2, 1, 3]), bhh = randomParameter("bhh", [6], std: 0.5)
        checkGradients([x, wih, bhh]) { $0.gru(x, weightIH: wih, weightHH: whh, biasHH: bhh) }
        whh.grad = nil
        let g = Graph()
        g.backward(g.sum(g.gru(x, weightIH: wih, weightHH: whh)))
        XCTAssertEqual(whh.grad?.scalars, [Float](repeating: 0, count: 12))
    }
}
