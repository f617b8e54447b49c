// NextItNet's objectives without PyTorch: descriptions, the full softmax is the existing fused
// loss, sampled losses are seeded (same stream, same loss) and draw their negatives in position
// order, padding-only batches give 0, and finite-difference checks of each sampled loss head.

import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class NextItNetObjectivesTests: XCTestCase {
    let configuration = NextItNetConfiguration(items: 7, channels: 6, kernel: 3, dilations: [1, 2], layerNormEps: 1e-8)

    func sequences() -> IndexTensor {
        var s = randomIds("objective.sequences", b: 2, l: 7, items: 7)
        s.values[7] = 0   // left padding in row 1
        s.values[8] = 0
        return s
    }

    func testDescriptions() throws {
        let counts = [0, 3, 1, 4, 1, 5, 9]
        XCTAssertEqual(NextItemObjective.fullSoftmax.description, "softmax")
        XCTAssertEqual(NextItemObjective.sampledSoftmax(negatives: 100, sampler: try .popularity(counts: counts)).description,
                       "sampled-softmax(100, popularity)")
        XCTAssertEqual(NextItemObjective.bpr(sampler: try .lambdaFM(counts: counts)).description, "bpr(lambdafm)")
        XCTAssertEqual(NextItemObjective.bce(sampler: try .uniform(itemCount: 7)).description, "bce(uniform)")
    }

    func testFullSoftmaxIsTheFusedLoss() {
        let model = NextItNet(configuration, seed: Seed(21))
        let (inputs, targets) = NextItNet.nextItemPairs(sequences())
        let g = Graph(recording: false)
        var rng = Seed(1).stream("negatives")
        XCTAssertEqual(model.loss(g, inputs: inputs, targets: targets, objective: .fullSoftmax, rng: &rng).item,
                       model.loss(g, inputs: inputs, targets: targets).item)
        XCTAssertEqual(rng, Seed(1).stream("negatives"), "the full softmax draws nothing")
    }

    func testSampledLossIsSeededAndUsesTheDrawnNegatives() throws {
        let model = NextItNet(configuration, seed: Seed(22))
        randomise(model.parameters, std: 0.5, name: "objective.seeded")
        let (inputs, targets) = NextItNet.nextItemPairs(sequences())
        let objective = NextItemObjective.sampledSoftmax(negatives: 3, sampler: try .popularity(counts: [0, 3, 1, 4, 1, 5, 9]))
        let g = Graph(recording: false)
        var a = Seed(3).stream("negatives"), b = Seed(3).stream("negatives"), c = Seed(3).stream("negatives")
        let drawn = model.loss(g, inputs: inputs, targets: targets, objective: objective, rng: &a).item
        XCTAssertEqual(drawn, model.loss(g, inputs: inputs, targets: targets, objective: objective, rng: &b).item)
        let negatives = objective.negatives(for: targets, rng: &c)
        XCTAssertEqual(negatives.shape, [12, 3])
        XCTAssertEqual(drawn, model.loss(g, inputs: inputs, targets: targets, objective: objective, negatives: negatives).item)
        XCTAssertEqual(a, c, "the loss draws exactly the objective's negatives")
    }

    func testPaddingOnlyTargetsGiveZero() throws {
        let model = NextItNet(configuration, seed: Seed(23))
        let inputs = IndexTensor(shape: [1, 3], values: [1, 2, 3]), targets = IndexTensor(shape: [1, 3], values: [0, 0, 0])
        var rng = Seed(4).stream("negatives")
        let g = Graph()
        let loss = model.loss(g, inputs: inputs, targets: targets, objective: .bpr(sampler: try .uniform(itemCount: 7)), rng: &rng)
        XCTAssertEqual(loss.item, 0)
        g.backward(loss)
    }

    func testSampledObjectiveGradients() throws {
        // The objective on hidden rows as parameters: the loss head alone, away from the ReLU kinks
        // of the blocks (the blocks' gradients are covered by ModelGradientTests and the golden case).
        let model = NextItNet(configuration, seed: Seed(24))
        randomise(model.parameters, std: 0.5, name: "objective.gradients")
        let hidden = randomParameter("hidden", [12, 6])
        let targets = NextItNet.nextItemPairs(sequences()).targets
        let counts = [0, 3, 1, 4, 1, 5, 9]
        for objective in [NextItemObjective.sampledSoftmax(negatives: 3, sampler: try .lambdaFM(counts: counts)),
                          .bpr(sampler: try .popularity(counts: counts)), .bce(sampler: try .uniform(itemCount: 7))] {
            var rng = Seed(5).stream("negatives")
            let negatives = objective.negatives(for: targets, rng: &rng)   // fixed, so the loss is a function of the weights
            checkGradients([hidden, model.outputWeight, model.outputBias]) {
                model.sampledLoss($0, hidden: hidden, targets: targets, objective: objective, negatives: negatives)
            }
        }
    }
}
