// `seqlab bench`: benchmarks that print one JSON object per line.
import ArgumentParser
import Benchmarks
import Datasets
import Models
import Tensors

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark; prints one JSON object per line.",
        discussion: """
            gemm  the engine's matrix product against a plain C call of cblas_sgemm, \
            at 1 and 2 threads (512³, 2048³, 1600×10000×64).
            data  load + leave-one-out of ml-100k and of a 1M-interaction synthetic CSV, with peak memory.
            nextitnet  one training step (full softmax at every position, Adam) on random sequences,
                  the same step and flags as ../shared/bench/torch_nextitnet.py.
            """)

    @Argument(help: "Which benchmark: gemm, data, nextitnet.")
    var name: String

    @Option(help: "nextitnet: number of items.") var items: Int = 10_000
    @Option(help: "nextitnet: channels.") var channels: Int = 64
    @Option(help: "nextitnet: kernel size.") var kernel: Int = 3
    @Option(help: "nextitnet: comma-separated dilations (each block uses d and 2d).") var dilations: String = "1,4,1,4"
    @Option(help: "nextitnet: sequences per step.") var batch: Int = 32
    @Option(help: "nextitnet: sequence length.") var len: Int = 50
    @Option(help: "nextitnet: timed steps (after 3 warm-up steps).") var steps: Int = 30
    @Option(help: "nextitnet: OpenBLAS threads.") var threads: Int = 2

    @Option(help: "Timed repetitions per measurement (best is reported).")
    var repeats: Int = 5

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        for (flag, value) in [("--items", items), ("--channels", channels), ("--kernel", kernel), ("--batch", batch),
                              ("--len", len), ("--steps", steps), ("--threads", threads)] where value < 1 {
            throw ValidationError("\(flag) must be at least 1, got \(value)")
        }
        guard parsedDilations != nil else { throw ValidationError("--dilations must be positive integers separated by commas, e.g. 1,4,1,4") }
    }

    var parsedDilations: [Int]? {
        let parts = dilations.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        return parts.map { $0! }
    }

    func run() throws {
        switch name {
        case "gemm":
            for line in GemmBenchmark.run(repeats: repeats) { print(line) }
        case "data":
            for line in try DataBenchmark.run(repeats: repeats) { print(line) }
        case "nextitnet":
            print(NextItNetBenchmark.run(items: items, batch: batch, length: len, channels: channels, kernel: kernel,
                                         dilations: parsedDilations!, threads: threads, steps: steps).json)
        default:
            throw ValidationError("unknown benchmark '\(name)'; choose one of: gemm, data, nextitnet")
        }
    }
}
