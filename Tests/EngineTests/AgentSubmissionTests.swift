import Catalogue
import Engine
import Foundation
import Testing
import TestSupport

/// Agent-like submissions written blind (`Tests/Fixtures/agent-submissions/`, see its README): for one task each,
/// the base record changed to implement the task's key changes in the writer's own way, sometimes only some of
/// them, sometimes with a near miss. Each is kept as an edit script over the corpus record.
enum AgentSubmissions {
    struct Entry: Decodable {
        let task: Int
        let base_record: Int
        let base_fnv1a64: String
        let implemented: [String]
        let not_implemented: [String]
        let near_miss: [String]
        let known: [String: String]?
    }

    static let root = Fixtures.url("agent-submissions")

    static let all: [String: Entry] = {
        guard let data = try? Data(contentsOf: root.appendingPathComponent("manifest.json")) else { return [:] }
        return (try? JSONDecoder().decode([String: Entry].self, from: data)) ?? [:]
    }()

    static var names: [String] { all.keys.sorted() }

    /// The submission's files, each an edit script applied to the corpus record it was written from: for
    /// `name.ed`, its training script; for a folder (a submission split into modules), every `path.py.ed` in it
    /// as `path.py`, the entry script `train_gpt2.py` first.
    static func files(_ name: String, _ entry: Entry) throws -> [(path: String, text: String)] {
        let baseData = try Data(contentsOf: Corpus.record(entry.base_record))
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in baseData { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        guard String(format: "%016llx", hash) == entry.base_fnv1a64 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "record \(entry.base_record) differs from the one \(name) was written against"])
        }
        let base = String(decoding: baseData, as: UTF8.self)
        let location = root.appendingPathComponent(name)
        guard !name.hasSuffix(".ed") else {
            return [("train_gpt2.py", try EditScript.apply(try String(contentsOf: location, encoding: .utf8), to: base))]
        }
        var result: [(path: String, text: String)] = []
        for relative in try moduleScripts(name) {
            let script = try String(contentsOf: location.appendingPathComponent(relative), encoding: .utf8)
            result.append((String(relative.dropLast(3)), try EditScript.apply(script, to: base)))
        }
        let entry = result.filter { $0.path == "train_gpt2.py" }
        return entry + result.filter { $0.path != "train_gpt2.py" }.sorted { $0.path < $1.path }
    }

    /// The edit scripts of a submission folder, relative to it (`model/gpt.py.ed`).
    static func moduleScripts(_ name: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent(name).path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".py.ed") { found.append(path) }
        }
        return found
    }
}

@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct AgentSubmissionTests {
    @Test func manifestCoversEveryScriptAndEveryKeyChange() throws {
        #expect(AgentSubmissions.all.count >= 10, "Tests/Fixtures/agent-submissions lost its manifest")
        // Single scripts (`name.ed`) and submissions split into modules (a folder of `path.py.ed`).
        let files = try FileManager.default.contentsOfDirectory(atPath: AgentSubmissions.root.path).filter { name in
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: AgentSubmissions.root.appendingPathComponent(name).path, isDirectory: &isFolder)
            return exists && (name.hasSuffix(".ed") || isFolder.boolValue)
        }
        #expect(Set(files) == Set(AgentSubmissions.names))
        let ids = Set(CatalogueData.shared.innovations.map(\.id))
        for (name, entry) in AgentSubmissions.all {
            let task = try #require(CatalogueData.shared.task(entry.task))
            #expect(task.baseRecord == entry.base_record)
            let keys = Set(task.keyChanges.map(\.id))
            #expect(Set(entry.implemented).union(entry.not_implemented) == keys, "\(name) must place every key change of task \(entry.task)")
            #expect(Set(entry.implemented).isDisjoint(with: entry.not_implemented))
            for id in entry.near_miss { #expect(ids.contains(id), "\(name) names an unknown id \(id)") }
        }
    }

    /// Scored as `srlens score --task N` scores it: each implemented key change found as introduced, each left out
    /// or near miss not, and the recall the manifest implies (headline 1, minor 0.5).
    @Test(arguments: AgentSubmissions.names)
    func submission(_ name: String) throws {
        let entry = try #require(AgentSubmissions.all[name])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for file in try AgentSubmissions.files(name, entry) {
            let url = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.text.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        #expect(paths.first?.hasSuffix("/train_gpt2.py") == true, "\(name) has no entry script train_gpt2.py")

        let records = Corpus.root.appendingPathComponent("llm-speedrunner/records").path
        let service = ScoreService(configuration: try Configuration.resolve(recordsFlag: records))
        let context = try service.context(task: entry.task)
        let score = try service.score(paths, context: context).score
        let implemented = Set(score.keyChanges.filter(\.implemented).map(\.id))
        let introduced = implemented.union(score.extras.map(\.id))
        let known = entry.known ?? [:]
        func check(_ id: String, _ condition: Bool, _ message: String) {
            if let reason = known[id] {
                withKnownIssue("\(id) in \(name): \(reason)") { #expect(condition) }
            } else {
                #expect(condition, "\(message)")
            }
        }
        for id in entry.implemented { check(id, implemented.contains(id), "\(id) is implemented in \(name) and should be found") }
        for id in entry.not_implemented { check(id, !implemented.contains(id), "\(id) is left out of \(name) and should not be found") }
        for id in entry.near_miss where !entry.implemented.contains(id) {
            check(id, !introduced.contains(id), "\(id) is a near miss in \(name) and should not be found")
        }
        if known.isEmpty {
            let policy = ScoringPolicy()
            let weights = Dictionary(uniqueKeysWithValues: context.task.keyChanges.map { ($0.id, policy.weight($0.salience)) })
            let possible = context.task.keyChanges.filter { CatalogueData.shared.innovation($0.id)?.detectable == true }.map { weights[$0.id]! }.reduce(0, +)
            let earned = entry.implemented.compactMap { weights[$0] }.reduce(0, +)
            let recall = try #require(score.recall)
            #expect(abs(recall - earned / possible) < 1e-9, "recall of \(name)")
        }
    }
}
