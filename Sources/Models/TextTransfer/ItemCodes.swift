// The discrete codes VQ-Rec reads instead of item text (reference/text-models.md §5.1, §5.2): each
// item has D codes, code m in 0..<K picked by sub-space m of a product quantiser (OPQ/PQ, made
// elsewhere). Row 0 is padding and holds zeros. The code table is data, not a parameter.
//
// The network looks codes up in one embedding table of D·(K+1) rows, sub-space m owning rows
// m·(K+1) ..< (m+1)·(K+1): code c of sub-space m is row c + 1 + m·(K+1) (the reference's offsets),
// the padding item reads row 0 at every position. Row m·(K+1) of a sub-space m ≥ 1 is read by no
// item; it exists because the reference's layout has it (and its permutation may move it).

import Tensors

/// The D codes of every item id [N, D] (row 0 = padding), each in 0..<K.
public struct ItemCodes: Sendable, Equatable {
    /// Number of item ids N, padding included.
    public let rows: Int
    /// Codes per item D (sub-spaces of the quantiser).
    public let positions: Int
    /// Codes per sub-space K (centroids of each sub-quantiser).
    public let cap: Int
    /// The raw codes, row-major [N, D], each in 0..<K; row 0 zeros.
    public let values: [Int32]
    /// The embedding-table rows of every item's codes [N, D]: code + 1 + m·(K+1), padding row 0s.
    public let tableRows: IndexTensor

    /// Codes from row-major `values` [rows, positions], each in 0..<cap. Check `problem(...)` first
    /// for values that come from users.
    public init(rows: Int, positions: Int, cap: Int, values: [Int32]) {
        if let problem = Self.problem(rows: rows, positions: positions, cap: cap, values: values) { preconditionFailure(problem) }
        self.rows = rows
        self.positions = positions
        self.cap = cap
        self.values = values
        tableRows = IndexTensor(shape: [rows, positions], values: values.enumerated().map { index, code in
            index < positions ? 0 : code + 1 + Int32((index % positions) * (cap + 1))
        })
    }

    /// Why these values are not a code table, or nil when they are.
    public static func problem(rows: Int, positions: Int, cap: Int, values: [Int32]) -> String? {
        if rows < 2 || positions < 1 || cap < 1 {
            return "item codes need at least one item besides padding, one code per item and one centroid per sub-space, got \(rows) rows × \(positions) codes of \(cap) centroids"
        }
        if values.count != rows * positions { return "item codes of \(rows) rows × \(positions) need \(rows * positions) values, got \(values.count)" }
        if values.prefix(positions).contains(where: { $0 != 0 }) { return "row 0 of the item codes is padding and must be zeros; put item i in row i" }
        if let bad = values.firstIndex(where: { $0 < 0 || Int($0) >= cap }) {
            return "item \(bad / positions) has code \(values[bad]) at position \(bad % positions), outside 0..<\(cap); quantise with \(cap) centroids per sub-space or raise the cap"
        }
        return nil
    }

    /// Rows of the embedding table the network looks up: D·(K+1).
    public var tableSize: Int { positions * (cap + 1) }

    /// Item `item`'s D codes, each in 0..<K (all zeros for padding).
    public func codes(of item: Int) -> [Int] {
        precondition(item >= 0 && item < rows, "ItemCodes: item \(item) outside 0..<\(rows)")
        return values[(item * positions)..<((item + 1) * positions)].map(Int.init)
    }

    /// The embedding-table rows of the codes of `items` [R] → [R, D] (row 0s for padding).
    public func tableRows(of items: [Int32]) -> IndexTensor {
        var out = [Int32](repeating: 0, count: items.count * positions)
        for (r, item) in items.enumerated() {
            precondition(item >= 0 && Int(item) < rows, "ItemCodes: item \(item) outside 0..<\(rows)")
            for m in 0..<positions { out[r * positions + m] = tableRows.values[Int(item) * positions + m] }
        }
        return IndexTensor(shape: [items.count, positions], values: out)
    }
}
