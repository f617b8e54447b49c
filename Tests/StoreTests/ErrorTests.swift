// Each way a store can be unusable gives its own StoreError, and the message names the file and the
// next step, because these messages are what `seqlab` prints.
import Foundation
import GRDB
import XCTest

@testable import Store

final class ErrorTests: XCTestCase {
    func testDirectoryPathIsRejected() throws {
        let directory = try temporaryDirectory()
        assertThrows(.isDirectory(path: directory.path)) { () throws(StoreError) in
            try RunStore.open(path: directory.path)
        }
        XCTAssertTrue(StoreError.isDirectory(path: "/x").description.contains("/x: is a directory"))
    }

    func testMissingParentDirectoryIsRejected() throws {
        let path = try temporaryDirectory().file("no/such/dir/s.sqlite")
        let parent = (path as NSString).deletingLastPathComponent
        assertThrows(.missingDirectory(path: path, directory: parent)) { () throws(StoreError) in
            try RunStore.open(path: path)
        }
    }

    func testFileThatIsNotSQLiteIsRejected() throws {
        let path = try temporaryDirectory().file("notes.sqlite")
        try String(repeating: "these are my notes, not a database\n", count: 100)
            .write(toFile: path, atomically: true, encoding: .utf8)
        assertThrows(.notADatabase(path: path)) { () throws(StoreError) in try RunStore.open(path: path) }
        XCTAssertEqual(
            StoreError.notADatabase(path: path).description,
            "\(path): file is not a database; move it away or choose another --store path")
        // The file is left as it was: a wrong --store must not damage what is there.
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("these are my notes"))
    }

    func testOtherSQLiteDatabaseIsRejectedAndLeftAlone() throws {
        let path = try temporaryDirectory().file("other.sqlite")
        do {
            let other = try DatabaseQueue(path: path)
            try other.write { db in try db.execute(sql: "CREATE TABLE runs (lap INTEGER); INSERT INTO runs VALUES (1)") }
        }
        assertThrows(.notAStore(path: path)) { () throws(StoreError) in try RunStore.open(path: path) }
        let tables = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        XCTAssertEqual(tables, ["runs"])
    }

    func testStoreFromNewerSchemaIsRejected() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        do {
            let store = try RunStore.open(path: path)
            try store.pool.write { db in try db.execute(sql: "PRAGMA user_version = 99") }
        }
        assertThrows(.newerSchema(path: path, found: 99, supported: RunStore.schemaVersion)) {
            () throws(StoreError) in try RunStore.open(path: path)
        }
        XCTAssertTrue(
            StoreError.newerSchema(path: path, found: 99, supported: 1).description
                .contains("newer SeqLab (schema version 99, this build reads up to 1)"))
    }

    func testNewStoreHasCurrentSchemaVersionWALAndNormalSync() throws {
        let store = try RunStore.open(path: try temporaryDirectory().file("s.sqlite"))
        let (version, mode, sync) = try store.pool.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA user_version"), try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA synchronous")
            )
        }
        XCTAssertEqual(version, RunStore.schemaVersion)
        XCTAssertEqual(mode, "wal")
        XCTAssertEqual(sync, 1, "synchronous = NORMAL")
    }

    func testMissingRunIsReportedForEveryOperation() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        let store = try RunStore.open(path: path)
        let missing = StoreError.noRun(path: path, id: 42)
        XCTAssertEqual(missing.description, "\(path): no run 42; `seqlab runs` lists them")
        assertThrows(missing) { () throws(StoreError) in try store.run(42) }
        assertThrows(missing) { () throws(StoreError) in try store.metrics(42) }
        assertThrows(missing) { () throws(StoreError) in try store.setParameters(42, [("a", "b")]) }
        assertThrows(missing) { () throws(StoreError) in
            try store.logMetrics(42, [MetricPoint(step: 0, name: "loss", value: 1)])
        }
        assertThrows(missing) { () throws(StoreError) in
            try store.recordDataset(42, DatasetUse(name: "d", path: "d", bytes: 0, sha256: ""))
        }
        assertThrows(missing) { () throws(StoreError) in try store.saveArtifact(42, name: "a", kind: "k", data: Data()) }
        assertThrows(missing) { () throws(StoreError) in try store.loadArtifact(run: 42, name: "a") }
        assertThrows(missing) { () throws(StoreError) in try store.finishRun(42) }
    }

    func testMissingArtifactIsReported() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        let store = try RunStore.open(path: path)
        let id = try store.beginRun(sampleInfo())
        try store.saveArtifact(id, name: "best", kind: "safetensors", data: Data([1]))
        assertThrows(.noArtifact(path: path, name: "last", run: id)) { () throws(StoreError) in
            try store.loadArtifact(run: id, name: "last")
        }
        assertThrows(.noArtifact(path: path, name: "last", run: nil)) { () throws(StoreError) in
            try store.loadArtifact(run: nil, name: "last")
        }
        XCTAssertEqual(
            StoreError.noArtifact(path: path, name: "last", run: 3).description,
            "\(path): no artifact named \"last\" in run 3; `seqlab show RUN` lists a run's artifacts")
    }

    func testRunEndsOnlyOnceAndOnlyWithAnEndStatus() throws {
        let path = try temporaryDirectory().file("s.sqlite")
        let store = try RunStore.open(path: path)
        let id = try store.beginRun(sampleInfo())
        assertThrows(.notAnEndStatus(.running)) { () throws(StoreError) in try store.finishRun(id, status: .running) }
        try store.finishRun(id)
        assertThrows(.runAlreadyEnded(path: path, id: id, status: .finished)) { () throws(StoreError) in
            try store.finishRun(id, status: .failed, error: "late")
        }
        XCTAssertEqual(try store.run(id).run.status, .finished)
        XCTAssertNil(try store.run(id).run.error)
    }

    func testUnreadableDatasetFileIsReportedAndNothingIsRecorded() throws {
        let directory = try temporaryDirectory()
        let store = try RunStore.open(path: directory.file("s.sqlite"))
        let id = try store.beginRun(sampleInfo())
        let missing = directory.file("ml-100k.inter")
        assertThrows(.unreadableFile(path: missing)) { () throws(StoreError) in
            try store.recordDataset(id, name: "ml", path: missing)
        }
        XCTAssertEqual(try store.run(id).datasets, [])
    }

    func testLocalizedDescriptionIsTheMessage() {
        let error: any Error = StoreError.noRun(path: "s.sqlite", id: 3)
        XCTAssertEqual(error.localizedDescription, "s.sqlite: no run 3; `seqlab runs` lists them")
    }
}
