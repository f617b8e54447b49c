// Paths the text tests share (the package root, the downloaded model, the shared golden files),
// and a tiny random BERT written to a temporary directory so that loading errors and the batched
// forward pass are tested without the 85 MB download.

import Foundation
import Tensors
import TestSupport
import XCTest
@testable import Text

/// The package root (three levels above this file).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The all-MiniLM-L6-v2 directory `make models` fills ($SEQLAB_MODELS honoured); skips the test with
/// a printed reason when the files are not there.
func miniLMDirectory() throws -> String {
    let dir = ModelDirectory.resolve(root: packageRoot)
    for file in ["config.json", "vocab.txt", "model.safetensors", "sentence_bert_config.json"]
    where !FileManager.default.fileExists(atPath: dir + "/" + file) {
        try skipTest("\(dir)/\(file) is missing (run make models to fetch all-MiniLM-L6-v2)")
    }
    return dir
}

/// A file in ../shared/golden (outside the repository); skips the test with a printed reason when
/// absent, or fails it under SEQLAB_REQUIRE_SHARED=1 (CI).
func sharedGolden(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    try sharedPath("golden/" + name, file: file, line: line)
}

/// A fresh empty directory under the system temporary directory.
func scratchDirectory(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-text-\(getpid())-\(name)").path
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Cosine of two equal-length vectors.
func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
    return dot / (na.squareRoot() * nb.squareRoot())
}

/// Row i of a row-major matrix of the given width.
func row(_ m: [Float], _ i: Int, width: Int) -> ArraySlice<Float> { m[(i * width)..<((i + 1) * width)] }

