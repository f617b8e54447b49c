// Edge cases found in review: empty tensors, masks seen by clipping, per-parameter Adam steps,
// padding among sampled negatives, PyTorch's "same" padding for even kernels, safetensors with
// empty entries, and the rest of the random-stream API.

import Foundation
import TestSupport
import XCTest
@testable import Tensors

final class EdgeCaseTests: XCTestCase {
    func testEmptyInnerDimensionGivesZerosNotStaleMemory() {
        let g = Graph(recording: false)
        // Fill the arena's first slots with NaN so stale memory would show.
        for _ in 0..<3 { g.make([16]).fill(.nan) }
        g.reset()
        let y = g.matmul(Tensor(zeros: [3, 0]), Tensor(zeros: [0, 4]))
        XCTAssertEqual(y.shape, [3, 4])
        XCTAssertEqual(y.scalars, [Float](repeating: 0, count: 12))
        let z = g.batchedMatmul(Tensor(zeros: [1, 2, 0]), Tensor(zeros: [1, 0, 2]))
        XCTAssertEqual(z.scalars, [0, 0, 0, 0])
        let s = g.sumLastAxis(Tensor(zeros: [3, 0]))
        XCTAssertEqual(s.shape, [3])
        XCTAssertEqual(s.scalars, [0, 0, 0])
    }

    func testClippingSeesMaskedGradients() {
        let w = Tensor(shape: [2], scalars: [0, 0], name: "w", isParameter: true)
        w.gradientMask = Tensor(shape: [2], scalars: [1, 0])
        let g = Graph()
        // loss = 0.1·w0 + 100·w1: the masked element's huge gradient must not shrink w0's.
        g.backward(g.sum(g.mul(w, Tensor(shape: [2], scalars: [0.1, 100]))))
        XCTAssertEqual(w.grad!.scalars, [0.1, 0])
        let norm = clipGradientNorm([w], maxNorm: 1)
        XCTAssertEqual(norm, 0.1, accuracy: 1e-6)
        SGD([w], learningRate: 1).step()
        XCTAssertEqual(w.scalars[0], -0.1, accuracy: 1e-6)
        XCTAssertEqual(w.scalars[1], 0)
    }

    func testAdamCountsStepsPerParameterSoAReleasedWeightStartsFresh() {
        let a = Tensor(shape: [1], scalars: [0], name: "a", isParameter: true)
        let b = Tensor(shape: [1], scalars: [0], name: "b", isParameter: true)
        let adam = Adam([a, b], learningRate: 0.01)
        b.isFrozen = true
        for _ in 0..<3 {
            a.grad = Tensor(shape: [1], scalars: [0.5])
            adam.step()
        }
        b.isFrozen = false
        b.grad = Tensor(shape: [1], scalars: [0.5])
        a.grad = nil
        adam.step()
        // Adam's first step moves by lr · g/|g| (bias-corrected), whatever the global step count.
        XCTAssertEqual(b.scalars[0], -0.01, accuracy: 1e-6)
        XCTAssertEqual(adam.stateTensors().last!.tensor.scalars, [3, 1])
    }

    func testSampledNegativesEqualToPaddingDoNotTrainThePaddingRow() {
        let h = randomParameter("h", [2, 3]), table = randomParameter("table", [5, 3])
        let g = Graph()
        let loss = g.sampledSoftmaxCrossEntropy(hidden: h, table: table, positives: IndexTensor([1, 2]),
                                                negatives: IndexTensor(shape: [2, 2], values: [0, 3, 4, 0]))
        g.backward(loss)
        XCTAssertEqual(Array(table.grad!.scalars[0..<3]), [0, 0, 0])
        XCTAssertNotEqual(table.grad!.scalars[3], 0)
    }

    func testNonCausalEvenKernelMatchesTorchSamePadding() {
        // torch padding="same", k=2, d=2: total padding 2, one zero on the left, so tap 0 reads x[t−1].
        let x = Tensor(shape: [1, 4, 1], scalars: [1, 2, 3, 4])
        let w = Tensor(shape: [2, 1, 1], scalars: [1, 0])
        let y = Graph(recording: false).conv1d(x, w, bias: nil, dilation: 2, causal: false)
        XCTAssertEqual(y.scalars, [0, 1, 2, 3])
        let w1 = Tensor(shape: [2, 1, 1], scalars: [0, 1])   // tap 1 reads x[t+1]
        XCTAssertEqual(Graph(recording: false).conv1d(x, w1, bias: nil, dilation: 2, causal: false).scalars, [2, 3, 4, 0])
    }

    func testSafetensorsAcceptsEmptyEntriesAtAnyOffset() throws {
        let json = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#
        var d = Data()
        var n = UInt64(json.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
        d.append(Data(json.utf8))
        d.append(contentsOf: [0, 0, 0x80, 0x3F])   // 1.0
        let f = try SafetensorsFile(data: d)
        XCTAssertEqual(try f.tensor("a").scalars, [1])
        XCTAssertEqual(try f.tensor("z").shape, [0])
    }

    func testUniformBernoulliAndCategorical() {
        var r = Seed(11).stream("misc")
        for _ in 0..<10_000 {
            let u = r.uniform(-2, 3)
            XCTAssert(u >= -2 && u < 3)
        }
        let heads = (0..<20_000).filter { _ in r.bernoulli(0.3) }.count
        XCTAssertEqual(Double(heads) / 20_000, 0.3, accuracy: 0.015)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[r.categorical([1, 0, 2])] += 1 }
        XCTAssertEqual(counts[1], 0)
        XCTAssertEqual(Double(counts[2]) / Double(counts[0]), 2, accuracy: 0.12)
    }
}
