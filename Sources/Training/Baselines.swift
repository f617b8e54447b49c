// The two baselines every comparison table starts with.
//   popularity: score = how often the item was a training target
//   markov:     score = how often the item followed the history's last item in training, with
//               popularity / (1 + max popularity) added so unseen transitions fall back to popularity
// Both are fitted from training rows only, so validation and test items never leak in.

import Datasets

/// Counts of training targets per item (for `sequence` rows: every label).
func targetCounts(_ rows: Rows, itemCount n: Int) -> [Float] {
    var counts = [Float](repeating: 0, count: n + 1)
    for r in 0..<rows.count {
        switch rows.kind {
        case .prefix: counts[Int(rows.target(r))] += 1
        case .sequence: for i in rows.labels(r) where i > 0 { counts[Int(i)] += 1 }
        }
    }
    counts[0] = 0
    return counts
}

/// Recommends the most frequent training targets to everyone.
public final class PopularityModel: Recommender {
    public let name = "popularity"
    public let itemCount: Int
    /// Training frequency per item (index 0 unused).
    public let counts: [Float]

    /// Fits on training rows.
    public init(train: Rows, itemCount: Int) {
        self.itemCount = itemCount
        counts = targetCounts(train, itemCount: itemCount)
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        counts.withUnsafeBufferPointer { c in
            for b in 0..<batch.count { (scores + b * (itemCount + 1)).update(from: c.baseAddress!, count: itemCount + 1) }
        }
    }
}

/// First-order item-to-item transitions (a Markov chain on the last item), falling back to popularity.
public final class MarkovModel: Recommender {
    public let name = "markov"
    public let itemCount: Int
    private let popularity: [Float]
    // Transitions in CSR form: successors of item a are next[starts[a]..<starts[a+1]] with weights.
    private let starts: [Int]
    private let next: [Int32]
    private let weights: [Float]

    /// Fits on training rows: every (item, following item) pair inside them.
    public init(train: Rows, itemCount: Int) {
        self.itemCount = itemCount
        popularity = targetCounts(train, itemCount: itemCount)
        var pairs: [(Int32, Int32)] = []
        for r in 0..<train.count {
            switch train.kind {
            case .prefix:
                if let last = train.history(r).last { pairs.append((last, train.target(r))) }
            case .sequence:
                for (a, b) in zip(train.history(r), train.labels(r)) where a > 0 && b > 0 { pairs.append((a, b)) }
            }
        }
        pairs.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var starts = [Int](repeating: 0, count: itemCount + 2)
        var next: [Int32] = [], weights: [Float] = []
        var i = 0
        while i < pairs.count {
            var j = i
            while j < pairs.count && pairs[j] == pairs[i] { j += 1 }
            next.append(pairs[i].1)
            weights.append(Float(j - i))
            starts[Int(pairs[i].0) + 1] += 1
            i = j
        }
        for a in 0...itemCount { starts[a + 1] += starts[a] }
        self.starts = starts
        self.next = next
        self.weights = weights
    }

    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        let fallback = 1 / (1 + (popularity.max() ?? 0))
        for b in 0..<batch.count {
            let row = scores + b * (itemCount + 1)
            for i in 0...itemCount { row[i] = popularity[i] * fallback }
            let length = Int(batch.lengths[b])
            guard length > 0 else { continue }
            let last = Int(batch.items[b * batch.width + length - 1])
            for e in starts[last]..<starts[last + 1] { row[Int(next[e])] += weights[e] }
        }
    }
}
