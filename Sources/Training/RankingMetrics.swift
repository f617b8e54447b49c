// Ranking metrics from the rank of the one positive item per row.
//   HR@K = [rank < K],  NDCG@K = [rank < K] / log2(rank + 2),  MRR@K = [rank < K] / (rank + 1)
// averaged over rows (one row per user in leave-one-out). Ranks are 0-based.

import Foundation

/// How items were ranked: against every item, or against sampled negatives.
public enum RankingProtocol: Sendable, Equatable {
    /// Full ranking over all items (padding excluded).
    case full
    /// The positive against `negatives` items drawn uniformly (without the positive), seeded.
    case sampled(negatives: Int, seed: UInt64)
    /// RecBole 1.2.1's full sort for sequential models (`Trainer._full_sort_batch_eval`, then the
    /// evaluator's `torch.topk`): every item but padding, no history masked (RecBole masks history
    /// only for non-sequential models). RecBole orders tied scores as torch.topk returns them, which
    /// is unspecified (neither by id nor stable); here a tie counts against the positive. The rows
    /// RecBole ranks are those of a leave-one-out split of data loaded with `order: "recbole"`.
    case recbole
}

/// Metrics of one evaluation, with the per-row ranks they come from.
public struct RankingResult: Sendable, CustomStringConvertible {
    /// The cut-offs, ascending.
    public let ks: [Int]
    /// HR@K (= Recall@K with one positive) per cut-off.
    public let hitRate: [Double]
    /// NDCG@K per cut-off.
    public let ndcg: [Double]
    /// MRR@K per cut-off.
    public let mrr: [Double]
    /// The 0-based rank of the positive in each row, in row order.
    public let ranks: [Int32]
    /// The protocol, as every result header states it.
    public let header: String

    /// Metrics from per-row ranks.
    public init(ranks: [Int32], ks: [Int], header: String) {
        let ks = ks.sorted()
        self.ks = ks
        self.ranks = ranks
        self.header = header
        let n = Double(max(ranks.count, 1))
        hitRate = ks.map { k in Double(ranks.filter { Int($0) < k }.count) / n }
        ndcg = ks.map { k in ranks.reduce(0.0) { $0 + (Int($1) < k ? 1 / log2(Double($1) + 2) : 0) } / n }
        mrr = ks.map { k in ranks.reduce(0.0) { $0 + (Int($1) < k ? 1 / (Double($1) + 1) : 0) } / n }
    }

    /// Per-row NDCG@k (for paired significance tests).
    public func rowNDCG(at k: Int) -> [Double] { ranks.map { Int($0) < k ? 1 / log2(Double($0) + 2) : 0 } }

    /// The value of `metric` ("hr", "ndcg", "mrr") at cut-off k, if evaluated.
    public func value(_ metric: String, at k: Int) -> Double? {
        guard let i = ks.firstIndex(of: k) else { return nil }
        switch metric.lowercased() {
        case "hr", "recall": return hitRate[i]
        case "ndcg": return ndcg[i]
        case "mrr": return mrr[i]
        default: return nil
        }
    }

    /// A header line and one line per metric, four decimals.
    public var description: String {
        var lines = [header]
        let head = ks.map { "@\($0)".padding(toLength: 8, withPad: " ", startingAt: 0) }.joined()
        lines.append("        " + head)
        for (name, values) in [("HR", hitRate), ("NDCG", ndcg), ("MRR", mrr)] {
            lines.append(name.padding(toLength: 8, withPad: " ", startingAt: 0)
                         + values.map { String(format: "%.4f", $0).padding(toLength: 8, withPad: " ", startingAt: 0) }.joined())
        }
        return lines.map { $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression) }.joined(separator: "\n")
    }
}
