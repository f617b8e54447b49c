// The one internal form every reader produces.
//
// Users and items are dense ids (0 = padding). Events are stored user by user in one flat array
// (compressed sparse rows), each user's events sorted by time with ties in file order, so a user's
// history is a slice and splits can refer to it without copying.

import Tensors

/// The type of a column, as RecBole atomic headers spell it (`name:type`).
public enum FieldType: String, Sendable, CaseIterable {
    /// One token (an id or a category).
    case token
    /// Space-separated tokens (a title, a list of genres).
    case tokenSequence = "token_seq"
    /// One number.
    case float
    /// Space-separated numbers.
    case floatSequence = "float_seq"
}

/// Named columns of per-entity values (per user or per item), indexed by dense id.
public struct AttributeTable: Sendable, Equatable {
    /// One attribute: its name, its declared type, and `values[id]` as written ("" when unknown).
    public struct Column: Sendable, Equatable {
        /// The column name, e.g. `gender`.
        public let name: String
        /// The declared type.
        public let type: FieldType
        /// The value for each dense id; index 0 (padding) and unknown entities hold "".
        public var values: [String]

        /// A column of `values` indexed by dense id.
        public init(name: String, type: FieldType, values: [String]) {
            self.name = name
            self.type = type
            self.values = values
        }
    }

    /// The columns in file order.
    public var columns: [Column]

    /// A table of `columns`, each with one value per dense id.
    public init(columns: [Column]) { self.columns = columns }

    /// The column called `name`, if any.
    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    /// The column names in order.
    public var names: [String] { columns.map(\.name) }

    /// The rows selected by `map` (new id → old id), for when ids are renumbered.
    func reindexed(_ oldIds: [Int]) -> AttributeTable {
        AttributeTable(columns: columns.map { c in
            Column(name: c.name, type: c.type, values: oldIds.map { $0 < c.values.count ? c.values[$0] : "" })
        })
    }
}

/// A dense float matrix of per-item features; row 0 (padding) is zero.
public struct FeatureMatrix: Sendable, Equatable {
    /// Number of rows (item ids including padding).
    public let rows: Int
    /// Values per row.
    public let width: Int
    /// Row-major values, `rows * width`.
    public var values: [Float]

    /// A matrix from row-major values.
    public init(rows: Int, width: Int, values: [Float]) {
        precondition(values.count == rows * width, "FeatureMatrix needs rows * width values")
        self.rows = rows
        self.width = width
        self.values = values
    }

    /// Row `r` as a slice.
    public func row(_ r: Int) -> ArraySlice<Float> { values[(r * width)..<((r + 1) * width)] }

    func reindexed(_ oldIds: [Int]) -> FeatureMatrix {
        var out = [Float](repeating: 0, count: oldIds.count * width)
        for (new, old) in oldIds.enumerated() where old > 0 && old < rows {
            for k in 0..<width { out[new * width + k] = values[old * width + k] }
        }
        return FeatureMatrix(rows: oldIds.count, width: width, values: out)
    }
}

/// Interactions with users and items as dense ids (0 = padding), per-user events sorted by time.
public struct Dataset: Sendable {
    /// A short name for summaries and run records (e.g. `ml-100k`).
    public var name: String
    /// User tokens ↔ ids.
    public internal(set) var users: Vocabulary
    /// Item tokens ↔ ids.
    public internal(set) var items: Vocabulary
    /// User `u`'s events are at `userStarts[u]..<userStarts[u + 1]`; count is `users.count + 1`.
    public internal(set) var userStarts: [Int]
    /// The item of every event, user by user, each user in time order.
    public internal(set) var eventItems: [Int32]
    /// The time of every event (file position when the file has no time column).
    public internal(set) var eventTimes: [Double]
    /// Text per item id (title and the like), "" for padding; nil when the source has none.
    public var itemText: [String]?
    /// Feature vectors per item id (e.g. `.feat1CLS`); nil when the source has none.
    public var itemFeatures: FeatureMatrix?
    /// The same features of each item's text with words dropped (UniSRec's `.feat2CLS`, which its
    /// pretraining reads as the word-drop view); nil when the source has none.
    public var wordDropFeatures: FeatureMatrix?
    /// Other item columns (genres, year, raw ids), indexed by item id.
    public var itemAttributes: AttributeTable?
    /// User columns (age, gender, occupation), indexed by user id.
    public var userAttributes: AttributeTable?

