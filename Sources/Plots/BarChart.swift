// Labelled horizontal bars (weights each task owns per layer), as terminal text or SVG:
//
//   layer 1 / task A │████████████▍ 1200
//   layer 1 / task B │██▌ 250
//
// Bars start at zero. In the terminal a negative value is drawn by its size in a lighter character,
// so the sign is read from the number; the SVG draws it left of a zero line.

import Foundation

/// A horizontal bar chart: one labelled bar per value, in the given order.
public struct BarChart: Sendable {
    /// The heading printed above the chart (may be empty).
    public var title: String
    /// The bars, top to bottom.
    public var bars: [(label: String, value: Double)]

    /// A chart of `bars`, drawn top to bottom in this order.
    public init(title: String = "", bars: [(label: String, value: Double)]) {
        self.title = title
        self.bars = bars
    }

    /// The largest finite |value|, 0 when there is none.
    var largestMagnitude: Double { bars.map(\.value).filter(\.isFinite).map(abs).max() ?? 0 }

    /// The number printed at the end of a bar: whole numbers (weight counts) in full.
    static func valueText(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return compactNumber(value)
    }

    /// The chart as text lines with a trailing newline, each at most `width` columns.
    ///
    /// Labels longer than `maxLabelWidth` are shortened with "…". With `unicode`, bars are full blocks
    /// with an eighth-block end (▏▎▍▌▋▊▉), negative values in ░; without, `#` and `-`. A value that
    /// is NaN or infinite gets no bar, only its text.
    public func renderTerminal(width: Int = 72, unicode: Bool = true, maxLabelWidth: Int = 24) -> String {
        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        guard !bars.isEmpty else {
            lines.append("no bars to draw")
            return lines.joined(separator: "\n") + "\n"
        }
        let labels = bars.map { shortened($0.label, to: max(1, maxLabelWidth)) }
        let labelWidth = labels.map(\.count).max() ?? 0
        let texts = bars.map { Self.valueText($0.value) }
        let valueWidth = texts.map(\.count).max() ?? 0
        let columns = max(4, width - labelWidth - 3 - valueWidth)
        let largest = largestMagnitude
        for ((label, text), bar) in zip(zip(labels, texts), bars) {
            var drawn = ""
            if bar.value.isFinite, largest > 0 {
                let eighths = Int((abs(bar.value) / largest * Double(columns * 8)).rounded())
                if !unicode {
                    drawn = String(repeating: bar.value < 0 ? "-" : "#", count: (eighths + 4) / 8)
                } else if bar.value < 0 {
                    drawn = String(repeating: "░", count: (eighths + 4) / 8)
                } else {
                    drawn = String(repeating: "█", count: eighths / 8)
                    if eighths % 8 > 0 { drawn.append(Self.eighthBlocks[eighths % 8 - 1]) }
                }
            }
            let axis = unicode ? "│" : "|"
            lines.append(padRight(label, labelWidth) + " " + axis + drawn + " " + text)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Left eighth blocks, one eighth to seven eighths of a cell.
    private static let eighthBlocks: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// The chart as a complete SVG document `width` pixels wide, 24 pixels per bar.
    ///
    /// Bars share one colour; the value is written after each bar. The same chart always gives the
    /// same bytes.
    public func renderSVG(width: Int = 640, maxLabelWidth: Int = 32) -> String {
        let width = max(240, width)
        let top = title.isEmpty ? 16.0 : 44
        let rowHeight = 24.0
        let height = Int(top + Double(max(1, bars.count)) * rowHeight + 36)
        var svg = SVGWriter(width: width, height: height)
        if !title.isEmpty { svg.text(Double(width) / 2, 26, title, anchor: .middle, size: 16, bold: true) }
        guard !bars.isEmpty else {
            svg.text(Double(width) / 2, top + 16, "no bars to draw", anchor: .middle, size: 14)
            return svg.finished()
        }
        let labels = bars.map { shortened($0.label, to: max(1, maxLabelWidth)) }
        let texts = bars.map { Self.valueText($0.value) }
        let left = 16 + (labels.map { estimatedTextWidth($0, size: 12) }.max() ?? 0)
        let right = Double(width) - 16 - (texts.map { estimatedTextWidth($0, size: 11) }.max() ?? 0) - 6
        let finite = bars.map(\.value).filter(\.isFinite)
        let low = min(0, finite.min() ?? 0), high = max(0, finite.max() ?? 0)
        let (axisLow, axisHigh) = high > low ? (low, high) : (0, 1)
        func px(_ v: Double) -> Double { left + fraction(v, of: axisLow, axisHigh) * (right - left) }
        let bottom = top + Double(bars.count) * rowHeight

        let ticks = Ticks(low: axisLow, high: axisHigh, count: 6)
        for (value, label) in zip(ticks.values, ticks.labels) where value >= axisLow && value <= axisHigh {
            svg.line(px(value), top, px(value), bottom, stroke: gridColor)
            svg.text(px(value), bottom + 16, label, anchor: .middle, size: 11)
        }
        for (index, ((label, text), bar)) in zip(zip(labels, texts), bars).enumerated() {
            let y = top + Double(index) * rowHeight
            svg.text(left - 6, y + rowHeight / 2 + 4, label, anchor: .end)
            var end = px(0)
            if bar.value.isFinite {
                let (a, b) = (min(px(0), px(bar.value)), max(px(0), px(bar.value)))
                svg.rect(x: a, y: y + 4, width: b - a, height: rowHeight - 8, fill: svgColor(0), title: "\(bar.label): \(text)")
                end = b
            }
            svg.text(end + 4, y + rowHeight / 2 + 4, text, size: 11)
        }
        svg.line(px(0), top, px(0), bottom, stroke: axisColor)
        return svg.finished()
    }
}
