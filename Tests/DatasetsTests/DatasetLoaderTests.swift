import XCTest
@testable import Datasets

final class DatasetLoaderTests: XCTestCase {
    func testFormatsAreGuessedFromWhatIsThere() throws {
        XCTAssertEqual(try Dataset.load(fixture("recbole/tiny")).interactionCount, 8)
        XCTAssertEqual(try Dataset.load(fixture("presplit/Mini")).interactionCount, 8)
        XCTAssertEqual(try Dataset.load(fixture("movielens-1m")).interactionCount, 4)
        XCTAssertEqual(try Dataset.load(fixture("movielens-100k")).interactionCount, 5)
        XCTAssertEqual(try Dataset.load(fixture("amazon/reviews.json")).interactionCount, 3)
        XCTAssertEqual(try Dataset.load(fixture("sessions/nextitnet.csv")).interactionCount, 15)
        XCTAssertEqual(try Dataset.load(fixture("recbole/tiny"), formatName: "RecBole").userCount, 4)
        XCTAssertThrowsError(try Dataset.load(fixture("recbole/tiny"), formatName: "recbol")) { e in
            XCTAssertTrue("\(e)".contains("unknown data format 'recbol'; expected one of recbole, presplit, sessions, csv, movielens, amazon"), "\(e)")
        }
        XCTAssertThrowsError(try Dataset.load(fixture("csv"))) { e in
            XCTAssertTrue("\(e)".hasSuffix("csv: error: cannot tell the data format; give format: one of recbole, presplit, sessions, csv, movielens, amazon"), "\(e)")
        }
    }

    func testSummaryNamesCountsLengthsAndContents() throws {
        let d = try RecBole.load(directory: fixture("recbole/tiny"))
        XCTAssertEqual(d.description,
                       "tiny: 4 users, 5 items, 8 interactions; length min 0 / median 3 / max 4; density 40.00%; item text; item attributes movie_title, release_year, class, vec; user attributes age, gender, occupation, zip_code")
    }
}
