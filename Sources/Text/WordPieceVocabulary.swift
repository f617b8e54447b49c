// A WordPiece vocabulary: `vocab.txt`, one token per line, id = line number from 0.
//
// Lookups key on the exact scalar sequence, not on String: Swift's String equality is canonical
// equivalence, under which the decomposed Hangul jamo the tokenizer produces would match the
// precomposed syllables in the vocabulary, and Hugging Face `tokenizers` compares bytes.

import Foundation

/// The tokens of a WordPiece model and their ids.
public struct WordPieceVocabulary: Sendable {
    /// Tokens in id order.
    public let tokens: [String]
    private let ids: [[UInt32]: Int32]
    /// Scalars in the longest token, so a lookup never tries a longer piece.
    let longestToken: Int

    /// A vocabulary from tokens in id order; `source` names where they came from, for errors.
    public init(tokens: [String], source: String = "") throws {
        var ids: [[UInt32]: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        var longest = 0
        for (i, token) in tokens.enumerated() {
            let key = token.unicodeScalars.map(\.value)
            if let first = ids[key] {
                throw TextError(file: source, line: i + 1,
                                "token '\(token)' already appears on line \(first + 1); a WordPiece vocabulary lists each token once")
            }
            ids[key] = Int32(i)
            longest = max(longest, key.count)
        }
        guard tokens.count <= Int(Int32.max) else { throw TextError(file: source, "more than 2^31 tokens") }
        self.tokens = tokens
        self.ids = ids
        self.longestToken = longest
    }

    /// Reads `vocab.txt`: UTF-8, one token per line (a trailing carriage return is dropped).
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TextError(file: path, "cannot read the vocabulary; run `make models` (or scripts/fetch-minilm.sh DIR) to fetch it")
        }
        // Split on LF bytes only: Swift's line splitting would also break at U+2028 or U+0085,
        // which could be tokens.
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var tokens: [String] = []
        tokens.reserveCapacity(lines.count)
        for (i, var line) in lines.enumerated() {
            if line.last == 0x0D { line = line.dropLast() }
            guard let token = String(data: Data(line), encoding: .utf8) else {
                throw TextError(file: path, line: i + 1, "not valid UTF-8; the vocabulary file is damaged (refetch it with `make models`)")
            }
            guard !token.isEmpty else {
                throw TextError(file: path, line: i + 1, "empty line; a vocabulary has one token per line (refetch it with `make models`)")
            }
            tokens.append(token)
        }
        try self.init(tokens: tokens, source: path)
    }

    /// Number of tokens.
    public var count: Int { tokens.count }

    /// The id of `token`, if it is in the vocabulary (exact scalar match).
    public func id(of token: String) -> Int32? { ids[token.unicodeScalars.map(\.value)] }

    /// The id of the exact scalar sequence `key`.
    @inline(__always)
    func id(scalars key: [UInt32]) -> Int32? { ids[key] }
}
