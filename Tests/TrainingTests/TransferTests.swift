// PeterRec and its baselines as the spec states them: what is frozen stays bit-identical (and the
// base model is never touched), a patch at initialisation is the identity plus its small
// bottleneck term, rows place the CLS token where the user vector is read, and classification
// metrics count what they claim.

import Foundation
import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class TransferTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)

    /// A briefly pretrained NextItNet on the toy world's first domain and a cross-domain task.
    func setup(causal: Bool = true) throws -> (base: NextItNet, task: TransferTask) {
        let source = Self.world.domains[0], target = Self.world.domains[1]
        let split = try source.leaveOneOut(maxLength: 20, training: .sequence)
        let configuration = NextItNetConfiguration(items: split.itemCount, channels: 8, kernel: 3, dilations: [1, 2], causal: causal,
                                                   extraInputTokens: causal ? 0 : 1)
        let base: NextItNet
        if causal {
            let model = NextItNetRecommender(configuration, seed: Seed(3))
            var o = TrainingOptions()
            o.epochs = 1
            o.batchSize = 32
            try Trainer(model: model, seed: Seed(1)).fit(split, options: o)
            base = model.network
        } else {
            base = GRecRecommender(configuration, seed: Seed(3)).grec.network
        }
        let examples = try SourceTargetTask.crossDomain(source: source, target: target, maxSourceLength: 20, targetsPerUser: 2)
        return (base, try examples.transferTask(name: "toy", maxLength: 20, seed: Seed(5)))
    }

    func values(_ tensors: [Tensor]) -> [[Float]] { tensors.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) } }

    func options() -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = 2
        o.batchSize = 16
        o.learningRate = 3e-3
        return o
    }

    func testPeterRecLeavesEveryFrozenParameterAndTheBaseBitIdentical() throws {
        for insertion in PatchInsertion.allCases {
            let (base, task) = try setup()
            let baseBefore = values(base.parameters)
            let model = try TransferRecommender(base: base, task: task, mode: .peterrec(insertion), patchHidden: 2, loss: .bce,
                                                seed: Seed(9), name: "p")
            let frozen = model.parameters.filter(\.isFrozen), trained = model.parameters.filter { !$0.isFrozen }
            // What the spec says trains: patches, LN2, the head; nothing else.
            XCTAssertEqual(Set(trained.map(\.name)), Set(model.parameters.map(\.name).filter {
                $0.contains("patch") || $0.contains(".ln2.") || $0 == "target.embedding"
            }))
            let frozenBefore = values(frozen), trainedBefore = values(trained)
            try Trainer(model: model, seed: Seed(1)).fit(task.split, options: options())
            XCTAssertEqual(values(frozen), frozenBefore, "\(insertion): a frozen parameter moved")
            XCTAssertEqual(values(base.parameters), baseBefore, "\(insertion): training the transfer changed the base model")
            for (p, before) in zip(trained, trainedBefore) {
                XCTAssertNotEqual(values([p])[0], before, "\(insertion): \(p.name) did not train")
            }
            XCTAssertLessThan(model.trainedParameterCount, model.parameterCount)
        }
    }

    func testHeadOnlyTrainsTheHeadAndScratchStartsFresh() throws {
        let (base, task) = try setup()
        let head = try TransferRecommender(base: base, task: task, mode: .head, patchHidden: 2, loss: .softmax, seed: Seed(9), name: "h")
        XCTAssertEqual(head.parameters.filter { !$0.isFrozen }.map(\.name), ["target.embedding"])
        let before = values(head.parameters.filter(\.isFrozen))
        try Trainer(model: head, seed: Seed(1)).fit(task.split, options: options())
        XCTAssertEqual(values(head.parameters.filter(\.isFrozen)), before)

        let all = try TransferRecommender(base: base, task: task, mode: .all, patchHidden: 2, loss: .bce, seed: Seed(9), name: "a")
        let scratch = try TransferRecommender(base: base, task: task, mode: .scratch, patchHidden: 2, loss: .bce, seed: Seed(9), name: "s")
        XCTAssertTrue(all.parameters.allSatisfy { !$0.isFrozen })
        XCTAssertEqual(values([all.network.backbone.embedding]), values([base.embedding]), "fine-tune-all starts from the pretrained weights")
        XCTAssertNotEqual(values([scratch.network.backbone.embedding]), values([base.embedding]), "scratch must not start from the pretrained weights")
    }

    func testPatchAtInitialisationIsIdentityPlusItsBottleneck() {
        let (c, h) = (8, 2)
        let patch = ModelPatch(prefix: "p", channels: c, hidden: h, stream: Seed(4).stream("init"))
        var rng = Seed(6).stream("z")
        let z = Tensor(shape: [3, c], scalars: (0..<(3 * c)).map { _ in Float(rng.nextDouble() * 4 - 2) })
        let g = Graph()
        let y = g.withoutRecording { patch(g, z) }
        // The formula, in scalars: y = z + Up(GELU_tanh(Down z + b_d)) + b_u.
        func gelu(_ x: Double) -> Double { 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))) }
        var largestTerm = 0.0
        for r in 0..<3 {
            var hidden = [Double](repeating: 0, count: h)
            for j in 0..<h {
                var s = Double(patch.downBias.pointer[j])
                for i in 0..<c { s += Double(z.pointer[r * c + i]) * Double(patch.downWeight.pointer[i * h + j]) }
                hidden[j] = gelu(s)
            }
            for o in 0..<c {
                var term = Double(patch.upBias.pointer[o])
                for j in 0..<h { term += hidden[j] * Double(patch.upWeight.pointer[j * c + o]) }
                XCTAssertEqual(Double(y.pointer[r * c + o]), Double(z.pointer[r * c + o]) + term, accuracy: 1e-6)
                largestTerm = max(largestTerm, abs(term))
            }
        }
        // Weights start TruncNormal(0.02) and biases 0: the term is tiny next to z (|z| up to 2).
        XCTAssertLessThan(largestTerm, 0.01)
        XCTAssertGreaterThan(largestTerm, 0, "the patch must not be exactly the identity")
    }

    func testSerialPatchesAtInitialisationBarelyMoveTheBackbone() throws {
        let (base, task) = try setup()
        let model = try TransferRecommender(base: base, task: task, mode: .peterrec(.serial), patchHidden: 2, loss: .bce, seed: Seed(9), name: "p")
        let ids = IndexTensor(shape: [2, 6], values: [3, 5, 7, 9, 11, 0, 2, 4, 6, 8, 10, 12])
        let g = Graph()
        let (patched, plain) = g.withoutRecording { (model.network.forward(g, ids), base.forward(g, ids)) }
        var worst: Float = 0
        for i in 0..<patched.count { worst = max(worst, abs(patched.pointer[i] - plain.pointer[i])) }
        XCTAssertGreaterThan(worst, 0)
        XCTAssertLessThan(worst, 0.05, "patches at initialisation should keep the pretrained function (max diff \(worst))")
    }

    func testRowsPutTheClsTokenWhereTheUserVectorIsRead() throws {
        let (causalBase, task) = try setup()
        let causal = try TransferRecommender(base: causalBase, task: task, mode: .head, patchHidden: 2, loss: .bce, seed: Seed(9), name: "c")
        XCTAssertEqual(causal.network.layout([4, 5, 6], maxLength: 2, width: 4).ids, [5, 6, 0, 0])
        XCTAssertEqual(causal.network.layout([4, 5, 6], maxLength: 2, width: 4).read, [2])
        let (grecBase, grecTask) = try setup(causal: false)
        let encoder = try TransferRecommender(base: grecBase, task: grecTask, mode: .head, patchHidden: 2, loss: .bce, seed: Seed(9), name: "n")
        // The non-causal CLS is GRec's mask token (id N = 201 here, trained in pretraining), padding 0.
        let mask = Int32(grecBase.configuration.items)
        XCTAssertEqual(encoder.network.clsToken, mask)
        XCTAssertEqual(encoder.network.layout([4, 5, 6], maxLength: 3, width: 6).ids, [mask, 4, 5, 6, mask, 0])
        XCTAssertEqual(causal.network.clsToken, 0)
        XCTAssertEqual(encoder.network.layout([4, 5, 6], maxLength: 3, width: 6).read, [0, 4])
        // Non-causal rows have one fixed width, so a row's scores do not depend on its batch-mates.
        let whole = try Evaluator.evaluate(encoder, rows: grecTask.split.test, width: 20, batchSize: 500)
        let pieces = try Evaluator.evaluate(encoder, rows: grecTask.split.test, width: 20, batchSize: 3)
        XCTAssertEqual(whole.ranks, pieces.ranks)
    }

    func testClassificationMetricsCountWhatTheyClaim() {
        // Truth 1,1,1,2 and predictions 1,1,2,2: accuracy 3/4; F1 class 1 = 2·2/(3+2) = 0.8, class 2 = 2·1/(1+2) = 2/3.
        let r = ClassificationResult(classes: 3, confusion: [[2, 1, 0], [0, 1, 0], [0, 0, 0]], predictions: [1, 1, 2, 2])
        XCTAssertEqual(r.accuracy, 0.75, accuracy: 1e-12)
        XCTAssertEqual(r.macroF1, (0.8 + 2.0 / 3.0) / 2, accuracy: 1e-12, "class 3 is neither truth nor prediction: not averaged")
    }
}
