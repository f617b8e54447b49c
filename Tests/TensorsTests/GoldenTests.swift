// The engine against PyTorch: Golden/ops.safetensors holds inputs, outputs and gradients computed
// by Golden/make_golden.py with torch 2.13 (float32). Each case uses loss = Σ out ⊙ r. Tolerance:
// max absolute difference ≤ 5e-6 for tensors and scalar losses (1e-6 for optimizer steps and
// clipping). The largest difference measured is 1.9e-6 (conv_same_d2 db, a sum over the 2 × 9
// positions; the other cases stay under 1.5e-6), so the bound is 2.6 times the worst case:
// a kernel that lost a term or summed in Float16 would be far outside it. Every difference is printed.

import Foundation
import TestSupport
import XCTest
@testable import Tensors

/// The golden file next to this source file.
func goldenFile(_ name: String) throws -> SafetensorsFile {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    return try SafetensorsFile(contentsOf: url.path)
}

/// Asserts every element of `actual` is within `tolerance` of `expected` (same count).
func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 5e-6, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): element count", file: file, line: line)
    guard actual.count == expected.count else { return }
    var worst: Float = 0
    for i in 0..<actual.count { worst = max(worst, abs(actual.pointer[i] - expected.pointer[i])) }
    print("golden \(what): max abs difference \(worst)")
    XCTAssertLessThanOrEqual(worst, tolerance, "\(what): max abs difference \(worst)", file: file, line: line)
}

/// Asserts a scalar is within `tolerance` of the golden one, printing the difference.
func assertCloseScalar(_ actual: Float, _ expected: Float, tolerance: Float = 5e-6, _ what: String,
                       file: StaticString = #filePath, line: UInt = #line) {
    print("golden \(what): abs difference \(abs(actual - expected))")
    XCTAssertEqual(actual, expected, accuracy: tolerance, what, file: file, line: line)
}

final class GoldenTests: XCTestCase {
    var golden: SafetensorsFile!

    override func setUpWithError() throws { golden = try goldenFile("ops.safetensors") }

    /// A golden tensor as a trainable parameter (so its gradient is kept).
    func parameter(_ name: String) throws -> Tensor {
        let t = try golden.tensor(name)
        return Tensor(shape: t.shape, scalars: t.scalars, name: name, isParameter: true)
    }

    /// Runs `f`, backpropagates Σ out ⊙ r from `<case>.r`, returns the output.
    func forwardBackward(_ name: String, _ f: (Graph) -> Tensor) throws -> Tensor {
        let g = Graph()
        let out = f(g)
        g.backward(g.sum(g.mul(out, try golden.tensor("\(name).r"))))
        return out
    }

    func testConvolutionMatchesTorch() throws {
        for (name, d, causal) in [("conv_causal_d1", 1, true), ("conv_causal_d2", 2, true), ("conv_causal_d4", 4, true),
                                  ("conv_same_d2", 2, false), ("conv_causal_k2_d1", 1, true)] {
            let x = try parameter("\(name).x"), w = try parameter("\(name).w"), b = try parameter("\(name).b")
            let y = try forwardBackward(name) { $0.conv1d(x, w, bias: b, dilation: d, causal: causal) }
            assertClose(y, try golden.tensor("\(name).y"), "\(name) y")
            assertClose(x.grad!, try golden.tensor("\(name).dx"), "\(name) dx")
            assertClose(w.grad!, try golden.tensor("\(name).dw"), "\(name) dw")
            assertClose(b.grad!, try golden.tensor("\(name).db"), "\(name) db")
        }
    }

    func testLayerNormMatchesTorch() throws {
        for (name, eps) in [("ln_eps1e-5", Float(1e-5)), ("ln_eps1e-8", Float(1e-8))] {
            let x = try parameter("\(name).x"), gamma = try parameter("\(name).gamma"), beta = try parameter("\(name).beta")
            let y = try forwardBackward(name) { $0.layerNorm(x, gamma: gamma, beta: beta, eps: eps) }
            assertClose(y, try golden.tensor("\(name).y"), "\(name) y")
            assertClose(x.grad!, try golden.tensor("\(name).dx"), "\(name) dx")
            assertClose(gamma.grad!, try golden.tensor("\(name).dgamma"), "\(name) dgamma")
            assertClose(beta.grad!, try golden.tensor("\(name).dbeta"), "\(name) dbeta")
        }
    }

    func testAttentionMatchesTorch() throws {
        for (name, causal) in [("att_causal", true), ("att_pad", false)] {
            let q = try parameter("\(name).q"), k = try parameter("\(name).k"), v = try parameter("\(name).v")
            let lengths = try golden.indices("\(name).lengths").values
            let l = q.shape[1]
            let valid = IndexTensor(shape: [lengths.count, l],
                                    values: lengths.flatMap { n in (0..<l).map { $0 < Int(n) ? Int32(1) : 0 } })
            var probabilities: Tensor?
            let out = try forwardBackward(name) { g in
                let a = g.attention(q: q, k: k, v: v, heads: 2, validKeys: valid, causal: causal)
                probabilities = a.probabilities
                return a.output
            }
            assertClose(out, try golden.tensor("\(name).out"), "\(name) out")
            assertClose(probabilities!, try golden.tensor("\(name).probs"), "\(name) probs")
            assertClose(q.grad!, try golden.tensor("\(name).dq"), "\(name) dq")
            assertClose(k.grad!, try golden.tensor("\(name).dk"), "\(name) dk")
            assertClose(v.grad!, try golden.tensor("\(name).dv"), "\(name) dv")
        }
    }

