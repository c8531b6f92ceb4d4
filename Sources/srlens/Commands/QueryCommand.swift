import ArgumentParser
import Engine
import Foundation
import Store

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Filter and aggregate stored scores: by submission, task, innovation, rule or label.")

    @Option(help: "Only this task.") var task: Int?
    @Option(help: "Only submissions that implemented this innovation.") var innovation: String?
    @Option(help: "Only submissions with a finding of this rule.") var rule: String?
    @Option(help: "Only this batch label.") var label: String?
    @Option(help: "Only scores stored at or after this ISO 8601 time.") var since: String?
    @Option(help: "Group by: submission (no grouping), task, innovation, rule, label.") var by = "submission"
    @Option(help: "table, json or csv.") var format = "table"
    @OptionGroup var store: StoreOptions

    func run() throws {
        guard let grouping = QueryService.Grouping(rawValue: by) else {
            throw ValidationError("--by must be one of: \(QueryService.Grouping.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["table", "json", "csv"].contains(format) else { throw ValidationError("--format must be table, json or csv") }
        let table: QueryService.Table
        do {
            let database = try Store(path: store.path(try Configuration.resolve()))
            table = try QueryService(store: database).query(.init(task: task, innovation: innovation, rule: rule, label: label, since: since), by: grouping)
        } catch {
            printError("srlens: error: \(error)")
            throw ExitCode(2)
        }
        switch format {
        case "json":
            let objects = table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.columns, $0)) }
            try JSONOutput.write(objects)
        case "csv":
            func quote(_ s: String) -> String { s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
            print(table.columns.map(quote).joined(separator: ","))
            for row in table.rows { print(row.map(quote).joined(separator: ",")) }
        default:
            let widths = table.columns.indices.map { i in max(table.columns[i].count, table.rows.map { $0[i].count }.max() ?? 0) }
            func line(_ cells: [String]) -> String {
                zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            }
            print(line(table.columns))
            print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            for row in table.rows { print(line(row)) }
            if table.rows.isEmpty { print("(no rows)") }
        }
    }
}
