import Parsing
import TreeSitterKit

/// `pinned_async_dataloader`: training batches come from page-locked host memory and are copied to the GPU
/// asynchronously.
///
/// Requires a non-blocking device copy (`.to(..., non_blocking=True)`, `.cuda(non_blocking=True)`,
/// `t.copy_(src, non_blocking=True)`) whose source is traced (through slices, views, locals, attributes,
/// helpers' returns, callable objects' `__call__` returns, what functions made by factories return, and loops over a
/// loader) to pinned data memory: `torch.empty/zeros/...(..., pin_memory=True)`,
/// `.pin_memory()`, or a `DataLoader(..., pin_memory=True)`. When the source cannot be traced (a loader passed
/// in from outside), a pinned data source elsewhere in the file stands in. A pinned scalar (`torch.tensor(n,
/// pin_memory=True)`, `torch.empty(()).pin_memory()`, `torch.tensor(nw).pin_memory()` with `nw` a number computed
/// each step, e.g. a window size) is not data. Rejects pinned memory copied
/// with a blocking `.cuda()`, `non_blocking=True` from pageable memory, and `pin_memory` in comments. Examples:
/// `queries/python/pinned_async_dataloader/examples/`.
struct PinnedAsyncDataloader: Detector {
    let id = "pinned_async_dataloader"

