import Foundation
import Testing
import TestSupport

/// End-to-end: `srlens run`, `classify`, `score` and `records` as a user runs them.
@Suite(.enabled(if: CLI.isAvailable, "srlens binary not built; run `make test`"))
struct ScoringCommandsTests {
    static var records: String { Corpus.root.appendingPathComponent("llm-speedrunner/records").path }

    let scratch = ScratchFolder("srlens-cli")

    func temporary() throws -> URL { try scratch.folder() }

    @Test func runReadsALogAndComputesTheSpeedup() throws {
        let dir = try temporary()
        let log = dir.appendingPathComponent("run.txt")
        try """
        step:0/100 val_loss:10.8 train_time:0ms step_avg:nanms
        step:50/100 val_loss:3.5 train_time:5000ms step_avg:100.00ms
        step:100/100 val_loss:3.27 train_time:10000ms step_avg:100.00ms
        peak memory consumption: 30000 MiB
        """.write(to: log, atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", "--json", "--task", "19", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(document?["schema"] as? String == "srlens.run/1")
        let text = try CLI.run(["run", "--task", "19", log.path])
        #expect(text.stdout.contains("3.27 at step 100"))
        #expect(text.stdout.contains("FSR"))
    }

    @Test func runRejectsNonLogsClearly() throws {
        let dir = try temporary()
        let prose = dir.appendingPathComponent("notes.txt")
        try "Dear diary, today the model trained well.\n".write(to: prose, atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", prose.path, dir.appendingPathComponent("missing.log").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("notes.txt"))
        #expect(result.stderr.contains("missing.log"))
    }

    @Test func classifyFindsAnInnovationWithEvidence() throws {
        let dir = try temporary()
        let script = dir.appendingPathComponent("mlp.py")
        try """
        import torch
        import torch.nn as nn

        class MLP(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.up = nn.Linear(d, 4 * d)
                self.down = nn.Linear(4 * d, d)

            def forward(self, x):
                return self.down(torch.relu(self.up(x)).pow(2))
        """.write(to: script, atomically: true, encoding: .utf8)
        let result = try CLI.run(["classify", script.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("relu_squared"))
        #expect(result.stdout.contains("mlp.py:11:"))
        let json = try CLI.run(["classify", "--json", script.path])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(document?["schema"] as? String == "srlens.classify/1")
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func scoreShowsEveryComponent() throws {
        let submission = Corpus.root.appendingPathComponent("llm-speedrunner/records/record_5")
        let result = try CLI.run(["score", "--task", "4", "--records", Self.records,
                                  submission.appendingPathComponent("train_gpt2.py").path,
                                  submission.appendingPathComponent("results.json").path])
        #expect(result.status == 0, "\(result.stderr)")
        for part in ["key changes", "relu_squared", "diff alignment", "innovation recall", "structural score", "FSR 1.0"] {
            #expect(result.stdout.contains(part), "missing \(part)")
        }
        let json = try CLI.run(["score", "--json", "--task", "4", "--records", Self.records,
                                submission.appendingPathComponent("train_gpt2.py").path])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(document?["schema"] as? String == "srlens.score/1")
    }

    @Test func scoreWithoutRecordsSaysWhereItLooked() throws {
        let dir = try temporary()
        let script = dir.appendingPathComponent("train_gpt2.py")
        try "x = 1\n".write(to: script, atomically: true, encoding: .utf8)
        let result = try CLI.run(["score", "--task", "3", script.path], environment: ["SRLENS_RECORDS": dir.appendingPathComponent("none").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("SRLENS_RECORDS"))
        #expect(result.stderr.contains("srlens records import"))
        let bad = try CLI.run(["score", "--task", "99", "--records", dir.path, script.path])
        #expect(bad.status == 2 && bad.stderr.contains("no task 99"))
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func recordsImportThenList() throws {
        let destination = try temporary().appendingPathComponent("records")
        let imported = try CLI.run(["records", "import", Self.records, "--to", destination.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported records 1-21"))
        let listed = try CLI.run(["records", "list", "--records", destination.path])
        #expect(listed.stdout.contains("available: 1 2 3"))
    }
}
