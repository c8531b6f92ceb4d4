import Engine
import Foundation
import Rules
import Testing
import TestSupport

/// The rule set as a whole. The violations themselves are in one file per rule (`<Rule>Tests.swift`): each rule
/// has at least two violations written from different base records in different styles, with the rule id, the
/// severity and the evidence lines asserted; `CleanEditTests` holds edits a line-based checker would flag.
@Suite
struct ViolationTests {
    static let ids = [
        "protected-hyperparameter", "environment-variable-dropped", "checkpoint-enabled", "print0-changed",
        "timed-region-changed", "validation-changed", "final-validation-skipped", "local-import", "distributed-setup-removed",
    ]

    @Test func ruleIdsAreStableAndDocumented() throws {
        #expect(RuleChecker.rules.map(\.id) == Self.ids)
        let docs = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        for rule in RuleChecker.rules {
            #expect(docs.contains("### `\(rule.id)`"), "docs/rules.md lacks a section for \(rule.id)")
            #expect(!rule.summary.isEmpty)
            #expect(RuleChecker.rule(rule.id)?.id == rule.id)
        }
    }

    /// One violation of every rule in a single submission: each rule reports its own, and nothing else breaks.
    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func everyRuleAtOnce() throws {
        var s = try EditedRecord(19)
        s.replace("args = Hyperparameters()\n", with: "args = Hyperparameters()\nargs.val_tokens = 1048576\n", count: 1)
        s.replace("rank = int(os.environ['RANK'])", with: "rank = 0", count: 1)
        s.replace("    save_checkpoint = False", with: "    save_checkpoint = True", count: 1)
        s.replace("print0(f'step:{step+1}/{train_steps} train_time", with: "print0(f'step:{step + 2}/{train_steps} train_time", count: 1)
        s.replace("training_time_ms += 1000 * (time.perf_counter() - t0)", with: "training_time_ms += 800 * (time.perf_counter() - t0)", count: 1)
        s.replace("        val_loss /= val_steps\n", with: "        val_loss /= val_steps + 1\n", count: 1)
        s.replace("    model.zero_grad(set_to_none=True)\n", with: "    model.zero_grad(set_to_none=True)\n    if step == 1000:\n        break\n", count: 1)
        s.replace("from dataclasses import dataclass\n", with: "from dataclasses import dataclass\nfrom tuned import schedule\n", count: 1)
        s.replace("dist.destroy_process_group()\n", with: "", count: 1)
        let report = try s.check(siblings: ["tuned.py"])
        let fired = Set(report.errors.map(\.rule))
        #expect(fired == Set(Self.ids), "missing: \(Set(Self.ids).subtracting(fired).sorted()), findings:\n\(report.summary)")
        #expect(!report.isValid)
    }

    /// The base record checked against itself: nothing at all.
    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage), arguments: [1, 4, 8, 12, 15, 18, 19, 21])
    func recordAgainstItself(record: Int) throws {
        let report = try EditedRecord(record).check()
        #expect(report.findings.isEmpty, "record \(record): \(report.summary)")
    }
}
