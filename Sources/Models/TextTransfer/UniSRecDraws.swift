// The random draws of one UniSRec pass: dropout masks (adaptor inputs, embeddings, attention,
// sublayers) and the gate noise ε of the adaptor. Training passes take both from named streams of
// a per-step seed; evaluation passes take none (no dropout, clean gates). A reference comparison
// can hand in ε itself, per adaptor pass, so both sides use the same draws.
//
// Each adaptor pass reads the distinct rows it needs once, in ascending order of their row in the
// stacked text table (see `UniSRec.adaptorRows`), so ε for a pass is [distinct rows, E] in that
// order. Positions that hold the same item in one batch therefore share one draw of dropout and
// noise, where the reference draws per position; each position's draw has the same distribution.

import Tensors

/// Which adaptor pass of a step a draw belongs to.
public enum AdaptorPass: String, Sendable, CaseIterable {
    /// The items of the input histories.
    case sequence
    /// The items of the augmented histories (pretraining's sequence-sequence task).
    case augmented
    /// The batch's target items (pretraining's sequence-item task).
    case targets
    /// Every item of the catalogue (the candidates of the fine-tuning logits).
    case catalogue
}

/// Dropout masks and gate noise for one pass of a UniSRec network.
public struct UniSRecDraws {
    /// True in training: dropout at the configured rates and noisy gates.
    public let training: Bool
    /// Where dropout masks come from (unused in evaluation).
    public var dropout: RandomStream
    private var noiseStream: RandomStream?
    private let givenNoise: [AdaptorPass: Tensor]

    /// No dropout and clean gates.
    public static var evaluation: UniSRecDraws { UniSRecDraws(training: false, dropout: RandomStream(seed: 0), noise: nil, given: [:]) }

    /// Training draws from the streams named "dropout" and "gate-noise" under `seed` (a trainer
    /// hands one fresh seed per step).
    public init(trainingSeed seed: UInt64) {
        self.init(training: true, dropout: RandomStream(root: seed, name: "dropout"),
                  noise: RandomStream(root: seed, name: "gate-noise"), given: [:])
    }

    /// Training draws with dropout from `dropout` and the gate noise ε given per adaptor pass
    /// ([distinct rows, E] each; a pass without an entry has clean gates).
    public init(dropout: RandomStream, givenNoise: [AdaptorPass: Tensor]) {
        self.init(training: true, dropout: dropout, noise: nil, given: givenNoise)
    }

    private init(training: Bool, dropout: RandomStream, noise: RandomStream?, given: [AdaptorPass: Tensor]) {
        self.training = training
        self.dropout = dropout
        noiseStream = noise
        givenNoise = given
    }

    /// ε [rows, experts] for `pass`: N(0, 1) drawn row-major, the given tensor, or nil (evaluation).
    mutating func noise(_ g: Graph, for pass: AdaptorPass, rows: Int, experts: Int) -> Tensor? {
        guard training else { return nil }
        if let given = givenNoise[pass] {
            precondition(given.shape == [rows, experts], "UniSRecDraws: the \(pass.rawValue) noise is \(given.shape), the pass reads [\(rows), \(experts)]")
            return given
        }
        guard var stream = noiseStream else { return nil }
        let eps = g.make([rows, experts])
        for i in 0..<eps.count { eps.pointer[i] = stream.normal() }
        noiseStream = stream
        return eps
    }
}
