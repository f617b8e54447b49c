// Number formats and ticks: the text every renderer puts on axes, so golden output depends on it.

import XCTest
@testable import Plots

final class NumberFormatTests: XCTestCase {
    func testCompactNumber() {
        XCTAssertEqual(compactNumber(0), "0")
        XCTAssertEqual(compactNumber(-0.0), "0")
        XCTAssertEqual(compactNumber(0.012345), "0.0123")
        XCTAssertEqual(compactNumber(3.456), "3.46")
        XCTAssertEqual(compactNumber(1234), "1234")
        XCTAssertEqual(compactNumber(2.5), "2.5")
        XCTAssertEqual(compactNumber(0.000012), "1.2e-5")
        XCTAssertEqual(compactNumber(3e7), "3e7")
        XCTAssertEqual(compactNumber(.nan), "nan")
        XCTAssertEqual(compactNumber(-.infinity), "-inf")
    }

    func testTicksAreNiceAndCoverTheRange() {
        let t = Ticks(low: 0.23, high: 0.87, count: 5)
        XCTAssertEqual(t.step, 0.2, accuracy: 1e-15)
        XCTAssertEqual(t.labels, ["0.2", "0.4", "0.6", "0.8", "1.0"])
        let big = Ticks(low: 0, high: 9_500, count: 5)
        XCTAssertEqual(big.labels, ["0", "2000", "4000", "6000", "8000", "10000"])
    }

    func testConstantRangeIsWidened() {
        let t = Ticks(low: 2, high: 2, count: 5)
        XCTAssertLessThan(t.values.first!, 2)
        XCTAssertGreaterThan(t.values.last!, 2)
        let zero = Ticks(low: 0, high: 0)
        XCTAssertEqual(zero.labels.first, "-1.0")
        XCTAssertEqual(zero.labels.last, "1.0")
    }

    func testNegativeZeroTickPrintsAsZero() {
        XCTAssertEqual(Ticks(low: -1, high: 1, count: 3).labels, ["-1", "0", "1"])
    }
}