    /// A dataset from parts already in internal form; checks that they agree.
    public init(name: String, users: Vocabulary, items: Vocabulary, userStarts: [Int],
                eventItems: [Int32], eventTimes: [Double], itemText: [String]? = nil,
                itemFeatures: FeatureMatrix? = nil, itemAttributes: AttributeTable? = nil,
                userAttributes: AttributeTable? = nil) throws {
        guard userStarts.count == users.count + 1, userStarts.first == 0,
              userStarts.last == eventItems.count, eventTimes.count == eventItems.count,
              zip(userStarts, userStarts.dropFirst()).allSatisfy({ $0 <= $1 }),
              userStarts[1] == 0
        else { throw DataError.invalid("dataset parts disagree: userStarts must run from 0 to the event count, one entry per user plus one, with no events for padding") }
        guard eventItems.allSatisfy({ $0 > 0 && Int($0) < items.count }) else {
            throw DataError.invalid("dataset events must use item ids 1..<\(items.count)")
        }
        if let t = itemText, t.count != items.count {
            throw DataError.invalid("item text has \(t.count) entries; expected \(items.count), one per item id")
        }
        if let f = itemFeatures, f.rows != items.count {
            throw DataError.invalid("item features have \(f.rows) rows; expected \(items.count), one per item id")
        }
        self.init(unchecked: name, users: users, items: items, userStarts: userStarts,
                  eventItems: eventItems, eventTimes: eventTimes)
        self.itemText = itemText
        self.itemFeatures = itemFeatures
        self.itemAttributes = itemAttributes
        self.userAttributes = userAttributes
    }

    /// Parts known to agree (built by this module).
    init(unchecked name: String, users: Vocabulary, items: Vocabulary, userStarts: [Int],
         eventItems: [Int32], eventTimes: [Double]) {
        self.name = name
        self.users = users
        self.items = items
        self.userStarts = userStarts
        self.eventItems = eventItems
        self.eventTimes = eventTimes
    }

    /// Number of users (padding excluded).
    public var userCount: Int { users.count - 1 }
    /// Number of items (padding excluded).
    public var itemCount: Int { items.count - 1 }
    /// Number of events.
    public var interactionCount: Int { eventItems.count }

    /// Positions of user `u`'s events in `eventItems`.
    public func events(of user: Int) -> Range<Int> { userStarts[user]..<userStarts[user + 1] }
    /// User `u`'s items in time order.
    public func sequence(of user: Int) -> ArraySlice<Int32> { eventItems[events(of: user)] }
    /// Number of events of user `u`.
    public func length(of user: Int) -> Int { userStarts[user + 1] - userStarts[user] }

    /// How many events each item has (index = item id; index 0 is 0).
    public func itemFrequencies() -> [Int] {
        var counts = [Int](repeating: 0, count: items.count)
        for i in eventItems { counts[Int(i)] += 1 }
        return counts
    }

    /// A 64-bit FNV-1a fingerprint of the events, users and items, for run records.
    public var fingerprint: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ x: UInt64) {
            var v = x
            for _ in 0..<8 { h ^= v & 0xFF; h = h &* 0x0000_0100_0000_01b3; v >>= 8 }
        }
        for t in users.tokens { mix(fnv1a64(t)) }
        for t in items.tokens { mix(fnv1a64(t)) }
        for s in userStarts { mix(UInt64(s)) }
        for i in eventItems { mix(UInt64(i)) }
        for t in eventTimes { mix(t.bitPattern) }
        return h
    }
}

