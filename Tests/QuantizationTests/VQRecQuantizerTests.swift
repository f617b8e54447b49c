import Foundation
import Testing
import Quantization
import Tensors

/// The VQ-Rec pipeline: strict fitting, codes for every row, code ids, saving and loading.
struct VQRecQuantizerTests {
    let options = VQRecQuantizerOptions(subspaces: 4, centroids: 16,
                                        opq: OPQOptions(iterations: 6, firstPQIterations: 15, pqIterations: 4))

    /// 401 rows: row 0 is the zero padding item, rows 1...300 are "training items", the rest cold start.
    func items() throws -> Vectors {
        let x = Fixtures.vectors(rows: 400, dimension: 16)
        return try Vectors(rows: 401, dimension: 16, values: [Float](repeating: 0, count: 16) + x.values)
    }

    @Test func fitsOnTrainingRowsAndEncodesEveryRow() throws {
        let x = try items()
        let fit = try VQRecQuantizer.fit(x, trainingRows: Array(1...300), options: options, stream: Seed(1).stream("vq"))
        let q = fit.quantizer
        #expect(fit.trainingRows == 300)
        #expect(q.dimension == 16 && q.subspaces == 4 && q.centroidsPerSubspace == 16)
        #expect(q.rotation.orthogonalityError < 1e-4)
        #expect(abs(q.coarseCentroid.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        #expect(Fixtures.nonIncreasing(fit.opqErrors) && Fixtures.nonIncreasing(fit.pqErrors))
        // The reported error is that of the training rows; cold-start rows are encoded too.
        let train = try x.selecting(Array(1...300))
        #expect(abs(try q.reconstructionError(train) - fit.reconstructionError) <= 1e-6 * fit.reconstructionError)
        let codes = try q.encode(x)
        #expect(codes.count == 401 * 4 && codes.allSatisfy { $0 < 16 })
        // Encoding is r = x·R − c, then the nearest centroid per sub-space.
        let r = try q.rotation.apply(x)
        for i in [1, 150, 350, 400] {
            for s in 0..<4 {
                var sub: [Float] = []
                for j in 0..<4 { sub.append(r.values[i * 16 + s * 4 + j] - q.coarseCentroid[s * 4 + j]) }
                let table = Array(q.pq.centroids[(s * 64)..<((s + 1) * 64)])
                #expect(Int(codes[i * 4 + s]) == Fixtures.bruteNearest(sub[...], centroids: table, k: 16))
            }
        }
        // Decoding goes back to the original space: decoded vectors are close to the inputs.
        let plainError = train.meanSquaredDistance(to: try Vectors(rows: 300, dimension: 16, values: .init(repeating: 0, count: 4800)))
        #expect(fit.reconstructionError < 0.5 * plainError)
    }

    @Test func codeIDsAreOffsetPerSubspaceAndPaddingIsZero() throws {
        let x = try items()
        let q = try VQRecQuantizer.fit(x, trainingRows: Array(1...300), options: options, stream: Seed(1).stream("vq")).quantizer
        #expect(q.codeTableSize == 4 * 17)
        let codes = try q.encode(x)
        let ids = try q.codeIDs(x)
        #expect(ids.shape == [401, 4])
        #expect(ids.values[0..<4].allSatisfy { $0 == 0 })
        for i in 1..<401 {
            for m in 0..<4 {
                let id = ids.values[i * 4 + m]
                #expect(id == Int32(codes[i * 4 + m]) + 1 + Int32(m * 17))
                #expect(id >= 1 + Int32(m * 17) && id < Int32((m + 1) * 17))
            }
        }
        // The reference's numbers: code 255 of sub-space 31 with K = 256 is 255 + 1 + 31·257 = 8223.
        let flat = VQRecQuantizer.flatten([0, 255, 7, 3], subspaces: 2, centroids: 256, paddingRows: [1])
        #expect(flat.values == [1, 255 + 1 + 257, 0, 0])
        #expect(VQRecQuantizer.flatten([UInt8](repeating: 255, count: 32), subspaces: 32, centroids: 256).values.last == 8223)
    }

