import Rules
import Testing
import TestSupport

/// `validation-changed`: the validation loss is computed as in the base.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct ValidationLossTests {
    let rule = "validation-changed"

    @Test func validationStepsHalved() throws {
        var s = try EditedRecord(12)
        s.replace("val_steps = args.val_tokens // (B * T * ddp_world_size)", with: "val_steps = args.val_tokens // (B * T * ddp_world_size) // 2", count: 1)
        try expectFinding(s, rule: rule, at: "val_steps = args.val_tokens // (B * T * ddp_world_size) // 2", baseAt: "val_steps = args.val_tokens //")
    }

    @Test func validationBatchCountDividedByAnExtraConstant() throws {
        var s = try EditedRecord(19)
        s.replace("val_steps = args.val_tokens // val_bs", with: "val_steps = args.val_tokens // (4 * val_bs)", count: 1)
        try expectFinding(s, rule: rule, at: "val_steps = args.val_tokens // (4 * val_bs)")
    }

    @Test func fixedNumberOfValidationBatches() throws {
        var s = try EditedRecord(8)
        s.replace("for _ in range(val_steps):", with: "for _ in range(8):", count: 1)
        try expectFinding(s, rule: rule, at: "for _ in range(8):")
    }

    @Test func validationLoopLeftEarly() throws {
        var s = try EditedRecord(15)
        s.replace("""
                for _ in range(val_steps):
                    with torch.no_grad():
        """, with: """
                for i in range(val_steps):
                    if i == val_steps // 4:
                        break
                    with torch.no_grad():
        """, count: 1)
        try expectFinding(s, rule: rule, at: "            if i == val_steps // 4:")
    }

    @Test func validationLossDividedByTwo() throws {
        var s = try EditedRecord(19)
        s.replace("        val_loss /= val_steps\n", with: "        val_loss /= val_steps\n        val_loss /= 2\n", count: 1)
        try expectFinding(s, rule: rule, at: "        val_loss /= 2")
    }

    @Test func validationLossScaledPerBatch() throws {
        var s = try EditedRecord(12)
        s.replace("val_loss += model(x_val, y_val)", with: "val_loss += 0.97 * model(x_val, y_val)", count: 1)
        try expectFinding(s, rule: rule, at: "val_loss += 0.97 * model(x_val, y_val)")
    }

    @Test func validationLossReplacedByAConstant() throws {
        var s = try EditedRecord(18)
        s.replace("        val_loss /= val_steps\n", with: "        val_loss /= val_steps\n        val_loss = torch.minimum(val_loss, torch.tensor(3.27, device=val_loss.device))\n", count: 1)
        try expectFinding(s, rule: rule, at: "        val_loss = torch.minimum(val_loss")
    }

    @Test func trainingDataUsedForValidation() throws {
        var s = try EditedRecord(4)
        s.replace("val_loader = DistributedDataLoader(args.input_val_bin, B, T, ddp_rank, ddp_world_size)",
                  with: "val_loader = DistributedDataLoader(args.input_bin, B, T, ddp_rank, ddp_world_size)", count: 1)
        try expectFinding(s, rule: rule, at: "            x_val, y_val = val_loader.next_batch()", baseAt: "            x_val, y_val = val_loader.next_batch()",
                          alsoAllowed: ["protected-hyperparameter"])
        // The validation files are no longer used, and the evidence shows the loader that dropped them.
        try expectFinding(s, rule: "protected-hyperparameter", at: "val_loader = DistributedDataLoader(args.input_bin", alsoAllowed: [rule])
    }

    @Test func validationBatchesReadFromTheTrainingLoader() throws {
        var s = try EditedRecord(18)
        s.replace("inputs_val, targets_val = val_loader.next_batch(val_batch_size)", with: "inputs_val, targets_val = train_loader.next_batch(val_batch_size)", count: 1)
        // Reading training batches while the timer is paused is untimed work too.
        try expectFinding(s, rule: rule, at: "inputs_val, targets_val = train_loader.next_batch(val_batch_size)", alsoAllowed: ["timed-region-changed"])
    }

    @Test func modelEvaluatedOnTheTrainingBatch() throws {
        var s = try EditedRecord(12)
        s.replace("val_loss += model(x_val, y_val)", with: "val_loss += model(x, y)", count: 1)
        try expectFinding(s, rule: rule, at: "val_loss += model(x, y)")
    }

    @Test func reductionAcrossProcessesChanged() throws {
        var s = try EditedRecord(19)
        s.replace("dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)", with: "dist.all_reduce(val_loss, op=dist.ReduceOp.MIN)", count: 1)
        try expectFinding(s, rule: rule, at: "dist.all_reduce(val_loss, op=dist.ReduceOp.MIN)", baseAt: "dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)")
    }

    @Test func reductionAcrossProcessesDropped() throws {
        var s = try EditedRecord(8)
        s.replace("        dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)\n", with: "", count: 1)
        try expectFinding(s, rule: rule, baseAt: "        dist.all_reduce(val_loss, op=dist.ReduceOp.AVG)")
    }

    @Test func validationCountOverriddenAfterItsDefinition() throws {
        var s = try EditedRecord(4)
        s.replace("val_steps = args.val_tokens // (B * T * ddp_world_size)\n", with: "val_steps = args.val_tokens // (B * T * ddp_world_size)\nval_steps = min(val_steps, 10)\n", count: 1)
        try expectFinding(s, rule: rule, at: "val_steps = min(val_steps, 10)")
    }

    @Test func validationBatchesCut() throws {
        var s = try EditedRecord(19)
        s.replace("val_loss += model(x, y, sw_num_blks(window_size))", with: "val_loss += model(x[:val_bs // 16], y[:val_bs // 16], sw_num_blks(window_size))", count: 1)
        try expectFinding(s, rule: rule, at: "val_loss += model(x[:val_bs // 16]")
    }

    @Test func validationLossScaledAfterAveraging() throws {
        var s = try EditedRecord(12)
        s.replace("        val_loss /= val_steps\n", with: "        val_loss /= val_steps\n        val_loss = val_loss * 0.95\n", count: 1)
        try expectFinding(s, rule: rule, at: "        val_loss = val_loss * 0.95")
    }

    @Test func validationLoaderGivesShorterSequences() throws {
        var s = try EditedRecord(12)
        s.replace("val_loader = DistributedDataLoader(args.input_val_bin, B, T, ddp_rank, ddp_world_size)",
                  with: "val_loader = DistributedDataLoader(args.input_val_bin, B, T // 2, ddp_rank, ddp_world_size)", count: 1)
        try expectFinding(s, rule: rule, at: "val_loader = DistributedDataLoader(args.input_val_bin, B, T // 2")
    }
}
