// Where the SVG charts put things, read back as a reader reads a chart: the axis is recovered from
// the tick labels the chart prints (value and position), and every drawn point, bar end and cell
// is mapped back through it to the number it stands for. A chart that counts its elements right
// but draws them in the wrong place (a flipped axis, an offset, bars not starting at zero, cells
// out of order, a colour that is not the value's) fails here.

import XCTest
@testable import Plots

/// A linear axis recovered from printed tick labels: value = a + b · pixel.
struct ReadAxis {
    let a: Double, b: Double

    /// Fits the first and last tick; every tick in between must lie on the same line within
    /// `slack` pixels (coordinates are written with two decimals).
    init(_ ticks: [(value: Double, pixel: Double)], slack: Double = 0.02, file: StaticString = #filePath, line: UInt = #line) throws {
        let sorted = ticks.sorted { $0.value < $1.value }
        guard let first = sorted.first, let last = sorted.last, last.pixel != first.pixel else {
            XCTFail("need two ticks at different positions, got \(ticks)", file: file, line: line)
            throw ReadAxisError()
        }
        b = (last.value - first.value) / (last.pixel - first.pixel)
        a = first.value - b * first.pixel
        for t in sorted {
            XCTAssertEqual(t.pixel, (t.value - a) / b, accuracy: slack, "tick \(t.value) off the axis line", file: file, line: line)
        }
    }

    /// The value at `pixel`.
    func value(_ pixel: Double) -> Double { a + b * pixel }

    /// How far apart two values may be when their pixels agree to `slack`.
    func tolerance(_ slack: Double = 0.02) -> Double { abs(b) * slack }
}

struct ReadAxisError: Error {}

/// Tick labels of `summary` whose attributes match: (printed value, position taken by `pixel`).
func ticks(_ summary: SVGSummary, anchor: String, size: String = "11",
           pixel: ([String: String]) -> Double) -> [(value: Double, pixel: Double)] {
    summary.labels.compactMap { label in
        guard label.attributes["text-anchor"] == anchor, label.attributes["font-size"] == size,
              let value = Double(label.text) else { return nil }
        return (value, pixel(label.attributes))
    }
}

func number(_ attributes: [String: String], _ name: String) -> Double { Double(attributes[name] ?? "") ?? .nan }

final class PlotPositionTests: XCTestCase {
    func testLinePlotPointsSitAtTheirValuesOnTheAxes() throws {
        let train: [Double] = [0.92, 0.61, 0.47, 0.40, 0.37]
        let valid: [(x: Double, y: Double)] = [(1, 0.8), (3, 0.55), (5, 0.5)]
        let plot = LinePlot(title: "loss", xLabel: "epoch", yLabel: "loss", series: [
            Series(name: "train", y: train), Series(name: "valid", points: valid),
        ])
        let summary = SVGSummary.parse(plot.renderSVG())
        // y tick labels are right-aligned 4 px below their line's height; x tick labels centred on it.
        let yTicks = ticks(summary, anchor: "end") { number($0, "y") - 4 }
        let xTicks = ticks(summary, anchor: "middle") { number($0, "x") }
        XCTAssertGreaterThanOrEqual(yTicks.count, 3)
        XCTAssertGreaterThanOrEqual(xTicks.count, 3)
        let yAxis = try ReadAxis(yTicks), xAxis = try ReadAxis(xTicks)
        XCTAssertLessThan(yAxis.b, 0, "larger values are drawn higher up")
        XCTAssertGreaterThan(xAxis.b, 0)

        let expected = [train.enumerated().map { (x: Double($0.offset + 1), y: $0.element) }, valid]
        let lines = summary.elements.filter { $0.name == "polyline" }
        XCTAssertEqual(lines.count, 2)
        for (line, points) in zip(lines, expected) {
            let drawn = (line.attributes["points"] ?? "").split(separator: " ").map { pair in
                pair.split(separator: ",").map { Double($0)! }
            }
            XCTAssertEqual(drawn.count, points.count)
            for (d, p) in zip(drawn, points) {
                XCTAssertEqual(xAxis.value(d[0]), p.x, accuracy: xAxis.tolerance(), "x of \(p)")
                XCTAssertEqual(yAxis.value(d[1]), p.y, accuracy: yAxis.tolerance(), "y of \(p)")
            }
        }
        // The dots mark the same points.
        let dots = summary.elements.filter { $0.name == "circle" }
        XCTAssertEqual(dots.count, 8)
        for (dot, p) in zip(dots, expected.joined()) {
            XCTAssertEqual(xAxis.value(number(dot.attributes, "cx")), p.x, accuracy: xAxis.tolerance())
            XCTAssertEqual(yAxis.value(number(dot.attributes, "cy")), p.y, accuracy: yAxis.tolerance())
        }
    }

