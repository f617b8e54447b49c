// A named sequence of (x, y) points: one line of a line plot (a loss curve, a metric per epoch).

/// A named line of (x, y) points, drawn in the given order.
///
/// Points whose x or y is NaN or infinite are not drawn; the line breaks there rather than
/// bridging the gap, so a missing epoch is visible.
public struct Series: Sendable {
    /// The name shown in the legend.
    public var name: String
    /// The points, connected in this order.
    public var points: [(x: Double, y: Double)]

    /// A series from points.
    public init(name: String, points: [(x: Double, y: Double)]) {
        self.name = name
        self.points = points
    }

    /// A series from y values at x = 1, 2, 3, … (epochs, steps).
    public init(name: String, y: [Double]) {
        self.init(name: name, points: y.enumerated().map { (x: Double($0.offset + 1), y: $0.element) })
    }

    /// A series from parallel x and y arrays; they must have the same length.
    public init(name: String, x: [Double], y: [Double]) throws {
        guard x.count == y.count else {
            throw PlotInputError(
                "series '\(name)' has \(x.count) x values and \(y.count) y values; give one x per y")
        }
        self.init(name: name, points: zip(x, y).map { (x: $0, y: $1) })
    }

    /// The points that can be drawn (finite x and y).
    var finitePoints: [(x: Double, y: Double)] { points.filter { $0.x.isFinite && $0.y.isFinite } }
}

/// Input a plot cannot be built from; the message says what to change.
public struct PlotInputError: Error, CustomStringConvertible, Equatable {
    /// What is wrong and what to do.
    public let message: String

    /// An error with its message.
    public init(_ message: String) { self.message = message }

    /// The message, as printed to the user.
    public var description: String { message }
}
