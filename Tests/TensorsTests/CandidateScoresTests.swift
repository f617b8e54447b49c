// candidateScores: values equal the matching entries of the full product (both weight layouts), and
// finite-difference gradients for hidden, weight and bias, with candidates repeated within and
// across rows so that scatter-adds must add up.

import TestSupport
import XCTest
@testable import Tensors

final class CandidateScoresTests: XCTestCase {
    let candidates = IndexTensor(shape: [4, 3], values: [1, 5, 5, 0, 2, 8, 3, 3, 1, 7, 1, 4])

    func testValuesMatchTheFullProduct() {
        let h = randomParameter("h", [4, 3]), w = randomParameter("w", [3, 9]), b = randomParameter("b", [9])
        let table = Tensor(shape: [9, 3], scalars: (0..<27).map { w.pointer[($0 % 3) * 9 + $0 / 3] })   // wᵀ
        let g = Graph(recording: false)
        let full = g.linear(h, w, b)                                                        // [4, 9]
        let scores = g.candidateScores(hidden: h, weight: w, bias: b, candidates: candidates)
        let tied = g.candidateScores(hidden: h, weight: table, bias: b, candidates: candidates, transposedWeight: true)
        XCTAssertEqual(scores.shape, [4, 3])
        for r in 0..<4 {
            for q in 0..<3 {
                let expected = full.pointer[r * 9 + Int(candidates.values[r * 3 + q])]
                XCTAssertEqual(scores.pointer[r * 3 + q], expected, accuracy: 1e-5)
                XCTAssertEqual(tied.pointer[r * 3 + q], expected, accuracy: 1e-5)
            }
        }
    }

    func testGradients() {
        let h = randomParameter("h", [4, 3]), w = randomParameter("w", [3, 9]), b = randomParameter("b", [9])
        checkGradients([h, w, b]) { $0.candidateScores(hidden: h, weight: w, bias: b, candidates: self.candidates) }
    }

    func testGradientsTransposedWithoutBias() {
        let h = randomParameter("h", [2, 2, 3]), table = randomParameter("table", [9, 3])   // [..., C] flattens
        checkGradients([h, table]) {
            $0.candidateScores(hidden: h, weight: table, bias: nil, candidates: self.candidates, transposedWeight: true)
        }
    }

    func testOnlyCandidateColumnsGetGradient() {
        let h = randomParameter("h", [4, 3]), w = randomParameter("w", [3, 9]), b = randomParameter("b", [9])
        let g = Graph()
        g.backward(g.sum(g.candidateScores(hidden: h, weight: w, bias: b, candidates: candidates)))
        let used = Set(candidates.values.map(Int.init))
        for id in 0..<9 where !used.contains(id) {
            XCTAssertEqual(b.grad!.pointer[id], 0)
            for j in 0..<3 { XCTAssertEqual(w.grad!.pointer[j * 9 + id], 0) }
        }
        XCTAssertEqual(b.grad!.pointer[1], 3)   // id 1 appears three times
    }
}
