import Foundation
import XCTest
@testable import Datasets

final class PresplitBenchmarkTests: XCTestCase {
    func testRowsSequencesTextAndFeaturesOfAUniSRecStyleBenchmark() throws {
        let b = try PresplitBenchmark.load(directory: fixture("presplit/Mini"))
        let d = b.dataset
        XCTAssertEqual(d.users.tokens, ["[PAD]", "0", "1"])
        // Tokens are item2index indices; "5" appears only in item2index (a cold item).
        XCTAssertEqual(d.items.tokens, ["[PAD]", "0", "1", "2", "3", "4", "5"])
        XCTAssertEqual(b.split.train.count, 2)
        XCTAssertEqual(b.split.valid.count, 2)
        XCTAssertEqual(b.split.test.count, 2)
        XCTAssertEqual(Array(b.split.train.history(1)), [1, 2])
        XCTAssertEqual(b.split.train.target(1), 3)
        XCTAssertEqual(Array(b.split.test.history(1)), [3, 4])
        XCTAssertEqual(b.split.test.target(1), 2)
        XCTAssertEqual(b.split.maxLength, 4)
        // Sequences rebuilt from the rows.
        XCTAssertEqual(Array(d.sequence(of: 1)), [1, 2, 3, 4, 5])
        XCTAssertEqual(Array(d.sequence(of: 2)), [3, 4, 2])
        XCTAssertEqual(d.itemText?[1], "Red pen")
        XCTAssertEqual(d.itemText?[6], "Ruler")
        XCTAssertEqual(d.itemAttributes?.column("raw_id")?.values[3], "B003")
        XCTAssertEqual(d.userAttributes?.column("raw_id")?.values[2], "A2")
        let f = try XCTUnwrap(d.itemFeatures)
        XCTAssertEqual(f.width, 3)
        XCTAssertEqual(f.rows, 7)
        XCTAssertEqual(Array(f.row(0)), [0, 0, 0])
        XCTAssertEqual(Array(f.row(4)), [3, 3.5, -3])  // token "3" -> file row 3
        XCTAssertEqual(Array(f.row(6)), [5, 5.5, -5])
    }

    func testAGivenWidthMustDivideTheFile() throws {
        XCTAssertEqual(try PresplitBenchmark.load(directory: fixture("presplit/Mini"), featureWidth: 3).dataset.itemFeatures?.width, 3)
        XCTAssertThrowsError(try PresplitBenchmark.load(directory: fixture("presplit/Mini"), featureWidth: 6)) { error in
            XCTAssertTrue("\(error)".contains("item '3' has no row here (3 rows of 6 floats)"), "\(error)")
        }
        XCTAssertThrowsError(try PresplitBenchmark.load(directory: fixture("presplit/Mini"), featureWidth: 5)) { error in
            XCTAssertTrue("\(error)".contains("Mini.feat1CLS"), "\(error)")
            XCTAssertTrue("\(error)".contains("not a multiple of the row width 5"), "\(error)")
        }
    }

    /// UniSRec's `.feat2CLS` (the word-dropped texts' features) is read beside `.feat1CLS`, row for
    /// row, and a file of the wrong size is an error naming it.
    func testWordDropFeaturesBesideTheFeatures() throws {
        let dir = NSTemporaryDirectory() + "seqlab-feat2-\(getpid())/Mini"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture("presplit/Mini")) {
            try FileManager.default.copyItem(atPath: fixture("presplit/Mini") + "/" + name, toPath: dir + "/" + name)
        }
        XCTAssertNil(try PresplitBenchmark.load(directory: dir).dataset.wordDropFeatures, "no .feat2CLS, no word-drop view")
        var values: [Float] = []
        for row in 0..<6 { values += [Float(row) * 10, Float(row) * 10 + 1, -Float(row)] }
        try values.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: dir + "/Mini.feat2CLS"))
        let d = try PresplitBenchmark.load(directory: dir).dataset
        let f = try XCTUnwrap(d.wordDropFeatures)
        XCTAssertEqual(f.rows, 7)
        XCTAssertEqual(Array(f.row(0)), [0, 0, 0])
        XCTAssertEqual(Array(f.row(4)), [30, 31, -3])   // token "3" -> file row 3, as .feat1CLS
        XCTAssertTrue(d.description.contains("item features 3-d (and word-dropped)"), d.description)
        try Data(values.prefix(17).withUnsafeBytes { Data($0) }).write(to: URL(fileURLWithPath: dir + "/Mini.feat2CLS"))
        XCTAssertThrowsError(try PresplitBenchmark.load(directory: dir)) { XCTAssertTrue("\($0)".contains("Mini.feat2CLS"), "\($0)") }
    }
}