/// A tiny BERT sentence-transformers directory with random weights: hidden 8, 2 heads, 2 layers,
/// intermediate 16, a 20-token vocabulary, max_seq_length 10.
struct TinyModel {
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "star", "wars", "return", "of", "the",
                             "jedi", "toy", "story", "##s", "1995", "comedy", "drama", "!", ":", "a"]
    static let configuration = MiniLMConfiguration(vocabularySize: vocabulary.count, hidden: 8, layers: 2, heads: 2,
                                                   intermediate: 16, maxPositions: 12, maxSequenceLength: 10)
    let directory: String
    /// Every tensor by name, as written.
    let tensors: [String: [Float]]
    let names: [(name: String, shape: [Int])]

    /// Writes the model into a fresh scratch directory `name`; `mutate` may drop or reshape tensors.
    init(_ name: String, seed: UInt64 = 1,
         mutate: (inout [(name: String, shape: [Int], values: [Float])]) -> Void = { _ in }) throws {
        let c = Self.configuration
        directory = try scratchDirectory(name)
        var random = Seed(seed).stream("tiny-bert")
        var list: [(name: String, shape: [Int], values: [Float])] = []
        func add(_ name: String, _ shape: [Int], std: Float = 0.5, mean: Float = 0) {
            list.append((name, shape, (0..<shape.reduce(1, *)).map { _ in random.normal(mean: mean, std: std) }))
        }
        let h = c.hidden, i = c.intermediate
        add("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        add("embeddings.position_embeddings.weight", [c.maxPositions, h])
        add("embeddings.token_type_embeddings.weight", [2, h])
        add("embeddings.LayerNorm.weight", [h], std: 0.1, mean: 1)
        add("embeddings.LayerNorm.bias", [h], std: 0.1)
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            for part in ["query", "key", "value"] {
                add(p + "attention.self.\(part).weight", [h, h])
                add(p + "attention.self.\(part).bias", [h], std: 0.1)
            }
            add(p + "attention.output.dense.weight", [h, h])
            add(p + "attention.output.dense.bias", [h], std: 0.1)
            add(p + "attention.output.LayerNorm.weight", [h], std: 0.1, mean: 1)
            add(p + "attention.output.LayerNorm.bias", [h], std: 0.1)
            add(p + "intermediate.dense.weight", [i, h])
            add(p + "intermediate.dense.bias", [i], std: 0.1)
            add(p + "output.dense.weight", [h, i])
            add(p + "output.dense.bias", [h], std: 0.1)
            add(p + "output.LayerNorm.weight", [h], std: 0.1, mean: 1)
            add(p + "output.LayerNorm.bias", [h], std: 0.1)
        }
        mutate(&list)
        var tensors: [String: [Float]] = [:]
        for t in list { tensors[t.name] = t.values }
        self.tensors = tensors
        names = list.map { ($0.name, $0.shape) }
        try SafetensorsWriter.write(list.map { ($0.name, .float(Tensor(shape: $0.shape, scalars: $0.values))) },
                                    metadata: ["format": "pt"], to: directory + "/model.safetensors")
        try Self.vocabulary.joined(separator: "\n").appending("\n")
            .write(toFile: directory + "/vocab.txt", atomically: true, encoding: .utf8)
        try """
            {"hidden_size": \(h), "num_hidden_layers": \(c.layers), "num_attention_heads": \(c.heads), \
            "intermediate_size": \(i), "vocab_size": \(c.vocabularySize), "max_position_embeddings": \(c.maxPositions), \
            "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu", "model_type": "bert"}
            """.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        try #"{"max_seq_length": \#(c.maxSequenceLength), "do_lower_case": false}"#
            .write(toFile: directory + "/sentence_bert_config.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/1_Pooling", withIntermediateDirectories: true)
        try #"{"word_embedding_dimension": \#(h), "pooling_mode_mean_tokens": true, "pooling_mode_cls_token": false}"#
            .write(toFile: directory + "/1_Pooling/config.json", atomically: true, encoding: .utf8)
    }

    /// The sentence vector of one id sequence by the textbook formulas, one token and one head at
    /// a time in Double, with no padding, batching, BLAS or vectorised kernels: an independent check
    /// of the encoder's forward pass.
    func reference(_ ids: [Int32]) -> [Float] {
        let c = Self.configuration, h = c.hidden, dh = c.headWidth, n = ids.count
        func t(_ name: String) -> [Double] { tensors[name]!.map(Double.init) }
        func layerNorm(_ x: [Double], _ prefix: String) -> [Double] {
            let g = t(prefix + ".weight"), b = t(prefix + ".bias")
            let mean = x.reduce(0, +) / Double(h)
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(h)
            return (0..<h).map { (x[$0] - mean) / (variance + 1e-12).squareRoot() * g[$0] + b[$0] }
        }
        func linear(_ x: [Double], _ prefix: String, out: Int) -> [Double] {
            let w = t(prefix + ".weight"), b = t(prefix + ".bias"), inputs = x.count
            return (0..<out).map { o in b[o] + (0..<inputs).reduce(0.0) { $0 + w[o * inputs + $1] * x[$1] } }
        }
        let word = t("embeddings.word_embeddings.weight"), position = t("embeddings.position_embeddings.weight")
        let type = t("embeddings.token_type_embeddings.weight")
        var x = (0..<n).map { p in
            layerNorm((0..<h).map { word[Int(ids[p]) * h + $0] + position[p * h + $0] + type[$0] }, "embeddings.LayerNorm")
        }
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            let q = x.map { linear($0, p + "attention.self.query", out: h) }
            let k = x.map { linear($0, p + "attention.self.key", out: h) }
            let v = x.map { linear($0, p + "attention.self.value", out: h) }
            var context = [[Double]](repeating: [Double](repeating: 0, count: h), count: n)
            for head in 0..<c.heads {
                let cols = (head * dh)..<((head + 1) * dh)
                for i in 0..<n {
                    let scores = (0..<n).map { j in cols.reduce(0.0) { $0 + q[i][$1] * k[j][$1] } / Double(dh).squareRoot() }
                    let m = scores.max()!
                    let e = scores.map { exp($0 - m) }
                    let z = e.reduce(0, +)
                    for col in cols { context[i][col] = (0..<n).reduce(0.0) { $0 + e[$1] / z * v[$1][col] } }
                }
            }
            let a = (0..<n).map { i in
                layerNorm(zip(linear(context[i], p + "attention.output.dense", out: h), x[i]).map(+), p + "attention.output.LayerNorm")
            }
            x = (0..<n).map { i in
                let inner = linear(a[i], p + "intermediate.dense", out: c.intermediate).map { $0 * 0.5 * (1 + erf($0 / 2.0.squareRoot())) }
                return layerNorm(zip(linear(inner, p + "output.dense", out: h), a[i]).map(+), p + "output.LayerNorm")
            }
        }
        let mean = (0..<h).map { j in x.reduce(0.0) { $0 + $1[j] } / Double(n) }
        let norm = mean.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        return mean.map { Float($0 / norm) }
    }
}
