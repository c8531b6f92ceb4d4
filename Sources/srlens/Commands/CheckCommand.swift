import ArgumentParser
import Catalogue
import Engine
import Foundation
import Rules

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a submission against the benchmark's rules (docs/rules.md), relative to its task's base record.",
        discussion: """
        Exit status: 0 when no error-level finding, 1 when there is one (the run would be invalid), 2 when the \
        check could not run. --sarif writes SARIF 2.1.0 for CI systems and code-review tools.
        """)

    @Option(help: "The task number (1-20): the submission is checked against record N.")
    var task: Int

    @Argument(help: "The submission's files (its train_gpt2.py and any other file it brings), or its folder.")
    var submission: [String]

    @Option(help: "Folder of record_N/ folders.")
    var records: String?

    @Flag(help: "Write the srlens.check/1 JSON document.")
    var json = false

    @Flag(help: "Write SARIF 2.1.0.")
    var sarif = false

    func run() throws {
        let report: CheckReport
        do {
            let configuration = try Configuration.resolve(recordsFlag: records)
            let base = try ScoreService(configuration: configuration).baseRecord(task: task)
            report = try CheckService().check(base: base, submissionPaths: submission)
        } catch {
            printError("srlens: error: \(error)")
            throw ExitCode(2)
        }
        if sarif {
            // SARIF's property names are camelCase (ruleId, physicalLocation, startLine): not the snake_case of
            // srlens's own documents.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            var data = try encoder.encode(SARIFLog(findings: report.findings))
            data.append(0x0A)
            FileHandle.standardOutput.write(data)
        } else if json {
            struct Document: Encodable {
                let schema = "srlens.check/1"
                let tool = ParseDocument.ToolInfo()
                let task: Int
                let base: String
                let submission: String
                let valid: Bool
                let findings: [Finding]
            }
            try JSONOutput.write(Document(task: task, base: report.base, submission: report.submission,
                                          valid: report.isValid, findings: report.findings))
        } else {
            print(CheckText.render(report, terminal: .standardOutput))
        }
        if !report.isValid { throw ExitCode(1) }
    }
}

enum CheckText {
    static func render(_ report: CheckReport, terminal t: Terminal) -> String {
        var out = [t.bold("\(report.submission) against \(report.base)")]
        if report.findings.isEmpty { out.append("  no rule broken") }
        for finding in report.findings {
            let level = finding.severity == .error ? t.red("error") : t.yellow("warning")
            out.append("  \(level) [\(finding.rule)] \(finding.message)")
            for e in finding.submission { out.append("      \(e.path):\(e.range.start)  \(e.code)  \(t.dim(e.note))") }
            for e in finding.base { out.append(t.dim("      base \(e.path):\(e.range.start)  \(e.code)  \(e.note)")) }
        }
        out.append(report.isValid ? t.green("valid run") : t.red("invalid run: an error-level rule is broken"))
        return out.joined(separator: "\n")
    }
}

/// SARIF 2.1.0 (OASIS): one run of the srlens tool, its rules, and one result per finding with the submission's
/// locations (the base record's as related locations).
struct SARIFLog: Encodable {
    let version = "2.1.0"
    let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    let runs: [Run]

    enum CodingKeys: String, CodingKey {
        case version, runs
        case schema = "$schema"
    }

    struct Run: Encodable {
        let tool: Tool
        let results: [Result]
    }

    struct Tool: Encodable { let driver: Driver }

    struct Driver: Encodable {
        let name = "srlens"
        let version = SpeedrunLens.version
        let informationUri = "https://github.com/speedrunlens/srlens/blob/main/docs/rules.md"
        let rules: [RuleDescriptor]
    }

    struct RuleDescriptor: Encodable {
        let id: String
        let shortDescription: Message
        let defaultConfiguration: Configuration
        struct Configuration: Encodable { let level: String }
    }

    struct Message: Encodable { let text: String }

    struct Result: Encodable {
        let ruleId: String
        let ruleIndex: Int
        let level: String
        let message: Message
        let locations: [Location]
        let relatedLocations: [Location]?
    }

    struct Location: Encodable {
        let id: Int?
        let physicalLocation: PhysicalLocation
        let message: Message?
    }

    struct PhysicalLocation: Encodable {
        let artifactLocation: Artifact
        let region: Region
    }

    struct Artifact: Encodable { let uri: String }

    /// SARIF lines and columns are 1-based.
    struct Region: Encodable {
        let startLine: Int
        let startColumn: Int
        let endLine: Int
        let endColumn: Int
        let snippet: Message
    }

    init(findings: [Finding]) {
        let rules = RuleChecker.rules
        let descriptors = rules.map { RuleDescriptor(id: $0.id, shortDescription: Message(text: $0.summary),
                                                       defaultConfiguration: .init(level: $0.severity.rawValue)) }
        func location(_ e: Evidence, id: Int?) -> Location {
            Location(id: id, physicalLocation: PhysicalLocation(
                artifactLocation: Artifact(uri: e.path),
                region: Region(startLine: e.range.start.line + 1, startColumn: e.range.start.column + 1,
                               endLine: e.range.end.line + 1, endColumn: e.range.end.column + 1, snippet: Message(text: e.code))),
                message: Message(text: e.note))
        }
        let results = findings.map { finding in
            // A removal has no place in the submission: the base location stands in as the primary one.
            let primary = finding.submission.isEmpty ? finding.base : finding.submission
            let related = finding.submission.isEmpty ? [] : finding.base
            return Result(ruleId: finding.rule, ruleIndex: rules.firstIndex { $0.id == finding.rule } ?? 0,
                          level: finding.severity.rawValue, message: Message(text: finding.message),
                          locations: primary.map { location($0, id: nil) },
                          relatedLocations: related.isEmpty ? nil : related.enumerated().map { location($1, id: $0) })
        }
        runs = [Run(tool: Tool(driver: Driver(rules: descriptors)), results: results)]
    }
}
