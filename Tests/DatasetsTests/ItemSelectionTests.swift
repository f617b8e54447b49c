import XCTest
@testable import Datasets

/// Item-disjoint sub-datasets by an item attribute, and item text from columns.
final class ItemSelectionTests: XCTestCase {
    func testSelectionAndItsComplementAreItemDisjointAndCoverEveryEvent() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        let action = try d.selectingItems(column: "class", values: ["Action"])
        let rest = try d.selectingItems(column: "class", values: ["Action"], exclude: true)
        let genres = d.itemAttributes!.column("class")!.values
        for (part, wanted) in [(action, true), (rest, false)] {
            for i in 1...part.itemCount {
                let old = d.items.id(of: part.items.token(i)!)!
                XCTAssertEqual(genres[Int(old)].split(separator: " ").contains("Action"), wanted, part.items.token(i)!)
            }
        }
        XCTAssertEqual(Set(action.items.tokens.dropFirst()).intersection(rest.items.tokens.dropFirst()), [])
        XCTAssertEqual(action.interactionCount + rest.interactionCount, d.interactionCount)
        XCTAssertEqual(action.name, "tiny-Action")
        XCTAssertEqual(rest.name, "tiny-without-Action")
        // Text and attributes travel with the items.
        let a = action.items.id(of: "a")!
        XCTAssertEqual(action.itemText?[Int(a)], "Alpha Film")
    }

    func testMinLengthDropsShortUsers() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        let all = try d.selectingItems(column: "class", values: ["Action"], exclude: true)
        let long = try d.selectingItems(column: "class", values: ["Action"], exclude: true, minLength: 2)
        XCTAssertLessThanOrEqual(long.userCount, all.userCount)
        for u in 1...long.userCount { XCTAssertGreaterThanOrEqual(long.length(of: u), 2) }
    }

    func testBadColumnAndEmptyResultSayWhatToDo() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        XCTAssertThrowsError(try d.selectingItems(column: "genre", values: ["Action"])) { e in
            XCTAssertEqual("\(e)", "error: no item column 'genre'; the item columns are movie_title, release_year, class, vec")
        }
        XCTAssertThrowsError(try d.selectingItems(column: "class", values: ["Western"])) { e in
            XCTAssertTrue("\(e)".contains("no events are left"), "\(e)")
        }
    }

    func testItemTextsJoinColumnsAndKeepPaddingEmpty() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        let texts = try d.itemTexts(columns: ["movie_title", "release_year", "class"])
        XCTAssertEqual(texts.count, d.items.count)
        XCTAssertEqual(texts[0], "")
        XCTAssertEqual(texts[1], "Alpha Film 1995 Action Drama")
        XCTAssertEqual(try d.itemTexts(), d.itemText)
        XCTAssertThrowsError(try d.itemTexts(columns: ["plot"]))
    }
}
