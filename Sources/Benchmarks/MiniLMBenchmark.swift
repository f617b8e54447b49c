// `seqlab bench minilm`: sentence vectors per second for item texts. The texts are the ml-100k items
// as "title year genres" (the text of ../shared/golden/minilm-ml100k.tsv) when the atomic files are
// there, else synthetic titles of the same shape from a seeded stream. Model loading is timed on
// its own; encoding is the best of `repeats` runs after one warm-up run.

import Foundation
import Tensors
import Text

/// Times the MiniLM encoder on item texts.
public enum MiniLMBenchmark {
    /// One measurement.
    public struct Result: Sendable {
        /// Where the texts came from (a path, or "synthetic").
        public let source: String
        /// Number of texts, their tokens ([CLS] and [SEP] included), BLAS threads, timed runs.
        public let texts: Int, tokens: Int, threads: Int, repeats: Int
        /// Seconds to read the model, and the best seconds to encode all texts.
        public let loadSeconds: Double, seconds: Double
        /// Floating-point operations of the dense products for these tokens (2 per multiply-add):
        /// the work is 2·tokens·layers·(4H² + 2HI), about 21 MFLOP a token for MiniLM, so the rate
        /// can be held against `seqlab bench gemm` measured at the same time.
        public let flops: Double

        /// GFLOP/s of the dense products.
        public var gflops: Double { flops / seconds / 1e9 }

        /// Texts encoded per second.
        public var textsPerSecond: Double { Double(texts) / seconds }

        /// The JSON line `seqlab bench` prints.
        public var json: String {
            "{\"bench\": \"minilm\", \"source\": \"\(source)\", \"texts\": \(texts), \"tokens\": \(tokens), "
                + "\"threads\": \(threads), \"load_seconds\": \(String(format: "%.3f", loadSeconds)), "
                + "\"seconds\": \(String(format: "%.3f", seconds)), "
                + "\"texts_per_second\": \(String(format: "%.1f", textsPerSecond)), "
                + "\"gflops\": \(String(format: "%.1f", gflops))}"
        }
    }

    /// Encodes `count` texts (default: every ml-100k item, or 1682 synthetic titles) with the model
    /// in `modelDirectory` (default: `ModelDirectory.resolve()`) on `threads` BLAS threads.
    public static func run(count: Int? = nil, modelDirectory: String? = nil, threads: Int = 2,
                           repeats: Int = 3) throws -> Result {
        let savedThreads = BLAS.threads
        BLAS.threads = threads
        defer { BLAS.threads = savedThreads }
        var (source, texts) = try SampleItemTexts.itemTexts()
        if let count {
            if texts.count < count {
                texts += SampleItemTexts.syntheticTitles(count - texts.count, seed: 0)
                source = source == "synthetic" ? source : source + " + synthetic"
            } else {
                texts = Array(texts.prefix(count))
            }
        }
        let clock = ContinuousClock()
        let loadStart = clock.now
        let encoder = try MiniLMEncoder(directory: modelDirectory)
        let load = clock.now - loadStart
        let tokens = texts.reduce(0) { $0 + encoder.tokenizer.encode($1).count }
        _ = try encoder.encode(texts)
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = clock.now
            _ = try encoder.encode(texts)
            best = min(best, seconds(clock.now - start))
        }
        let c = encoder.configuration
        let flops = 2 * Double(tokens) * Double(c.layers) * Double(4 * c.hidden * c.hidden + 2 * c.hidden * c.intermediate)
        return Result(source: source, texts: texts.count, tokens: tokens, threads: threads, repeats: max(1, repeats),
                      loadSeconds: seconds(load), seconds: best, flops: flops)
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
