// Running script files and standard input, and checking or recording notebooks: the logic behind
// `seqlab run`, `seqlab check` and piped input. Exit codes: 0 success, 1 a notebook differs,
// 2 an error in the script (or the file cannot be read).

import Foundation
import Script
import Support

/// Front-end operations on script files.
public enum ScriptFiles {
    /// Ctrl-C in a script: the first press stops the running statement at its next safe point (the
    /// run is then recorded as interrupted); a second press ends the process at once.
    public static func installInterruptHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            Cancellation.request()
            signal(SIGINT, SIG_DFL)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }

    /// Writes a line to stderr.
    public static func printError(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    /// Reads a script file, or reports why not.
    public static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("\(path): error: cannot read the file (does it exist?)")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            printError("\(path): error: the file is not UTF-8 text")
            return nil
        }
        // Windows line endings: notebooks are compared and rewritten line by line.
        return text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// Renders errors the way compilers do, with the source line and a caret.
    public static func report(_ errors: [ScriptError], file: String, source: String) {
        for e in errors { printError(e.rendered(file: file, source: source)) }
    }

    /// `seqlab run FILE` (and piped input): runs, printing output live; with `record`, rewrites the
    /// file's `#> ` lines and its numerics line (only when the whole notebook ran without error).
    public static func run(source: String, file: String, interpreter: Interpreter, record: Bool,
                           numerics: String? = nil) -> ScriptOutcome {
        let result = Notebook.run(source, interpreter: interpreter, echo: { print($0) })
        if !result.errors.isEmpty {
            report(result.errors, file: file, source: source)
            if record { printError("\(file): not recorded: fix the error first") }
            return ScriptOutcome(code: 2, run: result, verdict: nil)
        }
        if record {
            let updated = Notebook.recorded(source: source, run: result, numerics: numerics)
            do { try AtomicFile.write(updated, to: file) } catch {
                printError("\(file): error: cannot write the recorded notebook: \(error.message)")
                return ScriptOutcome(code: 2, run: result, verdict: nil)
            }
        }
        return ScriptOutcome(code: 0, run: result, verdict: nil)
    }

    /// The tolerance a check uses when the notebook was recorded under other numerics (another
    /// architecture, BLAS or kernel set) and the user gave none: outputs print 3–4 decimals, and
    /// such changes move them in the last one or two.
    public static let crossMachineTolerance = 0.01

    /// `seqlab check FILE`: runs silently and compares with the recorded outputs: exactly when the
    /// notebook was recorded under numerics that compute the same bits as `numerics`, else with
    /// numbers within `crossMachineTolerance` (or `tolerance` when given), saying which.
    public static func check(source: String, file: String, interpreter: Interpreter, tolerance: Double?,
                             numerics: ReplayNumerics? = nil) -> ScriptOutcome {
        let (tolerance, basis) = comparison(source: source, tolerance: tolerance, numerics: numerics)
        let result = Notebook.run(source, interpreter: interpreter)
        // A difference before the failing statement is reported first; the failing one is not compared.
        let completed = result.errors.isEmpty ? result : NotebookRun(outcomes: result.outcomes.dropLast(), errors: result.errors)
        if let difference = Notebook.firstDifference(source: source, run: completed, tolerance: tolerance) {
            printError("\(file):\(difference)\n  compared \(basis)")
            return ScriptOutcome(code: 1, run: result,
                                 verdict: "differs at line \(difference.line)\ncompared \(basis)\n\(difference)")
        }
        if let error = result.errors.first {
            report(result.errors, file: file, source: source)
            return ScriptOutcome(code: 2, run: result, verdict: "error at line \(error.location.line)\n\(error.message)")
        }
        print("\(file): \(result.outcomes.count) statements, every output matches, compared \(basis)")
        return ScriptOutcome(code: 0, run: result,
                             verdict: (tolerance.map { "pass within \($0)" } ?? "pass") + "\ncompared \(basis)")
    }

    /// The tolerance a check uses and the words that say why.
    static func comparison(source: String, tolerance: Double?, numerics: ReplayNumerics?) -> (Double?, String) {
        if let tolerance { return (tolerance, "with numbers within \(tolerance) (--tolerance)") }
        guard let numerics else { return (nil, "exactly") }
        guard let recorded = Notebook.recordedNumerics(source) else {
            return (crossMachineTolerance, "with numbers within \(crossMachineTolerance): the notebook does not say "
                    + "what it was recorded on (record it again to check it exactly); replayed on \(numerics.current)")
        }
        if numerics.computesLike(recorded) { return (nil, "exactly (recorded on \(recorded); replayed on \(numerics.current))") }
        return (crossMachineTolerance, "with numbers within \(crossMachineTolerance): recorded on \(recorded), "
                + "replayed on \(numerics.current)")
    }
}

/// How running or checking a script ended.
public struct ScriptOutcome {
    /// The exit code: 0 success, 1 a notebook differs, 2 an error.
    public let code: Int32
    /// The statements that ran, with their outputs.
    public let run: NotebookRun
    /// A check's verdict: a first line ("pass", "pass within 0.01", "differs at line 12", "error at
    /// line 12") and lines that say how it compared and what differed; nil for other runs.
    public let verdict: String?
}
