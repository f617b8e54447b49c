// PeterRec against PyTorch: Golden/peterrec.safetensors (Golden/make_peterrec_golden.py) holds an
// independent PyTorch PeterRec (V 12 + the mask token, the non-causal CLS; C 8, k 3, dilations [1, 2], patch width 2, T 6 targets, B 3
// histories of lengths 5, 3, 1) with one parameter set far from initialisation, fixed negatives,
// and for four cases (causal serial + BCE, causal parallel + BPR, causal serial + softmax,
// non-causal parallel + BCE; head L2 0.02) the user vectors, the loss and the gradient of every
// parameter (nothing frozen). The input rows come from `PeterRec.layout` and must equal the
// reference's. User vectors and loss must agree to 1e-5, gradients to 1e-4 (max absolute
// difference); the differences are printed.

import Foundation
import TestSupport
import XCTest
@testable import Models
@testable import Tensors

final class PeterRecGoldenTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/peterrec.safetensors").path

    func check(_ name: String, insertion: PatchInsertion, causal: Bool, loss kind: TransferLoss,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let golden = try SafetensorsFile(contentsOf: Self.path)
        // One input-only row after the 12 items: GRec's mask token, the non-causal CLS.
        let backbone = NextItNet(NextItNetConfiguration(items: 12, channels: 8, kernel: 3, dilations: [1, 2],
                                                        layerNormEps: 1e-8, causal: causal, extraInputTokens: 1), seed: Seed(0))
        let model = PeterRec(backbone: backbone, targets: 6, insertion: insertion, patchHidden: 2,
                             stream: Seed(0).stream("peterrec"))

        try loadGoldenParameters(golden, into: model.parameters, label: name, file: file, line: line)

        // Rows through the model's own layout must be the reference's rows.
        let histories = try golden.indices("input.histories"), lengths = try golden.indices("input.lengths")
        let side = causal ? "causal" : "noncausal"
        let expectedIds = try golden.indices("input.ids.\(side)"), expectedRead = try golden.indices("input.read.\(side)")
        let (b, maxLength, width, reads) = (histories.shape[0], histories.shape[1], expectedIds.shape[1], expectedRead.shape[1])
        var ids: [Int32] = [], read: [[Int]] = []
        for r in 0..<b {
            let history = histories.values[(r * maxLength)..<(r * maxLength + Int(lengths.values[r]))]
            let row = model.layout(history, maxLength: maxLength, width: width)
            ids += row.ids
            read.append(row.read)
        }
        XCTAssertEqual(ids, expectedIds.values, "\(name): input rows", file: file, line: line)
        XCTAssertEqual(read.flatMap { $0.map(Int32.init) }, expectedRead.values, "\(name): read columns", file: file, line: line)
        XCTAssertEqual(read.map(\.count), Array(repeating: reads, count: b), file: file, line: line)
        let input = IndexTensor(shape: [b, width], values: ids)
        let targets = try golden.indices("input.targets")
        let negatives = kind == .softmax ? nil
            : IndexTensor(shape: [b, 1], values: try golden.indices("input.negatives.\(kind.rawValue)").values)

        var report: [String] = []
        do {
            let g = Graph()
            let user = model.userVectors(g, hidden: model.forward(g, input), read: read)
            let worst = maxAbsDifference(user, try golden.tensor("\(name).user"))
            report.append("user \(worst)")
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(name): user vectors", file: file, line: line)
        }

        for p in model.parameters { p.grad = nil }
        let g = Graph()
        let loss = model.loss(g, ids: input, read: read, targets: targets, negatives: negatives, loss: kind, headL2: 0.02)
        g.backward(loss)
        let expectedLoss = try golden.tensor("\(name).loss").item
        report.append("loss \(abs(loss.item - expectedLoss))")
        XCTAssertEqual(loss.item, expectedLoss, accuracy: 1e-5, "\(name): loss", file: file, line: line)
        var worstGrad: Float = 0
        for p in model.parameters {
            guard let grad = p.grad else { XCTFail("\(name): no gradient for \(p.name)", file: file, line: line); continue }
            let worst = maxAbsDifference(grad, try golden.tensor("\(name).grad.\(p.name)"))
            worstGrad = max(worstGrad, worst)
            report.append("\(p.name) \(worst)")
            XCTAssertLessThanOrEqual(worst, 1e-4, "\(name): gradient of \(p.name)", file: file, line: line)
        }
        print("PeterRec golden \(name) max abs differences (worst gradient \(worstGrad)): " + report.joined(separator: ", "))
    }

    func testCausalSerialBCE() throws { try check("serial_bce", insertion: .serial, causal: true, loss: .bce) }

    func testCausalParallelBPR() throws { try check("parallel_bpr", insertion: .parallel, causal: true, loss: .bpr) }

    func testCausalSerialSoftmax() throws { try check("serial_softmax", insertion: .serial, causal: true, loss: .softmax) }

    func testNonCausalParallelBCE() throws {
        try check("noncausal_parallel_bce", insertion: .parallel, causal: false, loss: .bce)
    }
}
