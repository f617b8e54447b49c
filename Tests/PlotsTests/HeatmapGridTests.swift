// Several heatmaps in one SVG: a grid, not a strip. Positions are checked against the panels' own
// sizes, and the document keeps the charts' font.

import XCTest
@testable import Plots

final class HeatmapGridTests: XCTestCase {
    /// A 12 × 12 attention-like map with a title, as `attention(layer: "all")` draws one per panel.
    func panel(_ k: Int) throws -> Heatmap {
        let labels = (1...12).map { "item \($0)" }
        var values = [[Double]](repeating: [Double](repeating: 0, count: 12), count: 12)
        for q in 0..<12 { for c in 0...q { values[q][c] = Double(c + k + 1) / Double(q + 13) } }
        return try Heatmap(title: "layer \(k / 2 + 1), head \(k % 2 + 1)", rowLabels: labels, columnLabels: labels, values: values)
    }

    /// The width and height attributes of a standalone SVG document.
    func size(_ svg: String) throws -> (width: Int, height: Int) {
        let root = try XCTUnwrap(SVGSummary.parse(svg).elements.first?.attributes)
        return (try XCTUnwrap(Int(root["width"] ?? "")), try XCTUnwrap(Int(root["height"] ?? "")))
    }

    func testFourPanelsInTwoColumnsSitAtTheirRowAndColumn() throws {
        let maps = try (0..<4).map(panel)
        let single = try size(maps[0].renderSVG(cellSize: 20, maxLabelWidth: 18))
        let svg = Heatmap.renderGridSVG(maps, columns: 2, cellSize: 20, maxLabelWidth: 18, gap: 16)
        let summary = SVGSummary.parse(svg)
        let root = try XCTUnwrap(summary.elements.first?.attributes)

        // Two panels and one gap across, two down: never the four-panel strip.
        XCTAssertEqual(root["width"], String(2 * single.width + 16))
        XCTAssertEqual(root["height"], String(2 * single.height + 16))
        XCTAssertLessThan(try XCTUnwrap(Int(root["width"] ?? "")), 4 * single.width)
        XCTAssertEqual(root["viewBox"], "0 0 \(2 * single.width + 16) \(2 * single.height + 16)")

        // Panel k is at row k / 2, column k % 2.
        let origins = summary.elements.filter { $0.name == "g" }.map { $0.attributes["transform"] ?? "" }
        XCTAssertEqual(origins, (0..<4).map { k in
            "translate(\((k % 2) * (single.width + 16)),\((k / 2) * (single.height + 16)))"
        })
        // Each panel keeps its title and its own colour scale; the document has the plots' font.
        for k in 0..<4 { XCTAssertTrue(summary.texts.contains(maps[k].title), maps[k].title) }
        let gradients = summary.elements.filter { $0.name == "linearGradient" }.compactMap { $0.attributes["id"] }
        XCTAssertEqual(gradients, ["heat-scale-1", "heat-scale-2", "heat-scale-3", "heat-scale-4"])
        XCTAssertTrue(svg.contains("fill=\"url(#heat-scale-3)\""))
        XCTAssertEqual(root["font-family"], "Helvetica, Arial, sans-serif")
        XCTAssertEqual(svg, Heatmap.renderGridSVG(maps, columns: 2, cellSize: 20, maxLabelWidth: 18, gap: 16))
    }

    func testColumnsTakeTheirWidestPanelAndRowsTheirTallest() {
        let layout = Heatmap.GridLayout(sizes: [(100, 50), (80, 70), (120, 40)], columns: 2, gap: 10)
        XCTAssertEqual(layout.origins, [.init(x: 0, y: 0), .init(x: 130, y: 0), .init(x: 0, y: 80)])
        XCTAssertEqual(layout.width, 120 + 10 + 80)
        XCTAssertEqual(layout.height, 70 + 10 + 40)
        // More columns than panels: one row, no empty columns; fewer than one: one column.
        let wide = Heatmap.GridLayout(sizes: [(100, 50), (80, 70)], columns: 4, gap: 10)
        XCTAssertEqual(wide.width, 190)
        XCTAssertEqual(wide.height, 70)
        let narrow = Heatmap.GridLayout(sizes: [(100, 50), (80, 70)], columns: 0, gap: 10)
        XCTAssertEqual(narrow.origins, [.init(x: 0, y: 0), .init(x: 0, y: 60)])
        XCTAssertEqual(narrow.width, 100)
    }
}
