// Conure as a continual learner (issue 6's done-when): task 1's predictions are bit-identical
// before and after tasks 2 and 3; the masks are disjoint with the keep fractions 30%, 21%, 14.7%;
// the naive fine-tune-everything baseline does change task 1 (so the first test could fail); a task
// that cannot be learned leaves the learner as it was.

import Foundation
import XCTest
@testable import Datasets
@testable import Models
@testable import Tensors
@testable import Training

final class ConureLearnerTests: XCTestCase {
    static let world = try! SyntheticWorld.generate(.toy)

    struct Tasks {
        let first: Split
        let domain: TransferTask
        let gender: TransferTask
    }

    static let tasks: Tasks = {
        let movies = world.domains[0], books = world.domains[1]
        return Tasks(
            first: try! movies.leaveOneOut(maxLength: 20),
            domain: try! SourceTargetTask.crossDomain(source: movies, target: books, maxSourceLength: 20)
                .transferTask(name: "movies → books", maxLength: 20, seed: Seed(1)),
            gender: try! UserLabelTask.make(from: movies, attribute: "gender", seed: Seed(1)).transferTask(in: movies, maxLength: 20))
    }()

    func learner(_ strategy: ConureStrategy = .conure) -> ConureLearner {
        ConureLearner(ConureConfiguration(items: Self.tasks.first.itemCount, channels: 16, kernel: 3, dilations: [1, 2]),
                      strategy: strategy, seed: Seed(3))
    }

    func options(epochs: Int = 2, retrain: Int? = nil) -> ConureLearnOptions {
        var training = TrainingOptions()
        training.epochs = epochs
        training.batchSize = 32
        training.learningRate = 3e-3
        var o = ConureLearnOptions(training: training)
        o.retrainEpochs = retrain
        return o
    }

    /// Every score task `j` gives the rows (row-major, padding column included).
    func scores(_ learner: ConureLearner, task j: Int, rows: Rows) throws -> [Float] {
        let model = learner.model(forTask: j)
        var batcher = try Batcher(rows: rows, batchSize: 64, width: 20)
        var batch = batcher.makeBatch()
        var out: [Float] = []
        var buffer = [Float](repeating: 0, count: 64 * (model.itemCount + 1))
        batcher.startEpoch()
        while batcher.next(into: &batch) {
            try buffer.withUnsafeMutableBufferPointer { try model.score(batch, into: $0.baseAddress!) }
            out += buffer[0..<(batch.count * (model.itemCount + 1))]
        }
        return out
    }

    func values(_ tensors: [Tensor]) -> [[Float]] { tensors.map(\.scalars) }

    func testEarlierTasksAreBitIdenticalAfterLaterTasks() throws {
        let l = learner()
        let t = Self.tasks
        try l.learn(t.first, task: nil, options: options())
        let t1Before = try scores(l, task: 1, rows: t.first.test)
        let conure = l.conure
        let t1Parameters = [conure.embedding] + conure.blocks.flatMap { [$0.ln1Gamma, $0.ln1Beta, $0.ln2Gamma, $0.ln2Beta, $0.conv1Bias, $0.conv2Bias] }
            + conure.head(1).parameters
        let sharedBefore = values(t1Parameters)
        let ownedBefore = conure.convolutionWeights.enumerated().map { t, w in
            (0..<w.count).filter { conure.masks.owners[t][$0] == 1 }.map { w.pointer[$0] }
        }

        try l.learn(t.domain.split, task: t.domain, options: options())
        let t2Before = try scores(l, task: 2, rows: t.domain.split.test)
        try l.learn(t.gender.split, task: t.gender, options: options())

        XCTAssertEqual(try scores(l, task: 1, rows: t.first.test), t1Before, "task 1's scores must not change")
        XCTAssertEqual(try scores(l, task: 2, rows: t.domain.split.test), t2Before, "task 2's scores must not change")
        XCTAssertEqual(values(t1Parameters), sharedBefore, "embedding, layer norms, biases and head 1 stay frozen")
        let ownedAfter = conure.convolutionWeights.enumerated().map { t, w in
            (0..<w.count).filter { conure.masks.owners[t][$0] == 1 }.map { w.pointer[$0] }
        }
        XCTAssertEqual(ownedAfter, ownedBefore, "the weights task 1 owns never move")
        XCTAssertTrue(conure.blocks.allSatisfy { $0.conv1Bias.scalars.allSatisfy { $0 == 0 } && $0.conv2Bias.scalars.allSatisfy { $0 == 0 } })
        XCTAssertEqual(l.tasks.map(\.number), [1, 2, 3])
        XCTAssertEqual(l.tasks.map(\.kind), [.nextItem, .items, .classes])
    }

