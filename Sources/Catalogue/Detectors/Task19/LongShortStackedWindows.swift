import TreeSitterKit

/// Form (d) of `long_short_sliding_window`: the windows, or the masks made from them, stacked into one tensor that
/// the layers index.
extension LongShortSlidingWindow {
    static let stackingCalls: Set<String> = ["torch.stack", "torch.tensor", "torch.as_tensor"]

    /// Two or more windows of different finite sizes stacked into one tensor (`torch.stack([w, (w // 2).clamp_min(1)])`,
    /// `torch.tensor([long, long // 2])`), or masks a function makes from them (`torch.stack([band(T, W), band(T, W //
    /// 2)])`, see `entrySizes`), from which the mask an attention call receives is built and picked per layer: that mask
    /// derives (back through its function's callers, `Dataflow.closure`) from a subscript whose key is per layer (see
    /// `isPerLayerKey`) of a collection that derives from the stack (`masks[slot]` for `slot` in a layer pattern, with
    /// `masks` the block masks built from the stacked windows). Rejects a stack whose entries are equal or not all finite
    /// (a global layer), and masks picked by a key that does not vary by layer (`masks[0 if self.training else 1]`).
    func stackedWindowMasks(_ facts: PythonFacts) -> [Evidence] {
        let stacks = facts.calls.filter { call in
            guard Self.stackingCalls.contains(call.torchCallee), let table = call.positional.first.map(facts.unwrapped),
                  ["list", "tuple"].contains(table.type) else { return false }
            let entries = table.namedChildren.filter { $0.type != "comment" }
            let sizes = Set(entrySizes(entries, facts))
            return entries.count >= 2 && sizes.count >= 2 && sizes.allSatisfy { $0.isFinite && $0 > 0 }
        }
        guard !stacks.isEmpty else { return [] }
        let flow = facts.dataflow
        let stackNodes = Set(stacks.map(\.node))
        let counts = entryCounts(stacks, facts)
        let masks = facts.flexAttentionCalls.compactMap(facts.blockMaskArgument) + facts.denseAttentionMasks
        for mask in masks {
            let upstream = flow.closure(of: [mask], limit: 20_000, followingOwnParameters: true)
            guard upstream.contains(where: stackNodes.contains) else { continue }
            for read in upstream where read.type == "subscript" {
                guard let collection = read.child(byField: "value"), let key = read.child(byField: "subscript"),
                      isPerLayerKey(key, entries: counts, facts),
                      let stack = flow.closure(of: [collection], limit: 20_000, followingOwnParameters: true).first(where: stackNodes.contains)
                else { continue }
                return [facts.evidence(stack, "windows of different sizes stacked into one tensor; each layer's mask is picked from it by `\(read.text)`")]
            }
        }
        return []
    }

    /// The numbers of entries the stacks hold.
    func entryCounts(_ stacks: [CallSite], _ facts: PythonFacts) -> Set<Int> {
        Set(stacks.compactMap { $0.positional.first.map { facts.unwrapped($0).namedChildren.filter { $0.type != "comment" }.count } })
    }

    /// A key that changes from layer to layer: an attribute of the layer (`self.span`), a loop or comprehension
    /// variable that does not walk the stacked windows themselves (`range(2)` over a stack of two, `range(len(windows))`
    /// walks the windows to build one mask each, not the layers), or an entry read by such a key (`PATTERN[i]`).
    func isPerLayerKey(_ key: Node, entries: Set<Int>, _ facts: PythonFacts) -> Bool {
        let key = facts.unwrapped(key)
        if key.type == "attribute", key.child(byField: "object")?.text == "self" { return true }
        if key.type == "subscript", let inner = key.child(byField: "subscript") { return isPerLayerKey(inner, entries: entries, facts) }
        guard key.type == "identifier" else { return false }
        let flow = facts.dataflow
        return flow.bindings(of: key.text, at: key).contains { binding in
            guard case .iteration = binding.kind else { return false }
            let source = facts.unwrapped(flow.iterationSource(binding))
            if source.type == "call", facts.callSite(source).callee == "range", facts.callSite(source).positional.count == 1,
               let count = facts.value(of: facts.callSite(source).positional[0])?.double, entries.contains(Int(count)) {
                return false
            }
            return true
        }
    }
}
