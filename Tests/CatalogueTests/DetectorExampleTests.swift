import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport
import TreeSitterGrammars
import TreeSitterKit

/// The examples beside each detector (`queries/python/<id>/examples/pos_*.py` and `neg_*.py`).
enum DetectorExamples {
    static let root = Fixtures.repositoryRoot.appendingPathComponent("queries/python")

    /// `id/examples/file.py` for every example, sorted.
    static let all: [String] = {
        guard let ids = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return ids.sorted().flatMap { id -> [String] in
            let folder = root.appendingPathComponent(id).appendingPathComponent("examples")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return files.filter { $0.hasSuffix(".py") }.sorted().map { "\(id)/examples/\($0)" }
        }
    }()

    static func facts(_ relative: String) throws -> PythonFacts {
        let url = root.appendingPathComponent(relative)
        let file = SourceFile(path: relative, language: .python, bytes: Array(try Data(contentsOf: url)))
        return try PythonFacts(file: file)
    }
}

@Suite struct DetectorExampleTests {
    @Test(arguments: DetectorExamples.all)
    func example(_ relative: String) throws {
        let id = String(relative.split(separator: "/")[0])
        let detector = try #require(DetectorRegistry.detector(id), "no detector for \(id)")
        // Read as the classifier reads a script (its own switches configure it), with this detector alone.
        let evidence = Classifier.classify([try DetectorExamples.facts(relative)], detectors: [detector]).flatMap(\.evidence)
        let name = relative.split(separator: "/").last.map(String.init) ?? relative
        if name.hasPrefix("pos_") {
            #expect(!evidence.isEmpty, "\(id) should be detected in \(name)")
        } else {
            #expect(evidence.isEmpty, "\(id) should not be detected in \(name): \(evidence.map { "\($0.range.start): \($0.code)" })")
        }
    }

    @Test func everyDetectableInnovationHasADetectorAndExamples() {
        for innovation in CatalogueData.shared.innovations where innovation.detectable {
            #expect(DetectorRegistry.detector(innovation.id) != nil, "no detector for \(innovation.id)")
            let examples = DetectorExamples.all.filter { $0.hasPrefix(innovation.id + "/") }
            #expect(examples.contains { $0.contains("/pos_") } && examples.contains { $0.contains("/neg_") },
                    "\(innovation.id) needs positive and negative examples")
        }
        #expect(DetectorRegistry.detector("pytorch_2_5_upgrade") == nil)
    }

    @Test func everyDetectorIsCatalogued() {
        for detector in DetectorRegistry.all {
            #expect(CatalogueData.shared.innovation(detector.id) != nil, "\(detector.id) is not in Tasks/innovations.json")
        }
        #expect(Set(DetectorRegistry.all.map(\.id)).count == DetectorRegistry.all.count, "one detector per id")
    }

    @Test func queryFilesCompile() throws {
        for path in CatalogueData.paths where path.hasSuffix(".scm") && path.hasPrefix("queries/python/") {
            let source = try #require(CatalogueData.text(path))
            #expect(throws: Never.self, "\(path)") { try Query(language: .python, source: source) }
        }
    }
}
