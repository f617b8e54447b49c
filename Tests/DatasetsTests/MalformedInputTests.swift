// One table: a bad file, the reader that reads it, and the error it must give (file, line, what was
// expected). Every reader must answer bad input with exactly this kind of error, never a crash.
import XCTest
@testable import Datasets

private struct Case: Sendable {
    let name: String
    let files: [(String, [UInt8])]
    let read: @Sendable (String) throws -> Void
    /// `file:line: error:` (or `file: error:`) that the message must contain.
    let location: String
    /// The part of the message that says what was expected.
    let expected: String
}

private func text(_ s: String) -> [UInt8] { Array(s.utf8) }
private let interHeader = "user_id:token\titem_id:token\ttimestamp:float\n"
private func recbole(_ dir: String) throws { _ = try RecBole.load(directory: dir + "/r") }
private func presplit(_ dir: String) throws { _ = try PresplitBenchmark.load(directory: dir + "/p") }
private func sessions(_ dir: String) throws { _ = try SessionCSV.read(dir + "/s.csv", padToken: "0") }
private func finetune(_ dir: String) throws { _ = try SessionCSV.readFineTuning(dir + "/f.csv") }
private func movielens(_ dir: String) throws { _ = try MovieLens.load(directory: dir + "/ml") }
private func amazon(_ dir: String) throws { _ = try AmazonReviews.read(reviews: dir + "/reviews.json", metadata: nil) }
private func csv(_ mapping: ColumnMapping) -> @Sendable (String) throws -> Void {
    { dir in _ = try DelimitedFile.read(dir + "/x.csv", mapping: mapping) }
}
private let byName = ColumnMapping(user: .name("user"), item: .name("item"), time: .name("ts"))
private let presplitOK: [(String, [UInt8])] = [
    ("p/p.train.inter", text("user_id:token\titem_id_list:token_seq\titem_id:token\nu\t0\t1\n")),
    ("p/p.valid.inter", text("user_id:token\titem_id_list:token_seq\titem_id:token\nu\t0 1\t2\n")),
    ("p/p.test.inter", text("user_id:token\titem_id_list:token_seq\titem_id:token\nu\t0 1 2\t3\n")),
]

