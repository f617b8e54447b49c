// Where a line plot's legend goes: in the first corner of the plotting area that no curve passes
// through, else outside the plotting area on the right. A fixed corner hid the ends of rising curves
// (validation metrics climb to the top right), which is the part of a learning curve one reads.

/// An axis-aligned rectangle in SVG pixels (y grows downwards).
struct PixelBox: Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    /// The box grown by `margin` on every side.
    func inset(by margin: Double) -> PixelBox {
        PixelBox(x: x - margin, y: y - margin, width: width + 2 * margin, height: height + 2 * margin)
    }

    /// Whether the point lies inside or on the edge.
    func contains(_ p: (x: Double, y: Double)) -> Bool {
        p.x >= x && p.x <= x + width && p.y >= y && p.y <= y + height
    }

    /// Whether the segment from `a` to `b` touches the box (Liang–Barsky clipping: the segment's
    /// parameter range inside all four edges is not empty).
    func intersects(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Bool {
        let dx = b.x - a.x, dy = b.y - a.y
        var low = 0.0, high = 1.0
        for (p, q) in [(-dx, a.x - x), (dx, x + width - a.x), (-dy, a.y - y), (dy, y + height - a.y)] {
            if p == 0 {
                if q < 0 { return false }   // parallel to this edge and outside it
            } else {
                let t = q / p
                if p < 0 { low = max(low, t) } else { high = min(high, t) }
                if low > high { return false }
            }
        }
        return true
    }
}

/// The corners a legend may take inside the plotting area, in the order they are tried.
enum LegendCorner: CaseIterable { case topRight, topLeft, bottomRight, bottomLeft }

/// The legend's box: the first corner of `area` (8 pixels in from its edges) that no curve passes
/// through, or nil when every corner has data under it. `curves` are the drawn runs of points in
/// pixels; a box counts as covered when a point (with its dot) or a segment between two points
/// comes within 4 pixels of it.
func legendBox(width: Double, height: Double, area: PixelBox, curves: [[(x: Double, y: Double)]]) -> PixelBox? {
    let margin = 8.0, clearance = 4.0 + 3   // 3: the radius of the dots on measured points
    for corner in LegendCorner.allCases {
        let x = corner == .topRight || corner == .bottomRight ? area.x + area.width - margin - width : area.x + margin
        let y = corner == .topRight || corner == .topLeft ? area.y + margin : area.y + area.height - margin - height
        let box = PixelBox(x: x, y: y, width: width, height: height)
        guard box.x >= area.x, box.y >= area.y else { continue }   // taller or wider than the area
        let guarded = box.inset(by: clearance)
        let covered = curves.contains { run in
            run.contains { guarded.contains($0) }
                || zip(run, run.dropFirst()).contains { guarded.intersects($0, $1) }
        }
        if !covered { return box }
    }
    return nil
}
