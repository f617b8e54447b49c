// `seqlab bench`: benchmarks that print one JSON object per line.
import ArgumentParser
import Tensors
import CKernels

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark; prints one JSON object per line.",
        discussion: "Benchmarks: gemm.")

    @Argument(help: "Which benchmark: gemm.")
    var name: String

    func run() throws {
        switch name {
        case "gemm": print("not yet")
        default:
            throw ValidationError("unknown benchmark '\(name)'; choose one of: gemm")
        }
    }
}