private let cases: [Case] = [
    Case(name: "empty inter", files: [("r/r.inter", [])], read: recbole,
         location: "r.inter:1: error:", expected: "empty file; expected a header line of name:type fields"),
    Case(name: "blank lines only", files: [("r/r.inter", text("\n\r\n\n"))], read: recbole,
         location: "r.inter:1: error:", expected: "empty file"),
    Case(name: "header field without type", files: [("r/r.inter", text("user_id\titem_id:token\nu\ti\n"))], read: recbole,
         location: "r.inter:1: error:", expected: "header field 'user_id' has no type; expected name:type"),
    Case(name: "unknown header type", files: [("r/r.inter", text("user_id:int\titem_id:token\n1\t2\n"))], read: recbole,
         location: "r.inter:1: error:", expected: "unknown field type 'int' in header field 'user_id:int'; expected one of token, token_seq, float, float_seq"),
    Case(name: "duplicate header field", files: [("r/r.inter", text("user_id:token\tuser_id:token\n1\t2\n"))], read: recbole,
         location: "r.inter:1: error:", expected: "header names field 'user_id' twice"),
    Case(name: "missing user field", files: [("r/r.inter", text("uid:token\titem_id:token\n1\t2\n"))], read: recbole,
         location: "r.inter:1: error:", expected: "no field 'user_id' for the user id; the header has uid, item_id"),
    Case(name: "user field of wrong type", files: [("r/r.inter", text("user_id:float\titem_id:token\n1\t2\n"))], read: recbole,
         location: "r.inter:1: error:", expected: "field 'user_id' is float; the user id must be token"),
    Case(name: "wrong column count", files: [("r/r.inter", text(interHeader + "u\ta\t1\nu\tb\n"))], read: recbole,
         location: "r.inter:3: error:", expected: "expected 3 tab-separated fields (user_id, item_id, timestamp), found 2"),
    Case(name: "spaces instead of tabs", files: [("r/r.inter", text(interHeader + "u a 1\n"))], read: recbole,
         location: "r.inter:2: error:", expected: "found 1; check that fields are separated by tabs"),
    Case(name: "non-numeric time", files: [("r/r.inter", text(interHeader + "u\ta\t1\nu\tb\tyesterday\n"))], read: recbole,
         location: "r.inter:3: error:", expected: "expected a number for timestamp, found 'yesterday'"),
    Case(name: "nan time", files: [("r/r.inter", text(interHeader + "u\ta\tnan\n"))], read: recbole,
         location: "r.inter:2: error:", expected: "expected a number for timestamp, found 'nan'"),
    Case(name: "empty user token", files: [("r/r.inter", text(interHeader + "\ta\t1\n"))], read: recbole,
         location: "r.inter:2: error:", expected: "empty user_id; expected a user token"),
    Case(name: "bad float in another column", files: [("r/r.inter", text("user_id:token\titem_id:token\trating:float\nu\ta\tfive\n"))], read: recbole,
         location: "r.inter:2: error:", expected: "expected a number for rating:float, found 'five'"),
    Case(name: "undecodable byte", files: [("r/r.inter", text(interHeader + "u\ta\t1\n") + [0x75, 0xFF, 0x09, 0x61, 0x09, 0x32, 0x0A])], read: recbole,
         location: "r.inter:3: error:", expected: "undecodable text at byte 51: expected UTF-8"),
    Case(name: "truncated UTF-8 at end", files: [("r/r.inter", text(interHeader + "u\ta\t1\nu\tb\t2") + [0xE2, 0x82])], read: recbole,
         location: "r.inter:3: error:", expected: "undecodable text"),
    Case(name: "header without rows", files: [("r/r.inter", text(interHeader))], read: recbole,
         location: "r.inter:2: error:", expected: "no interactions after the header"),
    Case(name: "missing inter file", files: [("r/r.item", text("item_id:token\na\n"))], read: recbole,
         location: "r.inter: error:", expected: "no such file; check the path"),
    Case(name: "explicit time field absent", files: [("r/r.inter", text("user_id:token\titem_id:token\nu\ta\n"))],
         read: { dir in _ = try RecBole.load(directory: dir + "/r", options: RecBoleOptions(timeField: "time")) },
         location: "r.inter:1: error:", expected: "no field 'time' for the time"),
    Case(name: "bad float_seq in item file", files: [("r/r.inter", text(interHeader + "u\ta\t1\n")),
                                                     ("r/r.item", text("item_id:token\tvec:float_seq\na\t1 x 3\n"))], read: recbole,
         location: "r.item:2: error:", expected: "expected space-separated numbers for vec:float_seq, found '1 x 3'"),
    Case(name: "item listed twice", files: [("r/r.inter", text(interHeader + "u\ta\t1\n")),
                                            ("r/r.item", text("item_id:token\ttitle:token_seq\na\tOne\nb\tTwo\na\tThree\n"))], read: recbole,
         location: "r.item:4: error:", expected: "item_id 'a' is listed again (first on line 2)"),
    Case(name: "item file field count", files: [("r/r.inter", text(interHeader + "u\ta\t1\n")),
                                                ("r/r.item", text("item_id:token\ttitle:token_seq\na\n"))], read: recbole,
         location: "r.item:2: error:", expected: "expected 2 tab-separated fields (item_id, title), found 1"),
    Case(name: "item text field absent", files: [("r/r.inter", text(interHeader + "u\ta\t1\n")),
                                                 ("r/r.item", text("item_id:token\tname:token_seq\na\tOne\n"))],
         read: { dir in _ = try RecBole.load(directory: dir + "/r", options: RecBoleOptions(textFields: ["title"])) },
         location: "r.item:1: error:", expected: "no field 'title' for the item text; the header has item_id, name"),
    Case(name: "user file without key", files: [("r/r.inter", text(interHeader + "u\ta\t1\n")),
                                                ("r/r.user", text("id:token\tage:token\nu\t3\n"))], read: recbole,
         location: "r.user:1: error:", expected: "no field 'user_id' for the user id; the header has id, age"),
    Case(name: "presplit without history column", files: [("p/p.train.inter", text("user_id:token\titem_id:token\nu\t1\n"))], read: presplit,
         location: "p.train.inter:1: error:", expected: "no field 'item_id_list' for the history"),
    Case(name: "presplit empty history", files: [("p/p.train.inter", text("user_id:token\titem_id_list:token_seq\titem_id:token\nu\t0\t1\nu\t\t2\n"))], read: presplit,
         location: "p.train.inter:3: error:", expected: "empty item_id_list; expected at least one space-separated history item"),
    Case(name: "feature file not float32", files: presplitOK + [("p/p.feat1CLS", [1, 2, 3, 4, 5, 6, 7])], read: presplit,
         location: "p.feat1CLS: error:", expected: "size 7 bytes is not a multiple of 4; expected raw little-endian float32 values"),
    Case(name: "feature width cannot be inferred", files: presplitOK + [("p/p.feat1CLS", [UInt8](repeating: 0, count: 4 * 7))], read: presplit,
         location: "p.feat1CLS: error:", expected: "7 float32 values do not divide into 4 item rows; pass featureWidth explicitly"),
    Case(name: "feature row missing for an item", files: presplitOK + [("p/p.item2index", text("X\t0\nY\t1\n")), ("p/p.feat1CLS", [UInt8](repeating: 0, count: 4 * 4))], read: presplit,
         location: "p.feat1CLS: error:", expected: "item '2' has no row here (2 rows of 2 floats)"),
    Case(name: "bad item2index line", files: presplitOK + [("p/p.item2index", text("X\t0\nY\tone\n"))], read: presplit,
         location: "p.item2index:2: error:", expected: "expected RAW_ID<TAB>index with a non-negative integer index, found 'Y\tone'"),
    Case(name: "empty field in a session line", files: [("s.csv", text("a,b,c\na,,c\n"))], read: sessions,
         location: "s.csv:2: error:", expected: "empty item in field 2; expected comma-separated item tokens (a line `source,,target` is the fine-tuning form"),
    Case(name: "session line of padding only", files: [("s.csv", text("a,b\n0,0,0\n"))], read: sessions,
         location: "s.csv:2: error:", expected: "only padding tokens; expected at least one item"),
    Case(name: "empty session file", files: [("s.csv", [])], read: sessions,
         location: "s.csv:1: error:", expected: "empty file; expected comma-separated item tokens, one user per line"),
    Case(name: "fine-tuning line without source", files: [("f.csv", text("a,b,,t\n,,t2\n"))], read: finetune,
         location: "f.csv:2: error:", expected: "empty source item in field 1"),
    Case(name: "fine-tuning empty middle target", files: [("f.csv", text("a,b,,t1,,t2\n"))], read: finetune,
         location: "f.csv:1: error:", expected: "empty target in field 2 after `,,`"),
    Case(name: "u.data with three fields", files: [("ml/u.data", text("1\t2\t3\t4\n1\t2\t3\n"))], read: movielens,
         location: "u.data:2: error:", expected: "expected 4 tab-separated fields, found 3"),
    Case(name: "u.data time not a number", files: [("ml/u.data", text("1\t2\t3\tnoon\n"))], read: movielens,
         location: "u.data:1: error:", expected: "expected a number for the time column column 3, found 'noon'"),
    Case(name: "u.item genre flag", files: [("ml/u.data", text("1\t2\t3\t4\n")),
                                            ("ml/u.item", text("2|T|d||u|" + Array(repeating: "0", count: 18).joined(separator: "|") + "|2\n"))], read: movielens,
         location: "u.item:1: error:", expected: "expected a genre flag 0 or 1 in field 24, found '2'"),
    Case(name: "u.user age", files: [("ml/u.data", text("1\t2\t3\t4\n")), ("ml/u.user", text("1|old|M|writer|0\n"))], read: movielens,
         location: "u.user:1: error:", expected: "expected an integer age in field 2, found 'old'"),
    Case(name: "ratings.dat field count", files: [("ml/ratings.dat", text("1::2::5::9\n1::2::5\n"))], read: movielens,
         location: "ratings.dat:2: error:", expected: "expected 4 '::'-separated fields, found 3"),
    Case(name: "movielens directory without ratings", files: [("ml/README", text("nothing\n"))], read: movielens,
         location: "ml: error:", expected: "no u.data (MovieLens 100K) or ratings.dat (MovieLens 1M) here"),
    Case(name: "amazon line not JSON", files: [("reviews.json", text("{\"reviewerID\": \"A\", \"asin\": \"B\", \"unixReviewTime\": 1}\n{'asin': 'B'}\n"))], read: amazon,
         location: "reviews.json:2: error:", expected: "expected one JSON object per line"),
    Case(name: "amazon missing asin", files: [("reviews.json", text("{\"reviewerID\": \"A\", \"unixReviewTime\": 1}\n"))], read: amazon,
         location: "reviews.json:1: error:", expected: "expected a non-empty string field 'asin'"),
    Case(name: "amazon time as text", files: [("reviews.json", text("{\"reviewerID\": \"A\", \"asin\": \"B\", \"unixReviewTime\": \"01 1, 2014\"}\n"))], read: amazon,
         location: "reviews.json:1: error:", expected: "expected a number field 'unixReviewTime'"),
    Case(name: "csv unknown column", files: [("x.csv", text("user,itemId,ts\n1,2,3\n"))], read: csv(byName),
         location: "x.csv:1: error:", expected: "no column 'item' for the item; the header has user, itemId, ts"),
    Case(name: "csv unterminated quote", files: [("x.csv", text("user,item,ts\n1,\"open,3\n"))], read: csv(byName),
         location: "x.csv:2: error:", expected: "unterminated quoted field"),
    Case(name: "csv field count", files: [("x.csv", text("user,item,ts\n1,2,3\n1,2\n"))], read: csv(byName),
         location: "x.csv:3: error:", expected: "expected 3 ','-separated fields, found 2"),
    Case(name: "csv time neither number nor date", files: [("x.csv", text("user,item,ts\n1,2,2020-13-01\n"))], read: csv(byName),
         location: "x.csv:2: error:", expected: "expected a number or an ISO date for the time column 'ts', found '2020-13-01'; use Unix seconds or dates"),
    Case(name: "csv column index out of range", files: [("x.csv", text("1,2\n"))],
         read: csv(ColumnMapping(user: .index(0), item: .index(5), hasHeader: false)),
         location: "x.csv:1: error:", expected: "the item column index 5 is outside the 2 ','-separated fields"),
]

final class MalformedInputTests: XCTestCase {
    func testEveryMalformedInputGivesOneErrorNamingFileLineAndExpectation() throws {
        // The real count, not a floor: losing a case is a deliberate edit of this number.
        XCTAssertEqual(cases.count, 48)
        let root = try scratchDirectory("malformed")
        for (k, c) in cases.enumerated() {
            let dir = root + "/case\(k)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (name, bytes) in c.files { try writeFile(dir, name, bytes) }
            do {
                try c.read(dir)
                XCTFail("\(c.name): no error")
            } catch let error as DataError {
                let message = error.description
                XCTAssertTrue(message.contains("/" + c.location) || message.hasPrefix(c.location),
                              "\(c.name): expected location '\(c.location)' in: \(message)")
                XCTAssertTrue(message.contains(c.expected), "\(c.name): expected '\(c.expected)' in: \(message)")
            } catch {
                XCTFail("\(c.name): not a DataError: \(error)")
            }
        }
    }
}
