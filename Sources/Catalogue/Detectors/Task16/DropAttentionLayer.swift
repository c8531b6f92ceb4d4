import TreeSitterKit

/// `drop_attention_layer`: some blocks (block 7 in the reference) are built without attention and never run it.
///
/// Requires one of: (a) a block class whose constructor creates its attention module only under a condition on
/// one of its parameters (`self.attn = Attn(...) if use_attn else None`, `if layer_idx != 7: self.attn = ...`, also
/// as an entry of a module dictionary, `self.sublayers["attn"] = ...`, and through a local of the constructor,
/// `has_attn = layer_idx not in cfg.attnless`),
/// whose methods call that module only under a condition (`if self.attn is not None`, the same index test, or past an
/// early return without it, `if self.attn is None: ...; return x`), or, when
/// they never call it, hand it on (to a pure block function) only under one, and
/// whose constructions pass that parameter something of the layer index (`Block(d, h, use_attn=(i != 7))`); the
/// module may also be registered by a loop over a table of factories (`for name, make in SUBLAYERS.items(): if name not
/// in skipped: self.add_module(name, make(cfg))` with `skipped = cfg.skip_sublayers.get(layer_idx, ())`; see
/// `PythonFacts.setattrAssignments`) and called through a local (`attn = self._modules.get("attn")`, then `if attn
/// is not None: attn(x)`); (b)
/// attention built in every block but called only under a test of an attribute set from such a per-layer
/// parameter (`if self.layer_idx != 7:`); (d) attention built in every block and taken out of one element of the
/// layer list from outside the class (`model.blocks[7].attn = None`, `setattr(model.blocks[i], "attn", None)`, in
/// code that runs), while the block's methods call it only under a condition (`if self.attn is not None:`); or (e) a
/// functional model's per-layer parameter dictionary given its attention entry only under a test of the layer index and
/// read by the forward code only when present (`if i not in cfg.mlp_only_layers: bp["attn"] = {...}`, `if "attn" in p:`;
/// see `droppedFromParameterTree`); (f) a block function called per layer and handed its attention weights, or `None`
/// for the layers a test of the layer index picks, running attention only when they are present (stacked per-layer
/// weights with no slice for the dropped layer; see `attentionWeightsWithheld`); (g) one element of the layer list
/// replaced from outside by a block class whose forward runs no attention (`model.blocks[7] = MLPOnlyBlock(cfg)`, see
/// `replacedByBlockWithoutAttention`); or (c) a layer list that picks, per layer, between a block class with attention
/// and one without (`MLPOnlyBlock(cfg) if i in skip else FullBlock(cfg)`), or between an attention sublayer and a
/// feed-forward one over a sequence of layer codes holding fewer attention codes than feed-forward ones (see
/// `layerChoices`). Attention is an
/// attention class of the file (it computes attention), `nn.MultiheadAttention`, or a constructor named for
/// attention. Rejects attention in every block, an index test that only selects a mask or window, random layer
/// drop, and optional attention switched by a model-wide flag. Examples:
/// `queries/python/drop_attention_layer/examples/`.
struct DropAttentionLayer: Detector {
    let id = "drop_attention_layer"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let attention = facts.attentionClasses
        var evidence: [Evidence] = []
        for c in facts.classes {
            guard let initializer = facts.initializer(of: c)
            else { continue }
            // Each attention module the constructor creates under a condition: the statement, the member, the condition.
            var creations: [(node: Node, member: String, condition: Node)] = []
            for assignment in facts.descendants(of: initializer.node) where assignment.type == "assignment" {
                guard let left = assignment.child(byField: "left"), let member = memberKey(left, facts), let right = assignment.child(byField: "right"),
                      let written = creationCondition(assignment, right, initializer, attention, facts) else { continue }
                creations.append((node: assignment, member: member, condition: written))
            }
            // Sublayers registered by a loop over a table of factories (`for name, make in SUBLAYERS.items(): if name not
            // in skipped: self.add_module(name, make(cfg))`, see `PythonFacts.setattrAssignments`): the entry whose
            // factory makes attention, under the loop's guard.
            for call in facts.calls where facts.isInside(call.node, initializer.node) {
                for write in facts.setattrAssignments(call) {
                    guard let entry = write.entry, case let made = facts.unparenthesized(write.value),
                          made.type == "call", made.child(byField: "function").map(facts.unparenthesized)?.text == entry.variable,
                          makesAttention(entry.value, attention, facts),
                          let written = guardCondition(call.node, initializer, facts) else { continue }
                    creations.append((node: call.node, member: "self.\(write.name)", condition: written))
                }
            }
            for creation in creations {
                let parts = conditionParts(creation.condition, initializer, facts)
                guard !parts.contains(where: { isChance($0, facts) }),
                      parts.contains(where: { dependsOnConfiguration($0, initializer, facts) }),
                      parts.allSatisfy({ variesPerLayer($0, of: c, initializer, facts) }),
                      callsGuarded(creation.member, in: c, facts) else { continue }
                let condition = parts.map { facts.compact($0) }.joined(separator: " with ")
                evidence.append(facts.evidence(creation.node, "attention module `\(creation.member)` is created only when \(condition)"))
            }
            evidence += skippedByLayer(c, initializer, attention, facts)
            evidence += removedFromOutside(c, initializer, attention, facts)
        }
        evidence += droppedFromParameterTree(facts)
        evidence += attentionWeightsWithheld(attention, facts)
        evidence += replacedByBlockWithoutAttention(attention, facts)
        // A different block (or sublayer) without attention for some layers (see `layerChoices`).
        evidence += layerChoices(attention, facts)
        return evidence
    }

    /// The condition under which an `__init__` assignment creates an attention module, or nil.
    func creationCondition(_ assignment: Node, _ value: Node, _ initializer: PythonFacts.Function, _ attention: Set<String>,
                           _ facts: PythonFacts) -> Node? {
        let value = facts.unparenthesized(value)
        if value.type == "conditional_expression" {
            let parts = value.namedChildren
            guard parts.count == 3 else { return nil }
            if parts[2].type == "none", isAttentionCall(parts[0], attention, facts) { return parts[1] }
            if parts[0].type == "none", isAttentionCall(parts[2], attention, facts) { return parts[1] }
            return nil
        }
        guard isAttentionCall(value, attention, facts) else { return nil }
        return guardCondition(assignment, initializer, facts)
    }

    /// The condition of the innermost `if` around a statement of the constructor, or nil.
    func guardCondition(_ statement: Node, _ initializer: PythonFacts.Function, _ facts: PythonFacts) -> Node? {
        for ancestor in facts.ancestors(of: statement) {
            if ancestor == initializer.node { break }
            if ancestor.type == "if_statement" { return ancestor.child(byField: "condition") }
        }
        return nil
    }

    /// Whether the factory a table entry holds makes attention when the loop that registers it calls it (see
    /// `PythonFacts.setattrAssignments`): a `lambda cfg: Attn(...)` whose body is an attention call, or an attention class
    /// (or one named for attention, `nn.MultiheadAttention`), `attn=CausalSelfAttention`.
    func makesAttention(_ entry: Node, _ attention: Set<String>, _ facts: PythonFacts) -> Bool {
        let entry = facts.unparenthesized(entry)
        switch entry.type {
        case "lambda":
            return entry.child(byField: "body").map { isAttentionCall(facts.unparenthesized($0), attention, facts) } ?? false
        case "identifier", "attribute":
            let name = entry.text.lastDottedComponent
            return attention.contains(name) || name.lowercased().contains("attention") || name.lowercased().contains("attn")
        default:
            return false
        }
    }

    /// A condition as written and, for each local of the constructor it reads (`has_attn` in `... if has_attn else None`
    /// with `has_attn = layer_idx not in cfg.attnless`; `skipped` in `name not in skipped` with `skipped =
    /// cfg.skip.get(layer_idx, ())`), the expression that local was last given there.
    func conditionParts(_ condition: Node, _ initializer: PythonFacts.Function, _ facts: PythonFacts) -> [Node] {
        let condition = facts.unparenthesized(condition)
        var parts = [condition]
        for n in facts.descendants(of: condition) where n.type == "identifier" && !initializer.parameters.contains(n.text) {
            guard facts.mentions(n, n.text), let value = facts.latestValue(of: n.text, before: n), facts.isInside(value, initializer.node),
                  !parts.contains(value) else { continue }
            parts.append(value)
        }
        return parts
    }

    /// Whether a condition reads chance or the training mode (a random draw, `self.training`): no per-layer choice.
    func isChance(_ condition: Node, _ facts: PythonFacts) -> Bool {
        let inside = facts.descendants(of: condition)
        return inside.contains(where: { $0.type == "call" && facts.callSite($0).callee.hasPrefix("random") })
            || inside.contains(where: { $0.type == "attribute" && $0.child(byField: "attribute")?.text == "training" })
    }

    /// A condition that varies per instance: it reads a constructor parameter or an attribute of `self`, not
    /// `self.training` or a random draw.
    func dependsOnConfiguration(_ condition: Node, _ initializer: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        let inside = facts.descendants(of: condition)
        if isChance(condition, facts) { return false }
        return initializer.passedParameters.contains { facts.mentions(condition, $0) }
            || inside.contains { facts.instanceAttribute($0) != nil }
    }

    /// Attention built in every block but called only under a per-layer test (`if self.layer_idx != 7:` around
    /// `self.attn(...)`, with `self.layer_idx` set from a constructor parameter given per layer).
    func skippedByLayer(_ c: PythonFacts.Class, _ initializer: PythonFacts.Function, _ attention: Set<String>,
                        _ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for assignment in facts.descendants(of: initializer.node) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), let attribute = facts.instanceAttribute(left), let right = assignment.child(byField: "right"),
                  isAttentionCall(facts.unparenthesized(right), attention, facts) else { continue }
            let uses = facts.calls.filter { call in
                call.function.flatMap { memberKey($0, facts) } == "self.\(attribute)" && facts.isInside(call.node, c.node)
                    && facts.enclosingFunction(call.node)?.name != "__init__"
            }
            guard !uses.isEmpty else { continue }
            let allSkippedPerLayer = uses.allSatisfy { use in
                guard let method = facts.enclosingFunction(use.node),
                      let guardNode = facts.ancestors(of: use.node).first(where: { a in
                          facts.isInside(a, method.node) && (a.type == "if_statement" || a.type == "conditional_expression")
                      }),
                      let condition = guardNode.type == "if_statement" ? guardNode.child(byField: "condition") : guardNode.namedChildren.dropFirst().first
                else { return false }
                let inside = facts.descendants(of: condition)
                if inside.contains(where: { $0.type == "call" && facts.callSite($0).callee.hasPrefix("random") }) { return false }
                if inside.contains(where: { $0.type == "attribute" && $0.child(byField: "attribute")?.text == "training" }) { return false }
                // The attributes tested are set from constructor parameters given per layer.
                let attributes = inside.compactMap { facts.instanceAttribute($0) }
                return attributes.contains { name in
                    facts.descendants(of: initializer.node).contains { a in
                        guard a.type == "assignment", a.child(byField: "left").flatMap(facts.instanceAttribute) == name,
                              let value = a.child(byField: "right") else { return false }
                        return dependsOnConfiguration(value, initializer, facts) && variesPerLayer(value, of: c, initializer, facts)
                            && initializer.passedParameters.contains { facts.mentions(value, $0) }
                    }
                }
            }
            if allSkippedPerLayer {
                evidence.append(facts.evidence(assignment, "attention module `\(attribute)` is skipped for some layers"))
            }
        }
        return evidence
    }

    /// Attention built in every block, then set to None on one element of the layer list by code outside the class
    /// (`model.blocks[7].attn = None`, `setattr(model.blocks[layer_idx], "attn", None)` in a helper that is called),
    /// while the class's methods call the member only under a condition (`callsGuarded`: `if self.attn is not None:`).
    /// Rejects a removal under a chance or training-mode test, and one whose index walks every layer (the variable of
    /// an enclosing loop over `range(...)`, `enumerate(...)` or the list itself): that removes attention everywhere.
    func removedFromOutside(_ c: PythonFacts.Class, _ initializer: PythonFacts.Function, _ attention: Set<String>,
                            _ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for assignment in facts.descendants(of: initializer.node) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), let attribute = facts.instanceAttribute(left),
                  let right = assignment.child(byField: "right"), isAttentionCall(facts.unparenthesized(right), attention, facts),
                  callsGuarded("self.\(attribute)", in: c, facts) else { continue }
            for (site, element) in removals(of: attribute, facts) where !facts.isInside(site, c.node) && facts.mayRun(site) {
                guard let index = element.child(byField: "subscript"), !walksEveryLayer(index, site, facts),
                      !facts.ancestors(of: site).contains(where: { a in
                          ["if_statement", "conditional_expression"].contains(a.type)
                              && (a.type == "if_statement" ? a.child(byField: "condition") : a.namedChildren.dropFirst().first).map { isChance($0, facts) } == true
                      }) else { continue }
                evidence.append(facts.evidence(site, "attention module `\(attribute)` removed from one block (\(facts.compact(element))) and called only when present"))
            }
        }
        return evidence
    }

    /// (g) One element of the layer list replaced, from outside the block classes, by a block whose forward runs no
    /// attention (`model.blocks[7] = MLPOnlyBlock(cfg)`, in code that runs, with `class MLPOnlyBlock(Block)` deleting
    /// `self.attn` and overriding `forward` with the MLP alone): the replacing class calls none of the attention
    /// modules its lineage creates, while the class it replaces (the one its lineage starts from, or one the list is
    /// built from, `self.blocks = nn.ModuleList([Block(cfg) for _ in ...])`) has attention. Rejects a replacement at
    /// every index (a loop over `range`), one under a test of chance, and a replacing block that still runs attention.
    func replacedByBlockWithoutAttention(_ attention: Set<String>, _ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for assignment in facts.nodes(ofType: "assignment") {
            guard let left = assignment.child(byField: "left").map(facts.unparenthesized), left.type == "subscript",
                  let index = left.child(byField: "subscript"), index.type != "slice",
                  let list = left.child(byField: "value").map(facts.unparenthesized), list.type == "attribute",
                  let listName = list.child(byField: "attribute")?.text,
                  let right = assignment.child(byField: "right").map(facts.unparenthesized), right.type == "call",
                  let replacing = facts.boundClass(named: facts.callSite(right).callee),
                  facts.enclosingClass(assignment).map({ facts.lineage(of: replacing).map(\.node).contains($0.node) }) != true,
                  facts.mayRun(assignment), !walksEveryLayer(index, assignment, facts),
                  !facts.ancestors(of: assignment).contains(where: { a in
                      a.type == "if_statement" && a.child(byField: "condition").map { isChance($0, facts) } == true
                  }) else { continue }
            // The attention modules the replacing class's lineage creates, and whether its forward calls one.
            let lineage = facts.lineage(of: replacing)
            var members = Set<String>()
            for c in lineage {
                guard let initializer = facts.initializer(of: c) else { continue }
                for n in facts.descendants(of: initializer.node) where n.type == "assignment" {
                    guard let target = n.child(byField: "left").flatMap({ memberKey($0, facts) }), let value = n.child(byField: "right"),
                          isAttentionCall(facts.unparenthesized(value), attention, facts) else { continue }
                    members.insert(target)
                }
            }
            let forwards = facts.forwardMethods(of: replacing)
            guard !forwards.isEmpty else { continue }
            let runsAttention = forwards.contains { forward in
                facts.reachableFunctions(from: forward).contains { f in
                    facts.descendants(of: f.node).contains { n in
                        guard n.type == "call", let called = n.child(byField: "function") else { return false }
                        if let member = calledMember(called, facts), members.contains(member) { return true }
                        return isAttentionCall(n, attention, facts)
                    }
                }
            }
            guard !runsAttention else { continue }
            // What it replaces has attention: its lineage creates attention, or the list is built from a class that does.
            let replacesAttention = !members.isEmpty || facts.nodes(ofType: "assignment").contains { built in
                guard let target = built.child(byField: "left"), facts.instanceAttribute(target) == listName,
                      let value = built.child(byField: "right") else { return false }
                return ([value] + facts.descendants(of: value)).contains { n in
                    n.type == "call" && facts.boundClass(named: facts.callSite(n).callee).map { hasAttention($0, attention, facts, depth: 0) } == true
                }
            }
            guard replacesAttention else { continue }
            evidence.append(facts.evidence(assignment, "layer \(facts.compact(index)) replaced by `\(replacing.name)`, whose forward runs no attention"))
        }
        return evidence
    }

    /// (e) A functional model whose per-layer parameter dictionary gets its attention entry only under a test of the
    /// layer index (`for i in range(n): bp = {"mlp": {...}}; if i not in cfg.mlp_only_layers: bp["attn"] = {...}`), the
    /// entry keyed for attention (`attn`, `attention`), while the forward code reads that entry only under a test of its
    /// presence (`if "attn" in p:`, `if p.get("attn") is not None:`, a test naming the key or None). Rejects an entry
    /// every layer gets, one under a test that does not read the loop's index (a model-wide flag) or reads chance, and a
    /// read of the entry outside such a test.
    func droppedFromParameterTree(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for assignment in facts.nodes(ofType: "assignment") {
            guard let left = assignment.child(byField: "left").map(facts.unparenthesized), left.type == "subscript",
                  let key = left.child(byField: "subscript").flatMap(SettingsTable.stringValue),
                  key.lowercased().contains("attn") || key.lowercased().contains("attention"),
                  let function = facts.enclosingFunction(assignment),
                  let condition = guardCondition(assignment, function, facts), !isChance(condition, facts),
                  loopVariables(around: assignment, facts).contains(where: { facts.mentions(condition, $0) }) else { continue }
            // The entry read by the forward code (outside the function that builds it), each read under a presence test.
            let reads = facts.nodes(ofType: "subscript").filter { n in
                n.child(byField: "subscript").flatMap(SettingsTable.stringValue) == key && !facts.isInside(n, function.node)
                    && !(n.parent?.type == "assignment" && n.parent?.child(byField: "left") == n)
            }
            guard !reads.isEmpty, reads.allSatisfy({ presenceTested($0, key: key, facts) }) else { continue }
            evidence.append(facts.evidence(assignment, "attention parameters `\(key)` given only to some layers (\(facts.compact(condition))) and read only when present"))
        }
        return evidence
    }

    /// (f) A block function called once per layer whose attention weights are handed `None` for the layers a test of
    /// the layer index picks (`attn_weights = None if slot[i] is None else (w_qkv[slot[i]], w_o[slot[i]])`, then
    /// `block(x, ..., attn_weights)`), while the function runs attention with them only under a test of their presence
    /// (`if attn_weights is not None: x = x + attention(x, *attn_weights)`): weights stacked per layer, with no slice for
    /// the dropped layer. Rejects a test that does not read the loop's index (a model-wide flag) or reads chance, and
    /// a parameter the function also reads outside the presence test.
    func attentionWeightsWithheld(_ attention: Set<String>, _ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for call in facts.calls where !facts.enclosingLoops(call.node).isEmpty {
            let indices = loopVariables(around: call.node, facts)
            guard !indices.isEmpty else { continue }
            for function in facts.targets(of: call) {
                let parameters = function.parameters.filter { $0 != "self" }
                for (position, parameter) in parameters.enumerated() {
                    guard let argument = call.argument(parameter, position: position),
                          let choice = withheldChoice(argument, facts),
                          !isChance(choice, facts), readsLayerIndex(choice, indices, facts, depth: 0),
                          let body = function.body, attentionOnlyWhenPresent(parameter, in: body, attention, facts) else { continue }
                    evidence.append(facts.evidence(call.node, "attention weights `\(parameter)` withheld (None) for the layers where `\(choice.text)`"))
                }
            }
        }
        return evidence
    }

    /// For `None if c else x`, `x if c else None`, or a local set to one before the read: the test `c`.
    func withheldChoice(_ argument: Node, _ facts: PythonFacts, depth: Int = 0) -> Node? {
        let node = facts.unparenthesized(argument)
        if node.type == "identifier", depth < 2, let value = facts.latestValue(of: node.text, before: node),
           facts.enclosingFunction(value)?.node == facts.enclosingFunction(node)?.node {
            return withheldChoice(value, facts, depth: depth + 1)
        }
        let parts = node.namedChildren.filter { $0.type != "comment" }
        guard node.type == "conditional_expression", parts.count == 3,
              parts[0].type == "none" || parts[2].type == "none", parts[0].type != parts[2].type else { return nil }
        return parts[1]
    }

    /// Whether a test reads one of the layer loop's variables, directly or through locals set from it
    /// (`a = self.slot[i]`, then `a is None`).
    func readsLayerIndex(_ test: Node, _ indices: [String], _ facts: PythonFacts, depth: Int) -> Bool {
        if indices.contains(where: { facts.mentions(test, $0) }) { return true }
        guard depth < 3 else { return false }
        for name in ([test] + facts.descendants(of: test)).filter({ $0.type == "identifier" }) {
            guard let value = facts.latestValue(of: name.text, before: name), value != name,
                  facts.enclosingFunction(value)?.node == facts.enclosingFunction(test)?.node else { continue }
            if readsLayerIndex(value, indices, facts, depth: depth + 1) { return true }
        }
        return false
    }

    /// Whether every read of a parameter in a function body sits under an `if` testing it (`if p is not None:`, `if p:`)
    /// and such a branch runs attention with it (a call of an attention class of the file, of a function of the file that
    /// computes attention, or of one named for attention, that is handed the parameter).
    func attentionOnlyWhenPresent(_ parameter: String, in body: Node, _ attention: Set<String>, _ facts: PythonFacts) -> Bool {
        let reads = facts.descendants(of: body).filter { $0.type == "identifier" && $0.text == parameter && facts.isRead($0) }
        var guardedAttention = false
        for read in reads {
            if let parent = read.parent, parent.type == "comparison_operator" || parent.type == "not_operator" { continue }
            if read.parent?.type == "if_statement", read.parent?.child(byField: "condition") == read { continue }
            let guarding = facts.ancestors(of: read).first { a in
                guard a.type == "if_statement", facts.isInside(a, body), let condition = a.child(byField: "condition"),
                      let consequence = a.child(byField: "consequence"), facts.isInside(read, consequence) else { return false }
                return ([condition] + facts.descendants(of: condition)).contains { $0.type == "identifier" && $0.text == parameter }
            }
            guard guarding != nil else { return false }
            let handedTo = facts.ancestors(of: read).first { $0.type == "call" }
            if let handedTo {
                let called = facts.callSite(handedTo)
                let name = called.name.lowercased()
                let computesAttention = { (f: PythonFacts.Function) in facts.attentionSites.contains { facts.isInside($0.node, f.node) } }
                if name.contains("attn") || name.contains("attention") || attention.contains(called.name)
                    || facts.targets(of: called).contains(where: { attention.contains($0.name) || computesAttention($0) }) {
                    guardedAttention = true
                }
            }
        }
        return guardedAttention
    }

    /// Whether a read of a parameter entry sits, inside its function, under an `if` or a conditional expression whose
    /// test names the entry's key or None (`if "attn" in p:`, `... if p.get("attn") is not None else ...`).
    func presenceTested(_ read: Node, key: String, _ facts: PythonFacts) -> Bool {
        guard let function = facts.enclosingFunction(read) else { return false }
        var child = read
        return facts.ancestors(of: read).contains { a in
            defer { child = a }
            guard facts.isInside(a, function.node), a != function.node else { return false }
            let condition: Node?
            switch a.type {
            case "if_statement": condition = a.child(byField: "consequence") == child ? a.child(byField: "condition") : nil
            case "conditional_expression":
                let parts = a.namedChildren.filter { $0.type != "comment" }
                condition = parts.count == 3 && parts[0] == child ? parts[1] : nil
            default: condition = nil
            }
            guard let condition else { return false }
            return ([condition] + facts.descendants(of: condition)).contains { n in
                n.type == "none" || (n.type == "string" && SettingsTable.stringValue(n) == key)
            }
        }
    }

    /// The places that set a member of one list element to None, with that element (`blocks[7]` in `model.blocks[7].attn
    /// = None` or `setattr(model.blocks[7], "attn", None)`).
    func removals(of member: String, _ facts: PythonFacts) -> [(site: Node, element: Node)] {
        var result: [(site: Node, element: Node)] = []
        for assignment in facts.nodes(ofType: "assignment") {
            guard let left = assignment.child(byField: "left").map(facts.unparenthesized), left.type == "attribute",
                  left.child(byField: "attribute")?.text == member,
                  let element = left.child(byField: "object").map(facts.unparenthesized), element.type == "subscript",
                  assignment.child(byField: "right").map(facts.unparenthesized)?.type == "none" else { continue }
            result.append((site: assignment, element: element))
        }
        for call in facts.calls where call.callee == "setattr" && call.positional.count == 3 {
            let element = facts.unparenthesized(call.positional[0])
            guard element.type == "subscript", SettingsTable.stringValue(call.positional[1]) == member,
                  facts.unparenthesized(call.positional[2]).type == "none" else { continue }
            result.append((site: call.node, element: element))
        }
        return result
    }

    /// Whether a list index reads the variable of a loop around `site` that walks every layer: one over `range(...)`
    /// or `enumerate(...)` (`for i, _ in enumerate(model.blocks)`). A loop over a chosen set of layers (`for i in
    /// cfg.attnless_layers`, `for i in (7,)`) does not.
    func walksEveryLayer(_ index: Node, _ site: Node, _ facts: PythonFacts) -> Bool {
        facts.enclosingLoops(site).contains { loop in
            guard facts.loopVariables(loop).contains(where: { facts.mentions(index, $0) }),
                  let iterable = loop.child(byField: "right").map(facts.unparenthesized), iterable.type == "call" else { return false }
            return ["range", "enumerate", "zip"].contains(facts.callSite(iterable).callee)
        }
    }

    /// Whether the constructor parameters the condition reads are given per layer: at least one construction of
    /// the class passes them an expression of a loop or comprehension variable (`Block(d, h, use_attn=(i != 7))`,
    /// `Block(cfg, i)`, also the counter of a `while` loop). With no construction in the file, or a condition on
    /// attributes only, it cannot tell and accepts.
    ///
    /// An argument that can be run for every layer (the loop or comprehension counts over `range(n)`) must also take
    /// both truth values: `use_attn=i not in skipped` with `skipped = ()`, or `use_attn=i != -1`, keeps attention in
    /// every block.
    func variesPerLayer(_ condition: Node, of c: PythonFacts.Class, _ initializer: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        let read = initializer.passedParameters.enumerated().filter { facts.mentions(condition, $0.element) }
        let constructions = facts.calls(withCallee: c.name)
        guard !read.isEmpty, !constructions.isEmpty else { return true }
        return constructions.contains { call in
            let loops = loopVariables(around: call.node, facts)
            return read.contains { index, name in
                guard let argument = call.argument(name, position: index) else { return false }
                return loops.contains { variable in
                    facts.mentions(argument, variable) && !isConstantOverLayers(argument, variable, around: call.node, facts)
                }
            }
        }
    }

    /// Whether an argument takes one truth value for every layer: run with the variable bound to each value of the
    /// `range(n)` it counts over (a `for` loop or a comprehension around the construction). False when the count or any
    /// value is unknown.
    func isConstantOverLayers(_ argument: Node, _ variable: String, around node: Node, _ facts: PythonFacts) -> Bool {
        let iterables = loopClauses(around: node, facts).filter { $0.names.contains(variable) }.compactMap(\.iterable)
        let interpreter = ScriptInterpreter(facts)
        guard iterables.count == 1, let range = iterables.first.map(facts.unwrapped), range.type == "call",
              case let site = facts.callSite(range), site.callee == "range", site.positional.count == 1,
              let count = interpreter.number(site.positional[0]), count >= 2, count <= 256 else { return false }
        var seen = Set<Bool>()
        for layer in 0..<Int(count) {
            guard let value = interpreter.value(of: argument, bindings: [variable: Double(layer)]) else { return false }
            seen.insert(value.truthy)
        }
        return seen.count == 1
    }

    func isAttentionCall(_ node: Node, _ attention: Set<String>, _ facts: PythonFacts) -> Bool {
        guard node.type == "call", let call = facts.constructorCall(node) else { return false }
        if call.callee == "torch.nn.MultiheadAttention" || attention.contains(call.callee) { return true }
        let name = call.name.lowercased()
        return name.contains("attention") || name.contains("attn")
    }

    /// A module held by the instance, as one key: `self.attn` (also `s.attn` in a method that names its instance `s`),
    /// or an entry of a module dictionary it holds (`self.sublayers["attn"]`, quotes aside).
    func memberKey(_ node: Node, _ facts: PythonFacts) -> String? {
        let node = facts.unparenthesized(node)
        if let name = facts.instanceAttribute(node) {
            return "self.\(name)"
        }
        guard node.type == "subscript", let table = node.child(byField: "value").flatMap({ memberKey($0, facts) }), !table.contains("["),
              let key = node.child(byField: "subscript").flatMap(SettingsTable.stringValue) else { return nil }
        return "\(table)[\(key)]"
    }

    /// Whether every call of the member (`self.attn(...)`, `self.sublayers["attn"](...)`) in the class's methods sits
    /// under a condition. A member the methods never call but hand on (to a pure block function, in a dictionary of
    /// sublayers: `mods = {"mlp": self.mlp} if self.attn is None else {"attn": self.attn, "mlp": self.mlp}`) must be
    /// handed on only under a condition, each reference of it.
    func callsGuarded(_ member: String, in c: PythonFacts.Class, _ facts: PythonFacts) -> Bool {
        var uses = facts.calls.filter { call in
            call.function.flatMap { calledMember($0, facts) } == member && facts.isInside(call.node, c.node)
                && facts.enclosingFunction(call.node)?.name != "__init__"
        }.map(\.node)
        if uses.isEmpty {
            uses = facts.descendants(of: c.node).filter { n in
                ["attribute", "subscript"].contains(n.type) && memberKey(n, facts) == member && facts.enclosingFunction(n)?.name != "__init__"
                    && !isNoneTest(n, facts)
            }
        }
        guard !uses.isEmpty else { return false }
        return uses.allSatisfy { use in
            guard let method = facts.enclosingFunction(use) else { return false }
            let underCondition = facts.ancestors(of: use).contains { a in
                facts.isInside(a, method.node) && a != method.node && (a.type == "if_statement" || a.type == "conditional_expression")
            }
            // Past a guard that leaves without the member (`if self.attn is None: ...; return x`, then `self.attn(h)`).
            return underCondition || facts.exitGuards(at: use).contains { condition in
                ([condition] + facts.descendants(of: condition)).contains { memberKey($0, facts) == member }
            }
        }
    }

    /// The member a called expression names (see `memberKey`), also through a local of the method set to it (`attn =
    /// self.attn` or `self._modules.get("attn")`, then `if attn is not None: attn(x)`).
    func calledMember(_ function: Node, _ facts: PythonFacts) -> String? {
        if let member = memberKey(function, facts) { return member }
        let local = facts.unparenthesized(function)
        guard local.type == "identifier", let value = facts.latestValue(of: local.text, before: local),
              facts.enclosingFunction(value)?.node == facts.enclosingFunction(local)?.node else { return nil }
        return memberKey(value, facts)
    }

    /// Whether a reference is only tested for presence (`self.attn is None`, `self.attn is not None`).
    func isNoneTest(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard let parent = node.parent, parent.type == "comparison_operator" else { return false }
        return parent.namedChildren.contains { $0.type == "none" }
    }

    /// The class of the file a call constructs.
    func blockClass(_ node: Node, _ facts: PythonFacts) -> PythonFacts.Class? {
        guard node.type == "call" else { return nil }
        let call = facts.callSite(node)
        return facts.boundClass(named: call.callee)
    }

    /// Whether a class (or a base class of the file) holds or computes attention.
    func hasAttention(_ c: PythonFacts.Class, _ attention: Set<String>, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 4 else { return false }
        if attention.contains(c.name) { return true }
        let creates = facts.descendants(of: c.node).contains { n in
            guard n.type == "assignment", let left = n.child(byField: "left"), left.type == "attribute",
                  let right = n.child(byField: "right") else { return false }
            return isAttentionCall(facts.unparenthesized(right), attention, facts)
        }
        if creates { return true }
        return c.bases.contains { base in
            facts.baseClass(named: base.lastDottedComponent, of: c).map { hasAttention($0, attention, facts, depth: depth + 1) } ?? false
        }
    }

    func isComprehension(_ node: Node) -> Bool {
        var current = node.parent
        while let c = current {
            if ["list_comprehension", "generator_expression"].contains(c.type) { return true }
            if c.type == "function_definition" { return false }
            current = c.parent
        }
        return false
    }

    /// Loop and comprehension variables around a node.
    func loopVariables(around node: Node, _ facts: PythonFacts) -> [String] {
        loopClauses(around: node, facts).flatMap(\.names)
    }

    /// The `for` loops and the comprehension clauses around a node inside its function: the names each binds and the
    /// iterable it walks.
    func loopClauses(around node: Node, _ facts: PythonFacts) -> [(names: [String], iterable: Node?)] {
        // A `while` loop binds the counters its body counts up by hand (`li = 0; while li < n: ...; li += 1`).
        var clauses = facts.enclosingLoops(node).map { (names: facts.iterationVariables($0), iterable: $0.child(byField: "right")) }
        var current = node.parent
        while let c = current, c.type != "function_definition" {
            if ["list_comprehension", "generator_expression"].contains(c.type) {
                for clause in c.namedChildren where clause.type == "for_in_clause" {
                    guard let left = clause.child(byField: "left") else { continue }
                    let names = facts.descendants(of: left).filter { $0.type == "identifier" }.map(\.text)
                    clauses.append((names, clause.child(byField: "right")))
                }
            }
            current = c.parent
        }
        return clauses
    }
}
