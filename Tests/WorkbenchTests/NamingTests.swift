// Issue 20's naming problems, on the data they were found with (MovieLens-100K): one rule for items
// and users (ids as in the data, titles with or without their article), ambiguous titles listed,
// every view naming the user and the items, and neighbour lists that keep one-off items out.

import Foundation
import Script
import TestSupport
import XCTest
@testable import Workbench

final class NamingTests: XCTestCase {
    /// The outputs of each statement of `source` (after a setup that loads ml-100k), or the error.
    /// Without ../shared the test skips with its reason (fails under SEQLAB_REQUIRE_SHARED=1).
    func run(_ source: String, file: StaticString = #filePath, line: UInt = #line) throws -> (outputs: [[String]], errors: [String]) {
        let ml100k = try sharedPath("data/ml-100k", file: file, line: line)
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let setup = "ml = load(\"\(ml100k)\");\ns = ml.split(maxLength: 20);\nnet = nextitnet(s, channels: 8, dilations: [1]);\n"
        let run = Notebook.run(setup + source, interpreter: interpreter)
        return (run.outcomes.dropFirst(3).map(\.output), run.errors.map { "\($0.message)" })
    }

    func testNumbersAndStringsNameTheSameItemByItsIdInTheData() throws {
        // Issue 20: similar(50) was Fargo (row 50) but similar("50") Star Wars (id 50 in the file).
        let (outputs, errors) = try run("net.similar(50, k: 1)\nnet.similar(\"50\", k: 1)\nnet.similar(\"Star Wars\", k: 1)\n")
        XCTAssertEqual(errors, [])
        let headers = outputs.map { $0.first ?? "" }
        XCTAssertTrue(headers[0].hasPrefix("Items most similar to Star Wars [50] "), headers[0])
        XCTAssertEqual(Set(headers).count, 1, "\(headers)")
    }

    func testTitlesIgnoreArticlesAndAmbiguousTitlesAreListed() throws {
        let (outputs, errors) = try run("net.similar(\"The Godfather\", k: 1)\nnet.similar(\"godfather, the (1972)\", k: 1)\n")
        XCTAssertEqual(errors, [])
        XCTAssertTrue(outputs[0].first?.hasPrefix("Items most similar to Godfather, The [127] ") ?? false, "\(outputs)")
        XCTAssertEqual(outputs[0].first, outputs[1].first)
        let (_, ambiguous) = try run("net.similar(\"Chairman of the Board\")\n")
        XCTAssertEqual(ambiguous.count, 1)
        XCTAssertTrue(ambiguous[0].hasPrefix("\"Chairman of the Board\" is the title of 2 items: Chairman of the Board [1234]; Chairman of the Board [1654]"), ambiguous[0])
        XCTAssertTrue(ambiguous[0].hasSuffix("; name one by its id, e.g. 1313") || ambiguous[0].contains("name one by its id"), ambiguous[0])
    }

    func testUsersAreNamedByTheirIdInTheDataEverywhere() throws {
        // Issue 20: attention(user: 1) showed user 196's history (196 is the file's first user).
        let (outputs, errors) = try run("""
            ml.sequence(1) == ml.sequence("1")
            len(ml.sequence(196))
            t = sasrec(s, hidden: 8, layers: 1, heads: 1, inner: 16);
            t.fit(s, epochs: 1, batch: 512);
            t.attention(user: 1, last: 3)

            """)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(outputs[0], ["true"])
        XCTAssertEqual(outputs[1], ["39"])
        XCTAssertEqual(outputs[4].first, "sasrec attention, layer 1, head 1, user 1's test history (rows attend to columns, last 3 of 20 positions)")
    }

    func testNeighbourListsLeaveOutRareItemsUnlessAsked() throws {
        // Issue 20: Star Wars' neighbours were "Chairman of the Board" (8 ratings) and "Etz Hadomim
        // Tafus" (1 rating). The default keeps items seen at least 10 times and says so.
        let counts = try interactionCounts(try sharedPath("data/ml-100k"))
        let (outputs, errors) = try run("net.similar(\"Star Wars\", k: 30)\nnet.similar(\"Star Wars\", k: 1682 - 1, minCount: 1)\n")
        XCTAssertEqual(errors, [])
        XCTAssertTrue(outputs[0][0].contains("items seen ≥ 10 times: "), outputs[0][0])
        let shown = outputs[0].dropFirst().map { line in String(line[line.range(of: "[", options: .backwards)!.upperBound...].dropLast()) }
        XCTAssertEqual(shown.count, 30)
        XCTAssertTrue(shown.allSatisfy { (counts[$0] ?? 0) >= 10 }, "\(shown.map { ($0, counts[$0] ?? 0) })")
        let all = outputs[1].dropFirst().map { line in String(line[line.range(of: "[", options: .backwards)!.upperBound...].dropLast()) }
        XCTAssertTrue(all.contains { (counts[$0] ?? 0) < 10 }, "minCount: 1 lists the rare items too")
    }

    /// Interactions per item id, read from the .inter file independently of SeqLab's loader.
    func interactionCounts(_ ml100k: String) throws -> [String: Int] {
        let text = try String(contentsOfFile: ml100k + "/ml-100k.inter", encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t")
            if fields.count > 1 { counts[String(fields[1]), default: 0] += 1 }
        }
        return counts
    }
}

/// Issue 20 (6): help reaches every type it names, lists only the members a value has, and fits
/// an 80-column terminal.
final class HelpTests: XCTestCase {
    func helpText(_ source: String) -> [String] {
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let run = Notebook.run(source, interpreter: interpreter)
        XCTAssertEqual(run.errors, [])
        return run.outcomes.last?.output ?? []
    }

    func testEveryTypeHasHelpThatFitsEightyColumns() {
        let registry = Workbench.registry()
        for type in registry.typeNames {
            let lines = helpText("help(\(type))")
            guard let first = lines.first else { XCTFail("help(\(type)) printed nothing"); continue }
            XCTAssertTrue(first.hasPrefix("\(type): "), "help(\(type)) starts \(first)")
            for line in lines { XCTAssertLessThanOrEqual(line.count, 80, "help(\(type)): \(line)") }
        }
        for line in helpText("help()") + helpText("help(\"naming\")") + helpText("help(load)") {
            XCTAssertLessThanOrEqual(line.count, 80, line)
        }
    }

    func testHelpOfAModelListsOnlyItsMembers() {
        let setup = "w = synthetic(\"toy\", seed: 1);\ns = w.split();\n"
        let net = helpText(setup + "net = nextitnet(s, channels: 8, dilations: [1]);\nhelp(net)").filter { $0.hasPrefix("  Model.") }
        let names = net.map { String($0.dropFirst(8).prefix { $0.isLetter }) }
        XCTAssertTrue(names.contains("fit") && names.contains("similar"), "\(names)")
        XCTAssertFalse(names.contains("attention") || names.contains("codes") || names.contains("pretrain") || names.contains("classify"), "\(names)")
        let pop = helpText(setup + "pop = popularity(s);\nhelp(pop)").filter { $0.hasPrefix("  Model.") }
        XCTAssertFalse(pop.contains { $0.hasPrefix("  Model.fit(") || $0.hasPrefix("  Model.similar(") }, "\(pop)")
        let sas = helpText(setup + "t = sasrec(s, hidden: 8, layers: 1, heads: 1, inner: 16);\nhelp(t)")
        XCTAssertTrue(sas.contains { $0.hasPrefix("  Model.attention(") })
    }
}