    @Test func fitIsDeterministicAndIgnoresTheOrderOfTrainingRows() throws {
        let x = try items()
        let a = try VQRecQuantizer.fit(x, trainingRows: Array(1...300), options: options, stream: Seed(5).stream("vq"))
        let shuffled = Array((1...300).reversed()) + [7, 7, 42]
        let b = try VQRecQuantizer.fit(x, trainingRows: shuffled, options: options, stream: Seed(5).stream("vq"))
        let c = try VQRecQuantizer.fit(x, trainingRows: Array(1...300), options: options, stream: Seed(6).stream("vq"))
        #expect(a.quantizer == b.quantizer && a.opqErrors == b.opqErrors && a.pqErrors == b.pqErrors)
        #expect(a.quantizer != c.quantizer)
    }

    @Test func strictFittingDoesNotSeeColdStartRows() throws {
        // Changing cold-start rows must not change the quantiser fitted on the training rows.
        let x = try items()
        var changed = x.values
        for i in (301 * 16)..<(401 * 16) { changed[i] *= -3 }
        let y = try Vectors(rows: 401, dimension: 16, values: changed)
        let a = try VQRecQuantizer.fit(x, trainingRows: Array(1...300), options: options, stream: Seed(2).stream("vq"))
        let b = try VQRecQuantizer.fit(y, trainingRows: Array(1...300), options: options, stream: Seed(2).stream("vq"))
        #expect(a.quantizer == b.quantizer)
        #expect(try a.quantizer.encode(x) != a.quantizer.encode(y))
    }

    @Test func savesAndLoadsAloneAndInsideACheckpoint() throws {
        let x = try items()
        let q = try VQRecQuantizer.fit(x, trainingRows: Array(1...300), options: options, stream: Seed(3).stream("vq")).quantizer
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-quantizer-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("q.safetensors").path
        try q.save(to: path)
        let loaded = try VQRecQuantizer.load(from: path)
        #expect(loaded == q)
        #expect(try loaded.codeIDs(x) == q.codeIDs(x))
        // Inside a model checkpoint, next to other tensors, under a prefix.
        let checkpoint = directory.appendingPathComponent("model.safetensors").path
        try SafetensorsWriter.write([("code_embedding", .float(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])))]
                                    + q.tensors(prefix: "quantizer."), to: checkpoint)
        let file = try SafetensorsFile(contentsOf: checkpoint)
        #expect(try VQRecQuantizer(file: file, prefix: "quantizer.") == q)
        // A checkpoint without a quantiser says which tensor is missing and what was expected.
        do {
            _ = try VQRecQuantizer(file: file)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("no tensor named 'rotation'"))
            #expect(error.description.contains("VQRecQuantizer.save"))
        }
    }

    @Test func aDamagedRotationIsRejected() throws {
        let x = try items()
        let q = try VQRecQuantizer.fit(x, trainingRows: Array(1...300), options: options, stream: Seed(3).stream("vq")).quantizer
        var tensors = q.tensors()
        var bad = q.rotation.matrix
        bad[0] += 0.5
        tensors[0] = ("rotation", .float(Tensor(shape: [16, 16], scalars: bad)))
        let file = try SafetensorsFile(data: SafetensorsWriter.encode(tensors), path: "bad.safetensors")
        #expect(throws: QuantizationError.self) { _ = try VQRecQuantizer(file: file) }
        do { _ = try VQRecQuantizer(file: file) } catch { #expect(error.description.contains("not orthogonal")) }
    }

    @Test func badTrainingRowsAreErrors() throws {
        let x = try items()
        #expect(throws: QuantizationError.rowOutOfRange(row: 401, rows: 401)) {
            _ = try VQRecQuantizer.fit(x, trainingRows: [1, 2, 401], options: options, stream: Seed(1).stream("vq"))
        }
        #expect(throws: QuantizationError.tooFewVectors(vectors: 10, centroids: 16, purpose: "OPQ training")) {
            _ = try VQRecQuantizer.fit(x, trainingRows: Array(1...10), options: options, stream: Seed(1).stream("vq"))
        }
    }
}
