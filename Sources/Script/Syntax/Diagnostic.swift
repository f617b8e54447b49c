// Errors of the SeqLab language: a message at a position, rendered as compilers do:
//   notebook.seqlab:12:7: error: unknown argument 'epoch' to fit; did you mean 'epochs'?
//   net.fit(split, epoch: 3)
//                  ^~~~~
// Errors are values (thrown, collected, printed by the front end), never crashes.

import Support

/// A position in a source text (1-based line and column, in characters).
public struct SourceLocation: Sendable, Equatable, Comparable {
    /// Line, from 1.
    public var line: Int
    /// Column, from 1.
    public var column: Int

    /// A location.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// An error of a script: where, what, and how long the offending text is (for the underline).
public struct ScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the error is.
    public var location: SourceLocation
    /// What is wrong and, where possible, what to do.
    public var message: String
    /// Characters to underline from the location (at least 1).
    public var length: Int

    /// An error at a location.
    public init(_ message: String, at location: SourceLocation, length: Int = 1) {
        self.message = message
        self.location = location
        self.length = max(1, length)
    }

    public var description: String { "\(location.line):\(location.column): error: \(message)" }

    /// The full rendering: `file:line:col: error: message`, the source line and a caret.
    public func rendered(file: String, source: String) -> String {
        var text = "\(file):\(location.line):\(location.column): error: \(message)"
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        if location.line >= 1 && location.line <= lines.count {
            let line = String(lines[location.line - 1])
            let caretColumn = min(location.column, line.count + 1)
            let underline = String(repeating: "~", count: max(0, min(length, line.count - caretColumn + 1) - 1))
            text += "\n\(line)\n" + String(repeating: " ", count: caretColumn - 1) + "^" + underline
        }
        return text
    }
}

/// The closest candidate to `name` if it is a plausible typo (for "did you mean" hints).
public func suggestion(for name: String, among candidates: [String]) -> String? {
    var best: (String, Int)?
    for c in candidates.sorted() {
        let d = editDistance(name, c)
        if best == nil || d < best!.1 { best = (c, d) }
    }
    guard let (candidate, distance) = best else { return nil }
    let limit = max(1, min(3, (name.count + 1) / 3))
    return distance <= limit && distance < name.count ? candidate : nil
}

/// " did you mean 'x'?" or "" — appended to error messages.
public func didYouMean(_ name: String, among candidates: [String]) -> String {
    guard let s = suggestion(for: name, among: candidates) else { return "" }
    return "; did you mean '\(s)'?"
}
