import TreeSitterKit

/// `manual_grad_allreduce`: gradients are averaged across ranks by explicit collectives instead of DDP.
///
/// Requires that nothing wraps the model in `DistributedDataParallel` or FSDP, and that an `all_reduce` (or
/// `all_reduce_coalesced`) reduces gradients: its tensor is a `.grad` (or `main_grad`), or a name built from
/// gradients (a flattened bucket of `p.grad`s, a loop or comprehension variable over them, a helper's parameter its
/// callers fill with them), followed through local assignments and loops. A parameter broadcast is reported when
/// present, not required. A wrapper behind a field test that code which may run turns off (`if state.ddp_kwargs is not
/// None:` with `state.ddp_kwargs = None` elsewhere) wraps nothing. Rejects DDP-wrapped models (their all-reduces are of losses or metrics), all-reduces of
/// losses or metrics only, and no gradient sync at all.
/// Examples: `queries/python/manual_grad_allreduce/examples/`.
struct ManualGradAllreduce: Detector {
    let id = "manual_grad_allreduce"
    static let wrappers: Set<String> = ["DistributedDataParallel", "FullyShardedDataParallel", "fully_shard"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        // (A wrapper in code that never runs, a strategy class nothing builds on the configured path, wraps nothing.)
        // (Nor does one behind a switch the program turns off, see `switchedOff`.)
        guard !facts.calls.contains(where: { Self.wrappers.contains($0.name) && facts.mayRun($0.node) && !switchedOff($0.node, facts) })
        else { return [] }
        let broadcast = facts.calls.contains { $0.name == "broadcast" }
        return facts.calls.compactMap { call -> Evidence? in
            guard ["all_reduce", "all_reduce_coalesced"].contains(call.name),
                  let tensor = call.argument("tensor", position: 0) ?? call.argument("tensors", position: 0),
                  isGradient(tensor, facts, depth: 0) else { return nil }
            return facts.evidence(call.node, "gradients all-reduced by hand, no DDP" + (broadcast ? " (weights broadcast from rank 0)" : ""))
        }
    }

    /// Whether an expression is (built from) parameter gradients.
    func isGradient(_ node: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 4 else { return false }
        let inside = facts.descendants(of: node)
        if inside.contains(where: { $0.type == "attribute" && ["grad", "main_grad"].contains($0.child(byField: "attribute")?.text ?? "") }) {
            return true
        }
        for identifier in inside where identifier.type == "identifier" && facts.isRead(identifier) {
            let name = identifier.text
            for value in facts.localValues(of: name, around: identifier) where !facts.isInside(identifier, value) {
                if isGradient(value, facts, depth: depth + 1) { return true }
            }
            for loop in facts.enclosingLoops(identifier) where facts.loopVariables(loop).contains(name) {
                if let iterable = loop.child(byField: "right"), isGradient(iterable, facts, depth: depth + 1) { return true }
            }
            // A comprehension's variable over gradients, or a helper's parameter its callers fill with them
            // (`def sync(grads): [dist.all_reduce(g, async_op=True) for g in grads]`, `sync([p.grad for p in ...])`).
            let flow = facts.dataflow
            for binding in flow.bindings(of: name, at: identifier) {
                switch binding.kind {
                case .iteration:
                    if isGradient(flow.iterationSource(binding), facts, depth: depth + 1) { return true }
                case .parameter:
                    if flow.passedArguments(binding, name: name).contains(where: { isGradient($0, facts, depth: depth + 1) }) { return true }
                default:
                    continue
                }
            }
        }
        return false
    }
}
