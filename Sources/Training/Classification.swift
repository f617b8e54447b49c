// Classification metrics for user-attribute tasks (gender, age bucket, occupation): the class a
// model predicts is its highest-scoring target (ties go to the lower id), compared with the row's
// target. Accuracy is the share of rows predicted right; macro-F1 averages the per-class F1 over
// the classes that occur as truth or prediction, so a model that always answers the majority
// class gets a low macro-F1 even where its accuracy looks good.

import Datasets
import Tensors

/// Accuracy, macro-F1 and the confusion counts of a classifier on some rows.
public struct ClassificationResult: Sendable {
    /// Number of classes K (ids 1...K).
    public let classes: Int
    /// `confusion[t][p]`: rows of true class t + 1 predicted as class p + 1.
    public let confusion: [[Int]]
    /// Rows evaluated.
    public var count: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    /// Share of rows whose predicted class is the true one.
    public var accuracy: Double {
        count == 0 ? 0 : Double((0..<classes).reduce(0) { $0 + confusion[$1][$1] }) / Double(count)
    }
    /// Mean F1 over the classes that are some row's truth or prediction.
    public var macroF1: Double {
        var total = 0.0, used = 0
        for c in 0..<classes {
            let truth = confusion[c].reduce(0, +)
            let predicted = (0..<classes).reduce(0) { $0 + confusion[$1][c] }
            guard truth + predicted > 0 else { continue }
            total += 2 * Double(confusion[c][c]) / Double(truth + predicted)
            used += 1
        }
        return used == 0 ? 0 : total / Double(used)
    }
    /// The predicted class id (1...K) of every row, in row order.
    public let predictions: [Int32]
}

extension Evaluator {
    /// Predicts a class for every row (the model's highest score among ids 1...itemCount) and
    /// compares it with the row's target.
    public static func classify(_ model: Recommender, rows: Rows, width: Int, batchSize: Int = 256) throws -> ClassificationResult {
        let k = model.itemCount
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        var predictions = [Int32](repeating: 0, count: rows.count)
        try forEachScoredRow(model, rows: rows, width: width, batchSize: batchSize) { batch, b, row in
            var best = 1
            for c in 2...max(k, 2) where c <= k && row[c] > row[best] { best = c }
            let truth = Int(batch.targets[b])
            precondition(truth >= 1 && truth <= k, "classify: target \(truth) outside the classes 1...\(k)")
            confusion[truth - 1][best - 1] += 1
            predictions[Int(batch.rowIndices[b])] = Int32(best)
        }
        return ClassificationResult(classes: k, confusion: confusion, predictions: predictions)
    }
}
