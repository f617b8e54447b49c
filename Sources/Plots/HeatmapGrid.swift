// Several heatmaps (an attention map per layer and head) in one SVG document, laid out in a grid
// rather than a strip: a strip of many 1000-pixel panels is wider than any screen, and a grid lets
// rows be layers and columns heads. Panels share the document's font like every other chart.

extension Heatmap {
    /// Where each panel of a grid goes and how large the document is.
    public struct GridLayout: Equatable, Sendable {
        /// The top-left corner of each panel, in the order the panels were given.
        public let origins: [Origin]
        /// The document's width in pixels.
        public let width: Int
        /// The document's height in pixels.
        public let height: Int

        /// A panel's top-left corner in pixels.
        public struct Origin: Equatable, Sendable {
            /// Pixels from the left edge.
            public let x: Int
            /// Pixels from the top edge.
            public let y: Int
        }

        /// Panels of the given sizes placed left to right in rows of at most `columns` (raised to
        /// 1), `gap` pixels apart. Each grid column is as wide as its widest panel and each row as
        /// tall as its tallest, so panels in one column line up.
        public init(sizes: [(width: Int, height: Int)], columns: Int, gap: Int) {
            let columns = max(1, min(columns, sizes.count))
            let rows = sizes.isEmpty ? 0 : (sizes.count + columns - 1) / columns
            var columnWidths = [Int](repeating: 0, count: columns), rowHeights = [Int](repeating: 0, count: rows)
            for (k, size) in sizes.enumerated() {
                columnWidths[k % columns] = max(columnWidths[k % columns], size.width)
                rowHeights[k / columns] = max(rowHeights[k / columns], size.height)
            }
            func offset(_ lengths: [Int], _ index: Int) -> Int { lengths.prefix(index).reduce(0, +) + index * gap }
            origins = sizes.indices.map { Origin(x: offset(columnWidths, $0 % columns), y: offset(rowHeights, $0 / columns)) }
            width = max(1, offset(columnWidths, columns) - gap)
            height = max(1, offset(rowHeights, rows) - gap)
        }
    }

    /// `maps` as one SVG document, in rows of at most `columns` panels (left to right, then down),
    /// `gap` pixels apart; each panel is drawn as `renderSVG(cellSize:maxLabelWidth:)` draws it.
    /// The same maps always give the same bytes.
    public static func renderGridSVG(_ maps: [Heatmap], columns: Int, cellSize: Int = 24, maxLabelWidth: Int = 16,
                                     gap: Int = 16) -> String {
        let panels = maps.enumerated().map { k, map in
            map.drawing(cellSize: cellSize, maxLabelWidth: maxLabelWidth, gradientID: "heat-scale-\(k + 1)")
        }
        let layout = GridLayout(sizes: panels.map { ($0.width, $0.height) }, columns: columns, gap: gap)
        var svg = SVGWriter(width: layout.width, height: layout.height)
        for (panel, origin) in zip(panels, layout.origins) { svg.embed(panel, x: origin.x, y: origin.y) }
        return svg.finished()
    }
}
