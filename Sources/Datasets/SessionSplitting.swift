// Cutting long histories into sessions.
//
// Two rules from the seed papers: a new session starts where the time gap between consecutive events
// exceeds a threshold; and the max-gap recursive split cuts a history at its largest gap, then each
// piece again, until every piece is at most `maxLength` long (so sub-sessions break where the user
// paused longest rather than at arbitrary positions).

extension Dataset {
    /// Each session becomes a user `"<user>#<k>"` (k from 1); sessions split where the gap between
    /// consecutive events is greater than `maxGap` (in the units of the time column). Sessions shorter
    /// than `minLength` are dropped. User attributes follow their sessions.
    public func splitSessions(maxGap: Double, minLength: Int = 1) throws -> Dataset {
        guard maxGap >= 0, maxGap.isFinite else { throw DataError.invalid("maxGap must be a non-negative number, got \(maxGap)") }
        return regrouped(minLength: minLength) { r in
            var cuts: [Int] = [r.lowerBound]
            for e in (r.lowerBound + 1)..<max(r.lowerBound + 1, r.upperBound) where eventTimes[e] - eventTimes[e - 1] > maxGap {
                cuts.append(e)
            }
            cuts.append(r.upperBound)
            return cuts
        }
    }

    /// Splits every history longer than `maxLength` at its largest time gap, recursively, until every
    /// piece has at most `maxLength` events. Among equal largest gaps the one nearest the middle is
    /// cut (the earlier one on a tie), so histories without times split into balanced halves.
    public func splitAtLargestGaps(maxLength: Int, minLength: Int = 1) throws -> Dataset {
        guard maxLength >= 1 else { throw DataError.invalid("maxLength must be at least 1, got \(maxLength)") }
        return regrouped(minLength: minLength) { r in
            var cuts: [Int] = [r.lowerBound]
            var pending: [Range<Int>] = [r]
            var pieces: [Range<Int>] = []
            while let piece = pending.popLast() {
                if piece.count <= maxLength { pieces.append(piece); continue }
                var best = piece.lowerBound + 1
                var bestGap = -Double.infinity
                var bestDistance = Int.max
                let middle2 = piece.lowerBound + piece.upperBound  // twice the middle, to stay in integers
                for e in (piece.lowerBound + 1)..<piece.upperBound {
                    let gap = eventTimes[e] - eventTimes[e - 1]
                    let distance = abs(2 * e - middle2)
                    if gap > bestGap || (gap == bestGap && distance < bestDistance) {
                        best = e; bestGap = gap; bestDistance = distance
                    }
                }
                pending.append(best..<piece.upperBound)
                pending.append(piece.lowerBound..<best)
            }
            for p in pieces.sorted(by: { $0.lowerBound < $1.lowerBound }) { cuts.append(p.upperBound) }
            return cuts
        }
    }

    /// A dataset whose users are the pieces of each user's events, given as cut positions
    /// `[start, c1, c2, ..., end]` by `cutsOf`.
    private func regrouped(minLength: Int, cutsOf: (Range<Int>) -> [Int]) -> Dataset {
        var newUsers = Vocabulary()
        var owners: [Int] = [0]
        var starts = [0, 0]
        var newEvents: [Int32] = [], newTimes: [Double] = []
        for u in 1..<users.count {
            let cuts = cutsOf(events(of: u))
            var k = 0
            for (a, b) in zip(cuts, cuts.dropFirst()) where b - a >= max(1, minLength) {
                k += 1
                _ = newUsers.intern("\(users.tokens[u])#\(k)")
                owners.append(u)
                newEvents.append(contentsOf: eventItems[a..<b])
                newTimes.append(contentsOf: eventTimes[a..<b])
                starts.append(newEvents.count)
            }
        }
        var result = Dataset(unchecked: name, users: newUsers, items: items, userStarts: starts,
                             eventItems: newEvents, eventTimes: newTimes)
        result.itemText = itemText
        result.itemFeatures = itemFeatures
        result.wordDropFeatures = wordDropFeatures
        result.itemAttributes = itemAttributes
        result.userAttributes = userAttributes?.reindexed(owners)
        return result
    }
}
