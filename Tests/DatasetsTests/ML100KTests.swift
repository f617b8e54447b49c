// The real MovieLens 100K files from ../shared (RecBole atomic form): counts, tie order, the
// leave-one-out protocol and user label tasks.
import Foundation
import Tensors
import XCTest
@testable import Datasets

final class ML100KTests: XCTestCase {
    func testCountsTextAttributesAndLeaveOneOut() throws {
        let d = try RecBole.load(directory: try ml100kDirectory())
        XCTAssertEqual(d.userCount, 943)
        XCTAssertEqual(d.itemCount, 1_682)
        XCTAssertEqual(d.interactionCount, 100_000)
        XCTAssertEqual(d.itemText?[Int(d.items.id(of: "1")!)], "Toy Story")
        XCTAssertEqual(d.itemAttributes?.column("class")?.values[Int(d.items.id(of: "2")!)], "Action Adventure Thriller")
        XCTAssertEqual(d.userAttributes?.column("occupation")?.values[Int(d.users.id(of: "1")!)], "technician")

        let split = try d.leaveOneOut(maxLength: 50)
        XCTAssertEqual(split.valid.count, 943)
        XCTAssertEqual(split.test.count, 943)
        XCTAssertEqual(split.train.count, 100_000 - 3 * 943)  // RecBole's 97,171 training rows
        XCTAssertEqual(split.train.longestHistory, 50)
        for r in 0..<split.test.count {
            let u = Int(split.test.users[r])
            let sequence = d.sequence(of: u)
            XCTAssertEqual(split.test.target(r), sequence.last)
            XCTAssertEqual(split.valid.target(r), sequence[sequence.endIndex - 2])
            // The test history ends with the validation item.
            XCTAssertEqual(split.test.history(r).last, split.valid.target(r))
            XCTAssertEqual(split.test.history(r).count, min(50, sequence.count - 1))
        }
        let sequences = try d.leaveOneOut(maxLength: 50, training: .sequence)
        XCTAssertEqual(sequences.train.predictionCount, 100_000 - 3 * 943)
        XCTAssertLessThanOrEqual(sequences.train.longestHistory, 50)
    }

    func testEventsFollowAnIndependentStableSortOfTheFile() throws {
        let dir = try ml100kDirectory()
        let d = try RecBole.load(directory: dir)
        // Independent reading: Swift string splitting, then a sort by (time, line).
        let text = try String(contentsOfFile: dir + "/ml-100k.inter", encoding: .utf8)
        var perUser: [String: [(Double, Int, String)]] = [:]
        var ties = 0
        for (k, line) in text.split(separator: "\n").dropFirst().enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            perUser[String(f[0]), default: []].append((Double(f[3])!, k, String(f[1])))
        }
        for (user, events) in perUser {
            let expected = events.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            ties += zip(expected, expected.dropFirst()).filter { $0.0 == $1.0 }.count
            XCTAssertEqual(itemTokens(d, user: user), expected.map(\.2), "user \(user)")
        }
        XCTAssertEqual(ties, 50_561)  // the within-user timestamp ties PROVENANCE.md counts
    }

    func testUserLabelTasksFromGenderAgeAndOccupation() throws {
        let d = try RecBole.load(directory: try ml100kDirectory())
        let gender = try UserLabelTask.make(from: d, attribute: "gender", seed: Seed(7))
        XCTAssertEqual(gender.classes.count, 2)
        XCTAssertEqual(gender.train.count + gender.valid.count + gender.test.count, 943)
        XCTAssertEqual(gender.test.count, 94)
        XCTAssertEqual(gender.valid.count, 94)
        XCTAssertTrue(Set(gender.train).isDisjoint(with: gender.test))
        let again = try UserLabelTask.make(from: d, attribute: "gender", seed: Seed(7))
        XCTAssertEqual(again.test, gender.test)
        let other = try UserLabelTask.make(from: d, attribute: "gender", seed: Seed(8))
        XCTAssertNotEqual(other.test, gender.test)

        let age = try UserLabelTask.make(from: d, attribute: "age", bucketBoundaries: [18, 25, 35, 45, 50, 56], seed: Seed(7))
        XCTAssertEqual(age.classes, ["<18", "18-25", "25-35", "35-45", "45-50", "50-56", ">=56"])
        let u1 = Int(d.users.id(of: "1")!)  // age 24
        XCTAssertEqual(age.classes[Int(age.labels[u1])], "18-25")
        let occupation = try UserLabelTask.make(from: d, attribute: "occupation", seed: Seed(7))
        XCTAssertEqual(occupation.classes.count, 21)
        XCTAssertEqual(d.users.tokens[1], "196")  // the first user of the file gets id 1
        XCTAssertEqual(occupation.classes.first, "writer")  // user 196's: classes in user id order
        XCTAssertThrowsError(try UserLabelTask.make(from: d, attribute: "income", seed: Seed(7))) { e in
            XCTAssertTrue("\(e)".contains("no user attribute 'income'; the dataset has age, gender, occupation, zip_code"), "\(e)")
        }
    }
}
