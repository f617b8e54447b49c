// `seqlab bench gemm`: the engine's matrix product against a plain C call of cblas_sgemm on the
// same sizes, in the same process, one after the other, at 1 and 2 threads (the engine's split
// products on SeqLab's threads, plain C on OpenBLAS's own).

import CKernels
import Tensors

/// The matrix-product benchmark.
public enum GemmBenchmark {
    /// The sizes of the issue: two squares, and the logits product of NextItNet (B·L = 1600 rows,
    /// 10,000 items, 64 channels).
    public static let defaultSizes: [(m: Int, n: Int, k: Int)] = [(512, 512, 512), (2048, 2048, 2048), (1600, 10_000, 64)]

    /// One JSON object per size: GFLOP/s of the engine and of plain C at each thread count, and
    /// their ratio (engine / C). Best of `repeats` timed calls after a warm-up.
    public static func run(sizes: [(m: Int, n: Int, k: Int)] = defaultSizes, threads: [Int] = [1, 2],
                           repeats: Int = 5) -> [String] {
        let savedThreads = BLAS.threads
        defer { BLAS.threads = savedThreads }
        var lines: [String] = []
        for (m, n, k) in sizes {
            var fields: [(String, String)] = [("bench", "\"gemm\""), ("m", "\(m)"), ("n", "\(n)"), ("k", "\(k)")]
            let flops = 2.0 * Double(m) * Double(n) * Double(k)
            for t in threads {
                BLAS.threads = t
                // Alternate engine and plain C calls so that drift in machine load hits both alike.
                let engine = EngineProduct(m: m, n: n, k: k)
                var engineBest = Double.infinity, plainBest = Double.infinity
                for _ in 0..<repeats {
                    engineBest = min(engineBest, engine.seconds())
                    plainBest = min(plainBest, BLAS.withOpenBLASThreads(t) { seqlab_plain_sgemm_seconds(Int32(m), Int32(n), Int32(k), 1) })
                }
                let engineRate = flops / engineBest / 1e9, plainRate = flops / plainBest / 1e9
                fields.append(("gflops_\(t)t", format(engineRate)))
                fields.append(("c_gflops_\(t)t", format(plainRate)))
                fields.append(("ratio_\(t)t", format(engineRate / plainRate, digits: 3)))
            }
            fields.append(("blas_core", "\"\(BLAS.coreName)\""))
            lines.append("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        }
        return lines
    }

    /// The engine's `Graph.matmul` on fixed operands, timed one call at a time.
    final class EngineProduct {
        let a: Tensor, b: Tensor
        let graph = Graph(recording: false)

        init(m: Int, n: Int, k: Int) {
            a = Tensor(zeros: [m, k])
            b = Tensor(zeros: [k, n])
            for i in 0..<a.count { a.pointer[i] = Float((i * 7919) % 1000) * 1e-3 - 0.5 }
            for i in 0..<b.count { b.pointer[i] = Float((i * 104_729) % 1000) * 1e-3 - 0.5 }
            _ = graph.matmul(a, b)   // warm-up; allocates the output once
        }

        /// Seconds for one product; the arena hands back the same output buffer each time.
        func seconds() -> Double {
            graph.reset()
            let t0 = seqlab_now_seconds()
            _ = graph.matmul(a, b)
            return seqlab_now_seconds() - t0
        }
    }

    static func format(_ x: Double, digits: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        return "\(r)"
    }
}
