// Names, shapes and seeded initialisation of NextItNet's parameters.

import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class ModelStructureTests: XCTestCase {
    func testParameterNamesAndShapes() {
        let model = NextItNet(NextItNetConfiguration(items: 11, channels: 5, kernel: 3, dilations: [1, 4]), seed: Seed(1))
        var expected = ["embedding"]
        for i in 0..<2 {
            for j in 1...2 {
                expected += ["block\(i).conv\(j).weight", "block\(i).conv\(j).bias", "block\(i).ln\(j).gamma", "block\(i).ln\(j).beta"]
            }
        }
        expected += ["output.weight", "output.bias"]
        XCTAssertEqual(model.parameters.map(\.name), expected)
        XCTAssertEqual(model.parameter(named: "block1.conv2.weight")?.shape, [3, 5, 5])
        XCTAssertEqual(model.embedding.shape, [11, 5])
        XCTAssertEqual(model.outputWeight.shape, [5, 11])
        XCTAssertEqual(model.parameterCount, 11 * 5 + 2 * 2 * (3 * 25 + 5 + 5 + 5) + 5 * 11 + 11)
        XCTAssertEqual(model.blocks.map(\.dilation), [1, 4])
        XCTAssertEqual(model.configuration.receptiveField, 1 + 6 * 5)
    }

    func testInitialisationIsSeededAndTruncated() {
        let configuration = NextItNetConfiguration(items: 200, channels: 16, dilations: [1, 2], initStd: 0.02)
        let a = NextItNet(configuration, seed: Seed(7)), b = NextItNet(configuration, seed: Seed(7))
        let c = NextItNet(configuration, seed: Seed(8))
        XCTAssertEqual(a.embedding.scalars, b.embedding.scalars)
        XCTAssertNotEqual(a.embedding.scalars, c.embedding.scalars)
        XCTAssertTrue(a.embedding.scalars.allSatisfy { abs($0) <= 0.04 })
        XCTAssertEqual(a.blocks[0].ln1Gamma.scalars, [Float](repeating: 1, count: 16))
        XCTAssertEqual(a.outputBias.scalars, [Float](repeating: 0, count: 200))
        // A block added at the end does not change the weights drawn for the others.
        var deeper = configuration
        deeper.dilations.append(4)
        let d = NextItNet(deeper, seed: Seed(7))
        XCTAssertEqual(a.blocks[1].conv2Weight.scalars, d.blocks[1].conv2Weight.scalars)
        XCTAssertEqual(a.outputWeight.scalars, d.outputWeight.scalars)
    }

    func testScoresMatchTheFusedLoss() {
        // The fused loss equals cross-entropy computed from `scores`' explicit logits.
        let model = NextItNet(NextItNetConfiguration(items: 13, channels: 6, dilations: [1]), seed: Seed(9))
        randomise(model.parameters, std: 0.5, name: "scores")
        let (inputs, targets) = NextItNet.nextItemPairs(randomIds("scores.ids", b: 3, l: 6, items: 13))
        let g = Graph(recording: false)
        let fused = model.loss(g, inputs: inputs, targets: targets).item
        let logits = model.scores(g, hidden: model.forward(g, inputs))
        let explicit = g.crossEntropy(logits, targets: IndexTensor(targets.values), ignoreIndex: 0).item
        XCTAssertEqual(fused, explicit, accuracy: 1e-5)
    }
}
