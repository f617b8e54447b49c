// `seqlab bench opq`: fitting VQ-Rec's quantiser at the reference's size. OPQ with faiss's
// OPQMatrix defaults (50 outer iterations; PQ 40 k-means iterations the first time, 4 after) for
// D 32 × K 256 on 1682 × 384 vectors (ml-100k's item count, MiniLM's width), then the whole
// OPQ32,IVF1,PQ32x8 fit and the encoding of every row. The vectors are clustered synthetic ones
// unless a raw float32 feature file (RecBole's .feat1CLS layout: rows × dimension, little-endian)
// is given.

import Foundation
import Quantization
import Tensors

/// Times OPQ and the VQ-Rec quantiser fit.
public enum OPQBenchmark {
    /// One measurement and its setup.
    public struct Result: Sendable {
        /// Rows, dimension, sub-spaces, centroids per sub-space, OPQ outer iterations, BLAS threads.
        public let rows: Int, dimension: Int, subspaces: Int, centroids: Int, iterations: Int, threads: Int
        /// Where the vectors came from ("synthetic" or the file path).
        public let source: String
        /// Seconds for OPQ training alone, on the wall clock and of CPU over all threads (the CPU
        /// figure shows what the wall clock hides when other processes share the cores).
        public let opqSeconds: Double, opqCPUSeconds: Double
        /// Seconds for the whole fit (OPQ, coarse centroid, residual PQ) plus encoding every row.
        public let pipelineSeconds: Double
        /// OPQ's reconstruction error at the first and the last outer iteration.
        public let firstError: Double, lastError: Double
        /// The fitted quantiser's reconstruction error on all rows, in the original space.
        public let pipelineError: Double
        /// max |RᵀR − I| of the learnt rotation.
        public let orthogonality: Float

        /// One JSON line.
        public var json: String {
            let fields: [(String, String)] = [
                ("bench", "\"opq\""), ("source", "\"\(source)\""), ("rows", "\(rows)"), ("dimension", "\(dimension)"),
                ("subspaces", "\(subspaces)"), ("centroids", "\(centroids)"), ("iterations", "\(iterations)"),
                ("threads", "\(threads)"), ("opq_seconds", String(format: "%.2f", opqSeconds)),
                ("opq_cpu_seconds", String(format: "%.2f", opqCPUSeconds)),
                ("pipeline_seconds", String(format: "%.2f", pipelineSeconds)),
                ("opq_error_first", String(format: "%.5g", firstError)), ("opq_error_last", String(format: "%.5g", lastError)),
                ("pipeline_error", String(format: "%.5g", pipelineError)),
                ("orthogonality", String(format: "%.2e", Double(orthogonality))),
            ]
            return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    /// Runs the benchmark with OpenBLAS on `threads` threads (restored afterwards).
    public static func run(rows: Int = 1682, dimension: Int = 384, subspaces: Int = 32, centroids: Int = 256,
                           iterations: Int = 50, featuresPath: String? = nil, threads: Int = 2,
                           seed: UInt64 = 0) throws -> Result {
        let savedThreads = BLAS.threads
        BLAS.threads = threads
        defer { BLAS.threads = savedThreads }
        let root = Seed(seed)
        let x = try featuresPath.map { try readFeatures($0, dimension: dimension) }
            ?? Vectors.clustered(rows: rows, dimension: dimension, clusters: 50, decay: 0.99, stream: root.stream("data"))
        let options = VQRecQuantizerOptions(subspaces: subspaces, centroids: centroids,
                                            opq: OPQOptions(iterations: iterations))
        let clock = ContinuousClock()
        var opq: OPQTraining?
        let cpu0 = cpuSeconds()
        let opqTime = try clock.measure { opq = try OPQ.train(x, options: options.opq, stream: root.stream("opq")) }
        let opqCPU = cpuSeconds() - cpu0
        var fit: VQRecQuantizer.Fit?
        let pipelineTime = try clock.measure {
            fit = try VQRecQuantizer.fit(x, trainingRows: Array(0..<x.rows), options: options, stream: root.stream("quantizer"))
            _ = try fit!.quantizer.codeIDs(x)
        }
        return Result(rows: x.rows, dimension: dimension, subspaces: subspaces, centroids: centroids, iterations: iterations,
                      threads: threads, source: featuresPath ?? "synthetic", opqSeconds: seconds(opqTime), opqCPUSeconds: opqCPU,
                      pipelineSeconds: seconds(pipelineTime), firstError: opq!.errors.first!, lastError: opq!.errors.last!,
                      pipelineError: fit!.reconstructionError, orthogonality: opq!.rotation.orthogonalityError)
    }

    /// Reads a raw little-endian float32 matrix of `dimension` columns.
    static func readFeatures(_ path: String, dimension: Int) throws -> Vectors {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count % (4 * dimension) == 0 else {
            throw QuantizationError.shapeMismatch(what: "\(path) (raw float32)", expected: "a multiple of \(4 * dimension) bytes "
                                                  + "(\(dimension) floats per row); pass --dimension", got: "\(data.count) bytes")
        }
        let values = data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        return try Vectors(rows: values.count / dimension, dimension: dimension, values: values)
    }

    /// CPU seconds this process has used, user and system, over all threads.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func value(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
