// Bar charts: exact terminal text, bars in proportion, long labels cut, odd values without a crash,
// and a well-formed SVG with one bar per finite value.

import XCTest
@testable import Plots

final class BarChartTests: XCTestCase {
    let chart = BarChart(title: "weights owned", bars: [
        ("layer 1 / task A", 1200), ("layer 1 / task B", 250), ("layer 2 / a very long task name", 0),
        ("delta", -300), ("bad", .nan),
    ])

    func testTerminalUnicode() {
        XCTAssertEqual(chart.renderTerminal(width: 50), """
            weights owned
            layer 1 / task A         │███████████████████ 1200
            layer 1 / task B         │████ 250
            layer 2 / a very long t… │ 0
            delta                    │░░░░░ -300
            bad                      │ nan

            """)
    }

    func testTerminalASCIIWithShortLabels() {
        XCTAssertEqual(chart.renderTerminal(width: 50, unicode: false, maxLabelWidth: 10), """
            weights owned
            layer 1 /… |################################# 1200
            layer 1 /… |####### 250
            layer 2 /… | 0
            delta      |-------- -300
            bad        | nan

            """)
    }

    func testEighthBlocksEndABar() {
        // Width 9 leaves 4 columns for bars: 1 of 8 is 4 eighths, half a cell.
        let text = BarChart(bars: [("a", 8), ("b", 1)]).renderTerminal(width: 9)
        XCTAssertEqual(text, "a │████ 8\nb │▌ 1\n")
        for line in chart.renderTerminal(width: 50).split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 50) }
    }

    func testNothingOrOnlyZerosIsNotACrash() {
        XCTAssertEqual(BarChart(bars: []).renderTerminal(), "no bars to draw\n")
        XCTAssertEqual(BarChart(bars: [("z", 0), ("n", .infinity)]).renderTerminal(), "z │ 0\nn │ inf\n")
        _ = SVGSummary.parse(BarChart(bars: []).renderSVG())
        _ = SVGSummary.parse(BarChart(bars: [("z", 0)]).renderSVG())
    }

    func testSVG() {
        let svg = chart.renderSVG()
        let summary = SVGSummary.parse(svg)
        // The background and one bar for each finite value (0 gives a bar of no width).
        XCTAssertEqual(summary.count("rect"), 1 + 4)
        XCTAssertTrue(summary.texts.contains("weights owned"))
        XCTAssertTrue(summary.texts.contains("layer 1 / task A"))
        XCTAssertTrue(summary.texts.contains("1200"))
        XCTAssertTrue(summary.texts.contains("-300"))
        XCTAssertEqual(svg, chart.renderSVG())
        XCTAssertFalse(svg.contains("NaN"))
    }
}
