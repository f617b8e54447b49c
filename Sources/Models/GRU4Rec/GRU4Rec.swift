// GRU4Rec (Hidasi et al. 2016; Tan et al. 2016's improved version) exactly as RecBole 1.2.1 builds it
// (`sequential_recommender/gru4rec.py`):
//   x      = Dropout(E_item[s])                          [B, L, E]   (padding_idx 0; emb_dropout)
//   h      = GRU_k(…GRU_1(x))                            [B, L, H]   (nn.GRU, bias=False, h₀ = 0, no
//                                                                     dropout between layers)
//   o      = h W_denseᵀ + b_dense                        [B, L, E]   (nn.Linear(H → E))
//   s      = o[b, length_b − 1]                          [B, E]      (gather_indexes: last real position)
//   logits = s E_itemᵀ                                   [B, N]      (tied table, PAD column kept)
//   loss   = CE(logits, target)  or  BPR with one negative per row
// Sequences are left-aligned as RecBole's, items at columns 0 ..< length and padding after; like
// RecBole (no packing), the GRU runs over the trailing padding too, but those states are never read:
// a state depends only on the columns at or before it, so cutting columns past the batch's longest
// row changes nothing.
//
// Initialisation follows RecBole's `_init_weights`, applied to every submodule:
//   item_embedding              xavier_normal_: N(0, √(2 / (N + E))) — all N rows, the padding row too
//                               (it overwrites nn.Embedding's zero row; lookups never train it, the
//                               tied output does)
//   gru_layers.weight_ih_l0     xavier_uniform_: U(±√(6 / (E + 3H))), fans of the whole stacked [3H, E]
//   gru_layers.weight_hh_l0     xavier_uniform_: U(±√(6 / (H + 3H)))
//   gru_layers.weight_*_l1…     not touched by `_init_weights` (it names only the l0 tensors): torch's
//                               nn.GRU default U(±1/√H)
//   dense.weight, dense.bias    not touched (`_init_weights` has no nn.Linear case): torch's nn.Linear
//                               default, kaiming_uniform_(a = √5) = U(±1/√H) and bias U(±1/√H)
// Each parameter draws from its own stream derived by name from the "init" stream.
//
// Parameters carry RecBole's state_dict names and PyTorch's layouts, so a RecBole checkpoint maps one
// to one: `item_embedding` (RecBole: item_embedding.weight) [N, E], `gru_layers.weight_ih_l<k>`
// [3H, E or H] and `gru_layers.weight_hh_l<k>` [3H, H] (gate rows r, z, n), `dense.weight` [E, H]
// (out × in, as nn.Linear) and `dense.bias` [E].
//
// Departures, none of which changes a number RecBole computes:
//   - a training row whose target is 0 (padding) is left out of the loss; RecBole never makes one;
//   - a row of length 0 reads position 0 (RecBole never makes one);
//   - BPR is softplus(s⁻ − s⁺), the stable form of RecBole's −log(1e-10 + σ(s⁺ − s⁻)) (they differ
//     only for margins below about −23), as SASRec's;
//   - `sequenceLoss` (every position predicts its next item) is not in RecBole's GRU4Rec; it is the
//     original paper's session-parallel objective on SeqLab's sequence rows.

import Tensors

/// A GRU4Rec network: item embedding, stacked bias-free GRU layers, a dense layer back to the
/// embedding width, and the item table as the output layer.
public final class GRU4Rec: TiedItemNetwork {
    /// The sizes this network was built with.
    public let configuration: GRU4RecConfiguration
    /// Item table [N, E], named `item_embedding`; also the output layer (tied).
    public let itemEmbedding: Tensor
    /// Each layer's input weights [3H, E] (layer 0) or [3H, H], named `gru_layers.weight_ih_l<k>`.
    public let weightsIH: [Tensor]
    /// Each layer's recurrent weights [3H, H], named `gru_layers.weight_hh_l<k>`.
    public let weightsHH: [Tensor]
    /// The dense layer's weight [E, H] (PyTorch's out × in), named `dense.weight`.
    public let denseWeight: Tensor
    /// The dense layer's bias [E], named `dense.bias`.
    public let denseBias: Tensor