    func testCrossEntropyMatchesTorch() throws {
        let logits = try parameter("ce.logits")
        let g = Graph()
        let loss = g.crossEntropy(logits, targets: try golden.indices("ce.targets"), ignoreIndex: 0)
        g.backward(loss)
        assertCloseScalar(loss.item, try golden.tensor("ce.loss").item, "ce loss")
        assertClose(logits.grad!, try golden.tensor("ce.dlogits"), "ce dlogits")
    }

    func testFusedCrossEntropyMatchesTorchInOneBlockAndInMany() throws {
        for blockBytes in [64 << 20, 2 * 300 * 4] {
            let h = try parameter("fce.h"), w = try parameter("fce.w"), b = try parameter("fce.b")
            let g = Graph()
            let loss = g.fusedSoftmaxCrossEntropy(hidden: h, weight: w, bias: b, targets: try golden.indices("fce.targets"),
                                                  ignoreIndex: 0, maxBlockBytes: blockBytes)
            g.backward(loss)
            assertCloseScalar(loss.item, try golden.tensor("fce.loss").item, "fce loss")
            assertClose(h.grad!, try golden.tensor("fce.dh"), "fce dh")
            assertClose(w.grad!, try golden.tensor("fce.dw"), "fce dw")
            assertClose(b.grad!, try golden.tensor("fce.db"), "fce db")

            let ht = try parameter("fcet.h"), table = try parameter("fcet.table")
            let gt = Graph()
            let tied = gt.fusedSoftmaxCrossEntropy(hidden: ht, weight: table, bias: nil, targets: try golden.indices("fcet.targets"),
                                                   transposedWeight: true, ignoreIndex: 0, maxBlockBytes: blockBytes)
            gt.backward(tied)
            assertCloseScalar(tied.item, try golden.tensor("fcet.loss").item, "fcet loss")
            assertClose(ht.grad!, try golden.tensor("fcet.dh"), "fcet dh")
            assertClose(table.grad!, try golden.tensor("fcet.dtable"), "fcet dtable")
        }
    }

    func testSoftmaxAndActivationsMatchTorch() throws {
        let x = try parameter("sm.x")
        assertClose(try forwardBackward("sm") { $0.softmax(x) }, try golden.tensor("sm.softmax"), "softmax")
        assertClose(x.grad!, try golden.tensor("sm.dsoftmax_x"), "dsoftmax")
        x.grad = nil
        assertClose(try forwardBackward("sm") { $0.logSoftmax(x) }, try golden.tensor("sm.logsoftmax"), "logsoftmax")
        assertClose(x.grad!, try golden.tensor("sm.dlogsoftmax_x"), "dlogsoftmax")

        let ops: [(String, (Graph, Tensor) -> Tensor)] = [
            ("relu", { $0.relu($1) }), ("gelu", { $0.gelu($1) }), ("sigmoid", { $0.sigmoid($1) }),
            ("tanh", { $0.tanh($1) }), ("softplus", { $0.softplus($1) }),
        ]
        for (name, op) in ops {
            let a = try parameter("act.x")
            assertClose(try forwardBackward("act") { op($0, a) }, try golden.tensor("act.\(name)"), name)
            assertClose(a.grad!, try golden.tensor("act.d\(name)"), "d\(name)")
        }
    }

    func testOptimizersMatchTorchForFiveSteps() throws {
        let grads = try golden.tensor("adam.grads")
        let cases: [(String, ([Tensor]) -> Optimizer)] = [
            ("adam.plain.params", { Adam($0, learningRate: 1e-2) }),
            ("adam.l2.params", { Adam($0, learningRate: 1e-2, weightDecay: 0.1) }),
            ("adamw.params", { Adam($0, learningRate: 1e-2, weightDecay: 0.1, decoupled: true) }),
            ("sgd.params", { SGD($0, learningRate: 0.1, momentum: 0.9) }),
        ]
        for (name, make) in cases {
            let p = try parameter("adam.p0")
            let optimizer = make([p])
            let expected = try golden.tensor(name)
            for step in 0..<5 {
                p.grad = Tensor(shape: p.shape, scalars: Array(grads.scalars[(step * 12)..<(step * 12 + 12)]))
                optimizer.step()
                let want = Tensor(shape: p.shape, scalars: Array(expected.scalars[(step * 12)..<(step * 12 + 12)]))
                assertClose(p, want, tolerance: 1e-6, "\(name) step \(step + 1)")
            }
        }
    }

    func testGradientClippingMatchesTorch() throws {
        let a = try parameter("clip.g1"), b = try parameter("clip.g2")
        a.grad = try golden.tensor("clip.g1")
        b.grad = try golden.tensor("clip.g2")
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        assertCloseScalar(norm, try golden.tensor("clip.total_norm").item, tolerance: 1e-6, "clip total norm")
        assertClose(a.grad!, try golden.tensor("clip.g1_after"), tolerance: 1e-6, "clipped g1")
        assertClose(b.grad!, try golden.tensor("clip.g2_after"), tolerance: 1e-6, "clipped g2")
    }
}
