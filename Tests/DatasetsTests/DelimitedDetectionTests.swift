// The delimited-file detection and the time parser on their own: which header names map to which
// role, ISO dates against known Unix times, and a seeded storm of malformed files that must give
// a dataset or a DataError, never a crash.

import Foundation
import XCTest
@testable import Datasets

final class DelimitedDetectionTests: XCTestCase {
    func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { parseTime($0, 0..<$0.count) }
    }

    /// Reference values from `date -u -d ... +%s` (GNU coreutils).
    func testISODatesAreUnixSeconds() {
        XCTAssertEqual(parse("1970-01-01"), 0)
        XCTAssertEqual(parse("2000-02-29"), 951782400)
        XCTAssertEqual(parse("2021-03-01T08:00:00Z"), 1614585600)
        XCTAssertEqual(parse("2021-02-27 10:30"), 1614421800)
        XCTAssertEqual(parse("2021-02-27T12:30:00+02:00"), 1614421800)
        XCTAssertEqual(parse("1969-12-31T23:59:59.5Z"), -0.5)
        XCTAssertEqual(parse("881250949"), 881250949)
        for bad in ["2021-02-30", "2021-13-01", "2021-1-01", "2021-01-01T25:00", "2021-01-01T10:00Zx", "2021-01-01T10:00:00.",
                    "noon", "", "2021-01-01 10", "2021-01-01T10:00+2"] {
            XCTAssertNil(parse(bad), bad)
        }
    }

    func testHeaderNamesMapToRoles() throws {
        let dir = try scratchDirectory("detect-roles")
        let path = dir + "/x.csv"
        try "userId,movieId,rating,timestamp\n1,10,4,5\n".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .columns(let m, let header)? = try? DelimitedFile.plan(path, request: DelimitedRequest(), allowSessions: true) else {
            return XCTFail("a MovieLens ratings.csv header maps to columns")
        }
        XCTAssertEqual(header, ["userId", "movieId", "rating", "timestamp"])
        XCTAssertEqual([m.user, m.item, m.time, m.rating], [.name("userId"), .name("movieId"), .name("timestamp"), .name("rating")])
        try "user_id:token\titem_id:token\n1\t2\n".write(toFile: dir + "/y.tsv", atomically: true, encoding: .utf8)
        guard case .columns(let t, _)? = try? DelimitedFile.plan(dir + "/y.tsv", request: DelimitedRequest(), allowSessions: true) else {
            return XCTFail("a RecBole-style header maps to columns")
        }
        XCTAssertEqual(t.delimiter, "\t")
        XCTAssertNil(t.time)
    }

    /// Seeded random files built from the characters CSVs are made of: every one loads or throws a
    /// DataError that names the file.
    func testMalformedFilesNeverCrash() throws {
        let dir = try scratchDirectory("detect-storm")
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let pieces = ["user", "item", "ts", "rating", "uid", "date", "1", "42", "-3", "4.5", "1e9", "2021-03-01", "2021-03-01T08:00:00Z",
                      "\"a,b\"", "\"", "x", "", " ", ",", ";", "\t", "|", "\n", "\r\n", "é", "nan", "inf"]
        let requests = [DelimitedRequest(), DelimitedRequest(user: .index(0), item: .index(1)),
                        DelimitedRequest(user: .name("user"), item: .name("item"), time: .name("ts")),
                        DelimitedRequest(user: .index(0), item: .index(1), rating: .index(2), minRating: 3),
                        DelimitedRequest(separator: ";")]
        var loaded = 0, refused = 0
        for k in 0..<600 {
            var text = ""
            for _ in 0..<(1 + next(60)) { text += pieces[next(pieces.count)] }
            let path = dir + "/f\(k)." + ["csv", "tsv", "txt"][next(3)]
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let request = requests[next(requests.count)]
            do {
                _ = try Dataset.loadDescribed(path, request: request)
                loaded += 1
            } catch let e as DataError {
                XCTAssertTrue(e.file.isEmpty || e.file == path, "\(e)")
                refused += 1
            }
        }
        XCTAssertEqual(loaded + refused, 600)
        XCTAssertGreaterThan(loaded, 0, "some random files are valid")
        XCTAssertGreaterThan(refused, 0)
    }
}
