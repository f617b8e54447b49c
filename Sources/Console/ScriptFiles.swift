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
    /// file's `#> ` lines (only when the whole notebook ran without error).
    public static func run(source: String, file: String, interpreter: Interpreter, record: Bool) -> Int32 {
        let result = Notebook.run(source, interpreter: interpreter, echo: { print($0) })
        if !result.errors.isEmpty {
            report(result.errors, file: file, source: source)
            if record { printError("\(file): not recorded: fix the error first") }
            return 2
        }
        if record {
            let updated = Notebook.recorded(source: source, run: result)
            do { try AtomicFile.write(updated, to: file) } catch {
                printError("\(file): error: cannot write the recorded notebook: \(error.message)")
                return 2
            }
        }
        return 0
    }

    /// `seqlab check FILE`: runs silently and compares with the recorded outputs.
    public static func check(source: String, file: String, interpreter: Interpreter, tolerance: Double?) -> Int32 {
        let result = Notebook.run(source, interpreter: interpreter)
        // A difference before the failing statement is reported first; the failing one is not compared.
        let completed = result.errors.isEmpty ? result : NotebookRun(outcomes: result.outcomes.dropLast(), errors: result.errors)
        if let difference = Notebook.firstDifference(source: source, run: completed, tolerance: tolerance) {
            printError("\(file):\(difference)")
            return 1
        }
        if !result.errors.isEmpty {
            report(result.errors, file: file, source: source)
            return 2
        }
        print("\(file): \(result.outcomes.count) statements, every output matches"
              + (tolerance.map { " (numbers within \($0))" } ?? ""))
        return 0
    }
}
