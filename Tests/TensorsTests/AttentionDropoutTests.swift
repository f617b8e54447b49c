// Attention with dropout on its probabilities (SASRec's attn_dropout_prob): gradients against finite
// differences with a fixed mask, the map it returns stays the undropped softmax, and a rate of 0
// is exactly the plain op and draws nothing.

import TestSupport
import XCTest
@testable import Tensors

final class AttentionDropoutTests: XCTestCase {
    func testGradientsWithAFixedDropoutMask() {
        let q = randomParameter("q", [2, 5, 8]), k = randomParameter("k", [2, 5, 8]), v = randomParameter("v", [2, 5, 8])
        let ids = IndexTensor(shape: [2, 5], values: [3, 1, 4, 1, 5, 9, 2, 6, 0, 0])
        for causal in [true, false] {
            checkGradients([q, k, v]) {
                // A fresh stream per evaluation: every probe sees the same mask.
                var rng = Seed(11).stream("attention.dropout")
                return $0.attention(q: q, k: k, v: v, heads: 2, validKeys: ids, causal: causal, dropout: 0.3, rng: &rng).output
            }
        }
    }

    func testProbabilitiesAreUndroppedAndZeroRateIsThePlainOp() {
        let q = randomParameter("q", [2, 4, 6]), k = randomParameter("k", [2, 4, 6]), v = randomParameter("v", [2, 4, 6])
        let g = Graph(recording: false)
        let plain = g.attention(q: q, k: k, v: v, heads: 3, causal: true)
        var rng = Seed(2).stream("attention.dropout")
        let dropped = g.attention(q: q, k: k, v: v, heads: 3, causal: true, dropout: 0.5, rng: &rng)
        XCTAssertEqual(dropped.probabilities.scalars, plain.probabilities.scalars)
        XCTAssertNotEqual(dropped.output.scalars, plain.output.scalars)

        var unused = Seed(2).stream("attention.dropout")
        let before = unused
        let zero = g.attention(q: q, k: k, v: v, heads: 3, causal: true, dropout: 0, rng: &unused)
        XCTAssertEqual(zero.output.scalars, plain.output.scalars)
        XCTAssertEqual(unused, before, "rate 0 draws nothing")

        // Dropout on P then P̃ V: recompute one head's output by hand.
        var again = Seed(2).stream("attention.dropout")
        let drop = DropoutMask(rate: 0.5, rng: &again)
        let mask = (0..<(2 * 3 * 4 * 4)).map { drop.multiplier(at: $0) }
        XCTAssertEqual(again, rng, "the mask took one draw")
        let (b, h, i, d) = (1, 2, 3, 1)   // batch 1, head 2, query 3, channel 1 of the head
        var expected: Float = 0
        for j in 0..<4 {
            let p = plain.probabilities[flat: ((b * 3 + h) * 4 + i) * 4 + j] * mask[((b * 3 + h) * 4 + i) * 4 + j]
            expected += p * v[flat: (b * 4 + j) * 6 + h * 2 + d]
        }
        XCTAssertEqual(dropped.output[flat: (b * 4 + i) * 6 + h * 2 + d], expected, accuracy: 1e-5)
    }
}
