// all-MiniLM-L6-v2 against sentence-transformers 6.2.0: ../shared/golden/minilm-ml100k.tsv holds the
// embeddings of 50 ml-100k item texts. Every one of ours must have cosine ≥ 0.9999 with its
// reference. Also checked on the real model: batching and padding change nothing, results come
// back in input order, and the empty text is the [CLS] [SEP] vector.

import Foundation
import Tensors
import XCTest
@testable import Text

final class MiniLMGoldenTests: XCTestCase {
    /// (item id, text, reference vector) per golden line.
    static func golden() throws -> [(item: String, text: String, vector: [Float])] {
        let path = try sharedGolden("minilm-ml100k.tsv")
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { line in
                let f = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard f.count == 3 else { throw TextError(file: path, "expected 3 tab-separated fields in \(line)") }
                return (String(f[0]), String(f[1]), f[2].split(separator: ",").map { Float($0)! })
            }
    }

    func testEmbeddingsMatchSentenceTransformers() throws {
        let golden = try Self.golden()
        let encoder = try MiniLMEncoder(directory: try miniLMDirectory())
        XCTAssertEqual(golden.count, 50)
        XCTAssertEqual(encoder.width, 384)
        let vectors = try encoder.encode(golden.map(\.text))
        var worst = (cosine: 1.0, item: "")
        for (i, g) in golden.enumerated() {
            XCTAssertEqual(g.vector.count, 384)
            let c = cosine(row(vectors, i, width: 384), g.vector[...])
            if c < worst.cosine { worst = (c, g.item) }
            XCTAssertGreaterThanOrEqual(c, 0.9999, "item \(g.item) \(g.text.debugDescription)")
            let maxDifference = zip(row(vectors, i, width: 384), g.vector).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(maxDifference, 1e-4, "item \(g.item): largest coordinate difference")
        }
        print("minilm golden: min cosine \(worst.cosine) (item \(worst.item)) over \(golden.count) texts")
    }

    func testBatchingPaddingAndOrderDoNotChangeVectors() throws {
        let golden = try Self.golden()
        let texts = golden.map(\.text) + ["", "Star Wars (1977)", String(repeating: "very long title ", count: 120)]
        // Tiny batches (one sequence each, no padding) against the default batches (padding inside).
        let batched = try MiniLMEncoder(directory: try miniLMDirectory())
        let single = try MiniLMEncoder(directory: try miniLMDirectory(), batchRows: 1)
        let a = try batched.encode(texts), b = try single.encode(texts)
        let reversed = try batched.encode(texts.reversed())
        for i in texts.indices {
            for j in 0..<384 {
                XCTAssertEqual(a[i * 384 + j], b[i * 384 + j], accuracy: 2e-6, "text \(i) coordinate \(j)")
                XCTAssertEqual(a[i * 384 + j], reversed[(texts.count - 1 - i) * 384 + j], accuracy: 2e-6, "text \(i) reversed")
            }
        }
        let clsSep = try batched.encode(tokenIDs: [[101, 102]])
        for j in 0..<384 { XCTAssertEqual(a[golden.count * 384 + j], clsSep[j], accuracy: 2e-6, "the empty text is [CLS] [SEP]") }
        XCTAssertEqual(batched.tokenizer.encode(texts.last!).count, 256, "the long text was truncated to max_seq_length")
        let norm = row(a, texts.count - 1, width: 384).reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(norm, 1, accuracy: 1e-5)
    }
}
