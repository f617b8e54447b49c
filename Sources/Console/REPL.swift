// The interactive session on GNU readline: history in ~/.seqlab_history, Tab completion of names,
// builtins, argument labels and members, continuation lines while brackets are open, Ctrl-C that
// cancels the line (or interrupts a running statement at its next safe point), Ctrl-D to leave.

import CReadline
import Foundation
import Script
import Support

/// The interpreter the C callbacks (completion, SIGINT) reach; set while a REPL runs.
nonisolated(unsafe) private var activeREPL: REPL?
nonisolated(unsafe) private var completionCandidates: [String] = []
nonisolated(unsafe) private var completionIndex = 0
nonisolated(unsafe) private var readingLine = false
/// Set by Ctrl-C at the prompt: the entry typed so far (continuation lines included) is dropped.
nonisolated(unsafe) private var promptCancelled = false
/// The prompt of an entry's first line.
private let firstPrompt = "seqlab> "


/// How a statement typed at the REPL ended.
public enum StatementEnding {
    /// It ran to the end.
    case ok
    /// It stopped at an error.
    case failed
    /// Ctrl-C stopped it at a safe point (a `fit` keeps the epochs it finished).
    case interrupted
}

/// The read–eval–print loop.
public final class REPL {
    let interpreter: Interpreter
    let historyPath: String
    /// Each entry as `:save` writes it: statements that ran with their outputs as `#> ` lines, and
    /// one that failed or was interrupted commented out under a note (a replay could not repeat it).
    private var transcript: [String] = []
    private var savedStatements = 0
    private var commentedStatements = 0
    /// Called after every statement with its source text, its output lines, how it ended and the
    /// error message or reason (the run store keeps the session's transcript this way).
    public var onStatement: ((String, [String], StatementEnding, String?) -> Void)?
    private var showTimes = false
    private var captured: [String] = []

