import Catalogue
import Foundation
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

    /// The facts of each Python file among `paths` (a run log gives the script it embeds), and a message for
    /// each path that could not be used.
    public func facts(_ paths: [String]) -> (facts: [PythonFacts], problems: [String]) {
        var facts: [PythonFacts] = [], problems: [String] = []
        for path in paths {
            switch loader.load(path) {
            case .failure(let error):
                problems.append(error.description)
            case .success(let file):
                guard file.language == .python else { continue }
                do {
                    facts.append(try PythonFacts(file: file))
                } catch {
                    problems.append("\(path): \(error)")
                }
            }
        }
        return (facts, problems)
    }

    /// The CUDA sources among `paths`: CUDA files, and CUDA embedded in Python files.
    public func cudaSources(_ paths: [String]) -> [CUDAFacts] {
        paths.flatMap { path -> [CUDAFacts] in
            guard case let .success(file) = loader.load(path) else { return [] }
            return (try? TechniqueService(loader: loader).sources(file)) ?? []
        }
    }

    /// Innovations of a file set: Python detectors, plus CUDA kernels that compute a catalogued operation.
    public func detections(_ paths: [String], facts: [PythonFacts]) -> [Detection] {
        Classifier.classify(facts, cuda: cudaSources(paths))
    }

    /// Classifies each path on its own.
    public func classifyEach(_ paths: [String]) -> [ClassifyReport] {
        paths.map { path in
            let (facts, problems) = self.facts([path])
            var report = ClassifyReport(paths: [path], detections: detections([path], facts: facts), problems: problems)
            techniques(path, into: &report)
            return report
        }
    }

    /// Classifies the files as one submission.
    public func classifyTogether(_ paths: [String]) -> ClassifyReport {
        let (facts, problems) = self.facts(paths)
        var report = ClassifyReport(paths: paths, detections: detections(paths, facts: facts), problems: problems)
        for path in paths { techniques(path, into: &report) }
        return report
    }

    /// CUDA techniques of a path's kernels (a CUDA file, or CUDA embedded in a Python file).
    func techniques(_ path: String, into report: inout ClassifyReport) {
        guard case let .success(file) = loader.load(path) else { return }
        do {
            report.techniques += try TechniqueService(loader: loader).classify(file)
        } catch {
            report.problems.append("\(path): CUDA techniques not classified: \(error)")
        }
    }
}
