// UniSRec (KDD'22) as its authors' code does it (`unisrec.py`; reference/text-models.md §4): item
// vectors from item text through a mixture-of-experts adaptor, fed to RecBole's SASRec encoder.
//   v_i = MoE(text_i)                  inductive (and pretraining)        [H]
//   v_i = MoE(text_i) + E_item[i]      transductive                       [H]
//   x   = v[s] + E_pos[0 ..< L]                                           [B, L, H]
//   x   = Dropout(LN(x)); causal post-LN layers; h = x[b, length_b − 1]   [B, H]
// Scores are cosines between h and the candidates' v (training divides them by τ; ranking uses the
// plain cosine with padding at −inf).
//
// The adaptor runs only on the rows a pass needs, each distinct row once: the distinct items of the
// histories (the padding row once if a history is short, as the reference computes MoE(0) at every
// padding position; those values never reach a real position because padding keys are masked),
// the batch's targets, or the whole catalogue for the fine-tuning logits. The history positions
// then look their vectors up, so gradient from every position of an item reaches its one row.
//
// The network owns the text table of its catalogue. Pretraining on several domains and fine-tuning
// on a new one build networks over other tables that share (`sharing: true`) or copy the
// transferable parts: the adaptor, the position table, the input layer norm and the layers. The
// item table of transductive mode belongs to one catalogue and is never transferred.
// Initialisation as RecBole's `_init_weights` (see SASRec.swift), each parameter from its own
// stream derived by name; the padding row of the item table is random and trains only through the
// catalogue side of the logits, where the reference adds the whole table.

import Tensors

/// A UniSRec network over one catalogue of item text.
public final class UniSRec: SequenceEncoding {
    /// The sizes, dropouts and temperature.
    public let configuration: UniSRecConfiguration
    /// Text only (inductive) or text plus item ids (transductive).
    public let mode: UniSRecMode
    /// The item text table [N, d] of this catalogue (data, not trained).
    public let features: ItemTextFeatures
    /// The MoE adaptor d → H, named `adaptor.*`.
    public let adaptor: MoEAdaptor
    /// The item table [N, H] of transductive mode, named `item_embedding`; nil in inductive mode.
    public let itemEmbedding: Tensor?
    /// The SASRec encoder: position table [maxLength, H], input layer norm and layers.
    public let encoder: SequenceEncoder

    /// Number of item ids N, padding included.
    public var items: Int { features.rows }

