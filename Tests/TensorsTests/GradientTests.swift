// Finite-difference gradient checks for every op of the engine.

import TestSupport
import XCTest
@testable import Tensors

final class GradientTests: XCTestCase {
    func testMatmulAllTransposes() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomParameter("a", ta ? [4, 3] : [3, 4]), b = randomParameter("b", tb ? [5, 4] : [4, 5])
            checkGradients([a, b]) { $0.matmul(a, b, transposeA: ta, transposeB: tb) }
        }
        // leading dims flatten: [2, 3, 4] · [4, 5]
        let x = randomParameter("x", [2, 3, 4]), w = randomParameter("w", [4, 5])
        checkGradients([x, w]) { $0.matmul(x, w) }
    }

    func testBatchedMatmulAllTransposes() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomParameter("a", ta ? [2, 4, 3] : [2, 3, 4]), b = randomParameter("b", tb ? [2, 5, 4] : [2, 4, 5])
            checkGradients([a, b]) { $0.batchedMatmul(a, b, transposeA: ta, transposeB: tb) }
        }
    }

    func testBroadcastArithmetic() {
        let a = randomParameter("a", [2, 3, 4]), bias = randomParameter("bias", [4]), same = randomParameter("same", [2, 3, 4])
        let scalar = randomParameter("s", [])
        checkGradients([a, bias]) { $0.add(a, bias) }
        checkGradients([a, same]) { $0.sub(a, same) }
        checkGradients([a, bias]) { $0.mul(a, bias) }
        checkGradients([a, scalar]) { $0.mul(a, scalar) }
        checkGradients([a]) { $0.scale(a, -1.5) }
        checkGradients([a]) { $0.addScalar(a, 0.25) }
        let w = randomParameter("w", [4, 5]), b = randomParameter("b", [5])
        checkGradients([a, w, b]) { $0.linear(a, w, b) }
    }

    func testEmbeddingScattersAndSkipsPadding() {
        let table = randomParameter("table", [6, 3])
        let ids = IndexTensor(shape: [2, 4], values: [1, 5, 5, 0, 2, 0, 1, 3])
        checkGradients([table]) { $0.embedding(table, ids, paddingIndex: nil) }
        // with a padding index, row 0 gets exactly zero gradient and is still read
        let g = Graph()
        let y = g.embedding(table, ids, paddingIndex: 0)
        XCTAssertEqual(Array(y.scalars[9..<12]), Array(table.scalars[0..<3]))
        table.grad = nil
        g.backward(g.sum(y))
        XCTAssertEqual(Array(table.grad!.scalars[0..<3]), [0, 0, 0])
        XCTAssertEqual(Array(table.grad!.scalars[15..<18]), [2, 2, 2])   // id 5 used twice
    }

    func testConvolutionCausalDilatedAndNonCausal() {
        let x = randomParameter("x", [2, 9, 3])
        for (k, d, causal) in [(3, 1, true), (3, 2, true), (3, 4, true), (2, 1, true), (3, 2, false), (5, 1, false)] {
            let w = randomParameter("w", [k, 3, 4], std: 0.5), b = randomParameter("b", [4])
            checkGradients([x, w, b]) { $0.conv1d(x, w, bias: b, dilation: d, causal: causal) }
        }
        let w = randomParameter("w", [3, 3, 2])
        checkGradients([x, w]) { $0.conv1d(x, w, bias: nil, dilation: 8, causal: true) }   // reach beyond L
    }

    func testCausalConvolutionNeverSeesTheFuture() {
        let x = randomParameter("x", [1, 8, 2]), w = randomParameter("w", [3, 2, 2])
        let g = Graph(recording: false)
        let before = g.conv1d(x, w, bias: nil, dilation: 2, causal: true).scalars
        x.pointer[7 * 2] += 10   // change only the last time step
        let after = g.conv1d(x, w, bias: nil, dilation: 2, causal: true).scalars
        XCTAssertEqual(Array(before[0..<14]), Array(after[0..<14]))
        XCTAssertNotEqual(before[14], after[14])
    }

    func testLayerNorm() {
        let x = randomParameter("x", [2, 3, 5]), gamma = randomParameter("gamma", [5]), beta = randomParameter("beta", [5])
        checkGradients([x, gamma, beta]) { $0.layerNorm(x, gamma: gamma, beta: beta, eps: 1e-5) }
        checkGradients([x, gamma, beta]) { $0.layerNorm(x, gamma: gamma, beta: beta, eps: 1e-12) }
    }

    func testActivations() {
        // keep clear of ReLU's kink at 0, where the central difference is not the derivative
        let x = Tensor.parameter("x", shape: [24]) { i in Float(i) * 0.5 - 5.9 }
        checkGradients([x]) { $0.relu(x) }
        checkGradients([x]) { $0.gelu(x) }
        checkGradients([x]) { $0.sigmoid(x) }
        checkGradients([x]) { $0.tanh(x) }
        checkGradients([x]) { $0.softplus(x) }
    }

    func testSoftmaxAndLogSoftmax() {
        let x = randomParameter("x", [3, 7])
        checkGradients([x]) { $0.softmax(x) }
        checkGradients([x]) { $0.logSoftmax(x) }
    }

    func testCrossEntropyWithIgnoreIndex() {
        let logits = randomParameter("logits", [6, 10])
        let targets = IndexTensor([3, 0, 9, 1, 0, 4])
        checkGradients([logits]) { $0.crossEntropy(logits, targets: targets, ignoreIndex: 0) }
        // ignored rows get no gradient
        let g = Graph()
        logits.grad = nil
        g.backward(g.crossEntropy(logits, targets: targets, ignoreIndex: 0))
        XCTAssertEqual(Array(logits.grad!.scalars[10..<20]), [Float](repeating: 0, count: 10))
    }

    func testFusedCrossEntropyMatchesPlainAndHasGradients() {
        let h = randomParameter("h", [7, 5]), w = randomParameter("w", [5, 30], std: 0.5), b = randomParameter("b", [30])
        let table = randomParameter("table", [30, 5], std: 0.5)
        let targets = IndexTensor([3, 29, 0, 7, 7, 1, 12])
        // tiny block bound forces several row blocks
        for blockBytes in [64 << 20, 30 * 4 * 2] {
            checkGradients([h, w, b]) {
                $0.fusedSoftmaxCrossEntropy(hidden: h, weight: w, bias: b, targets: targets, ignoreIndex: 0,
                                            maxBlockBytes: blockBytes)
            }
            checkGradients([h, table]) {
                $0.fusedSoftmaxCrossEntropy(hidden: h, weight: table, bias: nil, targets: targets,
                                            transposedWeight: true, ignoreIndex: 0, maxBlockBytes: blockBytes)
            }
        }
        let g = Graph(recording: false)
        let fused = g.fusedSoftmaxCrossEntropy(hidden: h, weight: w, bias: b, targets: targets, ignoreIndex: 0).item
        let plain = g.crossEntropy(g.linear(h, w, b), targets: targets, ignoreIndex: 0).item
        XCTAssertEqual(fused, plain, accuracy: 1e-5)
    }

    func testSampledSoftmax() {
        let h = randomParameter("h", [4, 3]), table = randomParameter("table", [9, 3])
        let positives = IndexTensor([1, 0, 4, 8])
        let negatives = IndexTensor(shape: [4, 2], values: [2, 3, 5, 6, 7, 2, 1, 3])
        checkGradients([h, table]) {
            $0.sampledSoftmaxCrossEntropy(hidden: h, table: table, positives: positives, negatives: negatives)
        }
    }

    func testDropoutWithAFixedMask() {
        let x = randomParameter("x", [5, 8])
        checkGradients([x]) { g in
            var rng = Seed(4).stream("dropout")   // same mask on every evaluation
            return g.dropout(x, rate: 0.3, rng: &rng)
        }
        var rng = Seed(5).stream("dropout")
        let big = Tensor(shape: [20_000], scalars: [Float](repeating: 1, count: 20_000))
        let y = Graph(recording: false).dropout(big, rate: 0.25, rng: &rng)
        let zeros = y.scalars.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / 20_000, 0.25, accuracy: 0.015)
        XCTAssertEqual(Double(y.scalars.reduce(0, +)) / 20_000, 1, accuracy: 0.03)   // expectation kept
    }

    func testAttentionWithCausalAndPaddingMasks() {
        let q = randomParameter("q", [2, 5, 8]), k = randomParameter("k", [2, 5, 8]), v = randomParameter("v", [2, 5, 8])
        let ids = IndexTensor(shape: [2, 5], values: [3, 1, 4, 1, 5, 9, 2, 6, 0, 0])
        for causal in [true, false] {
            checkGradients([q, k, v]) {
                $0.attention(q: q, k: k, v: v, heads: 2, validKeys: ids, causal: causal).output
            }
        }
        // Lq ≠ Lk, one head
        let kk = randomParameter("kk", [2, 3, 8]), vv = randomParameter("vv", [2, 3, 8])
        checkGradients([q, kk, vv]) { $0.attention(q: q, k: kk, v: vv, heads: 1, causal: false).output }
    }

    func testAttentionRowsLongerThanOneVector() {
        // 13 keys: the row kernels' 8-wide part and their scalar tail. Probabilities against a
        // direct softmax of the scaled, masked scores; gradients against finite differences.
        let q = randomParameter("q", [2, 13, 8]), k = randomParameter("k", [2, 13, 8]), v = randomParameter("v", [2, 13, 8])
        let ids = IndexTensor(shape: [2, 13], values: (0..<26).map { $0 % 13 == 11 ? 0 : Int32(1 + $0 % 5) })
        let out = Graph(recording: false).attention(q: q, k: k, v: v, heads: 2, validKeys: ids, causal: true)
        for (b, h, i) in [(0, 0, 12), (1, 1, 9), (1, 0, 0)] {
            var scores = (0..<13).map { j -> Double in
                var dot = 0.0
                for c in 0..<4 { dot += Double(q[flat: (b * 13 + i) * 8 + h * 4 + c]) * Double(k[flat: (b * 13 + j) * 8 + h * 4 + c]) }
                return dot / 2 + (j > i || ids.values[b * 13 + j] == 0 ? -10000 : 0)
            }
            let top = scores.max()!
            scores = scores.map { exp($0 - top) }
            let total = scores.reduce(0, +)
            for j in 0..<13 {
                XCTAssertEqual(Double(out.probabilities[flat: ((b * 2 + h) * 13 + i) * 13 + j]), scores[j] / total, accuracy: 1e-6)
            }
        }
        checkGradients([q, k, v]) {
            var rng = Seed(3).stream("attention.dropout")
            return $0.attention(q: q, k: k, v: v, heads: 2, validKeys: ids, causal: true, dropout: 0.2, rng: &rng).output
        }
    }

    func testAttentionAtGivenQueryPositions() {
        // One query per row at position p attends to keys 0 ... p: the full attention's row p.
        let x = randomParameter("x", [3, 5, 8]), k = randomParameter("k", [3, 5, 8]), v = randomParameter("v", [3, 5, 8])
        let ids = IndexTensor(shape: [3, 5], values: [3, 1, 4, 1, 5, 9, 2, 6, 0, 0, 7, 7, 7, 7, 7])
        let positions = [4, 1, 2]
        let g = Graph(recording: false)
        let full = g.attention(q: x, k: k, v: v, heads: 2, validKeys: ids, causal: true)
        let q = g.reshape(g.gather(g.reshape(x, [15, 8]), axis: 0, indices: [4, 6, 12]), [3, 1, 8])
        let some = g.attention(q: q, k: k, v: v, heads: 2, validKeys: ids, causal: true, queryPositions: positions)
        XCTAssertEqual(some.output.shape, [3, 1, 8])
        XCTAssertEqual(some.probabilities.shape, [3, 2, 1, 5])
        for b in 0..<3 {
            for c in 0..<8 {
                XCTAssertEqual(some.output[flat: b * 8 + c], full.output[flat: (b * 5 + positions[b]) * 8 + c], accuracy: 1e-6)
            }
        }
        let q2 = randomParameter("q2", [3, 2, 8])
        checkGradients([q2, k, v]) {
            $0.attention(q: q2, k: k, v: v, heads: 2, validKeys: ids, causal: true, queryPositions: [4, 0, 1, 3, 2, 2]).output
        }
    }

    func testL2NormalizeAndReductions() {
        let x = randomParameter("x", [3, 4])
        checkGradients([x]) { $0.l2Normalize(x) }
        checkGradients([x]) { $0.reshape($0.sum(x), [1]) }
        checkGradients([x]) { $0.reshape($0.mean(x), [1]) }
        checkGradients([x]) { $0.sumLastAxis(x) }
        checkGradients([x]) { $0.meanLastAxis(x) }
    }

    func testShapeOps() {
        let a = randomParameter("a", [2, 3, 4]), b = randomParameter("b", [2, 1, 4]), c = randomParameter("c", [2, 3, 2])
        checkGradients([a]) { $0.reshape(a, [6, 4]) }
        checkGradients([a, b]) { $0.concat([a, b], axis: 1) }
        checkGradients([a, c]) { $0.concat([a, c], axis: -1) }
        checkGradients([a]) { $0.slice(a, axis: 1, start: 1, length: 2) }
        checkGradients([a]) { $0.gather(a, axis: 2, indices: [3, 0, 3]) }
        checkGradients([a]) { $0.gather(a, axis: 0, indices: [1]) }
    }

    func testWeightedSumOfTerms() {
        let a = randomParameter("a", [2, 3, 4]), b = randomParameter("b", [2, 3, 4]), c = randomParameter("c", [2, 3, 4])
        let w = randomParameter("w", [2, 3, 3])
        checkGradients([a, b, c, w]) { $0.weightedSum([a, b, c], weights: w) }
        checkGradients([a, w]) { $0.weightedSum([a], weights: $0.slice(w, axis: 2, start: 0, length: 1)) }
        // y[r] = Σ_k w[r, k] x_k[r], checked by hand on one row
        let g = Graph(recording: false)
        let y = g.weightedSum([a, b, c], weights: w)
        for j in 0..<4 {
            let expected = w.pointer[0] * a.pointer[j] + w.pointer[1] * b.pointer[j] + w.pointer[2] * c.pointer[j]
            XCTAssertEqual(y.pointer[j], expected, accuracy: 1e-6)
        }
    }

    func testFrozenParameterGetsNoGradientAndTensorUsedTwiceAccumulates() {
        let x = randomParameter("x", [3, 3]), w = randomParameter("w", [3, 3])
        w.isFrozen = true
        let g = Graph()
        g.backward(g.sum(g.matmul(x, w)))
        XCTAssertNil(w.grad)
        XCTAssertNotNil(x.grad)
        w.isFrozen = false
        checkGradients([x]) { $0.mul(x, x) }   // d(x²) = 2x needs both uses summed
    }

    func testEmbeddingMeanCountsPaddingButPassesItNoGradient() {
        let table = randomParameter("table", [7, 3])
        let ids = IndexTensor(shape: [2, 2, 3], values: [1, 4, 4, 0, 0, 0, 6, 2, 5, 3, 0, 1])
        checkGradients([table]) { $0.embeddingMean(table, ids, paddingIndex: nil) }
        let g = Graph()
        let y = g.embeddingMean(table, ids, paddingIndex: 0)
        XCTAssertEqual(y.shape, [2, 2, 3])
        for j in 0..<3 {   // the padding group reads row 0 three times; the last group counts its padding id
            XCTAssertEqual(y.pointer[3 + j], table.pointer[j], accuracy: 1e-6)
            let expected = (table.pointer[9 + j] + table.pointer[0 + j] + table.pointer[3 + j]) / 3
            XCTAssertEqual(y.pointer[9 + j], expected, accuracy: 1e-6)
        }
        table.grad = nil
        g.backward(g.sum(y))
        XCTAssertEqual(Array(table.grad!.scalars[0..<3]), [0, 0, 0])
        XCTAssertEqual(table.grad!.scalars[12], 2 / 3, accuracy: 1e-6)   // id 4 twice in a group of 3
    }

    func testSinkhornNormalisesRowsAndColumns() {
        let x = randomParameter("x", [2, 4, 4], std: 1.5)
        for iterations in [1, 3] {
            checkGradients([x], eps: 1e-2, atol: 3e-3) { $0.sinkhorn(x, iterations: iterations) }
        }
        let rectangular = randomParameter("r", [1, 3, 5])
        checkGradients([rectangular]) { $0.sinkhorn(rectangular, iterations: 2) }
        // after the last (column) step every column sums to one; many rounds make the rows too
        let g = Graph(recording: false)
        let p = g.sinkhorn(x, iterations: 50)
        for m in 0..<2 {
            for k in 0..<4 {
                var row: Float = 0, column: Float = 0
                for j in 0..<4 { row += p.pointer[m * 16 + k * 4 + j]; column += p.pointer[m * 16 + j * 4 + k] }
                XCTAssertEqual(column, 1, accuracy: 1e-5)
                XCTAssertEqual(row, 1, accuracy: 1e-3)
            }
        }
    }

    func testHardOneHotStraightThroughOrZeroGradient() {
        let x = randomParameter("x", [2, 3, 5])
        let g = Graph()
        let y = g.hardOneHot(x, straightThrough: true)
        for r in 0..<6 {
            let row = Array(x.scalars[(r * 5)..<(r * 5 + 5)])
            let best = row.indices.max { row[$0] < row[$1] }!
            XCTAssertEqual(Array(y.scalars[(r * 5)..<(r * 5 + 5)]), (0..<5).map { $0 == best ? 1 : 0 })
        }
        let w = randomParameter("w", [2, 3, 5])
        x.grad = nil
        g.backward(g.sum(g.mul(y, w)))
        XCTAssertEqual(x.grad!.scalars, w.scalars, "straight through: dx = dy")
        let h = Graph()
        x.grad = nil
        h.backward(h.sum(h.mul(h.hardOneHot(x, straightThrough: false), w)))
        XCTAssertEqual(x.grad!.scalars, [Float](repeating: 0, count: 30), "a step function: exactly zero, but present")
        // ties pick the first index
        let tied = Tensor(shape: [1, 3], scalars: [2, 2, 1])
        XCTAssertEqual(Graph(recording: false).hardOneHot(tied, straightThrough: true).scalars, [1, 0, 0])
    }
}
