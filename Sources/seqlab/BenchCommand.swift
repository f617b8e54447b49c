// `seqlab bench`: benchmarks that print one JSON object per line.
import ArgumentParser
import Benchmarks
import Datasets
import Tensors

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark; prints one JSON object per line.",
        discussion: """
            gemm  the engine's matrix product against a plain C call of cblas_sgemm, \
            at 1 and 2 threads (512³, 2048³, 1600×10000×64).
            data  load + leave-one-out of ml-100k and of a 1M-interaction synthetic CSV, with peak memory.
            """)

    @Argument(help: "Which benchmark: gemm, data.")
    var name: String

    @Option(help: "Timed repetitions per measurement (best is reported).")
    var repeats: Int = 5

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        switch name {
        case "gemm":
            for line in GemmBenchmark.run(repeats: repeats) { print(line) }
        case "data":
            for line in try DataBenchmark.run(repeats: repeats) { print(line) }
        default:
            throw ValidationError("unknown benchmark '\(name)'; choose one of: gemm, data")
        }
    }
}
