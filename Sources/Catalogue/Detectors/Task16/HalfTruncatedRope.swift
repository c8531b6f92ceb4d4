import TreeSitterKit

/// `half_truncated_rope`: half of each head's rotary pairs get frequency zero (never rotate).
///
/// Requires, in a rotary module or function (one that takes `cos` / `sin`, or complex phases: `torch.polar`,
/// `exp(1j * angle)`; a class composed with one, a mixin's frequency hook in `class Rotary(HalfFreqMixin, BaseRotary)`,
/// see `PythonFacts.composedClasses`), a frequency
/// vector with a zero half: concatenated with zeros (`torch.cat([f, f.new_zeros(n)])`, with the zeros as long as
/// the `linspace` when both are known; either part may be an entry of a dictionary literal read by its key,
/// `torch.cat([parts["spin"], parts["frozen"]])`, and the zeros a local name set to them and not written into,
/// `still = torch.zeros(q)` then `torch.cat([spin, still])`), right-padded with zeros (`F.pad(f, (0, n))`), or zeroed by slice
/// assignment (`f[n:] = 0`), in place on an upper view (`f[n:].zero_()`, `f.narrow(0, n, m).fill_(0)`, see
/// `PythonFacts.zeroedTensor`), `torch.where(..., f, 0)` or `masked_fill(..., 0)`; or the equivalent partial rotary
/// that rotates `x[..., :k]` and concatenates `x[..., k:]` unchanged, with k half of the head dimension (`d // 2`,
/// `int(d * 0.5)`, a fraction resolving to 0.5), also when the two parts come from one split
/// (`rot, keep = torch.tensor_split(x, (d // 2,), -1)`, `x.split([k, d - k], -1)`, `x.chunk(2, -1)`) and only the kept
/// part enters the concatenation as it was (rotate-half, `cat([-x2, x1])`, does not count). A helper handed the tables
/// (`def rope(x, cos, sin)`) is a rotary function too. The truncated frequencies must reach the cos / sin (through
/// local names, attributes, buffers or a helper's return); the cos / sin may be picked by name (`getattr(torch, fn)(theta)`
/// in a loop over `("cos", "sin")`). Rejects full RoPE at any base, precomputed tables without
/// truncation, zeros made for other buffers, and rotary fractions other than one half. Examples:
/// `queries/python/half_truncated_rope/examples/`.
struct HalfTruncatedRope: Detector {
    let id = "half_truncated_rope"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        // Whether a scope computes angles is asked for every call and assignment in it: answer once per scope.
        var angleScopes: [Node: Bool] = [:]
        func computes(_ scope: Node) -> Bool {
            if let known = angleScopes[scope] { return known }
            let answer = computesAngles(scope, facts)
            angleScopes[scope] = answer
            return answer
        }
        for node in facts.nodes(ofType: ["call", "assignment"]) where inRotary(node, facts, computes) {
            if let note = truncation(node, facts), note.hasPrefix("partial") || feedsAngles(node, facts) {
                evidence.append(facts.evidence(node, note))
            }
        }
        return evidence
    }

    /// Whether the truncated frequencies reach the rotary angles: the cos / sin / polar computed in the same
    /// class or function (or a caller of the helper) read them, through local names, attributes and buffers.
    func feedsAngles(_ node: Node, _ facts: PythonFacts) -> Bool {
        // The name the frequencies are stored under.
        var target: String?
        if node.type == "assignment", let left = node.child(byField: "left") {
            target = left.type == "subscript" ? left.child(byField: "value")?.text : left.text
        } else if let view = facts.zeroedTensor(facts.callSite(node)).map(facts.unwrapped), let base = upperView(view, facts) {
            // f.narrow(0, n, m).zero_(): the vector the view is of.
            target = base.text
        } else {
            var current = node
            while let parent = current.parent {
                if parent.type == "assignment", parent.child(byField: "right") == current, let left = parent.child(byField: "left") {
                    target = left.text
                    break
                }
                if parent.type == "return_statement", let helper = facts.enclosingFunction(parent) {
                    target = helper.name
                    break
                }
                if parent.type == "call", facts.callSite(parent).name == "register_buffer",
                   let name = facts.callSite(parent).positional.first.flatMap({ SettingsTable.stringValue($0) }) {
                    target = "self." + name
                    break
                }
                guard ["argument_list", "call", "parenthesized_expression", "attribute", "list", "tuple"].contains(parent.type) else { break }
                current = parent
            }
        }
        guard let target else { return false }
        // A class's scope is the classes composed with it (a mixin's frequency hook, the base's tables).
        let owner = facts.enclosingClass(node)
        let scopes = (owner.map { facts.composedClasses(of: $0).map(\.node) } ?? [facts.enclosingFunction(node)?.node].compactMap { $0 })
            + facts.calls.filter { call in facts.enclosingFunction(node).map { call.name == $0.name } == true }
                .compactMap { facts.enclosingClass($0.node)?.node ?? facts.enclosingFunction($0.node)?.node }
        for scope in scopes {
            for call in facts.descendants(of: scope) where call.type == "call" {
                let site = facts.callSite(call)
                guard !facts.calledNames(site).isDisjoint(with: ["cos", "sin"]) || facts.makesComplexPhase(site) else { continue }
                let inputs = (site.receiver.map { [$0] } ?? []) + site.positional
                if inputs.contains(where: { reads(target, $0, facts, depth: 0) }) { return true }
            }
        }
        return false
    }

    /// Whether an expression reads `name` (a local, `self.x`, or a helper's call), following local names.
    func reads(_ name: String, _ expression: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 5 else { return false }
        for n in facts.descendants(of: expression) {
            if (n.type == "identifier" || n.type == "attribute") && n.text == name { return true }
            if n.type == "call", facts.callSite(n).callee == name { return true }
            if n.type == "identifier", facts.isRead(n), let value = facts.latestValue(of: n.text, before: n), value != expression,
               reads(name, value, facts, depth: depth + 1) {
                return true
            }
            if n.type == "attribute", n.child(byField: "object")?.text == "self", depth < 3 {
                // self.theta = ...; cos(self.theta)
                for value in facts.allSettings.settings(n.child(byField: "attribute")?.text ?? "").map(\.value)
                where value != expression && reads(name, value, facts, depth: depth + 1) {
                    return true
                }
            }
        }
        return false
    }

    /// Whether a node lies in a class or function that computes rotary angles (cos and sin, or polar), or in a
    /// helper whose callers do.
    func inRotary(_ node: Node, _ facts: PythonFacts, _ computesAngles: (Node) -> Bool) -> Bool {
        guard node.type == "call" || node.type == "assignment" else { return false }
        guard let scope = facts.enclosingClass(node)?.node ?? facts.enclosingFunction(node)?.node else { return false }
        if computesAngles(scope) { return true }
        // A mixin's hook composed into a rotary class (`class Rotary(HalfFreqMixin, BaseRotary)`).
        if let owner = facts.enclosingClass(node), facts.composedClasses(of: owner).contains(where: { computesAngles($0.node) }) { return true }
        guard facts.enclosingClass(node) == nil, let helper = facts.enclosingFunction(node) else { return false }
        // A rotary helper handed the tables (`def rope_half(x, cos, sin)`, `apply(x, cos_t, sin_t)`).
        func names(_ trig: String) -> (String) -> Bool {
            { p in p == trig || p.hasPrefix(trig + "_") || p.hasSuffix("_" + trig) }
        }
        let parameters = helper.parameters.map { $0.lowercased() }
        if parameters.contains(where: names("cos")), parameters.contains(where: names("sin")) { return true }
        return facts.calls.contains { call in
            call.name == helper.name && !facts.isInside(call.node, helper.node)
                && (facts.enclosingClass(call.node)?.node ?? facts.enclosingFunction(call.node)?.node).map(computesAngles) == true
        }
    }

    /// Whether a scope calls both cos and sin (also through a function picked by name, `getattr(torch, fn)(theta)` for
    /// `fn in ("cos", "sin")`, see `PythonFacts.calledNames`), or makes complex phases.
    func computesAngles(_ scope: Node, _ facts: PythonFacts) -> Bool {
        let calls = facts.descendants(of: scope).filter { $0.type == "call" }.map { facts.callSite($0) }
        let names = calls.reduce(into: Set<String>()) { $0.formUnion(facts.calledNames($1)) }
        return (names.contains("cos") && names.contains("sin")) || calls.contains(where: facts.makesComplexPhase)
    }

    func truncation(_ node: Node, _ facts: PythonFacts) -> String? {
        if node.type == "assignment" {
            // f[n:] = 0
            guard let left = node.child(byField: "left"), left.type == "subscript", let right = node.child(byField: "right"),
                  facts.value(of: right)?.double == 0,
                  facts.descendants(of: left).contains(where: { $0.type == "slice" && $0.namedChildCount == 1 && $0.children.first?.type != ":" })
            else { return nil }
            return "upper rotary frequencies set to zero"
        }
        let call = facts.callSite(node)
        switch call.name {
        case "cat", "concat", "concatenate", "hstack":
            guard let list = call.positional.first, ["list", "tuple"].contains(list.type) else { return nil }
            // An entry read by its key from a dictionary literal stands for its expression.
            let items = list.namedChildren.map { facts.resolver.literalSubscriptEntry($0) ?? $0 }
            guard items.count == 2, !isZeros(items[0], facts), isZeros(items[1], facts), halves(items[0], items[1], facts) else {
                return partialRotary(call, facts)
            }
            return "rotary frequencies concatenated with as many zeros"
        case "pad":
            guard call.callee == "torch.nn.functional.pad", let padding = call.argument("pad", position: 1),
                  padding.type == "tuple" || padding.type == "list", padding.namedChildren.count == 2,
                  facts.value(of: padding.namedChildren[0])?.double == 0,
                  call.argument("value", position: 3).map({ facts.value(of: $0)?.double == 0 }) ?? true else { return nil }
            return "rotary frequencies right-padded with zeros"
        case "where":
            guard call.positional.count == 3, isZeros(call.positional[2], facts) || isZeros(call.positional[1], facts) else { return nil }
            return "part of the rotary frequencies replaced by zero"
        case "masked_fill", "masked_fill_":
            guard call.positional.count == 2, facts.value(of: call.positional[1])?.double == 0 else { return nil }
            return "part of the rotary frequencies masked to zero"
        default:
            // f[n:].zero_(), f.narrow(0, n, m).fill_(0): the upper part of the vector zeroed in place.
            guard let view = facts.zeroedTensor(call).map(facts.unwrapped), upperView(view, facts) != nil else { return nil }
            return "upper rotary frequencies zeroed in place"
        }
    }

    /// The tensor an upper view is of: `f` for `f[n:]` (a start written, no end) or `f.narrow(dim, n, m)` with a
    /// start not known to be 0.
    func upperView(_ view: Node, _ facts: PythonFacts) -> Node? {
        if view.type == "subscript", let slice = upperSlice(view) { return slice.0 }
        guard view.type == "call" else { return nil }
        let call = facts.callSite(view)
        guard call.name == "narrow", let base = call.receiver, let start = call.argument("start", position: 1),
              facts.value(of: start)?.double != 0 else { return nil }
        return base
    }

    /// `torch.zeros(n)`, `f.new_zeros(n)`, `torch.zeros_like(f)`, a literal 0, or a local name set to one of them
    /// (`still = torch.zeros(q)`, then `torch.cat([spin, still])`; see `zerosValue`).
    func isZeros(_ node: Node, _ facts: PythonFacts) -> Bool {
        zerosValue(node, facts) != nil
    }

    /// The zeros an expression stands for: itself when it is `torch.zeros(n)`, `f.new_zeros(n)`, `torch.zeros_like(f)`
    /// or a literal 0; for a local name, the zeros it was last given (followed through names), unless the function
    /// writes into it afterwards (`z[:k] = f`, `z.copy_(f)`: no longer all zeros). Nil otherwise.
    func zerosValue(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Node? {
        let node = facts.unparenthesized(node)
        if node.type == "call" { return ["zeros", "new_zeros", "zeros_like"].contains(facts.callSite(node).name) ? node : nil }
        if node.type == "identifier", depth < 4, let value = facts.latestValue(of: node.text, before: node), value != node {
            let scope = facts.enclosingFunction(node)
            let written = !facts.inPlaceUpdates(of: node.text, scope: scope).isEmpty
                || facts.descendants(of: scope?.node ?? facts.root).contains { n in
                    n.type == "assignment" && n.child(byField: "left").map { left in
                        left.type == "subscript" && left.child(byField: "value")?.text == node.text
                    } == true
                }
            guard !written else { return nil }
            return zerosValue(value, facts, depth: depth + 1) ?? (facts.value(of: node)?.double == 0 ? node : nil)
        }
        return facts.value(of: node)?.double == 0 ? node : nil
    }

    /// Whether the zeros are as many as the frequencies, when both lengths are known (a `linspace` count and the
    /// zeros' size); unknown lengths do not reject.
    func halves(_ frequencies: Node, _ zeros: Node, _ facts: PythonFacts) -> Bool {
        let zeros = zerosValue(zeros, facts) ?? facts.unparenthesized(zeros)
        let zeroCall = facts.callSite(zeros)
        guard zeroCall.name != "zeros_like", let zeroCount = zeroCall.positional.first else { return true }
        var source = facts.unparenthesized(frequencies)
        if source.type == "identifier", let value = facts.latestValue(of: source.text, before: frequencies) { source = value }
        guard let linspace = facts.descendants(of: source).first(where: {
            $0.type == "call" && facts.callSite($0).name == "linspace"
        }).map({ facts.callSite($0) }), let steps = linspace.argument("steps", position: 2) else { return true }
        if facts.compact(steps) == facts.compact(zeroCount) { return true }
        if let a = facts.value(of: steps), let b = facts.value(of: zeroCount) { return a.isClose(to: b) }
        return true
    }

    /// `torch.cat([rotated, x[..., k:]])` where `x[..., :k]` is rotated and k is half the head dimension.
    func partialRotary(_ call: CallSite, _ facts: PythonFacts) -> String? {
        guard let list = call.positional.first, ["list", "tuple"].contains(list.type),
              let function = facts.enclosingFunction(call.node) else { return nil }
        for item in list.namedChildren {
            var passthrough = facts.unparenthesized(item)
            if passthrough.type == "identifier", let value = facts.latestValue(of: passthrough.text, before: item) { passthrough = value }
            guard let (base, bound) = upperSlice(passthrough) else { continue }
            let lowerExists = facts.descendants(of: function.node).contains { n in
                guard n.type == "subscript", n.child(byField: "value")?.text == base.text,
                      let slice = facts.descendants(of: n).first(where: { $0.type == "slice" }),
                      slice.children.first?.type == ":", let end = slice.namedChildren.first else { return false }
                return facts.compact(end) == facts.compact(bound)
            }
            if lowerExists, isHalf(bound, facts, depth: 0) { return "partial rotary over half of the head dimension" }
        }
        if splitPassthrough(list, function: function, facts) { return "partial rotary over half of the head dimension" }
        return nil
    }

    /// `x_rot, x_pass = torch.tensor_split(x, (d // 2,), dim=-1)` (also `x.split([k, d - k], -1)`, `x.split(k, -1)`,
    /// `x.chunk(2, -1)`) with `torch.cat([rotated, x_pass])`: one part of a split in two at half the head dimension is
    /// concatenated unchanged while the other reaches the concatenation only through other names (it was rotated).
    /// `torch.cat([-x2, x1])` (rotate-half) reads both parts directly and does not count.
    func splitPassthrough(_ list: Node, function: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        let items = list.namedChildren.map(facts.unparenthesized)
        guard items.count == 2 else { return false }
        for (index, item) in items.enumerated() where item.type == "identifier" {
            for assignment in facts.descendants(of: function.node)
            where assignment.type == "assignment" && assignment.endByte <= list.startByte {
                guard let left = assignment.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(left.type),
                      let right = assignment.child(byField: "right").map(facts.unparenthesized), right.type == "call" else { continue }
                let targets = left.namedChildren.filter { $0.type != "comment" }
                guard targets.count == 2, targets.allSatisfy({ $0.type == "identifier" }),
                      let own = targets.firstIndex(where: { $0.text == item.text }) else { continue }
                let other = targets[1 - own].text
                let rotated = items[1 - index]
                // The other part is rotated first: it is read in the function, never directly inside the concatenation
                // (a name rebound after the split, `spun = spun * cos + ...`, holds the rotated part).
                let readsOtherDirectly = facts.descendants(of: rotated).contains { n in
                    guard n.type == "identifier", n.text == other else { return false }
                    guard let value = facts.latestValue(of: other, before: n) else { return true }
                    return value.startByte < assignment.startByte
                }
                let readsOther = facts.descendants(of: function.node).contains { n in
                    n.type == "identifier" && n.text == other && n.startByte > assignment.endByte && n.endByte <= list.startByte
                }
                if !readsOtherDirectly, readsOther, splitsInHalf(facts.callSite(right), facts) { return true }
            }
        }
        return false
    }

    /// A split of the last dimension into two equal halves of the head dimension: `chunk(2)`, `tensor_split(x, 2)`,
    /// `tensor_split(x, (k,))`, `split(k)` or `split([k, d - k])` with k half of it (see `isHalf`).
    func splitsInHalf(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        // `torch.split(x, ...)` takes the tensor first; `x.split(...)` does not.
        let offset = call.receiver == nil ? 1 : 0
        let keyword: String
        switch call.name {
        case "chunk": keyword = "chunks"
        case "split": keyword = "split_size_or_sections"
        default: keyword = "indices_or_sections"
        }
        guard let argument = call.argument(keyword, position: offset) else { return false }
        let spec = facts.unparenthesized(argument)
        switch call.name {
        case "chunk":
            return facts.value(of: spec)?.double == 2
        case "tensor_split":
            if ["tuple", "list"].contains(spec.type) {
                return spec.namedChildren.count == 1 && isHalf(spec.namedChildren[0], facts, depth: 0)
            }
            return facts.value(of: spec)?.double == 2 || isHalf(spec, facts, depth: 0)
        case "split":
            if ["tuple", "list"].contains(spec.type) {
                return spec.namedChildren.count == 2 && isHalf(spec.namedChildren[0], facts, depth: 0)
            }
            return isHalf(spec, facts, depth: 0)
        default:
            return false
        }
    }

    /// `(x, k)` for `x[..., k:]` / `x[:, :, k:]`.
    func upperSlice(_ node: Node) -> (Node, Node)? {
        guard node.type == "subscript", let base = node.child(byField: "value") else { return nil }
        let slices = node.namedChildren.filter { $0.type == "slice" }
        guard let slice = slices.last, slice.children.first?.type != ":", slice.namedChildCount == 1,
              let start = slice.namedChildren.first else { return nil }
        return (base, start)
    }

    /// `d // 2`, `d / 2`, `d >> 1`, `d * 0.5`, `int(d * fraction)` with fraction 0.5, or a name set to one.
    func isHalf(_ node: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 4 else { return false }
        let node = facts.unparenthesized(node)
        switch node.type {
        case "call":
            let call = facts.callSite(node)
            guard ["int", "round"].contains(call.callee), let inner = call.positional.first else { return false }
            return isHalf(inner, facts, depth: depth + 1)
        case "binary_operator":
            guard let op = node.child(byField: "operator")?.type, let left = node.child(byField: "left"),
                  let right = node.child(byField: "right") else { return false }
            switch op {
            case "//", "/": return facts.value(of: right)?.double == 2
            case ">>": return facts.value(of: right)?.double == 1
            case "*":
                return facts.values(of: right).contains { $0.double == 0.5 } || facts.values(of: left).contains { $0.double == 0.5 }
            default: return false
            }
        case "identifier", "attribute":
            guard let name = SettingsTable.bareName(of: node) else { return false }
            var values = facts.allSettings.settings(name).map(\.value)
            if node.type == "identifier", let local = facts.latestValue(of: node.text, before: node) { values.insert(local, at: 0) }
            return values.contains { $0 != node && isHalf($0, facts, depth: depth + 1) }
        default:
            return false
        }
    }
}
