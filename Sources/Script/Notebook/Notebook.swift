// Notebooks: `.seqlab` scripts whose recorded outputs sit under each statement as `#> ` lines.
//
//   ml = synthetic("toy", seed: 1)
//   #> Dataset toy: 200 users, 120 items, 6,000 interactions
//
// Running a notebook executes the statements in order and captures what each shows. Checking
// compares that with the recorded lines (exactly, or numbers within a tolerance). Recording rewrites
// the `#> ` lines and leaves every other line (comments, blank lines, code) as it was.

import Foundation
import Support

/// What one top-level statement showed when it ran.
public struct StatementOutcome {
    /// The statement.
    public let statement: Statement
    /// Lines it showed (auto-printed values and `print`).
    public let output: [String]

    /// An outcome.
    public init(statement: Statement, output: [String]) {
        self.statement = statement
        self.output = output
    }
}

/// The result of running a script or notebook: outcomes up to the first error, and that error.
public struct NotebookRun {
    /// Statements that ran, with their output (the failing one included, with its partial output).
    public let outcomes: [StatementOutcome]
    /// Syntax errors (all of them), or the first runtime error.
    public let errors: [ScriptError]

    /// A run result.
    public init(outcomes: [StatementOutcome], errors: [ScriptError]) {
        self.outcomes = outcomes
        self.errors = errors
    }
}

/// A difference between a notebook's recorded output and what it shows now.
public struct NotebookDifference: CustomStringConvertible {
    /// Line in the notebook where the statement's recorded output is (or should be).
    public let line: Int
    /// What the notebook recorded.
    public let expected: [String]
    /// What the run showed.
    public let actual: [String]

    public var description: String {
        "\(line): output differs\n  expected:\n" + expected.map { "    #> \($0)" }.joined(separator: "\n")
            + (expected.isEmpty ? "    (nothing)" : "") + "\n  actual:\n"
            + actual.map { "    #> \($0)" }.joined(separator: "\n") + (actual.isEmpty ? "    (nothing)" : "")
    }
}

/// What a check needs to know about numbers: the identity this process computes under, and whether
/// a recorded identity computes the same bits. The tensor engine supplies both (NumericIdentity);
/// the language layer only carries them.
public struct ReplayNumerics {
    /// This process's numeric identity, as recorded into notebooks.
    public var current: String
    /// Whether a notebook recorded under the given identity replays to the same bits here.
    public var computesLike: (String) -> Bool

    /// Numerics from their parts.
    public init(current: String, computesLike: @escaping (String) -> Bool) {
        self.current = current
        self.computesLike = computesLike
    }
}

/// Running, checking and recording notebooks.
public enum Notebook {
    /// The line that records the numeric identity a notebook's outputs were computed under.
    public static let numericsPrefix = "#@ numerics: "

    /// The numeric identity the notebook was recorded under, or nil when it does not say.
    public static func recordedNumerics(_ source: String) -> String? {
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix(numericsPrefix) {
            return String(line.dropFirst(numericsPrefix.count)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// `source` with its numerics line set to `numerics`: replaced where it is, else inserted after
    /// the opening comment lines (the notebook's title), so line numbers below it move by one once.
    static func withNumerics(_ source: String, _ numerics: String) -> String {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = numericsPrefix + numerics
        if let i = lines.firstIndex(where: { $0.hasPrefix(numericsPrefix) }) {
            lines[i] = line
        } else {
            let title = lines.prefix { $0.hasPrefix("#") && !isOutputLine(Substring($0)) }.count
            lines.insert(line, at: title)
        }
        return lines.joined(separator: "\n")
    }

    /// The source text of `statement` (its whole lines) in `source`.
    public static func text(of statement: Statement, in source: String) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let first = max(0, statement.location.line - 1), last = min(lines.count, max(statement.endLine, first + 1))
        guard first < last else { return "" }
        return lines[first..<last].joined(separator: "\n")
    }

    /// True for a recorded-output line (`#> text`, or `#>` for an empty line).
    public static func isOutputLine(_ line: Substring) -> Bool { line == "#>" || line.hasPrefix("#> ") }

    /// Runs `source` with `interpreter`, stopping at the first error. `echo` receives each output
    /// line as it is produced (the CLI prints them live); `ended` is called after each statement
    /// with the index of its outcome, so a front end can attach what the statement left behind
    /// (figures, the seed in effect) to it.
    public static func run(_ source: String, interpreter: Interpreter, echo: ((String) -> Void)? = nil,
                           ended: ((Int) -> Void)? = nil) -> NotebookRun {
        let (statements, syntaxErrors) = Parser.parse(source)
        if !syntaxErrors.isEmpty { return NotebookRun(outcomes: [], errors: syntaxErrors) }
        var outcomes: [StatementOutcome] = []
        let saved = interpreter.output
        defer { interpreter.output = saved }
        var captured: [String] = []
        interpreter.output = { text in
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                captured.append(String(line))
                echo?(String(line))
            }
        }
        for statement in statements {
            // Ctrl-C stopped the previous statement at a safe point (fit returns its history then):
            // a script goes no further, as the REPL returns to its prompt.
            if Cancellation.isRequested {
                return NotebookRun(outcomes: outcomes, errors: [ScriptError(
                    "interrupted by Ctrl-C; this statement and the ones after it did not run", at: statement.location)])
            }
            captured = []
            do {
                try interpreter.execute(statement)
                outcomes.append(StatementOutcome(statement: statement, output: captured))
                ended?(outcomes.count - 1)
            } catch let error as ScriptError {
                outcomes.append(StatementOutcome(statement: statement, output: captured))
                ended?(outcomes.count - 1)
                return NotebookRun(outcomes: outcomes, errors: [error])
            } catch {
                let e = ScriptError("internal error: \(error)", at: statement.location)
                return NotebookRun(outcomes: outcomes, errors: [e])
            }
        }
        return NotebookRun(outcomes: outcomes, errors: [])
    }

    /// The recorded output under each top-level statement, keyed by the statement's last line.
    public static func recordedOutputs(_ source: String) -> [Int: [String]] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let (statements, _) = Parser.parse(source)
        var result: [Int: [String]] = [:]
        for s in statements where result[s.endLine] == nil {
            var outputs: [String] = []
            var i = s.endLine   // 0-based index of the line after the statement
            while i < lines.count, isOutputLine(lines[i]) {
                outputs.append(lines[i] == "#>" ? "" : String(lines[i].dropFirst(3)))
                i += 1
            }
            result[s.endLine] = outputs
        }
        return result
    }

