// A split written as RecBole's benchmark files (`DatasetWriter.writeBenchmark`) reads back through the
// pre-split reader as the same rows: every history and target, part by part. (RecBole 1.2.1 itself
// loads the ml-100k leave-one-out split written this way to 97,171 / 943 / 943 rows, the split's own.)

import Foundation
import XCTest
@testable import Datasets

final class BenchmarkWriterTests: XCTestCase {
    func testWrittenRowsReadBackAsTheSameRows() throws {
        let world = try SyntheticWorld.generate(try XCTUnwrap(WorldSpec.named("toy")))
        let dataset = world.domains[0]
        let dir = NSTemporaryDirectory() + "seqlab-benchmark-\(getpid())/toy"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        for training in [RowKind.prefix, .sequence] {
            let split = try dataset.leaveOneOut(maxLength: 8, training: training)
            let counts = try DatasetWriter.writeBenchmark(split, of: dataset, directory: dir, name: "toy")
            let back = try PresplitBenchmark.load(directory: dir)
            XCTAssertEqual(counts, [back.split.train.count, back.split.valid.count, back.split.test.count])
            func tokens(_ rows: Rows, _ d: Dataset) -> [[String]] {
                (0..<rows.count).map { r in (rows.history(r) + [rows.target(r)]).map { d.items.tokens[Int($0)] } }
            }
            // Prefix rows are written as they are; a sequence window becomes one row per position.
            let expectedTrain: [[String]] = training == .prefix ? tokens(split.train, dataset)
                : (0..<split.train.count).flatMap { r -> [[String]] in
                    let (s, e) = (split.train.starts[r], split.train.ends[r])
                    return ((s + 1)...e).map { t in split.train.storage[s...t].map { dataset.items.tokens[Int($0)] } }
                }
            XCTAssertEqual(tokens(back.split.train, back.dataset), expectedTrain, "train (\(training))")
            XCTAssertEqual(tokens(back.split.valid, back.dataset), tokens(split.valid, dataset))
            XCTAssertEqual(tokens(back.split.test, back.dataset), tokens(split.test, dataset))
            XCTAssertEqual(back.split.test.users.map { back.dataset.users.tokens[Int($0)] },
                           split.test.users.map { dataset.users.tokens[Int($0)] })
        }
    }
}
