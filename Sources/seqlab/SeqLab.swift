// The `seqlab` command: a thin layer over the library modules.
//   seqlab                  REPL on a terminal; piped standard input runs as a script
//   seqlab run FILE         run a notebook (--record rewrites its outputs)
//   seqlab check FILE       run and compare with the recorded outputs
//   seqlab report FILE      run and write the run as one HTML page (-o PATH)
//   seqlab runs / show ID   the run store
//   seqlab bench NAME       benchmarks, one JSON object per line
import ArgumentParser
import CKernels
import Console
import Foundation
import Script
import Store
import Support
import Tensors
import Workbench

/// Options every command that executes scripts shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "The run store (SQLite) that records every run.")
    var store: String = "seqlab.sqlite"

    /// An interpreter with every builtin, recording a run of `script` in the store.
    func session(script: String, path: String?, kind: RunKind, progress: ProgressMode = .auto) throws -> (Interpreter, RunSession) {
        let interpreter = Interpreter(registry: Workbench.registry())
        Workbench.setProgress(progress, in: interpreter)
        do {
            let session = try RunSession(storePath: store, script: script, scriptPath: path, interpreter: interpreter, kind: kind)
            return (interpreter, session)
        } catch {
            ScriptFiles.printError("\(error)\n(choose another store with --store PATH)")
            throw ExitCode(2)
        }
    }
}

/// Runs `body` as a recorded run: interrupted after Ctrl-C, finished on exit code 0 or 1, failed
/// otherwise. The statements that ran and a check's verdict go into the run's record.
func recorded(_ session: RunSession, _ interpreter: Interpreter, source: String, _ body: () -> ScriptOutcome) throws {
    ScriptFiles.installInterruptHandler()
    let outcome = body()
    let code = outcome.code
    session.recordTranscript(outcome.run, source: source, interrupted: Cancellation.isRequested)
    if let verdict = outcome.verdict { session.setVerdict(verdict) }
    if Cancellation.isRequested {
        session.finish(.interrupted, error: "stopped by Ctrl-C", interpreter: interpreter)
    } else {
        session.finish(code == 2 ? .failed : .finished, error: code == 2 ? "the script stopped at an error" : nil,
                       interpreter: interpreter)
    }
    if code != 0 { throw ExitCode(code) }
}

