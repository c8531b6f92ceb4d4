import Rules
import Testing
import TestSupport

/// `distributed-setup-removed`: the script still runs as eight cooperating processes under torchrun.
@Suite(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct DistributedSetupTests {
    let rule = "distributed-setup-removed"

    @Test func processGroupNoLongerInitialized() throws {
        var s = try EditedRecord(12)
        s.replace("dist.init_process_group(backend='nccl')\n", with: "# single process is faster to start\n", count: 1)
        let finding = try expectFinding(s, rule: rule, baseAt: "dist.init_process_group(backend='nccl')")
        #expect(finding?.message.contains("init_process_group") == true)
    }

    @Test func processGroupInitializationCommentedOut() throws {
        var s = try EditedRecord(19)
        s.replace("dist.init_process_group(backend='nccl', device_id=device)", with: "# dist.init_process_group(backend='nccl', device_id=device)", count: 1)
        try expectFinding(s, rule: rule, baseAt: "dist.init_process_group(backend='nccl', device_id=device)")
    }

    @Test func deviceNoLongerSelected() throws {
        var s = try EditedRecord(18)
        s.replace("torch.cuda.set_device(local_rank)\n", with: "", count: 1)
        try expectFinding(s, rule: rule, baseAt: "torch.cuda.set_device(local_rank)")
    }

    @Test func gradientsNoLongerCombined() throws {
        var s = try EditedRecord(4)
        s.replace("model = DDP(model, device_ids=[ddp_local_rank])\n", with: "", count: 1)
        let finding = try expectFinding(s, rule: rule, baseAt: "model = DDP(model, device_ids=[ddp_local_rank])")
        #expect(finding?.message.contains("gradients") == true)
    }

    @Test func manualGradientAllReduceReplacesTheWrapper() throws {
        // Record 19 dropped DDP for its own all_reduce of the gradients: a legitimate replacement.
        var s = try EditedRecord(12)
        s.replace("model = DDP(model, device_ids=[ddp_local_rank])\nraw_model = model.module", with: "raw_model = model", count: 1)
        s.replace("    for p in model.parameters():\n        p.grad /= train_accumulation_steps\n", with: """
            for p in model.parameters():
                p.grad /= train_accumulation_steps
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)

        """, count: 1)
        #expect(try s.check().findings.filter { $0.rule == rule }.isEmpty)
    }

    @Test func processGroupBehindAFalseCondition() throws {
        var s = try EditedRecord(15)
        s.replace("dist.init_process_group(backend='nccl')\n", with: "if False:\n    dist.init_process_group(backend='nccl')\n", count: 1)
        try expectFinding(s, rule: rule, baseAt: "dist.init_process_group(backend='nccl')")
    }
}
