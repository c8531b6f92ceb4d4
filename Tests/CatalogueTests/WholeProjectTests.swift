import Catalogue
import Foundation
import SourceModel
import Testing
import TestSupport

/// Small training repositories of several modules (`Tests/Fixtures/whole-projects/`, see its README): every
/// project's Python files are classified together, as `srlens classify --together` does, so ideas whose parts
/// live in different files (a value in the config module, the optimizer in its own module) must be found.
enum WholeProjects {
    struct Entry: Decodable {
        let files: [String]
        let present: [String]
        let near_miss: [String]
        let known: [String: String]?
    }

    static let root = Fixtures.url("whole-projects")

    static let all: [String: Entry] = {
        guard let data = try? Data(contentsOf: root.appendingPathComponent("manifest.json")),
              let manifest = try? JSONDecoder().decode([String: Entry].self, from: data) else { return [:] }
        return manifest
    }()

    static var projects: [String] { all.keys.sorted() }
}

@Suite struct WholeProjectTests {
    @Test func everyProjectFileIsListed() throws {
        #expect(WholeProjects.all.count >= 8, "Tests/Fixtures/whole-projects lost projects or its manifest")
        for (project, entry) in WholeProjects.all {
            let folder = WholeProjects.root.appendingPathComponent(project)
            let enumerator = FileManager.default.enumerator(atPath: folder.path)
            var onDisk: [String] = []
            while let path = enumerator?.nextObject() as? String { if path.hasSuffix(".py") { onDisk.append(path) } }
            #expect(Set(onDisk) == Set(entry.files), "\(project): the manifest's files differ from the folder's")
        }
    }

    @Test func manifestUsesCatalogueIds() {
        let ids = Set(CatalogueData.shared.innovations.map(\.id))
        for (project, entry) in WholeProjects.all {
            for id in entry.present + entry.near_miss + (entry.known.map { Array($0.keys) } ?? []) {
                #expect(ids.contains(id), "\(project) names an unknown id \(id)")
            }
        }
    }

    @Test(arguments: WholeProjects.projects)
    func project(_ name: String) throws {
        let entry = try #require(WholeProjects.all[name])
        let facts = try entry.files.map { file in
            let bytes = Array(try Data(contentsOf: WholeProjects.root.appendingPathComponent(name).appendingPathComponent(file)))
            return try PythonFacts(file: SourceFile(path: "\(name)/\(file)", language: .python, bytes: bytes))
        }
        let found = Set(Classifier.classify(facts).map(\.id))
        let known = entry.known ?? [:]
        for id in entry.present {
            if let reason = known[id] {
                withKnownIssue("\(id) in \(name): \(reason)") { #expect(found.contains(id)) }
            } else {
                #expect(found.contains(id), "\(id) should be found in \(name)")
            }
        }
        for id in entry.near_miss {
            if let reason = known[id] {
                withKnownIssue("\(id) in \(name): \(reason)") { #expect(!found.contains(id)) }
            } else {
                #expect(!found.contains(id), "\(id) is a near miss in \(name) and should not be found")
            }
        }
    }
}
