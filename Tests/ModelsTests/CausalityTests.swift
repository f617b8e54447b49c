// NextItNet must not see the future: changing the item at position p leaves hidden states before p
// exactly as they were (and does change them from p on). The GRec encoder, by design, does see it.

import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class CausalityTests: XCTestCase {
    /// Hidden states of `model` for `ids`, [B, L, C], as a detached copy.
    func hidden(_ model: NextItNet, _ ids: IndexTensor) -> Tensor {
        Graph(recording: false).forward(model, ids)
    }

    func testChangingAFutureItemLeavesEarlierStatesUnchanged() {
        let (b, l, c) = (2, 12, 6)
        let model = NextItNet(NextItNetConfiguration(items: 20, channels: c, dilations: [1, 2]), seed: Seed(21))
        randomise(model.parameters, std: 0.5, name: "causality")
        let ids = randomIds("causality.ids", b: b, l: l, items: 20)
        let before = hidden(model, ids)
        for p in [0, 5, l - 1] {
            var changed = ids
            for r in 0..<b { changed.values[r * l + p] = changed.values[r * l + p] % 19 + 1 }
            let after = hidden(model, changed)
            for r in 0..<b {
                var earlier: Float = 0, later: Float = 0
                for t in 0..<l {
                    for j in 0..<c {
                        let i = (r * l + t) * c + j
                        let d = abs(after.pointer[i] - before.pointer[i])
                        if t < p { earlier = max(earlier, d) } else { later = max(later, d) }
                    }
                }
                XCTAssertEqual(earlier, 0, "row \(r): changing position \(p) moved an earlier state by \(earlier)")
                XCTAssertGreaterThan(later, 1e-4, "row \(r): changing position \(p) changed nothing from \(p) on")
            }
        }
    }

    func testGRecEncoderSeesTheFuture() {
        let (l, c) = (8, 6)
        let grec = GRec(NextItNetConfiguration(items: 20, channels: c, dilations: [1]), seed: Seed(22))
        randomise(grec.parameters, std: 0.5, name: "grec.future")
        let ids = randomIds("grec.ids", b: 1, l: l, items: 20)
        var changed = ids
        changed.values[l - 1] = ids.values[l - 1] % 19 + 1
        let before = hidden(grec.network, ids), after = hidden(grec.network, changed)
        // Position l − 1 − 2 is reached by the dilation-2 conv's right tap.
        var moved: Float = 0
        for j in 0..<c { moved = max(moved, abs(after.pointer[(l - 3) * c + j] - before.pointer[(l - 3) * c + j])) }
        XCTAssertGreaterThan(moved, 1e-4)
    }
}

extension Graph {
    /// The model's hidden states computed on this (non-recording) graph, copied out of the arena.
    func forward(_ model: NextItNet, _ ids: IndexTensor) -> Tensor { model.forward(self, ids).detachedCopy() }
}
