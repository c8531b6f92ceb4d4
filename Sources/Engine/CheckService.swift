import Catalogue
import Foundation
import Rules
import SemanticDiff
import SourceModel

/// The rule findings of one submission against its task's base record.
public struct CheckReport: Sendable {
    public var submission: String
    public var base: String
    public var findings: [Finding]

    /// A run with an error-level finding is not a valid benchmark run.
    public var isValid: Bool { !findings.contains { $0.severity == .error } }
}

/// Checks submissions against the benchmark's rules.
public struct CheckService {
    public var loader: SourceLoader

    public init(loader: SourceLoader = SourceLoader()) { self.loader = loader }

    /// Checks a submission's script against a base file. `siblings` are the other files of the submission.
    public func check(base: SourceFile, submission: SourceFile, siblings: [String] = []) throws -> CheckReport {
        guard case let .success(diff) = DiffService().diff(base, submission) else {
            throw ScoreError.diff("could not diff \(submission.path) against \(base.path)")
        }
        let modules = Set(siblings.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension })
        let context = RuleContext(base: try PythonFacts(file: base), submission: try PythonFacts(file: submission),
                                  diff: diff, siblingModules: modules)
        return CheckReport(submission: submission.path, base: base.path, findings: RuleChecker.check(context))
    }

    /// Checks a submission given as files: its training script (`train_gpt2.py`, else the first), the modules it
    /// brings and other files. A submission split into Python modules is checked as the program they make together
    /// (see `ModuleBundle`), as `srlens score` checks it: each finding points into the module it comes from.
    public func check(base: SourceFile, submissionPaths: [String]) throws -> CheckReport {
        // A folder stands for the submission it holds.
        let submissionPaths = SubmissionDiscovery.expandingFolders(submissionPaths)
        let scripts = submissionPaths.filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".txt") && !$0.hasSuffix(".log") }
        let main = scripts.first { ($0 as NSString).lastPathComponent == "train_gpt2.py" } ?? scripts.first
        guard let main else { throw ScoreError.noScript([]) }
        let file: SourceFile
        switch loader.load(main) {
        case .success(let loaded): file = loaded
        case .failure(let error): throw ScoreError.noScript([error.description])
        }
        let others = scripts.filter { path in path != main && [".py", ".cu", ".cuh"].contains { path.hasSuffix($0) } }
        var modules = [try PythonFacts(file: file)]
        for path in others where path.hasSuffix(".py") {
            if case .success(let module) = loader.load(path) { modules.append(try PythonFacts(file: module)) }
        }
        guard modules.count > 1, let bundle = ModuleBundle(modules) else { return try check(base: base, submission: file, siblings: others) }
        guard case let .success(diff) = DiffService().diff(base, bundle.facts.file) else {
            throw ScoreError.diff("could not diff \(main) and its modules against \(base.path)")
        }
        let context = RuleContext(base: try PythonFacts(file: base), submission: bundle.facts, diff: diff,
                                  siblingModules: ScoreService.moduleNames(others, besides: main), files: modules)
        return CheckReport(submission: main, base: base.path, findings: bundle.mapBack(RuleChecker.check(context)))
    }
}
