// The item text table a text-based recommender reads: one fixed feature vector per item id, made
// elsewhere (MiniLM sentence embeddings, TF-IDF + SVD, or precomputed `.feat1CLS` BERT [CLS]
// vectors). Row 0 is padding and holds zeros, as UniSRec's `plm_embedding` padding row. The table
// is data, not a parameter: nothing trains it.
//
// UniSRec's pretraining also reads a second table of the same items encoded with words dropped
// from their text (`.feat2CLS`) for its word-drop view. Several domains pretrain together through
// one concatenated table, and some of them may have no second table: `hasSecondary` says per item
// whether its row of the second table is real.

import Tensors

/// Item text features [N, d] (row 0 = padding, zeros) and optionally a word-dropped second table.
public struct ItemTextFeatures {
    /// The features [N, d], one row per item id (N counts padding).
    public let primary: Tensor
    /// The word-dropped features [N, d], or nil.
    public let secondary: Tensor?
    /// Per item id, whether `secondary` holds a real row for it (false rows are never read).
    public let hasSecondary: [Bool]

    /// Number of rows N, padding included.
    public var rows: Int { primary.shape[0] }
    /// Width d of a feature vector.
    public var width: Int { primary.shape[1] }

    /// A table from row-major `values` (rows × width), with an optional second table of the same
    /// shape; `hasSecondary` (one flag per row) marks its real rows (all of them when omitted).
    /// Check `problem(...)` first for values that come from users.
    public init(rows: Int, width: Int, values: [Float], secondary: [Float]? = nil, hasSecondary: [Bool]? = nil) {
        if let problem = Self.problem(rows: rows, width: width, values: values, secondary: secondary, hasSecondary: hasSecondary) {
            preconditionFailure(problem)
        }
        primary = Tensor(shape: [rows, width], scalars: values, name: "item_text")
        self.secondary = secondary.map { Tensor(shape: [rows, width], scalars: $0, name: "item_text.word_dropped") }
        self.hasSecondary = secondary == nil ? [Bool](repeating: false, count: rows)
            : hasSecondary ?? (0..<rows).map { $0 > 0 }
    }

    /// Why these values are not a feature table, or nil when they are.
    public static func problem(rows: Int, width: Int, values: [Float], secondary: [Float]?, hasSecondary: [Bool]?) -> String? {
        if rows < 2 || width < 1 {
            return "item text features need at least one item besides padding and one dimension, got \(rows) rows × \(width)"
        }
        if values.count != rows * width { return "item text features of \(rows) rows × \(width) need \(rows * width) values, got \(values.count)" }
        for (name, table) in [("features", values), ("word-dropped features", secondary ?? [])] {
            if table.contains(where: { !$0.isFinite }) { return "the item \(name) hold a non-finite value; recompute them" }
            if table.prefix(width).contains(where: { $0 != 0 }) {
                return "row 0 of the item \(name) is padding and must be zeros; put item i in row i"
            }
        }
        if let secondary, secondary.count != values.count {
            return "the word-dropped features have \(secondary.count) values; they must match the features' \(values.count)"
        }
        if let hasSecondary {
            if secondary == nil { return "hasSecondary was given without a second feature table" }
            if hasSecondary.count != rows { return "hasSecondary needs one flag per row (\(rows)), got \(hasSecondary.count)" }
        }
        return nil
    }

    /// The rows `sources` of the stacked table [primary; secondary] as a new [R, d] tensor: a
    /// source below N is a primary row, N + i is row i of the second table.
    func gather(_ g: Graph, sources: [Int32]) -> Tensor {
        let (n, d) = (rows, width)
        let x = g.make([sources.count, d])
        for (r, source) in sources.enumerated() {
            let s = Int(source)
            precondition(s >= 0 && s < (secondary == nil ? n : 2 * n), "ItemTextFeatures: row \(s) outside the table")
            let from = s < n ? primary.pointer + s * d : secondary!.pointer + (s - n) * d
            (x.pointer + r * d).update(from: from, count: d)
        }
        return x
    }
}
