// The store's schema as GRDB migrations. Each migration also sets `PRAGMA user_version`, a plain
// integer any SQLite tool can read, so an older SeqLab can refuse a store written by a newer one
// instead of writing rows a newer schema would misread.
import GRDB

enum Schema {
    /// The highest schema version this build reads and writes.
    static let version = 1

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
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

                PRAGMA user_version = 1;
                """)
        }
        return migrator
    }
}
