// Fixed colours and markers, assigned to series by index so a plot looks the same on every run.

/// SVG colours for series (the Tableau 10 palette, chosen to stay distinct for colour-blind readers).
let svgPalette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
]

/// ANSI foreground colour codes for series in the terminal: blue, red, green, yellow, magenta, cyan.
let ansiPalette = [34, 31, 32, 33, 35, 36]

/// Terminal markers drawn at the last point of each series and repeated in the legend. ASCII, so
/// they are one column wide in every font and distinct from Braille dots.
let seriesMarkers: [Character] = ["*", "+", "o", "x", "#", "@", "%", "&"]

/// The SVG colour of series `index`.
func svgColor(_ index: Int) -> String { svgPalette[index % svgPalette.count] }

/// The terminal marker of series `index`.
func marker(_ index: Int) -> Character { seriesMarkers[index % seriesMarkers.count] }

/// `text` in the ANSI foreground colour of series `index`.
func ansiColored(_ text: String, series index: Int) -> String {
    "\u{1B}[\(ansiPalette[index % ansiPalette.count])m" + text + "\u{1B}[0m"
}

/// A sequential colour scale (viridis anchors), for heatmaps: `t` in [0, 1] → "#rrggbb".
func heatColor(_ t: Double) -> String {
    let anchors: [(Double, Double, Double)] = [
        (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
    ]
    let clamped = t.isFinite ? min(1, max(0, t)) : 0
    let position = clamped * Double(anchors.count - 1)
    let i = min(anchors.count - 2, Int(position))
    let f = position - Double(i)
    let a = anchors[i], b = anchors[i + 1]
    func channel(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
    let (r, g, bl) = (channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    return "#" + [r, g, bl].map { hex2($0) }.joined()
}

/// xterm 256-colour codes along the same viridis-like scale, dark to bright, for terminal heatmaps.
let heat256 = [53, 54, 60, 61, 24, 30, 31, 37, 36, 35, 71, 77, 113, 149, 185, 220, 226]

private func hex2(_ v: Int) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[(v >> 4) & 15], digits[v & 15]])
}
