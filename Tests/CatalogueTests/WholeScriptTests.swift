import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// Complete training scripts written in other codebases' styles (`Tests/Fixtures/whole-scripts/`, see its
/// README), each with the innovations it implements and the near misses it holds.
enum WholeScripts {
    struct Entry: Decodable {
        let present: [String]
        let near_miss: [String]
        let known: [String: String]?
    }

    static let root = Fixtures.url("whole-scripts")

    /// `set/file.py` with its manifest entry, sorted.
    static let all: [(String, Entry)] = {
        let sets = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return sets.sorted().flatMap { set -> [(String, Entry)] in
            let url = root.appendingPathComponent(set).appendingPathComponent("manifest.json")
            guard let data = try? Data(contentsOf: url),
                  let manifest = try? JSONDecoder().decode([String: Entry].self, from: data) else { return [] }
            return manifest.keys.sorted().map { ("\(set)/\($0)", manifest[$0]!) }
        }
    }()

    static var files: [String] { all.map(\.0) }
}

@Suite struct WholeScriptTests {
    @Test func everyScriptHasAnEntry() throws {
        #expect(WholeScripts.all.count >= 36, "Tests/Fixtures/whole-scripts lost scripts or manifests")
        let sets = try FileManager.default.contentsOfDirectory(atPath: WholeScripts.root.path).filter { !$0.hasSuffix(".md") }
        for set in sets {
            let files = try FileManager.default.contentsOfDirectory(atPath: WholeScripts.root.appendingPathComponent(set).path)
            for file in files where file.hasSuffix(".py") {
                #expect(WholeScripts.files.contains("\(set)/\(file)"), "\(set)/\(file) is not in its manifest")
            }
        }
    }

    @Test func manifestsUseCatalogueIds() {
        let ids = Set(CatalogueData.shared.innovations.map(\.id))
        for (file, entry) in WholeScripts.all {
            for id in entry.present + entry.near_miss + (entry.known.map { Array($0.keys) } ?? []) {
                #expect(ids.contains(id), "\(file) names an unknown id \(id)")
            }
        }
    }

    @Test(arguments: WholeScripts.files)
    func script(_ relative: String) throws {
        let entry = try #require(WholeScripts.all.first { $0.0 == relative }?.1)
        let bytes = Array(try Data(contentsOf: WholeScripts.root.appendingPathComponent(relative)))
        let facts = try PythonFacts(file: SourceFile(path: relative, language: .python, bytes: bytes))
        let found = Set(Classifier.classify([facts]).map(\.id))
        let known = entry.known ?? [:]
        for id in entry.present {
            if let reason = known[id] {
                withKnownIssue("\(id) in \(relative): \(reason)") { #expect(found.contains(id)) }
            } else {
                #expect(found.contains(id), "\(id) should be found in \(relative)")
            }
        }
        for id in entry.near_miss {
            if let reason = known[id] {
                withKnownIssue("\(id) in \(relative): \(reason)") { #expect(!found.contains(id)) }
            } else {
                #expect(!found.contains(id), "\(id) is a near miss in \(relative) and should not be found")
            }
        }
    }
}
