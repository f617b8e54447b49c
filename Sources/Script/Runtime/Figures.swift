// Charts as pictures for front ends that can show them (an HTML report), beside the terminal text
// every chart prints. Builtins that draw add an SVG rendering here only while a front end collects,
// so a plain run or the REPL spends nothing on pictures nobody sees.

/// A chart a statement drew: its title and a standalone SVG document.
public struct Figure: Sendable, Equatable {
    /// The chart's heading, for captions and alternative text.
    public let title: String
    /// The complete SVG document (XML declaration first).
    public let svg: String

    /// A figure from its parts.
    public init(title: String, svg: String) {
        self.title = title
        self.svg = svg
    }
}

/// The figures drawn since the last `take()`, attached to an interpreter by a front end that shows them.
public final class FigureCollector {
    private var pending: [Figure] = []
    private static let key = "figures"

    private init() {}

    /// Starts collecting the figures `interpreter`'s statements draw, and returns the collector.
    public static func install(in interpreter: Interpreter) -> FigureCollector {
        let collector = FigureCollector()
        interpreter.extensions[key] = collector
        return collector
    }

    /// The collector attached to `interpreter`, or nil when no front end asked for figures.
    public static func of(_ interpreter: Interpreter) -> FigureCollector? {
        interpreter.extensions[key] as? FigureCollector
    }

    /// Adds a figure; `svg` is only rendered here, when someone collects.
    public func add(title: String, svg: () -> String) { pending.append(Figure(title: title, svg: svg())) }

    /// The figures drawn since the last call, in drawing order; the collector is empty afterwards.
    public func take() -> [Figure] {
        defer { pending = [] }
        return pending
    }
}
