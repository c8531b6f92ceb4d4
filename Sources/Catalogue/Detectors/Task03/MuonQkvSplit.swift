import Parsing
import TreeSitterKit

/// `muon_qkv_split`: Muon orthogonalizes the query, key and value weights as three separate matrices.
///
/// Requires an orthogonalizing optimizer (see `muon_optimizer`) and either (A) in its update code, an
/// orthogonalization applied to each block of a split gradient (`[ns(g1) for g1 in g.split(g.size(1))]`, a loop over
/// `g.chunk(3)`, blocks picked by a conditional `g.split(d) if rows == 3 * d else (g,)` through a local name or cut by
/// a strategy function a chooser returns and the update calls at once (`cut_for(g)(g)`), a row
/// slice `g[i * d:(i + 1) * d]` in a loop over `range(3)` or the three row slices written out (`ns(g[0 * d:1 * d])`,
/// `ns(g[1 * d:2 * d])`, `ns(g[2 * d:3 * d])`, exactly blocks 0, 1 and 2 of one width), also inside a helper of the file the update calls on each
/// block, or through the next class of a cooperative mixin chain, `nxt = super()` then `[nxt.direction(b) for b in
/// g.split(d)]`, whose end orthogonalizes) or to the blocks stacked along a new
/// leading dimension (`torch.stack(g.chunk(3))`, `g.view(3, d, d)`, einops `rearrange(g, "(k d) n -> k d n", k=3)`, a
/// stack of per-layer fused weights cut into square thirds, `stack.reshape(L * 3, d, d)`,
/// also iterated: `[ns(b) for b in rearrange(...)]`), or to blocks popped off a queue or stack of the
/// split (`pending = deque(g.split(d))`, `ns(pending.popleft())`); or (B) a model whose attention takes q, k and v
/// from separate projections (three distinct linear layers, also entries of a module dictionary read by the key a
/// comprehension's variable stands for, `self.proj[n]` over ("query", "key", "value"), or a `(3, ...)` weight parameter used per slice by a
/// batched orthogonalization that works on the last two dimensions). Rejects a fused QKV weight orthogonalized whole
/// (a split only in the forward), separate q/k/v layers without an orthogonalizing optimizer, blocks that are
/// split but re-stacked into one matrix before a single orthogonalization, a split written in a mixin the optimizer
/// does not inherit (blocks reach a helper only through calls in the optimizer's update code), and a split of another shape: one under a
/// shape test of another row/column ratio (`if g.size(0) == 4 * g.size(1):` splits the MLP's (4d, d) weight, while the
/// (3d, d) QKV weight is orthogonalized whole) or into another number of chunks (`g.chunk(4)`; a count's value that the
/// test around the split rules out, the default 1 of `if n_splits > 1: g.chunk(n_splits)`, is none), and rows taken by
/// stride (`rearrange(g, "(d k) n -> k d n", k=3)` interleaves q, k and v rows). The split may be written in the
/// wrapper of a decorator the update direction wears (`@per_block(test, pieces=3)`): a call of a decorated function
/// reaches its wrappers (see `PythonFacts.targets(of:)`), and the wrapper's call of the function it was handed is the
/// orthogonalization. Examples:
/// `queries/python/muon_qkv_split/examples/`.
struct MuonQkvSplit: Detector {
    let id = "muon_qkv_split"
    static let splits: Set<String> = ["split", "chunk", "unbind", "tensor_split"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let optimizers = facts.orthogonalizingOptimizers
        guard !optimizers.isEmpty else { return [] }
        let orthogonalizers = facts.orthogonalizerNames
        let flow = facts.dataflow
        var evidence: [Evidence] = []
        // (A) split inside the update.
        for optimizer in optimizers {
            let region = Set(optimizer.functions.map(\.node))
            for function in optimizer.functions {
                for n in facts.descendants(of: function.node) where n.type == "call" {
                    let call = facts.callSite(n)
                    // `map(ns, g.split(d))` orthogonalizes each element of what it is given: each block of a split.
                    guard facts.isOrthogonalizationCall(call, orthogonalizers: orthogonalizers), let argument = call.positional.first,
                          !splitsOtherShape(n, facts),
                          call.isMapped ? isSplit(argument, facts) : blockwise(argument, facts, flow: flow, region: region, depth: 0) else { continue }
                    evidence.append(facts.evidence(n, "each Q/K/V block orthogonalized separately"))
                }
                // The three row blocks written out, each orthogonalized by its own call (`ns(g[0 * d:1 * d])`,
                // `ns(g[1 * d:2 * d])`, `ns(g[2 * d:3 * d])`): blocks 0, 1 and 2, and no other, of one tensor and width.
                var blocks: [String: [(index: Int, call: Node)]] = [:]
                for n in facts.descendants(of: function.node) where n.type == "call" {
                    let call = facts.callSite(n)
                    guard !call.isMapped, let argument = call.positional.first, let block = rowBlock(argument, facts),
                          facts.isOrthogonalizationCall(call, orthogonalizers: orthogonalizers), !splitsOtherShape(n, facts) else { continue }
                    blocks[block.tensor + "[" + block.width + "]", default: []].append((index: block.index, call: n))
                }
                for key in blocks.keys.sorted() {
                    guard let found = blocks[key], Set(found.map(\.index)) == [0, 1, 2] else { continue }
                    evidence += found.map { facts.evidence($0.call, "each Q/K/V row block orthogonalized separately") }
                }
            }
        }
        if !evidence.isEmpty { return evidence }
        // (B) separate projections in the model.
        let model = facts.model()
        let batched = facts.orthogonalizerFunctions.contains(where: worksOnLastTwoDimensions(facts))
        for site in facts.attentionSites {
            guard let value = site.value else { continue }
            let lineages = [site.query, site.key, value].map { facts.lineage(of: $0, model: model, flow: flow) }
            let modules = Set(lineages.flatMap(\.projectionModules).map { facts.compact($0) })
            let own = lineages.map { lineage in Set(lineage.projections.map { projectionName($0, facts, keys: lineage.keys(at: $0)) }) }
            let separate = modules.count >= 3 || (!own.contains(where: \.isEmpty) && own[0].isDisjoint(with: own[1]) && own[0].isDisjoint(with: own[2])
                && own[1].isDisjoint(with: own[2]))
            let sliced = batched && lineages.contains { $0.projections.contains { stackedWeight($0, facts) } }
            if separate || sliced {
                evidence.append(facts.evidence(site.node, separate ? "q, k and v from separate weights, orthogonalized separately"
                                                                   : "(3, d, d) QKV weight orthogonalized per slice"))
            }
        }
        return evidence
    }

