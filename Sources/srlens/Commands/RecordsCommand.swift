import ArgumentParser
import Engine

struct RecordsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records",
        abstract: "Import and list the benchmark's reference records.",
        subcommands: [Import.self, List.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the reference records from a checkout of facebookresearch/llm-speedrunner or a folder of record_N/ folders.")

        @Argument(help: "The checkout (with workspace_templates/nanogpt_speedrun/) or a folder of record_N/ folders.")
        var path: String

        @Option(help: "Where to put them (default: the records folder of the configuration).")
        var to: String?

        func run() throws {
            do {
                let configuration = try Configuration.resolve()
                let destination = to ?? configuration.recordsPath ?? "\(configuration.dataDirectory)/records"
                let report = try RecordsImporter.importRecords(from: path, to: destination)
                print("imported records \(report.imported.first!)-\(report.imported.last!) from \(report.source) into \(report.destination)")
                if !report.withoutResults.isEmpty {
                    print("note: no results.json for records \(report.withoutResults.map(String.init).joined(separator: ", ")): their times come from Tasks/tasks.json")
                }
            } catch {
                printError("srlens: error: \(error)")
                throw ExitCode(2)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show where the records are read from and which are there.")

        @Option(help: "Folder of record_N/ folders.")
        var records: String?

        func run() throws {
            let configuration = try Configuration.resolve(recordsFlag: records)
            let set = RecordSet(root: configuration.recordsPath ?? "")
            let available = set.available
            print("records: \(set.root) (from \(configuration.recordsOrigin))")
            print(available.isEmpty ? "no records found" : "available: \(available.map(String.init).joined(separator: " "))")
            if available.isEmpty { throw ExitCode(1) }
        }
    }
}
