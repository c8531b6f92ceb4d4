import Parsing
import TreeSitterKit

/// `distributed_muon`: the orthogonalization work of Muon is split across ranks and the results are shared.
///
/// Requires, inside one orthogonalizing optimizer class (or a function that calls an orthogonalization), or in the
/// functions its code runs (a policy object's `owns(i)`, an exchange object's `synchronize()`) or the step hooks
/// registered on its instances run (`opt.register_step_pre_hook(sharder.before_step)`, see `optimizerHooks`), or the
/// constructor of a class of the file it builds (`CommPlan(params, self.rank, self.world_size)`): (1) an
/// ownership test that involves the process rank — a comparison with the rank (`i % world == rank`,
/// `owner == me`, also a tensor method: `torch.arange(n).remainder(world).eq(rank)`, see `equalityOperands`), an index's residue offset by the rank tested for zero (`if (i - rank) % world: continue`,
/// `(i - rank) % world == 0`, also in a helper the optimizer passes the offset index: `divisible_by(i - rank, world)`
/// with `def divisible_by(num, den): return (num % den) == 0`), an index or slice computed from it (`params[base + rank]`, `params[rank::world]`), or a
/// `range(rank, n, world)` loop — where the rank comes from `dist.get_rank()`, the `RANK` / `LOCAL_RANK`
/// environment variables, or a value named as a rank (also through attributes set from a constructor parameter
/// that the optimizer's construction passes the rank: `self.shard_id = shard_id`, `Muon(..., shard_id=rank)`); and (2) a collective that exchanges the updates
/// (`all_reduce`, `all_gather`, `all_gather_into_tensor`, `broadcast`, `reduce_scatter`). Rejects every rank
/// orthogonalizing everything (collectives elsewhere, e.g. for the validation loss, do not count) and rank-sharded
/// work that is never exchanged. Examples: `queries/python/distributed_muon/examples/`.
struct DistributedMuon: Detector {
    let id = "distributed_muon"
    static let collectives: Set<String> = [
        "all_reduce", "all_gather", "all_gather_into_tensor", "broadcast", "reduce_scatter", "reduce_scatter_tensor",
        "all_to_all", "all_to_all_single",
    ]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for scope in facts.orthogonalizedUpdateScopes {
            // The optimizer's code and the code it runs: a policy object's `owns(i)` comparing with the rank, an
            // exchange object's `synchronize()` running the collective (collaborators the optimizer holds).
            var region = [scope]
            for f in facts.functions where facts.isInside(f.node, scope) {
                for r in facts.reachableFunctions(from: f) where !region.contains(where: { facts.isInside(r.node, $0) }) { region.append(r.node) }
            }
            // Step hooks registered on its instances run in its step (`opt.register_step_pre_hook(sharder.before_step)`).
            for r in facts.optimizerHookFunctions(onInstancesOf: scope) where !region.contains(where: { facts.isInside(r.node, $0) }) {
                region.append(r.node)
            }
            // A collaborator the optimizer builds runs its `__init__` there (`plan = CommPlan(params, self.rank,
            // self.world_size)` whose constructor lists the owned indices).
            for call in facts.calls where call.receiver == nil && region.contains(where: { facts.isInside(call.node, $0) }) {
                guard let built = facts.boundClass(named: call.callee), let initializer = facts.initializer(of: built),
                      !region.contains(where: { facts.isInside(initializer.node, $0) }) else { continue }
                region.append(initializer.node)
            }
            let inside = facts.calls.filter { call in region.contains { facts.isInside(call.node, $0) } }
            let exchanges = inside.filter { Self.collectives.contains($0.name) && ($0.callee.hasPrefix("torch.distributed.") || $0.receiver == nil) }
            guard let exchange = exchanges.first,
                  let guardNode = region.lazy.compactMap({ ownership(in: $0, region: region, facts) }).first else { continue }
            evidence.append(facts.evidence(guardNode, "orthogonalization owned by one rank"))
            evidence.append(facts.evidence(exchange.node, "updates shared with \(exchange.name)"))
        }
        return evidence
    }

    /// The first rank-ownership test in a scope; `region` is the optimizer's code and the code it runs (see
    /// `isRankResidue`).
    func ownership(in scope: Node, region: [Node], _ facts: PythonFacts) -> Node? {
        for node in facts.descendants(of: scope) {
            // `i % world == rank`, also as a tensor method (`torch.arange(n).remainder(world).eq(rank)`).
            if let test = facts.equalityOperands(node) {
                for (a, b) in [(test.left, test.right), (test.right, test.left)]
                where containsRank(a, facts) && b.type != "integer" && b.type != "float" && !containsRank(b, facts) {
                    return node
                }
                continue
            }
            switch node.type {
            case "binary_operator":
                // `if (i - rank) % world: continue`, `(i - rank) % world == 0`: the index's residue tested against the rank's.
                if isRankResidue(node, region: region, facts), isZeroTest(node, facts) { return node }
            case "subscript":
                if let index = node.child(byField: "subscript"), containsRank(index, facts) { return node }
            case "call":
                let call = facts.callSite(node)
                if call.callee == "range", call.positional.count >= 3, containsRank(call.positional[0], facts) { return node }
            default:
                continue
            }
        }
        return nil
    }

    /// Whether an expression is a residue that offsets an index by the rank: `(i - rank) % world`, `(rank + i) % n`
    /// (the dividend adds or subtracts the rank and a term that is neither the rank nor a literal; the modulus has no
    /// rank). `rank % 2` alone is no such residue. The dividend may be a parameter of a helper
    /// (`def divisible_by(num, den): return (num % den) == 0`) that a call in `region` (the optimizer's code and the
    /// code it runs) passes such an offset index (`divisible_by(index - self.rank, self.world_size)`); what callers
    /// elsewhere pass (a data loader's shard test) does not count.
    func isRankResidue(_ node: Node, region: [Node], _ facts: PythonFacts) -> Bool {
        guard node.type == "binary_operator", node.child(byField: "operator")?.type == "%",
              let dividend = node.child(byField: "left").map(facts.unparenthesized), let modulus = node.child(byField: "right"),
              !containsRank(modulus, facts) else { return false }
        if dividend.type == "identifier", facts.parameterOwner(of: dividend) != nil {
            return facts.callerBindings(of: dividend).contains { caller in
                region.contains { facts.isInside(caller.call.node, $0) } && isRankOffset(facts.unparenthesized(caller.argument), facts)
            }
        }
        return isRankOffset(dividend, facts)
    }

    /// Whether an expression adds to or subtracts from the rank a term that is neither the rank nor a literal:
    /// `i - rank`, `rank + i`.
    func isRankOffset(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard node.type == "binary_operator", ["-", "+"].contains(node.child(byField: "operator")?.type ?? ""),
              let l = node.child(byField: "left"), let r = node.child(byField: "right") else { return false }
        return [(l, r), (r, l)].contains { pair in
            containsRank(pair.0, facts) && !containsRank(pair.1, facts) && !["integer", "float"].contains(facts.unparenthesized(pair.1).type)
        }
    }

    /// Whether a value is tested for being zero: compared with a literal 0 by `==` / `!=`, or used as a truth value
    /// (the condition of an `if`, `elif`, `while`, conditional expression or comprehension filter, possibly under
    /// `not`, `and`, `or`).
    func isZeroTest(_ node: Node, _ facts: PythonFacts) -> Bool {
        var current = node
        while let parent = current.parent, parent.type == "parenthesized_expression" { current = parent }
        if let parent = current.parent, parent.type == "comparison_operator" {
            let operators = parent.children.filter { !$0.isNamed }.map(\.type)
            guard operators == ["=="] || operators == ["!="] else { return false }
            return parent.namedChildren.contains { $0 != current && facts.value(of: $0)?.double == 0 }
        }
        while let parent = current.parent, ["parenthesized_expression", "not_operator", "boolean_operator"].contains(parent.type) {
            current = parent
        }
        guard let parent = current.parent else { return false }
        switch parent.type {
        case "if_statement", "elif_clause", "while_statement": return parent.child(byField: "condition") == current
        case "conditional_expression": return parent.namedChildren.count == 3 && parent.namedChildren[1] == current
        case "if_clause": return true
        default: return false
        }
    }

    func containsRank(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: node).contains { isRank($0, facts, depth: 0) }
    }

    /// Whether an expression is the process rank.
    func isRank(_ node: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 5 else { return false }
        switch node.type {
        case "call":
            let call = facts.callSite(node)
            if call.name == "get_rank" { return true }
            if call.callee == "int", let argument = call.positional.first { return isRank(argument, facts, depth: depth + 1) }
            return facts.environmentVariable(readBy: node)?.hasSuffix("RANK") == true
        case "subscript":
            return facts.environmentVariable(readBy: node)?.hasSuffix("RANK") == true
        case "identifier", "attribute":
            if node.parent?.type == "attribute", node.parent?.child(byField: "object") == node { return false }
            guard let name = SettingsTable.bareName(of: node) else { return false }
            if name.lowercased().contains("rank") { return true }
            // Unpacked from the environment with other variables: `rk, ws = (int(os.environ[k]) for k in ("RANK", ...))`.
            if node.type == "identifier", facts.environmentVariable(readBy: node)?.hasSuffix("RANK") == true { return true }
            // A parameter: what the callers pass (`ShardedMuon(..., shard_id=ddp_rank)`).
            if facts.callerArguments(of: node).contains(where: { isRank($0, facts, depth: depth + 1) }) { return true }
            return facts.allSettings.settings(name).contains { s in
                s.source != .parameterDefault && s.value != node && isRank(s.value, facts, depth: depth + 1)
            }
        default:
            return false
        }
    }
}
