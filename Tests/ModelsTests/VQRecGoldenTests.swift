// VQ-Rec against PyTorch: Golden/vqrec.safetensors (Golden/make_vqrec_golden.py) holds an
// independent PyTorch VQ-Rec in float64 (N 9 ids, D 3 codes of K 4 centroids, H 8, 2 heads, inner
// 12, 2 layers, max length 6, τ 0.07, Sinkhorn 3 rounds at 0.7, B 4 histories with a repeated item
// and a shared target), parameters far from initialisation, dropout off, and the Gumbel noise and
// the semi-synthetic codes drawn there and given here. For each case, the loss and the gradient of
// every parameter:
//   pretrain   InfoNCE with in-batch negatives and one semi-synthetic negative per row
//   none       fine-tuning CE over the code table (plus the evaluation scores)
//   learned    fine-tuning CE through the reassigned table, straight-through: M's gradient non-zero
//   released   the same forward with the reference's ceil: M's gradient exactly zero
// Loss and every gradient must agree to 1e-4 (max absolute difference), scores to 1e-5; the worst
// differences are printed.

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class VQRecGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/vqrec.safetensors").path

    let configuration = VQRecConfiguration(codePositions: 3, codeCap: 4, hidden: 8, layers: 2, heads: 2, inner: 12, maxLength: 6,
                                           hiddenDropout: 0, attentionDropout: 0, temperature: 0.07)

    /// The golden's network with its parameters.
    func network(_ golden: SafetensorsFile) throws -> VQRec {
        let raw = try golden.indices("input.codes")
        let codes = ItemCodes(rows: raw.shape[0], positions: raw.shape[1], cap: 4, values: raw.values)
        let net = VQRec(configuration, codes: codes, seed: Seed(0))
        try loadGoldenParameters(golden, into: net.parameters)
        return net
    }

    func draws(_ golden: SafetensorsFile) throws -> VQRecDraws {
        VQRecDraws(dropout: Seed(1).stream("dropout"), gumbel: try golden.tensor("input.gumbel"),
                   fakeCodes: try golden.indices("input.fake_codes").values)
    }

    func inputs(_ golden: SafetensorsFile) throws -> (ids: IndexTensor, lengths: [Int], targets: IndexTensor) {
        (try golden.indices("input.ids"), try golden.indices("input.lengths").values.map(Int.init), try golden.indices("input.targets"))
    }

    /// Compares the loss and every parameter's gradient (a missing one counts as zeros) with case `name`.
    func compare(_ name: String, loss: Tensor, parameters: [Tensor], file: StaticString = #filePath, line: UInt = #line) throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let lossDifference = abs(loss.item - (try golden.tensor("\(name).loss").item))
        XCTAssertLessThanOrEqual(lossDifference, 1e-4, "\(name): loss \(loss.item)", file: file, line: line)
        var worst: (name: String, value: Float) = ("", 0)
        for p in parameters {
            let grad = p.grad ?? Tensor(shape: p.shape, scalars: [Float](repeating: 0, count: p.count))
            let difference = maxAbsDifference(grad, try golden.tensor("\(name).grad.\(p.name)"))
            if difference >= worst.value { worst = (p.name, difference) }
            XCTAssertLessThanOrEqual(difference, 1e-4, "\(name): gradient of \(p.name)", file: file, line: line)
        }
        print("VQ-Rec golden \(name): loss \(loss.item), |Δloss| \(lossDifference), worst gradient difference \(worst.value) (\(worst.name)) over \(parameters.count) tensors")
    }

    func testPretrainingStepWithSemiSyntheticNegatives() throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let net = try network(golden)
        let (ids, lengths, targets) = try inputs(golden)
        var draws = try draws(golden)
        let g = Graph()
        let loss = net.pretrainingLoss(g, ids, lengths: lengths, targets: targets.values, draws: &draws)
        g.backward(loss)
        XCTAssertNil(net.permutationLogits.grad, "pretraining never reads the permutation")
        XCTAssertEqual(net.codeEmbedding.grad!.scalars[0..<8].map(abs).max(), 0, "the padding row gets no gradient")
        try compare("pretrain", loss: loss, parameters: net.parameters)
    }

    func testFineTuningWithoutPermutationAndItsScores() throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let net = try network(golden)
        let (ids, lengths, targets) = try inputs(golden)
        var draws = try draws(golden)
        let g = Graph()
        let loss = net.nextItemLoss(g, ids, lengths: lengths, targets: targets, draws: &draws)
        g.backward(loss)
        try compare("none", loss: loss, parameters: net.parameters)

        let e = Graph(recording: false)
        var evaluation = VQRecDraws.evaluation
        let h = net.sequenceVectors(e, ids, lengths: lengths, table: net.codeEmbedding, draws: &evaluation)
        let scores = net.cosineScores(e, sequences: h, catalogue: net.catalogue(e, table: net.codeEmbedding))
        let expected = try golden.tensor("none.scores")
        let n = scores.lastDim
        var worst: Float = 0
        for b in 0..<scores.rows {
            XCTAssertEqual(scores.pointer[b * n], -.infinity)
            for i in 1..<n { worst = max(worst, abs(scores.pointer[b * n + i] - expected.pointer[b * n + i])) }
        }
        print("VQ-Rec golden none scores: worst difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-5)
    }

    /// The fine-tuning CE of the golden's batch while reassigning in `mode`.
    func reassigningStep(_ mode: VQRecPermutation) throws -> VQRec {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let net = try network(golden)
        net.reassignment = mode
        let (ids, lengths, targets) = try inputs(golden)
        var draws = try draws(golden)
        let g = Graph()
        let loss = net.nextItemLoss(g, ids, lengths: lengths, targets: targets, draws: &draws)
        g.backward(loss)
        try compare(mode.rawValue, loss: loss, parameters: net.parameters)
        return net
    }

    func testLearnedPermutationGetsTheStraightThroughGradient() throws {
        let net = try reassigningStep(.learned)
        XCTAssertGreaterThan(net.permutationLogits.grad!.scalars.map(abs).max()!, 1e-3)
        let golden = try SafetensorsFile(contentsOf: Self.path)
        let expected = try golden.indices("learned.assignment").values.map(Int.init)
        XCTAssertEqual(net.assignment(gumbel: try golden.tensor("input.gumbel")).flatMap { $0 }, expected, "argmax rows")
    }

    func testReleasedPermutationGetsExactlyZeroGradient() throws {
        let net = try reassigningStep(.released)
        let grad = try XCTUnwrap(net.permutationLogits.grad, "the ceil's zero gradient is still a gradient")
        XCTAssertEqual(grad.scalars, [Float](repeating: 0, count: grad.count))
    }
}
