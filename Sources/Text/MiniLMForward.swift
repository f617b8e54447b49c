// The BERT forward pass for inference, as transformers' BertModel computes it in eval mode:
//   x = LN(word[id] + position[t] + tokenType[0])
//   per layer (post-LN):
//     q, k, v = x·W + b;  per head: P = softmax(q·kᵀ/√d + mask), c = P·v
//     a = LN(c·W_o + b_o + x)
//     x = LN(gelu_erf(a·W_1 + b_1)·W_2 + b_2 + a)
// with an additive −10000 on the scores of padding keys. There is no autodiff graph: buffers
// sized for the largest batch are allocated once per `encode` call and reused for every batch
// and layer, and every product is one `BLAS.gemm` ([rows, in] × [out, in]ᵀ for the dense layers;
// per sequence and head, strided views of the stacked q|k|v matrix for the attention).

import CKernels
import Dispatch
import Tensors

/// Scratch buffers and the forward pass over one padded batch of token ids. A class owning raw
/// buffers, so the loops index plain pointers (no exclusivity checks, no copy-on-write).
final class MiniLMWorkspace {
    let c: MiniLMConfiguration
    /// Most rows (sequences × padded length) one batch may hold.
    let capacity: Int
    /// [rows, H] hidden states, [rows, 3H] q|k|v, [rows, H] attention context and residual sums,
    /// [rows, I] feed-forward pre-activations and activations, [L, L] one head's scores.
    private let x, qkv, context, sum, inner, activated, scores: UnsafeMutablePointer<Float>

    init(configuration: MiniLMConfiguration, rows: Int) {
        c = configuration
        capacity = rows
        func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        x = buffer(rows * c.hidden)
        qkv = buffer(rows * 3 * c.hidden)
        context = buffer(rows * c.hidden)
        sum = buffer(rows * c.hidden)
        inner = buffer(rows * c.intermediate)
        activated = buffer(rows * c.intermediate)
        scores = buffer(c.maxSequenceLength * c.maxSequenceLength)
    }

    deinit {
        for p in [x, qkv, context, sum, inner, activated, scores] { p.deallocate() }
    }

    /// Additive score of a padding key: exp(−10000 + s) is exactly 0 in Float for any score s the
    /// model produces, so padded keys get no weight (the value BERT's original code uses).
    static let maskValue: Float = -10_000

    /// Runs the encoder on `sequences` (each [CLS] … [SEP], at most `length` ids, padded to
    /// `length`) and writes the mean of sequence b's final hidden states over its real tokens,
    /// L2-normalised, to row rowOrder[b] of `output` (rows rowStride floats apart).
    func encode(_ sequences: [[Int32]], length: Int, padID: Int32, weights w: MiniLMWeights,
                into output: UnsafeMutablePointer<Float>, rowStride: Int, rowOrder: [Int]) {
        let h = c.hidden, rows = sequences.count * length
        precondition(rows <= capacity && length <= c.maxSequenceLength, "batch larger than the workspace")
        embed(sequences, length: length, padID: padID, weights: w, into: x)
        for layer in w.layers { transform(sequences: sequences, length: length, layer: layer) }
        // Mean over the real tokens (padding excluded), then unit length (F.normalize, eps 1e-12).
        for (b, sequence) in sequences.enumerated() {
            let out = output + rowOrder[b] * rowStride
            for j in 0..<h { out[j] = 0 }
            for t in 0..<sequence.count {
                let row = x + (b * length + t) * h
                for j in 0..<h { out[j] += row[j] }
            }
            let inverseCount = 1 / Float(sequence.count)
            var squares: Float = 0
            for j in 0..<h { out[j] *= inverseCount; squares += out[j] * out[j] }
            let scale = 1 / max(squares.squareRoot(), 1e-12)
            for j in 0..<h { out[j] *= scale }
        }
    }

    /// x[b·L + t] = LN(word[id] + position[t] + tokenType[0]); padding positions embed [PAD].
    private func embed(_ sequences: [[Int32]], length: Int, padID: Int32, weights w: MiniLMWeights,
                       into x: UnsafeMutablePointer<Float>) {
        let h = c.hidden
        w.wordEmbeddings.withUnsafeBufferPointer { word in
            w.positionEmbeddings.withUnsafeBufferPointer { position in
                w.tokenTypeEmbeddings.withUnsafeBufferPointer { type in
                    for (b, sequence) in sequences.enumerated() {
                        for t in 0..<length {
                            let id = Int(t < sequence.count ? sequence[t] : padID)
                            let row = x + (b * length + t) * h
                            for j in 0..<h { row[j] = word[id * h + j] + position[t * h + j] + type[j] }
                        }
                    }
                }
            }
        }
        layerNorm(x, rows: sequences.count * length, gamma: w.embeddingNormGamma, beta: w.embeddingNormBeta)
    }

