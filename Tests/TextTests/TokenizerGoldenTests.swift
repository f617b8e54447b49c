// The WordPiece tokenizer against Hugging Face `tokenizers` 0.23.3: Golden/tokenizer-golden.tsv
// (written by Golden/make_tokenizer_golden.py from the wheel's tokenizer.json) holds the ids of 71
// tricky strings (accents, CJK, Hangul, emoji, control and format characters, special tokens,
// over-long words, truncation at 256). Ours, from vocab.txt, must give the same ids exactly.

import Foundation
import XCTest
@testable import Text

final class TokenizerGoldenTests: XCTestCase {
    static let goldenPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/tokenizer-golden.tsv").path

    /// (text, ids) per golden line.
    static func cases() throws -> [(text: String, ids: [Int32])] {
        let content = try String(contentsOfFile: goldenPath, encoding: .utf8)
        return try content.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            XCTAssertEqual(fields.count, 2, "golden line: \(line)")
            let text = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fields[0].utf8), options: .fragmentsAllowed) as? String)
            return (text, fields[1].split(separator: " ").map { Int32($0)! })
        }
    }

    func testIdsMatchHuggingFaceTokenizers() throws {
        let dir = try miniLMDirectory()
        let configuration = try MiniLMConfiguration.read(directory: dir)
        XCTAssertEqual(configuration.maxSequenceLength, 256, "max_seq_length of sentence_bert_config.json")
        let tokenizer = try WordPieceTokenizer(vocabulary: WordPieceVocabulary(contentsOf: dir + "/vocab.txt"),
                                               maxLength: configuration.maxSequenceLength)
        let cases = try Self.cases()
        XCTAssertEqual(cases.count, 71)
        var mismatches = 0
        for (text, expected) in cases {
            let ids = tokenizer.encode(text)
            if ids != expected {
                mismatches += 1
                XCTFail("\(text.debugDescription): got \(ids), tokenizers gives \(expected)")
            }
        }
        XCTAssertTrue(cases.contains { $0.ids.count == 256 }, "the golden includes a truncated case")
        print("tokenizer golden: \(cases.count - mismatches) of \(cases.count) strings identical")
    }
}
