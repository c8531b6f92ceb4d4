import Engine
import Foundation
import Store
import Testing
import TestSupport

/// `BatchService` prepares a task's base and reference only for submissions the analysis cache does not hold.
@Suite struct BatchServiceTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("examples/demo")
    let scratch = ScratchFolder("srlens-batch-service")

    /// A copy of the demo's records (so a test can take them away) and of two of its submissions.
    func setUp() throws -> (records: URL, submissions: URL) {
        let root = try scratch.folder()
        let records = root.appendingPathComponent("records")
        let submissions = root.appendingPathComponent("submissions")
        try FileManager.default.copyItem(at: Self.demo.appendingPathComponent("records"), to: records)
        try FileManager.default.createDirectory(at: submissions, withIntermediateDirectories: true)
        for name in ["agent_a", "agent_b"] {
            try FileManager.default.copyItem(at: Self.demo.appendingPathComponent("submissions/\(name)"),
                                             to: submissions.appendingPathComponent(name))
        }
        return (records, submissions)
    }

    func service(_ store: Store, records: URL, label: String) throws -> BatchService {
        let configuration = try Configuration.resolve(recordsFlag: records.path, environment: [:], directory: scratch.path)
        return BatchService(store: store, scorer: ScoreService(configuration: configuration), label: label)
    }

    @Test func aBatchServedFromTheCacheNeedsNoRecords() throws {
        let (records, submissions) = try setUp()
        let store = try Store(path: try scratch.folder().appendingPathComponent("s.sqlite").path)
        let candidates = try SubmissionDiscovery.discover(root: submissions.path, task: 4)
        #expect(candidates.count == 2)
        let first = try service(store, records: records, label: "first").run(candidates)
        #expect(first.cached == 0 && first.failed == 0 && first.results.count == 2)

        // Without the records, the same submissions under a new label come wholly from the cache.
        try FileManager.default.removeItem(at: records)
        let again = try service(store, records: records, label: "again").run(candidates)
        #expect(again.cached == 2 && again.failed == 0)
        #expect(again.results.map(\.recall) == first.results.map(\.recall))
        #expect(again.results.map(\.implemented) == first.results.map(\.implemented))

        // A submission the cache does not hold needs them: the batch stops with the records' error.
        let changed = submissions.appendingPathComponent("agent_a/train_gpt2.py")
        try (String(contentsOf: changed, encoding: .utf8) + "\n# edited\n").write(to: changed, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try service(store, records: records, label: "third").run(candidates) }
    }

    /// A submission's package modules (`model/gpt.py`) belong to it; a subfolder with its own `train_gpt2.py` is
    /// another submission (a numbered workspace version), and caches are not files of either.
    @Test func discoveryKeepsPackageModulesWithTheirSubmission() throws {
        let root = try scratch.folder().appendingPathComponent("runs")
        let files = ["a/train_gpt2.py", "a/config.py", "a/model/__init__.py", "a/model/gpt.py", "a/model/__pycache__/gpt.py",
                     "a/run.log", "a/1/train_gpt2.py", "a/1/helpers.py"]
        for file in files {
            let url = root.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "x = 1\n".write(to: url, atomically: true, encoding: .utf8)
        }
        let found = try SubmissionDiscovery.discover(root: root.path, task: 4)
        let relative = { (candidate: SubmissionCandidate) in candidate.files.map { String($0.dropFirst(candidate.directory.count + 1)) }.sorted() }
        #expect(found.map(\.name) == ["a", "a/1"])
        #expect(relative(found[0]) == ["config.py", "model/__init__.py", "model/gpt.py", "run.log", "train_gpt2.py"])
        #expect(relative(found[1]) == ["helpers.py", "train_gpt2.py"])
        #expect(SubmissionDiscovery.files(of: found[0].directory).sorted() == found[0].files.sorted())
    }
}
