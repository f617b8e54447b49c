import Foundation
import Tensors
import XCTest
@testable import Datasets

final class SyntheticWorldTests: XCTestCase {
    func testWorldsAreDeterministicFromTheSeed() throws {
        let a = try SyntheticWorld.generate(.toy), b = try SyntheticWorld.generate(.toy)
        XCTAssertEqual(a.domains.map(\.fingerprint), b.domains.map(\.fingerprint))
        var spec = WorldSpec.toy
        spec.seed = 2021
        let c = try SyntheticWorld.generate(spec)
        XCTAssertNotEqual(a.domains[0].fingerprint, c.domains[0].fingerprint)
    }

    func testToyWorldShapeTextAndAttributes() throws {
        let w = try SyntheticWorld.generate(.toy)
        XCTAssertEqual(w.domains.map(\.name), ["synthetic-movies", "synthetic-books"])
        for d in w.domains {
            XCTAssertEqual(d.userCount, 300)
            XCTAssertEqual(d.itemCount, 200)
            XCTAssertTrue((4_000...8_000).contains(d.interactionCount), "\(d.interactionCount)")
            XCTAssertTrue((1...d.userCount).allSatisfy { d.length(of: $0) >= 5 })
            XCTAssertTrue(d.itemText?.dropFirst().allSatisfy { !$0.isEmpty } ?? false)
            XCTAssertEqual(d.userAttributes?.names, ["age", "gender", "occupation"])
            XCTAssertEqual(d.itemAttributes?.names, ["genre"])
            // Times never decrease within a user.
            for u in 1...d.userCount {
                let t = d.eventTimes[d.events(of: u)]
                XCTAssertTrue(zip(t, t.dropFirst()).allSatisfy { $0 <= $1 })
            }
        }
    }

    func testDomainsShareUsersAndTitleVocabularyButNotItems() throws {
        let w = try SyntheticWorld.generate(.toy)
        let movies = w.domains[0], books = w.domains[1]
        XCTAssertEqual(movies.users, books.users)
        XCTAssertTrue(Set(movies.items.tokens.dropFirst()).isDisjoint(with: books.items.tokens.dropFirst()))
        let allowed = Set(SyntheticWorld.genreVocabularies.flatMap(\.words) + SyntheticWorld.commonWords)
        func words(_ d: Dataset) -> Set<String> {
            Set(d.itemText!.flatMap { $0.lowercased().split(separator: " ").map(String.init) }.filter { Int($0) == nil })
        }
        XCTAssertTrue(words(movies).isSubset(of: allowed))
        let shared = words(movies).intersection(words(books))
        XCTAssertGreaterThan(Double(shared.count) / Double(words(movies).count), 0.8)
        // A user's taste is the same in both domains.
        let u = Int(movies.users.id(of: "u7")!)
        XCTAssertEqual(w.tastes[0][u], w.tastes[1][u])

        var separate = WorldSpec.toy
        separate.sharedUsers = false
        let s = try SyntheticWorld.generate(separate)
        XCTAssertTrue(Set(s.domains[0].users.tokens.dropFirst()).isDisjoint(with: s.domains[1].users.tokens.dropFirst()))
    }