    /// The first difference between recorded and actual outputs, if any. Statements sharing a
    /// line (`a; b`) are compared together. `tolerance` allows numbers to differ by that much.
    public static func firstDifference(source: String, run: NotebookRun, tolerance: Double?) -> NotebookDifference? {
        let recorded = recordedOutputs(source)
        var actualByLine: [Int: [String]] = [:]
        var order: [Int] = []
        for o in run.outcomes {
            if actualByLine[o.statement.endLine] == nil { order.append(o.statement.endLine) }
            actualByLine[o.statement.endLine, default: []] += o.output
        }
        for line in order {
            let expected = recorded[line] ?? [], actual = actualByLine[line]!
            if !linesMatch(expected, actual, tolerance: tolerance) {
                return NotebookDifference(line: line + 1, expected: expected, actual: actual)
            }
        }
        return nil
    }

    /// `source` with its recorded outputs replaced by those of `run`, and its numerics line set to
    /// `numerics` when given.
    public static func recorded(source: String, run: NotebookRun, numerics: String? = nil) -> String {
        if let numerics {
            // Outputs first: they are keyed by the lines of `source` as it is.
            return withNumerics(recorded(source: source, run: run), numerics)
        }
        var outputsByLine: [Int: [String]] = [:]
        for o in run.outcomes { outputsByLine[o.statement.endLine, default: []] += o.output }
        var out: [String] = []
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
            if isOutputLine(line) { continue }
            out.append(String(line))
            if let outputs = outputsByLine[i + 1] {
                out += outputs.map { $0.isEmpty ? "#>" : "#> " + $0 }
            }
        }
        return out.joined(separator: "\n")
    }

    /// Line lists equal, exactly or with numbers within `tolerance`.
    static func linesMatch(_ a: [String], _ b: [String], tolerance: Double?) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            guard let tolerance else { return false }
            let tx = numericTokens(x), ty = numericTokens(y)
            guard tx.count == ty.count else { return false }
            for (p, q) in zip(tx, ty) {
                switch (p, q) {
                case let (.text(s), .text(t)): if s != t { return false }
                case let (.number(u), .number(v)): if abs(u - v) > tolerance { return false }
                default: return false
                }
            }
        }
        return true
    }

    enum Piece: Equatable { case text(String), number(Double) }

    /// Splits a line into numbers and the text between them.
    static func numericTokens(_ line: String) -> [Piece] {
        var pieces: [Piece] = []
        let chars = Array(line)
        var i = 0, text = ""
        while i < chars.count {
            let startsNumber = chars[i].isNumber || ((chars[i] == "-" || chars[i] == ".") && i + 1 < chars.count && chars[i + 1].isNumber)
            if startsNumber {
                var j = i + 1
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "-" || chars[k] == "+" { k += 1 }
                    if k < chars.count, chars[k].isNumber {
                        j = k
                        while j < chars.count, chars[j].isNumber { j += 1 }
                    }
                }
                if let v = Double(String(chars[i..<j])) {
                    if !text.isEmpty { pieces.append(.text(text)); text = "" }
                    pieces.append(.number(v))
                    i = j
                    continue
                }
            }
            text.append(chars[i])
            i += 1
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        return pieces
    }
}