    public static var modelName: String { "GRU4Rec" }
    public var items: Int { configuration.items }
    public var maxLength: Int { configuration.maxLength }

    /// A network initialised from the stream named "init" of `seed`.
    public convenience init(_ configuration: GRU4RecConfiguration, seed: Seed) {
        self.init(configuration, initStream: seed.stream("init"))
    }

    /// A network initialised as RecBole's (see the file header) from `initStream`; each parameter
    /// draws from its own stream derived by name.
    public init(_ configuration: GRU4RecConfiguration, initStream: RandomStream) {
        self.configuration = configuration
        let (n, e, h) = (configuration.items, configuration.embedding, configuration.hidden)
        itemEmbedding = Initialisation.xavierNormal("item_embedding", shape: [n, e], stream: initStream)
        let torchDefault = 1 / Float(h).squareRoot()
        weightsIH = (0..<configuration.layers).map { k in
            let name = "gru_layers.weight_ih_l\(k)", shape = [3 * h, k == 0 ? e : h]
            return k == 0 ? Initialisation.xavierUniform(name, shape: shape, stream: initStream)
                          : Initialisation.uniform(name, shape: shape, bound: torchDefault, stream: initStream)
        }
        weightsHH = (0..<configuration.layers).map { k in
            let name = "gru_layers.weight_hh_l\(k)", shape = [3 * h, h]
            return k == 0 ? Initialisation.xavierUniform(name, shape: shape, stream: initStream)
                          : Initialisation.uniform(name, shape: shape, bound: torchDefault, stream: initStream)
        }
        denseWeight = Initialisation.uniform("dense.weight", shape: [e, h], bound: torchDefault, stream: initStream)
        denseBias = Initialisation.uniform("dense.bias", shape: [e], bound: torchDefault, stream: initStream)
    }

    /// Every parameter in RecBole's state_dict order: item_embedding, gru_layers.weight_ih_l0,
    /// gru_layers.weight_hh_l0, (…_l1, …), dense.weight, dense.bias.
    public var parameters: [Tensor] {
        [itemEmbedding] + zip(weightsIH, weightsHH).flatMap { [$0, $1] } + [denseWeight, denseBias]
    }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name } }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Evaluation forward, no dropout: ids [B, L] (left-aligned) → the last GRU layer's states [B, L, H].
    public func forward(_ g: Graph, _ ids: IndexTensor) -> Tensor {
        var unused = RandomStream(seed: 0)   // rate 0 draws nothing
        return encode(g, ids, dropout: 0, rng: &unused)
    }

    /// Training forward with the embedding dropout drawn from `rng` (one draw): ids [B, L] → the last
    /// GRU layer's states [B, L, H].
    public func forward(_ g: Graph, _ ids: IndexTensor, dropout rng: inout RandomStream) -> Tensor {
        encode(g, ids, dropout: configuration.dropout, rng: &rng)
    }

    private func encode(_ g: Graph, _ ids: IndexTensor, dropout: Float, rng: inout RandomStream) -> Tensor {
        precondition(ids.shape.count == 2, "GRU4Rec.forward: ids must be [B, L], got \(ids.shape)")
        var x = g.dropout(g.embedding(itemEmbedding, ids, paddingIndex: 0), rate: dropout, rng: &rng)   // [B, L, E]
        for (wih, whh) in zip(weightsIH, weightsHH) {
            x = g.gru(x, weightIH: wih, weightHH: whh)                                    // [B, L, H]
        }
        return x
    }

    /// The GRU state at each row's last real position: states [B, L, H], lengths [B] → [B, H]. A row
    /// of length 0 reads position 0.
    public func lastState(_ g: Graph, _ states: Tensor, lengths: [Int]) -> Tensor {
        hiddenAtLastPosition(g, states, lengths: lengths)
    }

    /// The dense layer, RecBole's seq_output before the gather: states [..., H] → [..., E].
    public func output(_ g: Graph, states: Tensor) -> Tensor {
        precondition(states.lastDim == configuration.hidden,
                     "GRU4Rec.output: states need \(configuration.hidden) channels, got \(states.shape)")
        return g.add(g.matmul(states, denseWeight, transposeB: true), denseBias)            // [..., E]
    }

    /// Logits over all N items (padding column 0 included) for output rows [R, E] (or [..., E]):
    /// o E_itemᵀ → [R, N]. Callers score a block of rows at a time.
    public func scores(_ g: Graph, output: Tensor) -> Tensor { tableScores(g, output) }

    /// RecBole's full_sort_predict, no dropout: ids [B, L], lengths [B] → scores [B, N] from each
    /// row's last real position.
    public func lastPositionScores(_ g: Graph, _ ids: IndexTensor, lengths: [Int]) -> Tensor {
        let last = lastState(g, forward(g, ids), lengths: lengths)                        // [B, H]
        return scores(g, output: output(g, states: last))                                 // [B, N]
    }
}

