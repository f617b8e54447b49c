// What the trainer reports when a loss or a gradient stops being a number. The check runs before
// the optimizer step, so the bad values never reach the weights or the optimizer's moments; the
// error says where it happened (epoch, step, the batch), what went bad (the loss or which
// parameter's gradient, NaN or ±Inf), which weights the model keeps, and the likely cure.

import Foundation
import Tensors

/// Training stopped because a loss or gradient became NaN or ±Inf.
public struct NonFiniteTrainingError: Error, CustomStringConvertible, Sendable {
    /// What went bad.
    public enum Quantity: Sendable, Equatable {
        /// The batch loss (its value).
        case loss(Double)
        /// The gradient of the named parameter (the first bad element's value).
        case gradient(parameter: String, value: Float)
    }

    /// Where a later `fit` starts again from.
    public enum Restart: Sendable, Equatable {
        /// The best epoch's weights (this epoch number).
        case best(epoch: Int)
        /// The weights the current epoch started from (this epoch number).
        case epochStart(epoch: Int)
        /// No finite weights were left to go back to (the model must be built again).
        case nowhere
    }

    /// The loss or the gradient, and its value.
    public let quantity: Quantity
    /// The 1-based epoch (over all fit calls) and the 1-based step within it that failed.
    public let epoch: Int, step: Int
    /// The optimizer step that would have been taken (1-based, over all calls).
    public let optimizerStep: Int
    /// Rows in the failing batch and the first few of their users.
    public let rows: Int, users: [Int]
    /// The learning rate and clipping norm of the call.
    public let learningRate: Float, clip: Float?
    /// True when the model shows the weights from before the failing step (false only when those
    /// had overflowed already, and the model shows the restart weights instead).
    public let keptWeightsBeforeStep: Bool
    /// Where the next `fit` starts (always with fresh optimizer moments).
    public let restart: Restart

    /// "NaN", "Inf" or "-Inf".
    public var valueName: String {
        let v: Double
        switch quantity {
        case .loss(let x): v = x
        case .gradient(_, let x): v = Double(x)
        }
        return v.isNaN ? "NaN" : (v > 0 ? "Inf" : "-Inf")
    }

    /// True for NaN, false for ±Inf.
    public var isNaN: Bool { valueName == "NaN" }

    /// The message: where, what, which weights, and what to try.
    public var description: String {
        let what: String
        switch quantity {
        case .loss: what = "the loss became \(valueName)"
        case .gradient(let name, _): what = "the gradient of \(name) became \(valueName) (the loss was finite)"
        }
        let shown = users.map(String.init).joined(separator: ", ") + (rows > users.count ? ", …" : "")
        let weights = keptWeightsBeforeStep
            ? "nothing was applied: the model keeps the weights from before this step"
            : "the weights before this step had already overflowed, so the model goes back to the restart weights"
        let restartText: String
        switch restart {
        case .best(let e): restartText = "a later fit starts again from the best epoch's weights (epoch \(e)) with fresh optimizer moments"
        case .epochStart(let e): restartText = "a later fit starts epoch \(e) again from its first weights with fresh optimizer moments"
        case .nowhere: restartText = "no finite weights are left to train on: build the model again"
        }
        return "\(what) at epoch \(epoch), step \(step) (optimizer step \(optimizerStep); batch of \(rows) rows, users \(shown)); "
            + weights + ", and " + restartText + ". " + likelyCause
    }

    /// The usual causes, most likely first: a large learning rate, then unclipped gradients.
    var likelyCause: String {
        let lr = formatted(learningRate)
        let smaller = formatted(learningRate / 10)
        if let clip {
            return "Likely cause: a learning rate too high (lr \(lr)) even with clip: \(formatted(clip)); try lr: \(smaller) or a smaller clip"
        }
        if learningRate >= 0.01 {
            return "Likely cause: a learning rate too high (lr \(lr)); try a smaller lr (lr: \(smaller)) or clip: 1.0"
        }
        return "Likely cause: exploding gradients (lr \(lr) is already small); try clip: 1.0"
    }

    private func formatted(_ x: Float) -> String {
        let d = Double(x)
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(Double(String(format: "%.3g", d)) ?? d)
    }
}
