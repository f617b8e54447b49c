import XCTest
@testable import Datasets

/// A dataset from (user, items) with times 0, 1, 2, ...
func makeDataset(_ users: [(String, [String])]) -> Dataset {
    var b = DatasetBuilder()
    for (u, items) in users {
        for (k, i) in items.enumerated() { b.add(user: u, item: i, time: Double(k)) }
    }
    return b.build(name: "handmade")
}

func tokens(_ d: Dataset, _ slice: ArraySlice<Int32>) -> [String] { slice.map { d.items.tokens[Int($0)] } }

final class SplitTests: XCTestCase {
    let d = makeDataset([("A", ["a", "b", "c", "d", "e", "f"]), ("B", ["x", "y"]), ("C", ["z"])])

    func testLeaveOneOutWithPrefixRows() throws {
        let s = try d.leaveOneOut(maxLength: 2)
        XCTAssertEqual(s.test.count, 2)  // A and B; C has one event
        XCTAssertEqual(tokens(d, s.test.history(0)), ["d", "e"])
        XCTAssertEqual(d.items.tokens[Int(s.test.target(0))], "f")
        XCTAssertEqual(tokens(d, s.test.history(1)), ["x"])
        XCTAssertEqual(s.valid.count, 1)
        XCTAssertEqual(tokens(d, s.valid.history(0)), ["c", "d"])
        XCTAssertEqual(d.items.tokens[Int(s.valid.target(0))], "e")
        XCTAssertEqual(s.train.count, 3)
        XCTAssertEqual((0..<3).map { tokens(d, s.train.history($0)) }, [["a"], ["a", "b"], ["b", "c"]])
        XCTAssertEqual((0..<3).map { d.items.tokens[Int(s.train.target($0))] }, ["b", "c", "d"])
        XCTAssertTrue(s.protocolDescription.hasPrefix("leave-one-out"))
    }

    func testLeaveOneOutWithSequenceRowsPredictsEveryTrainingTransitionOnce() throws {
        let s = try d.leaveOneOut(maxLength: 2, training: .sequence)
        XCTAssertEqual(s.train.count, 2)
        XCTAssertEqual(tokens(d, s.train.history(0)), ["a"])
        XCTAssertEqual(tokens(d, s.train.labels(0)), ["b"])
        XCTAssertEqual(tokens(d, s.train.history(1)), ["b", "c"])
        XCTAssertEqual(tokens(d, s.train.labels(1)), ["c", "d"])
        XCTAssertEqual(s.train.predictionCount, 3)
    }

    func testTemporalRatioSplitFollowsRecBoleCounts() throws {
        let ten = makeDataset([("A", (0..<10).map { "i\($0)" }), ("B", (0..<5).map { "i\($0)" })])
        let s = try ten.temporalSplit(ratios: [0.8, 0.1, 0.1], maxLength: 50)
        // A: 8/1/1; B: 3/1/1 (RecBole raises the 0.5-item parts to one).
        XCTAssertEqual(s.valid.count, 2)
        XCTAssertEqual(s.test.count, 2)
        XCTAssertEqual(tokens(ten, s.valid.history(0)).count, 8)
        XCTAssertEqual(ten.items.tokens[Int(s.test.target(0))], "i9")
        XCTAssertEqual(tokens(ten, s.valid.history(1)), ["i0", "i1", "i2"])
        XCTAssertEqual(s.train.count, 7 + 2)
        XCTAssertThrowsError(try ten.temporalSplit(ratios: [0.8, 0.2]))
    }

    func testSplitArgumentsAreChecked() {
        XCTAssertThrowsError(try d.leaveOneOut(maxLength: 0)) { e in
            XCTAssertEqual("\(e)", "error: maxLength must be at least 1, got 0")
        }
    }
}
