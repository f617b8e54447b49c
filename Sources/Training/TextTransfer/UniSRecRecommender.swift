// UniSRec as a recommender the trainer and the evaluator can use (reference/text-models.md §4).
//
// One class covers the three ways UniSRec trains, all on RecBole's prefix rows (history → next
// item, the most recent maxLength items of each history, left-aligned):
//   from scratch     `init(_:features:mode:seed:)`: every parameter trains, CE on cosine logits / τ
//   pretraining      `UniSRecPretraining` (several domains as one catalogue): L_SI + λ·L_SS
//   fine-tuning      `finetuned(features:mode:freeze:...)`: a copy of a (pre)trained model's
//                    adaptor, position table, input layer norm and layers over a target catalogue
//                    whose items it may never have seen; only the target's text table is needed.
//                    `freeze: true` keeps the position table and the layers fixed (the reference's
//                    `fix_enc`); the adaptor, the input layer norm and, transductive, the item
//                    table train. `freeze: false` trains everything.
// Each training step takes one 64-bit seed from the trainer's stream and draws its dropout masks,
// gate noise and augmented view from streams named under it ("dropout", "gate-noise",
// "augmentation"), so a step's draws never depend on how many another kind of draw used.
// Scoring (no dropout, clean gates) ranks every item by the cosine of the sequence vector with the
// item's vector, padding at −inf. The items' vectors are computed once and kept until a weight they
// depend on changes (checked against a copy of the adaptor and item-table weights on every call,
// so a trainer restoring its best weights never leaves a stale table behind).

import Datasets
import Foundation
import Models
import Tensors

/// What a UniSRec recommender minimises.
public enum UniSRecObjective: Sendable, Equatable, CustomStringConvertible {
    /// Next-item CE over all items with cosine logits / τ (fine-tuning, or training from scratch).
    case nextItem
    /// UniSRec's pretraining loss L_SI + λ·L_SS with the given augmentation.
    case pretraining(lambda: Float, augmentation: ContrastiveAugmentation)

    /// The objective in words, for summaries.
    public var description: String {
        switch self {
        case .nextItem: "CE over cosine logits"
        case .pretraining(let lambda, let a):
            "L_SI + \(lambda)·L_SS (item drop in \(a.itemDropProbability) of batches at rate \(a.itemDropRate), otherwise word drop at \(a.wordDropRate))"
        }
    }
}

/// A UniSRec network trained on one catalogue of item text.
public final class UniSRecRecommender: TrainableRecommender {
    /// The network (it owns the catalogue's text table).
    public let network: UniSRec
    /// The name in tables.
    public let name: String
    /// What training minimises.
    public let objective: UniSRecObjective
    /// How the transferable parts were obtained, for summaries ("from scratch", "fine-tuned from X, encoder frozen").
    public let origin: String
    private let graph = Graph()
    private var cachedCatalogue: (weights: [Float], vectors: Tensor)?

    /// Items 1...itemCount (the scores also have the padding column 0).
    public var itemCount: Int { network.items - 1 }

    /// A network over `features` trained from scratch with `objective`.
    public convenience init(_ configuration: UniSRecConfiguration, features: ItemTextFeatures, mode: UniSRecMode,
                            objective: UniSRecObjective = .nextItem, seed: Seed, name: String = "unisrec") {
        self.init(network: UniSRec(configuration, features: features, mode: mode, seed: seed), objective: objective,
                  origin: "from scratch", name: name)
    }

    /// A network over a dataset's item features (`features`, and the word-dropped `wordDropped`
    /// for pretraining) trained from scratch; throws when the table does not fit.
    public convenience init(_ configuration: UniSRecConfiguration, features: FeatureMatrix, wordDropped: FeatureMatrix? = nil,
                            mode: UniSRecMode, objective: UniSRecObjective = .nextItem, seed: Seed, name: String = "unisrec") throws {
        if let problem = configuration.problem { throw TrainingError(problem) }
        let table = try ItemTextFeatures(features, wordDropped: wordDropped)
        guard table.width == configuration.featureWidth else {
            throw TrainingError("the item features are \(table.width)-d but the configuration says featureWidth \(configuration.featureWidth)")
        }
        self.init(configuration, features: table, mode: mode, objective: objective, seed: seed, name: name)
    }

