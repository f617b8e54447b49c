// VQ-Rec under the shared trainer, on the toy synthetic world whose two domains share genre words
// in their item titles but no items. Item codes are made here as a product quantiser would: each
// item's text features (per-word random vectors, as UniSRecTrainerTests) cut into D chunks, each
// chunk's code the nearest of K seeded random centroids of its sub-space — informative codes, so
// items with similar text share codes.
// Checked: from scratch beats an untrained model; pretraining on the union of domains lowers its
// loss; fine-tuning in each permutation mode trains exactly what the schedule says (M alone while
// reassigning, moving in `learned` and not at all in `released`; after the commit each code row
// holds the row of its sub-space its argmax picked, padding zero; then the code table and the
// input layer norm with the encoder fixed); pretraining a base in place trains the base's own
// tensors; at the language's reassignment rate the learned permutation lowers the reassignment
// loss where the released one cannot; the same seeds give the same weights.

import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class VQRecTrainerTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)
    static let (positions, cap) = (4, 8)

    /// Product-quantised codes of `dataset`'s item text: D chunks of the text features, each coded
    /// by the nearest of K random centroids of its sub-space (plain row argmin, seeded).
    static func codes(_ dataset: Dataset) -> ItemCodes {
        let features = UniSRecTrainerTests.textFeatures(dataset)
        let chunk = features.width / positions
        var values = [Int32](repeating: 0, count: features.rows * positions)
        for m in 0..<positions {
            var rng = Seed(21).stream("centroids:\(m)")
            let centroids = (0..<(cap * chunk)).map { _ in rng.normal() * 0.3 }
            for i in 1..<features.rows {
                let x = Array(Array(features.row(i))[(m * chunk)..<((m + 1) * chunk)])
                let distances = (0..<cap).map { k in (0..<chunk).reduce(Float(0)) { s, c in
                    let d = x[c] - centroids[k * chunk + c]
                    return s + d * d
                } }
                values[i * positions + m] = Int32(distances.indices.min { distances[$0] < distances[$1] }!)
            }
        }
        return ItemCodes(rows: features.rows, positions: positions, cap: cap, values: values)
    }

    func configuration(dropout: Float = 0.2) -> VQRecConfiguration {
        VQRecConfiguration(codePositions: Self.positions, codeCap: Self.cap, hidden: 32, layers: 2, heads: 2, inner: 64, maxLength: 20,
                           hiddenDropout: dropout, attentionDropout: dropout)
    }

    func options(epochs: Int, batch: Int = 64, lr: Float = 3e-3) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = batch
        o.learningRate = lr
        o.patience = nil
        return o
    }

    func domain(_ k: Int) throws -> (split: Split, codes: ItemCodes) {
        let d = Self.world.domains[k]
        return (try d.leaveOneOut(maxLength: 20), Self.codes(d))
    }

    func testCodesAreCheckedAndReadBack() throws {
        let (_, codes) = try domain(0)
        let model = try VQRecRecommender(configuration(), codes: codes, seed: Seed(1))
        XCTAssertEqual(try model.codes(3), codes.codes(of: 3))
        XCTAssertEqual(codes.tableRows.values[(3 * 4)..<(3 * 4 + 4)].map { $0 }, codes.codes(of: 3).enumerated().map { Int32($1 + 1 + $0 * 9) })
        XCTAssertThrowsError(try model.codes(0))
        XCTAssertNotNil(ItemCodes.problem(rows: 2, positions: 2, cap: 4, values: [0, 0, 1, 4]), "code 4 of 4 centroids")
        XCTAssertNotNil(ItemCodes.problem(rows: 2, positions: 2, cap: 4, values: [1, 0, 1, 2]), "padding row not zero")
        XCTAssertThrowsError(try VQRecRecommender(VQRecConfiguration(codePositions: 3, codeCap: 8, hidden: 32), codes: codes, seed: Seed(1))) {
            XCTAssertTrue("\($0)".contains("quantise"), "\($0)")
        }
    }

    func testFromScratchBeatsAnUntrainedModel() throws {
        let (split, codes) = try domain(0)
        let untrained = try VQRecRecommender(configuration(), codes: codes, seed: Seed(7))
        let model = try VQRecRecommender(configuration(), codes: codes, seed: Seed(7))
        let trainer = Trainer(model: model, seed: Seed(1))
        try trainer.fit(split, options: options(epochs: 5))
        let before = try Evaluator.evaluate(untrained, rows: split.valid, width: 20)
        let after = try Evaluator.evaluate(model, rows: split.valid, width: 20)
        print("VQ-Rec from scratch: valid NDCG@10 \(after.ndcg[1]) vs untrained \(before.ndcg[1]); losses \(trainer.history.map(\.loss))")
        XCTAssertLessThan(trainer.history.last!.loss, trainer.history.first!.loss)
        XCTAssertGreaterThan(after.ndcg[1], before.ndcg[1] * 1.5)
        XCTAssertTrue(model.network.permutationLogits.isFrozen, "nothing reads M outside fine-tuning")
    }

    func pretrained() throws -> VQRecPretraining {
        let a = try domain(0), b = try domain(1)
        let pretraining = try VQRecPretraining(domains: [VQRecDomain(name: "a", split: a.split, codes: a.codes),
                                                         VQRecDomain(name: "b", split: b.split, codes: b.codes)],
                                               configuration: configuration(), seed: Seed(3))
        try pretraining.fit(options(epochs: 2, batch: 128))
        return pretraining
    }

    func testPretrainingOnTheUnionThenEachPermutationMode() throws {
        let pretraining = try pretrained()
        let a = try domain(0), b = try domain(1)
        let na = a.split.itemCount - 1
        XCTAssertEqual(pretraining.catalogue.offsets, [0, na])
        XCTAssertEqual(pretraining.catalogue.codes.codes(of: na + 5), b.codes.codes(of: 5), "domain b's item 5 is union item na + 5")
        let losses = pretraining.trainer.history.map(\.loss)
        print("VQ-Rec pretraining losses \(losses)")
        XCTAssertLessThan(losses.last!, losses.first!)
        let base = pretraining.model
        let baseWeights = weights(base)

        let pop = try Evaluator.evaluate(PopularityModel(train: b.split.train, itemCount: b.split.itemCount - 1), rows: b.split.valid, width: 20)
        for mode in VQRecPermutation.allCases {
            let tuning = try base.finetuned(codes: b.codes, permutation: mode, reassignEpochs: 1, seed: Seed(5), name: "ft-\(mode)")
            let net = tuning.model.network
            let table = net.codeEmbedding.scalars, m = net.permutationLogits.scalars, encoder = net.frozenWhenFineTuning.map(\.scalars)
            XCTAssertEqual(table, base.network.codeEmbedding.scalars, "the code table is copied")
            if mode == .none {
                XCTAssertFalse(tuning.reassigning)
            } else {
                XCTAssertTrue(tuning.reassigning)
                XCTAssertEqual(tuning.model.trainedParameterCount, net.permutationLogits.count, "only M trains while reassigning")
                try tuning.fit(b.split, options: options(epochs: 1))
                XCTAssertFalse(tuning.reassigning, "committed after its one reassignment epoch")
                if mode == .learned {
                    XCTAssertNotEqual(net.permutationLogits.scalars, m, "straight-through: M learns")
                } else {
                    XCTAssertEqual(net.permutationLogits.scalars, m, "released: M never moves")
                }
                // Plain row argmax (not a Hungarian assignment): each code row now holds a row of
                // its own sub-space, the one its argmax picked; padding row 0 is zero.
                let assignment = try XCTUnwrap(tuning.assignment)
                let (k1, h) = (Self.cap + 1, 32)
                for (s, rows) in assignment.enumerated() {
                    for (c, j) in rows.enumerated() where s + c > 0 {
                        XCTAssertEqual(Array(net.codeEmbedding.scalars[((s * k1 + c) * h)..<((s * k1 + c + 1) * h)]),
                                       Array(table[((s * k1 + j) * h)..<((s * k1 + j + 1) * h)]), "sub-space \(s), code row \(c)")
                    }
                }
                XCTAssertEqual(Array(net.codeEmbedding.scalars[0..<h]), [Float](repeating: 0, count: h))
                let distinct = assignment.map { Set($0).count }
                print("VQ-Rec \(mode): distinct rows picked per sub-space \(distinct) of \(k1)")
            }
            let afterCommit = net.codeEmbedding.scalars, mCommitted = net.permutationLogits.scalars
            XCTAssertEqual(tuning.model.trainedParameterCount, net.codeEmbedding.count + 2 * 32, "code table and input LN")
            try tuning.fit(b.split, options: options(epochs: 2))
            XCTAssertNotEqual(net.codeEmbedding.scalars, afterCommit)
            XCTAssertEqual(net.permutationLogits.scalars, mCommitted)
            XCTAssertEqual(net.frozenWhenFineTuning.map(\.scalars), encoder, "position table and layers stay")
            XCTAssertEqual(tuning.history.count, mode == .none ? 2 : 3)
            let tuned = try Evaluator.evaluate(tuning.model, rows: b.split.valid, width: 20)
            print("VQ-Rec fine-tuned (\(mode)): NDCG@10 \(tuned.ndcg[1]) vs popularity \(pop.ndcg[1]); \(tuning.model.architecture)")
            XCTAssertGreaterThan(tuned.ndcg[1], pop.ndcg[1])
        }
        XCTAssertEqual(weights(base), baseWeights, "fine-tuning copies: the pretrained model is untouched")
        XCTAssertThrowsError(try base.finetuned(codes: b.codes, permutation: .learned, reassignEpochs: 0, seed: Seed(5), name: "x"))
    }

    func testPretrainingABaseInPlaceTrainsItsOwnTensors() throws {
        let a = try domain(0), b = try domain(1)
        let base = try VQRecRecommender(configuration(), codes: a.codes, seed: Seed(8), name: "base")
        let before = weights(base)
        let pretraining = try VQRecPretraining(base: base, domains: [VQRecDomain(name: "a", split: a.split, codes: a.codes),
                                                                     VQRecDomain(name: "b", split: b.split, codes: b.codes)],
                                               seed: Seed(3))
        let union = pretraining.model.network, own = base.network
        XCTAssertTrue(union.codeEmbedding === own.codeEmbedding && union.positionEmbedding === own.positionEmbedding
                      && union.lnGamma === own.lnGamma && zip(union.layers, own.layers).allSatisfy { $0 === $1 }, "shared, not copied")
        XCTAssertTrue(union.permutationLogits.isFrozen)
        XCTAssertEqual(pretraining.model.name, "base")
        try pretraining.fit(options(epochs: 2, batch: 128))
        let losses = pretraining.trainer.history.map(\.loss)
        XCTAssertLessThan(losses.last!, losses.first!)
        XCTAssertNotEqual(own.codeEmbedding.scalars, before[0], "the base's code table trained")
        XCTAssertEqual(own.permutationLogits.scalars, before[1], "its permutation did not")
        XCTAssertEqual(try base.codes(5), a.codes.codes(of: 5), "its own catalogue's codes are untouched")
        XCTAssertThrowsError(try VQRecPretraining(base: try VQRecRecommender(VQRecConfiguration(codePositions: 2, codeCap: 8, hidden: 32),
                                                                             codes: ItemCodes(rows: 2, positions: 2, cap: 8, values: [0, 0, 1, 2]),
                                                                             seed: Seed(1)),
                                                  domains: [VQRecDomain(name: "a", split: a.split, codes: a.codes)], seed: Seed(3))) {
            XCTAssertTrue("\($0)".contains("codePositions") || "\($0)".contains("quantise"), "\($0)")
        }
    }

    func testLearnedPermutationLowersTheReassignmentLossAtItsOwnRate() throws {
        let base = try pretrained().model
        let b = try domain(1)
        var losses: [VQRecPermutation: [Double]] = [:]
        for mode in [VQRecPermutation.learned, .released] {
            let tuning = try base.finetuned(codes: b.codes, permutation: mode, reassignEpochs: 4, reassignmentLearningRate: 0.1,
                                            seed: Seed(5), name: "ft")
            try tuning.fit(b.split, options: options(epochs: 4))
            XCTAssertEqual(tuning.reassignmentTrainer?.epochsTrained, 4)
            XCTAssertEqual(tuning.trainer.epochsTrained, 0, "no code-table epoch yet")
            losses[mode] = tuning.history.map(\.loss)
        }
        print("VQ-Rec reassignment losses at rate 0.1: learned \(losses[.learned]!), released \(losses[.released]!)")
        let learned = losses[.learned]!, released = losses[.released]!
        XCTAssertLessThan(learned.last!, learned.first! - 0.05, "the learned permutation moves towards a better assignment")
        XCTAssertLessThan(learned.last!, released.last!, "and ends below the one that cannot move")
        XCTAssertThrowsError(try base.finetuned(codes: b.codes, permutation: .learned, reassignmentLearningRate: -1, seed: Seed(5), name: "x"))
    }

    func testSameSeedsFineTuneBitIdentically() throws {
        let (split, codes) = try domain(1)
        func run() throws -> [[Float]] {
            let base = try VQRecRecommender(configuration(), codes: codes, seed: Seed(4))
            let tuning = try base.finetuned(codes: codes, permutation: .learned, reassignEpochs: 1, seed: Seed(6), name: "ft")
            try tuning.fit(split, options: options(epochs: 2))
            return weights(tuning.model)
        }
        XCTAssertEqual(try run(), try run())
    }
}
