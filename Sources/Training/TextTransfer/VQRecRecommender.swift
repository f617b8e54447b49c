// VQ-Rec as a recommender the trainer and the evaluator can use (reference/text-models.md §5).
//
// All three ways VQ-Rec trains use RecBole's prefix rows (history → next item, the most recent
// maxLength items, left-aligned):
//   from scratch     `init(_:codes:seed:)`: CE on cosine logits / τ, every parameter but the
//                    permutation trains (the reference's trainer freezes the encoder even from
//                    scratch, a trap §8 lists; we do not copy it)
//   pretraining      `VQRecPretraining` (several domains as one catalogue sharing the code table):
//                    InfoNCE with in-batch negatives and one semi-synthetic negative per row
//   fine-tuning      `finetuned(codes:permutation:...)` → `VQRecFineTuning`: the code table and the
//                    encoder copied over a target catalogue's codes, then (`learned`/`released`)
//                    reassignment epochs that train only the permutation, then the code table and
//                    the input layer norm with the encoder frozen
// Each training step takes one 64-bit seed from the trainer's stream and draws its dropout masks,
// Gumbel noise and semi-synthetic codes from streams named under it ("dropout", "gumbel",
// "fake-codes"). Scoring (no dropout, no noise) ranks every item by the cosine of the sequence
// vector with the item's vector, padding at −inf; while reassigning, the item vectors come from the
// noise-free assignment (the reference evaluates with the last training batch's noisy one).
// The items' vectors are computed once and kept until the table, M or the reassignment changes.

import Datasets
import Models
import Tensors

/// What a VQ-Rec recommender minimises.
public enum VQRecObjective: String, Sendable, Equatable, CustomStringConvertible {
    /// Next-item CE over all items with cosine logits / τ (fine-tuning, or training from scratch).
    case nextItem
    /// VQ-Rec's pretraining InfoNCE with in-batch and semi-synthetic negatives.
    case pretraining

    /// The objective in words, for summaries.
    public var description: String {
        switch self {
        case .nextItem: "CE over cosine logits"
        case .pretraining: "InfoNCE, in-batch + one semi-synthetic negative per row"
        }
    }
}

/// A VQ-Rec network trained on one catalogue of item codes.
public final class VQRecRecommender: TrainableRecommender {
    /// The network (it owns the catalogue's codes).
    public let network: VQRec
    /// The name in tables.
    public let name: String
    /// What training minimises.
    public let objective: VQRecObjective
    /// How the parameters were obtained, for summaries.
    public internal(set) var origin: String
    private let graph = Graph()
    private var cachedCatalogue: (mode: VQRecPermutation, weights: [Float], vectors: Tensor)?

    /// Items 1...itemCount (the scores also have the padding column 0).
    public var itemCount: Int { network.items - 1 }

    /// A network over `codes` trained from scratch with `objective`; throws when they do not fit.
    public convenience init(_ configuration: VQRecConfiguration, codes: ItemCodes, objective: VQRecObjective = .nextItem,
                            seed: Seed, name: String = "vqrec") throws {
        if let problem = VQRec.problem(configuration, codes: codes) { throw TrainingError(problem) }
        let network = VQRec(configuration, codes: codes, seed: seed)
        network.permutationLogits.isFrozen = true
        self.init(network: network, objective: objective, origin: "from scratch", name: name)
    }

    /// A recommender around `network`.
    init(network: VQRec, objective: VQRecObjective, origin: String, name: String) {
        self.network = network
        self.objective = objective
        self.origin = origin
        self.name = name
    }

    /// Item `item`'s D codes, each in 0..<K.
    public func codes(_ item: Int) throws -> [Int] {
        guard item >= 1 && item <= itemCount else { throw TrainingError("item \(item) is outside 1...\(itemCount)") }
        return network.codes.codes(of: item)
    }

    /// This model's code table, position table, input layer norm and layers, copied into a new
    /// model over the target catalogue's `codes` (items this model may never have seen, quantised
    /// with the same D and K), to fine-tune with `permutation` (`reassignEpochs` epochs of
    /// reassignment first unless `.none`, at `reassignmentLearningRate`, nil: `fit`'s). `configuration`
    /// may change dropouts and temperatures; the permutation scores M are initialised from `seed`.
    public func finetuned(codes: ItemCodes, permutation: VQRecPermutation, reassignEpochs: Int = 5,
                          reassignmentLearningRate: Float? = nil, configuration: VQRecConfiguration? = nil,
                          seed: Seed, name: String) throws -> VQRecFineTuning {
        if let problem = VQRec.transferProblem(from: network.configuration, to: configuration ?? network.configuration, codes: codes) {
            throw TrainingError(problem)
        }
        let copy = VQRec(transferring: network, codes: codes, configuration: configuration, initStream: seed.stream("init.finetune"))
        let model = VQRecRecommender(network: copy, objective: .nextItem, origin: "fine-tuned from \(self.name)", name: name)
        return try VQRecFineTuning(model: model, permutation: permutation, reassignEpochs: reassignEpochs,
                                   reassignmentLearningRate: reassignmentLearningRate, seed: seed)
    }

