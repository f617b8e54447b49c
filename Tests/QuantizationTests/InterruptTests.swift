// Ctrl-C during quantiser fitting: k-means and OPQ check the interrupt flag every iteration and
// stop with `.interrupted`, returning nothing half fitted; once the flag is cleared the same fit
// gives the same result as one never interrupted (k-means, OPQ and the VQ-Rec quantiser, compared
// bit for bit with a fit made before the interruption). XCTest (serial) rather than swift-testing
// (parallel), because the flag is process-wide and would stop the other suites' fits too.

import Quantization
import Support
import Tensors
import XCTest

final class QuantizationInterruptTests: XCTestCase {
    override func tearDown() { Cancellation.clear() }

    func testKMeansStopsAtItsFirstIterationAndRefitsTheSame() throws {
        let x = Fixtures.vectors()
        let clean = try KMeans.fit(x, clusters: 16, options: KMeansOptions(iterations: 30), stream: Seed(1).stream("kmeans"))
        Cancellation.request()
        XCTAssertThrowsError(try KMeans.fit(x, clusters: 16, options: KMeansOptions(iterations: 30), stream: Seed(1).stream("kmeans"),
                                            purpose: "PQ sub-space 2")) { error in
            XCTAssertEqual(error as? QuantizationError, .interrupted(what: "PQ sub-space 2"))
            XCTAssertEqual("\(error)", "interrupted: PQ sub-space 2 stopped by Ctrl-C; nothing was kept")
        }
        Cancellation.clear()
        let again = try KMeans.fit(x, clusters: 16, options: KMeansOptions(iterations: 30), stream: Seed(1).stream("kmeans"))
        XCTAssertEqual(again.centroids, clean.centroids)
    }

    func testOPQAndTheVQRecQuantiserStopBetweenIterationsAndRefitTheSame() throws {
        let x = Fixtures.vectors(rows: 400, dimension: 16)
        let options = OPQOptions(subspaces: 4, centroids: 16, iterations: 5, firstPQIterations: 5, pqIterations: 2)
        let vqOptions = VQRecQuantizerOptions(subspaces: 4, centroids: 16)
        // The uninterrupted fits, first: what a refit after Ctrl-C must equal bit for bit.
        let cleanOPQ = try OPQ.train(x, options: options, stream: Seed(2).stream("opq"))
        let cleanVQ = try VQRecQuantizer.fit(x, trainingRows: Array(0..<400), options: vqOptions, stream: Seed(3).stream("vq"))

        Cancellation.request()
        XCTAssertThrowsError(try OPQ.train(x, options: options, stream: Seed(2).stream("opq"))) { error in
            XCTAssertEqual(error as? QuantizationError, .interrupted(what: "OPQ training (iteration 1 of 5)"))
        }
        XCTAssertThrowsError(try VQRecQuantizer.fit(x, trainingRows: Array(0..<400), options: vqOptions,
                                                    stream: Seed(3).stream("vq"))) { error in
            guard case .interrupted = error as? QuantizationError else { return XCTFail("\(error)") }
        }
        Cancellation.clear()

        let opq = try OPQ.train(x, options: options, stream: Seed(2).stream("opq"))
        XCTAssertEqual(opq.rotation, cleanOPQ.rotation, "OPQ rotation after an interrupted fit")
        XCTAssertEqual(opq.quantizer, cleanOPQ.quantizer, "OPQ's last PQ after an interrupted fit")
        XCTAssertEqual(opq.errors, cleanOPQ.errors)
        XCTAssertEqual(opq.errors.count, 5)
        let vq = try VQRecQuantizer.fit(x, trainingRows: Array(0..<400), options: vqOptions, stream: Seed(3).stream("vq"))
        XCTAssertEqual(vq.quantizer, cleanVQ.quantizer, "VQ-Rec rotation, coarse centroid and PQ after an interrupted fit")
        XCTAssertEqual(vq.opqErrors, cleanVQ.opqErrors)
        XCTAssertEqual(vq.pqErrors, cleanVQ.pqErrors)
        XCTAssertEqual(vq.reconstructionError, cleanVQ.reconstructionError)
        XCTAssertEqual(try vq.quantizer.encode(x), try cleanVQ.quantizer.encode(x), "the item codes")
    }
}
