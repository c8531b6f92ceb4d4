import Parsing
import TreeSitterKit

/// `remove_weight_decay`: no optimizer applies weight decay.
///
/// Requires at least one Adam-family optimizer and every weight-decay setting of every optimizer of the file to
/// resolve to 0: the `weight_decay` argument, each parameter group's entry, and the defaults where neither is
/// given (`AdamW` decays by 0.01 by default, `Adam` and `SGD` do not; a file's own optimizer, a hand-written Adam
/// included, also a pure Adam function whose returned step its caller applies, or one run through a table of
/// functional optimizers, `table[k][1](...)` with `partial(adam_step, hp=...)`, counts by its own default, none
/// meaning no decay). Values are followed through config fields, argparse defaults, constants and
/// function parameters, also a builder's `**kw` read as `kw.get("weight_decay", 0.0)` and filled from an entry of a
/// nested configuration (`make_optimizer(kind, ps, **opt_cfg["head"]["kw"])`). Also rejects a hand-written decoupled decay (`p.mul_(1 - lr * wd)`, also `torch._foreach_mul_(ps, 1 - lr * wd)`, with wd not 0) and a
/// coupled L2 penalty, a sum of squared parameters added to the loss that is back-propagated, and an update kernel of a
/// compiled CUDA extension that decays the parameters it writes (`p[i] = p[i] * (1.f - lr * wd) - lr * u[i]`).
/// Examples: `queries/python/remove_weight_decay/examples/`.
struct RemoveWeightDecay: Detector {
    let id = "remove_weight_decay"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let optimizers = facts.optimizers.filter { !$0.call.callee.hasPrefix("torch.optim.lr_scheduler") }
        guard optimizers.contains(where: \.family.isAdamFamily) else { return [] }
        for optimizer in optimizers where decays(optimizer, facts) { return [] }
        if manualDecay(facts) || l2PenaltyInLoss(facts) { return [] }
        return optimizers.filter(\.family.isAdamFamily).map { facts.evidence($0.call.node, "optimizer without weight decay") }
    }

    /// Whether an optimizer may decay: some weight-decay value it gets is not 0.
    func decays(_ optimizer: OptimizerUse, _ facts: PythonFacts) -> Bool {
        let call = optimizer.call
        let position: Int? = optimizer.family.isAdamFamily || optimizer.family == .sgd ? 4 : nil
        let explicit = facts.keywordArgument("weight_decay", of: call) ?? optimizer.argument("weight_decay", position: position, in: facts)
        var values: [Double] = []
        var unknown = false
        let interpreter = ScriptInterpreter(facts)
        func add(_ node: Node) {
            // The interpreter follows a plain name to its assignments (not to dictionary keys of that name).
            if let v = interpreter.number(node) {
                values.append(v)
                if node.type != "identifier" { values += facts.values(of: node).map(\.double) }
                return
            }
            let resolved = facts.values(of: node).map(\.double)
            if resolved.isEmpty, let v = facts.evaluate(node) { values.append(v) } else if resolved.isEmpty { unknown = true }
            values += resolved
        }
        if let explicit { add(explicit) }
        var groupsWithout = optimizer.groups.isEmpty
        for group in optimizer.groups {
            if let entry = OptimizerUse.entry("weight_decay", in: group) { add(entry) } else { groupsWithout = true }
        }
        if explicit == nil && groupsWithout {
            switch optimizer.family {
            case .adamw: values.append(0.01)
            case .adam where optimizer.definition == nil && optimizer.stepFunction == nil, .sgd: break
            default:
                values += optimizer.values("weight_decay", in: facts).map(\.double)
            }
        }
        return unknown || values.contains { $0 != 0 }
    }

    /// `p.mul_(1 - lr * wd)` (or `p.data.mul_`, or `torch._foreach_mul_(ps, 1 - lr * wd)`) with a decay factor that
    /// is not 0.
    func manualDecay(_ facts: PythonFacts) -> Bool {
        // An update kernel of a compiled CUDA extension that decays the parameters it writes (see `extensionDecays`).
        if !facts.extensionModuleNames.isEmpty, facts.calls.contains(where: facts.extensionDecays) { return true }
        // A pure Adam rule returning the decayed weight (`w * (1 - lr * hp.weight_decay) - lr * m_hat / ...`).
        for update in facts.adamUpdates {
            for node in facts.descendants(of: update.function.node) where node.type == "binary_operator" && node.child(byField: "operator")?.type == "*" {
                for side in [node.child(byField: "left"), node.child(byField: "right")].compactMap({ $0 })
                    where decaysBy(side, facts, rateTimesDecay: true) { return true }
            }
        }
        return facts.calls.contains { site in
            // Also the multi-tensor form, `torch._foreach_mul_(params, 1 - lr * wd)`.
            let call = facts.methodView(site)
            guard call.name == "mul_", call.receiver != nil, let factor = call.positional.first else { return false }
            return decaysBy(factor, facts, rateTimesDecay: false)
        }
    }

    /// Whether a factor is a decay `1 - lr * wd` (`1 - x` for an in-place `mul_`) whose rate is not 0 (unresolved:
    /// unless a factor of the product is known to be 0). `rateTimesDecay`: only a product counts (in an update rule,
    /// `(1 - b1) * g` is a moment's weight, not a decay).
    func decaysBy(_ node: Node, _ facts: PythonFacts, rateTimesDecay: Bool) -> Bool {
        let factor = facts.unparenthesized(node)
        guard factor.type == "binary_operator", factor.child(byField: "operator")?.type == "-",
              let left = factor.child(byField: "left"), facts.value(of: left)?.double == 1,
              let right = factor.child(byField: "right").map(facts.unparenthesized),
              !rateTimesDecay || right.type == "binary_operator" && right.child(byField: "operator")?.type == "*" else { return false }
        if let v = facts.evaluate(right) { return v != 0 }
        let factors = facts.descendants(of: right).filter { $0.type == "identifier" || $0.type == "attribute" || $0.type == "subscript" }
        return !factors.contains { facts.value(of: $0)?.double == 0 }
    }

    /// Whether the loss given to `backward()` includes a sum of squared parameters (`loss + c * sum(p.pow(2).sum()
    /// for p in model.parameters())`), directly, through local names, or through a helper function of the file.
    func l2PenaltyInLoss(_ facts: PythonFacts) -> Bool {
        for call in facts.calls where call.computesGradients {
            guard let loss = call.differentiatedLoss else { continue }
            var work = [loss], seen = Set<Node>(), steps = 0
            while let expression = work.popLast(), steps < 64 {
                steps += 1
                guard seen.insert(expression).inserted else { continue }
                if squaresParameters(expression, facts) { return true }
                for n in facts.descendants(of: expression) {
                    if n.type == "identifier" {
                        // The name's assignments before the backward call (`loss = loss + ...`, `loss += ...`).
                        for assignment in facts.assignments(around: n) where assignment.endByte <= call.node.startByte {
                            guard let left = assignment.child(byField: "left"), left.type == "identifier", left.text == n.text,
                                  let right = assignment.child(byField: "right") else { continue }
                            work.append(right)
                        }
                    } else if n.type == "call", let f = facts.calledFunction(facts.callSite(n)), let body = f.body {
                        work.append(body)
                    }
                }
            }
        }
        return false
    }

    /// A comprehension or loop over parameters (`.parameters()`, `.named_parameters()`, or a list of them) that
    /// squares each one.
    func squaresParameters(_ scope: Node, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: scope).contains { n in
            let iterable: Node?
            switch n.type {
            case "for_in_clause", "for_statement": iterable = n.child(byField: "right")
            default: iterable = nil
            }
            guard let iterable, facts.descendants(of: iterable).contains(where: { m in
                m.type == "call" && ["parameters", "named_parameters"].contains(facts.callSite(m).name)
            }) else { return false }
            let owner = n.type == "for_in_clause" ? (n.parent ?? n) : n
            let normalized = facts.normalized
            return facts.normalizedNodes(in: owner.byteRange).contains { normalized.callee($0) == "torch.square" }
        }
    }
}
