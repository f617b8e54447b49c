// BERT's "basic" tokenisation for uncased models: the BertNormalizer and BertPreTokenizer of
// Hugging Face `tokenizers` (the fast tokenizer sentence-transformers uses), scalar by scalar:
//   clean      drop NUL, U+FFFD and control/format/private-use scalars; any whitespace becomes ' '
//   CJK        put spaces around CJK ideographs so each is a word of its own
//   accents    NFD, then drop nonspacing marks (Mn)
//   lowercase  per scalar, full mapping, no context (so no final sigma)
//   split      on whitespace, and every punctuation scalar is a word of its own
// The WordPiece tokenizer runs on these words; the TF-IDF fallback counts them.
//
// Everything works on Unicode scalars, never on Characters or String equality: Swift compares
// Strings by canonical equivalence and groups scalars into graphemes, and either would make
// decomposed Hangul or combining sequences match vocabulary entries that `tokenizers` does not.

import Foundation

/// BERT's normalisation and pre-tokenisation for uncased models (lowercase, accents stripped).
public struct BasicTokenizer: Sendable {
    /// The tokenizer; it has no settings because the uncased BERT models all use the same ones.
    public init() {}

    /// The words of `text`, each lowercased and without accents; punctuation scalars are words.
    public func words(_ text: String) -> [String] {
        scalarWords(text).map { word in
            var s = String.UnicodeScalarView()
            s.append(contentsOf: word)
            return String(s)
        }
    }

    /// The words of `text` as scalar arrays (what WordPiece looks up).
    func scalarWords(_ text: String) -> [[Unicode.Scalar]] {
        var cleaned = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s.value == 0 || s.value == 0xFFFD || Self.isControl(s) { continue }
            if Self.isWhitespace(s) {
                cleaned.append(" ")
            } else if Self.isCJK(s) {
                cleaned.append(" "); cleaned.append(s); cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        func endWord() {
            if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
        }
        for s in decomposed.unicodeScalars {
            if Self.isNonspacingMark(s) { continue }
            for l in Self.lowercased(s) {
                if Self.isWhitespace(l) {
                    endWord()
                } else if Self.isPunctuation(l) {
                    endWord()
                    words.append([l])
                } else {
                    current.append(l)
                }
            }
        }
        endWord()
        return words
    }

    // MARK: Character classes, as `tokenizers` defines them

    /// True for scalars assigned by Unicode 8.0. `tokenizers` takes the control/format, nonspacing
    /// mark and punctuation categories from the `unicode_categories` crate, whose tables are
    /// Unicode 8.0: a scalar assigned later (U+2E44, a Po of 9.0) is neither split off nor dropped
    /// there, so we must not either (the golden cases check both sides of the boundary).
    @inline(__always)
    static func inUnicode8(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    /// Cc, Cf, Co (Cs cannot occur in a Swift String); tab, newline and return count as whitespace.
    @inline(__always)
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || s.value == 0x7F }
        switch s.properties.generalCategory {
        case .control: return true
        case .format, .privateUse: return inUnicode8(s)
        default: return false
        }
    }

    /// Rust's `char::is_whitespace` (the White_Space property) plus tab, newline and return.
    @inline(__always)
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s == " " || (s.value >= 0x09 && s.value <= 0x0D) }
        return s.properties.isWhitespace
    }

    /// ASCII 33–47, 58–64, 91–96, 123–126 (which includes $, +, <, =, >, ^, `, |, ~ that Unicode
    /// calls symbols), or any P* scalar of Unicode 8.0.
    @inline(__always)
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return inUnicode8(s)
        default:
            return false
        }
    }

    /// Mn of Unicode 8.0 (combining accents and the like).
    @inline(__always)
    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x300 && s.properties.generalCategory == .nonspacingMark && inUnicode8(s)
    }

    /// The CJK ideograph blocks of `tokenizers` (its extension E range starts at U+2B920, not at
    /// U+2B820 as in Python's BertTokenizer; we follow the fast tokenizer).
    @inline(__always)
    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// The full lowercase mapping of one scalar (İ gives two), without context.
    @inline(__always)
    static func lowercased(_ s: Unicode.Scalar) -> [Unicode.Scalar] {
        if s.value < 0x80 {
            return [(s.value >= 65 && s.value <= 90) ? Unicode.Scalar(s.value + 32)! : s]
        }
        return Array(s.properties.lowercaseMapping.unicodeScalars)
    }
}
