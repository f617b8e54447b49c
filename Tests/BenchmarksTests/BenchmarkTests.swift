// The training-step benchmark: a small run must produce a finite time and loss; with
// SEQLAB_BENCH=1 the issue's sizes are measured and printed (compare with
// ../shared/bench/torch_nextitnet.py run just before or after).

import Foundation
import TestSupport
import XCTest
@testable import Benchmarks
import Models
@testable import Tensors

final class BenchmarkTests: XCTestCase {
    func testSmallBenchmarkRuns() {
        let result = NextItNetBenchmark.run(items: 100, batch: 4, length: 8, channels: 8, dilations: [1, 2], threads: 1, steps: 2)
        XCTAssertGreaterThan(result.msPerStep, 0)
        XCTAssertTrue(result.lastLoss.isFinite)
        XCTAssertEqual(result.lastLoss, log(99), accuracy: 0.5)
        XCTAssertTrue(result.json.contains("\"ms_per_step\""))
    }

    /// The split loops (dropout, layer norm, elementwise, attention) give the same training in one
    /// part and in two; OpenBLAS stays on 2 threads (its rounding depends on its thread count).
    func testSASRecTrainingIsTheSameInOneAndTwoParts() {
        defer { Parallel.partsLimit = nil }
        for objective in SASRecBenchmark.Objective.allCases {
            let losses = [1, 2].map { parts in
                Parallel.partsLimit = parts
                return SASRecBenchmark.run(items: 300, hidden: 64, layers: 2, heads: 2, inner: 128, batch: 64, length: 20,
                                           objective: objective, threads: 2, steps: 2).lastLoss
            }
            XCTAssertEqual(losses[0].bitPattern, losses[1].bitPattern, "\(objective): \(losses)")
        }
    }

    func testSmallSASRecBenchmarkRuns() {
        for objective in SASRecBenchmark.Objective.allCases {
            let result = SASRecBenchmark.run(items: 100, hidden: 8, layers: 1, heads: 2, inner: 16, batch: 4, length: 6,
                                             objective: objective, threads: 1, steps: 2, repeats: 2)
            XCTAssertTrue(result.lastLoss.isFinite)
            XCTAssertEqual(result.lastLoss, log(100), accuracy: 0.5)
            XCTAssertTrue(result.json.contains("\"ms_per_step\""))
            XCTAssertTrue(result.json.contains("\"objective\": \"\(objective.rawValue)\""))
        }
    }

    func testIssueSizes() throws {
        guard ProcessInfo.processInfo.environment["SEQLAB_BENCH"] == "1" else {
            try skipTest("set SEQLAB_BENCH=1 to measure the issue's benchmark sizes")
        }
        for (items, batch, length) in [(10_000, 32, 50), (1683, 32, 50), (10_000, 256, 20)] {
            print(NextItNetBenchmark.run(items: items, batch: batch, length: length, threads: 2, steps: 30).json)
        }
        for objective in SASRecBenchmark.Objective.allCases {
            print(SASRecBenchmark.run(items: 1683, batch: 256, length: 50, objective: objective, threads: 2).json)
        }
    }
}