    /// Whether an orthogonalized tensor is one block of a split, or blocks stacked on a leading dimension. A parameter
    /// is what the calls in `region` (the optimizer's update code) that run its function pass: a call elsewhere (a split
    /// mixin the optimizer does not inherit) or one that resolves to another function of the same name does not count.
    func blockwise(_ node: Node, _ facts: PythonFacts, flow: Dataflow, region: Set<Node>, depth: Int) -> Bool {
        guard depth < 3 else { return false }
        let n = facts.unparenthesized(node)
        switch n.type {
        case "identifier":
            for binding in flow.bindings(of: n.text, at: n) {
                switch binding.kind {
                case .iteration:
                    if isSplit(binding.node, facts) { return true }
                case .element:
                    // One block unpacked from the split (`q_blk, k_blk, v_blk = g.split(cols, dim=0)`).
                    if binding.site.endByte <= n.startByte, isSplit(binding.node, facts) { return true }
                case .value:
                    if binding.site.endByte <= n.startByte, blockwise(binding.node, facts, flow: flow, region: region, depth: depth + 1) { return true }
                case .parameter:
                    // A helper the update calls once per block (`[self._polar(b) for b in g.chunk(3)]` with
                    // `def _polar(m): return ns5(m) * scale`): the blocks its callers in the update code pass.
                    let owner = facts.parameterOwner(of: n)?.node
                    let passed = facts.callerBindings(of: n).filter { caller in
                        guard let enclosing = facts.enclosingFunction(caller.call.node), region.contains(enclosing.node) else { return false }
                        let runs = facts.targets(of: caller.call)
                        return runs.isEmpty || runs.contains { $0.node == owner }
                    }
                    if passed.contains(where: { blockwise($0.argument, facts, flow: flow, region: region, depth: depth + 1) }) { return true }
                default:
                    continue
                }
            }
            return false
        case "subscript":
            // g[i * d:(i + 1) * d] for i in range(3): one row block per pass of a three-pass loop.
            guard n.child(byField: "subscript")?.type == "slice", let bounds = n.child(byField: "subscript") else { return false }
            return threePassVariables(around: n, facts).contains { facts.mentions(bounds, $0) }
        case "call":
            let call = facts.callSite(n)
            if ["torch.stack"].contains(call.callee), let first = call.positional.first { return isSplit(first, facts) }
            // Rows cut into blocks on a new leading dimension (`g.view(3, d, d)`, `g.unflatten(0, (3, d))`, einops
            // `rearrange(g, "(k d) n -> k d n", k=3)`), orthogonalized as a batch.
            if let count = facts.leadingBlockCount(n), count == 3 { return true }
            if cutsIntoSquareThirds(n, facts) { return true }
            if let receiver = call.receiver, ["bfloat16", "float", "to", "contiguous"].contains(call.name) {
                return blockwise(receiver, facts, flow: flow, region: region, depth: depth + 1)
            }
            // One block taken off a queue or stack of the split (`pending = deque(g.split(d))`, `pending.popleft()`).
            if let receiver = call.receiver, ["pop", "popleft"].contains(call.name) { return isSplit(receiver, facts) }
            return false
        default:
            return false
        }
    }