// MARK: - Objectives

extension GRU4Rec {
    /// RecBole's calculate_loss on prefix rows: histories [B, L] (left-aligned, `lengths` real items
    /// each) predict `targets` [B] from the last real position; a target of 0 is not counted. Dropout
    /// on, drawn from `rng` (then the negatives, for BPR). The dense layer runs at those positions only.
    public func prefixLoss(_ g: Graph, inputs: IndexTensor, lengths: [Int], targets: IndexTensor,
                           objective: NextItemObjective, rng: inout RandomStream) -> Tensor {
        precondition(targets.count == inputs.shape.first, "GRU4Rec.prefixLoss: \(targets.count) targets for \(inputs.shape) inputs")
        let last = lastState(g, forward(g, inputs, dropout: &rng), lengths: lengths)      // [B, H]
        return itemLoss(g, output: output(g, states: last), targets: targets, objective: objective, rng: &rng)
    }

    /// The every-position loss: inputs [B, L] predict targets [B, L] (the inputs shifted by one; 0 =
    /// padding, not counted). Dropout on.
    public func sequenceLoss(_ g: Graph, inputs: IndexTensor, targets: IndexTensor,
                             objective: NextItemObjective, rng: inout RandomStream) -> Tensor {
        precondition(inputs.shape == targets.shape, "GRU4Rec.sequenceLoss: inputs \(inputs.shape) and targets \(targets.shape) differ")
        let states = forward(g, inputs, dropout: &rng)                                    // [B, L, H]
        let rows = g.reshape(states, [states.rows, configuration.hidden])                 // [B·L, H]
        return itemLoss(g, output: output(g, states: rows), targets: targets, objective: objective, rng: &rng)
    }

    /// Mean loss of output rows [R, E] against item targets [R] (any shape, flattened; 0 = not
    /// counted) under `objective`, negatives drawn from `rng` in row order. No counted row: loss 0.
    public func itemLoss(_ g: Graph, output: Tensor, targets: IndexTensor, objective: NextItemObjective,
                         rng: inout RandomStream) -> Tensor {
        g.tiedItemLoss(hidden: output, table: itemEmbedding, targets: targets, objective: objective, model: "GRU4Rec", rng: &rng)
    }
}

// MARK: - PyTorch's initialisers

extension Initialisation {
    /// torch.nn.init.xavier_normal_ on a 2-D weight [fan_out, fan_in]: normal(0, √(2 / (fan_in +
    /// fan_out))) entries from `stream.derive(name)`.
    static func xavierNormal(_ name: String, shape: [Int], stream: RandomStream) -> Tensor {
        precondition(shape.count == 2, "xavierNormal: \(name) must be 2-D, got \(shape)")
        return normal(name, shape: shape, std: (2 / Float(shape[0] + shape[1])).squareRoot(), stream: stream)
    }

    /// torch.nn.init.xavier_uniform_ on a 2-D weight [fan_out, fan_in]: uniform(±√(6 / (fan_in +
    /// fan_out))) entries from `stream.derive(name)`.
    static func xavierUniform(_ name: String, shape: [Int], stream: RandomStream) -> Tensor {
        precondition(shape.count == 2, "xavierUniform: \(name) must be 2-D, got \(shape)")
        return uniform(name, shape: shape, bound: (6 / Float(shape[0] + shape[1])).squareRoot(), stream: stream)
    }
}
