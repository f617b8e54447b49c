// The one interface item text goes through on its way to vectors, so that a model (UniSRec,
// VQ-Rec) or a builtin does not care whether the vectors come from the pretrained sentence encoder
// or from the no-download TF-IDF fallback.

/// Turns texts into fixed-width vectors.
///
/// Implementations: `MiniLMEncoder` (all-MiniLM-L6-v2, unit-length rows; an empty text encodes to
/// the embedding of `[CLS] [SEP]`) and `TfidfSVDEncoder` (TF-IDF + truncated SVD, unit-length rows;
/// a text with no known word, the empty text included, encodes to a zero row).
public protocol TextEncoder {
    /// Length of every output row.
    var width: Int { get }

    /// The vectors of `texts`, row-major [texts.count, width], row i for texts[i].
    func encode(_ texts: [String]) throws -> [Float]
}