    /// Whether a reshape cuts a stack of fused QKV weights (`(L, 3d, d)`, one per layer) into its `d x d` blocks: the
    /// last two sizes are the same (`stack.reshape(L * 3, d, d)`), and either the leading size carries the factor 3 or
    /// the reshape runs under a shape test stating the 3:1 row/column ratio (`if rows == 3 * cols:` around
    /// `stack.reshape(-1, cols, cols)`).
    func cutsIntoSquareThirds(_ node: Node, _ facts: PythonFacts) -> Bool {
        let call = facts.callSite(node)
        guard ["view", "reshape"].contains(call.name), call.receiver != nil, case let sizes = facts.reshapeDimensions(call), sizes.count >= 3
        else { return false }
        let side = { (n: Node) in facts.compact(facts.unwrapped(n)) }
        guard side(sizes[sizes.count - 1]) == side(sizes[sizes.count - 2]) else { return false }
        let leading = facts.unwrapped(sizes[0])
        if leading.type == "binary_operator", leading.child(byField: "operator")?.type == "*",
           [leading.child(byField: "left"), leading.child(byField: "right")].contains(where: { $0.flatMap { facts.value(of: $0)?.double } == 3 }) {
            return true
        }
        return facts.holdingConditions(node).contains { statedRatios($0, facts).contains(3) }
    }

