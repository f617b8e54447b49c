// The splits of the evaluation protocol: leave-one-out and the per-user temporal ratio split.

extension Dataset {
    /// Leave-one-out: per user, test target = last event, validation target = second last, training on
    /// the rest. Histories are the `maxLength` events before the target, so the test history includes
    /// the validation item. Users with fewer than 3 events get no validation row, with fewer than 2
    /// no test row. Training rows are prefix rows (one per training position after the first) or
    /// sequence rows (the training part cut from the end into windows of `maxLength + 1` items that
    /// overlap by one, so every transition is predicted exactly once).
    public func leaveOneOut(maxLength: Int = 50, training: RowKind = .prefix) throws -> Split {
        guard maxLength >= 1 else { throw DataError.invalid("maxLength must be at least 1, got \(maxLength)") }
        var train = RowCollector(), valid = RowCollector(), test = RowCollector()
        for u in 1..<users.count {
            let s = userStarts[u], e = userStarts[u + 1], n = e - s
            if n >= 2 { test.add(u, max(s, e - 1 - maxLength), e - 1) }
            if n >= 3 { valid.add(u, max(s, e - 2 - maxLength), e - 2) }
            train.addTraining(u, s, n >= 3 ? e - 2 : min(e, s + 1), kind: training, maxLength: maxLength)
        }
        return Split(
            protocolDescription: "leave-one-out (valid = second last, test = last; test history includes the valid item), max length \(maxLength), training rows: \(training.rawValue)",
            train: train.rows(training, eventItems), valid: valid.rows(.prefix, eventItems),
            test: test.rows(.prefix, eventItems), itemCount: items.count, maxLength: maxLength)
    }

    /// Temporal ratio split per user (RecBole's `RS` with time order): each user's events are cut
    /// into train / valid / test parts by `ratios`; every validation and test event is one row whose
    /// history is everything before it (last `maxLength`). Counts follow RecBole: the valid and test
    /// parts get `floor(ratio * n)` events, raised to 1 where that is between 0 and 1 and the
    /// training part keeps more than one event.
    public func temporalSplit(ratios: [Double] = [0.8, 0.1, 0.1], maxLength: Int = 50,
                              training: RowKind = .prefix) throws -> Split {
        guard ratios.count == 3, ratios.allSatisfy({ $0 >= 0 && $0.isFinite }), ratios.reduce(0, +) > 0 else {
            throw DataError.invalid("ratios must be three non-negative numbers (train, valid, test), got \(ratios)")
        }
        guard maxLength >= 1 else { throw DataError.invalid("maxLength must be at least 1, got \(maxLength)") }
        let total = ratios.reduce(0, +)
        let r = ratios.map { $0 / total }
        var train = RowCollector(), valid = RowCollector(), test = RowCollector()
        for u in 1..<users.count {
            let s = userStarts[u], n = userStarts[u + 1] - s
            var cnt = r.map { Int($0 * Double(n)) }
            cnt[0] = n - cnt[1] - cnt[2]
            for i in 1...2 {
                if cnt[0] <= 1 { break }
                let want = r[3 - i] * Double(n)
                if want > 0 && want < 1 { cnt[3 - i] += 1; cnt[0] -= 1 }
            }
            let trainEnd = s + cnt[0], validEnd = trainEnd + cnt[1]
            for t in trainEnd..<validEnd where t > s { valid.add(u, max(s, t - maxLength), t) }
            for t in validEnd..<(s + n) where t > s { test.add(u, max(s, t - maxLength), t) }
            train.addTraining(u, s, trainEnd, kind: training, maxLength: maxLength)
        }
        return Split(
            protocolDescription: "temporal ratio split per user \(ratios.map { String($0) }.joined(separator: "/")), max length \(maxLength), training rows: \(training.rawValue)",
            train: train.rows(training, eventItems), valid: valid.rows(.prefix, eventItems),
            test: test.rows(.prefix, eventItems), itemCount: items.count, maxLength: maxLength)
    }
}

/// Gathers row bounds before they become `Rows`.
struct RowCollector {
    var users: [Int32] = []
    var starts: [Int] = []
    var ends: [Int] = []

    mutating func add(_ user: Int, _ start: Int, _ end: Int) {
        users.append(Int32(truncatingIfNeeded: user))
        starts.append(start)
        ends.append(end)
    }

    /// Training rows from the events `s..<e` of one user (the training part).
    mutating func addTraining(_ user: Int, _ s: Int, _ e: Int, kind: RowKind, maxLength: Int) {
        switch kind {
        case .prefix:
            var t = s + 1
            while t < e { add(user, max(s, t - maxLength), t); t += 1 }
        case .sequence:
            // Windows from the end; the next window ends where this one starts, so the item at the
            // boundary is this window's first input and the previous window's target.
            var last = e - 1
            var windows: [(Int, Int)] = []
            while last > s {
                let start = max(s, last - maxLength)
                windows.append((start, last))
                last = start
            }
            for (start, end) in windows.reversed() { add(user, start, end) }
        }
    }

    func rows(_ kind: RowKind, _ storage: [Int32]) -> Rows {
        Rows(unchecked: kind, storage: storage, users: users, starts: starts, ends: ends)
    }
}