    enum Memory { case pinned, pageable, unknown }

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        let pinnedSources = facts.calls.filter { isPinnedData($0, facts) }
        guard !pinnedSources.isEmpty else { return [] }
        var evidence: [Evidence] = []
        for call in facts.calls where ["to", "cuda", "copy_"].contains(call.name) {
            guard let flag = call.keywords["non_blocking"], facts.isTruthy(flag) else { continue }
            guard let source = call.name == "copy_" ? call.positional.first : call.receiver else { continue }
            var seen = Set<Node>()
            switch memory(source, facts, flow, &seen, depth: 0) {
            case .pinned, .unknown:
                evidence.append(facts.evidence(call.node, "non-blocking copy from pinned host memory"))
            case .pageable:
                continue
            }
        }
        return evidence
    }

    /// `pin_memory=True` on an allocation that is not a scalar, `.pin_memory()`, or a pinned `DataLoader`.
    func isPinnedData(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        if call.name == "pin_memory", let receiver = call.receiver.map(facts.unwrapped) {
            // `torch.empty((), dtype=torch.int).pin_memory()`: a pinned scalar, not data.
            return !(receiver.type == "call" && isScalarAllocation(facts.callSite(receiver), facts))
        }
        guard let flag = call.keywords["pin_memory"], facts.isTruthy(flag) else { return false }
        return !isScalarAllocation(call, facts)
    }

    /// `torch.tensor(n)`, `torch.as_tensor(n)`, `torch.scalar_tensor(n)` with a number (see `isNumber`, not an array),
    /// or `torch.empty/zeros/ones(())` with an empty shape: one value.
    func isScalarAllocation(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard let first = call.positional.first.map(facts.unwrapped) else { return false }
        if ["tensor", "as_tensor", "scalar_tensor"].contains(call.name) {
            return isNumber(first, facts, depth: 0)
        }
        if ["empty", "zeros", "ones", "full"].contains(call.name) {
            return ["tuple", "list"].contains(first.type) && first.namedChildren.filter({ $0.type != "comment" }).isEmpty
        }
        return false
    }

    /// A Python number: a constant or arithmetic, `int(...)` / `float(...)` / `round(...)` / `len(...)`, a call of a
    /// function or lambda of the file that returns one, or a name whose every binding where it is read gives one
    /// (`nw = 64 * int(frac * 27)` before `torch.tensor(nw).pin_memory()`; `nw = blocks(step)` with `blocks = lambda
    /// s: (64 * int(...) + 127) // 128`). A slice of a token buffer or an array read from a file is not.
    func isNumber(_ node: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        let n = facts.unwrapped(node)
        if facts.evaluate(n) != nil || ["binary_operator", "unary_operator", "integer", "float"].contains(n.type) { return true }
        guard depth < 4 else { return false }
        let flow = facts.dataflow
        if n.type == "call" {
            let call = facts.callSite(n)
            if call.receiver == nil, ["int", "float", "round", "len"].contains(call.callee) { return true }
            guard let function = call.function, function.type == "identifier" else { return false }
            var returned: [Node] = []
            for binding in flow.bindings(of: function.text, at: function) where binding.kind == .value {
                let bound = facts.unwrapped(binding.node)
                if bound.type == "function_definition" { returned += flow.returns(of: bound) }
                if bound.type == "lambda", let body = bound.child(byField: "body") { returned.append(body) }
            }
            return !returned.isEmpty && returned.allSatisfy { isNumber($0, facts, depth: depth + 1) }
        }
        guard n.type == "identifier" else { return false }
        let bindings = flow.bindings(of: n.text, at: n)
        return !bindings.isEmpty && bindings.allSatisfy { binding in
            binding.kind == .value && binding.node != n && binding.node.type != "function_definition"
                && isNumber(binding.node, facts, depth: depth + 1)
        }
    }

    func memory(_ node: Node, _ facts: PythonFacts, _ flow: Dataflow, _ seen: inout Set<Node>, depth: Int) -> Memory {
        let n = facts.unwrapped(node)
        guard depth < 12, seen.insert(n).inserted else { return .unknown }
        switch n.type {
        case "call":
            let call = facts.callSite(n)
            if isPinnedData(call, facts) { return .pinned }
            if ["view", "reshape", "narrow", "flatten", "contiguous", "__getitem__"].contains(call.name), let receiver = call.receiver {
                return memory(receiver, facts, flow, &seen, depth: depth + 1)
            }
            if call.callee == "next", let first = call.positional.first { return memory(first, facts, flow, &seen, depth: depth + 1) }
            // A helper of the file: what it returns (or yields).
            // (A parameter's binding is its function: a parameter named like the call is no helper.)
            var helpers = flow.bindings(of: call.name, at: n).filter { $0.kind == .value && $0.node.type == "function_definition" }.map(\.node)
                + (call.callee.hasPrefix("self.") ? facts.function(named: call.name).map(\.node) : [])
            // What else the call runs (see `PythonFacts.targets(of:)`): a callable object of the file held in a field or
            // name (`self.reader(path)` with a reader strategy handed in, its `__call__`), a function a factory made
            // (`_load_shard = make_shard_reader()`).
            if helpers.isEmpty { helpers = facts.targets(of: call).map(\.node) }
            var results: [Memory] = []
            for helper in helpers {
                let outputs = flow.returns(of: helper) + facts.descendants(helper).filter { $0.type == "yield" }.compactMap { $0.namedChildren.first }
                results += outputs.map { memory($0, facts, flow, &seen, depth: depth + 1) }
            }
            if results.contains(.pinned) { return .pinned }
            return results.isEmpty ? .pageable : (results.contains(.unknown) ? .unknown : .pageable)
        case "subscript":
            return n.namedChildren.first.map { memory($0, facts, flow, &seen, depth: depth + 1) } ?? .unknown
        case "identifier", "attribute":
            let bindings = flow.bindings(ofReference: n)
            guard !bindings.isEmpty else { return .unknown }
            var results: [Memory] = []
            for binding in bindings {
                switch binding.kind {
                case .value, .element, .augmented:
                    if binding.node.type == "function_definition" { continue }
                    results.append(memory(binding.node, facts, flow, &seen, depth: depth + 1))
                case .iteration:
                    results.append(memory(flow.iterationSource(binding), facts, flow, &seen, depth: depth + 1))
                case .parameter(let index):
                    let sites = flow.callSites(of: binding.node)
                    if sites.isEmpty { results.append(.unknown) }
                    for site in sites {
                        if let argument = flow.argument(site, name: n.text, index: index) {
                            results.append(memory(argument, facts, flow, &seen, depth: depth + 1))
                        }
                    }
                }
            }
            if results.contains(.pinned) { return .pinned }
            return results.contains(.unknown) || results.isEmpty ? .unknown : .pageable
        case "tuple", "expression_list":
            return .unknown
        default:
            return .pageable
        }
    }
}
