import Parsing
import TreeSitterKit

/// `long_context_single_sequence_64k`: each GPU trains on one flat packed stream of about 64K tokens instead of
/// a (B, T) batch of short rows.
///
/// Requires (a) a single-sequence signal: the model lifts a flat token tensor to batch 1 (`idx[None]`,
/// `x.unsqueeze(0)`, `x.view(1, -1)`, einops `rearrange(x, "t c -> 1 t c")`), shapes its loader slice (B, T) with B resolving to 1, or asserts one
/// sequence (`x.ndim == 1`, batch size `== 1`), with no
/// loader batch reshaped to (B, T) with B > 1; and (b) a training slice `tokens[pos : pos + L + 1]` (or
/// `[:L + 1]`) whose length L resolves to at least 48*1024 tokens (the shortest a record trains on), through constants, dataclass fields,
/// argparse defaults, parameters and arithmetic (a per-rank share of a global token count takes 8 ranks when
/// the world size is not known). Rejects (B, T) batches with short rows and a large number that sizes only a
/// rotary cache or a maximum length. Examples: `queries/python/long_context_single_sequence_64k/examples/`.
struct LongContextSingleSequence64k: Detector {
    let id = "long_context_single_sequence_64k"
    static let minimumLength = 48.0 * 1024
    static let assumedWorldSize = 8.0

    func detect(_ facts: PythonFacts) -> [Evidence] {
        guard let single = singleSequenceSignal(facts), !hasBatchedRows(facts) else { return [] }
        guard let slice = longSlice(facts) else { return [] }
        return [facts.evidence(slice, "one long token slice per device"), facts.evidence(single, "batch of one sequence")]
    }

    // MARK: (a) one sequence

    func singleSequenceSignal(_ facts: PythonFacts) -> Node? {
        for node in facts.nodes {
            switch node.type {
            case "subscript":
                // x[None] / x[None, :]
                let index = node.namedChildren.dropFirst()
                if let first = index.first, first.type == "none",
                   index.count == 1 || (index.count == 2 && index.last!.type == "slice" && index.last!.namedChildCount == 0) {
                    return node
                }
            case "call":
                let call = facts.callSite(node)
                if call.name == "rearrange", addsLeadingUnitAxis(call, facts) { return node }
                guard call.receiver != nil else { continue }
                if call.name == "unsqueeze", call.positional.count == 1, facts.value(of: call.positional[0])?.double == 0 { return node }
                if ["view", "reshape"].contains(call.name), call.positional.count == 2,
                   facts.value(of: call.positional[0])?.double == 1, facts.value(of: call.positional[1])?.double == -1 {
                    return node
                }
                // A loader slice shaped (B, T) with B set to one sequence per device (`buf[:-1].view(B, T)`, B = 1).
                if ["view", "reshape"].contains(call.name), call.positional.count == 2, let receiver = call.receiver,
                   facts.unwrapped(receiver).type == "subscript",
                   facts.unwrapped(receiver).namedChildren.dropFirst().contains(where: { $0.type == "slice" }),
                   facts.values(of: call.positional[0]).map(\.double) == [1] {
                    return node
                }
            case "assert_statement":
                if let test = node.namedChildren.first, assertsOneSequence(test, facts) { return node }
            default:
                continue
            }
        }
        return nil
    }

    /// An einops `rearrange(x, "t c -> 1 t c")` whose output is its input with one leading axis of size 1 put in front
    /// (the einops spelling of `x[None]`; the unit axis also written `()`, the pattern also held by a name); `"t f -> 1 1
    /// t f"` (two unit axes, a broadcast table) and `"t c -> t () c"` are not it.
    func addsLeadingUnitAxis(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard call.positional.count == 2, let pattern = facts.einopsPattern(call), let unit = pattern.output.first,
              unit.isUnit else { return false }
        return !pattern.input.isEmpty && !pattern.input.contains(where: \.isUnit) && Array(pattern.output.dropFirst()) == pattern.input
    }

