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
            sasrec  one training step (dropout on, full softmax CE at every position or at the last, Adam) \
                  on random sequences, the same step and flags as ../shared/bench/torch_sasrec.py.
            minilm  all-MiniLM-L6-v2 sentence vectors of the ml-100k item texts ("title year genres"; \
                  synthetic titles when Data/ml-100k is absent); needs `make models`.
            opq   VQ-Rec's quantiser: OPQ (faiss's OPQMatrix defaults) and the whole OPQ32,IVF1,PQ32x8 fit \
                  on 1682×384 clustered synthetic vectors, or on a raw float32 --features file.
            """)

    @Argument(help: "Which benchmark: gemm, data, nextitnet, sasrec, minilm, opq.")
    var name: String

    @Option(help: "nextitnet, sasrec: number of items.") var items: Int = 10_000
    @Option(help: "nextitnet: channels.") var channels: Int = 64
    @Option(help: "nextitnet: kernel size.") var kernel: Int = 3
    @Option(help: "nextitnet: comma-separated dilations (each block uses d and 2d).") var dilations: String = "1,4,1,4"
    @Option(help: "sasrec: hidden size.") var hidden: Int = 64
    @Option(help: "sasrec: transformer layers.") var layers: Int = 2
    @Option(help: "sasrec: attention heads.") var heads: Int = 2
    @Option(help: "sasrec: feed-forward width.") var inner: Int = 256
    @Option(help: "sasrec: dropout rate (hidden and attention).") var dropout: Float = 0.5
    @Option(help: "sasrec: all (next item at every position) or last (RecBole prefix rows).")
    var objective: String = "all"
    @Option(help: "nextitnet, sasrec: sequences per step (default 32 nextitnet, 256 sasrec).") var batch: Int?
    @Option(help: "nextitnet, sasrec: sequence length.") var len: Int = 50
    @Option(help: "nextitnet, sasrec: timed steps after 3 warm-up steps (default 30 nextitnet, 20 sasrec).")
    var steps: Int?
    @Option(help: "minilm: number of texts (default: every ml-100k item; synthetic titles fill up).") var texts: Int?
    @Option(help: "minilm: model directory (default: $SEQLAB_MODELS/all-minilm-l6-v2, else Data/models/all-minilm-l6-v2).")
    var model: String?
    @Option(help: "nextitnet, sasrec, minilm, opq: threads (SeqLab splits products and loops over them).") var threads: Int = 2
    @Option(help: "opq: synthetic vectors to quantise.") var rows: Int = 1682
    @Option(help: "opq: vector dimension.") var dimension: Int = 384
    @Option(help: "opq: sub-spaces D (must divide the dimension).") var subspaces: Int = 32
    @Option(help: "opq: centroids per sub-space K (at most 256).") var centroids: Int = 256
    @Option(help: "opq: OPQ outer iterations.") var iterations: Int = 50
    @Option(help: "opq: raw little-endian float32 features (rows × dimension) instead of synthetic vectors.")
    var features: String?

    @Option(help: "Timed repetitions per measurement, best is reported (default 5; sasrec, minilm 3).")
    var repeats: Int?

    func validate() throws {
        guard (repeats ?? 1) >= 1 else { throw ValidationError("--repeats must be at least 1") }
        for (flag, value) in [("--items", items), ("--channels", channels), ("--kernel", kernel), ("--batch", batch ?? 1),
                              ("--len", len), ("--steps", steps ?? 1), ("--threads", threads), ("--hidden", hidden),
                              ("--layers", layers), ("--heads", heads), ("--inner", inner), ("--texts", texts ?? 1), ("--rows", rows),
                              ("--dimension", dimension), ("--subspaces", subspaces), ("--centroids", centroids),
                              ("--iterations", iterations)] where value < 1 {
            throw ValidationError("\(flag) must be at least 1, got \(value)")
        }
        if name == "sasrec" {
            guard SASRecBenchmark.Objective(rawValue: objective) != nil else {
                throw ValidationError("--objective must be all or last, got \(objective)")
            }
            let size = TransformerSize(hidden: hidden, layers: layers, heads: heads, inner: inner, maxLength: len,
                                       hiddenDropout: dropout, attentionDropout: dropout)
            if let problem = SASRecConfiguration.problem(items: items, size: size) {
                throw ValidationError(problem)
            }
        }
        guard parsedDilations != nil else { throw ValidationError("--dilations must be positive integers separated by commas, e.g. 1,4,1,4") }
    }

    var parsedDilations: [Int]? {
        let parts = dilations.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        return parts.map { $0! }
    }

    /// A benchmark's JSON line with the kernel set it ran on and who chose it (speed depends on
    /// both: SeqLab pins the AVX2 set; SEQLAB_BLAS_KERNELS=native lets OpenBLAS choose).
    func stamped(_ line: String) -> String {
        guard line.hasSuffix("}") else { return line }
        return String(line.dropLast()) + ", \"kernels\": \"\(BLAS.coreName)\", \"kernels_chosen_by\": \"\(KernelPinning.kernelChoice)\", "
            + "\"threads_available\": \(BLAS.threads)}"
    }

    func run() throws {
        let print: (String) -> Void = { Swift.print(stamped($0)) }
        switch name {
        case "gemm":
            for line in GemmBenchmark.run(repeats: repeats ?? 5) { print(line) }
        case "data":
            for line in try DataBenchmark.run(repeats: repeats ?? 5) { print(line) }
        case "nextitnet":
            print(NextItNetBenchmark.run(items: items, batch: batch ?? 32, length: len, channels: channels, kernel: kernel,
                                         dilations: parsedDilations!, threads: threads, steps: steps ?? 30).json)
        case "sasrec":
            print(SASRecBenchmark.run(items: items, hidden: hidden, layers: layers, heads: heads, inner: inner,
                                      dropout: dropout, batch: batch ?? 256, length: len,
                                      objective: SASRecBenchmark.Objective(rawValue: objective)!, threads: threads,
                                      steps: steps ?? 20, repeats: repeats ?? 3).json)
        case "minilm":
            print(try MiniLMBenchmark.run(count: texts, modelDirectory: model, threads: threads, repeats: repeats ?? 3).json)
        case "opq":
            print(try OPQBenchmark.run(rows: rows, dimension: dimension, subspaces: subspaces, centroids: centroids,
                                       iterations: iterations, featuresPath: features, threads: threads).json)
        default:
            throw ValidationError("unknown benchmark '\(name)'; choose one of: gemm, data, nextitnet, sasrec, minilm, opq")
        }
    }
}
