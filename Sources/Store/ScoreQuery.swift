import GRDB

/// What `scores(_:by:)` keeps of the stored scores.
public struct ScoreFilter: Sendable {
    public var task: Int?
    public var innovation: String?
    public var rule: String?
    public var label: String?
    /// ISO 8601: scores at or after this time.
    public var since: String?
    public init(task: Int? = nil, innovation: String? = nil, rule: String? = nil, label: String? = nil, since: String? = nil) {
        self.task = task; self.innovation = innovation; self.rule = rule; self.label = label; self.since = since
    }
}

/// How `scores(_:by:)` groups them: one row per submission, or aggregates per task, innovation, rule or label.
public enum ScoreGrouping: String, Sendable, CaseIterable {
    case submission, task, innovation, rule, label
}

/// A query's result as text: column names and rows of cells.
public struct ScoreTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]
}

/// The fixed query shapes over stored scores. Every value from the user is a bound parameter; only these shapes
/// are SQL text.
extension Store {
    /// WHERE clause and arguments for a filter, over `submission s` and `score c`.
    func conditions(_ filter: ScoreFilter) -> (String, [DatabaseValueConvertible?]) {
        var clauses: [String] = [], arguments: [DatabaseValueConvertible?] = []
        if let task = filter.task { clauses.append("s.task = ?"); arguments.append(task) }
        if let label = filter.label { clauses.append("s.label = ?"); arguments.append(label) }
        if let since = filter.since { clauses.append("c.scored_at >= ?"); arguments.append(since) }
        if let innovation = filter.innovation {
            clauses.append("EXISTS (SELECT 1 FROM score_innovation i WHERE i.submission_id = s.id AND i.innovation = ? AND i.implemented = 1)")
            arguments.append(innovation)
        }
        if let rule = filter.rule {
            clauses.append("EXISTS (SELECT 1 FROM finding f WHERE f.submission_id = s.id AND f.rule = ?)")
            arguments.append(rule)
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    /// Stored scores filtered and grouped, as text cells.
    public func scores(_ filter: ScoreFilter, by grouping: ScoreGrouping) throws -> ScoreTable {
        let (whereClause, arguments) = conditions(filter)
        let from = "FROM submission s JOIN score c ON c.submission_id = s.id \(whereClause)"
        let sql: String
        switch grouping {
        case .submission:
            sql = """
                SELECT s.label, s.task, s.name, round(c.structural, 4) AS structural, round(c.recall, 4) AS recall,
                       round(c.alignment, 4) AS alignment, round(c.fsr, 4) AS fsr, c.valid, c.error
                \(from) ORDER BY s.label, s.task, s.name
                """
        case .task:
            sql = """
                SELECT s.task, COUNT(*) AS submissions, round(AVG(c.structural), 4) AS mean_structural,
                       round(AVG(c.fsr), 4) AS mean_fsr, SUM(c.valid) AS valid, SUM(c.error IS NOT NULL) AS failed
                \(from) GROUP BY s.task ORDER BY s.task
                """
        case .label:
            sql = """
                SELECT s.label, COUNT(*) AS submissions, round(AVG(c.structural), 4) AS mean_structural,
                       round(AVG(c.fsr), 4) AS mean_fsr, SUM(c.valid) AS valid
                \(from) GROUP BY s.label ORDER BY s.label
                """
        case .innovation:
            sql = """
                SELECT i.innovation, SUM(i.is_key) AS key_in, SUM(i.is_key AND i.implemented) AS reproduced,
                       round(1.0 * SUM(i.is_key AND i.implemented) / MAX(SUM(i.is_key), 1), 4) AS reproduction_rate,
                       SUM(NOT i.is_key) AS as_extra
                \(from.replacingOccurrences(of: "FROM submission s", with: "FROM score_innovation i JOIN submission s ON s.id = i.submission_id"))
                GROUP BY i.innovation ORDER BY i.innovation
                """
        case .rule:
            sql = """
                SELECT f.rule, f.severity, COUNT(*) AS findings, COUNT(DISTINCT s.id) AS submissions
                \(from.replacingOccurrences(of: "FROM submission s", with: "FROM finding f JOIN submission s ON s.id = f.submission_id"))
                GROUP BY f.rule, f.severity ORDER BY f.rule
                """
        }
        let columns = try self.columns(sql, arguments)
        let rows = try self.rows(sql, arguments).map { row in
            columns.map { column -> String in
                guard let value = row[column], !value.isNull else { return "" }
                switch value.storage {
                case .int64(let i): return String(i)
                case .double(let d): return String(d)
                case .string(let s): return s
                case .blob(let b): return "\(b.count) bytes"
                case .null: return ""
                }
            }
        }
        return ScoreTable(columns: columns, rows: rows)
    }
}
