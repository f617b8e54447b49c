// What the evaluator needs from a model: scores for every item given a batch of histories.

import Datasets

/// Anything that scores items for histories: trained models and the baselines.
public protocol Recommender: AnyObject {
    /// A short name for tables ("popularity", "nextitnet").
    var name: String { get }
    /// Items are 1...itemCount; index 0 is padding and is never ranked.
    var itemCount: Int { get }
    /// Writes scores [batch.count, itemCount + 1] (row-major, column 0 ignored) for the histories in
    /// `batch` (left-aligned items with lengths). Rows must not depend on each other, so results do
    /// not depend on how rows are grouped into batches.
    func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws
}
