import Foundation
import Testing
import TestSupport

/// End-to-end: `srlens check` as CI runs it: exit status, readable findings, JSON and SARIF 2.1.0.
@Suite(.enabled(if: CLI.isAvailable, "srlens binary not built; run `make test`"), .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct CheckCommandTests {
    let scratch = ScratchFolder("srlens-check")

    static var records: String { Corpus.root.appendingPathComponent("llm-speedrunner/records").path }

    /// Every rule id, as docs/rules.md lists them.
    static let ruleIDs = [
        "protected-hyperparameter", "environment-variable-dropped", "checkpoint-enabled", "print0-changed",
        "timed-region-changed", "validation-changed", "final-validation-skipped", "local-import", "distributed-setup-removed",
    ]

    /// Record 20 with the validation loss scaled in its log line and val_tokens overridden: two violations.
    func violation() throws -> URL {
        let dir = try scratch.folder()
        var text = try String(contentsOf: Corpus.record(20), encoding: .utf8)
        let edits = [
            ("val_loss:{val_loss:.4f}", "val_loss:{val_loss * 0.9:.4f}"),
            ("args = Hyperparameters()\n", "args = Hyperparameters()\nargs.val_tokens = 1048576\n"),
        ]
        for (old, new) in edits {
            #expect(text.contains(old), "record 20 lacks \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let script = dir.appendingPathComponent("train_gpt2.py")
        try text.write(to: script, atomically: true, encoding: .utf8)
        return script
    }

    /// The 1-based line of the first line of `text` containing `needle`.
    func line(of needle: String, in url: URL) throws -> Int {
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        return (lines.firstIndex { $0.contains(needle) } ?? -2) + 1
    }

    @Test func violationExitsOneAndNamesTheRule() throws {
        let script = try violation()
        let result = try CLI.run(["check", "--task", "19", "--records", Self.records, script.path])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("[print0-changed]"))
        #expect(result.stdout.contains("[protected-hyperparameter]"))
        #expect(result.stdout.contains("train_gpt2.py:\(try line(of: "args.val_tokens = 1048576", in: script)):"))
        #expect(result.stdout.contains("invalid run"))
    }

    @Test func jsonDocument() throws {
        let result = try CLI.run(["check", "--json", "--task", "19", "--records", Self.records, try violation().path])
        #expect(result.status == 1)
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(document?["schema"] as? String == "srlens.check/1")
        #expect(document?["valid"] as? Bool == false)
        let findings = document?["findings"] as? [[String: Any]] ?? []
        #expect(Set(findings.compactMap { $0["rule"] as? String }).isSuperset(of: ["print0-changed", "protected-hyperparameter"]))
    }

    @Test func sarifLog() throws {
        let script = try violation()
        let result = try CLI.run(["check", "--sarif", "--task", "19", "--records", Self.records, script.path])
        #expect(result.status == 1, "\(result.stderr)")
        let log = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        #expect((log["$schema"] as? String)?.contains("sarif") == true)
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "srlens")
        let rules = driver["rules"] as? [[String: Any]] ?? []
        let ids = rules.compactMap { $0["id"] as? String }
        #expect(Set(ids) == Set(Self.ruleIDs), "\(ids)")
        for rule in rules {
            #expect((rule["shortDescription"] as? [String: Any])?["text"] is String)
            let level = (rule["defaultConfiguration"] as? [String: Any])?["level"] as? String
            #expect(level == "error" || level == "warning")
        }
        let results = run["results"] as? [[String: Any]] ?? []
        #expect(!results.isEmpty)
        for result in results {
            let ruleId = try #require(result["ruleId"] as? String)
            #expect(ids.contains(ruleId))
            if let index = result["ruleIndex"] as? Int { #expect(ids[index] == ruleId) }
            #expect(["error", "warning", "note"].contains(result["level"] as? String ?? ""))
            #expect((result["message"] as? [String: Any])?["text"] is String)
            let locations = result["locations"] as? [[String: Any]] ?? []
            #expect(!locations.isEmpty)
            for location in locations + (result["relatedLocations"] as? [[String: Any]] ?? []) {
                let physical = location["physicalLocation"] as? [String: Any]
                #expect((physical?["artifactLocation"] as? [String: Any])?["uri"] is String)
                let region = physical?["region"] as? [String: Any]
                let start = region?["startLine"] as? Int ?? 0
                #expect(start >= 1)
                #expect((region?["startColumn"] as? Int ?? 0) >= 1)
            }
        }
        // The submission's line is the primary location (1-based), the base record's a related one.
        let override = results.first { $0["ruleId"] as? String == "protected-hyperparameter" }
        let primary = (override?["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
        #expect((primary?["artifactLocation"] as? [String: Any])?["uri"] as? String == script.path)
        #expect((primary?["region"] as? [String: Any])?["startLine"] as? Int == (try line(of: "args.val_tokens = 1048576", in: script)))
        let related = (override?["relatedLocations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
        #expect(((related?["artifactLocation"] as? [String: Any])?["uri"] as? String)?.hasSuffix("record_19/train_gpt2.py") == true)
        #expect((related?["region"] as? [String: Any])?["startLine"] as? Int == (try line(of: "val_tokens = int(os.environ", in: Corpus.record(19))))
    }

    @Test func cleanRecordExitsZero() throws {
        let result = try CLI.run(["check", "--task", "19", "--records", Self.records, Corpus.record(20).path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("valid run"))
        let sarif = try CLI.run(["check", "--sarif", "--task", "19", "--records", Self.records, Corpus.record(20).path])
        #expect(sarif.status == 0)
        let log = try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any]
        let run = (log?["runs"] as? [[String: Any]])?.first
        #expect((run?["results"] as? [[String: Any]])?.isEmpty == true)
    }

    @Test func unreadableSubmissionExitsTwo() throws {
        let result = try CLI.run(["check", "--task", "19", "--records", Self.records, "/nonexistent/train_gpt2.py"])
        #expect(result.status == 2)
        #expect(!result.stderr.isEmpty)
    }
}
