// TF-IDF of word unigrams and bigrams, with scikit-learn's conventions (TfidfVectorizer with
// smooth_idf and norm "l2"):
//   words   BERT's basic tokenisation (lowercase, accents stripped, punctuation split off), with
//           the punctuation words dropped: "Children's Comedy" → children, s, comedy
//   terms   each word, and each pair of consecutive words joined by a space ("star wars")
//   idf     ln((1 + n) / (1 + df)) + 1 over the n fitted documents
//   tf      the count in the text, or 1 + ln(count) when sublinear
//   rows    tf · idf, scaled to unit length (a text with no known term is a zero row)
// The vocabulary is every term in at least minDocumentFrequency fitted documents, in sorted
// order, so column numbers depend on the corpus alone.

import Foundation

/// TF-IDF of word uni- and bigrams, fitted on a corpus.
public struct TfidfVectorizer: Sendable {
    /// How terms are counted and kept.
    public struct Options: Sendable, Equatable {
        /// Keep terms found in at least this many fitted documents (1 keeps all).
        public var minDocumentFrequency = 1
        /// Use 1 + ln(count) instead of the count.
        public var sublinearTF = false
        /// Count pairs of consecutive words as terms too.
        public var bigrams = true

        /// The defaults: every term, raw counts, uni- and bigrams.
        public init(minDocumentFrequency: Int = 1, sublinearTF: Bool = false, bigrams: Bool = true) {
            self.minDocumentFrequency = minDocumentFrequency
            self.sublinearTF = sublinearTF
            self.bigrams = bigrams
        }
    }

    /// The settings it was fitted with.
    public let options: Options
    /// The terms, sorted; term i is column i.
    public let terms: [String]
    /// Inverse document frequency of each term.
    public let idf: [Float]
    private let column: [String: Int32]
    private let basic = BasicTokenizer()

    /// Learns the vocabulary and idf of `corpus`.
    public init(fitting corpus: [String], options: Options = Options()) throws {
        guard options.minDocumentFrequency >= 1 else {
            throw TextError.invalid("minDocumentFrequency must be at least 1, got \(options.minDocumentFrequency)")
        }
        self.options = options
        var documentFrequency: [String: Int] = [:]
        for text in corpus {
            for term in Set(Self.terms(of: text, basic: basic, bigrams: options.bigrams)) {
                documentFrequency[term, default: 0] += 1
            }
        }
        // Sorted, so that column numbers never depend on dictionary order.
        terms = documentFrequency.filter { $0.value >= options.minDocumentFrequency }.map(\.key).sorted()
        let n = Double(corpus.count)
        idf = terms.map { Float(log((1 + n) / (1 + Double(documentFrequency[$0]!))) + 1) }
        var column: [String: Int32] = [:]
        for (i, t) in terms.enumerated() { column[t] = Int32(i) }
        self.column = column
    }

    /// The unit-length TF-IDF rows of `texts` over the fitted vocabulary (unknown terms ignored).
    public func transform(_ texts: [String]) -> SparseMatrix {
        var start = [0], index: [Int32] = [], values: [Float] = []
        for text in texts {
            let ids = Self.terms(of: text, basic: basic, bigrams: options.bigrams).compactMap { column[$0] }.sorted()
            let first = values.count
            var i = 0
            while i < ids.count {
                var j = i
                while j < ids.count && ids[j] == ids[i] { j += 1 }
                let count = Float(j - i)
                let tf = options.sublinearTF ? 1 + log(count) : count
                index.append(ids[i])
                values.append(tf * idf[Int(ids[i])])
                i = j
            }
            var squares: Float = 0
            for v in values[first...] { squares += v * v }
            if squares > 0 {
                let scale = 1 / squares.squareRoot()
                for e in first..<values.count { values[e] *= scale }
            }
            start.append(values.count)
        }
        return SparseMatrix(rows: texts.count, columns: terms.count, rowStart: start, columnIndex: index, values: values)
    }

    /// The terms of `text` in order: its words, then (with bigrams) each consecutive pair.
    public func terms(of text: String) -> [String] {
        Self.terms(of: text, basic: basic, bigrams: options.bigrams)
    }

    private static func terms(of text: String, basic: BasicTokenizer, bigrams: Bool) -> [String] {
        let words = basic.words(text).filter { word in
            !(word.unicodeScalars.count == 1 && BasicTokenizer.isPunctuation(word.unicodeScalars.first!))
        }
        guard bigrams, words.count > 1 else { return words }
        return words + (1..<words.count).map { words[$0 - 1] + " " + words[$0] }
    }
}
