// VQ-Rec's code ids (reference §5.1, `VQRecDataset.load_index`): the code of sub-space m is shifted
// to code + 1 + m·(K + 1), so the D sub-spaces share one embedding table of D·(K + 1) rows in which
// row 0 is padding; the padding item's codes are all 0. Items then embed as the mean of their D rows.

import Tensors

extension VQRecQuantizer {
    /// Rows of the code-embedding table: D·(K + 1) (8224 for 32×256), row 0 the padding.
    public var codeTableSize: Int { subspaces * (centroidsPerSubspace + 1) }

    /// The code ids [rows, D] of every row of `x`: code + 1 + m·(K + 1), and all zeros for the
    /// rows in `paddingRows` (SeqLab's item 0).
    public func codeIDs(_ x: Vectors, paddingRows: [Int] = [0]) throws(QuantizationError) -> IndexTensor {
        for r in paddingRows where r < 0 || r >= x.rows { throw .rowOutOfRange(row: r, rows: x.rows) }
        return Self.flatten(try encode(x), subspaces: subspaces, centroids: centroidsPerSubspace, paddingRows: paddingRows)
    }

    /// Raw codes (rows×D bytes) turned into flattened code ids [rows, D]; padding rows get zeros.
    public static func flatten(_ codes: [UInt8], subspaces: Int, centroids: Int, paddingRows: [Int] = []) -> IndexTensor {
        precondition(subspaces >= 1 && codes.count % subspaces == 0, "flatten: codes are rows × \(subspaces) bytes")
        let rows = codes.count / subspaces
        var ids = [Int32](repeating: 0, count: codes.count)
        for i in 0..<rows {
            for m in 0..<subspaces { ids[i * subspaces + m] = Int32(codes[i * subspaces + m]) + 1 + Int32(m * (centroids + 1)) }
        }
        for r in paddingRows where r >= 0 && r < rows {
            for m in 0..<subspaces { ids[r * subspaces + m] = 0 }
        }
        return IndexTensor(shape: [rows, subspaces], values: ids)
    }
}
