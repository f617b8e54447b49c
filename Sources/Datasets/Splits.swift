// The splits of the evaluation protocol: leave-one-out, the per-user temporal ratio split, and the
// hold-out of whole users (sessions) that the authors' NextItNet, PeterRec and Conure code uses.

import Tensors

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

extension Dataset {
    /// Hold-out of whole users, as the authors' TF code splits its session rows (`np.random.seed(10);
    /// samples[permutation]`, the last `tt_percentage` of rows for testing; yuan-models.md §1.2):
    /// users are shuffled by the stream "split.sessions" of `seed` (SeqLab's generator, so not
    /// numpy's permutation) and cut in that order into training, validation and test users by
    /// `ratios` (the validation and test counts are `floor(ratio · users)`, as the original's
    /// `int(tt_percentage * N)`; training keeps the rest). A held-out user gives one row: the last
    /// event predicted from the `maxLength` before it, as NextItNet's evaluation predicts the last
    /// item of each test session. A training user's whole sequence trains (prefix or sequence rows).
    /// Users with fewer than 2 events give a held-out user no row.
    public func sessionHoldOut(ratios: [Double] = [0.8, 0, 0.2], seed: UInt64 = 10, maxLength: Int = 50,
                               training: RowKind = .sequence) throws -> Split {
        guard ratios.count == 3, ratios.allSatisfy({ $0 >= 0 && $0.isFinite }), ratios.reduce(0, +) > 0 else {
            throw DataError.invalid("ratios must be three non-negative numbers (train, valid, test), got \(ratios)")
        }
        guard maxLength >= 1 else { throw DataError.invalid("maxLength must be at least 1, got \(maxLength)") }
        let total = ratios.reduce(0, +)
        let n = users.count - 1
        let testCount = Int(ratios[2] / total * Double(n)), validCount = Int(ratios[1] / total * Double(n))
        guard testCount >= 1 else {
            throw DataError.invalid("a test share of \(ratios[2] / total) of \(n) users holds out no user; raise the test ratio")
        }
        guard testCount + validCount < n else {
            throw DataError.invalid("the validation and test shares hold out all \(n) users; leave some for training")
        }
        var stream = Seed(seed).stream("split.sessions")
        let order = stream.permutation(n).map { $0 + 1 }                         // users in shuffled order
        var part = [UInt8](repeating: 0, count: users.count)                     // 0 train, 1 valid, 2 test
        for u in order.suffix(testCount) { part[u] = 2 }
        for u in order.dropLast(testCount).suffix(validCount) { part[u] = 1 }
        var train = RowCollector(), valid = RowCollector(), test = RowCollector()
        for u in 1..<users.count {
            let s = userStarts[u], e = userStarts[u + 1]
            switch part[u] {
            case 2: if e - s >= 2 { test.add(u, max(s, e - 1 - maxLength), e - 1) }
            case 1: if e - s >= 2 { valid.add(u, max(s, e - 1 - maxLength), e - 1) }
            default: train.addTraining(u, s, e, kind: training, maxLength: maxLength)
            }
        }
        let shares = ratios.map { String($0 / total) }.joined(separator: "/")
        return Split(
            protocolDescription: "hold-out of whole users \(shares) (seed \(seed); a held-out user's last item is predicted from the ones before), max length \(maxLength), training rows: \(training.rawValue)",
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
