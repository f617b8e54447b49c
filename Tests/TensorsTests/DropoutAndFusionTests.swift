// Dropout masks from a counter-based hash, the fused ops (linear with bias, dropout + residual), and
// the gradient buffers that an op's first contribution stores instead of adding to zeros:
// - the C kernel gives the Swift reference's mask for any range, split anyhow, in one draw;
// - every op that may store its gradient is checked by finite differences both as the first and as
//   a later contribution to the same input;
// - our split loops give the same bits in one part and in two.

import TestSupport
import XCTest
@testable import Tensors

final class DropoutAndFusionTests: XCTestCase {
    func testKernelMatchesTheReferenceForAnySplitInOneDraw() {
        var rng = Seed(3).stream("dropout")
        let before = rng
        let drop = DropoutMask(rate: 0.3, rng: &rng)
        var once = before
        _ = once.next()
        XCTAssertEqual(rng, once, "a mask takes exactly one draw")
        let n = 1001
        let expected = (0..<n).map { drop.multiplier(at: $0) }
        // Whole, and in pieces with odd and even ends.
        let whole = Tensor(zeros: [n]), pieces = Tensor(zeros: [n])
        drop.fill(whole.pointer, n)
        for (a, b) in [(0, 1), (1, 2), (2, 7), (7, 8), (8, 500), (500, 501), (501, 1001)] { drop.fill(pieces.pointer, a, b) }
        XCTAssertEqual(whole.scalars, expected)
        XCTAssertEqual(pieces.scalars, expected)
        // With x: y = x ⊙ mask.
        let x = randomParameter("x", [n]), y = Tensor(zeros: [n]), mask = Tensor(zeros: [n])
        drop.fill(mask.pointer, 3, 998, x: x.pointer, y: y.pointer)
        for i in 3..<998 { XCTAssertEqual(y[flat: i], x[flat: i] * expected[i]) }
        // The rate: about 30% zeros, the kept ones 1/0.7.
        let big = Tensor(zeros: [100_000])
        drop.fill(big.pointer, big.count)
        XCTAssertEqual(Double(big.scalars.filter { $0 == 0 }.count) / 100_000, 0.3, accuracy: 0.01)
        XCTAssertTrue(big.scalars.allSatisfy { $0 == 0 || $0 == 1 / Float(0.7) })
    }

    func testDropoutAddIsDropoutPlusResidualWithGradients() {
        let x = randomParameter("x", [3, 4, 5]), r = randomParameter("r", [3, 4, 5])
        let g = Graph(recording: false)
        var rng1 = Seed(8).stream("dropout"), rng2 = Seed(8).stream("dropout")
        let fused = g.dropoutAdd(x, rate: 0.4, residual: r, rng: &rng1)
        let plain = g.add(g.dropout(x, rate: 0.4, rng: &rng2), r)
        XCTAssertEqual(fused.scalars, plain.scalars)
        XCTAssertEqual(rng1, rng2)
        var unused = Seed(8).stream("dropout")
        let before = unused
        XCTAssertEqual(g.dropoutAdd(x, rate: 0, residual: r, rng: &unused).scalars, g.add(x, r).scalars)
        XCTAssertEqual(unused, before, "rate 0 draws nothing")
        checkGradients([x, r]) { g in
            var rng = Seed(9).stream("dropout")   // the same mask on every evaluation
            return g.dropoutAdd(x, rate: 0.3, residual: r, rng: &rng)
        }
    }

