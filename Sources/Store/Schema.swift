// The store's schema, versioned by `PRAGMA user_version` (a plain integer any SQLite tool can read)
// so an older SeqLab refuses a store written by a newer one instead of writing rows it would misread.
//
// GRDB's DatabaseMigrator is not used: it reads which migrations are applied outside the transaction
// that applies them, so two processes opening a new store at once both try to create the tables
// ("table runs already exists", seen in testSimultaneousFirstOpensOfANewFileAllSucceed). Here the
// version check and every step run inside one BEGIN IMMEDIATE transaction, which holds the write lock.
import GRDB

enum Schema {
    /// The highest schema version this build reads and writes.
    static let version = 2

    /// Whether the database has tables other than SQLite's own.
    static func hasForeignTables(_ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' "
                + "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\')") ?? false
    }

    /// Brings the database to `version` (after checking it is ours and not newer), in the caller's
    /// transaction, which must be IMMEDIATE so no other connection migrates concurrently.
    static func migrate(_ db: Database, path: String) throws {
        let found = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if found > version { throw StoreError.newerSchema(path: path, found: found, supported: version) }
        // Version 0 with tables of its own is someone else's database: migrating it would mix our
        // tables into it (or fail half-way on a clashing name).
        if found == 0, try hasForeignTables(db) { throw StoreError.notAStore(path: path) }
        for (target, step) in steps where target > found {
            try step(db)
            try db.execute(sql: "PRAGMA user_version = \(target)")
        }
    }

    /// Each schema version with the step that reaches it from the one before, in order.
    static let steps: [(Int, @Sendable (Database) throws -> Void)] = [(1, createVersion1), (2, addVersion2)]

    private static func createVersion1(_ db: Database) throws {
        // AUTOINCREMENT so a deleted run's id is never handed out again: "run 42" stays unambiguous.
        try db.execute(sql: """
            CREATE TABLE runs (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                started_at     TEXT    NOT NULL,
                ended_at       TEXT,
                status         TEXT    NOT NULL
                               CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
                error          TEXT,
                script         TEXT    NOT NULL,
                script_sha256  TEXT    NOT NULL,
                script_path    TEXT,
                seqlab_version TEXT    NOT NULL,
                git_commit     TEXT,
                seed           INTEGER NOT NULL,
                threads        INTEGER NOT NULL,
                blas_threads   INTEGER NOT NULL,
                cpu_model      TEXT    NOT NULL,
                blas           TEXT    NOT NULL,
                pid            INTEGER NOT NULL,
                process_start  INTEGER,
                hostname       TEXT    NOT NULL
            );
            CREATE INDEX runs_by_status ON runs(status);

            CREATE TABLE parameters (
                run   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                key   TEXT    NOT NULL,
                value TEXT    NOT NULL,
                PRIMARY KEY (run, key)
            );

            -- value is nullable only because SQLite stores a NaN REAL as NULL.
            CREATE TABLE metrics (
                id    INTEGER PRIMARY KEY,
                run   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                step  INTEGER NOT NULL,
                name  TEXT    NOT NULL,
                value REAL,
                epoch INTEGER,
                split TEXT
            );
            CREATE INDEX metrics_by_run ON metrics(run, step, name);

            CREATE TABLE datasets (
                id     INTEGER PRIMARY KEY,
                run    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                name   TEXT    NOT NULL,
                path   TEXT    NOT NULL,
                bytes  INTEGER NOT NULL,
                sha256 TEXT    NOT NULL
            );
            CREATE INDEX datasets_by_run ON datasets(run);

            CREATE TABLE artifacts (
                id         INTEGER PRIMARY KEY,
                run        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                name       TEXT    NOT NULL,
                kind       TEXT    NOT NULL,
                bytes      INTEGER NOT NULL,
                data       BLOB    NOT NULL,
                created_at TEXT    NOT NULL
            );
            CREATE INDEX artifacts_by_run ON artifacts(run);
            CREATE INDEX artifacts_by_name ON artifacts(name, id);
            """)
    }

    /// Version 2: what started a run and a check's verdict, its numeric identity, the transcript of
    /// its statements and the results of its evaluations. Runs from version 1 read as kind "run".
    private static func addVersion2(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'run'
                CHECK (kind IN ('repl', 'run', 'check', 'record'));
            ALTER TABLE runs ADD COLUMN verdict TEXT;
            ALTER TABLE runs ADD COLUMN numerics TEXT NOT NULL DEFAULT '';

            CREATE TABLE transcript (
                id     INTEGER PRIMARY KEY,
                run    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                source TEXT    NOT NULL,
                output TEXT    NOT NULL,
                ending TEXT    NOT NULL CHECK (ending IN ('ok', 'failed', 'interrupted')),
                note   TEXT
            );
            CREATE INDEX transcript_by_run ON transcript(run, id);

            CREATE TABLE results (
                id       INTEGER PRIMARY KEY,
                run      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                source   TEXT    NOT NULL,
                model    TEXT    NOT NULL,
                split    TEXT    NOT NULL,
                protocol TEXT    NOT NULL,
                metric   TEXT    NOT NULL,
                value    REAL
            );
            CREATE INDEX results_by_run ON results(run, id);
            """)
    }
}
