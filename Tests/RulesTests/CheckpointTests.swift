import Rules
import Testing
import TestSupport

/// `checkpoint-enabled`: no checkpoint is saved that the base would not save.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct CheckpointTests {
    let rule = "checkpoint-enabled"

    @Test func enabledInTheDataclass() throws {
        var s = try EditedRecord(19)
        s.replace("    save_checkpoint = False", with: "    save_checkpoint = True", count: 1)
        try expectFinding(s, rule: rule, at: "    save_checkpoint = True", baseAt: "    save_checkpoint = False")
    }

    @Test func enabledThroughAnArgparseDefault() throws {
        var s = try EditedRecord(18)
        s.replace("args = Hyperparameters()\n", with: """
        args = Hyperparameters()
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--save_checkpoint", type=bool, default=True)
        args.save_checkpoint = parser.parse_args().save_checkpoint

        """, count: 1)
        try expectFinding(s, rule: rule, at: "parser.add_argument(\"--save_checkpoint\"")
    }

    @Test func enabledByALaterAssignment() throws {
        var s = try EditedRecord(20)
        s.replace("args = Hyperparameters()\n", with: "args = Hyperparameters()\nargs.save_checkpoint = 1\n", count: 1)
        try expectFinding(s, rule: rule, at: "args.save_checkpoint = 1")
    }

    @Test func guardLoosenedSoTheSaveAlwaysRuns() throws {
        var s = try EditedRecord(19)
        s.replace("if master_process and args.save_checkpoint:", with: "if master_process or args.save_checkpoint:", count: 1)
        try expectFinding(s, rule: rule, at: "torch.save(log,", baseAt: "torch.save(log,")
    }

    @Test func periodicCheckpointsInAnOlderRecord() throws {
        var s = try EditedRecord(8)
        s.replace("save_every : int = 0", with: "save_every : int = 250", count: 1)
        try expectFinding(s, rule: rule, at: "save_every : int = 250", baseAt: "save_every : int = 0")
    }

    @Test func newSaveOfTheModelAfterTraining() throws {
        var s = try EditedRecord(12)
        s.replace("\ndist.destroy_process_group()", with: "\nif master_process:\n    torch.save(raw_model.state_dict(), 'logs/%s/model.pt' % run_id)\ndist.destroy_process_group()", count: 1)
        try expectFinding(s, rule: rule, at: "    torch.save(raw_model.state_dict()")
    }
}
