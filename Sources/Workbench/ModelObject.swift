// A model as the language holds it: the recommender, the dataset whose items it ranks (for titles),
// the split it was fitted on, and for neural models the trainer that remembers how far training got.

import Datasets
import Script
import Tensors
import Training

/// A model in the language.
public final class ModelObject: ScriptObject {
    /// The model.
    public let model: Recommender
    /// The dataset whose items it ranks.
    public let dataset: DatasetObject
    /// The split it was last fitted on, if any.
    public internal(set) var split: SplitObject?
    /// The history width used when scoring (the split's max length once fitted).
    public internal(set) var width: Int
    /// The trainer of a neural model (nil for baselines); pretraining in place gives a fresh one,
    /// so the old trainer's copy of its best weights cannot overwrite the pretrained ones.
    public internal(set) var trainer: Trainer?
    /// A schedule that drives training instead of `trainer` alone (VQ-Rec fine-tuning's two phases,
    /// whose second phase `trainer` is); nil when `trainer` is the whole story.
    var schedule: (any TrainingSchedule)?
    /// What the model's family keeps beside it (UniSRec's text encoding, VQ-Rec's quantiser): opaque
    /// here, typed by that family's builtins.
    var familyState: Any?

    /// What drives training: the schedule, else the trainer (nil for baselines).
    var training: (any TrainingSchedule)? { schedule ?? trainer }
    /// Every epoch trained so far.
    var history: [EpochRecord] { training?.history ?? [] }
    /// The best validated epoch so far and its metric.
    var best: (epoch: Int, value: Double, metric: ValidationMetric)? {
        guard let training, let b = training.best, let metric = training.bestMetric else { return nil }
        return (b.epoch, b.value, metric)
    }
    /// Epochs trained so far.
    var epochsTrained: Int { training?.epochsTrained ?? 0 }

    /// A fitted baseline.
    init(_ model: Recommender, split: SplitObject) {
        self.model = model
        self.dataset = split.source
        self.split = split
        self.width = split.split.maxLength
        self.trainer = nil
    }

    /// A trainable model with its trainer.
    init(_ model: TrainableRecommender, trainer: Trainer, dataset: DatasetObject, split: SplitObject?, width: Int) {
        self.model = model
        self.dataset = dataset
        self.split = split
        self.width = width
        self.trainer = trainer
    }

    /// The model as a trainable one, or nil for baselines.
    var trainable: TrainableRecommender? { model as? TrainableRecommender }

    public var typeName: String { "Model" }

    public var summary: String {
        guard let trainable, let trainer else {
            return "Model \(model.name) on \(dataset.dataset.name): \(model.itemCount) items, fitted on \(split?.split.train.count ?? 0) training rows"
        }
        var lines = ["Model \(model.name) on \(dataset.dataset.name): \(trainable.architecture)",
                     "  \(groupedThousands(trainable.parameterCount)) parameters"]
        if history.isEmpty {
            lines.append("  not trained yet: call fit(split)")
        } else {
            let steps = (schedule ?? trainer).steps
            var line = "  trained \(epochsTrained) epoch\(epochsTrained == 1 ? "" : "s") (\(steps) steps)"
            if let best {
                line += "; holds the weights of epoch \(best.epoch), valid \(best.metric) \(fixed(best.value, 4))"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    public var oneLine: String {
        guard let trainable else { return summary }
        return "\(model.name) on \(dataset.dataset.name): \(groupedThousands(trainable.parameterCount)) parameters, \(epochsTrained) epoch\(epochsTrained == 1 ? "" : "s")"
    }
}

/// A number with `places` decimals (locale-independent).
func fixed(_ x: Double, _ places: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.\(places)f", x)
}
