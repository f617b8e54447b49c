// Ctrl-C during quantiser fitting: k-means and OPQ check the interrupt flag every iteration and
// stop with `.interrupted`, returning nothing half fitted; once the flag is cleared the same fit
// gives the same result as one never interrupted. XCTest (serial) rather than swift-testing
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

    func testOPQAndTheVQRecQuantiserStopBetweenIterations() throws {
        let x = Fixtures.vectors(rows: 400, dimension: 16)
        Cancellation.request()
        let options = OPQOptions(subspaces: 4, centroids: 16, iterations: 5, firstPQIterations: 5, pqIterations: 2)
        XCTAssertThrowsError(try OPQ.train(x, options: options, stream: Seed(2).stream("opq"))) { error in
            XCTAssertEqual(error as? QuantizationError, .interrupted(what: "OPQ training (iteration 1 of 5)"))
        }
        XCTAssertThrowsError(try VQRecQuantizer.fit(x, trainingRows: Array(0..<400),
                                                    options: VQRecQuantizerOptions(subspaces: 4, centroids: 16),
                                                    stream: Seed(3).stream("vq"))) { error in
            guard case .interrupted = error as? QuantizationError else { return XCTFail("\(error)") }
        }
        Cancellation.clear()
        XCTAssertNoThrow(try OPQ.train(x, options: options, stream: Seed(2).stream("opq")))
    }
}
