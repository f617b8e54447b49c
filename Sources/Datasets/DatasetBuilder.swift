// Collects events in file order and turns them into a Dataset: ids by first appearance, events
// grouped by user (a stable counting sort) and ordered by time with ties in file order.

/// Accumulates (user, item, time) events and builds a `Dataset`.
public struct DatasetBuilder {
    var userTokens = TokenInterner()
    var itemTokens = TokenInterner()
    var eventUsers: [Int32] = []
    var eventItems: [Int32] = []
    var eventTimes: [Double] = []

    /// An empty builder; `expectedEvents` only reserves memory.
    public init(expectedEvents: Int = 0) {
        eventUsers.reserveCapacity(expectedEvents)
        eventItems.reserveCapacity(expectedEvents)
        eventTimes.reserveCapacity(expectedEvents)
    }

    /// Number of events added so far.
    public var eventCount: Int { eventItems.count }

    /// Adds one event; ids are given to new tokens in the order they are first seen.
    public mutating func add(user: String, item: String, time: Double) {
        eventUsers.append(userTokens.intern(user))
        eventItems.append(itemTokens.intern(item))
        eventTimes.append(time)
    }

    /// Adds one event whose tokens are byte ranges of a file buffer (the fast path of the readers).
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, user: Range<Int>, item: Range<Int>, time: Double) {
        eventUsers.append(userTokens.intern(bytes, user))
        eventItems.append(itemTokens.intern(bytes, item))
        eventTimes.append(time)
    }

    /// Gives `user` an id even if it has no events (a user listed only in a `.user` file).
    public mutating func declare(user: String) -> Int32 { userTokens.intern(user) }
    /// Gives `item` an id even if it has no events (a cold item listed only in an `.item` file).
    public mutating func declare(item: String) -> Int32 { itemTokens.intern(item) }

    /// The user vocabulary so far.
    public var userVocabulary: Vocabulary { userTokens.vocabulary() }
    /// The item vocabulary so far.
    public var itemVocabulary: Vocabulary { itemTokens.vocabulary() }

    /// The dataset: events grouped by user, each user's events sorted by time as `order` says, ties
    /// in the order added. The times kept are always the ones added.
    public func build(name: String, order eventOrder: EventOrder = .exact) -> Dataset {
        let users = userTokens.vocabulary(), items = itemTokens.vocabulary()
        let (starts, order) = groupAndSort(users: eventUsers, times: eventOrder.sortKeys(eventTimes), userCount: users.count)
        var sortedItems = [Int32](repeating: 0, count: order.count)
        var sortedTimes = [Double](repeating: 0, count: order.count)
        for (k, e) in order.enumerated() {
            sortedItems[k] = eventItems[e]
            sortedTimes[k] = eventTimes[e]
        }
        return Dataset(unchecked: name, users: users, items: items, userStarts: starts,
                       eventItems: sortedItems, eventTimes: sortedTimes)
    }
}

/// How each user's events are put in time order.
public enum EventOrder: String, Sendable, CaseIterable {
    /// By the times as written; ties in file order.
    case exact
    /// As RecBole 1.2.1 orders them: every time min-max normalised over the file (RecBole's default
    /// `normalize_all`) and stored as Float32, ties in file order. Over a span of months, events
    /// about a second apart then tie, so a few users' last events change places; loading with this
    /// order gives RecBole's rows exactly.
    case recbole

    /// The keys events are sorted by.
    func sortKeys(_ times: [Double]) -> [Double] {
        switch self {
        case .exact: return times
        case .recbole:
            guard let low = times.min(), let high = times.max(), high > low else { return times }
            return times.map { Double(Float(($0 - low) / (high - low))) }
        }
    }
}

/// Groups event indices by user in a stable counting sort, then orders each user's events by
/// (time, position in the input); since positions are unique the result does not depend on the
/// sorting algorithm. Returns the user starts and the event order.
func groupAndSort(users: [Int32], times: [Double], userCount: Int) -> ([Int], [Int]) {
    var starts = [Int](repeating: 0, count: userCount + 1)
    for u in users { starts[Int(u) + 1] += 1 }
    for u in 0..<userCount { starts[u + 1] += starts[u] }
    var fill = starts
    var order = [Int](repeating: 0, count: users.count)
    for (e, u) in users.enumerated() {
        order[fill[Int(u)]] = e
        fill[Int(u)] += 1
    }
    for u in 0..<userCount {
        let lo = starts[u], hi = starts[u + 1]
        var sorted = true
        var k = lo + 1
        while k < hi {
            if times[order[k]] < times[order[k - 1]] { sorted = false; break }
            k += 1
        }
        if !sorted {
            order[lo..<hi].sort { a, b in times[a] < times[b] || (times[a] == times[b] && a < b) }
        }
    }
    return (starts, order)
}
