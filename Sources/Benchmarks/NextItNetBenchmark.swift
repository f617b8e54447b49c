// Training-step throughput of NextItNet, the same step as ../shared/bench/torch_nextitnet.py:
// random sequences [B, L + 1] of ids in 1..<N, forward, full-softmax cross-entropy at every
// position, backward, Adam (lr 1e-3). Three warm-up steps (the first allocates the graph's arena),
// then the mean over `steps` timed steps, each on its own batch as torch does.

import Foundation
import Models
import Tensors

/// Times NextItNet training steps on random data.
public enum NextItNetBenchmark {
    /// One measurement and its setup.
    public struct Result: Sendable {
        /// Item count N, batch B, length L, channels C, kernel k, dilations and BLAS threads used.
        public let items: Int, batch: Int, length: Int, channels: Int, kernel: Int, dilations: [Int], threads: Int
        /// Mean wall-clock milliseconds per training step (Adam included).
        public let msPerStep: Double
        /// Loss of the last timed step (a sanity check that the step computed something).
        public let lastLoss: Float

        /// Sequences per second.
        public var sequencesPerSecond: Double { Double(batch) / msPerStep * 1000 }

        /// One JSON line in the shape of the torch script's output.
        public var json: String {
            let d = dilations.map(String.init).joined(separator: ",")
            return "{\"model\": \"nextitnet\", \"framework\": \"seqlab\", \"items\": \(items), \"channels\": \(channels), "
                + "\"kernel\": \(kernel), \"dilations\": \"\(d)\", \"batch\": \(batch), \"len\": \(length), "
                + "\"threads\": \(threads), \"ms_per_step\": \(String(format: "%.2f", msPerStep)), "
                + "\"seq_per_s\": \(String(format: "%.1f", sequencesPerSecond))}"
        }
    }

    /// Milliseconds per training step for the given sizes (see `run`).
    public static func msPerStep(items: Int, batch: Int, length: Int, channels: Int = 64, kernel: Int = 3,
                                 dilations: [Int] = [1, 4, 1, 4], threads: Int = 2, steps: Int = 30) -> Double {
        run(items: items, batch: batch, length: length, channels: channels, kernel: kernel, dilations: dilations,
            threads: threads, steps: steps).msPerStep
    }

    /// Runs `3 + steps` training steps with OpenBLAS on `threads` threads (restored afterwards) and
    /// returns the timing of the last `steps`. Data and weights come from root seed `seed`.
    public static func run(items: Int, batch: Int, length: Int, channels: Int = 64, kernel: Int = 3,
                           dilations: [Int] = [1, 4, 1, 4], threads: Int = 2, steps: Int = 30,
                           seed: UInt64 = 0) -> Result {
        precondition(steps >= 1 && batch >= 1 && length >= 1, "benchmark needs positive steps, batch and length")
        let savedThreads = BLAS.threads
        BLAS.threads = threads
        defer { BLAS.threads = savedThreads }

        let root = Seed(seed)
        let model = NextItNet(NextItNetConfiguration(items: items, channels: channels, kernel: kernel, dilations: dilations),
                              seed: root)
        let adam = Adam(model.parameters, learningRate: 1e-3)
        let warmup = 3
        var data = root.stream("data")
        let batches = (0..<(warmup + steps)).map { _ in
            IndexTensor(shape: [batch, length + 1],
                        values: (0..<(batch * (length + 1))).map { _ in Int32(1 + data.int(below: items - 1)) })
        }
        let graph = Graph()
        var lastLoss: Float = 0
        func step(_ sequences: IndexTensor) {
            graph.reset()
            let loss = model.loss(graph, sequences: sequences)
            graph.backward(loss)
            adam.step()
            adam.zeroGradients()
            lastLoss = loss.item
        }
        for i in 0..<warmup { step(batches[i]) }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for i in 0..<steps { step(batches[warmup + i]) }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Result(items: items, batch: batch, length: length, channels: channels, kernel: kernel,
                      dilations: dilations, threads: threads, msPerStep: seconds / Double(steps) * 1000,
                      lastLoss: lastLoss)
    }
}
