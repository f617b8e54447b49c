// Conure against PyTorch: Golden/conure.safetensors (Golden/make_conure_golden.py) holds a tiny
// network, the reference's masks for two tasks, and per training step the loss and the gradient of
// every trained parameter: task 1's next-item step, and task 2's train-and-prune step (BPR, BCE,
// softmax) and retrain step (BPR), where the reference writes W_eff = stopgrad(W ⊙ F) + W ⊙ (1 − F).
// Losses, gradients and inference scores must agree to 1e-4 (max absolute difference).

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class ConureGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/conure.safetensors").path
    static let tolerance: Float = 1e-4

    var golden: SafetensorsFile!

    override func setUpWithError() throws { golden = try SafetensorsFile(contentsOf: Self.path) }

    /// The golden network with task 1's head and, when given, task 2's with `objective`.
    func network(task2 objective: ConureObjective?) throws -> Conure {
        let conure = Conure(ConureConfiguration(items: 14, channels: 6, kernel: 3, dilations: [1, 2]), seed: Seed(0))
        conure.addTask(.nextItem, targets: 14)
        if let objective { conure.addTask(objective, targets: 9) }
        for p in conure.parameters { p.copy(from: try golden.tensor("param.\(p.name)")) }
        return conure
    }

    var histories: IndexTensor { get throws { try golden.indices("input.histories") } }
    var lengths: [Int] { get throws { try golden.indices("input.lengths").values.map(Int.init) } }
    var targets: [Int32] { get throws { try golden.indices("input.targets").values } }

    /// Runs one step of `phase` and compares the loss and the gradient of every parameter: those the
    /// phase trains against the golden, the others must have none.
    func check(_ name: String, _ conure: Conure, _ phase: ConurePhase, loss: (Graph) throws -> Tensor,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let trainable = conure.enter(phase)
        let expected = Set(golden.names.filter { $0.hasPrefix("\(name).grad.") }.map { String($0.dropFirst("\(name).grad.".count)) })
        XCTAssertEqual(Set(trainable.map(\.name)), expected, "\(name): trained parameters", file: file, line: line)
        for p in conure.parameters { p.grad = nil }
        let g = Graph()
        let value = try loss(g)
        g.backward(value)
        let lossDifference = abs(value.item - (try golden.tensor("\(name).loss")).item)
        XCTAssertLessThanOrEqual(lossDifference, Self.tolerance, "\(name): loss", file: file, line: line)
        var report = ["loss \(lossDifference)"]
        for p in conure.parameters {
            if expected.contains(p.name) {
                guard let grad = p.grad else { XCTFail("\(name): no gradient for \(p.name)", file: file, line: line); continue }
                let worst = maxAbsDifference(grad, try golden.tensor("\(name).grad.\(p.name)"))
                report.append("\(p.name) \(worst)")
                XCTAssertLessThanOrEqual(worst, Self.tolerance, "\(name): gradient of \(p.name)", file: file, line: line)
            } else {
                XCTAssertTrue(p.grad.map { $0.scalars.allSatisfy { $0 == 0 } } ?? true, "\(name): \(p.name) is frozen but got gradient",
                              file: file, line: line)
            }
        }
        print("Conure \(name) golden max abs differences: " + report.joined(separator: ", "))
    }

    func testTaskOneStep() throws {
        let conure = try network(task2: nil)
        let (inputs, targets) = NextItNet.nextItemPairs(try golden.indices("input.sequence"))
        try check("t1", conure, .trainAndPrune(task: 1)) { g in
            conure.nextItemLoss(g, inputs: inputs, targets: targets, phase: .trainAndPrune(task: 1))
        }
    }

    func testPruningReproducesTheReferenceMasks() throws {
        let conure = try network(task2: .softmax(l2: 0))
        conure.prune(task: 1, fraction: 0.7)
        conure.prune(task: 2, fraction: 0.7)
        for (t, w) in conure.convolutionWeights.enumerated() {
            for (task, key) in [(1, "mask1"), (2, "mask2")] {
                let expected = try golden.tensor("\(key).\(w.name)").scalars
                XCTAssertEqual(conure.masks.mask(tensor: t) { $0 == task }, expected, "\(key) of \(w.name)")
            }
            // c = int(0.3 · 108) = 32 and int(0.21 · 108) = 22: θ is the (c+1)-th largest, so c + 1.
            XCTAssertEqual(conure.masks.count(tensor: t, task: 1), 33)
            XCTAssertEqual(conure.masks.count(tensor: t, task: 2), 23)
        }
    }

    func taskTwoStep(_ name: String, _ objective: ConureObjective, retrain: Bool) throws {
        let conure = try network(task2: objective)
        conure.prune(task: 1, fraction: 0.7)
        if retrain { conure.prune(task: 2, fraction: 0.7) }
        let phase: ConurePhase = retrain ? .retrain(task: 2) : .trainAndPrune(task: 2)
        let (histories, lengths, targets) = (try histories, try lengths, try targets)
        let negatives = try golden.indices("input.negatives")
        try check(name, conure, phase) { g in
            conure.taskLoss(g, histories: histories, lengths: lengths, targets: targets, negatives: negatives, phase: phase)
        }
    }

    func testTaskTwoTrainAndPruneStepBPR() throws {
        let uniform = try NegativeSampler.uniform(itemCount: 9)
        try taskTwoStep("t2_tp_bpr", .bpr(sampler: uniform, l2: 0.02), retrain: false)
    }

    func testTaskTwoRetrainStepBPR() throws {
        try taskTwoStep("t2_ret_bpr", .bpr(sampler: try .uniform(itemCount: 9), l2: 0.02), retrain: true)
    }

    func testTaskTwoTrainAndPruneStepBCE() throws {
        try taskTwoStep("t2_tp_bce", .bce(sampler: try .uniform(itemCount: 9), l2: 0.02), retrain: false)
    }

    func testTaskTwoTrainAndPruneStepSoftmax() throws {
        try taskTwoStep("t2_tp_softmax", .softmax(l2: 0.02), retrain: false)
    }

    func testInferenceUsesTheMasksOfTasksUpToItsOwn() throws {
        let conure = try network(task2: .softmax(l2: 0.02))
        conure.prune(task: 1, fraction: 0.7)
        conure.prune(task: 2, fraction: 0.7)
        let g = Graph(recording: false)
        let (histories, lengths) = (try histories, try lengths)
        let t1 = conure.nextItemScores(g, histories: histories, lengths: lengths, phase: .inference(task: 1))
        let t2 = conure.targetScores(g, users: conure.userVectors(g, histories: histories, lengths: lengths, phase: .inference(task: 2)), task: 2)
        let d1 = maxAbsDifference(t1, try golden.tensor("inference.t1")), d2 = maxAbsDifference(t2, try golden.tensor("inference.t2"))
        print("Conure inference golden max abs differences: t1 \(d1), t2 \(d2)")
        XCTAssertLessThanOrEqual(d1, Self.tolerance)
        XCTAssertLessThanOrEqual(d2, Self.tolerance)
    }
}
