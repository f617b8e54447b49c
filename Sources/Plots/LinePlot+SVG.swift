// A line plot as a standalone SVG file: title, gridlines at the ticks, axes with tick labels, one
// polyline per run of finite points (dots when a series has few points), and a legend in a corner
// of the plotting area that no curve passes through, or right of it when every corner has data
// (LinePlot+Legend.swift). Axis ranges follow the terminal renderer.

extension LinePlot {
    /// The plot as a complete SVG document of `width` × `height` pixels (raised to at least 200 × 150).
    ///
    /// Colours come from a fixed palette by series index; numbers have two decimals at most; nothing
    /// depends on the clock or the machine, so the same plot always gives the same bytes.
    public func renderSVG(width: Int = 640, height: Int = 400) -> String {
        let (width, height) = (max(200, width), max(150, height))
        var svg = SVGWriter(width: width, height: height)
        let top = title.isEmpty ? 20.0 : 44
        if !title.isEmpty { svg.text(Double(width) / 2, 26, title, anchor: .middle, size: 16, bold: true) }
        guard let bounds = dataBounds else {
            svg.text(Double(width) / 2, Double(height) / 2, noPointsMessage, anchor: .middle, size: 14)
            return svg.finished()
        }

        let yTicks = Ticks(low: bounds.yLow, high: bounds.yHigh, count: 6)
        let yLabels = yTicks.labels
        let labelWidth = yLabels.map { estimatedTextWidth($0, size: 11) }.max() ?? 0
        let left = 20 + labelWidth + (yLabel.isEmpty ? 0 : 20)
        var right = Double(width) - 20
        let bottom = Double(height) - (xLabel.isEmpty ? 36 : 56)
        let (yLow, yHigh) = (yTicks.values.first!, yTicks.values.last!)
        let (xLow, xHigh) = paddedRange(bounds.xLow, bounds.xHigh)
        func px(_ x: Double) -> Double { left + fraction(x, of: xLow, xHigh) * (right - left) }
        func py(_ y: Double) -> Double { bottom - fraction(y, of: yLow, yHigh) * (bottom - top) }

        // The legend is placed before anything is drawn: when it must go right of the plotting
        // area, that area narrows and every x position moves.
        let names = series.map { $0.finitePoints.isEmpty ? $0.name + " (no points)" : $0.name }
        let boxWidth = 36 + (names.map { estimatedTextWidth($0, size: 12) }.max() ?? 0)
        let boxHeight = Double(names.count) * 18 + 8
        let curves = series.flatMap(Self.segments).map { run in run.map { (x: px($0.x), y: py($0.y)) } }
        let area = PixelBox(x: left, y: top, width: right - left, height: bottom - top)
        let legend: PixelBox
        if let inside = legendBox(width: boxWidth, height: boxHeight, area: area, curves: curves) {
            legend = inside
        } else {
            right = max(left + 40, Double(width) - 8 - boxWidth - 12)
            legend = PixelBox(x: right + 12, y: top, width: boxWidth, height: boxHeight)
        }

        for (value, label) in zip(yTicks.values, yLabels) {
            svg.line(left, py(value), right, py(value), stroke: gridColor)
            svg.text(left - 6, py(value) + 4, label, anchor: .end, size: 11)
        }
        let xTicks = Ticks(low: xLow, high: xHigh, count: 8, minimumStep: minimumXStep)
        let tolerance = xTicks.step * 1e-9
        for (value, label) in zip(xTicks.values, xTicks.labels)
        where value >= xLow - tolerance && value <= xHigh + tolerance {
            svg.line(px(value), top, px(value), bottom, stroke: gridColor)
            svg.line(px(value), bottom, px(value), bottom + 5, stroke: axisColor)
            svg.text(px(value), bottom + 18, label, anchor: .middle, size: 11)
        }
        svg.line(left, top, left, bottom, stroke: axisColor)
        svg.line(left, bottom, right, bottom, stroke: axisColor)
        if !xLabel.isEmpty { svg.text((left + right) / 2, Double(height) - 14, xLabel, anchor: .middle) }
        if !yLabel.isEmpty {
            svg.text(16, (top + bottom) / 2, yLabel, anchor: .middle, rotation: -90)
        }

        for (index, line) in series.enumerated() {
            let color = svgColor(index)
            let runs = Self.segments(of: line)
            for run in runs where run.count > 1 {
                svg.polyline(run.map { (x: px($0.x), y: py($0.y)) }, stroke: color)
            }
            // Dots mark the measured points when they are few enough to tell apart, and always mark a
            // point that has no neighbour to draw a line to.
            let showDots = line.finitePoints.count <= 40
            for run in runs where showDots || run.count == 1 {
                for p in run { svg.circle(px(p.x), py(p.y), radius: 3, fill: color) }
            }
        }

        // Legend: a short line in the series' colour, then the name, one row per series.
        svg.rect(x: legend.x, y: legend.y, width: legend.width, height: legend.height, fill: "#ffffff", stroke: "#cccccc")
        for (index, name) in names.enumerated() {
            let y = legend.y + 4 + Double(index) * 18 + 9
            svg.line(legend.x + 8, y, legend.x + 26, y, stroke: svgColor(index), width: 2)
            svg.text(legend.x + 32, y + 4, name)
        }
        return svg.finished()
    }
}
