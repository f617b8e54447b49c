// Run store files that cannot be used: not SQLite, truncated, someone else's database, a newer
// schema, the wrong kind of path, and stores whose rows were damaged by hand. Opening refuses with
// one message naming the file and what to do; damaged rows are refused when read, in the session.

import Foundation
import GRDB
import Store

/// A store file with the SeqLab schema and one finished run, as bytes (for truncating).
private func storeBytes() throws -> [UInt8] {
    let path = NSTemporaryDirectory() + "seqlab-badinput-store-\(getpid()).sqlite"
    defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
    let store = try RunStore.open(path: path)
    let run = try store.beginRun(RunInfo(script: "x", version: "test", seed: 1, threads: 1, blasThreads: 1, blas: "test"))
    try store.finishRun(run)
    // Checkpoint the WAL into the main file so the bytes hold everything.
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    try queue.close()
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// An SQLite database at `path` made by `sql`.
private func database(_ path: String, _ sql: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.write { try $0.execute(sql: sql) }
    try queue.close()
}

/// Runs `sql` on the case's store (created with one finished run first).
private func damagingRows(_ sql: String) -> @Sendable (CaseContext) throws -> Void {
    { context in
        let store = try RunStore.open(path: context.storePath)
        let run = try store.beginRun(RunInfo(script: "x", version: "test", seed: 1, threads: 1, blasThreads: 1, blas: "test"))
        _ = try store.saveArtifact(run, name: "good", kind: "seqlab-checkpoint", data: BaseCheckpoint.data)
        try store.finishRun(run)
        try database(context.storePath, sql)
    }
}

private func opening(_ name: String, files: [(String, [UInt8])] = [], store: String = "s.sqlite", _ expected: String,
                     prepare: (@Sendable (CaseContext) throws -> Void)? = nil) -> BadInput {
    BadInput(store: "store", name, files: files, store: store, expect: expected, prepare: prepare)
}
private func rows(_ name: String, _ sql: String, _ source: String, _ expected: String) -> BadInput {
    BadInput("store", name, setup: toySetup, source, expect: expected, prepare: damagingRows(sql))
}

let storeFileCases: [BadInput] = [
    opening("random bytes", files: [("s.sqlite", (0..<4096).map { UInt8(($0 * 131 + 7) % 251) })],
            "$DIR/s.sqlite: file is not a database; move it away or choose another --store path"),
    opening("text file", files: [("s.sqlite", text("runs go here\n"))], "$DIR/s.sqlite: file is not a database"),
    opening("a notebook by mistake", files: [("s.sqlite", text("seed(7)\nml = load(\"x\")\n"))], "$DIR/s.sqlite: file is not a database"),
    opening("SQLite header only", files: [("s.sqlite", text("SQLite format 3\0"))], "$DIR/s.sqlite: file is not a database; move it away or choose another --store path"),
    opening("truncated store", "$DIR/s.sqlite: the store is damaged or was changed outside SeqLab (SQLite: database disk image is malformed); move it away or choose another --store path", prepare: { context in
        let bytes = try storeBytes()
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: context.directory + "/s.sqlite"))
    }),
    opening("first page zeroed", "$DIR/s.sqlite: file is not a database; move it away or choose another --store path", prepare: { context in
        var bytes = try storeBytes()
        for k in 0..<min(4096, bytes.count) { bytes[k] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: context.directory + "/s.sqlite"))
    }),
    opening("another program's database", "$DIR/s.sqlite: an SQLite database, but not a SeqLab run store; choose another --store path",
            prepare: { try database($0.directory + "/s.sqlite", "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)") }),
    opening("newer schema", "$DIR/s.sqlite: written by a newer SeqLab (schema version 99, this build reads up to 2); upgrade SeqLab or choose another --store path",
            prepare: { try database($0.directory + "/s.sqlite", "PRAGMA user_version = 99") }),
    opening("schema version without tables", "$DIR/s.sqlite: the store is damaged or was changed outside SeqLab (SQLite: no such table: runs); move it away or choose another --store path",
            prepare: { try database($0.directory + "/s.sqlite", "PRAGMA user_version = 1") }),
    opening("runs table missing", "$DIR/s.sqlite: the store is damaged or was changed outside SeqLab (SQLite: no such table: runs); move it away or choose another --store path", prepare: { context in
        let bytes = try storeBytes()
        try Data(bytes).write(to: URL(fileURLWithPath: context.directory + "/s.sqlite"))
        try database(context.directory + "/s.sqlite", "DROP TABLE runs")
    }),
    opening("path is a directory", files: [("s.sqlite/keep", text("x"))],
            "$DIR/s.sqlite: is a directory, not a run store; pass a file path such as $DIR/s.sqlite/seqlab.sqlite"),
    opening("parent directory missing", store: "no/such/dir/s.sqlite",
            "$DIR/no/such/dir/s.sqlite: directory $DIR/no/such/dir does not exist; create it or choose another --store path"),
    rows("run with a bad status", "PRAGMA ignore_check_constraints = 1; UPDATE runs SET status = 'exploded' WHERE id = 1",
         "runs()", "1:1: $DIR/runs.sqlite: run 1 has a malformed row"),
    rows("run with a bad start time", "UPDATE runs SET started_at = 'yesterday' WHERE id = 1", "run(1)", "1:5: $DIR/runs.sqlite: run 1 has a malformed row"),
    rows("run with a text seed", "UPDATE runs SET seed = 'lucky' WHERE id = 1", "runs()", "1:1: $DIR/runs.sqlite: run 1 has a malformed row"),
    rows("run with a text thread count", "UPDATE runs SET threads = 'two' WHERE id = 1", "run(1)", "1:5: $DIR/runs.sqlite: run 1 has a malformed row"),
    rows("artifact with a bad time", "UPDATE artifacts SET created_at = 'soon'", "restore(\"good\", s)", "1:9: $DIR/runs.sqlite: artifact 1 has a malformed row"),
    rows("artifact data as text", "UPDATE artifacts SET data = 'weights'", "restore(\"good\", s)",
         "1:9: checkpoint 'good' (run 1): error: file is 7 bytes; a safetensors file starts with an 8-byte header length"),
    rows("metric value as text", "INSERT INTO metrics (run, step, name, value) VALUES (1, 1, 'loss', 'low')", "run(1)",
         "1:5: $DIR/runs.sqlite: a metric of run 1 has a malformed row (column value holds \"low\"); the store was changed outside SeqLab"),
    rows("parameter with a NULL value", "PRAGMA ignore_check_constraints = 1; CREATE TABLE p2 AS SELECT * FROM parameters; DROP TABLE parameters; CREATE TABLE parameters (run INTEGER, key TEXT, value TEXT); INSERT INTO parameters VALUES (1, 'lr', NULL)",
         "run(1)", "1:5: $DIR/runs.sqlite: a parameter of run 1 has a malformed row (column value holds NULL); the store was changed outside SeqLab"),
]
