import XCTest
@testable import Datasets

final class OtherFormatsTests: XCTestCase {
    func testMovieLens100KRawFilesIncludingLatin1Titles() throws {
        let d = try MovieLens.load(directory: fixture("movielens-100k"))
        XCTAssertEqual(d.users.tokens, ["[PAD]", "196", "186", "22"])
        XCTAssertEqual(d.items.tokens, ["[PAD]", "242", "302", "377"])
        XCTAssertEqual(itemTokens(d, user: "196"), ["302", "242"])
        // Equal timestamps keep file order.
        XCTAssertEqual(itemTokens(d, user: "186"), ["302", "242"])
        XCTAssertEqual(d.itemText?[3], "Café au lait (1993)")
        XCTAssertEqual(d.itemAttributes?.column("genre")?.values[2], "Crime Film-Noir Mystery Thriller")
        XCTAssertEqual(d.userAttributes?.column("occupation")?.values[2], "executive")
        XCTAssertEqual(d.userAttributes?.column("age")?.values[1], "49")
    }

    func testMovieLens1MDoubleColonFiles() throws {
        let d = try MovieLens.load(directory: fixture("movielens-1m"))
        XCTAssertEqual(d.userCount, 2)
        XCTAssertEqual(itemTokens(d, user: "1"), ["1193", "914", "661"])
        XCTAssertEqual(d.itemText?[Int(d.items.id(of: "661")!)], "James and the Giant Peach (1996)")
        XCTAssertEqual(d.itemAttributes?.column("genre")?.values[Int(d.items.id(of: "661")!)], "Animation Children's Musical")
        XCTAssertEqual(d.userAttributes?.column("gender")?.values, ["", "F", "M"])
        XCTAssertEqual(d.userAttributes?.column("age")?.values, ["", "1", "56"])
    }

    func testAmazonReviewsWithMetadataTitles() throws {
        let d = try AmazonReviews.read(reviews: fixture("amazon/reviews.json"), metadata: fixture("amazon/meta.json"))
        XCTAssertEqual(d.users.tokens, ["[PAD]", "A2", "A1"])
        XCTAssertEqual(itemTokens(d, user: "A2"), ["B7", "B9"])
        XCTAssertEqual(d.itemText, ["", "Notebook, A5", "Fountain Pen"])
        XCTAssertNil(d.items.id(of: "B8"))
    }

    func testCSVWithHeaderNamesAndQuotedFields() throws {
        let mapping = ColumnMapping(user: .name("userId"), item: .name("movieId"), time: .name("timestamp"))
        let d = try DelimitedFile.read(fixture("csv/ratings.csv"), mapping: mapping)
        XCTAssertEqual(itemTokens(d, user: "1"), ["m2", "Movie, The"])
        XCTAssertEqual(d.name, "ratings")
    }

    func testTSVByColumnIndexWithoutHeader() throws {
        let mapping = ColumnMapping(user: .index(0), item: .index(1), time: .index(2), hasHeader: false)
        let d = try DelimitedFile.read(fixture("csv/plays.tsv"), mapping: mapping)
        XCTAssertEqual(itemTokens(d, user: "7"), ["songB", "songA"])
        XCTAssertEqual(d.eventTimes[d.events(of: 1)], [3, 12.5])
        let ordered = try DelimitedFile.read(fixture("csv/plays.tsv"), mapping: ColumnMapping(user: .index(0), item: .index(1), hasHeader: false))
        XCTAssertEqual(itemTokens(ordered, user: "7"), ["songA", "songB"])
    }
}
