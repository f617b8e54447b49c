import XCTest
@testable import Datasets

final class RecBoleReaderTests: XCTestCase {
    func testAtomicFilesGiveDenseIdsSortedEventsTextAndAttributes() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        XCTAssertEqual(d.name, "tiny")
        // Ids by first appearance in .inter, then users/items listed only in .user/.item.
        XCTAssertEqual(d.users.tokens, ["[PAD]", "u2", "u1", "u3", "u4"])
        XCTAssertEqual(d.items.tokens, ["[PAD]", "a", "b", "c", "d", "e"])
        XCTAssertEqual(d.interactionCount, 8)
        // Sorted by time; the tie b/c at time 20 keeps file order (b on line 3, c on line 6).
        XCTAssertEqual(itemTokens(d, user: "u1"), ["a", "b", "c", "d"])
        XCTAssertEqual(itemTokens(d, user: "u2"), ["a", "a", "c"])
        XCTAssertEqual(d.eventTimes[d.events(of: 1)], [10, 30, 30])
        XCTAssertEqual(d.length(of: 4), 0)
        XCTAssertEqual(d.itemText?[1], "Alpha Film")
        XCTAssertEqual(d.itemText?[5], "Epsilon Film")
        XCTAssertEqual(d.itemAttributes?.names, ["movie_title", "release_year", "class", "vec"])
        XCTAssertEqual(d.itemAttributes?.column("class")?.values[1], "Action Drama")
        XCTAssertEqual(d.itemAttributes?.column("class")?.type, .tokenSequence)
        XCTAssertEqual(d.userAttributes?.column("gender")?.values, ["", "F", "M", "M", "F"])
        XCTAssertEqual(d.itemFrequencies(), [0, 3, 2, 2, 1, 0])
    }

    func testColumnsAreChosenByNameAndTextFieldsCanBeJoined() throws {
        let options = RecBoleOptions(timeField: "rating", textFields: ["movie_title", "release_year"])
        let d = try RecBole.load(directory: fixture("recbole/tiny"), options: options)
        // Ordered by rating now: u1 has a(3) b(5) c(2) d(1) -> d c a b.
        XCTAssertEqual(itemTokens(d, user: "u1"), ["d", "c", "a", "b"])
        XCTAssertEqual(d.itemText?[2], "Beta Film 1996")
    }

    func testWithoutTimeColumnFileOrderIsUsed() throws {
        let dir = try scratchDirectory("notime")
        try writeFile(dir, "x/x.inter", Array("user_id:token\titem_id:token\nu\tb\nu\ta\nv\ta\n".utf8))
        let d = try RecBole.load(directory: dir + "/x")
        XCTAssertEqual(itemTokens(d, user: "u"), ["b", "a"])
        XCTAssertNil(d.itemText)
        XCTAssertNil(d.userAttributes)
    }

    func testCRLFLineEndingsBlankLinesAndByteOrderMarkAreAccepted() throws {
        let dir = try scratchDirectory("crlf")
        try writeFile(dir, "y/y.inter", [0xEF, 0xBB, 0xBF] + Array("user_id:token\titem_id:token\ttimestamp:float\r\nu\ta\t2\r\n\r\nu\tb\t1\r\n".utf8))
        let d = try RecBole.load(directory: dir + "/y")
        XCTAssertEqual(itemTokens(d, user: "u"), ["b", "a"])
    }

    func testRoundTripThroughTheAtomicWriterKeepsTheContent() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        let dir = try scratchDirectory("roundtrip")
        try DatasetWriter.writeAtomic(d, directory: dir + "/again", name: "again")
        let back = try RecBole.load(directory: dir + "/again")
        // The writer groups events by user, so item ids follow that order; the content is the same.
        XCTAssertEqual(back.users, d.users)
        XCTAssertEqual(Set(back.items.tokens), Set(d.items.tokens))
        for u in d.users.tokens.dropFirst() {
            XCTAssertEqual(itemTokens(back, user: u), itemTokens(d, user: u))
            let a = Int(d.users.id(of: u)!), b = Int(back.users.id(of: u)!)
            XCTAssertEqual(back.eventTimes[back.events(of: b)], d.eventTimes[d.events(of: a)])
        }
        for item in d.items.tokens.dropFirst() {
            XCTAssertEqual(back.itemText?[Int(back.items.id(of: item)!)], d.itemText?[Int(d.items.id(of: item)!)])
        }
        XCTAssertEqual(back.userAttributes, d.userAttributes)
        // Written again, the files are a fixed point: same ids, same everything.
        try DatasetWriter.writeAtomic(back, directory: dir + "/third", name: "third")
        let third = try RecBole.load(directory: dir + "/third")
        XCTAssertEqual(third.items, back.items)
        XCTAssertEqual(third.eventItems, back.eventItems)
        XCTAssertEqual(third.itemAttributes, back.itemAttributes)
        XCTAssertEqual(third.fingerprint, back.fingerprint)
    }
}
