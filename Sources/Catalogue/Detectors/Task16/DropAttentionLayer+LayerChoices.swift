import TreeSitterKit

/// Path (c) of `drop_attention_layer`: a layer list that picks, per layer, between something with attention and
/// something without, as a conditional expression (`MLPOnlyBlock(cfg) if i in skip else FullBlock(cfg)`) or as an
/// `if`/`elif` statement whose branches build different classes (`if kind == "attn": layer = SelfAttention(...) elif
/// kind == "mlp": layer = FeedForward(...)`).
///
/// Two shapes of choice are told apart. A choice between two blocks (one holding attention and its MLP, one holding
/// only the MLP) drops attention whenever some layer takes the block without it. A choice between sublayers (an
/// attention module proper, or a feed-forward module) is the x-transformers layout, where every block is an
/// attention code followed by a feed-forward code: it drops attention only when the codes the loop walks hold fewer
/// attention picks than feed-forward picks (`("a", "f") * depth` drops nothing). Where the loop's sequence can be
/// computed (`ScriptInterpreter.iteration(of:)`), the choice is run for each of its items; a sublayer choice over a
/// sequence that cannot be computed is not reported, a block choice is (its test reading the loop's variable).
extension DropAttentionLayer {
    /// One way through a choice: the construction it makes (nil for a branch that builds nothing, `raise`), taken when
    /// `condition` holds and no earlier arm's did (nil condition: the `else`).
    struct ChoiceArm {
        var condition: Node?
        var builds: Bool?
    }

    func layerChoices(_ attention: Set<String>, _ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        var seen = Set<Node>()
        for node in facts.nodes(ofType: "conditional_expression") + facts.nodes(ofType: "if_statement") where !seen.contains(node) {
            // A nested `a if c1 else b if c2 else c` is one choice, read from its outermost expression.
            if node.type == "conditional_expression" {
                var inner = node.namedChildren.last
                while let n = inner.map(facts.unparenthesized), n.type == "conditional_expression" {
                    seen.insert(n)
                    inner = n.namedChildren.last
                }
            }
            guard let (arms, proper) = choiceArms(node, attention, facts), let verdict = dropsAttention(node, arms, proper: proper, facts) else { continue }
            let shape = proper ? "an attention sublayer and a sublayer without attention" : "a block class with attention and one without"
            evidence.append(facts.evidence(node, "layers choose between \(shape)\(verdict)"))
        }
        return evidence
    }

    /// The arms of a per-layer choice whose arms build classes, some with attention and some without, with whether
    /// the one with attention is an attention module proper (a sublayer) rather than a block holding one. Nil for any
    /// other conditional or `if`.
    func choiceArms(_ node: Node, _ attention: Set<String>, _ facts: PythonFacts) -> (arms: [ChoiceArm], proper: Bool)? {
        var arms: [ChoiceArm] = []
        var proper = false
        func built(_ constructions: [Node]) -> Bool? {
            var sawAttention = false
            var sawOther = false
            for construction in constructions {
                if isAttentionCall(construction, attention, facts) {
                    sawAttention = true
                    proper = true
                } else if let c = blockClass(construction, facts) {
                    if hasAttention(c, attention, facts, depth: 0) { sawAttention = true } else { sawOther = true }
                }
            }
            return sawAttention ? true : (sawOther ? false : nil)
        }
        if node.type == "conditional_expression" {
            var current: Node? = node
            while let n = current.map(facts.unparenthesized) {
                let parts = n.namedChildren
                guard n.type == "conditional_expression", parts.count == 3 else {
                    arms.append(ChoiceArm(condition: nil, builds: built([n])))
                    break
                }
                arms.append(ChoiceArm(condition: parts[1], builds: built([facts.unparenthesized(parts[0])])))
                current = parts[2]
            }
        } else {
            // An `elif` is its own statement's clause; only the `if` heading the chain is read.
            guard let consequence = node.child(byField: "consequence") else { return nil }
            arms.append(ChoiceArm(condition: node.child(byField: "condition"), builds: built(branchConstructions(consequence, facts))))
            for clause in node.namedChildren where clause.type == "elif_clause" || clause.type == "else_clause" {
                guard let body = clause.child(byField: "consequence") ?? clause.child(byField: "body") else { continue }
                arms.append(ChoiceArm(condition: clause.type == "elif_clause" ? clause.child(byField: "condition") : nil,
                                      builds: built(branchConstructions(body, facts))))
            }
        }
        guard arms.contains(where: { $0.builds == true }), arms.contains(where: { $0.builds == false }) else { return nil }
        return (arms, proper)
    }

