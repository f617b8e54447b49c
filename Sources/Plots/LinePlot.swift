// A line chart of one or more series, rendered as terminal text (LinePlot+Terminal.swift) or as a
// standalone SVG file (LinePlot+SVG.swift).

/// A line chart: title, axis labels and one or more series.
public struct LinePlot: Sendable {
    /// The heading printed above the chart (may be empty).
    public var title: String
    /// The label under the x axis (may be empty).
    public var xLabel: String
    /// The label of the y axis (may be empty).
    public var yLabel: String
    /// The lines, drawn in this order (later series on top).
    public var series: [Series]

    /// A line chart of `series`.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The data range over all series' finite points, or nil when there is nothing to draw.
    var dataBounds: (xLow: Double, xHigh: Double, yLow: Double, yHigh: Double)? {
        let points = series.flatMap(\.finitePoints)
        guard let first = points.first else { return nil }
        var bounds = (xLow: first.x, xHigh: first.x, yLow: first.y, yHigh: first.y)
        for p in points {
            bounds.xLow = min(bounds.xLow, p.x)
            bounds.xHigh = max(bounds.xHigh, p.x)
            bounds.yLow = min(bounds.yLow, p.y)
            bounds.yHigh = max(bounds.yHigh, p.y)
        }
        return bounds
    }

    /// Runs of consecutive finite points of a series; a NaN or infinite point ends a run.
    static func segments(of series: Series) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = []
        var current: [(x: Double, y: Double)] = []
        for p in series.points {
            if p.x.isFinite && p.y.isFinite {
                current.append(p)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }
}

/// The text every renderer shows when no series has a drawable point.
let noPointsMessage = "no points to plot"