    /// A recommender around `network`.
    init(network: UniSRec, objective: UniSRecObjective, origin: String, name: String) {
        self.network = network
        self.objective = objective
        self.origin = origin
        self.name = name
    }

    /// This model's adaptor, position table, input layer norm and layers, copied into a new model
    /// over the target catalogue `features` (a dataset whose items this model may never have seen),
    /// trained with CE. `freeze` keeps the copied position table and layers fixed. `configuration`
    /// may change dropouts and the temperature (nil keeps this model's); the transductive item
    /// table is initialised from `seed`.
    public func finetuned(features: FeatureMatrix, mode: UniSRecMode, freeze: Bool, configuration: UniSRecConfiguration? = nil,
                          seed: Seed, name: String) throws -> UniSRecRecommender {
        let table = try ItemTextFeatures(features, wordDropped: nil)
        if let problem = UniSRec.transferProblem(from: network.configuration, to: configuration ?? network.configuration, features: table) {
            throw TrainingError(problem)
        }
        let copy = UniSRec(transferring: network, features: table, mode: mode, sharing: false, configuration: configuration,
                           initStream: seed.stream("init.finetune"))
        if freeze { for p in copy.frozenWhenFineTuning { p.isFrozen = true } }
        return UniSRecRecommender(network: copy, objective: .nextItem,
                                  origin: "fine-tuned from \(self.name)" + (freeze ? ", position table and layers frozen" : ""), name: name)
    }

    /// `finetuned(features:...)` with the item features of `target` (its `itemFeatures`).
    public func finetuned(target: Dataset, mode: UniSRecMode, freeze: Bool, configuration: UniSRecConfiguration? = nil,
                          seed: Seed, name: String) throws -> UniSRecRecommender {
        guard let features = target.itemFeatures else {
            throw TrainingError("\(target.name) has no item features; encode its item text first (a sentence encoder or TF-IDF + SVD) or load its .feat1CLS")
        }
        return try finetuned(features: features, mode: mode, freeze: freeze, configuration: configuration, seed: seed, name: name)
    }

    /// The network's parameters (adaptor, item table in transductive mode, encoder); frozen ones included.
    public var parameters: [Tensor] { network.parameters }
    /// RecBole's prefix rows: one history → next item pair per row.
    public var trainingRowKind: RowKind { .prefix }

    /// Scalars that training changes.
    public var trainedParameterCount: Int { parameters.filter { !$0.isFrozen }.reduce(0) { $0 + $1.count } }

    /// The mode, origin, sizes, loss and trained share in one line.
    public var architecture: String {
        let c = network.configuration
        return "UniSRec \(network.mode.rawValue) (\(origin)): \(itemCount) items with \(c.featureWidth)-d text, MoE adaptor of \(c.experts) experts "
            + "(input dropout \(c.adaptorDropout)), SASRec encoder \(c.size.summary), τ \(c.temperature), loss \(objective); "
            + "trains \(groupedThousands(trainedParameterCount)) of \(groupedThousands(parameterCount)) parameters"
    }

    /// The sizes, mode, freeze, origin and objective as (key, value) pairs (rebuilding also needs
    /// the text table, `UniSRecFamily.savedState`).
    public var configurationEntries: [(String, String)] {
        let c = network.configuration
        var entries = [("model", UniSRecFamily.kind), ("mode", network.mode.rawValue), ("items", String(network.items)),
                       ("featureWidth", String(c.featureWidth))] + c.size.entries
            + [("experts", String(c.experts)), ("adaptorDropout", String(c.adaptorDropout)),
                       ("temperature", String(c.temperature)),
                       ("frozen", network.frozenWhenFineTuning.contains { $0.isFrozen } ? "encoder" : "none"),
                       ("origin", oneLine(origin))]
        if case .pretraining(let lambda, let a) = objective {
            entries += [("objective", "pretraining"), ("lambda", String(lambda)), ("itemDropProbability", String(a.itemDropProbability)),
                        ("itemDropRate", String(a.itemDropRate)), ("wordDropRate", String(a.wordDropRate))]
        } else {
            entries.append(("objective", "nextItem"))
        }
        return entries
    }

