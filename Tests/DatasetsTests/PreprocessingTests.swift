import Tensors
import XCTest
@testable import Datasets

final class PreprocessingTests: XCTestCase {
    func testDeduplicationKeepsFirstOrLast() {
        let d = makeDataset([("A", ["a", "b", "a", "c", "b"])])
        XCTAssertEqual(itemTokens(d.deduplicated(), user: "A"), ["a", "b", "c"])
        XCTAssertEqual(itemTokens(d.deduplicated(keep: .last), user: "A"), ["a", "c", "b"])
    }

    func testKCoreCascadesAndRenumbers() {
        // Item c has one event, so u3 drops to one event and goes too.
        let d = makeDataset([("u1", ["a", "b"]), ("u3", ["a", "c"]), ("u2", ["a", "b"])])
        let k = d.kCore(userCore: 2, itemCore: 2)
        XCTAssertEqual(k.users.tokens, ["[PAD]", "u1", "u2"])
        XCTAssertEqual(k.items.tokens, ["[PAD]", "a", "b"])
        XCTAssertEqual(k.interactionCount, 4)
    }

    func testKCoreMatchesANaiveFixpointOnRandomData() {
        var rng = Seed(11).stream("kcore-test")
        var users: [(String, [String])] = []
        for u in 0..<200 {
            let n = 1 + rng.int(below: 12)
            users.append(("u\(u)", (0..<n).map { _ in "i\(rng.int(below: 25) * rng.int(below: 8))" }))
        }
        let d = makeDataset(users)
        let k = d.kCore(userCore: 4, itemCore: 6)
        // Naive: recount from scratch until nothing changes.
        var events = users.flatMap { u in u.1.map { (u.0, $0) } }
        while true {
            var userCount: [String: Int] = [:], itemCount: [String: Int] = [:]
            for (u, i) in events { userCount[u, default: 0] += 1; itemCount[i, default: 0] += 1 }
            let kept = events.filter { userCount[$0.0]! >= 4 && itemCount[$0.1]! >= 6 }
            if kept.count == events.count { break }
            events = kept
        }
        XCTAssertEqual(k.interactionCount, events.count)
        XCTAssertGreaterThan(k.interactionCount, 0)
        for u in 1..<k.users.count { XCTAssertGreaterThanOrEqual(k.length(of: u), 4) }
        XCTAssertTrue(k.itemFrequencies().dropFirst().allSatisfy { $0 >= 6 })
    }

    func testTruncationMinimumLengthAndStatistics() {
        let d = makeDataset([("A", ["a", "b", "c", "d"]), ("B", ["a"]), ("C", ["a", "b"])])
        XCTAssertEqual(itemTokens(d.truncated(toLast: 2), user: "A"), ["c", "d"])
        let f = d.filtered(minLength: 2)
        XCTAssertEqual(f.users.tokens, ["[PAD]", "A", "C"])
        let stats = d.itemStatistics()
        XCTAssertEqual(stats.frequencies, [0, 3, 2, 1, 1])
        XCTAssertEqual(stats.byPopularity, [1, 2, 3, 4])
        XCTAssertEqual(stats.coldItems, 0)
        XCTAssertEqual(makeDataset([("A", ["a", "b"])]).itemStatistics().gini, 0, accuracy: 1e-12)
    }

    func testFilteringCarriesItemTextAndUserAttributes() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        // Drops u3 (one event) and d, e (one or no events); without u3, b has one event left and goes.
        let k = d.kCore(userCore: 2, itemCore: 2)
        XCTAssertEqual(k.users.tokens, ["[PAD]", "u2", "u1"])
        XCTAssertEqual(k.items.tokens, ["[PAD]", "a", "c"])
        XCTAssertEqual(k.itemText, ["", "Alpha Film", "Gamma Film"])
        XCTAssertEqual(k.userAttributes?.column("age")?.values, ["", "53", "24"])
    }

    func testTimeGapSessions() throws {
        var b = DatasetBuilder()
        for (i, t) in [0.0, 10, 100, 105, 1000].enumerated() { b.add(user: "A", item: "i\(i)", time: t) }
        let d = b.build(name: "gaps")
        let s = try d.splitSessions(maxGap: 50)
        XCTAssertEqual(s.users.tokens, ["[PAD]", "A#1", "A#2", "A#3"])
        XCTAssertEqual(itemTokens(s, user: "A#2"), ["i2", "i3"])
        XCTAssertEqual(try d.splitSessions(maxGap: 50, minLength: 2).userCount, 2)
    }

    func testMaxGapRecursiveSplit() throws {
        var b = DatasetBuilder()
        for (i, t) in [0.0, 1, 2, 50, 51, 52, 53, 200, 201].enumerated() { b.add(user: "A", item: "i\(i)", time: t) }
        let s = try b.build(name: "gaps").splitAtLargestGaps(maxLength: 3)
        XCTAssertEqual((1...s.userCount).map { s.length(of: $0) }, [3, 2, 2, 2])
        XCTAssertEqual(itemTokens(s, user: "A#1"), ["i0", "i1", "i2"])
        XCTAssertEqual(itemTokens(s, user: "A#4"), ["i7", "i8"])
        // Without time information the halves are balanced.
        let flat = makeDataset([("B", (0..<8).map { "j\($0)" })])
        let even = try flat.splitAtLargestGaps(maxLength: 3)
        XCTAssertEqual((1...even.userCount).map { even.length(of: $0) }, [2, 2, 2, 2])
        XCTAssertEqual(even.interactionCount, 8)
    }
}
