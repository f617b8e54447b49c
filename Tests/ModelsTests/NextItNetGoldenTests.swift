// NextItNet against PyTorch: ../shared/golden/nextitnet-step.safetensors holds one training step of
// an independent PyTorch implementation (V 50, C 8, k 3, dilations [1, 4], B 2, L 10): parameters,
// block outputs, logits, loss and every parameter gradient. Outputs must agree to 1e-5, gradients
// to 1e-4 (max absolute difference).

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class NextItNetGoldenTests: XCTestCase {
    func testTrainingStepMatchesTorch() throws {
        let path = try sharedPath("golden/nextitnet-step.safetensors")
        let golden = try SafetensorsFile(contentsOf: path)
        let model = NextItNet(NextItNetConfiguration(items: 50, channels: 8, kernel: 3, dilations: [1, 4],
                                                     layerNormEps: 1e-8), seed: Seed(0))

        // Same parameter names on both sides, then the golden values.
        try loadGoldenParameters(golden, into: model.parameters)

        let (inputs, targets) = NextItNet.nextItemPairs(try golden.indices("input.sequence"))
        let g = Graph()
        let blocks = model.blockOutputs(g, inputs)
        let loss = model.loss(g, inputs: inputs, targets: targets)
        g.backward(loss)
        let logits = g.withoutRecording { model.scores(g, hidden: blocks.last!) }

        var report: [String] = []
        func compare(_ actual: Tensor, _ name: String, tolerance: Float) throws {
            let expected = try golden.tensor(name)
            XCTAssertEqual(actual.count, expected.count, "\(name): element count")
            guard actual.count == expected.count else { return }
            let worst = maxAbsDifference(actual, expected)
            report.append("\(name) \(worst)")
            XCTAssertLessThanOrEqual(worst, tolerance, "\(name): max abs difference \(worst)")
        }
        try compare(blocks[0], "out.block0", tolerance: 1e-5)
        try compare(blocks[1], "out.block1", tolerance: 1e-5)
        try compare(logits, "out.logits", tolerance: 1e-5)
        try compare(loss, "out.loss", tolerance: 1e-5)
        for p in model.parameters {
            guard let grad = p.grad else { XCTFail("no gradient for \(p.name)"); continue }
            try compare(grad, "grad.\(p.name)", tolerance: 1e-4)
        }
        print("NextItNet golden max abs differences:\n  " + report.joined(separator: "\n  "))
    }
}