@main
struct SeqLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seqlab",
        abstract: "A workbench for sequential recommendation and transfer learning.",
        discussion: "Without a subcommand: the REPL on a terminal, or a script read from piped standard input.",
        subcommands: [RunCommand.self, CheckCommand.self, ReportCommand.self, RunsCommand.self, ShowCommand.self, BenchCommand.self])

    @OptionGroup var options: StoreOptions

    /// Standard output is line-buffered even when redirected, so `seqlab run long.seqlab > log`
    /// (or under nohup) shows each output as it happens, not when the process exits.
    static func main() {
        seqlab_line_buffer_stdout()
        main(nil as [String]?)
    }

    func run() throws {
        if isatty(STDIN_FILENO) != 0 {
            let (interpreter, session) = try options.session(script: "", path: nil, kind: .repl)
            let repl = REPL(interpreter: interpreter)
            repl.onStatement = { source, output, ending, note in
                let end: StatementEnd = switch ending {
                case .ok: .ok
                case .failed: .failed
                case .interrupted: .interrupted
                }
                session.recordStatement(TranscriptEntry(source: source, output: output, end: end, note: note))
            }
            repl.run()
            session.finish(.finished, interpreter: interpreter)
            return
        }
        // Piped input: a script with no prompts (readline would act on Tab and control bytes).
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) { lines.append(line) }
        let source = lines.joined(separator: "\n")
        let (interpreter, session) = try options.session(script: source, path: nil, kind: .run)
        try recorded(session, interpreter, source: source) {
            ScriptFiles.run(source: source, file: "<stdin>", interpreter: interpreter, record: false)
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a notebook or script; the first error stops it (exit code 2).")

    @Argument(help: "The .seqlab file.")
    var file: String

    @Flag(help: "Rewrite the file's recorded outputs (#> lines) with this run's.")
    var record = false

    @OptionGroup var options: StoreOptions

    func run() throws {
        guard let source = ScriptFiles.read(file) else { throw ExitCode(2) }
        let (interpreter, session) = try options.session(script: source, path: file, kind: record ? .record : .run)
        try recorded(session, interpreter, source: source) {
            ScriptFiles.run(source: source, file: file, interpreter: interpreter, record: record,
                            numerics: RunSession.replayNumerics.current)
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a notebook and compare every output with its recorded #> lines.",
        discussion: """
            Exit code 0 when all match, 1 at the first difference (shown), 2 on an error. A notebook \
            recorded on this machine's numerics (its '#@ numerics:' line: architecture, BLAS, kernel \
            set) is compared exactly, at any thread count; one recorded elsewhere is compared with \
            numbers within 0.01, and the verdict says so. The verdict is stored with the run.
            """)

    @Argument(help: "The .seqlab notebook.")
    var file: String

    @Option(help: "Let numbers differ by at most this much (default: exact when the notebook's '#@ numerics' line matches this machine, else 0.01).")
    var tolerance: Double?

    @OptionGroup var options: StoreOptions

    func validate() throws {
        if let tolerance, !(tolerance >= 0) { throw ValidationError("--tolerance must be a number ≥ 0") }
    }

    func run() throws {
        guard let source = ScriptFiles.read(file) else { throw ExitCode(2) }
        // A check prints only its verdict: no training progress.
        let (interpreter, session) = try options.session(script: source, path: file, kind: .check, progress: .quiet)
        try recorded(session, interpreter, source: source) {
            ScriptFiles.check(source: source, file: file, interpreter: interpreter, tolerance: tolerance,
                              numerics: RunSession.replayNumerics)
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run a notebook and write it as one self-contained HTML page.",
        discussion: """
            The page starts with the run's identity (seed, machine, numerics, datasets with their \
            hashes), then shows each comment as prose and each statement with its output, and every \
            plot and heatmap as inline SVG. The run is recorded in the store like `seqlab run`. A \
            notebook that stops at an error still gets its page, with the error where it happened; \
            the exit code is then 2.
            """)

    @Argument(help: "The .seqlab notebook.")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "The HTML file to write (default: the notebook's path with .html).")
    var output: String?

    @OptionGroup var options: StoreOptions

    func run() throws {
        guard let source = ScriptFiles.read(file) else { throw ExitCode(2) }
        let page = output ?? ScriptFiles.defaultReportPath(for: file)
        guard ScriptFiles.canWriteReport(to: page, notebook: file) else { throw ExitCode(2) }
        let (interpreter, session) = try options.session(script: source, path: file, kind: .run)
        try recorded(session, interpreter, source: source) {
            ScriptFiles.report(source: source, file: file, output: page, interpreter: interpreter) {
                session.identity(interpreter: interpreter)
            }
        }
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List recent runs from the store.")

    @Option(help: "How many runs.")
    var limit: Int = 20

    @OptionGroup var options: StoreOptions

    func run() throws {
        do {
            let runs = try RunStore.open(path: options.store).runs(limit: limit)
            print(runs.isEmpty ? "no runs yet in \(options.store)" : RunText.table(runs))
        } catch {
            ScriptFiles.printError("\(error)")
            throw ExitCode(2)
        }
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run from the store in detail.")

    @Argument(help: "The run id, as `seqlab runs` lists it.")
    var id: Int64

    @OptionGroup var options: StoreOptions

    func run() throws {
        do {
            print(RunText.detail(try RunStore.open(path: options.store).run(id)))
        } catch {
            ScriptFiles.printError("\(error)")
            throw ExitCode(2)
        }
    }
}
