// Tiny end-to-end training: Adam on 8 fixed sequences must fit them (the loss falls well below
// its start), for NextItNet's next-item objective and GRec's masked objective.

import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class TrainingTests: XCTestCase {
    func testNextItNetOverfitsEightSequences() {
        let items = 30
        let model = NextItNet(NextItNetConfiguration(items: items, channels: 16, dilations: [1, 2], initStd: 0.1),
                              seed: Seed(31))
        let sequences = randomIds("overfit.sequences", b: 8, l: 11, items: items)
        let adam = Adam(model.parameters, learningRate: 1e-2)
        let g = Graph()
        var losses: [Float] = []
        for _ in 0..<100 {
            g.reset()
            let loss = model.loss(g, sequences: sequences)
            g.backward(loss)
            adam.step()
            adam.zeroGradients()
            losses.append(loss.item)
        }
        print("NextItNet overfit: loss \(losses.first!) → \(losses.last!)")
        // Start near ln 30 ≈ 3.4; memorising 80 transitions should leave a small fraction of it.
        XCTAssertEqual(losses.first!, log(Float(items)), accuracy: 0.3)
        XCTAssertLessThan(losses.last!, 0.25 * losses.first!)
    }

    func testGRecOverfitsEightSequences() {
        let items = 30
        let grec = GRec(NextItNetConfiguration(items: items, channels: 16, dilations: [1, 2], initStd: 0.1),
                        seed: Seed(32), masking: ClozeMasking(probability: 0.3))
        let sequences = randomIds("grec.overfit.sequences", b: 8, l: 10, items: items)
        let adam = Adam(grec.parameters, learningRate: 1e-2)
        var masking = Seed(32).stream("masking")
        let g = Graph()
        var losses: [Float] = []
        for _ in 0..<150 {
            g.reset()
            let loss = grec.loss(g, sequences: sequences, rng: &masking)
            g.backward(loss)
            adam.step()
            adam.zeroGradients()
            losses.append(loss.item)
        }
        // Masks change every step, so compare averages of the first and last ten steps.
        let first = losses.prefix(10).reduce(0, +) / 10, last = losses.suffix(10).reduce(0, +) / 10
        print("GRec overfit: mean loss \(first) → \(last)")
        XCTAssertLessThan(last, 0.5 * first)
    }
}
