import GRDB

/// The database schema, one migration per version. A migration, once released, is never edited: changes
/// come as a new one.
enum Schema {
    static let tables = ["submission", "file", "submission_file", "analysis", "score", "score_innovation", "finding", "run"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: submissions, analyses, scores, findings, runs") { db in
            try db.execute(sql: """
                CREATE TABLE submission (
                    id INTEGER PRIMARY KEY,
                    label TEXT NOT NULL,
                    name TEXT NOT NULL,
                    task INTEGER NOT NULL,
                    path TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    UNIQUE (label, name, task)
                );
                CREATE INDEX submission_task ON submission(task);
                CREATE INDEX submission_label ON submission(label);

                CREATE TABLE file (
                    hash TEXT PRIMARY KEY,
                    size INTEGER NOT NULL
                );
                CREATE TABLE submission_file (
                    submission_id INTEGER NOT NULL REFERENCES submission(id) ON DELETE CASCADE,
                    file_hash TEXT NOT NULL REFERENCES file(hash),
                    path TEXT NOT NULL,
                    PRIMARY KEY (submission_id, path)
                );

                CREATE TABLE analysis (
                    content_hash TEXT NOT NULL,
                    task INTEGER NOT NULL,
                    tool_version TEXT NOT NULL,
                    result BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (content_hash, task, tool_version)
                );

                CREATE TABLE score (
                    submission_id INTEGER PRIMARY KEY REFERENCES submission(id) ON DELETE CASCADE,
                    recall REAL,
                    alignment REAL,
                    structural REAL,
                    valid INTEGER NOT NULL,
                    fsr REAL,
                    speed_ratio REAL,
                    time_to_target_ms REAL,
                    error TEXT,
                    tool_version TEXT NOT NULL,
                    scored_at TEXT NOT NULL
                );
                CREATE INDEX score_scored_at ON score(scored_at);

                CREATE TABLE score_innovation (
                    submission_id INTEGER NOT NULL REFERENCES submission(id) ON DELETE CASCADE,
                    innovation TEXT NOT NULL,
                    is_key INTEGER NOT NULL,
                    implemented INTEGER NOT NULL,
                    PRIMARY KEY (submission_id, innovation)
                );
                CREATE INDEX score_innovation_id ON score_innovation(innovation);

                CREATE TABLE finding (
                    id INTEGER PRIMARY KEY,
                    submission_id INTEGER NOT NULL REFERENCES submission(id) ON DELETE CASCADE,
                    rule TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX finding_rule ON finding(rule);
                CREATE INDEX finding_submission ON finding(submission_id);

                CREATE TABLE run (
                    submission_id INTEGER PRIMARY KEY REFERENCES submission(id) ON DELETE CASCADE,
                    source TEXT NOT NULL,
                    final_val_loss REAL,
                    reached_target INTEGER NOT NULL,
                    steps INTEGER,
                    train_time_ms REAL
                );
                """)
        }
        return migrator
    }
}
