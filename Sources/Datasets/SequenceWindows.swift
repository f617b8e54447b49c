// Prefix rows → sequence rows. A split made for SASRec-style training (one row per history
// prefix) can train a NextItNet-style model, which predicts the next item at every position, without
// being made again: each user's training region is the union of its prefix rows, cut into the same
// overlapping windows `leaveOneOut(training: .sequence)` makes, so every transition counts once.

extension Rows {
    /// The same training events as sequence rows of at most `maxLength` inputs each. Sequence rows
    /// come back unchanged. A user's prefix rows must be contiguous (as every split makes them).
    public func sequenceWindows(maxLength: Int) -> Rows {
        precondition(maxLength >= 1, "sequenceWindows needs maxLength ≥ 1")
        guard kind == .prefix else { return self }
        var collector = RowCollector()
        var r = 0
        while r < count {
            let user = users[r]
            var first = starts[r], last = ends[r]
            var next = r + 1
            while next < count && users[next] == user {
                first = min(first, starts[next])
                last = max(last, ends[next])
                next += 1
            }
            // The user's events first...last (the last one is a target), as addTraining expects:
            // its `e` is one past the training part.
            collector.addTraining(Int(user), first, last + 1, kind: .sequence, maxLength: maxLength)
            r = next
        }
        return collector.rows(.sequence, storage)
    }
}
