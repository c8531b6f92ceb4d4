import Catalogue
import Foundation
import Parsing
import Rules
import RunLogs
import SemanticDiff
import SourceModel

/// Everything `srlens score` reports for one submission.
public struct ScoreReport: Sendable {
    public var submission: [String]
    public var script: String
    public var score: TaskScore
    public var speed: SpeedReport?
    /// Rule findings against the base; an error-level finding makes the run invalid.
    public var findings: [Finding]
    public var problems: [String]

    public var isValid: Bool { !findings.contains { $0.severity == .error } }
}

/// The wall-clock side of a score: the run's metrics and the speedup against the task's records.
public struct SpeedReport: Sendable, Codable {
    public var source: String
    public var metrics: RunMetrics
    public var baseMs: Double
    public var referenceMs: Double
    public var speedup: Speedup?
    public var problem: String?
}

public enum ScoreError: Error, CustomStringConvertible {
    case unknownTask(Int)
    case records(String)
    case noScript([String])
    case diff(String)

    public var description: String {
        switch self {
        case .unknownTask(let n): "there is no task \(n) (tasks are 1 to 20)"
        case .records(let message): message
        case .noScript(let problems): "no Python training script to score" + (problems.isEmpty ? "" : ": " + problems.joined(separator: "; "))
        case .diff(let message): message
        }
    }
}

/// Scores submissions for a task against the reference records.
public struct ScoreService: Sendable {
    public var configuration: Configuration
    public var loader: SourceLoader
    public var policy: ScoringPolicy
    public var target: Double

    public init(configuration: Configuration, loader: SourceLoader = SourceLoader(), policy: ScoringPolicy = ScoringPolicy(),
                target: Double = RunMetrics.defaultTarget) {
        self.configuration = configuration
        self.loader = loader
        self.policy = policy
        self.target = target
    }

    /// Base and reference of a task, loaded and classified once for many submissions.
    public struct TaskContext: Sendable {
        public let task: TaskSpec
        public let base: SourceFile
        public let baseDetections: [Detection]
        public let referenceDiff: SemanticDiffResult
        /// The base parsed and lowered once, for diffing submissions against it.
        public let baseSide: DiffService.PreparedSide
        /// The base's facts for the rules, one warm copy per thread.
        public let baseFacts: FactsPool
        public let diffService: DiffService

        /// The submission's semantic diff from the base. Its tree comes from its facts, lowered once (the facts
        /// keep the normalized tree the detectors read, which is the one the diff needs under the standard
        /// normalization); the base was prepared with the context.
        public func diff(_ submission: PythonFacts) -> SemanticDiffResult {
            let lowered = diffService.normalization == .standard ? submission.normalized : nil
            let side = diffService.prepare(submission.file, tree: submission.tree, lowered: lowered)
            return diffService.diff(baseSide, side)
        }

        /// The rule findings of a submission whose diff from the base is `diff`. `files`: the submission's files as
        /// written, when `submission` is the program its modules make together.
        public func findings(_ submission: PythonFacts, diff: SemanticDiffResult, siblingModules: Set<String> = [],
                             files: [PythonFacts]? = nil) throws -> [Finding] {
            try baseFacts.withFacts { base in
                RuleChecker.check(RuleContext(base: base, submission: submission, diff: diff, siblingModules: siblingModules, files: files))
            }
        }
    }

    public func context(task number: Int) throws -> TaskContext {
        let (task, records) = try records(for: number, needing: \.referenceRecord)
        let base = try load(records.script(task.baseRecord))
        let reference = try load(records.script(task.referenceRecord))
        let baseFacts = try PythonFacts(file: base)
        let diffService = DiffService()
        // The base's side reuses the tree and normalized tree its facts already hold.
        let baseSide = diffService.prepare(base, tree: baseFacts.tree,
                                           lowered: diffService.normalization == .standard ? baseFacts.normalized : nil)
        guard case let .success(referenceSide) = diffService.prepare(reference) else {
            throw ScoreError.diff("could not diff the base and reference records of task \(number)")
        }
        return TaskContext(task: task, base: base, baseDetections: Classifier.classify([baseFacts]),
                           referenceDiff: diffService.diff(baseSide, referenceSide), baseSide: baseSide,
                           baseFacts: FactsPool(file: base, seed: baseFacts), diffService: diffService)
    }

    /// The base record of a task alone (what `srlens check` needs; no reference, no classification).
    public func baseRecord(task number: Int) throws -> SourceFile {
        let (task, records) = try records(for: number, needing: nil)
        return try load(records.script(task.baseRecord))
    }

    /// The task and the record set, checked to hold its base record (and `needing`, when given).
    private func records(for number: Int, needing other: KeyPath<TaskSpec, Int>?) throws -> (TaskSpec, RecordSet) {
        guard let task = CatalogueData.shared.task(number) else { throw ScoreError.unknownTask(number) }
        let records = RecordSet(root: configuration.recordsPath ?? "")
        do {
            try records.require([task.baseRecord] + (other.map { [task[keyPath: $0]] } ?? []), origin: configuration.recordsOrigin)
        } catch {
            throw ScoreError.records(error.description)
        }
        return (task, records)
    }

    func load(_ path: String) throws -> SourceFile {
        switch loader.load(path) {
        case .success(let file): return file
        case .failure(let error): throw ScoreError.records(error.description)
        }
    }

