// Line plots as SVG: well-formed, one polyline per run of finite points, legend and title present,
// the same bytes every time, and no NaN leaking into coordinates.

import XCTest
@testable import Plots

final class LinePlotSVGTests: XCTestCase {
    let plot = LinePlot(title: "valid NDCG@10 <by epoch>", xLabel: "epoch", yLabel: "NDCG@10", series: [
        Series(name: "SASRec & co", y: [0.21, 0.28, 0.31, 0.33]),
        Series(name: "GRU4Rec", y: [0.18, 0.22, .nan, 0.26, 0.27]),
    ])

    func testWellFormedWithTitleLegendAndOneLinePerRun() {
        let svg = plot.renderSVG()
        let summary = SVGSummary.parse(svg)
        // The NaN splits GRU4Rec into two runs of two points.
        XCTAssertEqual(summary.count("polyline"), 3)
        XCTAssertEqual(summary.count("circle"), 8)
        XCTAssertTrue(summary.texts.contains("valid NDCG@10 <by epoch>"), "\(summary.texts)")
        XCTAssertTrue(summary.texts.contains("SASRec & co"))
        XCTAssertTrue(summary.texts.contains("GRU4Rec"))
        XCTAssertTrue(summary.texts.contains("epoch"))
        XCTAssertTrue(summary.texts.contains("NDCG@10"))
        // Round y ticks over 0.18 … 0.33.
        for label in ["0.20", "0.25", "0.30"] { XCTAssertTrue(summary.texts.contains(label), "\(summary.texts)") }
        let strokes = summary.elements.filter { $0.name == "polyline" }.map { $0.attributes["stroke"] ?? "" }
        XCTAssertEqual(strokes, ["#1f77b4", "#ff7f0e", "#ff7f0e"])
        XCTAssertFalse(svg.lowercased().contains("nan"))
        XCTAssertFalse(svg.contains("inf"))
        XCTAssertTrue(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
    }

    func testDeterministic() {
        XCTAssertEqual(plot.renderSVG(), plot.renderSVG())
        XCTAssertEqual(plot.renderSVG(width: 300, height: 200), plot.renderSVG(width: 300, height: 200))
    }

    func testEdgeCasesStillGiveADocument() {
        let cases = [
            LinePlot(series: [Series(name: "one", y: [3])]),
            LinePlot(series: [Series(name: "flat", y: [2, 2, 2])]),
            LinePlot(series: [Series(name: "huge", y: [1e300, -1e300])]),
            LinePlot(series: [Series(name: "extreme", y: [1.7e308, -1.7e308, .leastNonzeroMagnitude])]),
            LinePlot(series: [Series(name: "empty", y: [])]),
            LinePlot(series: []),
        ]
        for plot in cases {
            let svg = plot.renderSVG(width: 10, height: 10)
            let summary = SVGSummary.parse(svg)
            XCTAssertFalse(svg.lowercased().contains("nan"), svg)
            XCTAssertEqual(summary.elements.first?.attributes["width"], "200")
        }
        XCTAssertEqual(SVGSummary.parse(LinePlot(series: [Series(name: "one", y: [3])]).renderSVG()).count("circle"), 1)
        // Epochs are whole numbers: no tick at 1.5.
        XCTAssertFalse(SVGSummary.parse(plot.renderSVG()).texts.contains("1.5"))
        XCTAssertTrue(SVGSummary.parse(LinePlot(series: []).renderSVG()).texts.contains("no points to plot"))
    }

    func testWrittenFileOpensAsThePlot() throws {
        let path = NSTemporaryDirectory() + "seqlab-lineplot-\(getpid()).svg"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try plot.renderSVG().write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), plot.renderSVG())
    }
}
