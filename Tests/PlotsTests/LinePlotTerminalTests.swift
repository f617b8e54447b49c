// Line plots as terminal text: exact output for small cases, and the edge cases (one point, a
// constant series, NaN and infinity, nothing to draw) that must give a plot or a message, not a crash.

import XCTest
@testable import Plots

final class LinePlotTerminalTests: XCTestCase {
    let twoCurves = LinePlot(title: "loss", xLabel: "epoch", series: [
        Series(name: "train loss", y: [0.9, 0.62, 0.48, 0.41, 0.37, 0.35]),
        Series(name: "valid", y: [0.95, 0.7, 0.6, 0.58, 0.59, 0.61]),
    ])

    func testTwoSeriesBraille() {
        // Round y ticks, x ticks inside the epochs, a marker at each curve's end, named in the legend.
        XCTAssertEqual(twoCurves.renderTerminal(width: 40, height: 8), BRAILLE)
    }

    func testTwoSeriesASCIIUsesOneMarkerPerSeries() {
        XCTAssertEqual(twoCurves.renderTerminal(width: 40, height: 8, unicode: false), ASCII)
    }

    func testOnePoint() {
        XCTAssertEqual(LinePlot(series: [Series(name: "one", y: [3])]).renderTerminal(width: 30, height: 4), ONE)
    }

    func testConstantSeriesIsAFlatLineInTheMiddle() {
        XCTAssertEqual(LinePlot(series: [Series(name: "flat", y: [2, 2, 2])]).renderTerminal(width: 30, height: 4), FLAT)
    }

    func testNaNAndInfinityBreakTheLine() {
        // x = 2 and 4 are missing: the point at x = 3 stands alone, and nothing joins 1 to 3 or 3 to 5.
        let plot = LinePlot(series: [Series(name: "gaps", y: [1, .nan, 3, .infinity, 2, 4])])
        XCTAssertEqual(plot.renderTerminal(width: 30, height: 4), GAPS)
    }

    func testNothingToDrawIsAMessage() {
        XCTAssertEqual(LinePlot(title: "t", series: [Series(name: "e", y: [])]).renderTerminal(), "t\nno points to plot\n")
        XCTAssertEqual(LinePlot(series: []).renderTerminal(), "no points to plot\n")
        XCTAssertEqual(LinePlot(series: [Series(name: "n", y: [.nan, .infinity])]).renderTerminal(), "no points to plot\n")
    }

    func testEmptySeriesBesideAFullOneIsNamedAsEmpty() {
        let text = LinePlot(series: [Series(name: "a", y: [1, 2]), Series(name: "b", y: [])]).renderTerminal()
        XCTAssertTrue(text.hasSuffix("* a (last 2)\n+ b (no points)\n"), text)
    }

    func testLinesFitTheWidthAndTinySizesAreRaised() {
        for line in twoCurves.renderTerminal(width: 40, height: 8).split(separator: "\n") {
            XCTAssertLessThanOrEqual(line.count, 40, String(line))
        }
        let tiny = twoCurves.renderTerminal(width: 1, height: 0)
        XCTAssertTrue(tiny.contains("*"), tiny)
        let extreme = LinePlot(series: [Series(name: "x", y: [1.7e308, -1.7e308, .leastNonzeroMagnitude])]).renderTerminal()
        XCTAssertTrue(extreme.hasSuffix("* x (last 4.94e-324)\n"), extreme)
    }

    func testColourWrapsSeriesInANSICodesOnlyWhenAsked() {
        XCTAssertFalse(twoCurves.renderTerminal().contains("\u{1B}"))
        let coloured = twoCurves.renderTerminal(color: true)
        XCTAssertTrue(coloured.contains("\u{1B}[34m*\u{1B}[0m train loss"), coloured)
        XCTAssertTrue(coloured.contains("\u{1B}[31m+\u{1B}[0m valid"), coloured)
    }

    func testSameInputSameText() {
        XCTAssertEqual(twoCurves.renderTerminal(color: true), twoCurves.renderTerminal(color: true))
    }
}

// Checked by eye when written: the curves fall the way the numbers do, labels sit on their rows.

private let BRAILLE = """
    loss
    1.0 ┤⢄⡀
        │⠑⠬⡢⢄
    0.8 ┤  ⠈⠢⢍⠢⣀
    0.6 ┤     ⠑⠢⣉⠒⠒⠤⢄⣀⡀                 ⣀⣀⣀+
        │        ⠉⠑⠢⠤⣀⡈⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉
    0.4 ┤             ⠈⠉⠑⠒⠢⠤⢄⣀⣀⣀⣀
        │                        ⠉⠉⠉⠉⠉⠉⠉⠒⠒⠒*
    0.2 ┤
        └───────┬────────────┬─────────────┬
                2            4             6
                        epoch
    * train loss (last 0.35)
    + valid (last 0.61)

    """

private let ASCII = """
    loss
    1.0 +++
        |**++
    0.8 +  **++
    0.6 +      +++++                    ++++
        |         **++++++++++++++++++++
    0.4 +             ***********
        |                        ***********
    0.2 +
        +-------+------------+-------------+
                2            4             6
                        epoch
    * train loss (last 0.35)
    + valid (last 0.61)

    """

private let ONE = """
    3.5 ┤
        │
    3.0 ┤            *
    2.5 ┤
        └────────────┬────────────
                     1
    * one (last 3)

    """

private let FLAT = """
    2.2 ┤
        │
    2.0 ┤⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉*
    1.8 ┤
        └┬───────────┬───────────┬
         1           2           3
    * flat (last 2)

    """

private let GAPS = """
    4 ┤                        ⢀⠔*
      │          ⠈          ⢀⡠⠊⠁
    2 ┤⡀                    ⠁
    0 ┤
      └─────┬──────────┬─────────┬
            2          4         6
    * gaps (last 4)

    """
