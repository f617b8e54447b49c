// A matrix of values as colour (attention maps: rows are query positions, columns key positions),
// as terminal text or SVG. Colours run from the smallest finite value (dark) to the largest (bright);
// a matrix with one value throughout is drawn in the middle colour.

import Foundation

/// A heatmap: one cell per (row, column) value, with row and column labels.
public struct Heatmap: Sendable {
    /// The heading printed above the map (may be empty).
    public var title: String
    /// One label per row, top to bottom.
    public let rowLabels: [String]
    /// One label per column, left to right.
    public let columnLabels: [String]
    /// `values[row][column]`; NaN and infinite cells are drawn as missing.
    public let values: [[Double]]
    /// The value drawn brightest, when not the largest value: larger cells are drawn as it (the
    /// scale line then reads `≥`). Attention maps set it so one certain row does not wash out the rest.
    public var scaleMaximum: Double?

    /// A heatmap of `values[row][column]`; labels default to 0-based indices.
    ///
    /// Throws `PlotInputError` when rows differ in length or a label list does not match the shape.
    public init(title: String = "", rowLabels: [String]? = nil, columnLabels: [String]? = nil, values: [[Double]]) throws {
        let columns = values.first?.count ?? 0
        if let row = values.firstIndex(where: { $0.count != columns }) {
            throw PlotInputError(
                "heatmap row \(row) has \(values[row].count) values but row 0 has \(columns); give every row the same length")
        }
        let rowLabels = rowLabels ?? values.indices.map(String.init)
        let columnLabels = columnLabels ?? (0..<columns).map(String.init)
        guard rowLabels.count == values.count else {
            throw PlotInputError("heatmap has \(values.count) rows but \(rowLabels.count) row labels; give one label per row")
        }
        guard columnLabels.count == columns else {
            throw PlotInputError(
                "heatmap has \(columns) columns but \(columnLabels.count) column labels; give one label per column")
        }
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
    }

