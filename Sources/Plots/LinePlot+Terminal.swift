// A line plot as terminal text:
//
//   title
//   0.9 ┤⠑⢄
//   0.6 ┤  ⠑⠢⣀⣀*
//   0.3 ┤
//       └┬─────┬─
//        1     5
//   * loss (last 0.52)
//
// The y axis is widened to whole tick steps so its end labels are round; the x axis spans the data,
// because epochs start at 1 and a curve that begins in mid-air reads as missing data.

import Foundation

extension LinePlot {
    /// The plot as text lines, with a trailing newline.
    ///
    /// `width` is the whole line, axis labels included; `height` is the number of rows of the plotting
    /// area (title, axis and legend come on top). Sizes below 8 columns or 2 rows of plotting area are
    /// raised to that. With `unicode`, lines are Braille dots (2 × 4 per character) and each series'
    /// marker sits at its last point; without, every dot is the series' ASCII marker. `color` wraps
    /// each series in an ANSI colour. The same plot always gives the same text.
    public func renderTerminal(width: Int = 72, height: Int = 16, unicode: Bool = true, color: Bool = false)
        -> String
    {
        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        guard let bounds = dataBounds else {
            lines.append(noPointsMessage)
            return lines.joined(separator: "\n") + "\n"
        }
        let rows = max(2, height)
        let dotsDown = unicode ? 4 : 1
        // Fewer ticks until each has a row of its own: two ticks sharing a row would put one label
        // against the other's value.
        var tickCount = max(3, min(6, rows / 2))
        var yTicks = Ticks(low: bounds.yLow, high: bounds.yHigh, count: tickCount)
        while tickCount > 2, Set(Self.tickRows(yTicks, rows: rows, dotsDown: dotsDown)).count < yTicks.values.count {
            tickCount -= 1
            yTicks = Ticks(low: bounds.yLow, high: bounds.yHigh, count: tickCount)
        }
        let yLabels = yTicks.labels
        let labelWidth = yLabels.map(\.count).max() ?? 1
        let columns = max(8, width - labelWidth - 2)
        var canvas = DotCanvas(columns: columns, rows: rows, style: unicode ? .braille : .ascii)

        let (yLow, yHigh) = (yTicks.values.first!, yTicks.values.last!)
        let (xLow, xHigh) = paddedRange(bounds.xLow, bounds.xHigh)
        func dot(_ p: (x: Double, y: Double)) -> (x: Int, y: Int) {
            let fx = fraction(p.x, of: xLow, xHigh) * Double(canvas.width - 1)
            let fy = (1 - fraction(p.y, of: yLow, yHigh)) * Double(canvas.height - 1)
            return (dotIndex(fx), dotIndex(fy))
        }

        // Markers go on top of every line, so they are placed after all series are drawn.
        var markers = [(cell: Int, series: Int)]()
        for (index, line) in series.enumerated() {
            for run in Self.segments(of: line) {
                var previous = dot(run[0])
                canvas.set(previous.x, previous.y, series: index)
                for p in run.dropFirst() {
                    let next = dot(p)
                    canvas.line(from: previous, to: next, series: index)
                    previous = next
                }
            }
            if unicode, let last = line.finitePoints.last {
                let d = dot(last)
                markers.append((cell: (d.y / canvas.dotsDown) * columns + d.x / canvas.dotsAcross, series: index))
            }
        }
        var markerAt = [Int](repeating: -1, count: columns * rows)
        for m in markers { markerAt[m.cell] = m.series }

        var labelAt = [String?](repeating: nil, count: rows)
        for (row, label) in zip(Self.tickRows(yTicks, rows: rows, dotsDown: dotsDown), yLabels) where labelAt[row] == nil {
            labelAt[row] = label
        }

        let glyphs = unicode
            ? (vertical: "│", tick: "┤", corner: "└", horizontal: "─", xTick: "┬")
            : (vertical: "|", tick: "+", corner: "+", horizontal: "-", xTick: "+")
        if !yLabel.isEmpty { lines.append(yLabel) }
        for row in 0..<rows {
            var text = padLeft(labelAt[row] ?? "", labelWidth) + " " + (labelAt[row] == nil ? glyphs.vertical : glyphs.tick)
            for column in 0..<columns {
                let cell = row * columns + column
                var character = " "
                var owner = -1
                if markerAt[cell] >= 0 {
                    owner = markerAt[cell]
                    character = String(marker(owner))
                } else if let g = canvas.glyph(column: column, row: row) {
                    owner = canvas.owner(column: column, row: row)
                    character = String(g)
                }
                text += color && owner >= 0 ? ansiColored(character, series: owner) : character
            }
            lines.append(trimmedRight(text))
        }

        // X ticks: rounded values inside the data range, labels centred under their tick and dropped
        // when they would touch the previous one.
        let xTicks = Ticks(low: xLow, high: xHigh, count: max(2, min(10, columns / 8)), minimumStep: minimumXStep)
        let tolerance = xTicks.step * 1e-9
        var axis = [String](repeating: glyphs.horizontal, count: columns)
        var labelRow = [Character](repeating: " ", count: columns)
        var nextFree = 0
        for (value, label) in zip(xTicks.values, xTicks.labels) where value >= xLow - tolerance && value <= xHigh + tolerance {
            let column = min(columns - 1, dot((x: value, y: yLow)).x / canvas.dotsAcross)
            axis[column] = glyphs.xTick
            let start = min(max(0, column - label.count / 2), columns - label.count)
            guard start >= nextFree, start >= 0 else { continue }
            for (offset, character) in label.enumerated() { labelRow[start + offset] = character }
            nextFree = start + label.count + 1
        }
        let indent = String(repeating: " ", count: labelWidth + 1)
        lines.append(indent + glyphs.corner + axis.joined())
        lines.append(trimmedRight(indent + " " + String(labelRow)))
        if !xLabel.isEmpty {
            lines.append(indent + " " + String(repeating: " ", count: max(0, (columns - xLabel.count) / 2)) + xLabel)
        }

        for (index, line) in series.enumerated() {
            let last = line.finitePoints.last.map { "(last \(compactNumber($0.y)))" } ?? "(no points)"
            let key = color ? ansiColored(String(marker(index)), series: index) : String(marker(index))
            lines.append("\(key) \(line.name) \(last)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The text row of each y tick, top row 0, with the same rounding as the dots of the lines.
    static func tickRows(_ ticks: Ticks, rows: Int, dotsDown: Int) -> [Int] {
        let (low, high) = (ticks.values.first!, ticks.values.last!)
        let dotsHigh = rows * dotsDown
        return ticks.values.map { value in
            min(rows - 1, max(0, dotIndex((1 - fraction(value, of: low, high)) * Double(dotsHigh - 1)) / dotsDown))
        }
    }

    /// 1 when every x is a whole number (epochs, steps), so the x axis has no ticks between them.
    var minimumXStep: Double {
        series.allSatisfy { $0.finitePoints.allSatisfy { $0.x == $0.x.rounded() } } ? 1 : 0
    }
}

/// A dot coordinate from a position in dots; positions that overflowed (data near the largest
/// Double) land far off the canvas instead of trapping in `Int(_:)`.
func dotIndex(_ position: Double) -> Int {
    guard position.isFinite else { return -1_000_000 }
    return Int(min(1e6, max(-1e6, position)).rounded())
}
