// The legend of an SVG line plot never covers data: it takes a corner no curve passes through, and
// when every corner has data it moves right of the plotting area. Checked against the coordinates
// the SVG draws, not by counting elements.

import XCTest
@testable import Plots

final class LinePlotLegendTests: XCTestCase {
    /// The legend box and every drawn point and segment, read from the SVG.
    func geometry(_ svg: String) throws -> (legend: PixelBox, points: [(x: Double, y: Double)],
                                            segments: [((x: Double, y: Double), (x: Double, y: Double))], width: Double) {
        let summary = SVGSummary.parse(svg)
        let box = try XCTUnwrap(summary.elements.first { $0.name == "rect" && $0.attributes["stroke"] == "#cccccc" }?.attributes)
        func number(_ attributes: [String: String], _ key: String) throws -> Double { try XCTUnwrap(Double(attributes[key] ?? "")) }
        let legend = PixelBox(x: try number(box, "x"), y: try number(box, "y"), width: try number(box, "width"),
                              height: try number(box, "height"))
        var points: [(x: Double, y: Double)] = [], segments: [((x: Double, y: Double), (x: Double, y: Double))] = []
        for element in summary.elements {
            if element.name == "circle" { points.append((try number(element.attributes, "cx"), try number(element.attributes, "cy"))) }
            if element.name == "polyline" {
                let run = (element.attributes["points"] ?? "").split(separator: " ").map { pair in
                    let xy = pair.split(separator: ",").compactMap { Double($0) }
                    return (x: xy[0], y: xy[1])
                }
                points += run
                segments += zip(run, run.dropFirst()).map { ($0, $1) }
            }
        }
        return (legend, points, segments, try number(try XCTUnwrap(summary.elements.first?.attributes), "width"))
    }

    func testTwoRisingRunsKeepTheirEndsVisible() throws {
        // Two validation curves climbing to the top right, where the legend used to sit.
        let plot = LinePlot(title: "validation NDCG@10 per epoch", xLabel: "epoch", yLabel: "NDCG@10", series: [
            Series(name: "nextitnet-2020", y: [0.14, 0.15, 0.21, 0.26, 0.32, 0.35, 0.37, 0.39, 0.40, 0.41, 0.39, 0.40, 0.39]),
            Series(name: "sasrec-2020", y: [0.10, 0.18, 0.25, 0.30, 0.33, 0.36, 0.38, 0.40, 0.41, 0.42]),
        ])
        let g = try geometry(plot.renderSVG())
        XCTAssertEqual(g.points.count, 2 * (13 + 10))   // each point as a dot and as a polyline vertex
        for p in g.points { XCTAssertFalse(g.legend.contains(p), "legend \(g.legend) covers the point \(p)") }
        for (a, b) in g.segments { XCTAssertFalse(g.legend.intersects(a, b), "legend \(g.legend) crosses \(a)–\(b)") }
        // The ends are at the right, so the legend went to the left half, inside the plot.
        let rightmost = try XCTUnwrap(g.points.map(\.x).max())
        XCTAssertLessThan(g.legend.x + g.legend.width, rightmost)
    }

    func testDataInEveryCornerSendsTheLegendOutside() throws {
        // A zigzag from the bottom to the top of the range at every step passes through every corner.
        let plot = LinePlot(title: "zigzag", xLabel: "step", yLabel: "value", series: [
            Series(name: "up and down", y: (0..<24).map { Double($0 % 2) }),
            Series(name: "down and up", y: (0..<24).map { Double(1 - $0 % 2) }),
        ])
        let g = try geometry(plot.renderSVG())
        let rightmost = try XCTUnwrap(g.points.map(\.x).max())
        XCTAssertGreaterThan(g.legend.x, rightmost, "the legend is right of every point")
        XCTAssertLessThanOrEqual(g.legend.x + g.legend.width, g.width, "and inside the document")
        for (a, b) in g.segments { XCTAssertFalse(g.legend.intersects(a, b)) }
    }

    func testTheBoxGeometryItself() {
        let box = PixelBox(x: 10, y: 10, width: 20, height: 10)
        XCTAssertTrue(box.contains((10, 10)))
        XCTAssertFalse(box.contains((31, 15)))
        XCTAssertTrue(box.intersects((0, 15), (40, 15)), "crosses through")
        XCTAssertTrue(box.intersects((15, 0), (15, 12)), "ends inside")
        XCTAssertFalse(box.intersects((0, 0), (40, 5)), "passes above")
        XCTAssertFalse(box.intersects((0, 30), (9, 0)), "passes left of a corner")
    }
}
