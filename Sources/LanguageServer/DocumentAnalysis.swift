import Catalogue
import Engine
import Foundation
import Rules
import SourceModel
import TreeSitterKit

/// Everything the editor features show for one version of a document: the innovations (Python) or CUDA techniques
/// found, with evidence; for a workspace task, the key changes missing and the rule findings against the base.
public struct DocumentAnalysis: Sendable {
    public let uri: String
    public private(set) var version: Int
    public var detections: [Detection] = []
    public var techniques: [TechniqueReport] = []
    public var missingKeyChanges: [TaskSpec.KeyChange] = []
    public var findings: [Finding] = []
    /// The task the analysis was made for, if any.
    public var task: Int?
    /// Why something could not be analysed (records missing, a syntax error...).
    public var problems: [String] = []
    /// Whether `detections` holds every innovation found; false when only the task's key changes were looked
    /// for (what diagnostics need; see `Scope`).
    public private(set) var complete = true

    /// What an analysis looks for.
    public enum Scope: Sendable {
        /// Every innovation and CUDA technique: for lenses, hovers and `speedrun/classify`.
        case everything
        /// What diagnostics show: the task's key changes and the rules. Without a task, the same as everything.
        case diagnostics
    }

    /// The same analysis for another version with the same text.
    mutating func reversion(_ version: Int) { self.version = version }

    /// Analyses a document. `context` is the workspace task's base and reference, when a task is configured.
    public static func analyze(_ document: OpenDocument, context: ScoreService.TaskContext?, contextProblem: String?,
                               scope: Scope = .everything) -> DocumentAnalysis {
        var analysis = DocumentAnalysis(uri: document.uri, version: document.version)
        let keyChanges = context.map { Set($0.task.keyChanges.map(\.id)) }
        let only = scope == .diagnostics ? keyChanges : nil
        analysis.complete = only == nil
        analysis.task = context?.task.task
        if let contextProblem { analysis.problems.append(contextProblem) }
        let file = document.sourceFile
        switch document.language {
        case .python:
            guard let tree = document.tree else {
                analysis.problems += document.parseProblem.map { [$0] } ?? []
                return analysis
            }
            let facts = PythonFacts(file: file, tree: tree)
            // CUDA held in the script's strings (`load_inline`, cupy): its techniques, and the Python-level
            // innovations its kernels implement.
            let embedded = cudaSources(file, pythonTree: tree, into: &analysis)
            guard let context else {
                analysis.detections = Classifier.classify([facts], cuda: embedded, only: only)
                break
            }
            // The detectors, and the diff and rules against the base, on two threads: an editor waits for both.
            // Each side reads its own facts (they compute lazily); the normalized tree, which both need, is built
            // once before they part.
            let ruleFacts = PythonFacts(file: file, tree: tree, normalized: facts.normalized)
            var detections: [Detection] = []
            let findings = WorkerThreads.both({ detections = Classifier.classify([facts], cuda: embedded, only: only) },
                                              { Result { try context.findings(ruleFacts, diff: context.diff(ruleFacts)) } })
            analysis.detections = detections
            let found = Set(analysis.detections.map(\.id))
            analysis.missingKeyChanges = context.task.keyChanges.filter { !found.contains($0.id) }
            switch findings {
            case .success(let list): analysis.findings = list
            case .failure(let error): analysis.problems.append("rules not checked: \(error)")
            }
        case .cuda:
            let sources = cudaSources(file, into: &analysis)
            analysis.detections = Classifier.classify([], cuda: sources)
            analysis.complete = true
        case nil:
            break
        }
        return analysis
    }

    /// The complete analysis of a version whose diagnostics-scope analysis `partial` is known: its rule findings,
    /// missing key changes and problems stand (they do not depend on the scope); every innovation is looked for.
    public static func completing(_ partial: DocumentAnalysis, _ document: OpenDocument) -> DocumentAnalysis {
        guard !partial.complete, document.language == .python, let tree = document.tree else { return partial }
        var analysis = partial
        let file = document.sourceFile
        let embedded = cudaSources(file, pythonTree: tree, into: &analysis)
        analysis.problems = partial.problems
        analysis.detections = Classifier.classify([PythonFacts(file: file, tree: tree)], cuda: embedded)
        analysis.complete = true
        return analysis
    }

    /// The analysis of `document` carried over from `previous`, the analysis of the version `document` was edited
    /// from, when both versions hold the same code (`CodeCorrespondence`): a comment or blank line added, edited
    /// or removed, code re-indented within its blocks. Nothing the analysis reads changed, so only its ranges
    /// move. nil when the code differs, the analysis includes CUDA (its ranges come from another parser), or a
    /// range does not fall on node boundaries of both versions; the document is then analysed anew.
    public static func carriedOver(_ previous: DocumentAnalysis, from oldTree: Tree, to document: OpenDocument) -> DocumentAnalysis? {
        guard document.language == .python, previous.techniques.isEmpty, let tree = document.tree,
              let correspondence = CodeCorrespondence(old: oldTree, new: tree, ignoring: ["comment"]) else { return nil }
        let file = document.sourceFile
        func moved(_ evidence: Evidence) -> Evidence? {
            guard evidence.path == file.path else { return evidence }
            let old = evidence.range.startByte..<evidence.range.endByte
            guard let range = correspondence.newRange(for: old) else { return nil }
            return Evidence(path: evidence.path, range: file.lines.range(range), code: file.snippet(range), note: evidence.note)
        }
        var analysis = previous
        analysis.version = document.version
        for d in analysis.detections.indices {
            for e in analysis.detections[d].evidence.indices {
                guard let evidence = moved(analysis.detections[d].evidence[e]) else { return nil }
                analysis.detections[d].evidence[e] = evidence
            }
        }
        for f in analysis.findings.indices {
            for e in analysis.findings[f].submission.indices {
                guard let evidence = moved(analysis.findings[f].submission[e]) else { return nil }
                analysis.findings[f].submission[e] = evidence
            }
        }
        return analysis
    }

    /// The CUDA sources of a file (itself, or the kernels embedded in a Python script), with their techniques
    /// recorded in `analysis`.
    private static func cudaSources(_ file: SourceFile, pythonTree: Tree? = nil, into analysis: inout DocumentAnalysis) -> [CUDAFacts] {
        do {
            let sources = try TechniqueService().sources(file, pythonTree: pythonTree)
            analysis.techniques = sources.map { TechniqueClassifier.classify($0) }
            return sources
        } catch {
            analysis.problems.append("CUDA techniques not classified: \(error)")
            return []
        }
    }
}
