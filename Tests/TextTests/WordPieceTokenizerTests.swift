// WordPiece on a small hand-made vocabulary: greedy longest match, "##" continuations, [UNK] for
// unsplittable or over-long words, special tokens written in the text, truncation, and the
// vocabulary file's errors.

import Foundation
import XCTest
@testable import Text

final class WordPieceTokenizerTests: XCTestCase {
    static let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "aff", "able",
                         "##a", "##b", "a", "b", "star", "wars", "!", "'", "s", "한"]

    func tokenizer(maxLength: Int = 512, maxWordLength: Int = 100) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: WordPieceVocabulary(tokens: Self.tokens), maxLength: maxLength,
                               maxWordLength: maxWordLength)
    }

    func testGreedyLongestMatchWithContinuations() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.tokens("unaffable"), ["[CLS]", "un", "##aff", "##able", "[SEP]"])
        XCTAssertEqual(t.tokens("Star WARS!"), ["[CLS]", "star", "wars", "!", "[SEP]"])
        XCTAssertEqual(t.tokens("abab"), ["[CLS]", "a", "##b", "##a", "##b", "[SEP]"])
        XCTAssertEqual(t.encode(""), [2, 3], "the empty text is [CLS] [SEP]")
    }

    func testUnsplittableAndOverlongWordsAreOneUnknown() throws {
        let t = try tokenizer(maxWordLength: 6)
        XCTAssertEqual(t.tokens("unaffx star"), ["[CLS]", "[UNK]", "star", "[SEP]"], "a rest with no piece makes the whole word [UNK]")
        XCTAssertEqual(t.tokens("abababa"), ["[CLS]", "[UNK]", "[SEP]"], "7 scalars > maxWordLength 6")
        XCTAssertEqual(t.tokens("ababab"), ["[CLS]", "a", "##b", "##a", "##b", "##a", "##b", "[SEP]"])
    }

    func testSpecialTokensInTheTextAreKeptCaseSensitively() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.tokens("a[MASK]b [SEP]"), ["[CLS]", "a", "[MASK]", "b", "[SEP]", "[SEP]"])
        XCTAssertEqual(t.tokens("[mask]"), ["[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"], "lowercase is ordinary text: [, mask, ]")
    }

    func testTruncationKeepsClsAndSep() throws {
        let t = try tokenizer(maxLength: 4)
        XCTAssertEqual(t.tokens("star wars star wars"), ["[CLS]", "star", "wars", "[SEP]"])
        XCTAssertEqual(t.pieces("star wars star wars").count, 4, "pieces are not truncated")
    }

    func testLookupIsByExactScalarsNotCanonicalEquivalence() throws {
        // NFD turns 한 into three jamo; Swift's String == would match them with the precomposed
        // vocabulary entry, Hugging Face compares bytes and does not.
        let t = try tokenizer()
        XCTAssertEqual(t.tokens("한"), ["[CLS]", "[UNK]", "[SEP]"])
        XCTAssertEqual(t.vocabulary.id(of: "한"), 19)
        XCTAssertNil(t.vocabulary.id(of: "\u{1112}\u{1161}\u{11AB}"))
    }

    func testVocabularyErrorsNameTheFileAndLine() throws {
        let dir = try scratchDirectory("vocab")
        let path = dir + "/vocab.txt"
        try "[PAD]\n[UNK]\nstar\nstar\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try WordPieceVocabulary(contentsOf: path)) { error in
            XCTAssertEqual("\(error)", "\(path):4: error: token 'star' already appears on line 3; a WordPiece vocabulary lists each token once")
        }
        try "[PAD]\n\nstar\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try WordPieceVocabulary(contentsOf: path)) { error in
            XCTAssertEqual((error as? TextError)?.line, 2)
        }
        XCTAssertThrowsError(try WordPieceVocabulary(contentsOf: dir + "/absent.txt")) { error in
            XCTAssertTrue("\(error)".contains("make models"), "\(error)")
        }
        try "[PAD]\n[UNK]\n[SEP]\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try WordPieceTokenizer(vocabulary: WordPieceVocabulary(contentsOf: path), source: path)) { error in
            XCTAssertEqual("\(error)", "\(path): error: the vocabulary has no [CLS] token; it is not a BERT WordPiece vocabulary")
        }
    }
}
