import Foundation
import Store

/// A self-contained report of stored scores: per-task tables, structural score against FSR (do agents that
/// implement the idea get the speed?), the reproduction rate of each innovation, and rule findings. HTML with
/// inline SVG, or Markdown with the same tables.
public struct ReportBuilder {
    public let query: QueryService
    public let filter: QueryService.Filter

    public init(store: Store, filter: QueryService.Filter = .init()) {
        query = QueryService(store: store)
        self.filter = filter
    }

    func tables() throws -> (submissions: QueryService.Table, tasks: QueryService.Table, innovations: QueryService.Table, rules: QueryService.Table) {
        (try query.query(filter, by: .submission), try query.query(filter, by: .task), try query.query(filter, by: .innovation),
         try query.query(filter, by: .rule))
    }

    public func markdown() throws -> String {
        let t = try tables()
        var out = ["# SpeedrunLens report", "", "Generated \(ISO8601DateFormatter().string(from: Date())) by srlens \(SpeedrunLens.version).", ""]
        for (title, table) in [("Per task", t.tasks), ("Innovations (key changes reproduced)", t.innovations), ("Rule findings", t.rules),
                               ("Submissions", t.submissions)] {
            out.append("## \(title)")
            out.append("")
            out.append(Self.markdownTable(table))
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static func markdownTable(_ table: QueryService.Table) -> String {
        guard !table.rows.isEmpty else { return "_none_" }
        var lines = ["| " + table.columns.joined(separator: " | ") + " |", "|" + table.columns.map { _ in " --- |" }.joined()]
        for row in table.rows { lines.append("| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }

    static func htmlTable(_ table: QueryService.Table) -> String {
        guard !table.rows.isEmpty else { return "<p><em>none</em></p>" }
        var html = "<table><thead><tr>" + table.columns.map { "<th>\(SVGPlots.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in table.rows { html += "<tr>" + row.map { "<td>\(SVGPlots.escape($0))</td>" }.joined() + "</tr>" }
        return html + "</tbody></table>"
    }

    public func html() throws -> String {
        let t = try tables()
        let columns = t.submissions.columns
        func column(_ name: String) -> Int? { columns.firstIndex(of: name) }
        var points: [SVGPlots.Point] = [], missing = 0
        if let s = column("structural"), let f = column("fsr"), let task = column("task"), let name = column("name") {
            for row in t.submissions.rows {
                guard let x = Double(row[s]), let y = Double(row[f]) else { missing += 1; continue }
                points.append(.init(x: x, y: y, group: Int(row[task]) ?? 0, label: "task \(row[task]) \(row[name]): structural \(row[s]), FSR \(row[f])"))
            }
        }
        var bars: [(String, Double, String)] = []
        if let id = t.innovations.columns.firstIndex(of: "innovation"), let rate = t.innovations.columns.firstIndex(of: "reproduction_rate"),
           let keyIn = t.innovations.columns.firstIndex(of: "key_in"), let reproduced = t.innovations.columns.firstIndex(of: "reproduced") {
            for row in t.innovations.rows where (Int(row[keyIn]) ?? 0) > 0 {
                bars.append((row[id], Double(row[rate]) ?? 0, "\(row[reproduced])/\(row[keyIn])"))
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>SpeedrunLens report</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;margin:1em 0}
            td,th{border:1px solid #ddd;padding:3px 8px;font-size:13px;text-align:left}th{background:#f3f3f3}.caption{color:#666;font-size:12px}</style>
            </head><body>
            <h1>SpeedrunLens report</h1>
            <p class="caption">Generated \(ISO8601DateFormatter().string(from: Date())) by srlens \(SpeedrunLens.version). Definitions: docs/scoring.md, docs/rules.md.</p>
            <h2>Structural score against the speedup recovered</h2>
            <p>Each point is a submission (colour = task). Hollow points had an FSR outside the drawn range.</p>
            \(SVGPlots.scatter(points, missing: missing))
            <h2>Per task</h2>
            \(Self.htmlTable(t.tasks))
            <h2>Reproduction rate of each innovation</h2>
            <p>Share of the submissions for which the innovation is a key change that implemented it.</p>
            \(bars.isEmpty ? "<p><em>none</em></p>" : SVGPlots.bars(bars))
            \(Self.htmlTable(t.innovations))
            <h2>Rule findings</h2>
            \(Self.htmlTable(t.rules))
            <h2>Submissions</h2>
            \(Self.htmlTable(t.submissions))
            </body></html>
            """
    }
}
