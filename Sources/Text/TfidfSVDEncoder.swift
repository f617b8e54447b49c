// The no-download text encoder: TF-IDF of word uni- and bigrams fitted on the item texts, reduced to
// `width` dimensions by randomised truncated SVD (latent semantic analysis), rows unit length.
//
// For a fitted text the vector is its row of U·S; any text is encoded as tfidf(text)·V, which is
// the same thing for the fitted corpus (A·V = U·S) and projects new texts the same way. Texts
// that share words end up close; texts with no word of the fitted vocabulary (the empty text
// included) get a zero row, which has cosine 0 with everything.

import Support
import Tensors

/// TF-IDF + truncated SVD text vectors, fitted on a corpus.
public struct TfidfSVDEncoder: TextEncoder, Sendable {
    /// Fitting settings.
    public struct Options: Sendable, Equatable {
        /// Output width wanted; the encoder gives min(width, numerical rank of the TF-IDF matrix).
        public var width = 384
        /// Term counting and pruning.
        public var tfidf = TfidfVectorizer.Options()
        /// Extra random directions beyond the width (Halko et al. suggest 5–10).
        public var oversampling = 10
        /// Power iterations (2–4 are enough for TF-IDF spectra, which decay slowly).
        public var powerIterations = 4
        /// Root seed; the Gaussian test matrix comes from its stream "text.tfidf-svd".
        public var seed: UInt64 = 0

        /// The defaults: 384 wide, all uni- and bigrams, oversampling 10, 4 power iterations, seed 0.
        public init(width: Int = 384, tfidf: TfidfVectorizer.Options = TfidfVectorizer.Options(), oversampling: Int = 10,
                    powerIterations: Int = 4, seed: UInt64 = 0) {
            self.width = width
            self.tfidf = tfidf
            self.oversampling = oversampling
            self.powerIterations = powerIterations
            self.seed = seed
        }
    }

    /// The name of the random stream under `Options.seed`.
    public static let streamName = "text.tfidf-svd"
    /// Singular values below this fraction of the largest count as zero when deciding the width:
    /// Float SVD leaves noise of about 1e-6 relative in directions the matrix does not have.
    public static let rankTolerance: Float = 1e-5

    /// The settings it was fitted with.
    public let options: Options
    /// The TF-IDF vocabulary and idf.
    public let vectorizer: TfidfVectorizer
    /// The kept singular values, descending.
    public let singularValues: [Float]
    /// Right singular vectors [width, terms], row-major.
    public let components: [Float]
    /// Length of the output rows.
    public let width: Int
    /// The components transposed, [terms, width]: the layout the sparse product reads.
    private let termVectors: [Float]

    /// Fits the vocabulary, idf and SVD on `corpus`.
    public init(fitting corpus: [String], options: Options = Options()) throws {
        guard options.width >= 1 else { throw TextError.invalid("width must be at least 1, got \(options.width)") }
        let vectorizer = try TfidfVectorizer(fitting: corpus, options: options.tfidf)
        guard !vectorizer.terms.isEmpty else {
            throw TextError.invalid("the \(corpus.count) texts hold no words (with min document frequency \(options.tfidf.minDocumentFrequency)); TF-IDF needs some text to fit on")
        }
        let matrix = vectorizer.transform(corpus)
        var random = Seed(options.seed).stream(Self.streamName)
        let factors = try RandomizedSVD.factorize(matrix, rank: options.width, oversampling: options.oversampling,
                                                  powerIterations: options.powerIterations, random: &random)
        let largest = factors.s.first ?? 0
        let kept = max(1, factors.s.prefix { $0 > largest * Self.rankTolerance }.count)
        self.options = options
        self.vectorizer = vectorizer
        self.singularValues = Array(factors.s.prefix(kept))
        let components = Array(factors.vt.prefix(kept * vectorizer.terms.count))
        self.components = components
        self.width = kept
        self.termVectors = LinearAlgebra.transpose(components, rows: kept, columns: vectorizer.terms.count)
    }

    /// Unit-length vectors of `texts`, row-major [texts.count, width]; zero rows for texts with no
    /// fitted term.
    public func encode(_ texts: [String]) throws -> [Float] {
        try Cancellation.check("text encoding (TF-IDF)")
        let tfidf = vectorizer.transform(texts)
        var out = tfidf.multiply(termVectors, width: width)
        for r in 0..<texts.count {
            var squares: Float = 0
            for j in 0..<width { squares += out[r * width + j] * out[r * width + j] }
            guard squares > 0 else { continue }
            let scale = 1 / squares.squareRoot()
            for j in 0..<width { out[r * width + j] *= scale }
        }
        return out
    }
}