    /// A block of rows written with literal block numbers (`g[0 * d:1 * d]`, `g[:d]`, `g[d:2 * d]`, `g[2 * d:]`), also
    /// through a local set to one: the sliced tensor, the block width (as written) and the block number. Each bound
    /// is a literal multiple of one width (0 alone for the first block's start), the stop one block after the start
    /// (or open). Nil for a slice of the columns (`g[:, 0:d]`), a step, or bounds that are not multiples of one width.
    func rowBlock(_ node: Node, _ facts: PythonFacts) -> (tensor: String, width: String, index: Int)? {
        var n = facts.unparenthesized(node)
        if n.type == "identifier", let value = facts.latestValue(of: n.text, before: n) { n = facts.unparenthesized(value) }
        guard n.type == "subscript", let tensor = n.child(byField: "value") else { return nil }
        let indices = n.namedChildren.filter { $0 != tensor && $0.type != "comment" }
        guard indices.count == 1, indices[0].type == "slice" else { return nil }
        var parts: [[Node]] = [[]]
        for child in indices[0].children {
            if child.type == ":" { parts.append([]) } else if child.isNamed { parts[parts.count - 1].append(child) }
        }
        guard parts.count == 2, parts.allSatisfy({ $0.count <= 1 }) else { return nil }
        /// `k * d`, `d * k` (k a literal integer), `d` (k = 1) or `0`.
        func multiple(_ bound: Node) -> (k: Int, width: String?)? {
            let b = facts.unparenthesized(bound)
            if b.type == "integer" { return Int(b.text) == 0 ? (k: 0, width: nil) : nil }
            if b.type == "binary_operator" {
                guard b.child(byField: "operator")?.type == "*", let l = b.child(byField: "left").map(facts.unparenthesized),
                      let r = b.child(byField: "right").map(facts.unparenthesized) else { return nil }
                if l.type == "integer", r.type != "integer", let k = Int(l.text) { return (k: k, width: facts.compact(r)) }
                if r.type == "integer", l.type != "integer", let k = Int(r.text) { return (k: k, width: facts.compact(l)) }
                return nil
            }
            return (k: 1, width: facts.compact(b))
        }
        var start: (k: Int, width: String?) = (k: 0, width: nil)
        if let bound = parts[0].first {
            guard let m = multiple(bound) else { return nil }
            start = m
        }
        var width = start.width
        if let bound = parts[1].first {
            guard let stop = multiple(bound), stop.k == start.k + 1 else { return nil }
            if let w = stop.width {
                if let known = width, known != w { return nil }
                width = w
            }
        }
        guard let width else { return nil }
        return (tensor: facts.compact(tensor), width: width, index: start.k)
    }

    /// The variables of loops and comprehensions around a node that run over `range(3)`.
    func threePassVariables(around node: Node, _ facts: PythonFacts) -> [String] {
        var result: [String] = []
        for a in facts.ancestors(of: node) {
            if a.type == "function_definition" { break }
            let clauses = a.type == "for_statement" ? [a]
                : ["list_comprehension", "generator_expression"].contains(a.type) ? a.namedChildren.filter { $0.type == "for_in_clause" } : []
            for clause in clauses {
                guard let iterable = clause.child(byField: "right").map(facts.unparenthesized), iterable.type == "call",
                      facts.callSite(iterable).callee == "range",
                      let count = facts.callSite(iterable).positional.last, facts.value(of: count)?.double == 3,
                      let left = clause.child(byField: "left") else { continue }
                result += facts.descendants(of: left).filter { $0.type == "identifier" }.map(\.text)
            }
        }
        return result
    }

    /// `g.split(...)`, `g.chunk(3)`, `torch.split(g, d)`, `g.unbind(0)`, rows cut into three blocks on a new leading
    /// dimension (`g.view(3, d, n)`, einops `rearrange(g, "(k d) n -> k d n", k=3)`, see `PythonFacts.leadingBlockCount`),
    /// also as a list or queue (`list(g.split(d))`,
    /// `deque(g.split(d))`); through a local name set to one (`blocks = g.split(d)`, also in one branch of an `if` statement, see
    /// `Dataflow.reachingValues`), a conditional whose one side splits (`g.split(d) if rows == 3 * d
    /// else (g,)`), or a function or a policy object's method of the file one of whose returns splits
    /// (`self.partition.partition(g)` returning `list(g.split(cols))` when `rows == 3 * cols`, `[g]` otherwise).
    func isSplit(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let n = facts.unparenthesized(node)
        if n.type == "identifier", depth < 2 {
            // Any value that reaches the name (`if fused: blocks = g.split(d)` / `else: blocks = (g,)`).
            let latest = facts.latestValue(of: n.text, before: n).map { [$0] } ?? []
            return (latest + facts.dataflow.reachingValues(of: n.text, before: n)).contains { isSplit($0, facts, depth: depth + 1) }
        }
        if n.type == "conditional_expression", depth < 2 {
            return n.namedChildren.enumerated().contains { index, part in index != 1 && isSplit(part, facts, depth: depth + 1) }
        }
        guard n.type == "call" else { return false }
        let call = facts.callSite(n)
        if Self.splits.contains(call.name) { return !splitsOtherShape(n, facts) }
        // Iterating a tensor whose rows are cut into three blocks on a new leading dimension gives the blocks.
        if let count = facts.leadingBlockCount(n) { return count == 3 && !splitsOtherShape(n, facts) }
        if ["list", "tuple", "collections.deque"].contains(call.callee), let inner = call.positional.first { return isSplit(inner, facts, depth: depth) }
        guard depth < 3 else { return false }
        return facts.targets(of: call).contains { f in facts.returnedValues(f).contains { isSplit($0, facts, depth: depth + 1) } }
    }

