// The bad-input corpus (issue 10): every case must give exactly one error that names what is wrong
// and where, and leave the session usable. The test prints the corpus size by category.

import Foundation
import XCTest

/// Every case of the corpus, in category order.
let corpus: [BadInput] = dataFileCases + syntaxCases + typeCases + nameCases + hyperparameterCases
    + runAndCheckpointCases + safetensorsCases + torchCheckpointCases + textModelCases + storeFileCases

final class BadInputTests: XCTestCase {
    func testEveryBadInputGivesOneErrorThatSaysWhereAndTheSessionGoesOn() throws {
        let root = NSTemporaryDirectory() + "seqlab-badinput-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        var seen = Set<String>()
        for c in corpus {
            XCTAssertTrue(seen.insert(c.category + "/" + c.name).inserted, "duplicate case \(c.category) / \(c.name)")
            for p in CaseRunner.vet(c) { XCTFail(p) }
        }
        let filter = ProcessInfo.processInfo.environment["BADINPUT_FILTER"]
        for (k, c) in corpus.enumerated() {
            if let filter, !"\(c.category) / \(c.name)".contains(filter) { continue }
            // A case that crashes takes the process with it; the trace names the last one started.
            if ProcessInfo.processInfo.environment["BADINPUT_VERBOSE"] != nil { print("case \(k): \(c.category) / \(c.name)") }
            for p in CaseRunner.check(c, index: k, root: root) { XCTFail(p) }
        }
        print(Self.countReport())
        // The real count, not a floor: a category that stops contributing (a list dropped from
        // `corpus`, a bad merge) fails here, so removing a case is a deliberate edit of this number.
        XCTAssertEqual(corpus.count, 496, Self.countReport())
    }

    /// Cases per category, and per group (the category's first path component).
    static func countReport() -> String {
        var byCategory: [String: Int] = [:]
        for c in corpus { byCategory[c.category, default: 0] += 1 }
        var lines = ["bad-input corpus: \(corpus.count) cases"]
        for (category, n) in byCategory.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(category.padding(toLength: 28, withPad: " ", startingAt: 0)) \(n)")
        }
        return lines.joined(separator: "\n")
    }
}
