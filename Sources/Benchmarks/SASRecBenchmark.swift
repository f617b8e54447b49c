// Training-step throughput of SASRec, the same step as ../shared/bench/torch_sasrec.py:
// random sequences [B, L + 1] of ids in 1..<N (no padding, so only the causal mask acts), forward
// with dropout on (the one rate for hidden and attention dropout, as the script's single nn.Dropout),
// full-softmax cross-entropy against the tied item table, backward, Adam (lr 1e-3).
//   objective all:  inputs s[:, :-1] predict s[:, 1:] at every position      (sequenceLoss)
//   objective last: inputs s[:, :-1] predict s[:, -1] from the last position  (prefixLoss, RecBole)
// Three warm-up steps (the first allocates the graph's arena), then `repeats` timed blocks of
// `steps` steps, each step on its own batch as torch does; the best block's mean is reported.

import Foundation
import Models
import Tensors

/// Times SASRec training steps on random data.
public enum SASRecBenchmark {
    /// Which rows carry loss terms.
    public enum Objective: String, Sendable, CaseIterable {
        /// Next item at every position.
        case all
        /// One term per sequence, at its last position (RecBole's prefix rows).
        case last
    }

    /// One measurement and its setup.
    public struct Result: Sendable {
        /// Items N, hidden H, layers, heads, inner width, dropout, batch B, length L, objective and BLAS threads.
        public let items: Int, hidden: Int, layers: Int, heads: Int, inner: Int, dropout: Float
        public let batch: Int, length: Int, objective: Objective, threads: Int
        /// Mean wall-clock milliseconds per training step (Adam included), best of the repetitions.
        public let msPerStep: Double
        /// Loss of the last timed step (a sanity check that the step computed something).
        public let lastLoss: Float

        /// Sequences per second.
        public var sequencesPerSecond: Double { Double(batch) / msPerStep * 1000 }

        /// One JSON line in the shape of the torch script's output.
        public var json: String {
            "{\"model\": \"sasrec\", \"framework\": \"seqlab\", \"items\": \(items), \"hidden\": \(hidden), "
                + "\"layers\": \(layers), \"heads\": \(heads), \"inner\": \(inner), "
                + "\"dropout\": \(String(format: "%g", Double(dropout))), \"batch\": \(batch), \"len\": \(length), "
                + "\"objective\": \"\(objective.rawValue)\", \"threads\": \(threads), "
                + "\"ms_per_step\": \(String(format: "%.2f", msPerStep)), "
                + "\"seq_per_s\": \(String(format: "%.1f", sequencesPerSecond))}"
        }
    }

    /// Runs 3 warm-up steps and `repeats` × `steps` timed steps with OpenBLAS on `threads` threads
    /// (restored afterwards). Data, weights and dropout come from root seed `seed`.
    public static func run(items: Int, hidden: Int = 64, layers: Int = 2, heads: Int = 2, inner: Int = 256,
                           dropout: Float = 0.5, batch: Int, length: Int, objective: Objective = .all,
                           threads: Int = 2, steps: Int = 20, repeats: Int = 1, seed: UInt64 = 0) -> Result {
        precondition(steps >= 1 && repeats >= 1 && batch >= 1 && length >= 1,
                     "benchmark needs positive steps, repeats, batch and length")
        let savedThreads = BLAS.threads
        BLAS.threads = threads
        defer { BLAS.threads = savedThreads }

        let root = Seed(seed)
        let configuration = SASRecConfiguration(items: items, hidden: hidden, layers: layers, heads: heads, inner: inner,
                                                maxLength: length, hiddenDropout: dropout, attentionDropout: dropout)
        let model = SASRec(configuration, seed: root)
        let adam = Adam(model.parameters, learningRate: 1e-3)
        let warmup = 3
        var data = root.stream("data")
        var rng = root.stream("dropout")
        // Per batch: inputs s[:, :-1] [B, L] and the targets of the objective.
        let batches: [(inputs: IndexTensor, targets: IndexTensor)] = (0..<(warmup + steps)).map { _ in
            let s = (0..<(batch * (length + 1))).map { _ in Int32(1 + data.int(below: items - 1)) }
            var inputs: [Int32] = [], next: [Int32] = [], last: [Int32] = []
            inputs.reserveCapacity(batch * length)
            next.reserveCapacity(batch * length)
            for b in 0..<batch {
                let row = s[(b * (length + 1))..<((b + 1) * (length + 1))]
                inputs += row.dropLast()
                next += row.dropFirst()
                last.append(row.last!)
            }
            let targets = objective == .all ? IndexTensor(shape: [batch, length], values: next) : IndexTensor(last)
            return (IndexTensor(shape: [batch, length], values: inputs), targets)
        }
        let lengths = [Int](repeating: length, count: batch)
        let graph = Graph()
        var lastLoss: Float = 0
        func step(_ b: (inputs: IndexTensor, targets: IndexTensor)) {
            graph.reset()
            let loss = switch objective {
            case .all:
                model.sequenceLoss(graph, inputs: b.inputs, targets: b.targets, objective: .fullSoftmax, rng: &rng)
            case .last:
                model.prefixLoss(graph, inputs: b.inputs, lengths: lengths, targets: b.targets, objective: .fullSoftmax,
                                 rng: &rng)
            }
            graph.backward(loss)
            adam.step()
            adam.zeroGradients()
            lastLoss = loss.item
        }
        for i in 0..<warmup { step(batches[i]) }
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<repeats {
            let elapsed = clock.measure {
                for i in 0..<steps { step(batches[warmup + i]) }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds / Double(steps) * 1000)
        }
        return Result(items: items, hidden: hidden, layers: layers, heads: heads, inner: inner, dropout: dropout,
                      batch: batch, length: length, objective: objective, threads: threads, msPerStep: best,
                      lastLoss: lastLoss)
    }
}
