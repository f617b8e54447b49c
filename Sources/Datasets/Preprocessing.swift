// Filtering and trimming: deduplication, iterative k-core, minimum length, truncation.
// Each returns a new dataset; ids are renumbered only when users or items disappear, keeping the
// relative order of the survivors (so the result is as deterministic as the input).

/// Which of several events of the same (user, item) pair deduplication keeps.
public enum DuplicatePolicy: String, Sendable {
    /// The earliest event.
    case first
    /// The latest event.
    case last
}

/// Item popularity in one dataset.
public struct ItemStatistics: Sendable {
    /// Events per item id (index 0 = padding = 0).
    public let frequencies: [Int]
    /// Item ids from most to least frequent; ties by id, so the order is deterministic.
    public let byPopularity: [Int32]
    /// Items with no events.
    public let coldItems: Int
    /// Gini coefficient of the frequencies (0 = all items equally popular, near 1 = a few items take all).
    public let gini: Double
}

extension Dataset {
    /// Frequencies, popularity order and concentration of the items.
    public func itemStatistics() -> ItemStatistics {
        let f = itemFrequencies()
        let order = (1..<items.count).sorted { f[$0] > f[$1] || (f[$0] == f[$1] && $0 < $1) }.map { Int32($0) }
        let sortedCounts = f.dropFirst().sorted()
        let n = Double(sortedCounts.count), total = Double(sortedCounts.reduce(0, +))
        var weighted = 0.0
        for (i, c) in sortedCounts.enumerated() { weighted += Double(i + 1) * Double(c) }
        let gini = total > 0 && n > 0 ? (2 * weighted) / (n * total) - (n + 1) / n : 0
        return ItemStatistics(frequencies: f, byPopularity: order, coldItems: sortedCounts.filter { $0 == 0 }.count, gini: gini)
    }

    /// Removes repeated (user, item) events, keeping the first or last of each pair.
    public func deduplicated(keep: DuplicatePolicy = .first) -> Dataset {
        // A per-item stamp (last user that saw it) replaces a per-user Set: no hashing, no order.
        var stamp = [Int32](repeating: 0, count: items.count)
        var keepEvent = [Bool](repeating: false, count: eventItems.count)
        for u in 1..<users.count {
            let r = events(of: u)
            let indices: [Int] = keep == .first ? Array(r) : r.reversed()
            for e in indices {
                let i = Int(eventItems[e])
                if stamp[i] != Int32(u) { stamp[i] = Int32(u); keepEvent[e] = true }
            }
        }
        return keepingEvents(keepEvent, dropEmptyUsers: false, dropEmptyItems: false)
    }

    /// Iterative k-core: repeatedly removes users with fewer than `userCore` events and items with
    /// fewer than `itemCore` events until both hold; then drops the users and items left empty.
    public func kCore(userCore: Int = 5, itemCore: Int = 5) -> Dataset {
        var keepEvent = [Bool](repeating: true, count: eventItems.count)
        var changed = true
        while changed {
            changed = false
            var itemCount = [Int](repeating: 0, count: items.count)
            for e in 0..<eventItems.count where keepEvent[e] { itemCount[Int(eventItems[e])] += 1 }
            for u in 1..<users.count {
                let r = events(of: u)
                var n = 0
                for e in r where keepEvent[e] { n += 1 }
                if n > 0 && n < userCore {
                    for e in r { keepEvent[e] = false }
                    changed = true
                }
            }
            for e in 0..<eventItems.count where keepEvent[e] && itemCount[Int(eventItems[e])] < itemCore {
                keepEvent[e] = false
                changed = true
            }
        }
        return keepingEvents(keepEvent, dropEmptyUsers: true, dropEmptyItems: true)
    }

    /// Drops users with fewer than `minLength` events (items stay).
    public func filtered(minLength: Int) -> Dataset {
        var keepEvent = [Bool](repeating: true, count: eventItems.count)
        for u in 1..<users.count where length(of: u) < minLength {
            for e in events(of: u) { keepEvent[e] = false }
        }
        return keepingEvents(keepEvent, dropEmptyUsers: true, dropEmptyItems: false)
    }

    /// Keeps each user's last `maxLength` events.
    public func truncated(toLast maxLength: Int) -> Dataset {
        var keepEvent = [Bool](repeating: false, count: eventItems.count)
        for u in 1..<users.count {
            let r = events(of: u)
            for e in max(r.lowerBound, r.upperBound - maxLength)..<r.upperBound { keepEvent[e] = true }
        }
        return keepingEvents(keepEvent, dropEmptyUsers: false, dropEmptyItems: false)
    }

    /// The dataset with only the marked events; optionally renumbers users and items that lost all
    /// events, carrying text, features and attributes along.
    func keepingEvents(_ keepEvent: [Bool], dropEmptyUsers: Bool, dropEmptyItems: Bool) -> Dataset {
        var userHas = [Bool](repeating: !dropEmptyUsers, count: users.count)
        var itemHas = [Bool](repeating: !dropEmptyItems, count: items.count)
        for u in 1..<users.count {
            for e in events(of: u) where keepEvent[e] { userHas[u] = true; itemHas[Int(eventItems[e])] = true }
        }
        userHas[0] = true
        itemHas[0] = true
        let (newUsers, _) = users.compacted(keep: userHas)
        let (newItems, itemMap) = items.compacted(keep: itemHas)
        var starts = [0, 0]
        var newEvents: [Int32] = [], newTimes: [Double] = []
        newEvents.reserveCapacity(eventItems.count)
        newTimes.reserveCapacity(eventItems.count)
        for u in 1..<users.count where userHas[u] {
            for e in events(of: u) where keepEvent[e] {
                newEvents.append(itemMap[Int(eventItems[e])])
                newTimes.append(eventTimes[e])
            }
            starts.append(newEvents.count)
        }
        var result = Dataset(unchecked: name, users: newUsers, items: newItems, userStarts: starts,
                             eventItems: newEvents, eventTimes: newTimes)
        let oldItems = [0] + (1..<items.count).filter { itemHas[$0] }
        let oldUsers = [0] + (1..<users.count).filter { userHas[$0] }
        result.itemText = itemText.map { t in oldItems.map { t[$0] } }
        result.itemFeatures = itemFeatures?.reindexed(oldItems)
        result.wordDropFeatures = wordDropFeatures?.reindexed(oldItems)
        result.itemAttributes = itemAttributes?.reindexed(oldItems)
        result.userAttributes = userAttributes?.reindexed(oldUsers)
        return result
    }
}
