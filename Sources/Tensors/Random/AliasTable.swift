// Walker's alias method: O(1) draws from a fixed discrete distribution, for negative sampling by
// popularity where millions of draws come from one table. Built in O(n) with Vose's stable variant.

/// A table for drawing indices with fixed probabilities in constant time.
public struct AliasTable: Sendable {
    /// Probability of keeping column i rather than taking its alias.
    public let keep: [Float]
    /// The alias of column i.
    public let alias: [Int32]

    /// Builds the table from non-negative weights with a positive sum.
    public init(weights: [Float]) {
        let n = weights.count
        precondition(n > 0, "AliasTable needs at least one weight")
        var total = 0.0
        for w in weights {
            precondition(w >= 0 && w.isFinite, "AliasTable weights must be finite and non-negative")
            total += Double(w)
        }
        precondition(total > 0, "AliasTable needs a positive total weight")
        var scaled = weights.map { Double($0) * Double(n) / total }
        var keep = [Float](repeating: 1, count: n)
        var alias = (0..<n).map { Int32($0) }
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.popLast() {
            keep[s] = Float(scaled[s])
            alias[s] = Int32(l)
            scaled[l] = (scaled[l] + scaled[s]) - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        // Whatever is left (including a small index dropped when `large` ran dry) is 1 up to rounding.
        for i in small + large { keep[i] = 1; alias[i] = Int32(i) }
        self.keep = keep
        self.alias = alias
    }

    /// Number of outcomes.
    public var count: Int { keep.count }

    /// Draws one index.
    @inline(__always)
    public func sample(_ rng: inout RandomStream) -> Int {
        let column = rng.int(below: keep.count)
        return rng.nextFloat() < keep[column] ? column : Int(alias[column])
    }
}