    func testMasksAreDisjointAndKeepThirtyTwentyOneAndFourteenPointSevenPercent() throws {
        let l = learner()
        let t = Self.tasks
        try l.learn(t.first, task: nil, options: options(epochs: 1))
        try l.learn(t.domain.split, task: t.domain, options: options(epochs: 1))
        try l.learn(t.gender.split, task: t.gender, options: options(epochs: 1))
        let masks = l.conure.masks
        for (index, w) in l.conure.convolutionWeights.enumerated() {
            let n = w.count   // 3 · 16 · 16 = 768
            let m = (1...3).map { k in masks.mask(tensor: index) { $0 == k } }
            for a in 0..<3 { for b in (a + 1)..<3 { XCTAssertEqual(zip(m[a], m[b]).reduce(0) { $0 + $1.0 * $1.1 }, 0, "M\(a + 1) and M\(b + 1) overlap") } }
            // Keep fractions of the whole tensor, each mask holding int(keep · n) + 1 weights (θ is the (c+1)-th largest).
            for (k, keep) in [(1, 0.3), (2, 0.21), (3, 0.147)] {
                let count = masks.count(tensor: index, task: k)
                XCTAssertEqual(count, Int(ConureMasks.keepFraction(Array(repeating: 0.7, count: k)) * Double(n)) + 1, "\(w.name) task \(k)")
                XCTAssertEqual(Double(count) / Double(n), keep, accuracy: 2.0 / Double(n), "\(w.name) task \(k)")
            }
            XCTAssertEqual((0...3).reduce(0) { $0 + masks.count(tensor: index, task: $1) }, n)
        }
        XCTAssertEqual([231, 162, 113], (1...3).map { masks.count(tensor: 0, task: $0) })
        XCTAssertEqual(l.tasks.map { $0.owned.reduce(0, +) }, [231, 162, 113].map { $0 * 4 })
    }

    func testTheFineTuneEverythingBaselineForgets() throws {
        let l = learner(.fineTuneAll)
        let t = Self.tasks
        try l.learn(t.first, task: nil, options: options())
        let before = try scores(l, task: 1, rows: t.first.test)
        try l.learn(t.domain.split, task: t.domain, options: options())
        XCTAssertNotEqual(try scores(l, task: 1, rows: t.first.test), before, "the baseline moves the weights task 1 computes with")
        XCTAssertThrowsError(try l.learn(t.gender.split, task: t.gender, options: { var o = options(); o.prune = 0.5; return o }())) { error in
            XCTAssertTrue("\(error)".contains("baseline"), "\(error)")
        }
    }

    func testTasksComeInOrderAndOnlyOnce() throws {
        let l = learner()
        let t = Self.tasks
        XCTAssertThrowsError(try l.learn(t.domain.split, task: t.domain, options: options())) { error in
            XCTAssertTrue("\(error)".contains("next-item prediction first"), "\(error)")
        }
        XCTAssertEqual(l.conure.taskCount, 0, "a refused task leaves no head behind")
        try l.learn(t.first, task: nil, options: options(epochs: 1))
        XCTAssertThrowsError(try l.learn(t.first, task: nil, options: options(epochs: 1))) { error in
            XCTAssertTrue("\(error)".contains("already learned as T1"), "\(error)")
        }
        var bad = options()
        bad.prune = 1
        XCTAssertThrowsError(try l.learn(t.domain.split, task: t.domain, options: bad)) { error in
            XCTAssertTrue("\(error)".contains("between 0 and 1"), "\(error)")
        }
        XCTAssertEqual(l.conure.taskCount, 1)
        XCTAssertEqual(l.conure.freeCounts, Array(repeating: 768 - 231, count: 4))
    }

    func testAnUnfinishedTaskIsRolledBack() throws {
        let l = learner()
        let t = Self.tasks
        try l.learn(t.first, task: nil, options: options(epochs: 1))
        let before = try scores(l, task: 1, rows: t.first.test)
        let free = l.conure.freeCounts
        // A learning rate this large makes the loss overflow: the trainer gives up, the learner rolls back.
        var wild = options(epochs: 3)
        wild.training.learningRate = 1e30
        XCTAssertThrowsError(try l.learn(t.domain.split, task: t.domain, options: wild)) { error in
            XCTAssertTrue("\(error)".contains("the loss became"), "\(error)")
        }
        XCTAssertEqual(l.tasks.count, 1)
        XCTAssertEqual(l.conure.taskCount, 1)
        XCTAssertEqual(l.conure.freeCounts, free)
        XCTAssertEqual(try scores(l, task: 1, rows: t.first.test), before)
        try l.learn(t.domain.split, task: t.domain, options: options(epochs: 1))
        XCTAssertEqual(l.tasks.map(\.number), [1, 2])
    }
}
