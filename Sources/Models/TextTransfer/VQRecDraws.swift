// The random draws of one VQ-Rec pass: dropout masks, the Gumbel noise of the permutation's
// Gumbel–Sinkhorn (reassignment epochs only), and the replaced codes of pretraining's
// semi-synthetic negatives. Training passes take each from its own named stream under a per-step
// seed ("dropout", "gumbel", "fake-codes"), so one kind of draw never shifts another; evaluation
// passes take none (no dropout, no noise: the permutation's plain row argmax). A reference
// comparison can hand in the Gumbel noise and the semi-synthetic codes, so both sides use the same.
//
// Gumbel noise as the reference's `sample_gumbel`: g = −log(−log(u + 1e-6) + 1e-6), u ~ U[0, 1),
// drawn row-major over [D, K+1, K+1]. A semi-synthetic negative draws, per row and code position,
// first whether to replace (probability fakeCodeRatio) and then a uniform code in 0..<K, both
// always, so the stream advances the same whatever the outcome.

import Foundation
import Tensors

/// Dropout masks, Gumbel noise and semi-synthetic codes for one pass of a VQ-Rec network.
public struct VQRecDraws {
    /// True in training: dropout at the configured rates, noisy permutations, drawn negatives.
    public let training: Bool
    /// Where dropout masks come from (unused in evaluation).
    public var dropout: RandomStream
    private var gumbelStream: RandomStream?
    private var fakeStream: RandomStream?
    private let givenGumbel: Tensor?
    private let givenFakeCodes: [Int32]?

    /// No dropout, no Gumbel noise, no negatives.
    public static var evaluation: VQRecDraws {
        VQRecDraws(training: false, dropout: RandomStream(seed: 0), gumbel: nil, fake: nil, givenGumbel: nil, givenFakeCodes: nil)
    }

    /// Training draws from the streams "dropout", "gumbel" and "fake-codes" under `seed` (a trainer
    /// hands one fresh seed per step).
    public init(trainingSeed seed: UInt64) {
        self.init(training: true, dropout: RandomStream(root: seed, name: "dropout"), gumbel: RandomStream(root: seed, name: "gumbel"),
                  fake: RandomStream(root: seed, name: "fake-codes"), givenGumbel: nil, givenFakeCodes: nil)
    }

    /// Training draws with dropout from `dropout` and the given Gumbel noise [D, K+1, K+1] and
    /// semi-synthetic codes [B, D] (raw codes in 0..<K, row-major); nil ones are not needed.
    public init(dropout: RandomStream, gumbel: Tensor?, fakeCodes: [Int32]?) {
        self.init(training: true, dropout: dropout, gumbel: nil, fake: nil, givenGumbel: gumbel, givenFakeCodes: fakeCodes)
    }

    private init(training: Bool, dropout: RandomStream, gumbel: RandomStream?, fake: RandomStream?,
                 givenGumbel: Tensor?, givenFakeCodes: [Int32]?) {
        self.training = training
        self.dropout = dropout
        gumbelStream = gumbel
        fakeStream = fake
        self.givenGumbel = givenGumbel
        self.givenFakeCodes = givenFakeCodes
    }

    /// Gumbel noise of `shape` ([D, K+1, K+1]): the given tensor, drawn, or nil (evaluation).
    public mutating func gumbel(_ g: Graph, shape: [Int]) -> Tensor? {
        guard training else { return nil }
        if let givenGumbel {
            precondition(givenGumbel.shape == shape, "VQRecDraws: the Gumbel noise is \(givenGumbel.shape), the permutation reads \(shape)")
            return givenGumbel
        }
        guard var stream = gumbelStream else { return nil }
        let noise = g.make(shape)
        for i in 0..<noise.count { noise.pointer[i] = Self.gumbel(&stream) }
        gumbelStream = stream
        return noise
    }

    /// One Gumbel(0, 1) draw as the reference makes it.
    static func gumbel(_ stream: inout RandomStream) -> Float {
        -log(-log(stream.nextFloat() + 1e-6) + 1e-6)
    }

    /// The semi-synthetic codes of `targets` (raw codes [B, D] row-major, each in 0..<cap): each
    /// replaced w.p. `ratio` by a uniform code; the given codes in a reference comparison.
    mutating func fakeCodes(of targets: [Int32], positions: Int, cap: Int, ratio: Float) -> [Int32] {
        if let givenFakeCodes {
            precondition(givenFakeCodes.count == targets.count, "VQRecDraws: \(givenFakeCodes.count) semi-synthetic codes for \(targets.count) target codes")
            return givenFakeCodes
        }
        precondition(training, "VQRecDraws: semi-synthetic negatives are drawn in training only")
        var stream = fakeStream ?? RandomStream(seed: 0)
        let out = targets.map { code -> Int32 in
            let replace = stream.bernoulli(Double(ratio))
            let random = Int32(stream.int(below: cap))
            return replace ? random : code
        }
        fakeStream = stream
        return out
    }
}
