// NextItNet's objectives against PyTorch: Golden/objectives.safetensors (Golden/make_objectives_golden.py)
// holds a tiny network, fixed negatives, and per objective the loss and every parameter gradient.
// Loss and gradients must agree to 1e-5 (max absolute difference); the sampler tables to 1e-7.

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class NextItNetObjectivesGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/objectives.safetensors").path

    var golden: SafetensorsFile!
    var model: NextItNet!
    var counts: [Int] = []

    override func setUpWithError() throws {
        golden = try SafetensorsFile(contentsOf: Self.path)
        model = NextItNet(NextItNetConfiguration(items: 12, channels: 6, kernel: 3, dilations: [1], layerNormEps: 1e-8),
                          seed: Seed(0))
        for p in model.parameters { p.copy(from: try golden.tensor("param.\(p.name)")) }
        counts = try golden.indices("sampler.counts").values.map(Int.init)
    }

    func check(_ name: String, _ objective: NextItemObjective, file: StaticString = #filePath, line: UInt = #line) throws {
        let (inputs, targets) = NextItNet.nextItemPairs(try golden.indices("input.sequence"))
        let negatives = try golden.indices("\(name).negatives")
        for p in model.parameters { p.grad = nil }
        let g = Graph()
        let loss = model.loss(g, inputs: inputs, targets: targets, objective: objective, negatives: negatives)
        g.backward(loss)
        var report = ["loss \(abs(loss.item - (try golden.tensor("\(name).loss")).item))"]
        XCTAssertEqual(loss.item, try golden.tensor("\(name).loss").item, accuracy: 1e-5, "\(name) loss", file: file, line: line)
        for p in model.parameters {
            guard let grad = p.grad else { XCTFail("\(name): no gradient for \(p.name)", file: file, line: line); continue }
            let worst = maxAbsDifference(grad, try golden.tensor("\(name).grad.\(p.name)"))
            report.append("\(p.name) \(worst)")
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(name): gradient of \(p.name)", file: file, line: line)
        }
        print("\(objective) golden max abs differences: " + report.joined(separator: ", "))
    }

    func testFullSoftmax() throws { try check("softmax", .fullSoftmax) }

    func testSampledSoftmaxWithPopularityNegatives() throws {
        try check("sampled_pop", .sampledSoftmax(negatives: 4, sampler: try .popularity(counts: counts)))
    }

    func testBPRWithLambdaFMNegatives() throws { try check("bpr_lambdafm", .bpr(sampler: try .lambdaFM(counts: counts))) }

    func testBCEWithUniformNegatives() throws { try check("bce_uniform", .bce(sampler: try .uniform(itemCount: 12))) }

    func testSamplerTablesMatchTheReferenceFormulas() throws {
        for (name, sampler) in [("popularity", try NegativeSampler.popularity(counts: counts)),
                                ("lambdafm", try NegativeSampler.lambdaFM(counts: counts))] {
            let expected = try golden.tensor("sampler.\(name)")
            XCTAssertEqual(sampler.probabilities.count, expected.count)
            for i in 0..<expected.count {
                XCTAssertEqual(sampler.probabilities[i], Double(expected.pointer[i]), accuracy: 1e-7, "\(name)[\(i)]")
            }
        }
    }
}