    /// One post-LN transformer layer on x [rows, H], in place.
    private func transform(sequences: [[Int32]], length: Int, layer: MiniLMLayerWeights) {
        let h = c.hidden, rows = sequences.count * length, dh = c.headWidth, inter = c.intermediate
        let scale = 1 / Float(dh).squareRoot()
        let x = self.x, qkv = self.qkv, ctx = context, sum = self.sum, inner = self.inner, s = scores
        let activated = self.activated
        // [rows, H] × [3H, H]ᵀ → q|k|v [rows, 3H]
        linear(x, rows: rows, input: h, weight: layer.qkvWeight, bias: layer.qkvBias, output: 3 * h, into: qkv)
        for (b, sequence) in sequences.enumerated() {
            let base = qkv + b * length * 3 * h
            for head in 0..<c.heads {
                // scores [L, L] = q_head · k_headᵀ / √d, read as strided views of q|k|v
                BLAS.gemm(transB: true, m: length, n: length, k: dh, alpha: scale,
                          a: base + head * dh, lda: 3 * h, b: base + h + head * dh, ldb: 3 * h,
                          c: s, ldc: length)
                for i in 0..<length {
                    let row = s + i * length
                    for j in sequence.count..<length { row[j] += Self.maskValue }
                    let max = maximum(row, length)
                    let total = seqlab_exp_shifted_sum(row, Int32(length), max)
                    let inverse = 1 / total
                    for j in 0..<length { row[j] *= inverse }
                }
                // context [L, d] = P [L, L] · v_head [L, d], into this head's columns
                BLAS.gemm(m: length, n: dh, k: length, a: s, lda: length,
                          b: base + 2 * h + head * dh, ldb: 3 * h,
                          c: ctx + b * length * h + head * dh, ldc: h)
            }
        }
        // a = LN(context · W_oᵀ + b_o + x)
        linear(ctx, rows: rows, input: h, weight: layer.attentionOutputWeight, bias: layer.attentionOutputBias,
               output: h, adding: x, into: sum)
        layerNorm(sum, rows: rows, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta)
        // x = LN(gelu(a · W_1ᵀ + b_1) · W_2ᵀ + b_2 + a)
        linear(sum, rows: rows, input: h, weight: layer.intermediateWeight, bias: layer.intermediateBias,
               output: inter, into: inner)
        gelu(inner, into: activated, rows * inter)
        linear(activated, rows: rows, input: inter, weight: layer.outputWeight, bias: layer.outputBias,
               output: h, adding: sum, into: x)
        layerNorm(x, rows: rows, gamma: layer.outputNormGamma, beta: layer.outputNormBeta)
    }

    /// Exact GELU of x into a separate y (in place, the compiler's alias check sends the kernel to
    /// its scalar loop, 5× slower), split over the BLAS threads: after the products it is the
    /// largest cost (rows × 1536 erf per layer), and OpenBLAS leaves the other core idle for it.
    private func gelu(_ x: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        let parts = max(1, min(BLAS.threads, n / 32_768))
        if parts == 1 { seqlab_gelu_forward(x, y, n); return }
        // The parts read and write disjoint ranges of buffers that outlive the call.
        nonisolated(unsafe) let x = x, y = y
        DispatchQueue.concurrentPerform(iterations: parts) { i in
            let start = n * i / parts, end = n * (i + 1) / parts
            seqlab_gelu_forward(x + start, y + start, end - start)
        }
    }

    /// y [rows, output] = x [rows, input] · Wᵀ + b (+ residual [rows, output]), W in PyTorch's
    /// [output, input] layout. y starts as b (+ residual) and the product accumulates into it
    /// (beta 1), which spares OpenBLAS its pass zeroing y and us a pass adding b.
    private func linear(_ x: UnsafePointer<Float>, rows: Int, input: Int, weight: [Float], bias: [Float],
                        output: Int, adding residual: UnsafePointer<Float>? = nil, into y: UnsafeMutablePointer<Float>) {
        bias.withUnsafeBufferPointer { bb in
            for r in 0..<rows {
                let row = y + r * output
                if let residual {
                    let source = residual + r * output
                    for j in 0..<output { row[j] = source[j] + bb[j] }
                } else {
                    for j in 0..<output { row[j] = bb[j] }
                }
            }
        }
        weight.withUnsafeBufferPointer { wb in
            BLAS.gemm(transB: true, m: rows, n: output, k: input, a: x, b: wb.baseAddress!, beta: 1, c: y)
        }
    }

    /// In-place layer norm of rows [rows, H] (population variance, eps from config.json).
    private func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, gamma: [Float], beta: [Float]) {
        let h = c.hidden, eps = c.layerNormEps
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { bt in
                for r in 0..<rows {
                    let row = x + r * h
                    // Four partial sums: a single Float accumulator does not vectorise under strict FP.
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                    var j = 0
                    while j + 4 <= h { s0 += row[j]; s1 += row[j + 1]; s2 += row[j + 2]; s3 += row[j + 3]; j += 4 }
                    while j < h { s0 += row[j]; j += 1 }
                    let mean = (s0 + s1 + s2 + s3) / Float(h)
                    var q0: Float = 0, q1: Float = 0, q2: Float = 0, q3: Float = 0
                    j = 0
                    while j + 4 <= h {
                        let d0 = row[j] - mean, d1 = row[j + 1] - mean, d2 = row[j + 2] - mean, d3 = row[j + 3] - mean
                        q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3
                        j += 4
                    }
                    while j < h { let d = row[j] - mean; q0 += d * d; j += 1 }
                    let inverseStd = 1 / ((q0 + q1 + q2 + q3) / Float(h) + eps).squareRoot()
                    for j in 0..<h { row[j] = (row[j] - mean) * inverseStd * g[j] + bt[j] }
                }
            }
        }
    }

    @inline(__always)
    private func maximum(_ row: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = -Float.infinity
        for j in 0..<n where row[j] > m { m = row[j] }
        return m
    }
}
