// Heatmaps: exact terminal text (shades, ASCII and colour), labels cut to width, shape errors that
// say what to fix, constant and empty matrices, and an SVG with a cell per value and a colour scale.

import XCTest
@testable import Plots

final class HeatmapTests: XCTestCase {
    func attention() throws -> Heatmap {
        try Heatmap(title: "attention", rowLabels: ["item12", "item7", "<mask>"],
                    columnLabels: ["item12", "item7", "<mask>", "x"],
                    values: [[1, 0, 0, 0], [0.5, 0.5, 0, 0], [0.1, 0.2, 0.3, .nan]])
    }

    func testShadesWithLabelsCut() throws {
        // Column labels read downwards; rows keep their trailing cells (a space is the lowest shade).
        let expected = [
            "attention",
            "      i i <",
            "      t t m",
            "      e e a",
            "      m m s",
            "      … 7 … x",
            "item… ██      ",
            "item7 ▒▒▒▒    ",
            "<mas…   ░░░░··",
            "scale 0 [ ░▒▓█] 1",
        ]
        XCTAssertEqual(try attention().renderTerminal(maxLabelWidth: 5), expected.joined(separator: "\n") + "\n")
    }

    func testASCIIShades() throws {
        let text = try attention().renderTerminal(unicode: false, maxLabelWidth: 5)
        XCTAssertTrue(text.hasSuffix("item… ##      \nitem7 ::::    \n<mas…   ......\nscale 0 [ .:*#] 1\n"), text)
    }

    func testColourCellsAre256ColourBackgrounds() throws {
        let text = try attention().renderTerminal(color: true)
        let cell = { (code: Int) in "\u{1B}[48;5;\(code)m  \u{1B}[0m" }
        // Brightest for 1, darkest for 0, the missing cell as dots.
        XCTAssertTrue(text.contains("item12 " + cell(226) + cell(53) + cell(53) + cell(53) + "\n"), text)
        XCTAssertTrue(text.contains("<mask> " + cell(60) + cell(61) + cell(30) + "··\n"), text)
        XCTAssertTrue(text.hasSuffix("scale 0 " + [53, 24, 36, 113, 226].map(cell).joined() + " 1\n"), text)
    }

    func testShapeErrorsSayWhatToFix() {
        XCTAssertThrowsError(try Heatmap(values: [[1, 2], [3]])) { error in
            XCTAssertEqual("\(error)", "heatmap row 1 has 1 values but row 0 has 2; give every row the same length")
        }
        XCTAssertThrowsError(try Heatmap(rowLabels: ["a"], values: [[1], [2]])) { error in
            XCTAssertEqual("\(error)", "heatmap has 2 rows but 1 row labels; give one label per row")
        }
        XCTAssertThrowsError(try Heatmap(columnLabels: ["a"], values: [[1, 2]])) { error in
            XCTAssertEqual("\(error)", "heatmap has 2 columns but 1 column labels; give one label per column")
        }
    }

    func testConstantEmptyAndMissing() throws {
        // One value throughout sits in the middle of the scale, with default index labels.
        XCTAssertEqual(try Heatmap(values: [[2, 2], [2, 2]]).renderTerminal(),
                       "  0 1\n0 ▒▒▒▒\n1 ▒▒▒▒\nscale 2 [ ░▒▓█] 2\n")
        XCTAssertEqual(try Heatmap(values: []).renderTerminal(), "no cells to draw\n")
        XCTAssertEqual(try Heatmap(values: [[.nan]]).renderTerminal(), "no finite values to draw\n")
        _ = SVGSummary.parse(try Heatmap(values: []).renderSVG())
        _ = SVGSummary.parse(try Heatmap(values: [[.nan]]).renderSVG())
        _ = SVGSummary.parse(try Heatmap(values: [[2, 2]]).renderSVG())
    }

    func testSVGHasACellPerValueAndAScale() throws {
        let svg = try attention().renderSVG()
        let summary = SVGSummary.parse(svg)
        // Background, 12 cells, the scale bar.
        XCTAssertEqual(summary.count("rect"), 1 + 12 + 1)
        XCTAssertEqual(summary.count("linearGradient"), 1)
        XCTAssertEqual(summary.count("stop"), 5)
        for label in ["attention", "item12", "<mask>", "x", "0", "0.5", "1"] {
            XCTAssertTrue(summary.texts.contains(label), "\(label) in \(summary.texts)")
        }
        let fills = summary.elements.filter { $0.name == "rect" }.compactMap { $0.attributes["fill"] }
        XCTAssertEqual(fills[1], "#fde725")  // 1.0: the bright end of viridis
        XCTAssertEqual(fills[2], "#440154")  // 0.0: the dark end
        XCTAssertEqual(svg, try attention().renderSVG())
    }

    func testScaleMaximumClipsLargerCellsAndSaysSo() throws {
        var map = try Heatmap(values: [[1, 0], [0.2, 0.1]])
        map.scaleMaximum = 0.2
        let text = map.renderTerminal(maxLabelWidth: 3)
        // 0.2 and 1 are both at the top of the scale; 0.1 sits in the middle.
        XCTAssertTrue(text.contains("0 ██  \n1 ██▒▒\n"), text)
        XCTAssertTrue(text.hasSuffix("scale 0 [ ░▒▓█] ≥0.2\n"), text)
        XCTAssertTrue(map.renderSVG().contains("≥0.2"))
        // A cap at or above the largest value changes nothing.
        map.scaleMaximum = 5
        XCTAssertTrue(map.renderTerminal().hasSuffix("scale 0 [ ░▒▓█] 1\n"))
    }
}