    /// The smallest and largest finite value, or nil when there is none.
    var range: (low: Double, high: Double)? {
        let finite = values.joined().filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return nil }
        if let cap = scaleMaximum, cap.isFinite, cap > low, cap < high { return (low, cap) }
        return (low, high)
    }

    /// Whether some cells lie above the scale (drawn at its top).
    var isClipped: Bool {
        guard let cap = scaleMaximum, let range else { return false }
        return range.high == cap && values.joined().contains { $0.isFinite && $0 > cap }
    }

    /// Where a value sits on the colour scale, 0 to 1; nil for a missing cell.
    func position(_ value: Double, in range: (low: Double, high: Double)) -> Double? {
        guard value.isFinite else { return nil }
        return range.high > range.low ? min(1, fraction(value, of: range.low, range.high)) : 0.5
    }

    /// The map as text lines with a trailing newline: column labels written downwards above their
    /// columns, row labels on the left, two characters per cell, and a scale line under the map.
    ///
    /// With `color`, cells are 256-colour ANSI backgrounds; without, shades ` ░▒▓█` (or ` .:*#` when
    /// `unicode` is false). Labels are cut to `maxLabelWidth` characters. Missing cells show `··`
    /// (`..`). Same input, same text.
    public func renderTerminal(color: Bool = false, unicode: Bool = true, maxLabelWidth: Int = 8) -> String {
        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        guard let range, !columnLabels.isEmpty else {
            lines.append(values.isEmpty || columnLabels.isEmpty ? "no cells to draw" : "no finite values to draw")
            return lines.joined(separator: "\n") + "\n"
        }
        let limit = max(1, maxLabelWidth)
        let rows = rowLabels.map { shortened($0, to: limit) }
        let columns = columnLabels.map { Array(shortened($0, to: limit)) }
        let rowWidth = rows.map(\.count).max() ?? 0
        let headerHeight = columns.map(\.count).max() ?? 0
        let shades: [Character] = unicode ? [" ", "░", "▒", "▓", "█"] : [" ", ".", ":", "*", "#"]

        func cell(_ t: Double?) -> String {
            guard let t else { return unicode ? "··" : ".." }
            if color {
                let code = heat256[min(heat256.count - 1, Int((t * Double(heat256.count - 1)).rounded()))]
                return "\u{1B}[48;5;\(code)m  \u{1B}[0m"
            }
            return String(repeating: shades[min(shades.count - 1, Int(t * Double(shades.count)))], count: 2)
        }

        // Column labels read downwards, bottom-aligned so the last character touches the map.
        for line in 0..<headerHeight {
            var text = String(repeating: " ", count: rowWidth + 1)
            for label in columns {
                let index = line - (headerHeight - label.count)
                text += index >= 0 ? String(label[index]) + " " : "  "
            }
            lines.append(trimmedRight(text))
        }
        for (label, row) in zip(rows, values) {
            lines.append(padRight(label, rowWidth) + " " + row.map { cell(position($0, in: range)) }.joined())
        }
        let scale = color
            ? stride(from: 0.0, through: 1.0, by: 0.25).map { cell($0) }.joined()
            : "[" + String(shades) + "]"
        lines.append("scale " + compactNumber(range.low) + " " + scale + " " + (isClipped ? "≥" : "") + compactNumber(range.high))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The map as a complete SVG document: `cellSize`-pixel cells (each with its value as hover
    /// text), row labels on the left, column labels slanted above, and a colour scale on the right
    /// with its smallest, middle and largest values.
    public func renderSVG(cellSize: Int = 24, maxLabelWidth: Int = 16) -> String {
        drawing(cellSize: cellSize, maxLabelWidth: maxLabelWidth).finished()
    }

    /// The drawing `renderSVG` finishes, for grids that place several maps in one document (each
    /// panel names its colour gradient `gradientID`: ids must be unique within a document).
    func drawing(cellSize: Int, maxLabelWidth: Int, gradientID: String = "heat-scale") -> SVGWriter {
        let size = Double(max(4, cellSize))
        let limit = max(1, maxLabelWidth)
        let rows = rowLabels.map { shortened($0, to: limit) }
        let columns = columnLabels.map { shortened($0, to: limit) }
        let titleHeight = title.isEmpty ? 12.0 : 40
        // Column labels are turned 45°, so their height is their length over √2.
        let columnLabelHeight = (columns.map { estimatedTextWidth($0, size: 11) }.max() ?? 0) * 0.71 + 10
        let left = 16 + (rows.map { estimatedTextWidth($0, size: 11) }.max() ?? 0) + 6
        let top = titleHeight + columnLabelHeight
        let mapWidth = Double(columns.count) * size, mapHeight = Double(rows.count) * size
        let scaleLeft = left + mapWidth + 24
        // Wide enough for the title too: in a grid a longer title would run into the next panel.
        let width = Int(max(240, scaleLeft + 16 + 70, title.isEmpty ? 0 : estimatedTextWidth(title, size: 16) + 32))
        let height = Int(max(160, top + max(mapHeight, 120) + 24))
        var svg = SVGWriter(width: width, height: height)
        if !title.isEmpty { svg.text(Double(width) / 2, 26, title, anchor: .middle, size: 16, bold: true) }
        guard let range, !columns.isEmpty else {
            let message = values.isEmpty || columns.isEmpty ? "no cells to draw" : "no finite values to draw"
            svg.text(Double(width) / 2, Double(height) / 2, message, anchor: .middle, size: 14)
            return svg
        }

        for (c, label) in columns.enumerated() {
            let x = left + (Double(c) + 0.5) * size
            svg.text(x, top - 6, label, size: 11, rotation: -45)
        }
        for (r, label) in rows.enumerated() {
            let y = top + Double(r) * size
            svg.text(left - 6, y + size / 2 + 4, label, anchor: .end, size: 11)
            for (c, value) in values[r].enumerated() {
                let hover = "\(rowLabels[r]), \(columnLabels[c]): \(compactNumber(value))"
                if let t = position(value, in: range) {
                    svg.rect(x: left + Double(c) * size, y: y, width: size, height: size, fill: heatColor(t), title: hover)
                } else {
                    svg.rect(x: left + Double(c) * size, y: y, width: size, height: size, fill: "#ffffff",
                             stroke: "#cccccc", title: hover)
                }
            }
        }

        // The colour scale: a vertical gradient, largest value at the top like a y axis.
        let scaleHeight = max(mapHeight, 120)
        let stops = stride(from: 0.0, through: 1.0, by: 0.25).map { t in
            "<stop offset=\"\(svgNumber(1 - t))\" stop-color=\"\(heatColor(t))\"/>"
        }.reversed().joined()
        svg.raw("<defs><linearGradient id=\"\(gradientID)\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">\(stops)</linearGradient></defs>")
        svg.rect(x: scaleLeft, y: top, width: 14, height: scaleHeight, fill: "url(#\(gradientID))", stroke: axisColor)
        let marks = [(range.high, 0.0), ((range.low + range.high) / 2, 0.5), (range.low, 1.0)]
        for (value, at) in marks {
            let y = top + at * scaleHeight
            svg.line(scaleLeft + 14, y, scaleLeft + 18, y, stroke: axisColor)
            svg.text(scaleLeft + 21, y + 4, (at == 0 && isClipped ? "≥" : "") + compactNumber(value), size: 11)
        }
        return svg
    }
}