    /// Whether code splits blocks of a shape other than the fused QKV weight's: it runs only under a shape test stating
    /// a row/column ratio other than 3 (`if g.size(0) == 4 * g.size(1):`, `rows // cols == 4`, see
    /// `PythonFacts.holdingConditions`), or it is a `chunk` into a number of pieces other than 3 (`g.chunk(4)`; a count
    /// that may be 3 is not), or a cut along a dimension other than the rows (`g.chunk(3, dim=1)`; a dimension that may
    /// be 0 is not).
    func splitsOtherShape(_ node: Node, _ facts: PythonFacts) -> Bool {
        if node.type == "call", case let call = facts.callSite(node), call.name == "chunk",
           let count = call.keywords["chunks"] ?? (call.receiver != nil && !call.callee.hasPrefix("torch.") ? call.positional.first
                                                   : call.positional.dropFirst().first),
           case let pieces = possibleCounts(count, at: node, facts), !pieces.isEmpty, !pieces.contains(3) {
            return true
        }
        // Cut along the columns (`g.chunk(3, dim=1)`, `torch.split(g, d, -1)`): each piece mixes the query, key and value
        // rows, so no piece is one of the three blocks.
        if node.type == "call", case let call = facts.callSite(node), Self.splits.contains(call.name), call.name != "unbind",
           let dim = call.keywords["dim"] ?? (call.receiver != nil && !call.callee.hasPrefix("torch.") ? call.positional.dropFirst().first
                                             : call.positional.dropFirst(2).first),
           case let axes = facts.values(of: dim).map(\.double), !axes.isEmpty, !axes.contains(0) {
            return true
        }
        return facts.holdingConditions(node).contains { condition in
            statedRatios(condition, facts).contains { $0 != 3 }
        }
    }

    /// The values a chunk count may take where the split runs: those it resolves to, less those a test holding there
    /// rules out (`if n_splits > 1: g.chunk(n_splits)` cannot cut into the default 1 piece; the count then may be
    /// whatever the callers pass).
    func possibleCounts(_ count: Node, at node: Node, _ facts: PythonFacts) -> [Double] {
        let pieces = facts.values(of: count).map(\.double)
        let name = facts.unparenthesized(count)
        guard name.type == "identifier" else { return pieces }
        let tests = facts.holdingConditions(node).filter { facts.mentions($0, name.text) }
        return pieces.filter { v in
            !tests.contains { facts.evaluate($0, bindings: [name.text: v]) == 0 }
        }
    }

