// A grid of character cells, each holding a few dots (2 × 4 for Braille, 1 × 1 for ASCII), on which
// lines are drawn with Bresenham's algorithm.

/// How a canvas turns dots into characters.
enum DotStyle: Sendable {
    /// Braille characters (U+2800 block): 2 × 4 dots per character cell, the finest resolution.
    case braille
    /// One dot per cell, drawn with the marker of the series that set it, for terminals without
    /// Unicode.
    case ascii
}

/// A character grid addressed by dots; remembers which series set each cell last, for colour and
/// for the ASCII markers.
struct DotCanvas {
    let columns: Int
    let rows: Int
    let style: DotStyle
    private var bits: [UInt8]
    private var owners: [Int]

    init(columns: Int, rows: Int, style: DotStyle) {
        self.columns = columns
        self.rows = rows
        self.style = style
        bits = Array(repeating: 0, count: columns * rows)
        owners = Array(repeating: -1, count: columns * rows)
    }

    /// Dots per cell horizontally.
    var dotsAcross: Int { style == .braille ? 2 : 1 }
    /// Dots per cell vertically.
    var dotsDown: Int { style == .braille ? 4 : 1 }
    /// Dots across the whole canvas.
    var width: Int { columns * dotsAcross }
    /// Dots down the whole canvas (row 0 at the top).
    var height: Int { rows * dotsDown }

    /// Sets the dot at (x, y), y counted from the top; dots outside the canvas are ignored.
    mutating func set(_ x: Int, _ y: Int, series: Int) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let cell = (y / dotsDown) * columns + x / dotsAcross
        bits[cell] |= Self.bit(style: style, column: x % dotsAcross, row: y % dotsDown)
        owners[cell] = series
    }

    /// Sets every dot on the straight segment between two dots (Bresenham, all octants).
    mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), series: Int) {
        var x = a.x, y = a.y
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var error = dx + dy
        while true {
            set(x, y, series: series)
            if x == b.x && y == b.y { return }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// The character for a cell, or nil when it has no dot.
    func glyph(column: Int, row: Int) -> Character? {
        let mask = bits[row * columns + column]
        if mask == 0 { return nil }
        switch style {
        case .braille: return Character(Unicode.Scalar(0x2800 + UInt32(mask))!)
        case .ascii: return marker(owners[row * columns + column])
        }
    }

    /// The series that last set a dot in a cell, or -1.
    func owner(column: Int, row: Int) -> Int { owners[row * columns + column] }

    /// Braille numbers dots 1-2-3 down the left, 4-5-6 down the right, then 7 and 8 under them.
    private static let brailleBits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    private static func bit(style: DotStyle, column: Int, row: Int) -> UInt8 {
        switch style {
        case .braille: return brailleBits[column][row]
        case .ascii: return 1
        }
    }
}