    /// The point of the world: short-range transitions that a sequential model can use and
    /// popularity cannot. A first-order transition counter must clearly beat popularity.
    func testFirstOrderTransitionsBeatPopularityOnHitRateAt10() throws {
        let d = try SyntheticWorld.generate(.toy).domains[0]
        let split = try d.leaveOneOut(maxLength: 50)
        var popularity = [Int](repeating: 0, count: d.items.count)
        var transitions = [[Int]](repeating: [Int](repeating: 0, count: d.items.count), count: d.items.count)
        for r in 0..<split.train.count {
            let target = Int(split.train.target(r))
            popularity[target] += 1
            if let previous = split.train.history(r).last { transitions[Int(previous)][target] += 1 }
        }
        func top10(_ scores: [Int]) -> [Int] {
            Array((1..<scores.count).sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }.prefix(10))
        }
        let popular = top10(popularity)
        var popularHits = 0, transitionHits = 0
        // Validation rows: their histories are all training data.
        for r in 0..<split.valid.count {
            let target = Int(split.valid.target(r))
            if popular.contains(target) { popularHits += 1 }
            let last = Int(split.valid.history(r).last!)
            // Ties (and unseen transitions) fall back to popularity.
            let scores = (0..<d.items.count).map { transitions[last][$0] * 1_000_000 + popularity[$0] }
            if top10(scores).contains(target) { transitionHits += 1 }
        }
        let hrPopular = Double(popularHits) / Double(split.valid.count)
        let hrTransitions = Double(transitionHits) / Double(split.valid.count)
        print("toy world HR@10: popularity \(hrPopular), first-order transitions \(hrTransitions)")
        XCTAssertGreaterThan(hrTransitions, 2 * hrPopular)
        XCTAssertGreaterThan(hrTransitions - hrPopular, 0.15)
    }

    /// Attributes are correlated with tastes: a nearest-centroid classifier on a user's genre
    /// histogram predicts gender well above chance.
    func testGenderCanBePredictedFromBehaviour() throws {
        let d = try SyntheticWorld.generate(.small).domains[0]
        let w = try SyntheticWorld.generate(.small)
        let genres = w.itemGenres[0]
        let task = try UserLabelTask.make(from: d, attribute: "gender", seed: Seed(1))
        func histogram(_ u: Int32) -> [Double] {
            var h = [Double](repeating: 0, count: w.spec.genres)
            for i in d.sequence(of: Int(u)) { h[Int(genres[Int(i)])] += 1 }
            let total = h.reduce(0, +)
            return h.map { $0 / total }
        }
        var centroids = [[Double]](repeating: [Double](repeating: 0, count: w.spec.genres), count: task.classes.count)
        var counts = [Double](repeating: 0, count: task.classes.count)
        for u in task.train {
            let c = Int(task.labels[Int(u)])
            for (g, x) in histogram(u).enumerated() { centroids[c][g] += x }
            counts[c] += 1
        }
        for c in 0..<centroids.count { centroids[c] = centroids[c].map { $0 / counts[c] } }
        var correct = 0
        for u in task.test {
            let h = histogram(u)
            let distances = centroids.map { c in zip(c, h).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
            if distances.firstIndex(of: distances.min()!) == Int(task.labels[Int(u)]) { correct += 1 }
        }
        let accuracy = Double(correct) / Double(task.test.count)
        print("small world gender accuracy from genre histograms: \(accuracy)")
        XCTAssertGreaterThan(accuracy, 0.7)
    }

    func testWritingAWorldAndReadingItBackGivesTheSameDatasets() throws {
        let w = try SyntheticWorld.generate(.toy)
        let dir = try scratchDirectory("world")
        try w.write(to: dir)
        for (k, name) in ["movies", "books"].enumerated() {
            var back = try RecBole.load(directory: dir + "/" + name)
            back.name = w.domains[k].name
            let d = w.domains[k]
            XCTAssertEqual(back.users, d.users)
            XCTAssertEqual(back.items, d.items)
            XCTAssertEqual(back.userStarts, d.userStarts)
            XCTAssertEqual(back.eventItems, d.eventItems)
            XCTAssertEqual(back.eventTimes, d.eventTimes)
            XCTAssertEqual(back.itemText, d.itemText)
            XCTAssertEqual(back.itemAttributes?.column("genre"), d.itemAttributes?.column("genre"))
            XCTAssertEqual(back.userAttributes, d.userAttributes)
            XCTAssertEqual(back.fingerprint, d.fingerprint)
        }
    }

    func testSpecsAreChecked() {
        var bad = WorldSpec.toy
        bad.genres = 40
        XCTAssertThrowsError(try SyntheticWorld.generate(bad))
        XCTAssertEqual(WorldSpec.named("large")?.domains, 1)
        XCTAssertNil(WorldSpec.named("huge"))
    }
}

final class CrossDomainTests: XCTestCase {
    func testAWorldGivesAPeterRecTaskThatSurvivesTheFineTuningFormat() throws {
        let w = try SyntheticWorld.generate(.toy)
        let task = try SourceTargetTask.crossDomain(source: w.domains[0], target: w.domains[1], maxSourceLength: 20, targetsPerUser: 3)
        XCTAssertEqual(task.sourceRowCount, 300)
        XCTAssertEqual(task.count, 900)
        XCTAssertEqual(task.sourceItems, w.domains[0].items)
        XCTAssertTrue((0..<task.sourceRowCount).allSatisfy { task.starts[$0 + 1] - task.starts[$0] <= 20 })
        // The first user's targets are their first three distinct book items.
        let books = w.domains[1]
        let firstBooks = Array(NSOrderedSet(array: books.sequence(of: 1).map { books.items.tokens[Int($0)] }).array.prefix(3)) as? [String]
        XCTAssertEqual((0..<3).map { task.targetItems.tokens[Int(task.exampleTargets[$0])] }, firstBooks)

        let dir = try scratchDirectory("crossdomain")
        try DatasetWriter.writeFineTuning(task, path: dir + "/finetune.csv", padToken: "0")
        let back = try SessionCSV.readFineTuning(dir + "/finetune.csv", sourceItems: task.sourceItems, padToken: "0")
        XCTAssertEqual(back.storage, task.storage)
        XCTAssertEqual(back.starts, task.starts)
        XCTAssertEqual(back.exampleRows, task.exampleRows)
        XCTAssertEqual(back.targetItems, task.targetItems)
        XCTAssertEqual(back.exampleTargets, task.exampleTargets)
        // Equal-length rows, as the reference loader needs.
        let lines = try String(contentsOfFile: dir + "/finetune.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(Set(lines.map { $0.components(separatedBy: ",,")[0].split(separator: ",").count }), [20])
    }

    func testDomainsWithoutCommonUsersAreRejected() throws {
        var spec = WorldSpec.toy
        spec.sharedUsers = false
        let w = try SyntheticWorld.generate(spec)
        XCTAssertThrowsError(try SourceTargetTask.crossDomain(source: w.domains[0], target: w.domains[1])) { e in
            XCTAssertTrue("\(e)".contains("share no users"), "\(e)")
        }
    }
}