    /// Scores one submission: its Python files (a run log counts as the script it embeds and as the run), and
    /// optionally a run log or `results.json` for the speed.
    ///
    /// `sideBySide`: classify on the calling thread while another thread diffs the script against the base and
    /// checks the rules (for one waiting caller; a batch, which already fills every core, leaves it off).
    public func score(_ paths: [String], context: TaskContext, sideBySide: Bool = false) throws -> ScoreReport {
        var scripts: [String] = [], runs: [String] = [], problems: [String] = []
        // A folder stands for the submission it holds (its scripts, its packages' modules, its run files).
        let paths = SubmissionDiscovery.expandingFolders(paths)
        for path in paths {
            let name = (path as NSString).lastPathComponent
            if name.hasSuffix(".json") {
                runs.append(path)
            } else if name.hasSuffix(".txt") || name.hasSuffix(".log") {
                runs.append(path)
                if case .success = loader.load(path) { scripts.append(path) }
            } else {
                scripts.append(path)
            }
        }
        let classifier = ClassifyService(loader: loader)
        let analysis = classifier.analyze(scripts)
        let facts = analysis.facts
        problems += analysis.problems
        guard !facts.isEmpty else { throw ScoreError.noScript(problems) }
        let main = facts.first { ($0.path as NSString).lastPathComponent == "train_gpt2.py" } ?? facts[0]
        let siblings = scripts.filter { $0 != main.path && $0.hasSuffix(".py") }
        let modules = Self.moduleNames(siblings, besides: main.path)
        // A submission split into modules is classified, diffed and checked as the one program they make (see
        // `ModuleBundle`), joined once; its evidence and findings go back to their own files.
        let bundle = facts.count > 1 ? ModuleBundle(facts) : nil
        // The rules read the same diff the score uses: no second diff.
        func diffAndRules(_ program: PythonFacts) -> (SemanticDiffResult, Result<[Finding], Error>) {
            let diff = context.diff(program)
            return (diff, Result {
                let findings = try context.findings(program, diff: diff, siblingModules: modules, files: bundle == nil ? nil : facts)
                return bundle?.mapBack(findings) ?? findings
            })
        }
        var detections: [Detection] = []
        let submissionDiff: SemanticDiffResult, checked: Result<[Finding], Error>
        if sideBySide, facts.count == 1 {
            // Facts compute lazily and stay on one thread: the rules get their own, sharing the normalized tree.
            let ruleFacts = PythonFacts(file: main.file, tree: main.tree, normalized: main.normalized)
            (submissionDiff, checked) = WorkerThreads.both({ detections = classifier.detections(analysis) }, { diffAndRules(ruleFacts) })
        } else {
            detections = classifier.detections(analysis, bundle: bundle)
            (submissionDiff, checked) = diffAndRules(bundle?.facts ?? main)
        }
        let score = TaskScorer.score(task: context.task, base: context.baseDetections, submission: detections,
                                     referenceDiff: context.referenceDiff, submissionDiff: submissionDiff, policy: policy)
        var speed: SpeedReport?
        if let run = runs.first {
            switch self.speed(run, task: context.task) {
            case .success(let report): speed = report
            case .failure(let problem): problems.append(problem.message)
            }
        }
        var findings: [Finding] = []
        switch checked {
        case .success(let list): findings = list
        case .failure(let error): problems.append("rules not checked: \(error)")
        }
        return ScoreReport(submission: paths, script: main.path, score: score, speed: speed, findings: findings, problems: problems)
    }

    /// The names by which the entry script can import the other files: `layers` for `layers.py`, and for
    /// `model/gpt.py` beside it `gpt`, `model` (the package) and `model.gpt`.
    static func moduleNames(_ siblings: [String], besides main: String) -> Set<String> {
        let folder = ((main as NSString).deletingLastPathComponent as NSString).standardizingPath
        var names = Set<String>()
        for path in siblings {
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            if name != "__init__" { names.insert(name) }
            let full = (path as NSString).standardizingPath
            guard full.hasPrefix(folder + "/") else { continue }
            var parts = String(full.dropFirst(folder.count + 1)).split(separator: "/").map(String.init)
            parts[parts.count - 1] = (parts[parts.count - 1] as NSString).deletingPathExtension
            if parts.last == "__init__" { parts.removeLast() }
            for count in parts.indices.map({ $0 + 1 }) { names.insert(parts.prefix(count).joined(separator: ".")) }
        }
        return names
    }

    public struct SpeedProblem: Error {
        public var message: String
    }

    /// The speed block from a run log or results.json.
    public func speed(_ path: String, task: TaskSpec) -> Result<SpeedReport, SpeedProblem> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(SpeedProblem(message: "\(path): cannot read the run log"))
        }
        let metrics: RunMetrics
        do {
            metrics = try RunLogParser.parse(Array(data), target: target).singleRun()
        } catch {
            return .failure(SpeedProblem(message: "\(path): \(error.description)"))
        }
        var report = SpeedReport(source: path, metrics: metrics, baseMs: task.baseTimeMs, referenceMs: task.referenceTimeMs)
        switch task.speedup(of: metrics.timeToTarget) {
        case .success(let speedup): report.speedup = speedup
        case .failure(let error): report.problem = error.description
        }
        return .success(report)
    }
}
