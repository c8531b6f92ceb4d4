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

    /// The same analysis for another version with the same text.
    mutating func reversion(_ version: Int) { self.version = version }

    /// Analyses a document. `context` is the workspace task's base and reference, when a task is configured.
    public static func analyze(_ document: OpenDocument, context: ScoreService.TaskContext?, contextProblem: String?) -> DocumentAnalysis {
        var analysis = DocumentAnalysis(uri: document.uri, version: document.version)
        analysis.task = context?.task.task
        if let contextProblem { analysis.problems.append(contextProblem) }
        let file = document.sourceFile
        switch document.language {
        case .python:
            guard let tree = document.tree else { return analysis }
            let facts = PythonFacts(file: file, tree: tree)
            // CUDA held in the script's strings (`load_inline`, cupy): its techniques, and the Python-level
            // innovations its kernels implement.
            let embedded = cudaSources(file, pythonTree: tree, into: &analysis)
            analysis.detections = Classifier.classify([facts], cuda: embedded)
            if let context {
                let found = Set(analysis.detections.map(\.id))
                analysis.missingKeyChanges = context.task.keyChanges.filter { !found.contains($0.id) }
                do {
                    analysis.findings = try context.findings(facts, diff: context.diff(facts))
                } catch {
                    analysis.problems.append("rules not checked: \(error)")
                }
            }
        case .cuda:
            let sources = cudaSources(file, into: &analysis)
            analysis.detections = Classifier.classify([], cuda: sources)
        case nil:
            break
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
