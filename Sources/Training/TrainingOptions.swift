// The knobs of `fit`, checked before any work starts so a typo costs nothing.

import Tensors

/// Which optimizer updates the parameters.
public enum OptimizerKind: String, Sendable, CaseIterable {
    /// Adam with L2 weight decay added to the gradient (torch.optim.Adam).
    case adam
    /// Adam with decoupled weight decay (torch.optim.AdamW).
    case adamw
    /// Stochastic gradient descent with momentum 0.9.
    case sgd
}

/// The validation metric that picks the best epoch, e.g. NDCG@10.
public struct ValidationMetric: Sendable, Equatable, CustomStringConvertible {
    /// "hr", "ndcg" or "mrr".
    public let metric: String
    /// The cut-off.
    public let k: Int

    /// Parses "ndcg@10", "HR@20", "mrr@5".
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, ["hr", "ndcg", "mrr", "recall"].contains(String(parts[0])),
              let k = Int(parts[1]), k >= 1 else {
            throw TrainingError("validation metric \"\(text)\" is not of the form ndcg@10, hr@20 or mrr@5")
        }
        metric = parts[0] == "recall" ? "hr" : String(parts[0])
        self.k = k
    }

    public var description: String { "\(metric == "hr" ? "HR" : metric.uppercased())@\(k)" }
}

/// How `Trainer.fit` trains.
public struct TrainingOptions: Sendable, Equatable {
    /// Epochs to train in this call (a later call continues from where this one stopped).
    public var epochs: Int = 10
    /// Rows per batch.
    public var batchSize: Int = 128
    /// Step size.
    public var learningRate: Float = 1e-3
    /// Which optimizer.
    public var optimizer: OptimizerKind = .adam
    /// L2 penalty (Adam, SGD) or decoupled decay (AdamW).
    public var weightDecay: Float = 0
    /// Largest global gradient norm, or nil for no clipping.
    public var clip: Float?
    /// Stop after this many epochs without a better validation value; nil never stops early.
    public var patience: Int? = 5
    /// The metric that picks the best epoch.
    public var validMetric: ValidationMetric
    /// Rows scored at once during validation (speed and memory only).
    public var evaluationBatch: Int = 256

    /// Defaults: 10 epochs, batch 128, Adam at 1e-3, no decay or clipping, patience 5, NDCG@10.
    public init() { validMetric = try! ValidationMetric(parsing: "ndcg@10") }

    /// Throws a `TrainingError` naming the first option out of range.
    public func validate() throws {
        guard epochs >= 1 else { throw TrainingError("epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw TrainingError("batch must be at least 1, got \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0 else { throw TrainingError("lr must be a positive number, got \(learningRate)") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw TrainingError("weightDecay must be ≥ 0, got \(weightDecay)") }
        if let clip { guard clip.isFinite, clip > 0 else { throw TrainingError("clip must be a positive number, got \(clip)") } }
        if let patience { guard patience >= 1 else { throw TrainingError("patience must be at least 1 (or none), got \(patience)") } }
        guard evaluationBatch >= 1 else { throw TrainingError("the evaluation batch must be at least 1") }
    }
}

/// A training problem the user can fix: the message says what and how.
public struct TrainingError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public let description: String
    /// An error with this message.
    public init(_ description: String) { self.description = description }
}
