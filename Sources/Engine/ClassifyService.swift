import Catalogue
import Foundation
import TreeSitterKit
import SourceModel

/// The innovations found in one file (or in a set of files analysed together).
public struct ClassifyReport: Sendable {
    public var paths: [String]
    public var detections: [Detection]
    /// CUDA techniques per kernel, for CUDA files and CUDA embedded in Python strings.
    public var techniques: [TechniqueReport] = []
    /// Files that could not be read or are not Python, each with a one-line reason.
    public var problems: [String]
}

/// Loads files and runs the innovation detectors.
public struct ClassifyService {
    public var loader: SourceLoader

    public init(loader: SourceLoader = SourceLoader()) { self.loader = loader }

    /// What a file set holds, each file loaded and parsed once: the facts of its Python files (a run log gives
    /// the script it embeds), its CUDA sources (CUDA files, and CUDA embedded in the Python files), and a message
    /// for each path that could not be used.
    public struct Analysis {
        public var facts: [PythonFacts] = []
        public var cuda: [CUDAFacts] = []
        public var problems: [String] = []
    }

    public func analyze(_ paths: [String]) -> Analysis {
        var analysis = Analysis()
        let techniques = TechniqueService(loader: loader)
        for path in paths {
            switch loader.load(path) {
            case .failure(let error):
                analysis.problems.append(error.description)
            case .success(let file):
                var pythonTree: Tree?
                if file.language == .python {
                    do {
                        let facts = try PythonFacts(file: file)
                        analysis.facts.append(facts)
                        pythonTree = facts.tree
                    } catch {
                        // The CUDA in the script's strings would be looked for in the same unreadable tree.
                        analysis.problems.append("\(path): \(error)")
                        continue
                    }
                }
                do {
                    // The script's tree is reused to find CUDA in its strings.
                    analysis.cuda += try techniques.sources(file, pythonTree: pythonTree)
                } catch {
                    analysis.problems.append("\(path): CUDA not analysed: \(error)")
                }
            }
        }
        return analysis
    }

    /// Innovations of an analysed file set: Python detectors, plus CUDA kernels that compute a catalogued operation.
    /// `bundle`: the program the analysis's modules make, when the caller has joined them already (it is then
    /// classified as that one program, as `Classifier` would join them, and not joined again).
    public func detections(_ analysis: Analysis, bundle: ModuleBundle? = nil) -> [Detection] {
        guard let bundle else { return Classifier.classify(analysis.facts, cuda: analysis.cuda) }
        return bundle.mapBack(Classifier.classify([bundle.facts], cuda: analysis.cuda))
    }

    /// Classifies each path on its own.
    public func classifyEach(_ paths: [String]) -> [ClassifyReport] {
        paths.map { classifyTogether([$0]) }
    }

    /// Classifies the files as one submission.
    public func classifyTogether(_ paths: [String]) -> ClassifyReport {
        let analysis = analyze(paths)
        var report = ClassifyReport(paths: paths, detections: detections(analysis), problems: analysis.problems)
        report.techniques = analysis.cuda.map { TechniqueClassifier.classify($0) }
        return report
    }
}
