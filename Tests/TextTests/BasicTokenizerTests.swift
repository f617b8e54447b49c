// BERT's basic tokenisation on cases whose answer is known by hand (no model files needed); the
// golden file checks the same rules against Hugging Face `tokenizers` on the real vocabulary.

import XCTest
@testable import Text

final class BasicTokenizerTests: XCTestCase {
    let basic = BasicTokenizer()

    func testLowercasesStripsAccentsAndSplitsPunctuation() {
        XCTAssertEqual(basic.words("Café Crème!"), ["cafe", "creme", "!"])
        XCTAssertEqual(basic.words("Children's"), ["children", "'", "s"])
        XCTAssertEqual(basic.words("naïve... (1995)"), ["naive", ".", ".", ".", "(", "1995", ")"])
        XCTAssertEqual(basic.words("$5+3=8^2"), ["$", "5", "+", "3", "=", "8", "^", "2"], "ASCII symbols count as punctuation")
        XCTAssertEqual(basic.words("«Amélie»"), ["«", "amelie", "»"])
    }

    func testCleansControlCharactersAndWhitespace() {
        XCTAssertEqual(basic.words("a\u{0}b\u{FFFD}c\u{7}d"), ["abcd"], "NUL, U+FFFD and controls are dropped")
        XCTAssertEqual(basic.words("soft\u{AD}hyphen zero\u{200B}width"), ["softhyphen", "zerowidth"], "format characters are dropped")
        XCTAssertEqual(basic.words("tab\there\nnew\u{A0}nbsp\u{3000}ideographic"), ["tab", "here", "new", "nbsp", "ideographic"])
        XCTAssertEqual(basic.words(""), [])
        XCTAssertEqual(basic.words(" \t\n "), [])
    }

    func testCJKIdeographsAreWordsOfTheirOwn() {
        XCTAssertEqual(basic.words("mixed中文and"), ["mixed", "中", "文", "and"])
        XCTAssertEqual(basic.words("日本語のテキスト"), ["日", "本", "語", "のテキスト"], "kana are not in the CJK blocks")
    }

    func testLowercasingIsPerScalarWithoutFinalSigma() {
        XCTAssertEqual(basic.words("ΟΔΟΣ"), ["οδοσ"], "no final sigma, as Rust's char::to_lowercase")
        XCTAssertEqual(basic.words("İstanbul"), ["istanbul"], "İ decomposes to I + combining dot, which is stripped")
    }

    func testUnicodeCategoriesFollowTheTablesOfTokenizers() {
        // U+2E42 (Ps, Unicode 8.0) splits; U+2E44 (Po, Unicode 9.0) does not in `tokenizers`.
        XCTAssertEqual(basic.words("a\u{2E42}b"), ["a", "\u{2E42}", "b"])
        XCTAssertEqual(basic.words("a\u{2E44}b"), ["a\u{2E44}b"])
        // U+1AB0 (Mn, 7.0) is stripped, U+08D4 (Mn, 9.0) is kept.
        XCTAssertEqual(basic.words("a\u{1AB0}b a\u{8D4}b").map { $0.unicodeScalars.count }, [2, 3])
    }
}
