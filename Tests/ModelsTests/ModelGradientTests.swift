// Finite-difference checks of whole models: every parameter of a tiny NextItNet (hidden states and
// the next-item loss) and of a tiny GRec encoder (its masked loss, with a fixed masking stream).

import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class ModelGradientTests: XCTestCase {
    /// V 7, C 6, k 3, blocks (1, 2) and (2, 4): every tap of both dilations reaches inside L 6.
    func tinyConfiguration(causal: Bool = true) -> NextItNetConfiguration {
        NextItNetConfiguration(items: 7, channels: 6, kernel: 3, dilations: [1, 2], layerNormEps: 1e-8, causal: causal)
    }

    func testNextItNetHiddenGradients() {
        let model = NextItNet(tinyConfiguration(), seed: Seed(11))
        randomise(model.parameters, std: 0.5, name: "nextitnet.hidden")
        let ids = randomIds("ids", b: 2, l: 6, items: 7)
        checkGradients(Array(model.parameters.dropLast(2)), eps: 1e-3, atol: 5e-3, samples: 24) { model.forward($0, ids) }
    }

    func testNextItNetLossGradients() {
        let model = NextItNet(tinyConfiguration(), seed: Seed(12))
        randomise(model.parameters, std: 0.5, name: "nextitnet.loss")
        var sequences = randomIds("sequences", b: 2, l: 7, items: 7)
        sequences.values[7] = 0   // left padding in row 1: a target 0 that must not count
        sequences.values[8] = 0
        checkGradients(model.parameters, eps: 1e-3, atol: 5e-3, samples: 24) { model.loss($0, sequences: sequences) }
    }

    func testGRecMaskedLossGradients() {
        let grec = GRec(tinyConfiguration(causal: false), seed: Seed(13), masking: ClozeMasking(probability: 0.5))
        randomise(grec.parameters, std: 0.5, name: "grec.loss")
        let sequences = randomIds("grec.sequences", b: 2, l: 6, items: 7)
        // The same corruption at every evaluation, so the loss is a function of the weights only.
        var rng = Seed(5).stream("masking")
        let masked = grec.masking.apply(sequences, items: 7, maskToken: grec.maskToken, rng: &rng)
        XCTAssertFalse(masked.positions.isEmpty)
        checkGradients(grec.parameters, eps: 1e-3, atol: 5e-3, samples: 24) { grec.loss($0, masked: masked) }
    }
}
