import Catalogue
import Foundation
import SourceModel

/// The innovations found in one file (or in a set of files analysed together).
public struct ClassifyReport: Sendable {
    public var paths: [String]
    public var detections: [Detection]
    /// Files that could not be read or are not Python, each with a one-line reason.
    public var problems: [String]
}

/// Loads files and runs the innovation detectors.
public struct ClassifyService {
    public var loader: SourceLoader

    public init(loader: SourceLoader = SourceLoader()) { self.loader = loader }

    /// The facts of each Python file among `paths` (a run log gives the script it embeds), and a message for
    /// each path that could not be used.
    public func facts(_ paths: [String]) -> (facts: [PythonFacts], problems: [String]) {
        var facts: [PythonFacts] = [], problems: [String] = []
        for path in paths {
            switch loader.load(path) {
            case .failure(let error):
                problems.append(error.description)
            case .success(let file):
                guard file.language == .python else {
                    problems.append("\(path): CUDA files are not classified for Python innovations")
                    continue
                }
                do {
                    facts.append(try PythonFacts(file: file))
                } catch {
                    problems.append("\(path): \(error)")
                }
            }
        }
        return (facts, problems)
    }

    /// Classifies each path on its own.
    public func classifyEach(_ paths: [String]) -> [ClassifyReport] {
        paths.map { path in
            let (facts, problems) = self.facts([path])
            return ClassifyReport(paths: [path], detections: facts.isEmpty ? [] : Classifier.classify(facts), problems: problems)
        }
    }

    /// Classifies the files as one submission.
    public func classifyTogether(_ paths: [String]) -> ClassifyReport {
        let (facts, problems) = self.facts(paths)
        return ClassifyReport(paths: paths, detections: facts.isEmpty ? [] : Classifier.classify(facts), problems: problems)
    }
}