    /// `x.ndim == 1`, `x.dim() == 1`, `x.size(0) == 1`, `x.shape[0] == 1`, or a name set to such a size `== 1`.
    func assertsOneSequence(_ test: Node, _ facts: PythonFacts) -> Bool {
        let test = facts.unwrapped(test)
        guard test.type == "comparison_operator", test.children.filter({ !$0.isNamed }).map(\.type) == ["=="] else { return false }
        let operands = test.namedChildren
        guard operands.count == 2, let one = operands.firstIndex(where: { facts.value(of: $0)?.double == 1 }) else { return false }
        let other = facts.unwrapped(operands[1 - one])
        if other.type == "attribute", other.child(byField: "attribute")?.text == "ndim" { return true }
        if isLeadingSize(other, facts) { return true }
        if other.type == "call", facts.callSite(other).name == "dim" { return true }
        if other.type == "identifier" {
            let flow = facts.dataflow
            return flow.bindings(of: other.text, at: other).contains { isLeadingSize($0.node, facts) }
        }
        return false
    }

    func isLeadingSize(_ node: Node, _ facts: PythonFacts) -> Bool {
        let node = facts.unwrapped(node)
        if node.type == "call" {
            let call = facts.callSite(node)
            return call.name == "size" && call.positional.count == 1 && facts.value(of: call.positional[0])?.double == 0
        }
        if node.type == "subscript", let value = node.namedChildren.first, value.type == "attribute",
           value.child(byField: "attribute")?.text == "shape", let index = node.namedChildren.dropFirst().first {
            return facts.value(of: index)?.double == 0
        }
        return false
    }

    /// A loader slice reshaped to (B, T) with B > 1: `buf[:-1].view(B, T)`.
    func hasBatchedRows(_ facts: PythonFacts) -> Bool {
        facts.calls.contains { call in
            guard ["view", "reshape"].contains(call.name), call.positional.count == 2, let receiver = call.receiver else { return false }
            let r = facts.unwrapped(receiver)
            guard r.type == "subscript", r.namedChildren.dropFirst().contains(where: { $0.type == "slice" }) else { return false }
            return (facts.value(of: call.positional[0])?.double ?? 0) > 1
        }
    }

    // MARK: (b) a long training slice

    func longSlice(_ facts: PythonFacts) -> Node? {
        let flow = facts.dataflow
        for node in facts.nodes(ofType: "slice") {
            var start: Node?, stop: Node?
            var colons = 0
            for child in node.children {
                if child.type == ":" { colons += 1; continue }
                guard child.isNamed else { continue }
                if colons == 0 { start = child } else if colons == 1 { stop = child }
            }
            guard let stop, let length = sliceLength(start: start, stop: stop, flow), length >= Self.minimumLength else { continue }
            return node
        }
        return nil
    }

    /// For `pos : pos + L + 1`, the value of L; also for bounds that differ by L + 1 once multiplied out
    /// (`cur + rank * L : cur + (rank + 1) * L + 1`, see `expandedLength`).
    func sliceLength(start: Node?, stop: Node, _ flow: Dataflow) -> Double? {
        directLength(start: start, stop: stop, flow) ?? expandedLength(start: start, stop: stop, flow)
    }

    func directLength(start: Node?, stop: Node, _ flow: Dataflow) -> Double? {
        let facts = flow.facts
        var terms = plusTerms(stop, facts)
        guard let one = terms.firstIndex(where: { facts.value(of: $0)?.double == 1 && $0.type == "integer" }) else { return nil }
        terms.remove(at: one)
        let startTexts = Set((start.map { plusTerms($0, facts) } ?? []).map(facts.compact))
        terms.removeAll { startTexts.contains(facts.compact($0)) }
        guard !terms.isEmpty else { return nil }
        var total = 0.0
        for term in terms {
            guard let value = length(term, flow, depth: 0) else { return nil }
            total += value
        }
        return total
    }

    /// The length of a slice whose bounds, multiplied out into sums of products of names and integers, differ by
    /// L + 1: `stop - start` leaves the constant 1 and products that each resolve (`SEQ` of `cur + (rank + 1) * SEQ + 1`
    /// against `cur + rank * SEQ`). Nil when a product is negative, does not resolve, or the constant is not 1.
    func expandedLength(start: Node?, stop: Node, _ flow: Dataflow) -> Double? {
        let facts = flow.facts
        guard let top = linearForm(stop, facts, depth: 0) else { return nil }
        var difference = top
        if let start {
            guard let bottom = linearForm(start, facts, depth: 0) else { return nil }
            for (key, term) in bottom {
                let coefficient = (difference[key]?.coefficient ?? 0) - term.coefficient
                difference[key] = (term.factors, coefficient)
            }
        }
        difference = difference.filter { $0.value.coefficient != 0 }
        guard difference[""]?.coefficient == 1, difference.count > 1 else { return nil }
        var total = 0.0
        for (key, term) in difference where !key.isEmpty {
            guard term.coefficient > 0 else { return nil }
            var product = term.coefficient
            for factor in term.factors {
                guard let value = length(factor, flow, depth: 0) else { return nil }
                product *= value
            }
            total += product
        }
        return total
    }

