// The columns a transformer with a position table of `maxLength` rows reads from a batch: each
// row's most recent min(length, maxLength) items, left-aligned as RecBole's are, in a matrix as
// wide as the longest of them. Cutting the columns past the longest row changes no real position's
// state (a causal query attends only to keys at or before it), and a longer history keeps its
// most recent items, as RecBole truncates.

import Datasets
import Tensors

/// Which columns of a batch a SASRec-style encoder reads: per row, `lengths[b]` items starting at `offsets[b]`.
struct RecentWindow {
    let batch: Batch
    /// Columns of the network's input (W).
    let width: Int
    /// Real items per row after truncation.
    let lengths: [Int]
    /// First column read in each batch row.
    let offsets: [Int]

    /// The window of `batch` for a position table of `maxLength` rows.
    init(_ batch: Batch, maxLength: Int) {
        let lengths = (0..<batch.count).map { min(Int(batch.lengths[$0]), maxLength) }
        self.batch = batch
        self.lengths = lengths
        offsets = (0..<batch.count).map { Int(batch.lengths[$0]) - lengths[$0] }
        width = max(lengths.max() ?? 0, 1)
    }

    /// [B, W] from a [capacity, batch.width] matrix of the batch (items or labels), zeros after each row.
    func take(_ values: [Int32]) -> IndexTensor {
        var out = [Int32](repeating: 0, count: batch.count * width)
        for b in 0..<batch.count {
            let source = b * batch.width + offsets[b]
            for c in 0..<lengths[b] { out[b * width + c] = values[source + c] }
        }
        return IndexTensor(shape: [batch.count, width], values: out)
    }

    /// The batch's targets [B].
    var targets: IndexTensor { IndexTensor(Array(batch.targets[0..<batch.count])) }
}
