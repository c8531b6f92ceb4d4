import Parsing
import TreeSitterKit

/// `value_residual`: every attention layer mixes the first layer's values into its own.
///
/// Requires an attention function (one that calls `scaled_dot_product_attention` or `flex_attention`) whose value
/// argument `v` was just mixed with another tensor `v1` (`(1 - l) * v + l * v1`, two weights, `v + l * v1`, also into
/// a new name, `v = (1 - l) * own_values + l * v1`, then own_values standing for the layer's values, also into the
/// values' entry of a dictionary of heads the attention's `v` is unpacked from, `h["v"] = (1 - l) * h["v"] + l * v1`,
/// `torch.lerp(v, v1, l)`, the weight also through a local, `l = self.lamb`; also by a helper of the file or a lambda
/// a local name holds, `blend = lambda a, b: torch.lerp(a, b, self.w)` then `v = blend(v, v1)`), where `v1` carries
/// this layer's own values onward: the function sets it from `v` (`if v1 is None: v1 = v`, `v1 = v if v1 is None else
/// v1`) or returns its values for the caller to keep (also a copy taken before the mix, `orig_values = v`). The mix may also be what a forward hook on the projection that
/// makes the values returns (`attn.c_v.register_forward_hook(value_out)` with `return (1 - lam) * v + lam * stash.v1`,
/// `v` the hook's output parameter), where `v1` is a field of an object that a hook on that projection sets from its
/// output on the first call only (`if first: stash.v1 = v`, see `PythonFacts.firstCallCaptures`).
/// Rejects value embeddings looked up from token ids and mixed into v, mixing the embedding x0 into the hidden
/// state, v1 passed around without being mixed, a fixed blend (numbers, or a weight registered as a buffer; a weight a
/// pure layer function reads from its parameter dictionary is learned when the entry is created as a tensor,
/// `"v_mix": torch.tensor(0.5)`, fixed when it is a plain number), and the previous layer's values (a layer returns its mixed values
/// and the caller passes them to the next layer every time; also a hook field set from the output on every call). A
/// local holding the module's weight (`w = self.lamb`) is the blend's weight, never the tensor mixed in.
/// The values may reach attention through einops `rearrange` (see `PythonFacts.unwrappedTensor`), or through a helper
/// of the file handed them (`run_heads(q, k, v, proj)`), the mix then read in its callers.
/// Examples: `queries/python/value_residual/examples/`.
struct ValueResidual: Detector {
    let id = "value_residual"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        for (site, value) in attentionValues(facts) {
            // The values' name, or the entry of a dictionary of heads they are unpacked from (`h["v"]`).
            guard let function = facts.enclosingFunction(site),
                  let root = facts.tensorRoot(value), let read = facts.keyedElementEntry(root) ?? Optional(root.text) else { continue }
            let mixes = facts.mixAssignments(in: function.node).filter {
                $0.own.replacingOccurrences(of: "'", with: "\"") == read && $0.assignment.endByte <= site.startByte
            }
                + renamedMixes(into: read, in: function, before: site, facts)
            for mix in mixes {
                let own = mix.own
                let partner = mix.partner.text
                // A local holding the module's weight (`w = self.lamb`, `w = self.weights["first"]`) is the blend's
                // weight, not the tensor mixed in.
                let held = facts.localValues(of: partner, around: mix.assignment).map(facts.unwrapped)
                if !held.isEmpty, held.allSatisfy({ value in
                    let base = value.type == "subscript" ? value.child(byField: "value") ?? value : value
                    return base.type == "attribute" && base.text.hasPrefix("self.")
                }) { continue }
                // The blend is learned: a fixed one (numbers, or a registered buffer) is another idea.
                if hasFixedWeights(mix.assignment, own: own, partner: partner, facts) { continue }
                // v1 is set from this layer's values (here, or in the helper that mixes: `anchor = v if v1 is None
                // else v1`), or the layer hands its values on.
                let setFromOwn = facts.localValues(of: partner, around: mix.assignment).contains { value in
                    own.contains("[") ? ([value] + facts.descendants(of: value)).contains { $0.text == own } : facts.mentions(value, own)
                }
                    || facts.helperSetsPartnerFromOwn(mix.assignment, own: own)
                let returnsOwn = facts.returnedValues(function).contains { value in
                    let items = ["expression_list", "tuple"].contains(value.type) ? value.namedChildren : [value]
                    return items.contains { item in
                        if (facts.tensorRoot(item) ?? facts.entryRoot(item))?.text == own { return true }
                        // A copy of the values taken unconditionally before the mix (`orig_values = v`, then `return out,
                        // orig_values`); not the partner itself (`if v1 is None: v1 = v` hands on the first layer's).
                        let i = facts.unwrapped(item)
                        guard i.type == "identifier", i.text != partner,
                              let copied = facts.latestValue(of: i.text, before: i).map(facts.unwrapped),
                              !facts.ancestors(of: copied).prefix(while: { $0 != function.node }).contains(where: { $0.type == "if_statement" })
                        else { return false }
                        return copied.endByte <= mix.assignment.startByte && facts.tensorRoot(copied)?.text == own
                    }
                }
                // A layer that returns its own values to a caller that passes them to the next layer every time
                // mixes in the previous layer's values, not the first layer's (also when the first layer, given
                // none, sets the partner from its own values).
                if returnsOwn && recycledEveryLayer(function, parameter: partner, facts) { continue }
                if setFromOwn || returnsOwn {
                    return [facts.evidence(mix.assignment, "values mixed with the first layer's values \(partner)")]
                }
            }
            if let found = hookedMix(value, facts) { return [found] }
        }
        return []
    }

    /// The mix a forward hook returns in place of the projection that makes the attention's values (`v =
    /// self.c_v(x).view(...)` with `attn.c_v.register_forward_hook(value_out)`; the projections of the value's
    /// lineage): `(1 - lam) * v + lam * stash.v1` (any spelling `fieldMixPartners` reads, also through a local the
    /// hook returns) with `v` the hook's output parameter and `stash.v1` a field that a hook on that projection sets
    /// from its own output on the first call only (`if first: stash.v1 = v`, `PythonFacts.firstCallCaptures`): every
    /// layer then mixes in the first layer's values. The blend must be learned (`fixedWeights`). Nil when there is none.
    func hookedMix(_ value: Node, _ facts: PythonFacts) -> Evidence? {
        for projection in facts.lineage(of: value, model: facts.model(), flow: facts.dataflow).projections {
            let hooks = facts.forwardHooks(on: facts.callSite(projection), kind: .output)
            var firstValues = Set<String>()
            for hook in hooks {
                for code in hook.functions {
                    guard let output = facts.outputParameter(of: code, in: hook) else { continue }
                    for capture in facts.firstCallCaptures(of: code) where capture.from == output { firstValues.insert(capture.field) }
                }
            }
            guard !firstValues.isEmpty else { continue }
            for hook in hooks {
                for code in hook.functions {
                    guard let own = facts.outputParameter(of: code, in: hook) else { continue }
                    for returned in facts.returnedValues(code) {
                        var mixed = facts.unwrapped(returned)
                        if mixed.type == "identifier", mixed.text != own, let local = facts.latestValue(of: mixed.text, before: returned) {
                            mixed = facts.unwrapped(local)
                        }
                        for partner in facts.fieldMixPartners(mixed, own: own) where firstValues.contains(facts.compact(partner)) {
                            if fixedWeights(in: mixed, own: own, partner: partner.text, arguments: [:], facts) { continue }
                            return facts.evidence(returned, "values mixed by a forward hook on the value projection with the first layer's values \(partner.text)")
                        }
                    }
                }
            }
        }
        return nil
    }

    /// Mixes computed into the tensor attention reads under a new name (`v = (1 - l) * own_values + l * first_values`,
    /// `v` the value argument, before `site`): for each local of the function (not a parameter) the right side mixes
    /// with a partner other than `value`, the mix as that local's (`own`), so the layer's own values are checked as
    /// in `v = (1 - l) * v + l * v1`.
    func renamedMixes(into value: String, in function: PythonFacts.Function, before site: Node, _ facts: PythonFacts)
        -> [(assignment: Node, own: String, partner: Node)] {
        var result: [(assignment: Node, own: String, partner: Node)] = []
        for assignment in facts.descendants(of: function.node) where assignment.type == "assignment" && assignment.endByte <= site.startByte {
            guard facts.enclosingFunction(assignment)?.node == function.node,
                  let left = assignment.child(byField: "left"), left.type == "identifier", left.text == value,
                  let right = assignment.child(byField: "right") else { continue }
            let names = Set(facts.descendants(of: right).filter { $0.type == "identifier" && $0.parent?.type != "attribute" }.map(\.text))
            for name in names.sorted() where name != value && !function.parameters.contains(name) {
                for partner in facts.mixPartners(right, own: name) where partner.text != value && partner.text != name {
                    result.append((assignment: assignment, own: name, partner: partner))
                }
            }
        }
        return result
    }

    /// Whether every weight of a mix is fixed: the mix reads no name besides the two tensors, or every other name
    /// or attribute it reads (a local standing for another weight read as that weight) is set only to numbers or
    /// registered as a buffer (`register_buffer("w", ...)`, not trained). A mix a helper of the file computes (`v, v1 =
    /// self.blend(v, v1)`) is read in the helper, a weight the helper takes as a parameter at the argument the call
    /// passes.
    func hasFixedWeights(_ assignment: Node, own: String, partner: String, _ facts: PythonFacts) -> Bool {
        let helper = facts.helperMixes(assignment, own: own)
        if !helper.isEmpty {
            return helper.allSatisfy { mix in
                mix.partners.allSatisfy { fixedWeights(in: mix.expression, own: mix.own, partner: $0.text, arguments: mix.arguments, facts) }
            }
        }
        guard let right = assignment.child(byField: "right") else { return false }
        return fixedWeights(in: right, own: own, partner: partner, arguments: [:], facts)
    }

    func fixedWeights(in right: Node, own: String, partner: String, arguments: [String: Node], _ facts: PythonFacts) -> Bool {
        var weights: [Node] = []
        var sources = [right]
        while let expression = sources.popLast() {
            for n in facts.descendants(of: expression) where n.type == "identifier" || n.type == "attribute" {
                // The name of an attribute or method (`lerp` in `torch.lerp`) is no variable.
                if n.type == "identifier", n.parent?.type == "attribute", n.parent?.child(byField: "attribute") == n { continue }
                if let parent = n.parent, parent.type == "attribute", parent.child(byField: "object") == n {
                    // `self` in `self.w` and a module in `torch.lerp` are no weights; a weight a method is called on
                    // (`self.w.type_as(v)`, `self.w.sigmoid()`) is.
                    let called = parent.parent?.type == "call" && parent.parent?.child(byField: "function") == parent
                    if !called || (n.type == "identifier" && facts.imports.bindings[n.text] != nil) { continue }
                }
                if n.parent?.type == "call" && n.parent?.child(byField: "function") == n { continue }
                if n.type == "identifier", [own, partner, "self", "torch"].contains(n.text) { continue }
                // The table of an entry that is the own tensor (`h` in `h["v"]`) is no weight.
                if n.type == "identifier", let entry = n.parent, entry.type == "subscript", entry.child(byField: "value") == n,
                   entry.text == own { continue }
                // The partner read as a field (`stash.v1`, a hook's kept state) is the tensor, not a weight.
                if n.type == "attribute", n.text == partner { continue }
                // A helper's parameter: the argument the call passes (`blend(v, v1, 0.5)` is fixed).
                if n.type == "identifier", let passed = arguments[n.text] {
                    if passed.type == "identifier" || passed.type == "attribute" { weights.append(passed) } else { sources.append(passed) }
                    continue
                }
                // A local naming another weight (`l = self.lamb`): that weight.
                if n.type == "identifier", let alias = facts.latestValue(of: n.text, before: n).map(facts.unparenthesized),
                   alias.type == "attribute" || alias.type == "identifier" {
                    weights.append(alias)
                    continue
                }
                weights.append(n)
            }
        }
        guard !weights.isEmpty else { return true }
        return weights.allSatisfy { weight in
            guard let name = SettingsTable.bareName(of: weight) else { return false }
            let settings = facts.allSettings.settings(name)
            guard !settings.isEmpty else { return false }
            return settings.allSatisfy { setting in
                if learnedEntry(setting.value, facts) { return false }
                return (setting.site.type == "call" && facts.callSite(setting.site).name == "register_buffer") || facts.value(of: setting.value) != nil
            }
        }
    }

    /// Whether a weight is read from an entry of a functional model's parameter dictionary (`lam = p["v_mix"]`, `p`
    /// the weights a pure layer function is handed) whose entries are created as tensors (`"v_mix":
    /// torch.tensor(0.5)`): a leaf the model trains once the dictionary is made parameters, not a fixed number. A
    /// plain number in a dictionary (`{"v_mix": 0.5}`) stays fixed.
    func learnedEntry(_ value: Node, _ facts: PythonFacts) -> Bool {
        let value = facts.unwrapped(value)
        guard value.type == "subscript", let table = value.child(byField: "value").map(facts.unwrapped), table.type == "identifier",
              facts.parameterOwner(of: table) != nil,
              let key = value.child(byField: "subscript").flatMap(SettingsTable.stringValue) else { return false }
        let factories: Set<String> = ["torch.tensor", "torch.ones", "torch.zeros", "torch.full", "torch.as_tensor", "torch.empty", "torch.nn.Parameter"]
        return facts.allSettings.settings(key).contains { setting in
            let entry = facts.unwrapped(setting.value)
            return entry.type == "call" && factories.contains(facts.callSite(entry).callee)
        }
    }

    /// Whether a loop calls layers with a variable in the place of `parameter` and unconditionally reassigns that
    /// variable from the call's result (`out, v_prev = layer(x, v_prev)`, or `out, values = layer(x, v_prev)` then
    /// `v_prev = values`).
    func recycledEveryLayer(_ function: PythonFacts.Function, parameter: String, _ facts: PythonFacts) -> Bool {
        let parameters = function.passedParameters
        guard let position = parameters.firstIndex(of: parameter) else { return false }
        return facts.nodes.contains { assignment in
            guard assignment.type == "assignment", !facts.enclosingLoops(assignment).isEmpty,
                  let right = assignment.child(byField: "right").map(facts.unparenthesized), right.type == "call",
                  !facts.ancestors(of: assignment).prefix(while: { !["for_statement", "while_statement"].contains($0.type) })
                      .contains(where: { $0.type == "if_statement" }),
                  let argument = facts.callSite(right).argument(parameter, position: position),
                  argument.type == "identifier" else { return false }
            let bound = Set(facts.assignedNames(assignment).map(\.name))
            if bound.contains(argument.text) { return true }
            // Handed on through another name, unconditionally, in the same loop (`out, values = layer(x, v_prev)`, then
            // `v_prev = values`).
            guard let loop = facts.enclosingLoops(assignment).first else { return false }
            return facts.descendants(of: loop).contains { copy in
                guard copy.type == "assignment", copy.startByte > assignment.endByte, facts.enclosingLoops(copy).first == loop,
                      copy.child(byField: "left")?.text == argument.text,
                      let source = copy.child(byField: "right").map(facts.unparenthesized), source.type == "identifier",
                      bound.contains(source.text) else { return false }
                return !facts.ancestors(of: copy).prefix(while: { $0 != loop }).contains { $0.type == "if_statement" }
            }
        }
    }

    /// Where attention consumes its values: the value of an attention site (`facts.attentionSites`: also a spread
    /// `sdpa(*(t.transpose(1, 2) for t in (q, k, v)))`, FlexAttention under another name, `softmax(s) @ v`), the value
    /// argument of `scaled_dot_product_attention` / `flex_attention`, or the right operand of `att @ v` in a function
    /// that takes a softmax.
    func attentionValues(_ facts: PythonFacts) -> [(Node, Node)] {
        var result: [(Node, Node)] = facts.attentionSites.compactMap { site in site.value.map { (site.node, $0) } }
        for call in facts.calls where ["scaled_dot_product_attention", "flex_attention"].contains(call.name) && !result.contains(where: { $0.0 == call.node }) {
            if let value = facts.argument(of: call, "value", position: 2) { result.append((call.node, value)) }
        }
        for n in facts.nodes(ofType: ["binary_operator", "call"]) {
            guard let (_, right) = facts.matmulOperands(n), let function = facts.enclosingFunction(n),
                  facts.calls(named: "softmax").contains(where: { facts.isInside($0.node, function.node) && $0.node.endByte <= n.startByte })
            else { continue }
            result.append((n, right))
        }
        // A helper that attends to the values it is handed (`def attend(module, q, k, v): ... sdpa(q, k, v)`): the
        // calls of it, with the values each passes, so that the mix is read in the caller (`v = (1 - l) * v + l * v1`
        // then `attend(self, q, k, v)`).
        for (_, value) in result {
            guard let root = facts.tensorRoot(value), root.type == "identifier", let helper = facts.enclosingFunction(value),
                  let index = helper.parameters.firstIndex(of: root.text),
                  facts.dataflow.bindings(of: root.text, at: root).allSatisfy({ if case .parameter = $0.kind { return true } else { return false } })
            else { continue }
            for site in facts.dataflow.callSites(of: helper.node) {
                guard let argument = facts.dataflow.argument(site, name: root.text, index: index),
                      !result.contains(where: { $0.0 == site.call.node }) else { continue }
                result.append((site.call.node, argument))
            }
        }
        return result
    }
}
