// "Nice numbers" for axis ticks (Heckbert, Graphics Gems, 1990): the step is 1, 2 or 5 times a power
// of ten and the axis is widened to whole steps, so tick labels are short and evenly spaced.

import Foundation

/// Evenly spaced axis ticks whose step is 1, 2 or 5 × 10^k.
public struct Ticks: Equatable, Sendable {
    /// Tick positions, ascending; the first and last are the ends of the axis.
    public let values: [Double]
    /// Distance between neighbouring ticks.
    public let step: Double

    /// Ticks covering `[low, high]` with about `count` ticks (the result has between
    /// `count - 2` and `count + 2`, because the ends are rounded out to whole steps).
    ///
    /// A degenerate range (`low == high`) is widened first so a constant series still gets an axis.
    /// Both bounds must be finite. `minimumStep` keeps whole-number data (epochs) on whole ticks.
    public init(low: Double, high: Double, count: Int = 5, minimumStep: Double = 0) {
        precondition(low.isFinite && high.isFinite, "Ticks needs finite bounds")
        let (lo, hi) = paddedRange(min(low, high), max(low, high))
        // Heckbert rounds the range first; rounding only the step keeps more ticks inside the data
        // (0.35...0.95 gets 0.2, 0.4, …, 1.0 rather than 0, 0.5, 1).
        // Dividing before subtracting keeps a span like −1e308 … 1e308 finite.
        let intervals = Double(max(1, count - 1))
        let step = max(minimumStep, niceNumber(hi / intervals - lo / intervals, round: true))
        // Whole multiples of the step, so 0.1 × 3 prints as 0.3 after label formatting.
        let first = floor(lo / step + 1e-9)
        let last = ceil(hi / step - 1e-9)
        values = stride(from: first, through: last, by: 1).map {
            min(Double.greatestFiniteMagnitude, max(-Double.greatestFiniteMagnitude, $0 * step))
        }
        self.step = step
    }

    /// Labels for the ticks, all with the same number of decimals (enough to tell them apart).
    public var labels: [String] {
        let exponent = Int(floor(log10(step)))
        let largest = values.map(abs).max() ?? 0
        if exponent < -4 || largest >= 1e6 { return values.map { compactNumber($0) } }
        let decimals = max(0, -exponent)
        return values.map { value in
            let text = String(format: "%.\(decimals)f", value)
            return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
        }
    }
}

/// A number close to `x` that is 1, 2, 5 or 10 times a power of ten: rounded to the nearest when
/// `round`, otherwise the smallest one not below `x`.
func niceNumber(_ x: Double, round: Bool) -> Double {
    let exponent = floor(log10(x))
    let power = pow(10, exponent)
    let fraction = x / power
    let nice: Double
    if round {
        nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    } else {
        nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    }
    return nice * power
}

/// The range to draw for data spanning `[low, high]`: unchanged when it has width, otherwise widened
/// by 10% of the value (by 1 around zero) on each side so a constant series sits in the middle.
func paddedRange(_ low: Double, _ high: Double) -> (Double, Double) {
    if high > low { return (low, high) }
    let pad = low == 0 ? 1 : abs(low) * 0.1
    return (low - pad, high + pad)
}

/// Where `value` lies between `low` (0) and `high` (1). Halving first keeps spans such as
/// −1e308 … 1e308 from overflowing to infinity; `high` must be above `low`.
func fraction(_ value: Double, of low: Double, _ high: Double) -> Double {
    (value / 2 - low / 2) / (high / 2 - low / 2)
}
