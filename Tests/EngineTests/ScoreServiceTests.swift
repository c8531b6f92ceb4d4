import Catalogue
import Engine
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct ScoreServiceTests {
    var service: ScoreService {
        get throws {
            let records = Corpus.root.appendingPathComponent("llm-speedrunner/records").path
            return ScoreService(configuration: try Configuration.resolve(recordsFlag: records))
        }
    }

    @Test(arguments: [1, 4, 8, 17])
    func baseScoresZeroAndReferenceAlignsFully(task: Int) throws {
        let service = try self.service
        let context = try service.context(task: task)
        let spec = context.task
        let base = try service.score([Corpus.record(spec.baseRecord).path], context: context).score
        #expect(base.recall == 0)
        #expect(base.alignment == 0)
        #expect(base.structural == 0)
        let reference = try service.score([Corpus.record(spec.referenceRecord).path], context: context).score
        #expect(reference.alignment == 1)
        #expect(reference.extras.isEmpty, "the reference introduces only its key changes: \(reference.extras.map(\.id))")
    }

    /// `srlens score` classifies on one thread while another diffs and checks the rules; the report must be the
    /// one the serial path gives.
    @Test(arguments: [(3, 4), (9, 12), (18, 19), (18, 15)])
    func sideBySideScoringEqualsSerialScoring(task: Int, record: Int) throws {
        let service = try self.service
        let context = try service.context(task: task)
        let serial = try service.score([Corpus.record(record).path], context: context)
        let split = try service.score([Corpus.record(record).path], context: context, sideBySide: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(split.score) == encoder.encode(serial.score))
        #expect(split.findings == serial.findings)
        #expect(split.problems == serial.problems)
        #expect(!serial.score.keyChanges.isEmpty)
    }

    /// A submission split into modules is diffed and checked as the program they make: the reference of task 10
    /// with its `Hyperparameters` moved into `hparams.py` scores as the whole reference does, and the only errors
    /// are the local imports, placed in the file that imports.
    @Test func submissionSplitIntoModulesIsDiffedAndCheckedAsOneProgram() throws {
        let service = try self.service
        let context = try service.context(task: 10)
        let whole = try service.score([Corpus.record(11).path], context: context)
        let text = try String(contentsOf: Corpus.record(11), encoding: .utf8)
        let start = try #require(text.range(of: "@dataclass\nclass Hyperparameters:"))
        let end = try #require(text.range(of: "args = Hyperparameters()"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let main = folder.appendingPathComponent("train_gpt2.py"), module = folder.appendingPathComponent("hparams.py")
        try text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: "from hparams import Hyperparameters\n")
            .write(to: main, atomically: true, encoding: .utf8)
        try ("import os\nfrom dataclasses import dataclass\n\n" + text[start.lowerBound..<end.lowerBound])
            .write(to: module, atomically: true, encoding: .utf8)
        let split = try service.score([main.path, module.path], context: context)
        #expect(split.score.recall == whole.score.recall)
        #expect(split.score.alignment == whole.score.alignment)
        let errors = split.findings.filter { $0.severity == .error }
        #expect(!errors.isEmpty && errors.allSatisfy { $0.rule == "local-import" }, "\(errors.map(\.message))")
        #expect(errors.allSatisfy { $0.submission.allSatisfy { $0.path == main.path } })
        // The folder stands for the submission it holds.
        let byFolder = try service.score([folder.path], context: context)
        #expect(byFolder.score.recall == split.score.recall && byFolder.score.alignment == split.score.alignment)
        #expect(byFolder.findings.map(\.message) == split.findings.map(\.message))
    }

    @Test func speedBlockFromResultsJSON() throws {
        let service = try self.service
        let context = try service.context(task: 4)
        let results = Corpus.root.appendingPathComponent("llm-speedrunner/records/record_5/results.json").path
        let report = try service.score([Corpus.record(5).path, results], context: context)
        let speed = try #require(report.speed)
        // Task 4: base 1301740 ms, reference 949528 ms; the reference's own run recovers exactly all of it.
        #expect(speed.baseMs == 1_301_740 && speed.referenceMs == 949_528)
        #expect(abs((speed.speedup?.fsr ?? 0) - 1.0) < 1e-9)
    }

    @Test func unknownTaskAndMissingRecordsAreClearErrors() throws {
        #expect { try self.service.context(task: 42) } throws: { "\($0)".contains("no task 42") }
        let nowhere = ScoreService(configuration: try Configuration.resolve(recordsFlag: "/nonexistent/records"))
        #expect { try nowhere.context(task: 3) } throws: { "\($0)".contains("/nonexistent/records") && "\($0)".contains("--records") }
    }

    /// Submissions of one task scored on several threads at once, each round borrowing base facts from the task's
    /// pool (made on first need, then warm), give exactly what scoring them one by one with a fresh context gives.
    @Test func concurrentScoringWithPooledBaseFactsMatchesSerialScoring() throws {
        let service = try self.service
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("srlens-pool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try String(contentsOf: Corpus.record(19), encoding: .utf8)
        // The reference, a run that halves the validation budget, one that renames the logged validation key, and
        // the base itself: four different scores and sets of findings.
        let variants = [
            reference,
            reference.replacingOccurrences(of: "val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"])",
                                           with: "val_tokens = int(os.environ[\"NANOGPT_VAL_TOKENS\"]) // 2"),
            reference.replacingOccurrences(of: "print0(f'step:{step}/{train_steps} val_loss:{val_loss:.4f}",
                                           with: "print0(f'step:{step}/{train_steps} loss:{val_loss:.4f}"),
            try String(contentsOf: Corpus.record(18), encoding: .utf8),
        ]
        var paths: [String] = []
        for (index, text) in variants.enumerated() {
            let directory = folder.appendingPathComponent("s\(index)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("train_gpt2.py").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        @Sendable func summary(_ report: ScoreReport) -> String {
            let findings = report.findings.map { "\($0.rule) \($0.severity) \($0.message) \($0.submission.map(\.range)) \($0.base.map(\.range))" }
            return "\(report.score.recall ?? -1) \(report.score.alignment ?? -1) \(report.score.structural ?? -1) \(findings)"
        }
        let serial = try paths.map { path in summary(try service.score([path], context: try service.context(task: 18))) }
        #expect(Set(serial).count == serial.count, "the variants score differently")
        let context = try service.context(task: 18)
        let submissions = paths
        let rounds = 3
        let results = Mutex([String?](repeating: nil, count: paths.count * rounds))
        DispatchQueue.concurrentPerform(iterations: paths.count * rounds) { index in
            let report = try? service.score([submissions[index % submissions.count]], context: context)
            results.withLock { $0[index] = report.map(summary) }
        }
        let concurrent = results.withLock { $0 }
        for (index, result) in concurrent.enumerated() {
            #expect(result == serial[index % paths.count], "submission \(index % paths.count), round \(index / paths.count)")
        }
    }
}
