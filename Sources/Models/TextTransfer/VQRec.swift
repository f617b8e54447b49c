// VQ-Rec (WWW'23) as its authors' code does it (`vqrec.py`; reference/text-models.md §5): items are
// the mean of the embeddings of their D discrete codes, fed to RecBole's SASRec encoder.
//   e_i = (1/D) Σ_m T[code'_{i,m}],  code' = code + 1 + m·(K+1)            [H]
//   x   = e[s] + E_pos[0 ..< L];  x = Dropout(LN(x)); causal post-LN layers;  h = x[b, len_b − 1]
// Scores are cosines between h and the candidates' e (training divides them by τ; ranking uses the
// plain cosine with padding at −inf). The padding item reads row 0 at every code position; the
// lookup has padding index 0, so row 0 keeps its random initial values and never trains (RecBole's
// init overwrites padding rows), until a reassignment sets it to zero as the reference does.
//
// Fine-tuning may first re-assign the pretrained code embeddings to the target's codes (§5.4): per
// sub-space m a score matrix M_m [K+1, K+1] (the reference's `trans_matrix`, over the sub-space's
// K+1 table rows including its unused/padding row, so `released` reproduces the reference exactly),
//   P_m  = Sinkhorn_3((log(exp(M_m) + 1e-6) + G_m) / 0.7)      G Gumbel noise (training only)
//   T'_m = Hard(P_m) · T_m                                     Hard: the one-hot of each row's argmax
// Row c of T'_m is the table row of sub-space m that code c now reads. `learned` passes Hard's
// gradient straight through to P (so M trains); `released` gives it the true zero gradient of the
// reference's `ceil`, so M never moves. A plain row argmax is not always a permutation: two codes
// may pick the same row (the reference's behaviour, kept). While reassigning, every lookup of the
// pass reads T' (one draw per pass, as the reference computes `code_projection()` once per batch);
// `commitReassignment` writes T' (row 0 zeroed) into the table and stops reassigning.
//
// Initialisation as RecBole's `_init_weights`, each parameter from its own stream derived by name;
// M ~ N(0, 1) (the reference's `torch.randn`, untouched by `_init_weights`).
//
// Departures from the original (see Docs/fidelity.md, table VQ-Rec):
//   - pretraining quantises every domain with the base model's quantiser, not with one index
//     fitted on the union of the pretraining domains (`multi_pq.py`);
//   - fine-tuning's default permutation is `learned` (straight-through, its own learning rate);
//     the released code's zero-gradient permutation is `released`;
//   - from scratch the encoder trains and there are no reassignment epochs;
//   - while reassigning, validation uses the noise-free assignment and M is drawn fresh (the
//     reference loads the checkpoint's untrained one); the best epoch is a code-tuning epoch;
//   - our OPQ/PQ (k-means++ seeding, CPU), not faiss: codes are not faiss's bit for bit;
//   - default item vectors are MiniLM (384-d), not the authors' 768-d BERT `feat1CLS`.

import Foundation
import Tensors

/// A VQ-Rec network over one catalogue of item codes.
public final class VQRec: SequenceEncoding {
    /// The sizes, dropouts and temperatures.
    public let configuration: VQRecConfiguration
    /// The codes [N, D] of this catalogue's items (data, not trained; `recode` replaces them).
    public private(set) var codes: ItemCodes
    /// The code embedding table T [D·(K+1), H], named `code_embedding`.
    public let codeEmbedding: Tensor
    /// The permutation scores M [D, K+1, K+1], named `permutation_logits` (trained only while reassigning).
    public let permutationLogits: Tensor
    /// The SASRec encoder: position table [maxLength, H], input layer norm and layers.
    public let encoder: SequenceEncoder
    /// How lookups read the table: `.none` reads T; `.learned` / `.released` read the reassigned T'.
    public var reassignment: VQRecPermutation = .none

    /// Number of item ids N, padding included.
    public var items: Int { codes.rows }

    /// Gives the same items codes from another quantiser of the same D and K (so the code table
    /// keeps its shape): after pretraining on codes of a quantiser fitted elsewhere, the network's
    /// own catalogue is re-encoded with it so that its codes mean what the table learned.
    public func recode(_ newCodes: ItemCodes) {
        precondition(newCodes.rows == codes.rows && newCodes.positions == codes.positions && newCodes.cap == codes.cap,
                     "VQRec.recode: \(newCodes.rows)×\(newCodes.positions) codes of \(newCodes.cap) for a network of \(codes.rows)×\(codes.positions) of \(codes.cap)")
        codes = newCodes
    }