    /// A network over `features`, initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: UniSRecConfiguration, features: ItemTextFeatures, mode: UniSRecMode, seed: Seed) {
        self.init(configuration, features: features, mode: mode, initStream: seed.stream("init"))
    }

    /// A network over `features`, initialised from `initStream` (each parameter from its own derived stream).
    public init(_ configuration: UniSRecConfiguration, features: ItemTextFeatures, mode: UniSRecMode, initStream: RandomStream) {
        if let problem = configuration.problem { preconditionFailure(problem) }
        precondition(features.width == configuration.featureWidth,
                     "UniSRec: features of width \(features.width) for an adaptor reading \(configuration.featureWidth)")
        let (h, std) = (configuration.hidden, configuration.initializerRange)
        self.configuration = configuration
        self.mode = mode
        self.features = features
        adaptor = MoEAdaptor(input: configuration.featureWidth, output: h, experts: configuration.experts, std: std, stream: initStream)
        itemEmbedding = mode == .transductive
            ? Initialisation.normal("item_embedding", shape: [features.rows, h], std: std, stream: initStream) : nil
        encoder = SequenceEncoder(size: configuration.size, positionRows: configuration.maxLength, stream: initStream)
    }

    /// A network over another catalogue with `base`'s transferable parts: the very same tensors
    /// (`sharing: true`, so training one trains the other) or copies of their values. A
    /// transductive item table is fresh, from `initStream`. `configuration` may change dropouts and
    /// the temperature, never sizes (nil keeps the base's).
    public init(transferring base: UniSRec, features: ItemTextFeatures, mode: UniSRecMode, sharing: Bool,
                configuration: UniSRecConfiguration? = nil, initStream: RandomStream) {
        let c = configuration ?? base.configuration
        if let problem = Self.transferProblem(from: base.configuration, to: c, features: features) { preconditionFailure(problem) }
        let fresh = UniSRec(c, features: features, mode: mode, initStream: initStream)
        self.configuration = c
        self.mode = mode
        self.features = features
        itemEmbedding = fresh.itemEmbedding
        if sharing {
            adaptor = base.adaptor
            encoder = base.encoder
        } else {
            adaptor = fresh.adaptor
            encoder = fresh.encoder
            copyValues(into: transferableParameters, from: base.transferableParameters, model: "UniSRec")
        }
    }

    /// Why a network of `base`'s parts cannot read `features` with `configuration`, or nil.
    public static func transferProblem(from base: UniSRecConfiguration, to configuration: UniSRecConfiguration,
                                       features: ItemTextFeatures) -> String? {
        if let problem = configuration.problem { return problem }
        if features.width != base.featureWidth {
            return "the target's item features are \(features.width)-d but the pretrained adaptor reads \(base.featureWidth)-d; encode the target's text with the same encoder"
        }
        let sizes: [(String, Int, Int)] = [("hidden", base.hidden, configuration.hidden), ("layers", base.layers, configuration.layers),
                                           ("heads", base.heads, configuration.heads), ("inner", base.inner, configuration.inner),
                                           ("maxLength", base.maxLength, configuration.maxLength),
                                           ("experts", base.experts, configuration.experts),
                                           ("featureWidth", base.featureWidth, configuration.featureWidth)]
        for (name, was, now) in sizes where was != now {
            return "a transfer keeps the pretrained sizes: \(name) is \(was), not \(now)"
        }
        return nil
    }

    /// Every parameter in a stable order: the adaptor's, item_embedding (transductive), then the
    /// encoder's (position_embedding, ln.gamma, ln.beta, layer0.q.weight, ...).
    public var parameters: [Tensor] {
        adaptor.parameters + (itemEmbedding.map { [$0] } ?? []) + encoderInputParameters + layers.flatMap(\.parameters)
    }

    /// What pretraining learns and a transfer moves: every parameter except the item table.
    public var transferableParameters: [Tensor] { adaptor.parameters + encoderInputParameters + layers.flatMap(\.parameters) }

    /// What fine-tuning with a frozen encoder keeps fixed: the position table and the layers (the
    /// reference's `fix_enc`; the input layer norm, the adaptor and the item table still train).
    public var frozenWhenFineTuning: [Tensor] { [positionEmbedding] + layers.flatMap(\.parameters) }

    private var encoderInputParameters: [Tensor] { [positionEmbedding, lnGamma, lnBeta] }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name } }

    // MARK: - Item vectors

    /// The distinct values of `sources`, ascending, and each value's index among them (the
    /// adaptor's rows for a pass, and where each position finds its row).
    static func distinctRows(_ sources: [Int32]) -> (rows: [Int32], index: [Int32]) {
        var rows = sources.sorted()
        var unique = 0
        for r in rows.indices where r == 0 || rows[r] != rows[unique - 1] {
            rows[unique] = rows[r]
            unique += 1
        }
        rows.removeLast(rows.count - unique)
        let index = sources.map { source -> Int32 in
            var (lo, hi) = (0, rows.count - 1)
            while lo < hi {
                let mid = (lo + hi) / 2
                if rows[mid] < source { lo = mid + 1 } else { hi = mid }
            }
            return Int32(lo)
        }
        return (rows, index)
    }

    /// Item vectors of the stacked-table rows `sources` (distinct; a row N + i is item i's
    /// word-dropped text): MoE(text) [+ E_item[i]] → [R, H]. The item table is looked up with
    /// padding id 0, so the padding row gets no gradient here.
    public func adaptorRows(_ g: Graph, sources: [Int32], pass: AdaptorPass, draws: inout UniSRecDraws) -> Tensor {
        let x = features.gather(g, sources: sources)                                   // [R, d]
        let moe = adaptor(g, x, dropout: draws.training ? configuration.adaptorDropout : 0,
                          noise: draws.noise(g, for: pass, rows: sources.count, experts: configuration.experts),
                          rng: &draws.dropout)                                          // [R, H]
        guard let itemEmbedding else { return moe }
        let n = Int32(items)
        return g.add(moe, g.embedding(itemEmbedding, IndexTensor(sources.map { $0 % n }), paddingIndex: 0))   // [R, H]
    }

    /// The candidate vectors of every item id, padding row included (the reference's
    /// MoE(plm_embedding.weight) [+ item_embedding.weight]) → [N, H]. The whole item table is added,
    /// so its padding row trains through the padding column of the logits, as in the reference.
    public func catalogue(_ g: Graph, draws: inout UniSRecDraws) -> Tensor {
        let moe = adaptor(g, features.primary, dropout: draws.training ? configuration.adaptorDropout : 0,
                          noise: draws.noise(g, for: .catalogue, rows: items, experts: configuration.experts),
                          rng: &draws.dropout)                                          // [N, H]
        guard let itemEmbedding else { return moe }
        return g.add(moe, itemEmbedding)                                               // [N, H]
    }

    // MARK: - Sequences

    /// The encoder over histories ids [B, L] (left-aligned, L ≤ maxLength): item vectors of the
    /// stacked-table rows `sources` [B, L] (nil: the ids themselves) → hidden states [B, L, H] and
    /// attention maps. Padding keys (id 0) are masked.
    public func encode(_ g: Graph, _ ids: IndexTensor, sources: IndexTensor? = nil, pass: AdaptorPass = .sequence,
                       draws: inout UniSRecDraws) -> SASRecOutput {
        precondition(ids.shape.count == 2, "UniSRec.encode: ids must be [B, L], got \(ids.shape)")
        let l = ids.shape[1]
        precondition(l >= 1 && l <= configuration.maxLength,
                     "UniSRec.encode: \(l) columns, but the position table has \(configuration.maxLength) rows")
        if let sources { precondition(sources.shape == ids.shape, "UniSRec.encode: sources \(sources.shape) for ids \(ids.shape)") }
        let (rows, index) = Self.distinctRows((sources ?? ids).values)
        let vectors = adaptorRows(g, sources: rows, pass: pass, draws: &draws)            // [U, H]
        let placed = g.embedding(vectors, IndexTensor(shape: ids.shape, values: index), paddingIndex: nil)   // [B, L, H]
        return encodeVectors(g, placed, ids: ids, size: configuration.size, training: draws.training, rng: &draws.dropout)
    }

    /// Evaluation forward (no dropout, clean gates): ids [B, L] → hidden [B, L, H] and attention maps.
    public func forward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput {
        var draws = UniSRecDraws.evaluation
        return encode(g, ids, draws: &draws)
    }

    /// The sequence vector h [B, H] of each history: the hidden state at its last real position.
    public func sequenceVectors(_ g: Graph, _ ids: IndexTensor, lengths: [Int], sources: IndexTensor? = nil,
                                pass: AdaptorPass = .sequence, draws: inout UniSRecDraws) -> Tensor {
        hiddenAtLastPosition(g, encode(g, ids, sources: sources, pass: pass, draws: &draws).hidden, lengths: lengths)
    }

    /// Ranking scores: the cosine of each sequence vector [B, H] with each candidate [N, H] →
    /// [B, N], padding column at −inf. For ranking only (no temperature, nothing to train).
    public func cosineScores(_ g: Graph, sequences: Tensor, catalogue: Tensor) -> Tensor {
        cosineRanking(g, sequences: sequences, catalogue: catalogue)
    }
}