    /// A REPL over `interpreter`, with history kept in `historyPath`.
    public init(interpreter: Interpreter,
                historyPath: String = (ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + "/.seqlab_history") {
        self.interpreter = interpreter
        self.historyPath = historyPath
    }

    /// Runs until Ctrl-D or `:quit`.
    public func run() {
        activeREPL = self
        installSignalHandler()
        seqlab_rl_disable_signal_handlers()
        seqlab_rl_set_word_breaks()
        seqlab_rl_set_completer(completeCallback)
        if FileManager.default.fileExists(atPath: historyPath) { read_history(historyPath) } else { write_history(historyPath) }
        let out = interpreter.output
        interpreter.output = { [unowned self] text in
            out(text)
            self.captured += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        print("SeqLab — help() lists what there is, :help the REPL commands, Ctrl-D leaves.")
        while let entry = readEntry() {
            let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            add_history(entry)
            append_history(1, historyPath)
            if trimmed.hasPrefix(":") {
                if !command(trimmed) { break }
                continue
            }
            // Read per entry, so help follows a window that was resized.
            interpreter.outputWidth = terminalColumns()
            evaluate(entry)
        }
        history_truncate_file(historyPath, 2000)
        activeREPL = nil
    }

    /// Reads one entry, continuing while brackets are open. Nil at end of input.
    private func readEntry() -> String? {
        var lines: [String] = []
        while true {
            readingLine = true
            let raw = readline(lines.isEmpty ? firstPrompt : "   ...> ")
            readingLine = false
            guard let raw else {
                if lines.isEmpty { print(""); return nil }
                return lines.joined(separator: "\n")
            }
            let line = String(cString: raw)
            free(raw)
            if promptCancelled {   // Ctrl-C while typing: the entry so far is dropped; this line starts a new one
                promptCancelled = false
                lines = []
            }
            lines.append(line)
            let text = lines.joined(separator: "\n")
            if openBrackets(text) <= 0 { return text }
        }
    }

    /// Brackets opened and not closed (strings and comments excluded by the lexer).
    func openBrackets(_ text: String) -> Int {
        var lexer = Lexer(text)
        var depth = 0
        for t in lexer.tokenize() {
            if case .symbol(let s) = t.kind {
                if s == .leftParen || s == .leftBracket || s == .leftBrace { depth += 1 }
                if s == .rightParen || s == .rightBracket || s == .rightBrace { depth -= 1 }
            }
        }
        return depth
    }

    /// Runs one entry's statements in order, stopping at the first that fails or is interrupted.
    func evaluate(_ source: String) {
        let (statements, errors) = Parser.parse(source)
        if !errors.isEmpty {
            ScriptFiles.report(errors, file: "<repl>", source: source)
            return
        }
        Cancellation.clear()
        let start = DispatchTime.now().uptimeNanoseconds
        var outcomes: [StatementOutcome] = []
        var stopped: (at: SourceLocation, ending: StatementEnding, note: String)?
        for (i, s) in statements.enumerated() {
            captured = []
            let text = Self.text(of: source, from: s.location,
                                 before: i + 1 < statements.count ? statements[i + 1].location : nil)
            do {
                try interpreter.execute(s)
            } catch {
                let message: String
                if let e = error as? ScriptError {
                    ScriptFiles.report([e], file: "<repl>", source: source)
                    message = e.message
                } else {
                    message = "internal error: \(error)"
                    ScriptFiles.printError("<repl>: \(message)")
                }
                // Ctrl-C ends a loop with an error; it is still an interruption, not a mistake.
                let ending: StatementEnding = Cancellation.isRequested ? .interrupted : .failed
                onStatement?(text, captured, ending, message)
                stopped = (s.location, ending, message)
                break
            }
            // Ctrl-C stopped it at a safe point: it returned, but did not do all it was asked.
            if Cancellation.isRequested {
                onStatement?(text, captured, .interrupted, "stopped by Ctrl-C")
                stopped = (s.location, .interrupted, "stopped by Ctrl-C")
                break
            }
            onStatement?(text, captured, .ok, nil)
            outcomes.append(StatementOutcome(statement: s, output: captured))
        }
        Cancellation.clear()
        if showTimes {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            ScriptFiles.printError(String(format: "(%.3f s)", seconds))
        }
        // The statements that ran are kept, even when a later one on the same entry failed: their
        // effects are in the session, so a saved notebook must replay them. The one that stopped is
        // written commented out: replayed, a failed one would stop the notebook and an interrupted
        // one would run to the end.
        var entry: [String] = []
        if !outcomes.isEmpty {
            let text = stopped.map { Self.text(of: source, before: $0.at) } ?? source
            entry.append(Notebook.recorded(source: text, run: NotebookRun(outcomes: outcomes, errors: [])))
            savedStatements += outcomes.count
        }
        if let stopped {
            let rest = Self.text(of: source, from: stopped.at, before: nil)
            // One comment line, whatever the message holds.
            let note = stopped.note.split(whereSeparator: \.isNewline).joined(separator: " ")
            let what = stopped.ending == .failed ? "failed: \(note)" : "interrupted by Ctrl-C"
            entry.append("# :save: \(what); commented out so the notebook replays")
            entry += rest.split(separator: "\n", omittingEmptySubsequences: false).map { "# " + $0 }
            commentedStatements += 1
        }
        if !entry.isEmpty { transcript.append(entry.joined(separator: "\n")) }
    }

    /// The source from `location` up to `end` (or the end), without trailing blanks and semicolons.
    static func text(of source: String, from location: SourceLocation, before end: SourceLocation?) -> String {
        let whole = end.map { text(of: source, before: $0) } ?? source
        let prefix = text(of: whole, before: location)
        var rest = String(whole.dropFirst(prefix.count))
        while let first = rest.first, first == " " || first == "\t" || first == "\n" || first == ";" { rest.removeFirst() }
        while let last = rest.last, last == " " || last == "\t" || last == "\n" || last == ";" { rest.removeLast() }
        return rest
    }

    /// The source up to (not including) `location`, without trailing blanks.
    static func text(of source: String, before location: SourceLocation) -> String {
        var line = 1, column = 1
        var end = source.startIndex
        for index in source.indices {
            if line == location.line && column == location.column { end = index; break }
            if source[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            end = source.index(after: index)
        }
        var prefix = String(source[..<end])
        while let last = prefix.last, last == " " || last == "\t" || last == "\n" { prefix.removeLast() }
        return prefix
    }

    /// Handles a `:command`; false means leave.
    private func command(_ text: String) -> Bool {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ":quit", ":q", ":exit": return false
        case ":help":
            print("""
                :help          this list
                :vars          variables with their types (as vars())
                :save FILE     write the session as a notebook: statements with their outputs (one that
                               failed or was interrupted is written commented out, so the file replays)
                :time on|off   show each statement's wall time
                :quit          leave (Ctrl-D too)
                help()         the language's builtins; help(x) describes x
                """)
        case ":vars": evaluateSilently("vars()")
        case ":time":
            guard argument == "on" || argument == "off" else { ScriptFiles.printError(":time takes on or off"); break }
            showTimes = argument == "on"
        case ":save":
            guard !argument.isEmpty else { ScriptFiles.printError(":save needs a file name, e.g. :save session.seqlab"); break }
            do {
                try saveTranscript(to: argument)
                var line = "saved \(savedStatements) statement\(savedStatements == 1 ? "" : "s") to \(argument)"
                if commentedStatements > 0 {
                    line += "; \(commentedStatements) that failed or \(commentedStatements == 1 ? "was" : "were") interrupted "
                        + "\(commentedStatements == 1 ? "is" : "are") written commented out"
                }
                print(line)
            } catch {
                // Foundation's localizedDescription of a Swift error is "The operation could not be completed".
                let reason = (error as? FileWriteError)?.message ?? "\(error)"
                ScriptFiles.printError("\(argument): error: cannot write the notebook: \(reason)")
            }
        default:
            let known = [":help", ":vars", ":save", ":time", ":quit"]
            ScriptFiles.printError("unknown command \(parts[0])" + didYouMean(parts[0], among: known) + "; :help lists the commands")
        }
        return true
    }

    private func evaluateSilently(_ source: String) {
        let (statements, _) = Parser.parse(source)
        for s in statements { try? interpreter.execute(s) }
    }

    /// The session as a notebook: each successful entry followed by its output as `#> ` lines.
    func notebookText() -> String { transcript.joined(separator: "\n") + "\n" }

    func saveTranscript(to path: String) throws {
        try AtomicFile.write(notebookText(), to: path)
    }

    /// Completion candidates for `text` (the word under the cursor).
    func candidates(for text: String) -> [String] {
        if let dot = text.lastIndex(of: ".") {
            let target = String(text[..<dot]), prefix = String(text[text.index(after: dot)...])
            guard let value = interpreter.variables.first(where: { $0.name == target })?.value else { return [] }
            var names = interpreter.registry.memberNames(of: value.typeName)
            if case .record(let r) = value { names = r.keys }
            return names.filter { $0.hasPrefix(prefix) }.map { "\(target).\($0)" }
        }
        var names = interpreter.variables.map(\.name) + interpreter.registry.functionNames
        names += Keyword.allCases.map(\.rawValue)
        // Argument labels of the innermost call being typed: "fit(split, ep" offers "epochs:".
        names += labelsInScope().map { $0 + ":" }
        return Array(Set(names.filter { $0.hasPrefix(text) })).sorted()
    }

    /// Labels of the builtin whose call is open at the cursor.
    private func labelsInScope() -> [String] {
        guard let raw = seqlab_rl_line_buffer() else { return [] }
        let buffer = String(cString: raw)
        var depth = 0
        var index = buffer.endIndex
        while index > buffer.startIndex {
            index = buffer.index(before: index)
            let c = buffer[index]
            if c == ")" { depth += 1 }
            if c == "(" {
                if depth == 0 { break }
                depth -= 1
            }
        }
        guard index > buffer.startIndex, buffer[index] == "(" else { return [] }
        let head = buffer[..<index]
        let name = String(head.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }.reversed())
        let parts = name.split(separator: ".").map(String.init)
        if parts.count == 1, let spec = interpreter.registry.function(parts[0]) {
            return spec.parameters.filter { !$0.positional }.map(\.name)
        }
        if parts.count == 2, let value = interpreter.variables.first(where: { $0.name == parts[0] })?.value,
           let spec = interpreter.registry.member(parts[1], of: value.typeName) {
            return spec.parameters.filter { !$0.positional }.map(\.name)
        }
        return []
    }
}

/// The terminal's width in columns (COLUMNS, else the window size, else 80).
private func terminalColumns() -> Int {
    if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
}

private func installSignalHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
        if readingLine {
            promptCancelled = true
            seqlab_rl_cancel_line(firstPrompt)
        } else {
            Cancellation.request()   // a statement is running: stop at its next safe point
        }
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = SA_RESTART
    sigaction(SIGINT, &action, nil)
}

private let completeCallback: seqlab_rl_completer = { text, _, _ in
    let word = text.map { String(cString: $0) } ?? ""
    completionCandidates = activeREPL?.candidates(for: word) ?? []
    completionIndex = 0
    return seqlab_rl_completion_matches(text, generatorCallback)
}

private let generatorCallback: seqlab_rl_generator = { _, _ in
    guard completionIndex < completionCandidates.count else { return nil }
    let candidate = completionCandidates[completionIndex]
    completionIndex += 1
    return seqlab_strdup(candidate)
}