    /// The batch's loss; one seed from `rng` names this step's dropout, gate-noise and augmentation streams.
    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        let window = RecentWindow(batch, maxLength: network.configuration.maxLength)
        let ids = window.take(batch.items)                                              // [B, W]
        let stepSeed = rng.next()
        var draws = UniSRecDraws(trainingSeed: stepSeed)
        switch objective {
        case .nextItem:
            return network.nextItemLoss(g, ids, lengths: window.lengths, targets: window.targets, draws: &draws)
        case .pretraining(let lambda, let augmentation):
            var augmentStream = RandomStream(root: stepSeed, name: "augmentation")
            let view = augmentation.view(of: ids, lengths: window.lengths, features: network.features, rng: &augmentStream)
            return network.pretrainingLoss(g, ids, lengths: window.lengths, targets: window.targets.values, augmented: view,
                                           lambda: lambda, draws: &draws).total
        }
    }

    /// Cosine of each history's vector with every item's (padding at −inf), without dropout or noise.
    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        let candidates = itemVectors
        graph.reset()
        graph.withoutRecording {
            let window = RecentWindow(batch, maxLength: network.configuration.maxLength)
            var draws = UniSRecDraws.evaluation
            let h = network.sequenceVectors(graph, window.take(batch.items), lengths: window.lengths, draws: &draws)   // [B, H]
            let s = network.cosineScores(graph, sequences: h, catalogue: candidates)                                 // [B, N]
            scores.update(from: s.pointer, count: batch.count * network.items)
        }
    }

    /// Every item's vector without dropout or gate noise, [N, H] (row 0 = padding): what scoring
    /// and `similar` compare by cosine. Recomputed only after the weights it depends on change.
    public var itemVectors: Tensor {
        let watched = network.adaptor.parameters + (network.itemEmbedding.map { [$0] } ?? [])
        if let cached = cachedCatalogue, holdExactly(watched, cached.weights) { return cached.vectors }
        let g = Graph(recording: false)
        var draws = UniSRecDraws.evaluation
        let vectors = network.catalogue(g, draws: &draws).detachedCopy()
        vectors.name = "unisrec.item_vectors"
        cachedCatalogue = (watched.flatMap(\.scalars), vectors)
        return vectors
    }
}

extension UniSRecRecommender: ItemEmbeddingModel {
    /// The items' vectors MoE(text) [+ E_item] (see `itemVectors`): inputs and candidates alike.
    public var itemEmbeddings: Tensor { itemVectors }
    /// Inputs and candidates share the item vectors.
    public var outputEmbeddings: Tensor? { nil }
}

extension UniSRecRecommender: ContextualEncoder {
    /// The SASRec encoder's sizes.
    public var encoderSize: TransformerSize { network.configuration.size }
    /// Evaluation forward over item ids (their text through the adaptor): per-layer outputs [B, L, H].
    public func encoderForward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput { network.forward(g, ids) }
}

extension ItemTextFeatures {
    /// The text table of a dataset's `features` (and `wordDropped`, same shape); throws with what
    /// to fix when they do not form one (row 0 must be zeros, sizes must agree, values finite).
    public init(_ features: FeatureMatrix, wordDropped: FeatureMatrix?) throws {
        if let wordDropped, wordDropped.rows != features.rows || wordDropped.width != features.width {
            throw TrainingError("the word-dropped features are \(wordDropped.rows) × \(wordDropped.width) but the features \(features.rows) × \(features.width); encode the same items with the same encoder")
        }
        if let problem = ItemTextFeatures.problem(rows: features.rows, width: features.width, values: features.values,
                                                  secondary: wordDropped?.values, hasSecondary: nil) {
            throw TrainingError(problem)
        }
        self.init(rows: features.rows, width: features.width, values: features.values, secondary: wordDropped?.values)
    }
}
