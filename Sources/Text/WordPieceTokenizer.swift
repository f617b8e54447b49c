// The BERT uncased tokenizer as Hugging Face `tokenizers` runs it for sentence-transformers:
//   1. the special tokens ([CLS], [SEP], [PAD], [UNK], [MASK]) written in the raw text are ids of
//      their own (they are "added tokens" matched before normalisation, case-sensitively);
//   2. the rest goes through `BasicTokenizer` (clean, CJK, accents, lowercase, split);
//   3. each word becomes WordPiece pieces, greedy longest match first, continuations prefixed
//      "##"; a word with an unmatchable rest, or longer than 100 scalars, becomes one [UNK];
//   4. the ids are truncated to maxLength − 2 and wrapped in [CLS] … [SEP].
// Tokenizers/golden checks this against `tokenizers` on the tricky cases.

/// WordPiece tokenisation into BERT input ids.
public struct WordPieceTokenizer: Sendable {
    /// The vocabulary.
    public let vocabulary: WordPieceVocabulary
    /// Most ids `encode` returns, [CLS] and [SEP] included.
    public let maxLength: Int
    /// Words longer than this (in scalars) become [UNK] without trying to split them.
    public let maxWordLength: Int
    /// Ids of the special tokens.
    public let clsID: Int32, sepID: Int32, padID: Int32, unknownID: Int32
    private let basic = BasicTokenizer()
    /// The special tokens the vocabulary has, matched in raw text (longest first at a position).
    private let specials: [(scalars: [Unicode.Scalar], id: Int32)]
    private let continuationPrefix: [UInt32] = [0x23, 0x23]   // "##"

    /// Names of the special tokens of BERT vocabularies.
    public static let specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// A tokenizer over `vocabulary`, which must hold [CLS], [SEP], [PAD] and [UNK].
    public init(vocabulary: WordPieceVocabulary, maxLength: Int = 512, maxWordLength: Int = 100,
                source: String = "") throws {
        func required(_ token: String) throws -> Int32 {
            guard let id = vocabulary.id(of: token) else {
                throw TextError(file: source, "the vocabulary has no \(token) token; it is not a BERT WordPiece vocabulary")
            }
            return id
        }
        guard maxLength >= 2 else {
            throw TextError(file: source, "maximum sequence length \(maxLength) leaves no room for [CLS] and [SEP]; it must be at least 2")
        }
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        self.maxWordLength = maxWordLength
        clsID = try required("[CLS]")
        sepID = try required("[SEP]")
        padID = try required("[PAD]")
        unknownID = try required("[UNK]")
        specials = Self.specialTokens.compactMap { token in
            vocabulary.id(of: token).map { (Array(token.unicodeScalars), $0) }
        }.sorted { $0.scalars.count > $1.scalars.count }
    }

    /// The ids of `text`: [CLS], its word pieces (at most maxLength − 2), [SEP].
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [clsID]
        ids.append(contentsOf: pieces(text).prefix(maxLength - 2))
        ids.append(sepID)
        return ids
    }

    /// The tokens of `encode(text)` as strings (for inspection).
    public func tokens(_ text: String) -> [String] {
        encode(text).map { vocabulary.tokens[Int($0)] }
    }

    /// The word-piece ids of `text` without [CLS], [SEP] or truncation.
    public func pieces(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for segment in splitOnSpecialTokens(text) {
            switch segment {
            case .special(let id): ids.append(id)
            case .text(let t): for word in basic.scalarWords(t) { appendPieces(of: word, to: &ids) }
            }
        }
        return ids
    }

    private enum Segment { case text(String), special(Int32) }

    /// Cuts the raw text at special tokens written in it ("[CLS] a" → [CLS], " a"), leftmost first.
    private func splitOnSpecialTokens(_ text: String) -> [Segment] {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains("[") else { return [.text(text)] }
        var segments: [Segment] = []
        var pending = String.UnicodeScalarView()
        var i = 0
        outer: while i < scalars.count {
            if scalars[i] == "[" {
                for special in specials where i + special.scalars.count <= scalars.count
                    && scalars[i..<(i + special.scalars.count)].elementsEqual(special.scalars) {
                    if !pending.isEmpty { segments.append(.text(String(pending))); pending = String.UnicodeScalarView() }
                    segments.append(.special(special.id))
                    i += special.scalars.count
                    continue outer
                }
            }
            pending.append(scalars[i])
            i += 1
        }
        if !pending.isEmpty { segments.append(.text(String(pending))) }
        return segments
    }

    /// Greedy longest-match-first WordPiece of one word; the whole word is [UNK] when any rest
    /// cannot be matched.
    private func appendPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        if word.count > maxWordLength { ids.append(unknownID); return }
        let values = word.map(\.value)
        var found: [Int32] = []
        var start = 0
        var key: [UInt32] = []
        key.reserveCapacity(values.count + 2)
        while start < values.count {
            // No vocabulary entry is longer than longestToken scalars ("##" included), so shorter
            // candidates are the only ones that can match.
            let prefix = start > 0 ? 2 : 0
            var end = min(values.count, start + max(0, vocabulary.longestToken - prefix))
            var match: Int32?
            while end > start {
                key.removeAll(keepingCapacity: true)
                if start > 0 { key.append(contentsOf: continuationPrefix) }
                key.append(contentsOf: values[start..<end])
                if let id = vocabulary.id(scalars: key) { match = id; break }
                end -= 1
            }
            guard let id = match else { ids.append(unknownID); return }
            found.append(id)
            start = end
        }
        ids.append(contentsOf: found)
    }
}
