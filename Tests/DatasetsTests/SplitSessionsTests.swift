// The hold-out of whole users (Dataset.sessionHoldOut): every user lands in exactly one part, the
// shares are floor(ratio · users) as the original's int(tt_percentage * N), a held-out row predicts
// its user's last event, and the same seed gives the same users.

import XCTest
@testable import Datasets

final class SplitSessionsTests: XCTestCase {
    private func dataset() -> Dataset {
        var b = DatasetBuilder()
        for u in 0..<23 {
            for t in 0..<(2 + u % 5) { b.add(user: "u\(u)", item: "i\((u * 7 + t * 3) % 17)", time: Double(t)) }
        }
        return b.build(name: "d")
    }

    func testEveryUserInOnePartWithTheOriginalsCounts() throws {
        let d = dataset()
        let s = try d.sessionHoldOut(ratios: [0.6, 0.15, 0.25], seed: 10, maxLength: 3, training: .prefix)
        XCTAssertEqual(s.test.count, 5)        // floor(0.25 · 23)
        XCTAssertEqual(s.valid.count, 3)       // floor(0.15 · 23)
        let held = Set(s.test.users + s.valid.users), trained = Set(s.train.users)
        XCTAssertTrue(held.isDisjoint(with: trained))
        XCTAssertEqual(held.count + trained.count, 23)
        for r in 0..<s.test.count {
            let u = Int(s.test.users[r])
            XCTAssertEqual(s.test.ends[r], d.userStarts[u + 1] - 1, "the target is the user's last event")
            XCTAssertEqual(s.test.starts[r], max(d.userStarts[u], d.userStarts[u + 1] - 1 - 3))
        }
        let again = try d.sessionHoldOut(ratios: [0.6, 0.15, 0.25], seed: 10, maxLength: 3, training: .prefix)
        XCTAssertEqual(again.test.users, s.test.users)
        let other = try d.sessionHoldOut(ratios: [0.6, 0.15, 0.25], seed: 11, maxLength: 3, training: .prefix)
        XCTAssertNotEqual(other.test.users, s.test.users)
        XCTAssertThrowsError(try d.sessionHoldOut(ratios: [0, 0, 1], seed: 10), "no user left to train")
    }
}
