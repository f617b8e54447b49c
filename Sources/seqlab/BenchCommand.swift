// `seqlab bench`: benchmarks that print one JSON object per line.
import ArgumentParser
import Tensors
import CKernels
import Datasets

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark; prints one JSON object per line.",
        discussion: "Benchmarks: gemm; data (load + leave-one-out of ml-100k and of a 1M-interaction synthetic CSV).")

    @Argument(help: "Which benchmark: gemm, data.")
    var name: String

    func run() throws {
        switch name {
        case "gemm": print("not yet")
        case "data": for line in try DataBenchmark.run() { print(line) }
        default:
            throw ValidationError("unknown benchmark '\(name)'; choose one of: gemm, data")
        }
    }
}
