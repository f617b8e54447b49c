// The fitted quantiser as safetensors tensors, so a VQ-Rec checkpoint can carry the quantiser its
// codes came from (codes of a new item need the same rotation and centroids):
//   <prefix>rotation         F32 [d, d]      R, rotated = x·R (faiss's A is Rᵀ)
//   <prefix>coarse_centroid  F32 [d]         the unit-norm IVF1 centroid
//   <prefix>pq_centroids     F32 [D, K, d/D] the residual PQ
// A file of its own also records "format" in its metadata. Reading checks shapes, finiteness and
// that the rotation is orthogonal, so a file that is not a quantiser fails here and not in encoding.

import Foundation
import Tensors

extension VQRecQuantizer {
    /// The metadata `format` value of a saved quantiser.
    public static let fileFormat = "seqlab.vqrec-quantizer.v1"

    /// The quantiser's tensors, named with `prefix`, for a checkpoint.
    public func tensors(prefix: String = "") -> [(name: String, value: SafetensorsValue)] {
        let d = dimension
        return [
            (prefix + "rotation", .float(Tensor(shape: [d, d], scalars: rotation.matrix))),
            (prefix + "coarse_centroid", .float(Tensor(shape: [d], scalars: coarseCentroid))),
            (prefix + "pq_centroids", .float(Tensor(shape: [subspaces, centroidsPerSubspace, pq.subDimension], scalars: pq.centroids))),
        ]
    }

    /// Reads the quantiser stored under `prefix` in a safetensors file (its own or a checkpoint).
    public init(file: SafetensorsFile, prefix: String = "") throws(QuantizationError) {
        func fail(_ message: String) -> QuantizationError { .badFile(path: file.path, message: message) }
        func read(_ name: String) throws(QuantizationError) -> Tensor {
            do { return try file.tensor(prefix + name) } catch {
                throw fail(((error as? SafetensorsError)?.message ?? "\(error)")
                           + "; is this a quantiser saved by VQRecQuantizer.save (prefix '\(prefix)')?")
            }
        }
        let r = try read("rotation"), c = try read("coarse_centroid"), p = try read("pq_centroids")
        guard r.shape.count == 2, r.shape[0] == r.shape[1], c.shape == [r.shape[0]], p.shape.count == 3,
              p.shape[0] * p.shape[2] == r.shape[0] else {
            throw fail("quantiser tensors have shapes rotation \(r.shape), coarse_centroid \(c.shape), pq_centroids \(p.shape); "
                       + "expected [d, d], [d] and [D, K, d/D]")
        }
        let parts: (Rotation, ProductQuantizer)
        do throws(QuantizationError) {
            let rotation = try Rotation(dimension: r.shape[0], matrix: r.scalars)
            let pq = try ProductQuantizer(dimension: r.shape[0], subspaces: p.shape[0], centroidsPerSubspace: p.shape[1],
                                          centroids: p.scalars)
            guard c.scalars.allSatisfy(\.isFinite) else { throw .nonFinite(what: "the coarse centroid's values") }
            parts = (rotation, pq)
        } catch { throw fail(error.description) }
        let error = parts.0.orthogonalityError
        guard error < 1e-3 else { throw fail("the rotation is not orthogonal (max |RᵀR − I| = \(error)); the file is damaged") }
        self.init(unchecked: parts.0, coarseCentroid: c.scalars, pq: parts.1)
    }

    /// Writes the quantiser to its own safetensors file (atomically).
    public func save(to path: String) throws(QuantizationError) {
        do {
            try SafetensorsWriter.write(tensors(), metadata: ["format": Self.fileFormat], to: path)
        } catch { throw .badFile(path: path, message: (error as? SafetensorsError)?.message ?? "\(error)") }
    }

    /// Reads a quantiser written by `save`.
    public static func load(from path: String) throws(QuantizationError) -> VQRecQuantizer {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: path) } catch {
            throw .badFile(path: path, message: (error as? SafetensorsError)?.message ?? "\(error)")
        }
        if let format = file.metadata["format"], format != fileFormat {
            throw .badFile(path: path, message: "format is '\(format)', not '\(fileFormat)'")
        }
        return try VQRecQuantizer(file: file)
    }
}
