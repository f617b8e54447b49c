// What leaves the workbench as files and streams (issue 20): standard output redirected to a file
// shows each output as it happens, and write() puts exact values in CSV and JSON.

import Foundation
import Script
import TestSupport
import XCTest
@testable import Workbench

final class OutputFileTests: XCTestCase {
    /// A scratch directory for the test's files, removed after it.
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "seqlab-output-\(getpid())-\(name.hashValue & 0xffff)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// `source` run as a notebook in a fresh session; any error fails the test.
    func notebook(_ source: String) -> NotebookRun {
        let interpreter = Interpreter(registry: Workbench.registry(), output: { _ in }, diagnostics: { _ in })
        let result = Notebook.run(source, interpreter: interpreter)
        XCTAssertEqual(result.errors, [])
        return result
    }

    /// `seqlab run long.seqlab > log` (or under nohup) showed nothing until the process exited,
    /// because a redirected standard output was block-buffered. The first line must be in the file
    /// while the script is still computing.
    func testRedirectedOutputIsWrittenLineByLine() throws {
        guard let binary = seqlabBinary else { throw XCTSkip("seqlab binary not built next to the tests; run `make test`") }
        // A first line, then a loop long enough (9M steps, seconds) to look at the file meanwhile.
        try "print(\"started\")\nx = 0\nfor i in range(3000) { for j in range(3000) { x = x + 1 } }\nprint(x)\n"
            .write(toFile: dir + "/long.seqlab", atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: dir + "/log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/log"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", dir + "/long.seqlab", "--store", dir + "/runs.sqlite"]
        process.standardOutput = log
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
        let deadline = Date().addingTimeInterval(20)
        var seen = ""
        while Date() < deadline && process.isRunning {
            seen = (try? String(contentsOfFile: dir + "/log", encoding: .utf8)) ?? ""
            if seen.contains("started") { break }
            usleep(50_000)
        }
        XCTAssertTrue(process.isRunning, "the loop ended before the file was read; make it longer")
        XCTAssertEqual(seen, "started\n", "the first output reaches a redirected file while the script still runs")
    }

    func testWriteKeepsFullPrecisionAndSaysWhatItWrote() throws {
        let run = notebook("""
            w = synthetic("toy", seed: 1);
            s = w.split();
            q = popularity(s).evaluate(s.test, k: [5, 10]);
            q.ndcg(10)
            write(q, "\(dir)/q.csv")
            write([{a: 1 / 3, b: "x,y"}], "\(dir)/l.json")
            write([{a: 1 / 3, b: "x,\\"y"}], "\(dir)/l.csv")
            """)
        XCTAssertEqual(run.outcomes[3].output, ["0.1019"])
        XCTAssertEqual(run.outcomes[4].output, ["wrote \(dir)/q.csv (CSV, 2 rows, 124 bytes)"])
        let csv = try String(contentsOfFile: dir + "/q.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(csv[0], "k,hr,ndcg,mrr")
        // The NDCG@10 the table printed as 0.1019, at full precision: it reads back to the same Double.
        let fields = csv[2].split(separator: ",").map(String.init)
        XCTAssertEqual(fields[0], "10")
        let ndcg = try XCTUnwrap(Double(fields[2]))
        XCTAssertEqual(String(format: "%.4f", ndcg), "0.1019")
        XCTAssertGreaterThan(fields[2].count, 8, "full precision, not the printed 4 digits")
        XCTAssertEqual(try String(contentsOfFile: dir + "/l.json", encoding: .utf8), "[{\"a\": 0.3333333333333333, \"b\": \"x,y\"}]\n")
        XCTAssertEqual(try String(contentsOfFile: dir + "/l.csv", encoding: .utf8), "a,b\n0.3333333333333333,\"x,\"\"y\"\n")
    }

    /// Two runs of one model in one plot were both labelled with the model's name.
    func testTwoRunsOfOneModelAreToldApartInAPlot() throws {
        let run = notebook("""
            w = synthetic("toy", seed: 1);
            s = w.split(maxLength: 20);
            a = nextitnet(s, channels: 8, dilations: [1], seed: 1);
            b = nextitnet(s, channels: 8, dilations: [1], seed: 2);
            ha = a.fit(s, epochs: 2, batch: 256);
            hb = b.fit(s, epochs: 2, batch: 256);
            plot([ha, hb], "valid")
            """)
        let text = (run.outcomes.last?.output ?? []).joined(separator: "\n")
        XCTAssertTrue(text.contains("nextitnet #1") && text.contains("nextitnet #2"), text)
    }

    /// Embeddings go out one row per item, its id first, every dimension at full precision.
    func testEmbeddingsAndItemListsWriteOneRowPerItem() throws {
        let run = notebook("""
            w = synthetic("toy", seed: 1);
            s = w.split();
            net = nextitnet(s, channels: 8, dilations: [1], seed: 3);
            write(net.embeddings(), "\(dir)/e.csv")
            write(net.similar("Lost Canyon Sheriff", k: 3, minCount: 1), "\(dir)/n.csv")
            """)
        XCTAssertEqual(run.outcomes[3].output.first?.hasPrefix("wrote \(dir)/e.csv (CSV, 200 rows, "), true, "\(run.outcomes[3].output)")
        let lines = try String(contentsOfFile: dir + "/e.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 201)
        XCTAssertEqual(lines[0], "item," + (0..<8).map { "d\($0)" }.joined(separator: ","))
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.hasPrefix("movies-") && $0.split(separator: ",").count == 9 }, lines[1])
        let neighbours = try String(contentsOfFile: dir + "/n.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(neighbours[0], "rank,id,title,cosine")
        XCTAssertEqual(neighbours.count, 4)
        XCTAssertTrue(neighbours[1].hasPrefix("1,movies-"), neighbours[1])
    }
}
