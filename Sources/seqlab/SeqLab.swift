// The `seqlab` command: a thin layer over the library modules.
//   seqlab                  REPL on a terminal; piped standard input runs as a script
//   seqlab run FILE         run a notebook (--record rewrites its outputs)
//   seqlab check FILE       run and compare with the recorded outputs
//   seqlab bench NAME       benchmarks, one JSON object per line
import ArgumentParser
import Console
import Foundation
import Script

@main
struct SeqLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seqlab",
        abstract: "A workbench for sequential recommendation and transfer learning.",
        discussion: "Without a subcommand: the REPL on a terminal, or a script read from piped standard input.",
        subcommands: [RunCommand.self, CheckCommand.self, BenchCommand.self])

    func run() throws {
        let interpreter = Interpreter(registry: .standard())
        if isatty(STDIN_FILENO) != 0 {
            REPL(interpreter: interpreter).run()
            return
        }
        // Piped input: a script with no prompts (readline would act on Tab and control bytes).
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) { lines.append(line) }
        let code = ScriptFiles.run(source: lines.joined(separator: "\n"), file: "<stdin>", interpreter: interpreter, record: false)
        if code != 0 { throw ExitCode(code) }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a notebook or script; the first error stops it (exit code 2).")

    @Argument(help: "The .seqlab file.")
    var file: String

    @Flag(help: "Rewrite the file's recorded outputs (#> lines) with this run's.")
    var record = false

    func run() throws {
        guard let source = ScriptFiles.read(file) else { throw ExitCode(2) }
        let code = ScriptFiles.run(source: source, file: file, interpreter: Interpreter(registry: .standard()), record: record)
        if code != 0 { throw ExitCode(code) }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a notebook and compare every output with its recorded #> lines.",
        discussion: "Exit code 0 when all match, 1 at the first difference (shown), 2 on an error.")

    @Argument(help: "The .seqlab notebook.")
    var file: String

    @Option(help: "Let numbers differ by at most this much (default: exact text).")
    var tolerance: Double?

    func validate() throws {
        if let tolerance, !(tolerance >= 0) { throw ValidationError("--tolerance must be a number ≥ 0") }
    }

    func run() throws {
        guard let source = ScriptFiles.read(file) else { throw ExitCode(2) }
        let code = ScriptFiles.check(source: source, file: file, interpreter: Interpreter(registry: .standard()), tolerance: tolerance)
        if code != 0 { throw ExitCode(code) }
    }
}