    /// Every parameter (code table, permutation, encoder); frozen ones included.
    public var parameters: [Tensor] { network.parameters }
    /// RecBole's prefix rows: one history → next item pair per row.
    public var trainingRowKind: RowKind { .prefix }

    /// Scalars that training changes.
    public var trainedParameterCount: Int { parameters.filter { !$0.isFrozen }.reduce(0) { $0 + $1.count } }

    /// The origin, sizes, loss and trained share in one line.
    public var architecture: String {
        let c = network.configuration
        return "VQ-Rec (\(origin)): \(itemCount) items with \(c.codePositions) codes of \(c.codeCap) centroids, code table "
            + "\(network.codes.tableSize) × \(c.hidden) (item = mean of its code embeddings), SASRec encoder \(c.size.summary), "
            + "τ \(c.temperature), loss \(objective)"
            + (objective == .pretraining ? " (codes replaced w.p. \(c.fakeCodeRatio))" : "")
            + "; trains \(groupedThousands(trainedParameterCount)) of \(groupedThousands(parameterCount)) parameters"
    }

    /// The sizes, phase, origin and objective as (key, value) pairs (rebuilding also needs the item
    /// codes, `VQRecFamily.savedState`).
    public var configurationEntries: [(String, String)] {
        let c = network.configuration
        return [("model", VQRecFamily.kind), ("items", String(network.items)), ("codes", String(c.codePositions)),
                ("centroids", String(c.codeCap))] + c.size.entries
            + [("temperature", String(c.temperature)), ("fakeCodeRatio", String(c.fakeCodeRatio)),
                ("sinkhornIterations", String(c.sinkhornIterations)), ("sinkhornTemperature", String(c.sinkhornTemperature)),
                ("reassignment", network.reassignment.rawValue), ("objective", objective.rawValue), ("origin", oneLine(origin))]
    }

    /// The batch's loss; one seed from `rng` names this step's dropout, Gumbel and fake-code streams.
    public func trainingLoss(_ g: Graph, batch: Batch, rng: inout RandomStream) throws -> Tensor {
        let window = RecentWindow(batch, maxLength: network.configuration.maxLength)
        let ids = window.take(batch.items)                                              // [B, W]
        var draws = VQRecDraws(trainingSeed: rng.next())
        switch objective {
        case .nextItem: return network.nextItemLoss(g, ids, lengths: window.lengths, targets: window.targets, draws: &draws)
        case .pretraining: return network.pretrainingLoss(g, ids, lengths: window.lengths, targets: window.targets.values, draws: &draws)
        }
    }

    /// Cosine of each history's vector with every item's (padding at −inf), without dropout or noise.
    public func score(_ batch: Batch, into scores: UnsafeMutablePointer<Float>) throws {
        let candidates = itemVectors
        graph.reset()
        graph.withoutRecording {
            let window = RecentWindow(batch, maxLength: network.configuration.maxLength)
            var draws = VQRecDraws.evaluation
            let table = network.codeTable(graph, draws: &draws)
            let h = network.sequenceVectors(graph, window.take(batch.items), lengths: window.lengths, table: table, draws: &draws)
            let s = network.cosineScores(graph, sequences: h, catalogue: candidates)                      // [B, N]
            scores.update(from: s.pointer, count: batch.count * network.items)
        }
    }

    /// Every item's vector [N, H] (row 0 = padding) without noise: what scoring and `similar`
    /// compare by cosine. Recomputed only after the table, M or the reassignment changes.
    public var itemVectors: Tensor {
        let watched = [network.codeEmbedding] + (network.reassignment == .none ? [] : [network.permutationLogits])
        if let cached = cachedCatalogue, cached.mode == network.reassignment, holdExactly(watched, cached.weights) { return cached.vectors }
        let g = Graph(recording: false)
        var draws = VQRecDraws.evaluation
        let vectors = network.catalogue(g, table: network.codeTable(g, draws: &draws)).detachedCopy()
        vectors.name = "vqrec.item_vectors"
        cachedCatalogue = (network.reassignment, watched.flatMap(\.scalars), vectors)
        return vectors
    }
}

extension VQRecRecommender: ItemEmbeddingModel {
    /// The items' mean code embeddings (see `itemVectors`): inputs and candidates alike.
    public var itemEmbeddings: Tensor { itemVectors }
    /// Inputs and candidates share the item vectors.
    public var outputEmbeddings: Tensor? { nil }
}

extension VQRecRecommender: ContextualEncoder {
    /// The SASRec encoder's sizes.
    public var encoderSize: TransformerSize { network.configuration.size }
    /// Evaluation forward over item ids (their codes' mean embeddings): per-layer outputs [B, L, H].
    public func encoderForward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput { network.forward(g, ids) }
}
