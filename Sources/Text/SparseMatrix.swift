// Compressed sparse rows (CSR) of Float, and the two products the truncated SVD needs with a dense
// row-major matrix. TF-IDF rows hold a handful of terms out of thousands, so plain loops over the
// stored entries beat densifying; column indices are ascending within a row, which fixes the
// order of every sum.

/// A sparse rows × columns matrix in CSR form.
public struct SparseMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row r's entries are at rowStart[r]..<rowStart[r + 1] (rows + 1 offsets).
    public let rowStart: [Int]
    /// Column of each stored entry (ascending within a row).
    public let columnIndex: [Int32]
    /// Value of each stored entry.
    public let values: [Float]

    /// A matrix from its CSR arrays; column indices must be ascending and in range within each row.
    public init(rows: Int, columns: Int, rowStart: [Int], columnIndex: [Int32], values: [Float]) {
        precondition(rowStart.count == rows + 1 && rowStart.first == 0 && rowStart.last == values.count
                     && columnIndex.count == values.count, "SparseMatrix: inconsistent CSR arrays")
        self.rows = rows
        self.columns = columns
        self.rowStart = rowStart
        self.columnIndex = columnIndex
        self.values = values
    }

    /// The nonzero entries of a dense row-major rows × columns matrix.
    public init(dense: [Float], rows: Int, columns: Int) {
        precondition(dense.count == rows * columns, "SparseMatrix: \(dense.count) values are not \(rows)×\(columns)")
        var start = [0], index: [Int32] = [], values: [Float] = []
        for r in 0..<rows {
            for c in 0..<columns where dense[r * columns + c] != 0 {
                index.append(Int32(c))
                values.append(dense[r * columns + c])
            }
            start.append(values.count)
        }
        self.init(rows: rows, columns: columns, rowStart: start, columnIndex: index, values: values)
    }

    /// The matrix as dense row-major values.
    public var dense: [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows { for e in rowStart[r]..<rowStart[r + 1] { out[r * columns + Int(columnIndex[e])] = values[e] } }
        return out
    }

    /// self · D for a dense row-major D [columns, width]: [rows, width].
    public func multiply(_ d: [Float], width: Int) -> [Float] {
        precondition(d.count == columns * width, "SparseMatrix.multiply: operand is not \(columns)×\(width)")
        var out = [Float](repeating: 0, count: rows * width)
        out.withUnsafeMutableBufferPointer { o in
            d.withUnsafeBufferPointer { dd in
                for r in 0..<rows {
                    let target = o.baseAddress! + r * width
                    for e in rowStart[r]..<rowStart[r + 1] {
                        let v = values[e], source = dd.baseAddress! + Int(columnIndex[e]) * width
                        for j in 0..<width { target[j] += v * source[j] }
                    }
                }
            }
        }
        return out
    }

    /// selfᵀ · D for a dense row-major D [rows, width]: [columns, width].
    public func transposeMultiply(_ d: [Float], width: Int) -> [Float] {
        precondition(d.count == rows * width, "SparseMatrix.transposeMultiply: operand is not \(rows)×\(width)")
        var out = [Float](repeating: 0, count: columns * width)
        out.withUnsafeMutableBufferPointer { o in
            d.withUnsafeBufferPointer { dd in
                for r in 0..<rows {
                    let source = dd.baseAddress! + r * width
                    for e in rowStart[r]..<rowStart[r + 1] {
                        let v = values[e], target = o.baseAddress! + Int(columnIndex[e]) * width
                        for j in 0..<width { target[j] += v * source[j] }
                    }
                }
            }
        }
        return out
    }
}
