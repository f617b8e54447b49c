// UniSRec under the shared trainer, on the toy synthetic world whose two domains share genre words
// in their item titles but no items: it learns beyond popularity from scratch, its evaluation does
// not depend on the batch size or on stale item vectors, pretraining on the union of domains mixes
// them in its batches, and a model pretrained on one domain transfers through item text alone to
// the other, with the freeze set kept fixed and the base untouched.
// The item text features here are a stand-in for a sentence encoder: each title word gets a fixed
// random vector (from a stream named by the word) and an item's features are the mean of its words'.

import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class UniSRecTrainerTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)
    static let width = 24

    /// Mean of per-word random vectors of each item's text; row 0 zero.
    static func textFeatures(_ dataset: Dataset, width: Int = width) -> FeatureMatrix {
        let text = dataset.itemText!
        var values = [Float](repeating: 0, count: text.count * width)
        for (i, title) in text.enumerated() where i > 0 {
            let words = title.lowercased().split(separator: " ")
            for w in words {
                var rng = Seed(11).stream("word:\(w)")
                for c in 0..<width { values[i * width + c] += rng.normal() / Float(words.count) }
            }
        }
        return FeatureMatrix(rows: text.count, width: width, values: values)
    }

    func configuration(dropout: Float = 0.2) -> UniSRecConfiguration {
        UniSRecConfiguration(featureWidth: Self.width, hidden: 32, layers: 2, heads: 2, inner: 64, maxLength: 20,
                             hiddenDropout: dropout, attentionDropout: dropout, experts: 4, adaptorDropout: 0.1)
    }

    func options(epochs: Int, batch: Int = 64, lr: Float = 3e-3) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = batch
        o.learningRate = lr
        o.patience = nil
        return o
    }

    func domain(_ k: Int) throws -> (dataset: Dataset, split: Split, features: FeatureMatrix) {
        let d = Self.world.domains[k]
        return (d, try d.leaveOneOut(maxLength: 20), Self.textFeatures(d))
    }

    func testFromScratchLearnsBeyondPopularity() throws {
        let (_, split, features) = try domain(0)
        for mode in UniSRecMode.allCases {
            let model = try UniSRecRecommender(configuration(), features: features, mode: mode, seed: Seed(7))
            let trainer = Trainer(model: model, seed: Seed(1))
            try trainer.fit(split, options: options(epochs: 5))
            let pop = try Evaluator.evaluate(PopularityModel(train: split.train, itemCount: model.itemCount), rows: split.valid, width: 20)
            let ours = try Evaluator.evaluate(model, rows: split.valid, width: 20)
            print("UniSRec \(mode) from scratch: valid NDCG@10 \(ours.ndcg[1]) vs popularity \(pop.ndcg[1]); losses \(trainer.history.map(\.loss))")
            XCTAssertLessThan(trainer.history.last!.loss, trainer.history.first!.loss)
            XCTAssertGreaterThan(ours.ndcg[1], pop.ndcg[1] * 1.5, "\(mode): unisrec \(ours.ndcg[1]) vs popularity \(pop.ndcg[1])")
        }
    }

    func testEvaluationIgnoresBatchSizeAndFollowsTheWeights() throws {
        let (_, split, features) = try domain(0)
        let model = try UniSRecRecommender(configuration(), features: features, mode: .transductive, seed: Seed(2))
        let before = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: 300)
        let vectors = model.itemVectors.scalars
        try Trainer(model: model, seed: Seed(1)).fit(split, options: options(epochs: 1))
        XCTAssertNotEqual(model.itemVectors.scalars, vectors, "training moved the adaptor: the cached item vectors must follow")
        let whole = try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: 300)
        XCTAssertNotEqual(whole.ranks, before.ranks)
        for size in [1, 7, 64] {
            XCTAssertEqual(try Evaluator.evaluate(model, rows: split.test, width: 20, batchSize: size).ranks, whole.ranks, "batch \(size)")
        }
        // The cache against a fresh computation of the same weights.
        let g = Graph(recording: false)
        var draws = UniSRecDraws.evaluation
        XCTAssertEqual(model.itemVectors.scalars, model.network.catalogue(g, draws: &draws).scalars)
        XCTAssertEqual(model.itemEmbeddings.shape, [model.itemCount + 1, 32])
    }

    func testSameSeedsTrainBitIdentically() throws {
        let (_, split, features) = try domain(0)
        func run() throws -> [[Float]] {
            let model = try UniSRecRecommender(configuration(), features: features, mode: .transductive, seed: Seed(4))
            try Trainer(model: model, seed: Seed(5)).fit(split, options: options(epochs: 1))
            return weights(model)
        }
        XCTAssertEqual(try run(), try run())
    }

    func testUnionCatalogueKeepsDomainsApartAndMixesThemInBatches() throws {
        let a = try domain(0), b = try domain(1)
        let catalogue = try MultiDomainCatalogue([
            UniSRecDomain(name: "a", split: a.split, features: a.features),
            UniSRecDomain(name: "b", split: b.split, features: b.features),
        ])
        let na = a.split.itemCount - 1, nb = b.split.itemCount - 1
        XCTAssertEqual(catalogue.offsets, [0, na])
        XCTAssertEqual(catalogue.features.rows, 1 + na + nb)
        XCTAssertEqual(catalogue.split.itemCount, 1 + na + nb)
        XCTAssertEqual(catalogue.split.train.count, a.split.train.count + b.split.train.count)
        XCTAssertEqual(catalogue.split.valid.count, 0, "no validation unless asked")
        XCTAssertEqual(Array(catalogue.features.primary.scalars[((na + 3) * Self.width)..<((na + 4) * Self.width)]),
                       Array(b.features.row(3)), "domain b's item 3 is union item na + 3")
        XCTAssertEqual(catalogue.domain(ofItem: na + 3).domain, 1)
        XCTAssertEqual(catalogue.domain(ofItem: na).item, na)
        // Row r of domain b, renamed.
        let r = 17, u = a.split.train.count + r
        XCTAssertEqual(catalogue.split.train.history(u).map { $0 - Int32(na) }, Array(b.split.train.history(r)))
        XCTAssertEqual(catalogue.split.train.target(u), b.split.train.target(r) + Int32(na))
        // Shuffled batches mix the domains.
        var batcher = try Batcher(rows: catalogue.split.train, batchSize: 64, width: 20, shuffle: Seed(1).stream("shuffle"))
        var batch = batcher.makeBatch()
        XCTAssertTrue(batcher.next(into: &batch))
        let fromB = batch.targets[0..<batch.count].filter { Int($0) > na }.count
        XCTAssertTrue(fromB > 0 && fromB < batch.count, "\(fromB) of \(batch.count) targets from domain b")
        // Tables that do not fit are errors that say so.
        XCTAssertThrowsError(try UniSRecDomain(name: "bad", split: a.split, features: b.features.reindexedForTest(rows: 5)))
    }

    func testPretrainOnOneDomainThenTransferThroughTextToAnother() throws {
        let (source, sourceSplit, sourceFeatures) = try domain(0)
        let (target, targetSplit, targetFeatures) = try domain(1)
        _ = (source, target)
        let pretraining = try UniSRecPretraining(
            domains: [UniSRecDomain(name: "movies", split: sourceSplit, features: sourceFeatures)],
            configuration: configuration(), seed: Seed(3))
        try pretraining.fit(options(epochs: 4))
        let losses = pretraining.trainer.history.map(\.loss)
        print("UniSRec pretraining losses \(losses)")
        XCTAssertLessThan(losses.last!, losses.first!)
        XCTAssertTrue(pretraining.trainer.history.allSatisfy { $0.valid == nil })
        let pretrained = pretraining.model

        // Zero-shot: the pretrained parts over the other domain's text, before any fine-tuning.
        let zeroShot = try pretrained.finetuned(features: targetFeatures, mode: .inductive, freeze: true, seed: Seed(4), name: "zero-shot")
        let random = try UniSRecRecommender(configuration(), features: targetFeatures, mode: .inductive, seed: Seed(4))
        let pop = try Evaluator.evaluate(PopularityModel(train: targetSplit.train, itemCount: zeroShot.itemCount), rows: targetSplit.valid, width: 20)
        let transferred = try Evaluator.evaluate(zeroShot, rows: targetSplit.valid, width: 20)
        let untrained = try Evaluator.evaluate(random, rows: targetSplit.valid, width: 20)
        print("UniSRec zero-shot on unseen items: NDCG@10 \(transferred.ndcg[1]), untrained \(untrained.ndcg[1]), popularity \(pop.ndcg[1])")
        XCTAssertGreaterThan(transferred.ndcg[1], untrained.ndcg[1] * 1.5)

        // Fine-tuning with the encoder frozen: the frozen set stays, the adaptor and input LN move,
        // and the pretrained model is untouched.
        let base = weights(pretrained)
        let model = try pretrained.finetuned(features: targetFeatures, mode: .transductive, freeze: true, seed: Seed(5), name: "ft")
        let frozen = model.network.frozenWhenFineTuning.map(\.scalars)
        XCTAssertTrue(model.network.frozenWhenFineTuning.allSatisfy(\.isFrozen))
        XCTAssertFalse(model.network.lnGamma.isFrozen)
        let adaptorBefore = model.network.adaptor.parameters.map(\.scalars)
        let trainer = Trainer(model: model, seed: Seed(6))
        try trainer.fit(targetSplit, options: options(epochs: 3))
        XCTAssertEqual(model.network.frozenWhenFineTuning.map(\.scalars), frozen)
        XCTAssertNotEqual(model.network.adaptor.parameters.map(\.scalars), adaptorBefore)
        XCTAssertEqual(weights(pretrained), base)
        let tuned = try Evaluator.evaluate(model, rows: targetSplit.valid, width: 20)
        print("UniSRec fine-tuned (frozen encoder, transductive): NDCG@10 \(tuned.ndcg[1]); valid \(trainer.history.map { $0.valid ?? .nan })")
        XCTAssertGreaterThan(tuned.ndcg[1], pop.ndcg[1] * 1.5)
        XCTAssertTrue(model.architecture.contains("fine-tuned from unisrec-pretrained, position table and layers frozen"), model.architecture)

        // `similar` compares the item-side vectors by cosine: neighbours share the genre words of
        // their titles far more often than the 1 in 8 of chance.
        let vectors = model.itemEmbeddings, h = vectors.lastDim, genres = Self.world.itemGenres[1]
        func cosine(_ i: Int, _ j: Int) -> Float {
            var (dot, ni, nj): (Float, Float, Float) = (0, 0, 0)
            for c in 0..<h {
                let (a, b) = (vectors.pointer[i * h + c], vectors.pointer[j * h + c])
                dot += a * b; ni += a * a; nj += b * b
            }
            return dot / (ni * nj).squareRoot()
        }
        var sameGenre = 0
        for i in 1...model.itemCount {
            let neighbours = (1...model.itemCount).filter { $0 != i }.sorted { cosine(i, $0) > cosine(i, $1) }.prefix(5)
            sameGenre += neighbours.filter { genres[$0] == genres[i] }.count
        }
        let share = Double(sameGenre) / Double(5 * model.itemCount)
        print("UniSRec fine-tuned: \(share) of the 5 nearest items share the item's genre")
        XCTAssertGreaterThan(share, 0.5)

        // freeze: false trains everything.
        let open = try pretrained.finetuned(features: targetFeatures, mode: .inductive, freeze: false, seed: Seed(5), name: "ft-all")
        XCTAssertEqual(open.trainedParameterCount, open.parameterCount)
        // A target without features, or with features of another width, is an error that says what to do.
        XCTAssertThrowsError(try pretrained.finetuned(target: target, mode: .inductive, freeze: true, seed: Seed(5), name: "x")) {
            XCTAssertTrue("\($0)".contains("no item features"), "\($0)")
        }
        XCTAssertThrowsError(try pretrained.finetuned(features: Self.textFeatures(target, width: 8), mode: .inductive, freeze: true,
                                                      seed: Seed(5), name: "x")) {
            XCTAssertTrue("\($0)".contains("same encoder"), "\($0)")
        }
    }

    func testPretrainingABaseTrainsItsSharedPartsInPlace() throws {
        let (_, splitA, featuresA) = try domain(0)
        let (_, splitB, featuresB) = try domain(1)
        let base = try UniSRecRecommender(configuration(), features: featuresA, mode: .transductive, seed: Seed(8))
        let items = base.network.itemEmbedding!.scalars
        let layers = base.network.layers[0].qWeight.scalars
        let pretraining = try UniSRecPretraining(base: base, domains: [
            UniSRecDomain(name: "a", split: splitA, features: featuresA),
            UniSRecDomain(name: "b", split: splitB, features: featuresB, wordDropped: featuresA.reindexedForTest(rows: featuresB.rows)),
        ], validation: true, seed: Seed(9))
        XCTAssertGreaterThan(pretraining.catalogue.split.valid.count, 0)
        try pretraining.fit(options(epochs: 1, batch: 128))
        XCTAssertNotNil(pretraining.trainer.history[0].valid)
        XCTAssertNotEqual(base.network.layers[0].qWeight.scalars, layers, "the base's layers are the pretrained ones")
        XCTAssertEqual(base.network.itemEmbedding!.scalars, items, "the base's own item table is not part of pretraining")
        XCTAssertEqual(pretraining.model.configurationEntries.first { $0.0 == "objective" }?.1, "pretraining")
    }
}

extension FeatureMatrix {
    /// The first `rows` rows of this table (padded with zero rows), for tests of mismatched tables.
    func reindexedForTest(rows: Int) -> FeatureMatrix {
        var out = [Float](repeating: 0, count: rows * width)
        for r in 0..<min(rows, self.rows) { for c in 0..<width { out[r * width + c] = values[r * width + c] } }
        return FeatureMatrix(rows: rows, width: width, values: out)
    }
}