    func testBarsRunFromZeroToTheirValue() throws {
        let bars: [(label: String, value: Double)] = [("A", 1200), ("B", 250), ("C", -300), ("D", 0), ("E", 640)]
        let summary = SVGSummary.parse(BarChart(title: "weights", bars: bars).renderSVG())
        let axis = try ReadAxis(ticks(summary, anchor: "middle") { number($0, "x") })
        XCTAssertGreaterThan(axis.b, 0)
        // The zero line is the dark vertical axis line.
        let zero = try XCTUnwrap(summary.elements.last { $0.name == "line" && $0.attributes["stroke"] == "#333333" })
        XCTAssertEqual(axis.value(number(zero.attributes, "x1")), 0, accuracy: axis.tolerance())

        let rects = summary.elements.indices.filter { summary.elements[$0].name == "rect" && summary.titles[$0] != nil }
        XCTAssertEqual(rects.count, bars.count)
        var previousTop = -Double.infinity
        for (index, bar) in zip(rects, bars) {
            let r = summary.elements[index].attributes
            XCTAssertEqual(summary.titles[index], "\(bar.label): \(Int(bar.value))")
            let (left, right) = (number(r, "x"), number(r, "x") + number(r, "width"))
            let (start, end) = bar.value < 0 ? (right, left) : (left, right)
            XCTAssertEqual(axis.value(start), 0, accuracy: axis.tolerance(), "\(bar.label) starts at zero")
            XCTAssertEqual(axis.value(end), bar.value, accuracy: axis.tolerance(), "\(bar.label) ends at its value")
            XCTAssertGreaterThan(number(r, "y"), previousTop, "bars in the given order, top to bottom")
            previousTop = number(r, "y")
        }
    }

    func testHeatmapCellsSitInTheirRowAndColumnInTheirValuesColour() throws {
        let values: [[Double]] = [[0, 1, 2], [3, 4, 0.5]]
        let map = try Heatmap(rowLabels: ["q1", "q2"], columnLabels: ["k1", "k2", "k3"], values: values)
        let size = 30.0
        let summary = SVGSummary.parse(map.renderSVG(cellSize: Int(size)))
        // Viridis at t = value / 4: the five anchors, and halfway between the first two for 0.5.
        let colour: [Double: String] = [0: "#440154", 1: "#3b528b", 2: "#21918c", 3: "#5ec962", 4: "#fde725", 0.5: "#402a70"]
        let cells = summary.elements.indices.filter { summary.elements[$0].name == "rect" && summary.titles[$0] != nil }
        XCTAssertEqual(cells.count, 6)
        let origin = summary.elements[cells[0]].attributes
        let (x0, y0) = (number(origin, "x"), number(origin, "y"))
        for (r, row) in values.enumerated() {
            for (c, value) in row.enumerated() {
                let index = try XCTUnwrap(cells.first { summary.titles[$0] == "q\(r + 1), k\(c + 1): \(compactNumber(value))" },
                                          "cell (\(r), \(c))")
                let cell = summary.elements[index].attributes
                XCTAssertEqual(number(cell, "x"), x0 + Double(c) * size, accuracy: 0.01, "column of (\(r), \(c))")
                XCTAssertEqual(number(cell, "y"), y0 + Double(r) * size, accuracy: 0.01, "row of (\(r), \(c))")
                XCTAssertEqual(number(cell, "width"), size)
                XCTAssertEqual(cell["fill"], colour[value], "colour of \(value)")
            }
        }
        // Row labels sit beside their rows, column labels above their columns.
        for (r, label) in ["q1", "q2"].enumerated() {
            let text = try XCTUnwrap(summary.labels.first { $0.text == label })
            XCTAssertEqual(number(text.attributes, "y"), y0 + (Double(r) + 0.5) * size + 4, accuracy: 0.01)
        }
        for (c, label) in ["k1", "k2", "k3"].enumerated() {
            let text = try XCTUnwrap(summary.labels.first { $0.text == label })
            XCTAssertEqual(number(text.attributes, "x"), x0 + (Double(c) + 0.5) * size, accuracy: 0.01)
        }
        // The scale reads 4 at the top, 2 in the middle, 0 at the bottom.
        let marks = ["4", "2", "0"].map { mark in summary.labels.last { $0.text == mark }.map { number($0.attributes, "y") } ?? .nan }
        XCTAssertLessThan(marks[0], marks[1])
        XCTAssertLessThan(marks[1], marks[2])
    }
}
