import Catalogue

/// `distributed-setup-removed`: the calls that set up distributed training in the base (process group,
/// device selection, the DDP wrapper, tear-down) are still made, so `torchrun --nproc_per_node=8` still runs
/// eight cooperating processes; and the processes still combine their gradients (the DDP wrapper, or
/// collectives such as `all_reduce` / `reduce_scatter` that replace it).
struct DistributedSetup: Rule {
    let id = "distributed-setup-removed"
    let severity = Severity.error
    let summary = "Keep the distributed set-up: the script must still run under torchrun --nproc_per_node=8."

    static let setupCalls: Set<String> = [
        "torch.distributed.init_process_group", "torch.cuda.set_device", "torch.distributed.destroy_process_group",
    ]

    func check(_ context: RuleContext) -> [Finding] {
        // Calls that can run (not under `if False:`).
        let submission = Set(context.submission.calls.filter {
            Self.setupCalls.contains($0.callee) && context.submissionScript.reached($0.node, upTo: nil, truths: [:]) != false
        }.map(\.callee))
        var seen = Set<String>()
        var findings = context.base.calls.compactMap { call -> Finding? in
            guard Self.setupCalls.contains(call.callee), !submission.contains(call.callee), seen.insert(call.callee).inserted else { return nil }
            return Finding(rule: id, severity: severity, message: "`\(call.callee)` is no longer called",
                           base: [context.base.evidence(call.node, "called here in the base")])
        }
        // Gradients are still combined across processes: the DDP wrapper, or collectives of the submission's own.
        // Collectives on the losses (the validation average, a logged training loss) do not count.
        let synchronizes = { (script: Script, valLoss: String) -> [CallSite] in
            let losses = script.validationModel(lossName: valLoss).names.union(script.names(["train_loss", "loss"]))
            return script.facts.calls.filter { call in
                if Self.wrappers.contains(call.callee) { return true }
                guard Self.collectives.contains(call.name) else { return false }
                let first = call.positional.first.flatMap { SettingsTable.bareName(of: script.unwrapped($0)) }
                return first.map { !losses.contains($0) } ?? true
            }
        }
        let baseSync = context.baseScript.memoized("distributed.sync") { synchronizes(context.baseScript, "val_loss") }
        if !baseSync.isEmpty && synchronizes(context.submissionScript, context.submissionValLoss).isEmpty {
            findings.append(Finding(rule: id, severity: severity,
                                    message: "nothing combines the processes' gradients any more (no DistributedDataParallel, no all_reduce): eight processes train eight separate models",
                                    base: baseSync.prefix(1).map { context.base.evidence($0.node, "gradients combined here in the base") }))
        }
        return findings
    }

    static let wrappers: Set<String> = ["torch.nn.parallel.DistributedDataParallel", "torch.distributed.fsdp.FullyShardedDataParallel",
                                        "torch.nn.parallel.distributed.DistributedDataParallel"]
    static let collectives: Set<String> = ["all_reduce", "reduce_scatter", "reduce_scatter_tensor", "all_gather", "all_gather_into_tensor",
                                           "_reduce_scatter_base", "_all_gather_base"]
}