    /// The values a branch of an `if` builds: the right sides of its own assignments and the arguments of its own
    /// `append` calls (not those of nested statements, which are choices of their own).
    func branchConstructions(_ block: Node, _ facts: PythonFacts) -> [Node] {
        block.namedChildren.compactMap { statement -> Node? in
            guard statement.type == "expression_statement", let expression = statement.namedChild(0) else { return nil }
            if expression.type == "assignment" { return expression.child(byField: "right").map(facts.unparenthesized) }
            if expression.type == "call", case let call = facts.callSite(expression), call.name == "append" {
                return call.positional.first.map(facts.unparenthesized)
            }
            return nil
        }
    }

    /// Whether the choice drops attention for some layer: a suffix for the evidence when it does, nil when it does not
    /// or cannot be told. The loop whose variable the arms' conditions read gives the layers; when its sequence can
    /// be computed each item is run through the arms.
    func dropsAttention(_ node: Node, _ arms: [ChoiceArm], proper: Bool, _ facts: PythonFacts) -> String? {
        let conditions = arms.compactMap(\.condition)
        guard facts.enclosingLoops(node).isEmpty == false || isComprehension(node),
              let clause = loopClauses(around: node, facts).first(where: { clause in
                  clause.names.contains { name in conditions.contains { facts.mentions($0, name) } }
              }) else { return nil }
        guard let iterable = clause.iterable, let counts = picks(arms, clause.names, over: iterable, facts) else {
            // A sublayer choice with unknown codes may alternate for every block; a block choice drops its attention
            // for the layers its test picks.
            return proper ? nil : ""
        }
        if proper {
            return counts.with > 0 && counts.with < counts.without
                ? " (\(counts.with) attention sublayers for \(counts.without) without)" : nil
        }
        return counts.with > 0 && counts.without > 0 ? " (\(counts.without) of \(counts.with + counts.without) layers without attention)" : nil
    }

    /// How many items of the loop's sequence take an arm building attention and how many an arm building something
    /// without; nil when the sequence, or some item's way through the arms, cannot be computed.
    func picks(_ arms: [ChoiceArm], _ names: [String], over iterable: Node, _ facts: PythonFacts) -> (with: Int, without: Int)? {
        let interpreter = ScriptInterpreter(facts)
        guard case .tuple(let items)? = interpreter.iteration(of: iterable), !items.isEmpty, items.count <= 4_096 else { return nil }
        var counts = (with: 0, without: 0)
        for item in items {
            var env: [String: ScriptValue] = [:]
            if names.count == 1 {
                env[names[0]] = item
            } else {
                guard case .tuple(let parts) = item, parts.count == names.count else { return nil }
                for (name, part) in zip(names, parts) { env[name] = part }
            }
            var taken: ChoiceArm?
            for arm in arms {
                guard let condition = arm.condition else {
                    taken = arm
                    break
                }
                guard let truth = interpreter.value(of: condition, env: env) else { return nil }
                if truth.truthy {
                    taken = arm
                    break
                }
            }
            switch taken?.builds {
            case true?: counts.with += 1
            case false?: counts.without += 1
            default: break
            }
        }
        return counts
    }
}