    /// A network over `codes`, initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: VQRecConfiguration, codes: ItemCodes, seed: Seed) {
        self.init(configuration, codes: codes, initStream: seed.stream("init"))
    }

    /// A network over `codes`, initialised from `initStream` (each parameter from its own derived stream).
    public init(_ configuration: VQRecConfiguration, codes: ItemCodes, initStream: RandomStream) {
        if let problem = Self.problem(configuration, codes: codes) { preconditionFailure(problem) }
        let (h, std, k) = (configuration.hidden, configuration.initializerRange, configuration.codeCap)
        self.configuration = configuration
        self.codes = codes
        codeEmbedding = Initialisation.normal("code_embedding", shape: [codes.tableSize, h], std: std, stream: initStream)
        permutationLogits = Initialisation.normal("permutation_logits", shape: [configuration.codePositions, k + 1, k + 1],
                                                  std: 1, stream: initStream)
        encoder = SequenceEncoder(size: configuration.size, positionRows: configuration.maxLength, stream: initStream)
    }

    /// A network over another catalogue's `codes` with `base`'s code table, position table, input
    /// layer norm and layers: the very same tensors (`sharing: true`, so training one trains the
    /// other: pretraining a base in place) or copies of their values (a transfer); a fresh
    /// permutation M from `initStream`. `configuration` may change dropouts and temperatures,
    /// never sizes (nil keeps the base's).
    public init(transferring base: VQRec, codes: ItemCodes, sharing: Bool = false, configuration: VQRecConfiguration? = nil,
                initStream: RandomStream) {
        let c = configuration ?? base.configuration
        if let problem = Self.transferProblem(from: base.configuration, to: c, codes: codes) { preconditionFailure(problem) }
        let fresh = VQRec(c, codes: codes, initStream: initStream)
        self.configuration = c
        self.codes = codes
        permutationLogits = fresh.permutationLogits
        if sharing {
            codeEmbedding = base.codeEmbedding
            encoder = base.encoder
        } else {
            codeEmbedding = fresh.codeEmbedding
            encoder = fresh.encoder
            copyValues(into: transferableParameters, from: base.transferableParameters, model: "VQRec")
        }
    }

    /// Why `configuration` cannot read `codes`, or nil.
    public static func problem(_ configuration: VQRecConfiguration, codes: ItemCodes) -> String? {
        if let problem = configuration.problem { return problem }
        if codes.positions != configuration.codePositions || codes.cap != configuration.codeCap {
            return "the item codes have \(codes.positions) positions of \(codes.cap) centroids but the configuration says \(configuration.codePositions) of \(configuration.codeCap); quantise with the model's sizes"
        }
        return nil
    }

    /// Why a network of `base`'s parts cannot read `codes` with `configuration`, or nil.
    public static func transferProblem(from base: VQRecConfiguration, to configuration: VQRecConfiguration, codes: ItemCodes) -> String? {
        if let problem = problem(configuration, codes: codes) { return problem }
        let sizes: [(String, Int, Int)] = [("codePositions", base.codePositions, configuration.codePositions),
                                           ("codeCap", base.codeCap, configuration.codeCap), ("hidden", base.hidden, configuration.hidden),
                                           ("layers", base.layers, configuration.layers), ("heads", base.heads, configuration.heads),
                                           ("inner", base.inner, configuration.inner), ("maxLength", base.maxLength, configuration.maxLength)]
        for (name, was, now) in sizes where was != now {
            return "a transfer keeps the pretrained sizes: \(name) is \(was), not \(now)"
        }
        return nil
    }

    /// Every parameter in a stable order: code_embedding, permutation_logits, position_embedding,
    /// ln.gamma, ln.beta, layer0.q.weight, ...
    public var parameters: [Tensor] { [codeEmbedding, permutationLogits] + encoderParameters }

    /// What pretraining learns and a transfer copies: every parameter except the permutation.
    public var transferableParameters: [Tensor] { [codeEmbedding] + encoderParameters }

    /// What VQ-Rec's fine-tuning never trains: the position table and the layers.
    public var frozenWhenFineTuning: [Tensor] { [positionEmbedding] + layers.flatMap(\.parameters) }

    private var encoderParameters: [Tensor] { [positionEmbedding, lnGamma, lnBeta] + layers.flatMap(\.parameters) }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name } }

    // MARK: - Code table and its reassignment

    /// The table a pass reads: T, or while reassigning T' with this pass's Gumbel noise → [D·(K+1), H].
    public func codeTable(_ g: Graph, draws: inout VQRecDraws) -> Tensor {
        guard reassignment != .none else { return codeEmbedding }
        let (d, k1) = (configuration.codePositions, configuration.codeCap + 1)
        return reassignedTable(g, gumbel: draws.gumbel(g, shape: [d, k1, k1]), straightThrough: reassignment == .learned)
    }

    /// The permutation's soft assignment P = Sinkhorn((log(exp(M) + 1e-6) + gumbel) / τ_s) [D, K+1, K+1]
    /// (no noise when `gumbel` is nil).
    public func softAssignment(_ g: Graph, gumbel: Tensor?) -> Tensor {
        let logEps = Float(log(1e-6))
        var r = g.addScalar(g.softplus(g.addScalar(permutationLogits, -logEps)), logEps)   // log(exp(M) + ε), [D, K+1, K+1]
        if let gumbel { r = g.add(r, gumbel) }
        return g.sinkhorn(g.scale(r, 1 / configuration.sinkhornTemperature), iterations: configuration.sinkhornIterations)
    }

    /// T' = Hard(P) · T per sub-space → [D·(K+1), H]; Hard's gradient reaches M straight through,
    /// or is exactly zero (the released code's `ceil`).
    public func reassignedTable(_ g: Graph, gumbel: Tensor?, straightThrough: Bool) -> Tensor {
        let (d, k1, h) = (configuration.codePositions, configuration.codeCap + 1, configuration.hidden)
        let hard = g.hardOneHot(softAssignment(g, gumbel: gumbel), straightThrough: straightThrough)   // [D, K+1, K+1]
        let moved = g.batchedMatmul(hard, g.reshape(codeEmbedding, [d, k1, h]))                        // [D, K+1, H]
        return g.reshape(moved, [d * k1, h])
    }

    /// For each sub-space and code row c, the table row Hard(P) picks (noise-free when `gumbel` is nil) → [D][K+1].
    public func assignment(gumbel: Tensor?) -> [[Int]] {
        let g = Graph(recording: false)
        let p = softAssignment(g, gumbel: gumbel)
        let k1 = configuration.codeCap + 1
        return (0..<configuration.codePositions).map { m in
            (0..<k1).map { c in
                let row = p.pointer + (m * k1 + c) * k1
                var best = 0
                for j in 1..<k1 where row[j] > row[best] { best = j }
                return best
            }
        }
    }

    /// Writes T' (with `gumbel` noise, as the reference's last `code_projection()`) into the code
    /// table, zeroes its padding row and stops reassigning. Returns the rows each code now reads.
    @discardableResult
    public func commitReassignment(gumbel: Tensor?) -> [[Int]] {
        let picked = assignment(gumbel: gumbel)
        let (k1, h) = (configuration.codeCap + 1, configuration.hidden)
        let old = codeEmbedding.scalars
        for (m, rows) in picked.enumerated() {
            for (c, j) in rows.enumerated() {
                let dst = codeEmbedding.pointer + (m * k1 + c) * h
                old.withUnsafeBufferPointer { dst.update(from: $0.baseAddress! + (m * k1 + j) * h, count: h) }
            }
        }
        for j in 0..<h { codeEmbedding.pointer[j] = 0 }
        reassignment = .none
        return picked
    }

    // MARK: - Item vectors and sequences

    /// The mean code embedding of each of `items` [R] in `table` → [R, H].
    public func itemVectors(_ g: Graph, table: Tensor, items: [Int32]) -> Tensor {
        g.embeddingMean(table, codes.tableRows(of: items), paddingIndex: 0)
    }

    /// Every item id's vector, padding row included → [N, H].
    public func catalogue(_ g: Graph, table: Tensor) -> Tensor {
        g.embeddingMean(table, codes.tableRows, paddingIndex: 0)
    }

    /// The encoder over histories ids [B, L] (left-aligned, L ≤ maxLength) reading `table` →
    /// hidden states [B, L, H] and attention maps. Padding keys (id 0) are masked.
    public func encode(_ g: Graph, _ ids: IndexTensor, table: Tensor, draws: inout VQRecDraws) -> SASRecOutput {
        precondition(ids.shape.count == 2, "VQRec.encode: ids must be [B, L], got \(ids.shape)")
        let l = ids.shape[1]
        precondition(l >= 1 && l <= configuration.maxLength, "VQRec.encode: \(l) columns, but the position table has \(configuration.maxLength) rows")
        let (rows, index) = UniSRec.distinctRows(ids.values)
        let vectors = itemVectors(g, table: table, items: rows)                                            // [U, H]
        let placed = g.embedding(vectors, IndexTensor(shape: ids.shape, values: index), paddingIndex: nil) // [B, L, H]
        return encodeVectors(g, placed, ids: ids, size: configuration.size, training: draws.training, rng: &draws.dropout)
    }

    /// Evaluation forward (no dropout, noise-free reassignment if reassigning): ids [B, L] → hidden [B, L, H] and attention maps.
    public func forward(_ g: Graph, _ ids: IndexTensor) -> SASRecOutput {
        var draws = VQRecDraws.evaluation
        return encode(g, ids, table: codeTable(g, draws: &draws), draws: &draws)
    }

    /// The sequence vector h [B, H] of each history: the hidden state at its last real position.
    public func sequenceVectors(_ g: Graph, _ ids: IndexTensor, lengths: [Int], table: Tensor, draws: inout VQRecDraws) -> Tensor {
        hiddenAtLastPosition(g, encode(g, ids, table: table, draws: &draws).hidden, lengths: lengths)
    }

    /// Ranking scores: the cosine of each sequence vector [B, H] with each candidate [N, H] → [B, N], padding at −inf.
    public func cosineScores(_ g: Graph, sequences: Tensor, catalogue: Tensor) -> Tensor {
        cosineRanking(g, sequences: sequences, catalogue: catalogue)
    }
}