    func testConcatenatedLinearAndPackedAttentionEqualTheSeparateOps() {
        let x = randomParameter("x", [2, 5, 8])
        let ws = (0..<3).map { randomParameter("w\($0)", [8, 8]) }, bs = (0..<3).map { randomParameter("b\($0)", [8]) }
        let ids = IndexTensor(shape: [2, 5], values: [3, 1, 4, 1, 5, 9, 2, 6, 0, 0])
        let g = Graph(recording: false)
        let qkv = g.linear(x, concatenating: ws, biases: bs)                        // [2, 5, 24]
        let separate = (0..<3).map { g.linear(x, ws[$0], bs[$0]) }
        XCTAssertEqual(qkv.shape, [2, 5, 24])
        for i in 0..<3 {
            let slice = g.slice(qkv, axis: 2, start: 8 * i, length: 8)
            for (a, b) in zip(slice.scalars, separate[i].scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
        var rng1 = Seed(2).stream("d"), rng2 = Seed(2).stream("d"), rng3 = Seed(2).stream("d")
        let packed = g.attention(qkv: qkv, heads: 2, validKeys: ids, causal: true, dropout: 0.3, rng: &rng1)
        let plain = g.attention(q: separate[0], k: separate[1], v: separate[2], heads: 2, validKeys: ids, causal: true,
                                dropout: 0.3, rng: &rng2)
        let kv = g.attention(q: separate[0], kv: g.concat([separate[1], separate[2]], axis: 2), heads: 2, validKeys: ids,
                             causal: true, dropout: 0.3, rng: &rng3)
        for other in [plain, kv] {
            for (a, b) in zip(packed.output.scalars, other.output.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
            for (a, b) in zip(packed.probabilities.scalars, other.probabilities.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        }
        checkGradients([x] + ws + bs) { g in
            var rng = Seed(3).stream("d")
            let qkv = g.linear(x, concatenating: ws, biases: bs)
            return g.attention(qkv: qkv, heads: 2, validKeys: ids, causal: true, dropout: 0.3, rng: &rng).output
        }
        let q = randomParameter("q", [2, 2, 8]), keysAndValues = randomParameter("kv", [2, 5, 16])
        checkGradients([q, keysAndValues]) { g in
            var rng = Seed(3).stream("d")
            return g.attention(q: q, kv: keysAndValues, heads: 2, validKeys: ids, causal: true, queryPositions: [4, 1, 0, 3],
                               dropout: 0.3, rng: &rng).output
        }
    }

    /// Each op that may store its input's gradient, on an activation t = 1.5·a that something else
    /// also reads: once recorded last (its backward runs first and stores), once recorded first (it
    /// adds to what the other stored).
    func testOpsStoreTheFirstGradientAndAddLaterOnes() {
        let a = randomParameter("a", [2, 3, 8]), w = randomParameter("w", [8, 6]), bias = randomParameter("bias", [6])
        let gamma = randomParameter("gamma", [8]), beta = randomParameter("beta", [8]), row = randomParameter("row", [8])
        let other = randomParameter("other", [2, 3, 8])
        let w2 = randomParameter("w2", [8, 4]), bias2 = randomParameter("bias2", [4])
        let ops: [([Tensor], (Graph, Tensor) -> Tensor)] = [
            ([w, bias], { g, t in g.linear(t, w, bias) }),
            ([w, bias, w2, bias2], { g, t in g.linear(t, concatenating: [w, w2], biases: [bias, bias2]) }),
            ([], { g, t in
                var rng = Seed(6).stream("d")
                return g.attention(qkv: g.concat([t, g.scale(t, -1), t], axis: 2), heads: 2, causal: true, dropout: 0.2,
                                   rng: &rng).output
            }),
            ([w], { g, t in g.matmul(t, w) }),
            ([], { g, t in let r = g.reshape(t, [6, 8]); return g.matmul(r, r, transposeB: true) }),
            ([gamma, beta], { g, t in g.layerNorm(t, gamma: gamma, beta: beta, eps: 1e-5) }),
            ([], { g, t in g.gelu(t) }),
            ([row], { g, t in g.add(t, row) }),
            ([other], { g, t in g.sub(t, other) }),
            ([row], { g, t in g.mul(t, row) }),
            ([], { g, t in g.reshape(t, [6, 8]) }),
            ([], { g, t in var rng = Seed(5).stream("d"); return g.dropout(t, rate: 0.25, rng: &rng) }),
            ([other], { g, t in var rng = Seed(5).stream("d"); return g.dropoutAdd(t, rate: 0.25, residual: other, rng: &rng) }),
            ([other], { g, t in var rng = Seed(5).stream("d"); return g.dropoutAdd(other, rate: 0.25, residual: t, rng: &rng) }),
        ]
        for (parameters, op) in ops {
            for opLast in [true, false] {
                checkGradients([a] + parameters) { g in
                    let t = g.scale(a, 1.5)
                    let (first, second): (Tensor, Tensor)
                    if opLast {
                        first = g.scale(t, 0.5)
                        second = op(g, t)
                    } else {
                        second = op(g, t)
                        first = g.scale(t, 0.5)
                    }
                    return g.concat([g.reshape(first, [first.count]), g.reshape(second, [second.count])], axis: 0)
                }
            }
        }
    }

    /// Our split loops give the same bits in one part and in two. (OpenBLAS's products do not: its
    /// rounding changes with its thread count, so that stays at 2 here.)
    func testGradientsAreTheSameInOneAndTwoParts() {
        let saved = BLAS.threads
        BLAS.threads = 2
        defer { BLAS.threads = saved; Parallel.partsLimit = nil }
        // Big enough that every split op runs in two parts.
        let x = randomParameter("x", [64, 50, 64]), w = randomParameter("w", [64, 64]), bias = randomParameter("bias", [64])
        let gamma = randomParameter("gamma", [64]), beta = randomParameter("beta", [64])
        let r = randomParameter("r", [64, 50, 64])
        let variants: [(String, (Graph, inout RandomStream) -> Tensor)] = [
            ("linear", { g, _ in g.linear(x, w, bias) }),
            ("matmul", { g, _ in g.matmul(x, w) }),
            ("layerNorm", { g, _ in g.layerNorm(x, gamma: gamma, beta: beta, eps: 1e-12) }),
            ("gelu", { g, _ in g.gelu(g.add(x, bias)) }),
            ("dropoutAdd", { g, rng in g.dropoutAdd(g.add(x, bias), rate: 0.5, residual: x, rng: &rng) }),
            ("attention", { g, rng in g.attention(q: x, k: g.scale(x, 0.5), v: x, heads: 2, causal: true, dropout: 0.5, rng: &rng).output }),
            ("all", { g, rng in
                let h = g.linear(x, w, bias)
                let n = g.layerNorm(g.dropoutAdd(g.gelu(h), rate: 0.5, residual: x, rng: &rng), gamma: gamma, beta: beta, eps: 1e-12)
                let a = g.attention(q: n, k: h, v: n, heads: 2, causal: true, dropout: 0.5, rng: &rng).output
                return g.mul(g.dropout(a, rate: 0.5, rng: &rng), g.add(a, bias))
            }),
        ]
        for (name, f) in variants {
            func run(parts: Int) -> [[Float]] {
                Parallel.partsLimit = parts
                for p in [x, w, bias, gamma, beta] { p.grad = nil }
                let g = Graph()
                var rng = Seed(1).stream("dropout")
                let loss = g.sum(g.mul(f(g, &rng), r))
                g.backward(loss)
                return [[loss.item]] + [x, w, bias, gamma, beta].map { $0.grad?.scalars ?? [] }
            }
            let (one, two) = (run(parts: 1), run(parts: 2))
            for (i, (a, b)) in zip(one, two).enumerated() {
                let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertEqual(differing, 0, "\(name), result \(i): \(differing) of \(a.count) values differ")
            }
        }
    }
}
