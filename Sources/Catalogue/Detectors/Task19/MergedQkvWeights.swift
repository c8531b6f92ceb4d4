import TreeSitterKit

/// `merged_qkv_weights`: queries, keys and values come from one weight applied in one product.
///
/// Requires either (a) a parameter whose tensor has a leading dimension of 3 (`nn.Parameter(torch.empty(3, d,
/// d))`, also built by a helper of the file: `nn.Parameter(uniform_stack(3, d, d))`) used whole in a single product
/// in its class (`F.linear(x, w.flatten(end_dim=1))`, `x @ w...`, an einsum), directly or through a local, through shape- and dtype-keeping methods only (not indexed, `select`ed or
/// `narrow`ed per slice), also inside a function of the file it is handed to whole (an autograd function), the
/// class's code including functions bound to it from outside (`Attn.__init__ = init`, see `classScopes`); or (a') in a
/// functional model, a learnable entry of a parameter tree (`{"qkv": init(3, d, d), ...}`, also made by a helper taking
/// the shape as `*shape`; see `PythonFacts.parameterTreeValues` and `isLearnableTreeEntry`) holding such a tensor whose
/// reads (`p["qkv"]`) are applied whole in a single product anywhere in the file, directly or in a function of the
/// file they are handed to whole (`mm(x, p["qkv"].flatten(end_dim=1))`); or (b) one linear layer whose output width is three times a width (`nn.Linear(d,
/// 3 * d)`) that is called and whose output is split in three (three targets, `chunk(3)` / `split` / `unbind`, a
/// view with a 3), or that belongs to an attention class; or (c) a matrix parameter three times as wide as it is
/// tall, or the transpose (`nn.Parameter(torch.empty(d, 3 * d))`, the GPT-2 "Conv1D" layout), applied whole in a
/// product (`torch.addmm(b, x, w)`, `x @ w`) whose result is split in three, also after being stored under a local; or
/// (d) any one product whose result is split in three, its operands single tensors taken whole (a per-layer bank's
/// slice handed down through functions, a product helper of the file; see `splitProducts`). Rejects three separate
/// projections, three parameters concatenated or stacked at forward time (also by a helper's caller), a stack of
/// another count, and a stacked parameter applied slice by slice. Examples:
/// `queries/python/merged_qkv_weights/examples/`.
struct MergedQkvWeights: Detector {
    let id = "merged_qkv_weights"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let attention = facts.attentionClasses
        var evidence: [Evidence] = []
        for assignment in facts.nodes(ofType: "assignment") {
            guard let left = assignment.child(byField: "left"), let name = facts.instanceAttribute(left), let right = assignment.child(byField: "right"),
                  let owner = facts.enclosingClass(assignment) ?? attachedClass(of: assignment, facts),
                  let call = facts.constructorCall(facts.unparenthesized(right)) else { continue }
            if call.callee == "torch.nn.Parameter", isStackedOfThree(right, facts), appliedWhole(name, in: owner, facts) {
                evidence.append(facts.evidence(assignment, "one (3, ...) parameter holds q, k and v and is applied in one product"))
            } else if call.callee == "torch.nn.Parameter", isTripleWideMatrix(right, facts),
                      classScopes(owner, facts).contains(where: { scope in
                          wholeProducts(in: scope, { facts.instanceAttribute($0) == name }, facts).contains { resultSplitInThree($0, facts) }
                      }) {
                evidence.append(facts.evidence(assignment, "one (d, 3d) parameter is applied in one product whose result is split into q, k and v"))
            } else if model.isLinearConstructor(call), let input = call.argument("in_features", position: 0),
                      let output = call.argument("out_features", position: 1), isTriple(output, of: input, facts),
                      attention.contains(owner.name) || splitInThree(name, in: owner, facts) {
                evidence.append(facts.evidence(assignment, "one linear layer produces q, k and v together"))
            }
        }
        // A functional model's parameter tree: an entry holding a (3, ...) tensor, read as `p["qkv"]` and applied whole.
        var treeKeys = Set<String>()
        for node in facts.nodes(ofType: "subscript") {
            guard let key = facts.parameterTreeEntry(node), treeKeys.insert(key).inserted, facts.isLearnableTreeEntry(node),
                  let values = facts.parameterTreeValues(key), values.allSatisfy({ isStackedOfThree($0, facts) }) else { continue }
            let isEntry: (Node) -> Bool = { $0.type == "subscript" && SettingsTable.bareName(of: $0) == key }
            if appliedWhole(isEntry, in: [facts.root], facts) {
                evidence.append(facts.evidence(values[0], "one (3, ...) tensor of the parameter tree holds q, k and v and is applied in one product"))
            }
        }
        // One product, of a weight taken whole, whose result is split in three (also through a helper of the file).
        evidence += splitProducts(facts)
        // Registered by name (`setattr(self, name, nn.Parameter(torch.empty(n, d, d)))` over a table of stacks).
        for call in facts.calls where call.callee == "setattr" {
            guard let owner = facts.enclosingClass(call.node) else { continue }
            for write in facts.setattrAssignments(call) {
                guard let built = facts.constructorCall(facts.unparenthesized(write.value)), built.callee == "torch.nn.Parameter",
                      isStackedOfThree(write.value, facts, entry: write.entry), appliedWhole(write.name, in: owner, facts) else { continue }
                evidence.append(facts.evidence(call.node, "one (3, ...) parameter holds q, k and v and is applied in one product"))
            }
        }
        return evidence
    }

    /// Reading (d): a product (`F.linear`, `@`, `matmul`, `addmm`, a two-operand einsum) whose result is split in three
    /// where it stands or once stored (`qkv = F.linear(x, w.flatten(end_dim=1))`, then `q, k, v = qkv.view(B, T, 3 * h,
    /// -1).chunk(3, dim=-2)`), its operands each one tensor taken whole: no operand is, or is set from, a concatenation
    /// made at forward time (`torch.cat([q_w, k_w, v_w])`, `torch.stack`). The weight may be a slice of a per-layer
    /// stack handed down through several functions (`F.linear(x, w_qkv.flatten(end_dim=1))` with `w_qkv` one layer's
    /// (3, d, d) slice); what matters is that one product yields q, k and v. A call of a helper of the file that
    /// returns such a product of its parameters (`def mm(x, w): return F.linear(x, w.type_as(x))`, called as `mm(x,
    /// p["qkv"].flatten(end_dim=1))`) is read with the call's arguments as the operands.
    func splitProducts(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for node in facts.nodes(ofType: "call") + facts.nodes(ofType: "binary_operator") {
            // The split first: it only walks up from the node, while a helper's operands need its call resolved.
            guard resultSplitInThree(node, facts), let operands = productOperands(node, facts) ?? helperProductOperands(node, facts),
                  operands.allSatisfy({ !isConcatenation($0, facts) && !isOtherStack($0, facts) }) else { continue }
            evidence.append(facts.evidence(node, "one weight applied in one product whose result is split into q, k and v"))
        }
        return evidence
    }

    /// The two operands of a product, nil for anything else.
    func productOperands(_ node: Node, _ facts: PythonFacts) -> [Node]? {
        if let (a, b) = facts.matmulOperands(node) { return [a, b] }
        guard node.type == "call" else { return nil }
        let call = facts.callSite(node)
        if call.callee == "torch.nn.functional.linear", let x = call.argument("input", position: 0),
           let w = call.argument("weight", position: 1) { return [x, w] }
        // torch.addmm(bias, x, w), bias.addmm(x, w): the two matrices.
        if call.name == "addmm", call.positional.count >= 2 { return Array(call.positional.suffix(2)) }
        return nil
    }

    /// For a call of a function of the file that returns a product (see `productOperands`) of its own parameters, the
    /// call's arguments for those parameters (an operand that is no parameter stays as it is).
    func helperProductOperands(_ node: Node, _ facts: PythonFacts) -> [Node]? {
        guard node.type == "call" else { return nil }
        let call = facts.callSite(node)
        // A function of the file, or the forward of the one module class of the file the call runs.
        let modules = facts.calledFunction(call) == nil ? facts.targets(of: call) : []
        guard !call.hasSplat, let function = facts.calledFunction(call) ?? (modules.count == 1 ? modules[0] : nil) else { return nil }
        let parameters = facts.filledParameters(function, by: call)
        for returned in facts.returnedValues(function) {
            // A module's output handed back with a second value (`return F.linear(x, w), None`): the first.
            var value = facts.unparenthesized(returned)
            if ["tuple", "expression_list"].contains(value.type), value.namedChildren.count == 2, let first = value.namedChildren.first {
                value = facts.unparenthesized(first)
            }
            guard let operands = productOperands(value, facts) else { continue }
            var passed: [Node] = []
            for operand in operands {
                let base = wholeBase(operand, facts)
                if base.type == "identifier", let index = parameters.firstIndex(of: base.text),
                   let argument = call.argument(base.text, position: index) {
                    passed.append(argument)
                } else {
                    passed.append(operand)
                }
            }
            return passed
        }
        return nil
    }

    /// The tensor an operand takes whole: the operand with whole-keeping methods (`flatten`, `type_as`, `.T`, ...) and
    /// parentheses taken off.
    func wholeBase(_ operand: Node, _ facts: PythonFacts) -> Node {
        var e = facts.unparenthesized(operand)
        while true {
            if e.type == "call", let function = e.child(byField: "function"), function.type == "attribute",
               let object = function.child(byField: "object"),
               Self.wholeMethods.contains(function.child(byField: "attribute")?.text ?? "") {
                e = facts.unparenthesized(object)
            } else if e.type == "attribute", ["T", "mT"].contains(e.child(byField: "attribute")?.text ?? ""),
                      let object = e.child(byField: "object") {
                e = facts.unparenthesized(object)
            } else {
                return e
            }
        }
    }

    /// Whether an operand is, or is set from, a concatenation (`torch.cat`, `torch.stack`, ...) of tensors.
    func isConcatenation(_ operand: Node, _ facts: PythonFacts) -> Bool {
        let base = wholeBase(operand, facts)
        return ([base] + facts.origins(of: base)).contains { origin in
            let e = wholeBase(origin, facts)
            guard e.type == "call" else { return false }
            return Self.concatenations.contains(facts.callSite(e).name)
        }
    }

    /// Whether an operand is set from a stack of some other number of matrices than three (`torch.empty(2, d, d)`):
    /// whatever its product is split into, it does not hold q, k and v.
    func isOtherStack(_ operand: Node, _ facts: PythonFacts) -> Bool {
        let base = wholeBase(operand, facts)
        return facts.origins(of: base).contains { origin in
            constructorShapes(in: origin, facts).contains { dims in
                guard dims.count == 3, let count = facts.value(of: dims[0]) else { return false }
                return !count.isClose(to: .int(3))
            }
        }
    }

    /// Tensor constructors of a size (`empty`, `randn`, `zeros`, ...) that build tensors in place.
    static let tensorConstructors: Set<String> = ["empty", "randn", "rand", "zeros", "ones", "full", "normal"]

    /// The dimensions, as written, of every tensor constructor inside a value (`torch.empty(3, d, d)` and
    /// `torch.zeros((d, 3 * d))` alike).
    func constructorShapes(in value: Node, _ facts: PythonFacts) -> [[Node]] {
        ([value] + facts.descendants(of: value)).compactMap { n in
            guard n.type == "call" else { return nil }
            let call = facts.callSite(n)
            guard Self.tensorConstructors.contains(call.name) else { return nil }
            var dims = call.positional
            if dims.count == 1, ["tuple", "list"].contains(dims[0].type) { dims = dims[0].namedChildren }
            return dims
        }
    }

    static let concatenations: Set<String> = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack"]

    /// A tensor constructor inside the value whose first dimension is 3 and that has at least three dimensions, also
    /// one a helper of the file builds and returns (`nn.Parameter(uniform_stack(3, d, d))` with `def
    /// uniform_stack(count, fan_in, fan_out): return torch.empty(count, fan_out, fan_in).uniform_(...)`), the helper's
    /// parameters read as what that call passes (else their defaults). `entry`: a loop variable read as the entry of
    /// the table key it is set for (`n` of `for name, n in STACKS.items()`). `passed`: names bound for a helper's body;
    /// `spread`: a helper's `*shape` parameter bound to the arguments the call passes from its position on (`mat(3, d,
    /// d)` with `def mat(*shape): return torch.empty(*shape)`), read where the helper spreads it into a constructor.
    func isStackedOfThree(_ value: Node, _ facts: PythonFacts, entry: (variable: String, value: Node)? = nil,
                          passed: [String: Node] = [:], spread: [String: [Node]] = [:], depth: Int = 0) -> Bool {
        ([value] + facts.descendants(of: value)).contains { n in
            guard n.type == "call" else { return false }
            let call = facts.callSite(n)
            if depth < 3, !call.hasSplat, let helper = facts.calledFunction(call) {
                var bound: [String: Node] = [:]
                var spreadBound: [String: [Node]] = [:]
                let variadic = Set(helper.node.child(byField: "parameters")?.namedChildren.filter { $0.type == "list_splat_pattern" }
                    .compactMap { $0.namedChildren.first(where: { $0.type == "identifier" })?.text } ?? [])
                var afterVariadic = false
                for (index, parameter) in facts.filledParameters(helper, by: call).enumerated() {
                    if variadic.contains(parameter) {
                        spreadBound[parameter] = Array(call.positional.dropFirst(index))
                        afterVariadic = true
                        continue
                    }
                    // A parameter after `*shape` is filled by keyword only.
                    var argument = (afterVariadic ? call.keywords[parameter] : call.argument(parameter, position: index))
                        ?? facts.parameterDefault(in: helper.node, parameter)
                    // An argument that is itself a name bound around this call (an outer helper's parameter, the loop entry).
                    if let a = argument, a.type == "identifier" {
                        if let outer = passed[a.text] { argument = outer } else if let entry, a.text == entry.variable { argument = entry.value }
                    }
                    if let argument { bound[parameter] = argument }
                }
                if facts.returnedValues(helper).contains(where: { isStackedOfThree($0, facts, passed: bound, spread: spreadBound, depth: depth + 1) }) {
                    return true
                }
            }
            guard Self.tensorConstructors.contains(call.name) else { return false }
            // The dimensions as passed, a spread `*shape` of the helper replaced by what its caller passed for it
            // (`CallSite.positional` leaves splats out).
            var dims = call.positional
            if call.hasSplat, let arguments = n.child(byField: "arguments") {
                dims = arguments.namedChildren.filter { !["keyword_argument", "dictionary_splat", "comment"].contains($0.type) }.flatMap { d -> [Node] in
                    guard d.type == "list_splat", let inner = d.namedChildren.first, inner.type == "identifier",
                          let items = spread[inner.text] else { return [d] }
                    return items
                }
            }
            if dims.count == 1, ["tuple", "list"].contains(dims[0].type) { dims = dims[0].namedChildren }
            guard dims.count >= 3 else { return false }
            var first = entry.flatMap { dims[0].type == "identifier" && dims[0].text == $0.variable ? $0.value : nil } ?? dims[0]
            if first.type == "identifier", let argument = passed[first.text] { first = argument }
            return facts.value(of: first).map { $0.isClose(to: .int(3)) } == true
        }
    }

    /// Whether `self.<name>` is multiplied whole (not per slice) in a product of its class, directly or through a
    /// local, or handed whole to a function of the file that does so with it (`FusedQKV.apply(x, self.qkv_w)`, an
    /// autograd function whose `forward` computes `x @ w3.flatten(end_dim=1).t()`).
    func appliedWhole(_ name: String, in owner: PythonFacts.Class, _ facts: PythonFacts) -> Bool {
        appliedWhole({ facts.instanceAttribute($0) == name }, in: classScopes(owner, facts), facts)
    }

    /// Whether what `isParameter` picks out (`self.qkv_w`, a parameter tree's `p["qkv"]`) is multiplied whole in a
    /// product inside `scopes`, or handed whole from there to a function of the file that multiplies it whole.
    func appliedWhole(_ isParameter: (Node) -> Bool, in scopes: [Node], _ facts: PythonFacts) -> Bool {
        if scopes.contains(where: { multipliesWhole(in: $0, isParameter, facts) }) { return true }
        for call in facts.calls where scopes.contains(where: { facts.isInside(call.node, $0) }) && !call.hasSplat {
            for function in facts.targets(of: call) {
                for (index, parameter) in facts.filledParameters(function, by: call).enumerated() {
                    guard let argument = call.argument(parameter, position: index),
                          ([argument] + facts.descendants(of: argument)).contains(where: { isParameter($0) && isWhole($0, within: argument) }) else { continue }
                    if multipliesWhole(in: function.node, { $0.type == "identifier" && $0.text == parameter }, facts) { return true }
                }
            }
        }
        return false
    }

    /// The class a function defined outside every class is bound to as a method (`Attn.__init__ = init`, see
    /// `PythonFacts.classBinding`), for a node inside that function: its `self` is that class's instance.
    func attachedClass(of node: Node, _ facts: PythonFacts) -> PythonFacts.Class? {
        guard let function = facts.enclosingFunction(node) else { return nil }
        return facts.classBinding(of: function.node)?.owner
    }

    /// The code of a class: its body, and the functions bound to it from outside (`PythonFacts.methods(of:)`).
    func classScopes(_ owner: PythonFacts.Class, _ facts: PythonFacts) -> [Node] {
        [owner.node] + facts.methods(of: owner).map(\.node).filter { !facts.isInside($0, owner.node) }
    }

    /// Whether a product in `scope` multiplies what `isTarget` picks out whole, directly or through a local it names
    /// (`w = self.qkv_w.flatten(0, 1)`).
    func multipliesWhole(in scope: Node, _ isTarget: (Node) -> Bool, _ facts: PythonFacts) -> Bool {
        !wholeProducts(in: scope, isTarget, facts).isEmpty
    }

    /// The products in `scope` (`@`, `matmul`, `F.linear`, `einsum`, `addmm`) that multiply what `isTarget` picks out
    /// whole, directly or through a local it names.
    func wholeProducts(in scope: Node, _ isTarget: (Node) -> Bool, _ facts: PythonFacts) -> [Node] {
        facts.descendants(of: scope).filter { n in
            var operands: [Node] = []
            if let (a, b) = facts.matmulOperands(n) { operands = [a, b] }
            if n.type == "call" {
                let call = facts.callSite(n)
                if ["torch.nn.functional.linear", "torch.einsum"].contains(call.callee) || call.name == "einsum" { operands = call.positional }
                // torch.addmm(bias, x, w), bias.addmm(x, w): the two matrices.
                if call.name == "addmm" { operands = Array(call.positional.suffix(2)) }
            }
            func holdsWhole(_ expression: Node, followingLocals: Bool) -> Bool {
                ([expression] + facts.descendants(of: expression)).contains { ref in
                    if isTarget(ref) { return isWhole(ref, within: expression) }
                    guard followingLocals, ref.type == "identifier", isWhole(ref, within: expression),
                          let value = facts.latestValue(of: ref.text, before: ref) else { return false }
                    return holdsWhole(value, followingLocals: false)
                }
            }
            return operands.contains { holdsWhole($0, followingLocals: true) }
        }
    }

    /// Methods and properties that keep every slice of a tensor: the rearranging methods the attention lineage
    /// follows, less those that take it apart (`split`, `chunk`, `unbind`, `tensor_split`), and the transposes.
    static let wholeMethods: Set<String> = PythonFacts.rearrangingMethods
        .subtracting(["split", "chunk", "unbind", "tensor_split"]).union(["mT", "T"])

    /// Whether `ref` reaches the top of `expression` with all its slices: only through whole-keeping methods, never a
    /// subscript or another method (`select`, `narrow`, `unbind`, ...).
    func isWhole(_ ref: Node, within expression: Node) -> Bool {
        var current = ref
        while current != expression, let parent = current.parent {
            switch parent.type {
            case "subscript":
                return false
            case "attribute":
                guard parent.child(byField: "object") == current,
                      Self.wholeMethods.contains(parent.child(byField: "attribute")?.text ?? "") else { return false }
            case "call", "parenthesized_expression":
                break
            default:
                // An argument of another call inside the operand, an operator, ...: not the tensor itself.
                return false
            }
            current = parent
        }
        return true
    }

    /// `3 * d`, `d * 3`, or a width three times the input's.
    func isTriple(_ output: Node, of input: Node, _ facts: PythonFacts) -> Bool {
        let output = facts.unparenthesized(output)
        if output.type == "binary_operator", output.child(byField: "operator")?.type == "*",
           let l = output.child(byField: "left"), let r = output.child(byField: "right") {
            if facts.value(of: l)?.double == 3 || facts.value(of: r)?.double == 3 { return true }
        }
        if let o = facts.evaluate(output), let i = facts.evaluate(input), i > 0 { return o == 3 * i }
        return false
    }

    /// Whether the output of `self.<name>(...)` is split in three.
    func splitInThree(_ name: String, in owner: PythonFacts.Class, _ facts: PythonFacts) -> Bool {
        facts.calls.contains { call in
            call.function.flatMap(facts.instanceAttribute) == name && facts.isInside(call.node, owner.node)
                && resultSplitInThree(call.node, facts)
        }
    }

    /// Whether what an expression computes is split in three where it stands (`q, k, v = ...`, `.chunk(3)`,
    /// `.split(d)` into three targets, `.unbind`, a view with a 3), or once stored under a local name
    /// (`qkv = torch.addmm(b, x, w)`, then `q, k, v = qkv.split(d, -1)`).
    func resultSplitInThree(_ node: Node, _ facts: PythonFacts, followingLocal: Bool = true) -> Bool {
        var current = node
        while let parent = current.parent {
            if parent.type == "assignment", var left = parent.child(byField: "left") {
                if ["pattern_list", "tuple_pattern"].contains(left.type), left.namedChildren.count == 3 { return true }
                // A module handing back its output with a second value (Megatron's `output, bias = self.linear_qkv(x)`):
                // the output is the first target.
                if ["pattern_list", "tuple_pattern"].contains(left.type), left.namedChildren.count == 2, current == node,
                   let first = left.namedChildren.first, first.type == "identifier" {
                    left = first
                }
                guard followingLocal, left.type == "identifier", parent.child(byField: "right") == current,
                      let function = facts.enclosingFunction(parent) else { return false }
                return facts.uses(of: left.text, in: function.node).contains { use in
                    use.startByte > parent.endByte && facts.isRead(use) && resultSplitInThree(use, facts, followingLocal: false)
                }
            }
            if parent.type == "call" {
                let c = facts.callSite(parent)
                if ["chunk", "split", "unbind", "view", "reshape", "unflatten"].contains(c.name),
                   c.positional.contains(where: { facts.value(of: $0)?.double == 3 }) || c.name == "unbind" { return true }
            }
            guard ["attribute", "call", "argument_list", "parenthesized_expression"].contains(parent.type) else { break }
            current = parent
        }
        return false
    }

    /// A matrix parameter one of whose two dimensions is three times the other (`nn.Parameter(torch.empty(d, 3 * d))`,
    /// the transposed `(3 * d, d)` too), as a fused query-key-value weight is laid out.
    func isTripleWideMatrix(_ value: Node, _ facts: PythonFacts) -> Bool {
        constructorShapes(in: value, facts).contains { dims in
            dims.count == 2 && (isTriple(dims[1], of: dims[0], facts) || isTriple(dims[0], of: dims[1], facts))
        }
    }
}
