import Tensors
import XCTest
@testable import Datasets

final class BatcherTests: XCTestCase {
    let d = makeDataset([("A", ["a", "b", "c", "d", "e", "f"]), ("B", ["x", "y", "z"]), ("C", ["p", "q", "r", "s"])])

    func testPaddedLeftAlignedMatricesWithLengthsLabelsAndTargets() throws {
        let s = try d.leaveOneOut(maxLength: 3)
        var batcher = try Batcher(rows: s.test, batchSize: 2, width: 4)
        var batch = batcher.makeBatch()
        XCTAssertTrue(batcher.next(into: &batch))
        XCTAssertEqual(batch.count, 2)
        // Row 0: A's test history is the last 3 events before f.
        XCTAssertEqual(Array(batch.items[0..<4]), [Int32](["c", "d", "e"].map { d.items.id(of: $0)! }) + [0])
        XCTAssertEqual(Array(batch.labels[0..<4]), [Int32](["d", "e", "f"].map { d.items.id(of: $0)! }) + [0])
        XCTAssertEqual(batch.lengths[0], 3)
        XCTAssertEqual(batch.targets[0], d.items.id(of: "f"))
        XCTAssertEqual(Array(batch.items[4..<8]), [d.items.id(of: "x")!, d.items.id(of: "y")!, 0, 0])
        XCTAssertEqual(batch.longest, 3)
        XCTAssertTrue(batcher.next(into: &batch))
        XCTAssertEqual(batch.count, 1)
        XCTAssertEqual(Array(batch.items[4..<8]), [0, 0, 0, 0])  // the unused row is cleared
        XCTAssertEqual(batch.lengths[1], 0)
        XCTAssertFalse(batcher.next(into: &batch))
    }

    func testNarrowBatchesKeepTheMostRecentItems() throws {
        let s = try d.leaveOneOut(maxLength: 50)
        var batcher = try Batcher(rows: s.test, batchSize: 3, width: 2)
        var batch = batcher.makeBatch()
        XCTAssertTrue(batcher.next(into: &batch))
        XCTAssertEqual(Array(batch.items[0..<2]), ["d", "e"].map { d.items.id(of: $0)! })
        XCTAssertEqual(batch.lengths[0], 2)
    }

    func testSeededShufflingIsDeterministicAndCoversEveryRowOncePerEpoch() throws {
        let world = try SyntheticWorld.generate(.toy)
        let rows = try world.domains[0].leaveOneOut(maxLength: 20).train
        func epochs(_ seed: UInt64) throws -> [[Int32]] {
            var batcher = try Batcher(rows: rows, batchSize: 64, width: 20, shuffle: Seed(seed).stream("shuffle"))
            var batch = batcher.makeBatch()
            var result: [[Int32]] = []
            for _ in 0..<2 {
                var seen: [Int32] = []
                while batcher.next(into: &batch) { seen += batch.rowIndices[0..<batch.count] }
                result.append(seen)
                batcher.startEpoch()
            }
            return result
        }
        let a = try epochs(1), b = try epochs(1), c = try epochs(2)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertNotEqual(a[0], a[1])
        XCTAssertEqual(a[0].sorted(), (0..<Int32(rows.count)).map { $0 })
        XCTAssertNotEqual(a[0], a[0].sorted())
    }

    func testBuffersAreReusedAcrossBatches() throws {
        let world = try SyntheticWorld.generate(.toy)
        let rows = try world.domains[0].leaveOneOut(maxLength: 20).train
        var batcher = try Batcher(rows: rows, batchSize: 32, width: 20, shuffle: Seed(3).stream("shuffle"), dropLast: true)
        var batch = batcher.makeBatch()
        let address = batch.items.withUnsafeBufferPointer { $0.baseAddress }
        let labels = batch.labels.withUnsafeBufferPointer { $0.baseAddress }
        var count = 0
        while batcher.next(into: &batch) {
            count += 1
            XCTAssertEqual(batch.count, 32)
            XCTAssertEqual(batch.items.withUnsafeBufferPointer { $0.baseAddress }, address)
            XCTAssertEqual(batch.labels.withUnsafeBufferPointer { $0.baseAddress }, labels)
        }
        XCTAssertEqual(count, rows.count / 32)
        XCTAssertEqual(count, batcher.batchesPerEpoch)
    }
}
