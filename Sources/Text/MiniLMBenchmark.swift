// `seqlab bench minilm`: sentence vectors per second for item texts. The texts are the ml-100k items
// as "title year genres" (the text of ../shared/golden/minilm-ml100k.tsv) when the atomic files are
// there, else synthetic titles of the same shape from a seeded stream. Model loading is timed on
// its own; encoding is the best of `repeats` runs after one warm-up run.

import Foundation
import Tensors

/// Times the MiniLM encoder on item texts.
public enum MiniLMBenchmark {
    /// Where `ml-100k.item` is looked for: `make data`'s copy first, then the shared one.
    public static let itemFiles = ["Data/ml-100k/ml-100k.item", "../shared/data/ml-100k/ml-100k.item"]

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
        var (source, texts) = try itemTexts()
        if let count {
            if texts.count < count {
                texts += syntheticTitles(count - texts.count, seed: 0)
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

    /// The ml-100k item texts "title year genres" in file order, or 1682 synthetic titles when no
    /// item file is found.
    public static func itemTexts() throws -> (source: String, texts: [String]) {
        guard let path = itemFiles.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return ("synthetic", syntheticTitles(1682, seed: 0))
        }
        return (path, try ml100kItemTexts(path: path))
    }

    /// Reads an ml-100k.item atomic file: the text of each item is its title, year and genres
    /// joined by spaces (empty fields skipped).
    public static func ml100kItemTexts(path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw TextError(file: path, "cannot read the file as UTF-8; run `make data` to refetch it")
        }
        var texts: [String] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if i == 0 || line.isEmpty { continue }   // the header names the columns
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 4 else {
                throw TextError(file: path, line: i + 1, "expected 4 tab-separated fields (id, title, year, genres), found \(fields.count)")
            }
            texts.append(fields[1...3].filter { !$0.isEmpty }.joined(separator: " "))
        }
        return texts
    }

    /// `count` made-up movie titles shaped like ml-100k's ("Night of the Blue River 1994 Drama
    /// Thriller"), from the stream "bench.titles" of `seed`.
    public static func syntheticTitles(_ count: Int, seed: UInt64) -> [String] {
        let words = ["Night", "Day", "Blue", "River", "Return", "Last", "King", "Love", "War", "Star", "Dark", "City",
                     "Man", "Woman", "House", "Dead", "Story", "Big", "Little", "Secret", "Lost", "Game", "Heart",
                     "Journey", "Fire", "Island", "Ghost", "Dream", "Shadow", "Summer"]
        let genres = ["Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
                      "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War",
                      "Western"]
        var random = Seed(seed).stream("bench.titles")
        return (0..<count).map { _ in
            var parts = (0..<(1 + random.int(below: 5))).map { _ in words[random.int(below: words.count)] }
            if random.bernoulli(0.3) { parts.insert("The", at: 0) }
            parts.append(String(1930 + random.int(below: 68)))
            parts += (0..<(1 + random.int(below: 3))).map { _ in genres[random.int(below: genres.count)] }
            return parts.joined(separator: " ")
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