    /// An expression of `+`, `-` and `*` over integers and other terms as a sum of products: each product keyed by its
    /// factors' texts (sorted; "" for the constant), with its coefficient. Nil for anything else that multiplies.
    func linearForm(_ node: Node, _ facts: PythonFacts, depth: Int) -> [String: (factors: [Node], coefficient: Double)]? {
        guard depth < 8 else { return nil }
        let n = facts.unwrapped(node)
        if n.type == "integer", let value = facts.value(of: n)?.double { return ["": ([], value)] }
        guard n.type == "binary_operator", let op = n.child(byField: "operator")?.type, ["+", "-", "*"].contains(op),
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else {
            return [facts.compact(n): ([n], 1)]
        }
        guard let a = linearForm(l, facts, depth: depth + 1), let b = linearForm(r, facts, depth: depth + 1) else { return nil }
        if op == "*" {
            var product: [String: (factors: [Node], coefficient: Double)] = [:]
            for x in a.values {
                for y in b.values {
                    let factors = (x.factors + y.factors).sorted { facts.compact($0) < facts.compact($1) }
                    let key = factors.map(facts.compact).joined(separator: "*")
                    product[key] = (factors, (product[key]?.coefficient ?? 0) + x.coefficient * y.coefficient)
                }
            }
            return product
        }
        var sum = a
        for (key, term) in b {
            sum[key] = (term.factors, (sum[key]?.coefficient ?? 0) + (op == "+" ? term.coefficient : -term.coefficient))
        }
        return sum
    }

    func plusTerms(_ node: Node, _ facts: PythonFacts) -> [Node] {
        let n = facts.unwrapped(node)
        if n.type == "binary_operator", n.child(byField: "operator")?.type == "+",
           let left = n.child(byField: "left"), let right = n.child(byField: "right") {
            return plusTerms(left, facts) + plusTerms(right, facts)
        }
        return [n]
    }

    /// A token count: the value its names resolve to where they are read, or the product/quotient of resolved
    /// parts where an unknown factor is the world size (8 ranks, as in the benchmark).
    func length(_ node: Node, _ flow: Dataflow, depth: Int) -> Double? {
        let n = flow.facts.unwrapped(node)
        // A name set again before the read (a notebook's later cell, `SEQ = 64 * 1024` after `SEQ = 16 * 1024`): the value
        // it was given last.
        if n.type == "identifier", depth < 6, let latest = flow.latestValue(of: n.text, before: n), latest != n,
           let value = length(latest, flow, depth: depth + 1) {
            return value
        }
        // A parameter is read first where its callers pass it, each argument with the value it has there.
        if n.type == "identifier", depth < 6, let value = passedLength(n, flow, depth: depth) { return value }
        if let value = flow.numbers(node).first { return value }
        if n.type == "binary_operator", let op = n.child(byField: "operator")?.type, ["*", "//", "/"].contains(op),
           let left = n.child(byField: "left"), let right = n.child(byField: "right"), depth < 6 {
            let a = length(left, flow, depth: depth + 1), b = length(right, flow, depth: depth + 1)
            guard a != nil || b != nil else { return nil }
            let x = a ?? Self.assumedWorldSize, y = b ?? Self.assumedWorldSize
            return op == "*" ? x * y : (y == 0 ? nil : (op == "//" ? (x / y).rounded(.down) : x / y))
        }
        // A name set to such an expression, or a parameter fed one.
        guard depth < 6 else { return nil }
        for binding in flow.bindings(ofReference: n) {
            if case .value = binding.kind, binding.node != n, let value = length(binding.node, flow, depth: depth + 1) { return value }
        }
        return nil
    }

    /// For a parameter, the length the first caller that gives one passes (a self-check's call passes toy values,
    /// `stream_slice(toks, 4, 6)`; the training callers say the length).
    func passedLength(_ n: Node, _ flow: Dataflow, depth: Int) -> Double? {
        for binding in flow.bindings(ofReference: n) {
            guard case .parameter(let index) = binding.kind else { continue }
            for site in flow.facts.outsideSelfChecks(flow.callSites(of: binding.node), at: \.call.node) {
                if let argument = flow.argument(site, name: n.text, index: index),
                   let value = length(argument, flow, depth: depth + 1) { return value }
            }
        }
        return nil
    }
}
