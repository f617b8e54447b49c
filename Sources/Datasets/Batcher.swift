// Padded index matrices for training and evaluation.
//
// A batch is [B, L] Int32, left-aligned (row b holds its history at columns 0..<length[b], then
// zeros): the position tables pretrained by UniSRec/VQ-Rec assume position 0 is the oldest item, and
// the model reads its output at column length[b] - 1. The batcher fills one caller-owned `Batch` in
// place, so an epoch allocates nothing after the first batch.

import Tensors

/// One batch of rows as padded index matrices. Valid until the batcher fills it again.
public struct Batch: Sendable {
    /// Rows the buffers can hold (B).
    public let capacity: Int
    /// Columns per row (L).
    public let width: Int
    /// Rows filled in this batch (the last batch of an epoch may be short); rows past it are zero.
    public internal(set) var count: Int = 0
    /// [B, L] history items, left-aligned, 0 = padding.
    public internal(set) var items: [Int32]
    /// [B, L] next item after each position (the history shifted by one, ending with the target),
    /// 0 where there is no position: the labels of NextItNet-style training.
    public internal(set) var labels: [Int32]
    /// [B] number of real items in each row.
    public internal(set) var lengths: [Int32]
    /// [B] the item to predict after the history.
    public internal(set) var targets: [Int32]
    /// [B] the user of each row.
    public internal(set) var users: [Int32]
    /// [B] the index of each row in its `Rows`.
    public internal(set) var rowIndices: [Int32]

    /// Zeroed buffers for `capacity` rows of `width` columns.
    public init(capacity: Int, width: Int) {
        self.capacity = capacity
        self.width = width
        items = [Int32](repeating: 0, count: capacity * width)
        labels = [Int32](repeating: 0, count: capacity * width)
        lengths = [Int32](repeating: 0, count: capacity)
        targets = [Int32](repeating: 0, count: capacity)
        users = [Int32](repeating: 0, count: capacity)
        rowIndices = [Int32](repeating: 0, count: capacity)
    }

    /// The longest history in this batch (columns beyond it are all padding and may be skipped).
    public var longest: Int { Int(lengths[0..<count].max() ?? 0) }
}

/// Walks a set of rows in batches, in file order or in an order shuffled from a seeded stream.
public struct Batcher: Sendable {
    /// The rows being batched.
    public let rows: Rows
    /// Rows per batch.
    public let batchSize: Int
    /// Columns per row; longer histories keep their most recent `width` items.
    public let width: Int
    /// Whether a final short batch is skipped.
    public let dropLast: Bool
    /// The shuffling stream, nil for file order; its state is part of a checkpoint.
    public private(set) var stream: RandomStream?
    /// The row order of the current epoch.
    public private(set) var order: [Int32]
    /// How many rows of the current epoch have been handed out.
    public private(set) var position = 0

    /// A batcher over `rows`. With `shuffle` each epoch's order is a fresh permutation drawn from
    /// that stream (pass e.g. `seed.stream("shuffle")`); without it rows come in order.
    public init(rows: Rows, batchSize: Int, width: Int, shuffle: RandomStream? = nil, dropLast: Bool = false) throws {
        guard batchSize >= 1 else { throw DataError.invalid("batch size must be at least 1, got \(batchSize)") }
        guard width >= 1, width <= Int(Int32.max) else { throw DataError.invalid("batch width (maximum length) must be between 1 and 2^31 - 1, got \(width)") }
        guard rows.count <= Int(Int32.max) else { throw DataError.invalid("too many rows for Int32 row indices: \(rows.count)") }
        self.rows = rows
        self.batchSize = batchSize
        self.width = width
        self.dropLast = dropLast
        self.stream = shuffle
        self.order = (0..<rows.count).map { Int32($0) }
        startEpoch()
    }

    /// Buffers sized for this batcher.
    public func makeBatch() -> Batch { Batch(capacity: batchSize, width: width) }

    /// Number of batches per epoch.
    public var batchesPerEpoch: Int {
        dropLast ? rows.count / batchSize : (rows.count + batchSize - 1) / batchSize
    }

    /// Starts a new epoch: rewinds and, when shuffling, draws a new order (from identity each time,
    /// so the order depends only on the stream state).
    public mutating func startEpoch() {
        position = 0
        guard var rng = stream else { return }
        for k in 0..<order.count { order[k] = Int32(k) }
        rng.shuffle(&order)
        stream = rng
    }

    /// Puts the batcher back where a checkpoint left it: the epoch's row order, how many rows of it
    /// were handed out, and the shuffling stream's state, so training resumes mid-epoch exactly.
    public mutating func resume(order: [Int32], position: Int, stream: RandomStream?) throws {
        guard order.count == rows.count, Set(order).count == order.count,
              order.allSatisfy({ $0 >= 0 && Int($0) < rows.count }) else {
            throw DataError.invalid("the saved row order is not a permutation of the \(rows.count) training rows; was it saved for another split?")
        }
        guard position >= 0, position <= order.count else {
            throw DataError.invalid("the saved data position \(position) is outside 0...\(order.count)")
        }
        self.order = order
        self.position = position
        self.stream = stream
    }

    /// Fills `batch` with the next rows of this epoch; false when the epoch is over.
    public mutating func next(into batch: inout Batch) -> Bool {
        precondition(batch.capacity == batchSize && batch.width == width, "batch buffers do not match this batcher; use makeBatch()")
        let remaining = order.count - position
        if remaining <= 0 || (dropLast && remaining < batchSize) { return false }
        let n = min(batchSize, remaining)
        let w = width
        rows.storage.withUnsafeBufferPointer { storage in
            batch.items.withUnsafeMutableBufferPointer { items in
                batch.labels.withUnsafeMutableBufferPointer { labels in
                    for b in 0..<batch.capacity {
                        let base = b * w
                        guard b < n else {
                            for c in 0..<w { items[base + c] = 0; labels[base + c] = 0 }
                            batch.lengths[b] = 0; batch.targets[b] = 0; batch.users[b] = 0; batch.rowIndices[b] = 0
                            continue
                        }
                        let r = Int(order[position + b])
                        let end = rows.ends[r]
                        let start = max(rows.starts[r], end - w)
                        let length = end - start
                        for c in 0..<length {
                            items[base + c] = storage[start + c]
                            labels[base + c] = storage[start + c + 1]
                        }
                        for c in length..<w { items[base + c] = 0; labels[base + c] = 0 }
                        batch.lengths[b] = Int32(length)
                        batch.targets[b] = storage[end]
                        batch.users[b] = rows.users[r]
                        batch.rowIndices[b] = Int32(r)
                    }
                }
            }
        }
        batch.count = n
        position += n
        return true
    }
}
