// What can go wrong when training, applying or reading a quantiser, each case saying what to do.

/// A quantiser that cannot be trained, applied or read, and what to do about it.
public enum QuantizationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// k-means was given fewer vectors than centroids (`purpose` names the caller, e.g. "PQ sub-space 3").
    case tooFewVectors(vectors: Int, centroids: Int, purpose: String)
    /// The vector dimension does not split into equal sub-spaces.
    case indivisibleDimension(dimension: Int, subspaces: Int)
    /// A buffer whose size does not match the shape it should have.
    case shapeMismatch(what: String, expected: String, got: String)
    /// An option outside its range.
    case invalidOption(name: String, value: String, expected: String)
    /// A row index outside the matrix.
    case rowOutOfRange(row: Int, rows: Int)
    /// Input vectors holding NaN or infinity.
    case nonFinite(what: String)
    /// A LAPACK factorisation failed (its message).
    case linearAlgebra(String)
    /// A saved quantiser that cannot be read.
    case badFile(path: String, message: String)
    /// Ctrl-C stopped the fitting (`what` names the loop); nothing was kept.
    case interrupted(what: String)

    /// The message shown to the user.
    public var description: String {
        switch self {
        case let .tooFewVectors(vectors, centroids, purpose):
            return "error: \(purpose): k-means needs at least \(centroids) vectors for \(centroids) centroids but got "
                + "\(vectors); train on at least \(centroids) vectors or use fewer centroids (fewer bits)"
        case let .indivisibleDimension(dimension, subspaces):
            let divisors = (1...max(1, dimension)).filter { dimension % $0 == 0 }
            return "error: dimension \(dimension) does not split into \(subspaces) equal sub-spaces; "
                + "choose a divisor of \(dimension): \(divisors.map(String.init).joined(separator: ", "))"
        case let .shapeMismatch(what, expected, got):
            return "error: \(what) should be \(expected) but is \(got)"
        case let .invalidOption(name, value, expected):
            return "error: \(name) is \(value); it must be \(expected)"
        case let .rowOutOfRange(row, rows):
            return "error: row \(row) is outside the \(rows) rows of the vectors (valid: 0..<\(rows))"
        case let .nonFinite(what):
            return "error: \(what) hold NaN or infinite values; fix or drop those rows before quantising"
        case let .linearAlgebra(message):
            return message
        case let .badFile(path, message):
            return "\(path): error: \(message)"
        case let .interrupted(what):
            return "interrupted: \(what) stopped by Ctrl-C; nothing was kept"
        }
    }
}
