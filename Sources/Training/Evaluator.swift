// Evaluation by ranking: each row's positive item against all items (or sampled negatives).
//
// Scores are computed for one batch of rows at a time into a reused [B, N + 1] buffer (B shrunk to
// keep it under `MemoryLimit`), and only the positive's rank is kept per row, so memory never holds
// a users × items matrix and the result does not depend on the batch size. Ties count against the positive (an item scoring exactly as
// the positive ranks ahead of it), so a model that scores everything alike gets no credit.

import Datasets
import Support
import Tensors

/// Computes ranking metrics of a recommender on rows of a split.
public enum Evaluator {
    /// Ranks each row's target among all items (or sampled negatives) and averages the metrics.
    /// - Parameters:
    ///   - rows: prefix rows (history → target), e.g. `split.test`.
    ///   - width: the longest history fed to the model (the split's max length).
    ///   - maskHistory: exclude items of the row's history (other than the target) from the ranking.
    ///   - batchSize: rows scored at once (changes speed and memory only, never the result).
    public static func evaluate(
        _ model: Recommender, rows: Rows, ks: [Int] = [5, 10, 20], protocol rankingProtocol: RankingProtocol = .full,
        maskHistory: Bool = false, width: Int, batchSize: Int = 256
    ) throws -> RankingResult {
        precondition(!ks.isEmpty && ks.allSatisfy { $0 >= 1 }, "cut-offs must be positive")
        precondition(!(maskHistory && rankingProtocol == .recbole), "RecBole's full sort masks no history of a sequential model")
        let n = model.itemCount
        var ranks = [Int32](repeating: 0, count: rows.count)
        var negativesStream: RandomStream?
        if case .sampled(_, let seed) = rankingProtocol { negativesStream = Seed(seed).stream("eval.negatives") }
        var excluded = [Bool](repeating: false, count: n + 1)
        try forEachScoredRow(model, rows: rows, width: width, batchSize: batchSize) { batch, b, row in
            let target = Int(batch.targets[b])
            let history = batch.items[(b * batch.width)..<(b * batch.width + Int(batch.lengths[b]))]
            if maskHistory { for i in history { excluded[Int(i)] = true } }
            excluded[target] = false
            let rank: Int
            switch rankingProtocol {
            case .full, .recbole:
                rank = fullRank(row, target: target, itemCount: n, excluded: maskHistory ? excluded : nil)
            case .sampled(let count, _):
                rank = sampledRank(row, target: target, itemCount: n, negatives: count, rng: &negativesStream!)
            }
            if maskHistory { for i in history { excluded[Int(i)] = false } }
            ranks[Int(batch.rowIndices[b])] = Int32(rank)
        }
        return RankingResult(ranks: ranks, ks: ks, header: header(rankingProtocol, rows: rows.count, items: n, maskHistory: maskHistory))
    }

    /// Scores `rows` a batch at a time into one reused [B, N + 1] buffer and calls `body` with the
    /// batch, the row's index in it and the row's scores (column 0 = padding). Ctrl-C stops between
    /// batches with `EvaluationInterrupted`.
    static func forEachScoredRow(_ model: Recommender, rows: Rows, width: Int, batchSize: Int,
                                 _ body: (_ batch: Batch, _ b: Int, _ scores: UnsafePointer<Float>) throws -> Void) throws {
        let n = model.itemCount
        // The score block [B, N + 1] stays under the memory limit: fewer rows at once never change
        // a rank, only the speed; a single row that does not fit is refused.
        let rowsAtOnce = try MemoryLimit.rows(ofBytes: (n + 1) * MemoryLayout<Float>.stride, atMost: batchSize,
                                              for: "scoring all \(n) items for one row")
        var batcher = try Batcher(rows: rows, batchSize: rowsAtOnce, width: width)
        var batch = batcher.makeBatch()
        var scores = [Float](repeating: 0, count: rowsAtOnce * (n + 1))
        batcher.startEpoch()
        while batcher.next(into: &batch) {
            if Cancellation.isRequested { throw EvaluationInterrupted() }
            try scores.withUnsafeMutableBufferPointer { s in
                try model.score(batch, into: s.baseAddress!)
                for b in 0..<batch.count { try body(batch, b, s.baseAddress! + b * (n + 1)) }
            }
        }
    }

    /// The protocol line printed above every result.
    static func header(_ p: RankingProtocol, rows: Int, items: Int, maskHistory: Bool) -> String {
        switch p {
        case .full:
            return "full ranking over \(items) items (padding excluded), \(rows) rows, one positive each, history "
                + (maskHistory ? "masked" : "not masked") + ", ties count against the positive"
        case .recbole:
            return "RecBole 1.2.1's full sort over \(items) items (padding excluded, history not masked), \(rows) rows, "
                + "one positive each; ties count against the positive (RecBole: torch.topk's order)"
        case .sampled(let k, let seed):
            return "SAMPLED: positive vs \(k) uniform negatives (seed \(seed)), \(rows) rows — not comparable with full ranking"
        }
    }

    /// Items (1...n, not excluded) scoring at least as high as the target, other than the target.
    static func fullRank(_ row: UnsafePointer<Float>, target: Int, itemCount n: Int, excluded: [Bool]?) -> Int {
        let s = row[target]
        guard !s.isNaN else { return n }
        var ahead = 0
        if let excluded {
            for i in 1...n where i != target && !excluded[i] && row[i] >= s { ahead += 1 }
        } else {
            for i in 1...n where row[i] >= s { ahead += 1 }
            ahead -= 1   // the target itself
        }
        return ahead
    }

    /// Rank of the target among `negatives` uniformly drawn other items.
    static func sampledRank(_ row: UnsafePointer<Float>, target: Int, itemCount n: Int, negatives: Int,
                            rng: inout RandomStream) -> Int {
        let s = row[target]
        guard !s.isNaN, n > 1 else { return negatives }
        var ahead = 0
        for _ in 0..<negatives {
            var j = 1 + rng.int(below: n - 1)
            if j >= target { j += 1 }   // uniform over the n − 1 items other than the target
            if row[j] >= s { ahead += 1 }
        }
        return ahead
    }
}

/// Evaluation stopped by Ctrl-C.
public struct EvaluationInterrupted: Error, CustomStringConvertible {
    public var description: String { "evaluation interrupted" }
}
