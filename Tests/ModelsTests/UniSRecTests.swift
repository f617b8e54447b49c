// UniSRec's parts on their own: finite-difference gradients of the adaptor and of both objectives
// with dropout and gate noise on (what the PyTorch golden leaves out), the adaptor rows a pass
// reads, the augmented views, transfer of parts, and rows that never depend on their batch-mates.

import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class UniSRecTests: XCTestCase {
    /// N 7 ids, d 5, H 6, 2 heads, inner 8, 2 layers, max length 5, E 3.
    func tiny(dropout: Float = 0.3, adaptorDropout: Float = 0.25) -> UniSRecConfiguration {
        UniSRecConfiguration(featureWidth: 5, hidden: 6, layers: 2, heads: 2, inner: 8, maxLength: 5, hiddenDropout: dropout,
                             attentionDropout: dropout, experts: 3, adaptorDropout: adaptorDropout, temperature: 0.5)
    }

    /// A text table of `rows` ids, width 5, padding row zero, with a second table.
    func features(rows: Int = 7, second: Bool = true, hasSecondary: [Bool]? = nil) -> ItemTextFeatures {
        var rng = Seed(2).stream("features")
        let values = (0..<(rows * 5)).map { $0 < 5 ? 0 : rng.normal() }
        let dropped = values.map { $0 == 0 ? 0 : $0 + 0.3 * rng.normal() }
        return ItemTextFeatures(rows: rows, width: 5, values: values, secondary: second ? dropped : nil, hasSecondary: hasSecondary)
    }

    let ids = IndexTensor(shape: [3, 5], values: [3, 1, 3, 6, 2, 5, 4, 0, 0, 0, 2, 0, 0, 0, 0])
    let lengths = [5, 2, 1]

    func testAdaptorGradientsWithDropoutAndNoise() {
        let adaptor = MoEAdaptor(input: 5, output: 4, experts: 3, std: 0.02, stream: Seed(1).stream("init"))
        randomise(adaptor.parameters, std: 0.5, name: "adaptor")
        let x = randomParameter("x", [4, 5])
        let noise = randomParameter("noise", [4, 3])
        noise.isFrozen = true
        checkGradients(adaptor.parameters + [x], eps: 1e-3, atol: 5e-3) { g in
            var rng = Seed(4).stream("dropout")   // the same masks at every evaluation
            return adaptor(g, x, dropout: 0.3, noise: noise, rng: &rng)
        }
        // Without noise the gate ignores W_noise entirely.
        for p in adaptor.parameters { p.grad = nil }
        let g = Graph()
        var rng = Seed(4).stream("dropout")
        g.backward(g.sum(adaptor(g, x, dropout: 0, noise: nil, rng: &rng)))
        XCTAssertNil(adaptor.noiseWeight.grad)
    }

    func testAdaptorStartsWithUniformGatesAndShiftedExperts() {
        let adaptor = MoEAdaptor(input: 5, output: 4, experts: 3, std: 0.02, stream: Seed(1).stream("init"))
        for b in adaptor.expertBiases { for i in 0..<5 { b.pointer[i] = Float(i) * 0.1 } }
        let x = randomParameter("x", [2, 5])
        let g = Graph(recording: false)
        var rng = Seed(0).stream("unused")
        let y = g.weightedSum(adaptor.expertWeights.indices.map { k in
            g.matmul(g.sub(x, adaptor.expertBiases[k]), adaptor.expertWeights[k])
        }, weights: Tensor(shape: [2, 3], scalars: [Float](repeating: 1.0 / 3, count: 6)))
        let out = adaptor(g, x, dropout: 0, noise: nil, rng: &rng)
        XCTAssertLessThan(maxAbsDifference(out, y), 1e-6, "zero gate weights mix the experts equally")
    }

    func testFineTuningLossGradientsWithDropoutAndNoise() {
        for mode in UniSRecMode.allCases {
            let net = UniSRec(tiny(), features: features(), mode: mode, seed: Seed(5))
            randomise(net.parameters, std: 0.4, name: "unisrec.\(mode)")
            let targets = IndexTensor([4, 6, 1])
            checkGradients(net.parameters, eps: 1e-3, atol: 5e-3, samples: 16) { g in
                var draws = UniSRecDraws(trainingSeed: 9)   // the same draws at every evaluation
                return net.nextItemLoss(g, self.ids, lengths: self.lengths, targets: targets, draws: &draws)
            }
        }
    }

    func testPretrainingLossGradientsWithDropoutAndNoise() {
        let net = UniSRec(tiny(), features: features(), mode: .inductive, seed: Seed(6))
        randomise(net.parameters, std: 0.4, name: "unisrec.pretrain")
        let view = AugmentedView(items: IndexTensor(shape: [3, 5], values: [3, 3, 2, 0, 0, 5, 4, 0, 0, 0, 2, 0, 0, 0, 0]),
                                 lengths: [3, 2, 1],
                                 sources: IndexTensor(shape: [3, 5], values: [3, 3, 9, 0, 0, 12, 4, 0, 0, 0, 9, 0, 0, 0, 0]))
        let targets: [Int32] = [4, 1, 4]   // rows 0 and 2 share a target
        checkGradients(net.parameters, eps: 1e-3, atol: 5e-3, samples: 16) { g in
            var draws = UniSRecDraws(trainingSeed: 10)
            // λ 0.5 so the sequence-sequence term is visible to the finite differences
            return net.pretrainingLoss(g, self.ids, lengths: self.lengths, targets: targets, augmented: view,
                                       lambda: 0.5, draws: &draws).total
        }
    }

    func testSameTargetLogitsAreZeroNotRemoved() {
        let net = UniSRec(tiny(), features: features(), mode: .inductive, seed: Seed(7))
        let anchors = randomParameter("anchors", [3, 6]), positives = randomParameter("positives", [3, 6])
        let g = Graph(recording: false)
        let a = g.l2Normalize(anchors), p = g.l2Normalize(positives)
        let loss = net.contrastiveLoss(g, anchors: a, positives: p, targets: [4, 1, 4]).item
        // By hand: z_ij = a_i·p_j / τ, z_02 = z_20 = 0, mean_i logsumexp_j z_ij − z_ii.
        var expected: Double = 0
        for i in 0..<3 {
            var z = (0..<3).map { j -> Double in
                var dot: Double = 0
                for c in 0..<6 { dot += Double(a.pointer[i * 6 + c]) * Double(p.pointer[j * 6 + c]) }
                return dot / 0.5
            }
            if i != 1 { z[2 - i] = 0 }
            expected += log(z.map(exp).reduce(0, +)) - z[i]
        }
        XCTAssertEqual(Double(loss), expected / 3, accuracy: 1e-5)
    }

    func testDistinctRowsAreAscendingAndIndexed() {
        let (rows, index) = UniSRec.distinctRows([5, 0, 3, 5, 12, 0, 3])
        XCTAssertEqual(rows, [0, 3, 5, 12])
        XCTAssertEqual(index, [2, 0, 1, 2, 3, 0, 1])
        XCTAssertEqual(UniSRec.distinctRows([]).rows, [])
    }

    func testARowDoesNotDependOnItsBatchMates() {
        let net = UniSRec(tiny(), features: features(), mode: .transductive, seed: Seed(8))
        randomise(net.parameters, std: 0.4, name: "unisrec.rows")
        let g = Graph(recording: false)
        var draws = UniSRecDraws.evaluation
        let together = net.sequenceVectors(g, ids, lengths: lengths, draws: &draws)
        for r in 0..<3 {
            let alone = IndexTensor(shape: [1, lengths[r]], values: Array(ids.values[(r * 5)..<(r * 5 + lengths[r])]))
            let h = net.sequenceVectors(g, alone, lengths: [lengths[r]], draws: &draws)
            for c in 0..<6 { XCTAssertEqual(h.pointer[c], together.pointer[r * 6 + c], accuracy: 2e-6, "row \(r)") }
        }
    }

    func testTrainingDrawsDependOnTheSeedOnly() {
        let net = UniSRec(tiny(), features: features(), mode: .inductive, seed: Seed(8))
        let targets = IndexTensor([4, 6, 1])
        func loss(_ seed: UInt64) -> Float {
            var draws = UniSRecDraws(trainingSeed: seed)
            return net.nextItemLoss(Graph(recording: false), ids, lengths: lengths, targets: targets, draws: &draws).item
        }
        XCTAssertEqual(loss(3), loss(3))
        XCTAssertNotEqual(loss(3), loss(4))
        var evaluation = UniSRecDraws.evaluation
        let clean = net.nextItemLoss(Graph(recording: false), ids, lengths: lengths, targets: targets, draws: &evaluation).item
        var again = UniSRecDraws.evaluation
        XCTAssertEqual(clean, net.nextItemLoss(Graph(recording: false), ids, lengths: lengths, targets: targets, draws: &again).item)
    }

    func testItemDropKeepsTheFirstItemAndTheOrder() {
        let augmentation = ContrastiveAugmentation(itemDropProbability: 1, itemDropRate: 0.2, wordDropRate: 0.2)
        var rng = Seed(3).stream("augmentation")
        var kept = 0, droppable = 0
        let history: [Int32] = [1, 2, 3, 4, 5, 6]
        for _ in 0..<400 {
            let view = augmentation.view(of: IndexTensor(shape: [1, 6], values: history), lengths: [6], features: features(), rng: &rng)
            XCTAssertNil(view.sources)
            let row = Array(view.items.values.prefix(view.lengths[0]))
            XCTAssertEqual(row.first, 1, "the first item is always kept")
            XCTAssertEqual(row, row.sorted(), "order is kept")
            XCTAssertTrue(view.items.values.dropFirst(view.lengths[0]).allSatisfy { $0 == 0 })
            kept += row.count - 1
            droppable += 5
        }
        XCTAssertEqual(Double(kept) / Double(droppable), 0.8, accuracy: 0.03)
    }

    func testWordDropReadsTheSecondTableAndFallsBackWithoutIt() {
        let augmentation = ContrastiveAugmentation(itemDropProbability: 0, itemDropRate: 0.2, wordDropRate: 0.5)
        var rng = Seed(4).stream("augmentation")
        let view = augmentation.view(of: ids, lengths: lengths, features: features(), rng: &rng)
        XCTAssertEqual(view.items, ids, "word drop keeps the items")
        XCTAssertEqual(view.lengths, lengths)
        let sources = try! XCTUnwrap(view.sources)
        for (s, i) in zip(sources.values, ids.values) { XCTAssertTrue(s == i || s == i + 7, "source \(s) for item \(i)") }
        XCTAssertTrue(zip(sources.values, ids.values).contains { $0 != $1 })
        // No second table: every batch is item drop.
        let plain = augmentation.view(of: ids, lengths: lengths, features: features(second: false), rng: &rng)
        XCTAssertNil(plain.sources)
        XCTAssertTrue(zip(plain.lengths, lengths).allSatisfy { $0 <= $1 && $0 >= 1 })
        // A row whose items have no second rows takes item drop within a word-drop batch.
        let partial = features(hasSecondary: [false, false, false, false, true, true, true])
        var sawItemDrop = false
        for _ in 0..<20 {
            let v = augmentation.view(of: ids, lengths: lengths, features: partial, rng: &rng)
            let row0 = Array(v.items.values[0..<v.lengths[0]])
            if let sources = v.sources { XCTAssertEqual(Array(sources.values[0..<v.lengths[0]]), row0, "row 0 reads primary text") }
            XCTAssertEqual(row0.first, 3)
            sawItemDrop = sawItemDrop || v.lengths[0] < 5
            XCTAssertEqual(v.lengths[1], 2, "row 1 (items 5, 4: second rows) is word-dropped, so it keeps its items")
            XCTAssertEqual(v.lengths[2], 1)
        }
        XCTAssertTrue(sawItemDrop, "row 0 (item 3 has no second row) is item-dropped")
    }

    func testTransferSharesOrCopiesTheTransferableParts() {
        let base = UniSRec(tiny(), features: features(), mode: .transductive, seed: Seed(9))
        let target = features(rows: 4, second: false)
        let copy = UniSRec(transferring: base, features: target, mode: .transductive, sharing: false, initStream: Seed(1).stream("t"))
        let shared = UniSRec(transferring: base, features: target, mode: .inductive, sharing: true, initStream: Seed(1).stream("t"))
        XCTAssertEqual(copy.parameters.map(\.name), base.parameters.map(\.name))
        XCTAssertEqual(copy.itemEmbedding?.shape, [4, 6])
        XCTAssertNil(shared.itemEmbedding)
        for (c, b) in zip(copy.transferableParameters, base.transferableParameters) {
            XCTAssertEqual(c.scalars, b.scalars, c.name)
            XCTAssertFalse(c === b)
        }
        for (s, b) in zip(shared.transferableParameters, base.transferableParameters) { XCTAssertTrue(s === b, s.name) }
        XCTAssertEqual(Set(base.frozenWhenFineTuning.map(\.name)),
                       Set(["position_embedding"] + base.layers.flatMap(\.parameters).map(\.name)))
        var other = tiny()
        other.hidden = 8
        XCTAssertNotNil(UniSRec.transferProblem(from: tiny(), to: other, features: target))
        XCTAssertEqual(UniSRec.transferProblem(from: tiny(), to: tiny(), features: ItemTextFeatures(rows: 3, width: 4, values: [Float](repeating: 0, count: 12))),
                       "the target's item features are 4-d but the pretrained adaptor reads 5-d; encode the target's text with the same encoder")
    }

    func testFeatureTableProblemsSayWhatToFix() {
        XCTAssertNil(ItemTextFeatures.problem(rows: 2, width: 1, values: [0, 1], secondary: nil, hasSecondary: nil))
        XCTAssertEqual(ItemTextFeatures.problem(rows: 2, width: 1, values: [1, 1], secondary: nil, hasSecondary: nil),
                       "row 0 of the item features is padding and must be zeros; put item i in row i")
        XCTAssertNotNil(ItemTextFeatures.problem(rows: 2, width: 2, values: [0, 1], secondary: nil, hasSecondary: nil))
        XCTAssertNotNil(ItemTextFeatures.problem(rows: 2, width: 1, values: [0, .nan], secondary: nil, hasSecondary: nil))
        XCTAssertNotNil(ItemTextFeatures.problem(rows: 2, width: 1, values: [0, 1], secondary: [0], hasSecondary: nil))
    }
}
