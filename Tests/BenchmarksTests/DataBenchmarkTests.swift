// `seqlab bench data` prints one JSON object per measurement, with the fields it promises.

import Benchmarks
import Datasets
import Foundation
import XCTest

final class DataBenchmarkTests: XCTestCase {
    func testBenchmarkLinesAreJSONWithTheMeasuredFields() throws {
        let lines = try DataBenchmark.run(ml100k: nil, syntheticSpec: .toy, repeats: 1)
        XCTAssertEqual(lines.count, 2)
        let objects = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertNotNil(objects[0]["skipped"])
        XCTAssertEqual(objects[1]["bench"] as? String, "data.synthetic-csv.load+loo")
        XCTAssertEqual(objects[1]["interactions"] as? Int, try SyntheticWorld.generate(.toy).domains[0].interactionCount)
        XCTAssertGreaterThan(objects[1]["peak_rss_mb"] as? Double ?? 0, 0)
    }
}
