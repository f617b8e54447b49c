// The input and output of every quantiser: a row-major block of float vectors. Feature matrices
// (Datasets.FeatureMatrix, safetensors tensors) convert to it without copying semantics of their own.

/// Row-major float vectors: `rows` vectors of `dimension` values each.
public struct Vectors: Sendable, Equatable {
    /// Number of vectors.
    public let rows: Int
    /// Values per vector.
    public let dimension: Int
    /// The values, `rows * dimension`, vector after vector.
    public internal(set) var values: [Float]

    /// Vectors from row-major values; the count must be `rows * dimension`.
    public init(rows: Int, dimension: Int, values: [Float]) throws(QuantizationError) {
        guard rows >= 0, dimension >= 1 else {
            throw .invalidOption(name: "vector shape", value: "\(rows)×\(dimension)",
                                 expected: "a non-negative row count and a positive dimension")
        }
        guard values.count == rows * dimension else {
            throw .shapeMismatch(what: "the values of \(rows) vectors of dimension \(dimension)",
                                 expected: "\(rows * dimension) values", got: "\(values.count)")
        }
        self.rows = rows
        self.dimension = dimension
        self.values = values
    }

    /// Vectors whose shape the caller has already checked.
    init(uncheckedRows rows: Int, dimension: Int, values: [Float]) {
        precondition(values.count == rows * dimension, "Vectors: \(values.count) values are not \(rows)×\(dimension)")
        self.rows = rows
        self.dimension = dimension
        self.values = values
    }

    /// Vector `i` as a slice.
    public func row(_ i: Int) -> ArraySlice<Float> { values[(i * dimension)..<((i + 1) * dimension)] }

    /// The vectors at `indices`, in that order; an index outside 0..<rows is an error.
    public func selecting(_ indices: [Int]) throws(QuantizationError) -> Vectors {
        var out = [Float](repeating: 0, count: indices.count * dimension)
        for (r, i) in indices.enumerated() {
            guard i >= 0 && i < rows else { throw .rowOutOfRange(row: i, rows: rows) }
            for j in 0..<dimension { out[r * dimension + j] = values[i * dimension + j] }
        }
        return Vectors(uncheckedRows: indices.count, dimension: dimension, values: out)
    }

    /// Columns `start..<start + width` of every vector, as vectors of dimension `width`.
    func columns(_ start: Int, width: Int) -> Vectors {
        var out = [Float](repeating: 0, count: rows * width)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<rows { for j in 0..<width { o[i * width + j] = x[i * dimension + start + j] } }
            }
        }
        return Vectors(uncheckedRows: rows, dimension: width, values: out)
    }

    /// Mean over vectors of the squared distance to `other` (same shape), summed over dimensions:
    /// the reconstruction error faiss reports.
    public func meanSquaredDistance(to other: Vectors) -> Double {
        precondition(rows == other.rows && dimension == other.dimension, "meanSquaredDistance: shapes differ")
        if rows == 0 { return 0 }
        var total = 0.0
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                for i in 0..<rows { total += Double(squaredDistance(a.baseAddress! + i * dimension, b.baseAddress! + i * dimension, dimension)) }
            }
        }
        return total / Double(rows)
    }

    /// True when every value is finite.
    var isFinite: Bool { values.allSatisfy(\.isFinite) }
}

/// ‖a − b‖² over `count` floats, with four accumulators so the loop vectorises.
@inline(__always)
func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
    var j = 0
    while j + 4 <= count {
        let d0 = a[j] - b[j], d1 = a[j + 1] - b[j + 1], d2 = a[j + 2] - b[j + 2], d3 = a[j + 3] - b[j + 3]
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
        j += 4
    }
    while j < count { let d = a[j] - b[j]; s0 += d * d; j += 1 }
    return (s0 + s1) + (s2 + s3)
}
