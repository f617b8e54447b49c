// The byte-level parsing under every reader, checked against the standard library, and every reader
// fed mutated files: a reader may accept a file or throw a DataError, nothing else.
import Foundation
import Tensors
import XCTest
@testable import Datasets

final class TextParsingTests: XCTestCase {
    func testParseDoubleAgreesWithTheStandardLibrary() {
        var rng = Seed(5).stream("numbers")
        let alphabet = Array("0123456789.-+e".utf8)
        for _ in 0..<20_000 {
            let n = 1 + rng.int(below: 22)
            let bytes = (0..<n).map { _ in rng.bernoulli(0.8) ? alphabet[rng.int(below: 10)] : alphabet[rng.int(below: alphabet.count)] }
            let s = String(decoding: bytes, as: UTF8.self)
            let mine = bytes.withUnsafeBufferPointer { parseDouble($0, 0..<$0.count) }
            let theirs = Double(s).flatMap { $0.isFinite ? $0 : nil }
            XCTAssertEqual(mine, theirs, "'\(s)'")
        }
        for s in ["881250949", "881250949.0", "0.1", "-3.25", "1e9", "nan", "inf", "0x10", "", "-", "."] {
            let mine = Array(s.utf8).withUnsafeBufferPointer { parseDouble($0, 0..<$0.count) }
            XCTAssertEqual(mine, Double(s).flatMap { $0.isFinite && !s.hasPrefix("0x") ? $0 : nil }, s)
        }
    }

    func testParseIntRejectsOverflowAndJunk() {
        func p(_ s: String) -> Int? { Array(s.utf8).withUnsafeBufferPointer { parseInt($0, 0..<$0.count) } }
        XCTAssertEqual(p("42"), 42)
        XCTAssertEqual(p("-7"), -7)
        XCTAssertNil(p("99999999999999999999"))
        XCTAssertNil(p("4 2"))
        XCTAssertNil(p(""))
        XCTAssertNil(p("+"))
    }

    func testUTF8ValidationAgreesWithTheStandardLibrary() {
        var rng = Seed(6).stream("utf8")
        for _ in 0..<20_000 {
            let n = rng.int(below: 12)
            let bytes = (0..<n).map { _ -> UInt8 in
                rng.bernoulli(0.5) ? UInt8(rng.int(below: 128)) : UInt8(0x80 + rng.int(below: 128))
            }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            XCTAssertEqual(firstInvalidUTF8(bytes) == nil, valid, "\(bytes)")
        }
    }

    func testMutatedFilesGiveADatasetOrADataErrorNeverAnythingElse() throws {
        let sources: [(String, String, (String) throws -> Void)] = [
            ("recbole/tiny/tiny.inter", "f/f.inter", { dir in _ = try RecBole.load(directory: dir + "/f") }),
            ("recbole/tiny/tiny.item", "f/f.item", { dir in _ = try RecBole.load(directory: dir + "/f") }),
            ("presplit/Mini/Mini.test.inter", "Mini/Mini.test.inter", { dir in _ = try PresplitBenchmark.load(directory: dir + "/Mini") }),
            ("presplit/Mini/Mini.feat1CLS", "Mini/Mini.feat1CLS", { dir in _ = try PresplitBenchmark.load(directory: dir + "/Mini") }),
            ("sessions/finetune.csv", "s.csv", { dir in _ = try SessionCSV.readFineTuning(dir + "/s.csv") }),
            ("sessions/nextitnet.csv", "n.csv", { dir in _ = try SessionCSV.read(dir + "/n.csv", padToken: "0") }),
            ("movielens-100k/u.item", "ml/u.item", { dir in _ = try MovieLens.load(directory: dir + "/ml") }),
            ("movielens-1m/ratings.dat", "ml1/ratings.dat", { dir in _ = try MovieLens.load(directory: dir + "/ml1") }),
            ("amazon/reviews.json", "r.json", { dir in _ = try AmazonReviews.read(reviews: dir + "/r.json") }),
            ("csv/ratings.csv", "x.csv", { dir in
                _ = try DelimitedFile.read(dir + "/x.csv", mapping: ColumnMapping(user: .name("userId"), item: .name("movieId"), time: .name("timestamp")))
            }),
        ]
        let root = try scratchDirectory("fuzz")
        // The readers need their companion files in place: copy every fixture directory first.
        for dir in ["f", "Mini", "ml", "ml1"] { try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true) }
        for (from, to) in [("recbole/tiny/tiny.inter", "f/f.inter"), ("recbole/tiny/tiny.item", "f/f.item"),
                           ("movielens-100k/u.data", "ml/u.data"), ("movielens-100k/u.item", "ml/u.item")] {
            try writeFile(root, to, Array(FileManager.default.contents(atPath: fixture(from))!))
        }
        for part in ["train.inter", "valid.inter", "test.inter", "item2index", "text", "feat1CLS"] {
            try writeFile(root, "Mini/Mini.\(part)", Array(FileManager.default.contents(atPath: fixture("presplit/Mini/Mini.\(part)"))!))
        }
        var rng = Seed(9).stream("fuzz")
        let interesting: [UInt8] = [9, 10, 13, 32, 44, 58, 34, 124, 0x30, 0x2E, 0x2D, 0xC3, 0xFF, 0x80, 0]
        var accepted = 0, rejected = 0
        for (source, target, read) in sources {
            let original = Array(FileManager.default.contents(atPath: fixture(source))!)
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<(1 + rng.int(below: 4)) {
                    switch rng.int(below: 4) {
                    case 0 where !bytes.isEmpty: bytes.remove(at: rng.int(below: bytes.count))
                    case 1: bytes.insert(interesting[rng.int(below: interesting.count)], at: rng.int(below: bytes.count + 1))
                    case 2 where !bytes.isEmpty: bytes[rng.int(below: bytes.count)] = interesting[rng.int(below: interesting.count)]
                    default: bytes = Array(bytes.prefix(rng.int(below: bytes.count + 1)))
                    }
                }
                try writeFile(root, target, bytes)
                do {
                    try read(root)
                    accepted += 1
                } catch is DataError {
                    rejected += 1
                } catch {
                    XCTFail("\(source): not a DataError: \(error)")
                }
            }
            try writeFile(root, target, original)
        }
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertGreaterThan(rejected, 0)
    }
}
