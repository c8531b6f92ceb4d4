import TreeSitterKit

/// `block_reduction`: values of all the warps of a block are combined through shared memory, with a barrier
/// in between. Three shapes count, in the kernel or a device helper it calls (`blockReduce`): a shared-memory
/// tree (`s[tid] += s[tid + stride]`, `s[i] = fmaxf(s[i], s[j])`), per-warp partials read back and accumulated
/// (`total += s[w]`), or per-warp partials read back and reduced again by a warp reduction
/// (`s[warp_id] = v; ... v = lane < nwarps ? s[lane] : 0; v = warpReduceSum(v)`); `cub::BlockReduce` and
/// `blockReduce` helpers from a shared header count as well. Shared memory used as a tile
/// (`acc += As[ty][k] * Bs[k][tx]`) or as a staged copy of global data that every thread scans, element-wise
/// updates (`c[k] += s[k]`), per-thread accumulators, and reductions without a block barrier do not count.
struct BlockReduction: TechniqueDetector {
    let id = "block_reduction"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence = cubBlockReduce(flow)
        let shared = flow.sharedArrays()
        guard !shared.isEmpty, !flow.barrierCalls().isEmpty else { return evidence }
        let stores = flow.nodes(["assignment_expression"]).compactMap { assignment -> (array: String, index: Set<String>, computed: Bool)? in
            guard let left = assignment.child(byField: "left"), let array = flow.sharedAccess(left) else { return nil }
            return (array, flow.origin(flow.strip(left)?.child(byField: "indices")), !isPlainLoad(assignment.child(byField: "right"), flow))
        }
        // Partials: shared arrays holding values the threads computed (not a staged copy of global data).
        let written = Set(stores.filter(\.computed).map(\.array))
        // Per-warp partials: stored at an index made from the warp number.
        let perWarp = Set(stores.filter { $0.computed && $0.index.contains("warp") }.map(\.array))
        for assignment in flow.nodes(["assignment_expression"]) {
            let op = flow.operatorText(assignment)
            let left = assignment.child(byField: "left"), right = assignment.child(byField: "right")
            let reads = sharedReads(right, flow)
            if let target = flow.sharedAccess(left) {
                // Tree step: one shared element combined with another.
                let combining = op != "=" ? !reads.isEmpty
                    : reads.count >= 2 && ["binary_expression", "call_expression"].contains(flow.strip(right)?.type ?? "")
                if combining, reads.contains(where: { flow.sharedAccess($0) == target }) {
                    evidence.append(facts.evidence(assignment, "shared-memory tree reduction over `\(target)`"))
                }
            } else if let left = flow.strip(left), left.type == "identifier" || left.type == "subscript_expression",
                      let (array, read) = accumulatedRead(op: op, accumulator: left.text, right, flow), written.contains(array),
                      walksPartials(read, accumulator: left, at: assignment, flow) {
                // `total += s[w]`, `accum[k] += s[i + k * B]`, `a += v` with `v = s[k][r][c]`.
                evidence.append(facts.evidence(assignment, "partials in shared `\(array)` accumulated across the block"))
            }
        }
        evidence += partialsReducedByWarps(flow, written: perWarp)
        if evidence.isEmpty { evidence += partialsReadByLanes(flow, perWarp: perWarp) }
        return evidence
    }

    /// Per-warp partials read back at a lane index (`v = lane < nwarps ? s[lane] : 0`): the first warp
    /// gathers one value per warp to reduce them, whatever reduces them afterwards.
    func partialsReadByLanes(_ flow: KernelIndexFlow, perWarp: Set<String>) -> [Evidence] {
        guard !perWarp.isEmpty else { return [] }
        for access in flow.nodes(["subscript_expression"]) where access.parent?.type != "subscript_expression" {
            guard let array = flow.sharedAccess(access), perWarp.contains(array),
                  !isStoreTarget(access), flow.origin(access.child(byField: "indices")).contains("lane") else { continue }
            return [flow.facts.evidence(access, "per-warp partials in shared `\(array)` gathered by lane for a second-level reduction")]
        }
        return []
    }

    func isStoreTarget(_ node: Node) -> Bool {
        guard let parent = node.parent, parent.type == "assignment_expression" else { return false }
        return parent.child(byField: "left") == node
    }

    /// A value read straight from global memory (`x[i]`, `*p`, `__ldg(p)`, `load128(p)`): staging, not a partial.
    func isPlainLoad(_ node: Node?, _ flow: KernelIndexFlow) -> Bool {
        guard let value = flow.strip(node) else { return false }
        switch value.type {
        case "subscript_expression", "pointer_expression":
            return flow.sharedAccess(value) == nil && (value.type == "subscript_expression" || value.text.hasPrefix("*"))
        case "call_expression":
            let name = flow.bareCallee(value).lowercased()
            return name.hasPrefix("__ld") || name.hasPrefix("load") || name.hasSuffix("load")
        default:
            return false
        }
    }

    /// The read folds in a different partial on each trip of an enclosing loop: its index uses a loop variable
    /// the accumulator does not (`total += s[w]`, not the element-wise `c[k] += s[k]`).
    func walksPartials(_ read: Node, accumulator: Node, at assignment: Node, _ flow: KernelIndexFlow) -> Bool {
        var current = assignment.parent
        while let c = current, c.type != "function_definition" {
            if ["for_statement", "while_statement", "do_statement"].contains(c.type), let loop = flow.loop(c),
               flow.references(read, loop.variable), !flow.references(accumulator, loop.variable) {
                return true
            }
            current = c.parent
        }
        return false
    }

    /// Element accesses of shared arrays in an expression.
    func sharedReads(_ node: Node?, _ flow: KernelIndexFlow) -> [Node] {
        guard let node else { return [] }
        return node.preorder.filter { ($0.type == "subscript_expression" || $0.type == "pointer_expression") && flow.sharedAccess($0) != nil }
    }

    /// `acc += s[i]`, `acc = acc + s[i]`, `acc = fmaxf(acc, s[i])`: the shared element itself is folded into the
    /// accumulator (a product such as `As[..] * Bs[..]` is tiling, not a reduction).
    func accumulatedRead(op: String, accumulator: String, _ right: Node?, _ flow: KernelIndexFlow) -> (String, Node)? {
        guard let right = flow.strip(right) else { return nil }
        if op == "+=" || op == "|=" || op == "&=" || op == "^=" {
            return sharedRead(right, flow, depth: 1)
        }
        guard op == "=" else { return nil }
        let operands: [Node]
        if right.type == "binary_expression", ["+", "*"].contains(flow.operatorText(right)) {
            operands = [right.child(byField: "left"), right.child(byField: "right")].compactMap { flow.strip($0) }
        } else if right.type == "call_expression" {
            operands = (right.child(byField: "arguments")?.namedChildren ?? []).compactMap { flow.strip($0) }
        } else {
            return nil
        }
        guard operands.count == 2, operands.contains(where: { $0.text == accumulator }) else { return nil }
        return operands.lazy.compactMap { self.sharedRead($0, flow, depth: 1) }.first
    }

    /// Per-warp partials read back from shared memory and passed to a warp-level reduction.
    func partialsReducedByWarps(_ flow: KernelIndexFlow, written: Set<String>) -> [Evidence] {
        var evidence: [Evidence] = []
        for call in flow.nodes(["call_expression"]) where isWarpReduction(call, flow) {
            for argument in call.child(byField: "arguments")?.namedChildren ?? [] {
                if let array = readsShared(argument, flow), written.contains(array) {
                    evidence.append(flow.facts.evidence(call, "per-warp partials in shared `\(array)` reduced again by a warp"))
                }
            }
        }
        return evidence
    }

    /// The shared array a value comes from: `s[lane]`, `lane < n ? s[lane] : 0`, or a variable set from either.
    func readsShared(_ node: Node, _ flow: KernelIndexFlow, depth: Int = 2) -> String? {
        sharedRead(node, flow, depth: depth)?.0
    }

    /// The shared array a value comes from, with the element access that reads it.
    func sharedRead(_ node: Node, _ flow: KernelIndexFlow, depth: Int = 2) -> (String, Node)? {
        guard let value = flow.strip(node) else { return nil }
        if let array = flow.sharedAccess(value) { return (array, value) }
        if value.type == "conditional_expression" {
            for branch in [value.child(byField: "consequence"), value.child(byField: "alternative")].compactMap({ $0 }) {
                if let found = sharedRead(branch, flow, depth: depth) { return found }
            }
        }
        if value.type == "identifier", depth > 0 {
            for definition in flow.values(of: value.text, at: value) {
                if let found = sharedRead(definition, flow, depth: depth - 1) { return found }
            }
        }
        return nil
    }

    /// A call that reduces across a warp: a shuffle-reducing device helper of this source, `cg::reduce`, or
    /// the `__reduce_*_sync` intrinsics.
    func isWarpReduction(_ call: Node, _ flow: KernelIndexFlow) -> Bool {
        let name = flow.bareCallee(call)
        if flow.calls(call, anyOf: ["reduce", "__reduce_add_sync", "__reduce_max_sync", "__reduce_min_sync"]),
           flow.callee(call).contains("::") || name.hasPrefix("__reduce") { return true }
        if flow.facts.expansion(of: name).contains(where: { isWarpReducer($0, flow) }) { return true }
        // A reducer passed in as a (template) parameter, `template <reduction_func_t f> ... f(v)`, where the
        // kernel instantiates or calls the helper with a warp reducer of this source.
        if let function = call.child(byField: "function"), function.type == "identifier",
           case .parameter = flow.resolve(function.text, at: function) {
            return flow.nodes(["template_argument_list"]).contains { list in
                list.preorder.contains { ($0.type == "identifier" || $0.type == "type_identifier") && isWarpReducer($0.text, flow) }
            }
        }
        return false
    }

    /// A device function of this source named `name` that reduces across a warp with shuffles.
    func isWarpReducer(_ name: String, _ flow: KernelIndexFlow) -> Bool {
        flow.facts.functions.contains { function in
            function.name == name && function.role != .host && !WarpShuffleReduction().detect(kernel: function, in: flow.facts).isEmpty
        }
    }

    /// `cub::BlockReduce<...>` named in the kernel or its helpers, or a `blockReduce`-style helper that this
    /// source calls but does not define (it comes from a shared header, as in llm.c's `blockReduce<warpReduceSum>`).
    func cubBlockReduce(_ flow: KernelIndexFlow) -> [Evidence] {
        let defined = Set(flow.facts.functions.map(\.name))
        for call in flow.nodes(["call_expression"]) {
            let name = flow.bareCallee(call)
            let lower = name.lowercased()
            if !defined.contains(name), flow.facts.macros[name] == nil,
               lower.hasPrefix("blockreduce") || lower.hasPrefix("block_reduce") || lower.hasPrefix("blockallreduce") {
                return [flow.facts.evidence(call, "block-wide reduction helper `\(name)` (defined outside this source)")]
            }
        }
        for node in flow.nodes(["qualified_identifier"]) where node.child(byField: "scope")?.text == "cub" {
            if let name = node.child(byField: "name"), name.text.hasPrefix("BlockReduce") {
                return [flow.facts.evidence(node, "cub::BlockReduce")]
            }
        }
        return []
    }
}
