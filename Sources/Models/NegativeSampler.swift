// Negative items for sampled objectives: uniform, by popularity, or LambdaFM's static rank-aware
// distribution (reference/yuan-models.md §4.5, PeterRec's `_lambdafm` data loader).
//
// Ids follow the dataset convention: 0 is padding and is never drawn; `itemCount` counts it, so
// real items are 1..<itemCount. Every sampler carries its explicit id → probability table, which
// tests compare frequencies with and sampled softmax uses for its log-Q correction.
//
// LambdaFM: items are ranked by training frequency (rank 0 = most frequent, ties by smaller id,
// items never seen last) and p(id) ∝ exp(−(rank + 1) / (ρ · N)), N = itemCount (padding included),
// ρ = 0.3 — the formula of `data_loader_recsys_transfer_finetune_lambdafm.py`. We build the
// id → probability array explicitly: the original assigns `list(dict.values())` to ids 1, 2, 3, …,
// which under Python 3.7+ insertion order gives the largest probabilities to the smallest ids
// whatever their popularity (§8.10). The original also does not exclude the positive; callers here
// choose (the objectives reject it).

import Foundation
import Tensors

/// Why a sampler could not be built from the given counts.
public enum NegativeSamplerError: Error, Equatable, CustomStringConvertible {
    /// Fewer than two real items can be drawn (a negative different from the positive needs two).
    case tooFewItems(Int)
    /// `counts` must have one entry per id, padding included.
    case countsLength(expected: Int, got: Int)
    /// A count is negative.
    case negativeCount(id: Int, count: Int)
    /// ρ must be positive and finite.
    case invalidRho(Double)

    /// The message shown to the user.
    public var description: String {
        switch self {
        case .tooFewItems(let n): "negative sampling needs at least two items that can be drawn, got \(n)"
        case .countsLength(let expected, let got): "item counts need \(expected) entries (one per id, padding included), got \(got)"
        case .negativeCount(let id, let count): "item \(id) has a negative count \(count)"
        case .invalidRho(let rho): "LambdaFM's rho must be positive, got \(rho)"
        }
    }
}

/// A distribution over item ids 1..<itemCount for drawing negatives; padding (0) is never drawn.
public struct NegativeSampler: Sendable, CustomStringConvertible {
    /// Which distribution.
    public enum Kind: Sendable, Equatable {
        /// Every real item equally likely.
        case uniform
        /// Proportional to the training count of each item.
        case popularity
        /// exp(−(rank + 1) / (ρ · N)) over items ranked by training count (LambdaFM's static sampler).
        case lambdaFM(rho: Double)
    }

    /// The distribution this sampler draws from.
    public let kind: Kind
    /// Number of ids including padding (N); draws lie in 1..<itemCount.
    public let itemCount: Int
    /// Probability of each id, [itemCount] with entry 0 (padding) zero; sums to 1.
    public let probabilities: [Double]
    /// Alias table over ids 1..<itemCount (index i is id i + 1); nil for uniform, which needs none.
    private let table: AliasTable?

    private init(kind: Kind, itemCount: Int, weights: [Double]?) throws {
        if let weights {
            let drawable = weights.dropFirst().filter { $0 > 0 }.count
            guard drawable >= 2 else { throw NegativeSamplerError.tooFewItems(drawable) }
            let total = weights.dropFirst().reduce(0, +)
            probabilities = [0] + weights.dropFirst().map { $0 / total }
            // Built without the padding id, so no rounding in the table can ever return it.
            table = AliasTable(weights: probabilities.dropFirst().map { Float($0) })
        } else {
            guard itemCount - 1 >= 2 else { throw NegativeSamplerError.tooFewItems(max(0, itemCount - 1)) }
            probabilities = [0] + Array(repeating: 1 / Double(itemCount - 1), count: itemCount - 1)
            table = nil
        }
        self.kind = kind
        self.itemCount = itemCount
    }

    /// Uniform over ids 1..<itemCount (`itemCount` includes padding).
    public static func uniform(itemCount: Int) throws -> NegativeSampler {
        try NegativeSampler(kind: .uniform, itemCount: itemCount, weights: nil)
    }

    /// Proportional to `counts[id]` (one entry per id, padding's entry ignored); items with count 0
    /// are never drawn.
    public static func popularity(counts: [Int]) throws -> NegativeSampler {
        try checkCounts(counts)
        return try NegativeSampler(kind: .popularity, itemCount: counts.count, weights: [0] + counts.dropFirst().map(Double.init))
    }

    /// LambdaFM's static sampler: p(id) ∝ exp(−(rank(id) + 1) / (rho · N)), rank by `counts[id]`
    /// descending (ties: smaller id first), N = counts.count (padding included). Every real item,
    /// seen or not, can be drawn.
    public static func lambdaFM(counts: [Int], rho: Double = 0.3) throws -> NegativeSampler {
        try checkCounts(counts)
        guard rho > 0 && rho.isFinite else { throw NegativeSamplerError.invalidRho(rho) }
        let n = counts.count
        let ranked = (1..<max(n, 1)).sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        var weights = [Double](repeating: 0, count: n)
        for (rank, id) in ranked.enumerated() { weights[id] = exp(-Double(rank + 1) / (rho * Double(n))) }
        return try NegativeSampler(kind: .lambdaFM(rho: rho), itemCount: n, weights: weights)
    }

    private static func checkCounts(_ counts: [Int]) throws {
        for (id, count) in counts.enumerated() where id > 0 && count < 0 {
            throw NegativeSamplerError.negativeCount(id: id, count: count)
        }
    }

    /// "uniform", "popularity", "lambdafm" (or "lambdafm(rho 0.5)" away from the default 0.3).
    public var description: String {
        switch kind {
        case .uniform: "uniform"
        case .popularity: "popularity"
        case .lambdaFM(let rho): rho == 0.3 ? "lambdafm" : "lambdafm(rho \(rho))"
        }
    }

    /// Draws one id in 1..<itemCount; with `positive` given, redraws until the id differs from it
    /// (terminates: at least two ids have positive probability).
    public func sample(_ rng: inout RandomStream, excluding positive: Int32? = nil) -> Int32 {
        while true {
            let id: Int32
            if let table { id = Int32(table.sample(&rng) + 1) } else { id = Int32(1 + rng.int(below: itemCount - 1)) }
            if id != positive { return id }
        }
    }

    /// `count` negatives for each of `positives` [R] (any shape, flattened) → [R, count], drawn in row
    /// order. Rows whose positive is padding (0) draw nothing and hold 0s. With `rejectPositive`
    /// a row never contains its own positive; draws within a row may repeat (with replacement).
    public func negatives(for positives: IndexTensor, count: Int, rejectPositive: Bool = true,
                          rng: inout RandomStream) -> IndexTensor {
        precondition(count >= 0, "negatives: count must not be negative")
        var values = [Int32](repeating: 0, count: positives.count * count)
        for (r, positive) in positives.values.enumerated() where positive != 0 {
            precondition(Int(positive) < itemCount, "negatives: positive \(positive) outside 1..<\(itemCount)")
            for j in 0..<count {
                values[r * count + j] = sample(&rng, excluding: rejectPositive ? positive : nil)
            }
        }
        return IndexTensor(shape: [positives.count, count], values: values)
    }
}
