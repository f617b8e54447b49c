import XCTest
@testable import Datasets

final class SessionCSVTests: XCTestCase {
    func testSessionsWithAndWithoutThePaddingToken() throws {
        let plain = try SessionCSV.read(fixture("sessions/nextitnet.csv"))
        // Faithful to the reference: "0" is an ordinary item, first seen first.
        XCTAssertEqual(plain.items.tokens, ["[PAD]", "0", "a1", "a2", "a3", "a4", "a5"])
        XCTAssertEqual(plain.interactionCount, 15)
        let d = try SessionCSV.read(fixture("sessions/nextitnet.csv"), padToken: "0")
        XCTAssertEqual(d.users.tokens, ["[PAD]", "1", "2", "3"])
        XCTAssertEqual(d.items.tokens, ["[PAD]", "a1", "a2", "a3", "a4", "a5"])
        XCTAssertEqual(itemTokens(d, user: "1"), ["a1", "a2", "a3"])
        XCTAssertEqual(itemTokens(d, user: "3"), ["a1", "a3", "a5", "a2", "a4"])
    }

    func testFineTuningFormSharesTheSourceVocabulary() throws {
        let pretrain = try SessionCSV.read(fixture("sessions/nextitnet.csv"), padToken: "0")
        let task = try SessionCSV.readFineTuning(fixture("sessions/finetune.csv"), sourceItems: pretrain.items, padToken: "0")
        XCTAssertEqual(task.sourceItems, pretrain.items)
        XCTAssertEqual(task.targetItems.tokens, ["[PAD]", "t1", "t2", "t3"])
        XCTAssertEqual(task.sourceRowCount, 4)
        XCTAssertEqual(task.count, 4)  // line 3 has an empty target part
        XCTAssertEqual(task.exampleRows, [0, 0, 1, 3])
        XCTAssertEqual(task.exampleTargets, [1, 2, 2, 3])
        XCTAssertEqual(Array(task.source(ofExample: 3)), [1, 2])
        XCTAssertEqual(task.sourceLines, [1, 2, 3, 4])
        let (tr, va, te) = try task.split(validFraction: 0.25, testFraction: 0.25, seed: .init(1))
        XCTAssertEqual((tr + va + te).sorted(), [0, 1, 2, 3])
        XCTAssertEqual(va.count, 1)
        XCTAssertEqual(te.count, 1)
        XCTAssertThrowsError(try SessionCSV.readFineTuning(fixture("sessions/finetune.csv"), sourceItems: Vocabulary(["a1"]))) { e in
            XCTAssertTrue("\(e)".contains("finetune.csv:1: error: source item '0' is not in the pretraining vocabulary"), "\(e)")
        }
    }

    func testReferenceDemoFilesHaveTheDocumentedVocabularies() throws {
        let nextitnet = try SessionCSV.read(try sharedData("nextitnet-demo/user-filter-20000items-session5.csv"))
        XCTAssertEqual(nextitnet.userCount, 1_804)
        XCTAssertEqual(nextitnet.items.count, 2_795)  // the reference's V, 2,794 tokens + id 0
        XCTAssertEqual(nextitnet.interactionCount, 9_020)
        let pretrainPath = try sharedData("peterrec-demo/history_sequences_20181014_fajie_transfer_pretrain_small.csv")
        let pretrain = try SessionCSV.read(pretrainPath)
        XCTAssertEqual(pretrain.items.count, 175)
        XCTAssertEqual(pretrain.items.id(of: "0"), 73, "the pad token \"0\" is an ordinary item, id 73 as in the reference")
        let task = try SessionCSV.readFineTuning(
            try sharedData("peterrec-demo/history_sequences_20181014_fajie_transfer_finetune_small.csv"),
            sourceItems: pretrain.items)
        XCTAssertEqual(task.count, 47)
        XCTAssertEqual(task.targetItems.count, 32)
        XCTAssertEqual(task.sourceRowCount, 30)
        let grec = try SessionCSV.read(try sharedData("grec-ml1m-seq20/ratings_seq20_order.txt"), padToken: "-1")
        XCTAssertEqual(grec.userCount, 25_242)
        XCTAssertEqual(grec.itemCount, 3_589)
        XCTAssertTrue((1...grec.userCount).allSatisfy { grec.length(of: $0) >= 5 })
    }
}

final class TaskRowsTests: XCTestCase {
    func testSourceTargetExamplesBatchAsSourceThenTargetLabel() throws {
        let task = try SessionCSV.readFineTuning(fixture("sessions/finetune.csv"), padToken: "0")
        let rows = try task.rows(for: [1, 3])
        var batcher = try Batcher(rows: rows, batchSize: 2, width: 5)
        var batch = batcher.makeBatch()
        XCTAssertTrue(batcher.next(into: &batch))
        XCTAssertEqual(Array(batch.items[0..<5]), Array(task.source(ofExample: 1)) + [0, 0])
        XCTAssertEqual(batch.targets[0], task.targetItems.id(of: "t2"))
        XCTAssertEqual(batch.targets[1], task.targetItems.id(of: "t3"))
        XCTAssertEqual(batch.lengths[1], 2)
        XCTAssertThrowsError(try task.rows(for: [9]))
    }

    func testUserLabelRowsHoldRecentHistoryAndClass() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        let task = try UserLabelTask.make(from: d, attribute: "gender", validFraction: 0, testFraction: 0, seed: .init(1))
        XCTAssertEqual(task.classes, ["F", "M"])
        XCTAssertEqual(task.train, [1, 2, 3, 4])
        let u1 = d.users.id(of: "u1")!
        let rows = try task.rows(for: [u1], in: d, maxLength: 2)
        XCTAssertEqual(Array(rows.history(0)), Array(d.sequence(of: Int(u1)).suffix(2)))
        XCTAssertEqual(rows.target(0), 1)  // "M"
        XCTAssertThrowsError(try task.rows(for: [0], in: d))
        // u4 is labelled but has no events: an empty history, and no labels to read.
        let empty = try task.rows(for: [d.users.id(of: "u4")!], in: d)
        XCTAssertEqual(empty.history(0).count, 0)
        XCTAssertEqual(empty.labels(0).count, 0)
    }
}
