// Training and evaluation rows as windows into one item array.
//
// A row is (user, start, end): its history is `storage[start..<end]` and its target the item right
// after, `storage[end]`. Splits of a dataset point into the dataset's own event array, so making
// 100,000 prefix rows copies no items.

/// How a row is used for training.
public enum RowKind: String, Sendable {
    /// History → next item: one prediction per row (RecBole, SASRec style).
    case prefix
    /// Every position predicts the next item (NextItNet style): labels are the history shifted by one,
    /// ending with the target.
    case sequence
}

/// A set of rows: histories and targets that share one item array.
public struct Rows: Sendable {
    /// How the rows are meant to be used.
    public let kind: RowKind
    /// The items the rows point into (a dataset's `eventItems`, or the rows of a pre-split file).
    public let storage: [Int32]
    /// The user of each row.
    public let users: [Int32]
    /// Where each row's history starts in `storage`.
    public let starts: [Int]
    /// Where each row's history ends; the target is `storage[end]`.
    public let ends: [Int]

    /// Rows from their parts; `starts[r] <= ends[r] < storage.count` must hold for every row.
    public init(kind: RowKind, storage: [Int32], users: [Int32], starts: [Int], ends: [Int]) throws {
        guard users.count == starts.count, starts.count == ends.count,
              zip(starts, ends).allSatisfy({ $0 >= 0 && $0 <= $1 && $1 < storage.count })
        else { throw DataError.invalid("rows need one user, start and end each, with 0 <= start <= end < storage count") }
        self.kind = kind
        self.storage = storage
        self.users = users
        self.starts = starts
        self.ends = ends
    }

    init(unchecked kind: RowKind, storage: [Int32], users: [Int32], starts: [Int], ends: [Int]) {
        self.kind = kind
        self.storage = storage
        self.users = users
        self.starts = starts
        self.ends = ends
    }

    /// Number of rows.
    public var count: Int { ends.count }
    /// The history of row `r`, oldest first.
    public func history(_ r: Int) -> ArraySlice<Int32> { storage[starts[r]..<ends[r]] }
    /// The item to predict after the history of row `r`.
    public func target(_ r: Int) -> Int32 { storage[ends[r]] }
    /// The labels of row `r` when every position predicts the next item (history shifted by one).
    public func labels(_ r: Int) -> ArraySlice<Int32> {
        starts[r] < ends[r] ? storage[(starts[r] + 1)...ends[r]] : storage[ends[r]..<ends[r]]
    }
    /// The length of the longest history.
    public var longestHistory: Int { zip(starts, ends).map { $1 - $0 }.max() ?? 0 }
    /// Number of next-item predictions the rows hold (one per row, or one per position).
    public var predictionCount: Int {
        kind == .prefix ? count : zip(starts, ends).reduce(0) { $0 + $1.1 - $1.0 }
    }
}

/// Train, validation and test rows of one dataset, with the protocol that made them.
public struct Split: Sendable {
    /// A one-line statement of the protocol, for result headers.
    public let protocolDescription: String
    /// Training rows.
    public let train: Rows
    /// Validation rows (one target each).
    public let valid: Rows
    /// Test rows (one target each).
    public let test: Rows
    /// Number of item ids including padding (the width of a full-ranking score vector).
    public let itemCount: Int
    /// The longest history a row may have.
    public let maxLength: Int

    /// A split from parts made elsewhere (transfer tasks build theirs from examples).
    public init(protocolDescription: String, train: Rows, valid: Rows, test: Rows, itemCount: Int, maxLength: Int) {
        self.protocolDescription = protocolDescription
        self.train = train
        self.valid = valid
        self.test = test
        self.itemCount = itemCount
        self.maxLength = maxLength
    }
}
