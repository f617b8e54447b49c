// The `seqlab` command: a thin layer over the library modules.
import ArgumentParser

@main
struct SeqLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seqlab",
        abstract: "A workbench for sequential recommendation and transfer learning.",
        subcommands: [BenchCommand.self])
}
