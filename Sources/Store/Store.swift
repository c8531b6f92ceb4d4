import Foundation
import GRDB

/// The SQLite database of scored experiments: submissions (and their files by content hash), cached analyses,
/// scores with their innovations and rule findings, and run metrics. WAL mode, foreign keys, versioned
/// migrations (`Schema`). Every submission is written in one transaction, so a killed batch loses nothing that
/// was stored and never leaves half a submission.
public final class Store: Sendable {
    public let path: String
    let pool: DatabasePool

    public enum Failure: Error, CustomStringConvertible {
        case open(String, reason: String)

        public var description: String {
            switch self {
            case let .open(path, reason): "cannot open the database \(path): \(reason)"
            }
        }
    }

    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Schema.migrator.migrate(pool)
        } catch {
            throw Failure.open(path, reason: "\(error)")
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound database.
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: Analyses cache

    public func cachedAnalysis(contentHash: String, task: Int, toolVersion: String) throws -> Data? {
        try pool.read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT result FROM analysis WHERE content_hash = ? AND task = ? AND tool_version = ?"),
                arguments: [contentHash, task, toolVersion])
        }
    }

    public func storeAnalysis(contentHash: String, task: Int, toolVersion: String, result: Data) throws {
        try pool.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO analysis (content_hash, task, tool_version, result, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(content_hash, task, tool_version) DO UPDATE SET result = excluded.result
                """).execute(arguments: [contentHash, task, toolVersion, result, Self.now()])
        }
    }

    // MARK: Submissions and scores

    /// Whether a submission with this content is already scored by this tool version (a resumed batch skips it).
    public func isScored(label: String, name: String, task: Int, contentHash: String, toolVersion: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM submission s JOIN score ON score.submission_id = s.id
                WHERE s.label = ? AND s.name = ? AND s.task = ? AND s.content_hash = ? AND score.tool_version = ?)
                """), arguments: [label, name, task, contentHash, toolVersion]) ?? false
        }
    }

    /// Writes a scored submission and everything about it in one transaction, replacing an earlier version.
    public func save(_ row: ScoredSubmission) throws {
        try pool.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO submission (label, name, task, path, content_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(label, name, task) DO UPDATE SET path = excluded.path, content_hash = excluded.content_hash
                """).execute(arguments: [row.label, row.name, row.task, row.path, row.contentHash, Self.now()])
            guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM submission WHERE label = ? AND name = ? AND task = ?"),
                arguments: [row.label, row.name, row.task]) else { return }
            for table in ["submission_file", "score", "score_innovation", "finding", "run"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE submission_id = ?").execute(arguments: [id])
            }
            for file in row.files {
                try db.cachedStatement(sql: "INSERT INTO file (hash, size) VALUES (?, ?) ON CONFLICT(hash) DO NOTHING")
                    .execute(arguments: [file.hash, file.size])
                try db.cachedStatement(sql: "INSERT INTO submission_file (submission_id, file_hash, path) VALUES (?, ?, ?)")
                    .execute(arguments: [id, file.hash, file.path])
            }
            try db.cachedStatement(sql: """
                INSERT INTO score (submission_id, recall, alignment, structural, valid, fsr, speed_ratio, time_to_target_ms,
                                   error, tool_version, scored_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, row.recall, row.alignment, row.structural, row.valid, row.fsr, row.speedRatio,
                                 row.timeToTargetMs, row.error, row.toolVersion, Self.now()])
            for innovation in row.innovations {
                try db.cachedStatement(sql: "INSERT INTO score_innovation (submission_id, innovation, is_key, implemented) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [id, innovation.id, innovation.isKey, innovation.implemented])
            }
            for finding in row.findings {
                try db.cachedStatement(sql: "INSERT INTO finding (submission_id, rule, severity, message) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [id, finding.rule, finding.severity, finding.message])
            }
            if let run = row.run {
                try db.cachedStatement(sql: """
                    INSERT INTO run (submission_id, source, final_val_loss, reached_target, steps, train_time_ms) VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [id, run.source, run.finalValLoss, run.reachedTarget, run.steps, run.trainTimeMs])
            }
        }
    }

    /// Rows of a read-only query with bound parameters (never spliced into the SQL).
    public func rows(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws -> [[String: DatabaseValue]] {
        try pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                Dictionary(uniqueKeysWithValues: row.columnNames.map { ($0, row[$0] as DatabaseValue) })
            }
        }
    }

    /// Column names of a query, in order.
    public func columns(_ sql: String, _ arguments: [DatabaseValueConvertible?] = []) throws -> [String] {
        try pool.read { db in try db.makeStatement(sql: sql).columnNames }
    }

    /// Counts rows of a table (tests and reports).
    public func count(_ table: String) throws -> Int {
        precondition(Schema.tables.contains(table), "unknown table \(table)")
        return try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// The current time as ISO 8601 (UTC, seconds), as every `*_at` column holds it. A format style, not a new
    /// `ISO8601DateFormatter` per call: building that formatter cost more than the rest of a cached submission's
    /// transaction.
    static func now() -> String { Date().formatted(timestampStyle) }
    private static let timestampStyle = Date.ISO8601FormatStyle()
}
