import ArgumentParser
import Catalogue
import Engine
import Foundation
import RunLogs

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Read training logs (modded-nanogpt, llm.c) and results.json: losses, time to target, steps, memory.",
        discussion: """
        Formats are recognized by content (docs/run-logs.md). With --task N the speedup against the task's \
        records is shown: FSR = (t_base - t_run) / (t_base - t_reference). A run that never reaches the target \
        recovers nothing. Exit status: 0 when every log was read, 1 otherwise.
        """)

    @Argument(help: "Run logs (.txt, .log) or results.json files.")
    var logs: [String]

    @Option(help: "Validation loss the run must reach.")
    var target = RunMetrics.defaultTarget

    @Option(help: "Also compute the speedup for this task (1-20).")
    var task: Int?

    @Flag(help: "Write the srlens.run/1 JSON document (docs/json-run.md).")
    var json = false

    struct Entry: Encodable {
        let path: String
        let error: String?
        let format: LogFormat?
        let runs: [RunMetrics]
        let speedup: Speedup?
        let speedupProblem: String?
    }

    func run() throws {
        guard target.isFinite, target > 0 else { throw ValidationError("--target must be a positive number") }
        var spec: TaskSpec?
        if let task {
            guard let found = CatalogueData.shared.task(task) else { throw ValidationError("there is no task \(task) (tasks are 1 to 20)") }
            spec = found
        }
        var entries: [Entry] = []
        for path in logs {
            guard let data = FileManager.default.contents(atPath: path) else {
                entries.append(Entry(path: path, error: "\(path): cannot read the file", format: nil, runs: [], speedup: nil, speedupProblem: nil))
                continue
            }
            do {
                let parsed = try RunLogParser.parse(Array(data), target: target)
                var speedup: Speedup?, problem: String?
                if let spec {
                    if parsed.runs.count == 1 {
                        switch spec.speedup(of: parsed.runs[0].timeToTarget) {
                        case .success(let value): speedup = value
                        case .failure(let error): problem = error.description
                        }
                    } else {
                        problem = "the log holds \(parsed.runs.count) runs: no single speedup"
                    }
                }
                entries.append(Entry(path: path, error: nil, format: parsed.format, runs: parsed.runs, speedup: speedup, speedupProblem: problem))
            } catch {
                entries.append(Entry(path: path, error: "\(path): \(error.description)", format: nil, runs: [], speedup: nil, speedupProblem: nil))
            }
        }
        if json {
            struct Document: Encodable {
                let schema = "srlens.run/1"
                let tool = ParseDocument.ToolInfo()
                let target: Double
                let task: Int?
                let logs: [Entry]
            }
            try JSONOutput.write(Document(target: target, task: task, logs: entries))
        } else {
            let t = Terminal.standardOutput
            for entry in entries {
                if let error = entry.error {
                    printError("srlens: error: \(error)")
                    continue
                }
                print(t.bold(entry.path) + t.dim("  (\(entry.format.map { "\($0)" } ?? ""))"))
                for (i, run) in entry.runs.enumerated() {
                    if entry.runs.count > 1 { print("  run \(i + 1)" + (run.lines.map { t.dim(" (lines \($0.lowerBound)-\($0.upperBound))") } ?? "")) }
                    print("  final val_loss    \(run.finalValidation.map { "\($0.loss) at step \($0.step)" } ?? "none logged")")
                    print("  best val_loss     \(run.bestValidation.map { "\($0.loss) at step \($0.step)" } ?? "none logged")")
                    let reached = run.reachedTarget ? t.green("\(run.timeToTarget)") : t.red("\(run.timeToTarget)")
                    print("  target \(target)     \(reached)")
                    print("  steps             \(run.steps)" + (run.plannedSteps.map { " of \($0)" } ?? "") + "  \(t.dim("\(run.completion)"))")
                    if let mean = run.meanStepTimeMs { print("  mean step time    \(String(format: "%.2f", mean)) ms") }
                    if let memory = run.peakMemory {
                        print("  peak memory       \(memory.allocatedMiB) MiB allocated" + (memory.reservedMiB.map { ", \($0) MiB reserved" } ?? ""))
                    }
                    if let script = run.script { print("  embedded script   lines \(script.lines.lowerBound)-\(script.lines.upperBound) (\(script.bytes.count) bytes)") }
                    for warning in run.warnings { print(t.yellow("  warning: \(warning)")) }
                }
                if let speedup = entry.speedup { print("  speedup (task \(task!))  \(speedup)") }
                if let problem = entry.speedupProblem { print(t.yellow("  speedup: \(problem)")) }
            }
        }
        if entries.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}
