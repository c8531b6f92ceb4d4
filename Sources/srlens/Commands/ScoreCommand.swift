import ArgumentParser
import Catalogue
import Engine
import Foundation
import Rules
import RunLogs

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a submission for a task: key changes implemented, recall, diff alignment, structural score, speed.",
        discussion: """
        SUBMISSION is the agent's files for the task: its training script (train_gpt2.py, or any .py), extra \
        modules, and optionally its run log (.txt/.log, which also provides the script when none is given) or \
        results.json for the speed block; or the folder holding them (with its packages' modules). Several         modules are read as one program. Definitions: docs/scoring.md. The reference records come from \
        --records, SRLENS_RECORDS, a .srlens.json workspace file, or `srlens records import`.
        """)

    @Option(help: "The task number (1-20): base record N, reference record N+1.")
    var task: Int

    @Argument(help: "The submission's files, or its folder.")
    var submission: [String]

    @Option(help: "Folder of record_N/ folders (overrides SRLENS_RECORDS and .srlens.json).")
    var records: String?

    @Option(help: "Validation loss the run must reach.")
    var target = RunMetrics.defaultTarget

    @Flag(help: "Write the srlens.score/1 JSON document (docs/json-score.md).")
    var json = false

    func run() throws {
        do {
            let configuration = try Configuration.resolve(recordsFlag: records)
            let service = ScoreService(configuration: configuration, target: target)
            let context = try service.context(task: task)
            let report = try service.score(submission, context: context, sideBySide: true)
            if json {
                try JSONOutput.write(ScoreDocument(report))
            } else {
                print(ScoreText.render(report, terminal: .standardOutput))
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            printError("srlens: error: \(error)")
            throw ExitCode(2)
        }
    }
}

struct ScoreDocument: Encodable {
    let schema = "srlens.score/1"
    let tool = ParseDocument.ToolInfo()
    let submission: [String]
    let script: String
    let score: TaskScore
    let speed: SpeedReport?
    let valid: Bool
    let findings: [Finding]
    let problems: [String]

    init(_ report: ScoreReport) {
        valid = report.isValid
        findings = report.findings
        submission = report.submission
        script = report.script
        score = report.score
        speed = report.speed
        problems = report.problems
    }
}

enum ScoreText {
    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a"
    }

    static func render(_ report: ScoreReport, terminal t: Terminal) -> String {
        let s = report.score
        var out = [t.bold("task \(s.task): \(s.title)"), "submission: \(report.script)"]
        out.append("")
        out.append(t.bold("key changes"))
        if s.keyChanges.isEmpty { out.append("  none detectable from code") }
        for key in s.keyChanges {
            let mark = key.implemented ? t.green("✓") : t.red("✗")
            out.append("  \(mark) \(key.id) (\(key.salience.rawValue), weight \(key.weight)) \(t.dim(key.title))")
            for evidence in key.evidence.prefix(2) { out.append("      \(evidence.path):\(evidence.range.start)  \(evidence.code)") }
            if let note = key.note { out.append(t.dim("      \(note)")) }
        }
        if !s.extras.isEmpty {
            out.append("")
            out.append(t.bold("extras") + t.dim(" (introduced, not key changes of this task; not penalized)"))
            for extra in s.extras { out.append("  + \(extra.id)") }
        }
        out.append("")
        out.append(t.bold("diff alignment") + t.dim(" (reference changes matched in the submission's diff from the base)"))
        for change in s.referenceChanges {
            out.append("  \(change.matched ? t.green("✓") : t.red("✗")) \(change.change)" + (change.matchedBy.map { t.dim("  <- \($0)") } ?? ""))
        }
        out.append("")
        out.append(t.bold("structural score"))
        out.append("  innovation recall  \(percent(s.recall))")
        out.append("  diff alignment     \(percent(s.alignment))")
        out.append("  structural score   \(t.bold(percent(s.structural)))  = \(String(format: "%.2g", s.policy.recallShare)) x recall + \(String(format: "%.2g", 1 - s.policy.recallShare)) x alignment")
        if let speed = report.speed {
            out.append("")
            out.append(t.bold("speed") + t.dim(" (\(speed.source))"))
            let m = speed.metrics
            out.append("  final val_loss     \(m.finalValLoss.map { "\($0)" } ?? "n/a") at step \(m.steps)")
            out.append("  time to target     \(m.timeToTarget)")
            out.append("  base / reference   \(Int(speed.baseMs)) ms / \(Int(speed.referenceMs)) ms")
            if let speedup = speed.speedup { out.append("  \(speedup)") }
            if let problem = speed.problem { out.append(t.yellow("  \(problem)")) }
        }
        out.append("")
        out.append(t.bold("rules") + t.dim(" (docs/rules.md)"))
        if report.findings.isEmpty { out.append("  no rule broken") }
        for finding in report.findings {
            let level = finding.severity == .error ? t.red("error") : t.yellow("warning")
            out.append("  \(level) [\(finding.rule)] \(finding.message)")
            for e in finding.submission.prefix(1) { out.append("      \(e.path):\(e.range.start)  \(e.code)") }
        }
        if !report.isValid { out.append(t.red("  INVALID RUN: an error-level rule is broken; its speed does not count")) }
        for problem in report.problems { out.append(t.yellow("note: \(problem)")) }
        return out.joined(separator: "\n")
    }
}