    /// The row/column ratios a shape test states, in each `==` comparison it joins with `and`: one side a number
    /// times a size, the other a size (`rows == 3 * cols`, `g.size(0) == g.size(1) * 4`), or a quotient of two sizes
    /// compared with a number (`rows // cols == 3`). A comparison with numbers on both sides or none states no ratio.
    func statedRatios(_ condition: Node, _ facts: PythonFacts) -> [Double] {
        let n = facts.unwrapped(condition)
        if n.type == "boolean_operator", n.child(byField: "operator")?.type == "and",
           let left = n.child(byField: "left"), let right = n.child(byField: "right") {
            return statedRatios(left, facts) + statedRatios(right, facts)
        }
        let operands = n.namedChildren.filter { $0.type != "comment" }.map(facts.unwrapped)
        guard n.type == "comparison_operator", operands.count == 2, n.children.filter({ !$0.isNamed }).map(\.type) == ["=="] else { return [] }
        /// `k * size` or `size * k`: k.
        func factor(_ side: Node) -> Double? {
            guard side.type == "binary_operator", side.child(byField: "operator")?.type == "*",
                  let l = side.child(byField: "left"), let r = side.child(byField: "right") else { return nil }
            let lv = facts.value(of: l)?.double, rv = facts.value(of: r)?.double
            return lv != nil && rv == nil ? lv : rv != nil && lv == nil ? rv : nil
        }
        /// `a // b` or `a / b` of two sizes.
        func isQuotient(_ side: Node) -> Bool {
            guard side.type == "binary_operator", ["//", "/"].contains(side.child(byField: "operator")?.type ?? "") else { return false }
            return side.child(byField: "left").flatMap { facts.value(of: $0) } == nil && side.child(byField: "right").flatMap { facts.value(of: $0) } == nil
        }
        for (side, other) in [(operands[0], operands[1]), (operands[1], operands[0])] {
            if let k = factor(side), facts.value(of: other) == nil { return [k] }
            if isQuotient(side), let k = facts.value(of: other)?.double { return [k] }
        }
        return []
    }

    /// The weight a projection applies: the module called (a module dictionary's entry by the key its read stands for,
    /// `self.proj[n]` with `n` at "query", see `Lineage.keys(at:)`), or `F.linear`'s weight.
    func projectionName(_ node: Node, _ facts: PythonFacts, keys: [String: String] = [:]) -> String {
        let call = facts.callSite(node)
        if call.callee == "torch.nn.functional.linear", let weight = call.argument("weight", position: 1) {
            return facts.ownerName(of: weight) ?? facts.compact(weight)
        }
        if let function = call.function, function.type == "subscript", let table = function.child(byField: "value"),
           let index = function.child(byField: "subscript").map(facts.unwrapped), index.type == "identifier", let key = keys[index.text] {
            return "\(table.text)[\(key)]"
        }
        return call.callee
    }

    /// `F.linear(x, W...)` with W a parameter created with a leading dimension of 3 (`torch.empty(3, h, d)`).
    func stackedWeight(_ node: Node, _ facts: PythonFacts) -> Bool {
        let call = facts.callSite(node)
        guard call.callee == "torch.nn.functional.linear", let weight = call.argument("weight", position: 1),
              let owner = facts.ownerName(of: weight) else { return false }
        return facts.allSettings.settings(owner).contains { setting in
            facts.descendants(of: setting.value).contains { n in
                guard n.type == "call" else { return false }
                let c = facts.callSite(n)
                return ["torch.empty", "torch.zeros", "torch.randn", "torch.rand", "torch.ones"].contains(c.callee)
                    && c.positional.count == 3 && facts.value(of: c.positional[0])?.double == 3
            }
        }
    }

    /// An orthogonalizer written for batches: it transposes the last two dimensions (`X.mT`, `transpose(-2, -1)`)
    /// or reads sizes from the end (`G.size(-2)`).
    func worksOnLastTwoDimensions(_ facts: PythonFacts) -> (PythonFacts.Function) -> Bool {
        { function in
            facts.descendants(of: function.node).contains { n in
                if n.type == "attribute", n.child(byField: "attribute")?.text == "mT" { return true }
                guard n.type == "call" else { return false }
                let call = facts.callSite(n)
                return ["size", "transpose"].contains(call.name) && call.positional.contains { facts.value(of: $0)?.double == -2 }
            }
        }
    }
}
