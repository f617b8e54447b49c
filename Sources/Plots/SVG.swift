// A minimal SVG writer shared by the charts: elements are appended as text in drawing order, numbers
// go through `svgNumber` (two decimals), so the same chart is always the same bytes.

import Support

/// An SVG document under construction; `finished()` gives the standalone file.
struct SVGWriter {
    let width: Int
    let height: Int
    /// The elements drawn so far, in order (panels of a grid copy them into a larger drawing).
    private(set) var body: [String] = []

    /// A document of `width` × `height` pixels on a white background.
    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        rect(x: 0, y: 0, width: Double(width), height: Double(height), fill: "#ffffff")
    }

    /// Appends a line segment.
    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1) {
        body.append(
            "<line x1=\"\(svgNumber(x1))\" y1=\"\(svgNumber(y1))\" x2=\"\(svgNumber(x2))\" y2=\"\(svgNumber(y2))\" "
                + "stroke=\"\(stroke)\" stroke-width=\"\(svgNumber(width))\"/>")
    }

    /// Appends a rectangle; `stroke` nil draws no outline.
    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
                       title: String? = nil) {
        let outline = stroke.map { " stroke=\"\($0)\"" } ?? ""
        let head = "<rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(width))\" "
            + "height=\"\(svgNumber(height))\" fill=\"\(fill)\"\(outline)"
        // A <title> child is the hover text of a cell: the exact value when the colour only hints at it.
        body.append(title.map { head + "><title>\(markupEscaped($0))</title></rect>" } ?? head + "/>")
    }

    /// Appends a connected line through `points`.
    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 2) {
        let coordinates = points.map { "\(svgNumber($0.x)),\(svgNumber($0.y))" }.joined(separator: " ")
        body.append(
            "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(svgNumber(width))\" "
                + "stroke-linejoin=\"round\"/>")
    }

    /// Appends a filled circle.
    mutating func circle(_ x: Double, _ y: Double, radius: Double, fill: String) {
        body.append("<circle cx=\"\(svgNumber(x))\" cy=\"\(svgNumber(y))\" r=\"\(svgNumber(radius))\" fill=\"\(fill)\"/>")
    }

    /// How a text's position relates to its characters.
    enum Anchor: String { case start, middle, end }

    /// Appends a text; `rotation` in degrees turns it about its anchor point.
    mutating func text(_ x: Double, _ y: Double, _ content: String, anchor: Anchor = .start, size: Int = 12,
                       bold: Bool = false, rotation: Double = 0) {
        var attributes = "x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" font-size=\"\(size)\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        if rotation != 0 { attributes += " transform=\"rotate(\(svgNumber(rotation)) \(svgNumber(x)) \(svgNumber(y)))\"" }
        body.append("<text \(attributes)>\(markupEscaped(content))</text>")
    }

    /// Appends markup as is (gradients); the caller escapes any text in it.
    mutating func raw(_ markup: String) { body.append(markup) }

    /// Appends everything `panel` drew, moved right by `x` and down by `y`, as one group. The panel
    /// inherits this document's font, so a grid of panels reads like a single chart.
    mutating func embed(_ panel: SVGWriter, x: Int, y: Int) {
        body.append("<g transform=\"translate(\(x),\(y))\">")
        body += panel.body.map { "  " + $0 }
        body.append("</g>")
    }

    /// The complete file: XML declaration, the `<svg>` element with its contents, a final newline.
    func finished() -> String {
        let head = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
                + "viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\">",
        ]
        return (head + body.map { "  " + $0 } + ["</svg>"]).joined(separator: "\n") + "\n"
    }
}


/// A rough width in pixels of `text` at `size`, for laying out legends and labels without a font.
func estimatedTextWidth(_ text: String, size: Int) -> Double {
    Double(text.count) * Double(size) * 0.6
}

/// Grey for gridlines, dark grey for axes and labels: the data stays the strongest ink.
let gridColor = "#e5e5e5"
/// The colour of axes and their labels.
let axisColor = "#333333"
