import Catalogue

/// `distributed-setup-removed`: the calls that set up distributed training in the base (process group,
/// device selection, the DDP wrapper, tear-down) are still made, so `torchrun --nproc_per_node=8` still runs
/// eight cooperating processes.
struct DistributedSetup: Rule {
    let id = "distributed-setup-removed"
    let severity = Severity.error
    let summary = "Keep the distributed set-up: the script must still run under torchrun --nproc_per_node=8."

    static let setupCalls: Set<String> = [
        "torch.distributed.init_process_group", "torch.cuda.set_device", "torch.distributed.destroy_process_group",
    ]

    func check(_ context: RuleContext) -> [Finding] {
        let submission = Set(context.submission.calls.map(\.callee))
        var seen = Set<String>()
        return context.base.calls.compactMap { call in
            guard Self.setupCalls.contains(call.callee), !submission.contains(call.callee), seen.insert(call.callee).inserted else { return nil }
            return Finding(rule: id, severity: severity, message: "`\(call.callee)` is no longer called",
                           base: [context.base.evidence(call.node, "called here in the base")])
        }
    }
}
