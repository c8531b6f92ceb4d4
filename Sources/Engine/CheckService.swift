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

    public func check(base: SourceFile, submissionPaths: [String]) throws -> CheckReport {
        let scripts = submissionPaths.filter { !$0.hasSuffix(".json") }
        let main = scripts.first { ($0 as NSString).lastPathComponent == "train_gpt2.py" } ?? scripts.first
        guard let main else { throw ScoreError.noScript([]) }
        switch loader.load(main) {
        case .success(let file):
            let others = scripts.filter { path in path != main && [".py", ".cu", ".cuh"].contains { path.hasSuffix($0) } }
            return try check(base: base, submission: file, siblings: others)
        case .failure(let error):
            throw ScoreError.noScript([error.description])
        }
    }
}
