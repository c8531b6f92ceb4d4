import Parsing
import TreeSitterKit

/// `remove_attn_residual_scale`: the attention branch is added to the residual stream without a fixed multiplier.
///
/// Requires an attention module (a class of the file that computes attention, `nn.MultiheadAttention`, or a
/// function of the file that computes attention) whose
/// output is added to the residual (`x = x + self.attn(norm(x))`, `h += layer["attn"](h)`, through a local
/// `a, _ = self.attn(...)`, in a helper handed the module, `def residual(self, x, branch): return x + branch(x)`
/// called as `self.residual(x, self.attn)`, through a loop over the branches, `for branch in (self.attn, self.mlp): x
/// = x + branch(norm(x))`, or as a branch the block registers by name and reads back,
/// `self.add_module(kind, BRANCHES[kind](cfg))` then `x = x + getattr(self, kind)(norm(x))`, or as an entry of a module
/// dictionary walked by its keys, `for k in ("attn", "mlp"): x = x + self.parts[k](norm(x))`; see
/// `PythonFacts.isAttentionModule`; or by a module of the file whose forward returns the plain sum of two of its
/// parameters, `add(fn(norm(x)), skip)` over `(norm, fn, add)` entries of the layer list, see `adderCalls`), and no
/// constant rescaling on the way (also none the helper's callers
/// pass it): neither a factor or divisor that is a number or a setting computed from numbers (`1 / sqrt(2 *
/// n_layer)`, `/ math.sqrt(24)`) between the attention call and the addition, nor one applied inside the attention's
/// forward after its output projection. Learnable gains (`nn.Parameter`) are not fixed scales. A factor precomputed
/// per layer and handed to the block (`Block(config, scales[i])` with `scales = [(2 * n_layer) ** -0.5] * n_layer`,
/// kept as `self.attn_scale`) is fixed. A residual in a method the module replaces (`Block.forward = _forward`) does
/// not count. Rejects `x + self.attn_scale * self.attn(...)`, `y / math.sqrt(24)` after the
/// projection, and files without an attention residual. Examples: `queries/python/remove_attn_residual_scale/examples/`.
struct RemoveAttnResidualScale: Detector {
    let id = "remove_attn_residual_scale"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let flow = facts.dataflow
        var residuals: [Node] = []
        for node in facts.nodes {
            let branch: Node?
            if node.type == "binary_operator", node.child(byField: "operator")?.type == "+" {
                branch = [node.child(byField: "left"), node.child(byField: "right")].compactMap { $0 }.first { attentionCall(in: $0, facts, flow: flow) != nil }
            } else if node.type == "augmented_assignment", node.child(byField: "operator")?.type == "+=" {
                branch = node.child(byField: "right").flatMap { attentionCall(in: $0, facts, flow: flow) != nil ? $0 : nil }
            } else {
                branch = nil
            }
            guard let branch, attentionCall(in: branch, facts, flow: flow) != nil else { continue }
            // A residual in a method the module replaces (`Block.forward = _block_forward`) never runs.
            if let function = facts.enclosingFunction(node), facts.isReplacedMethod(function) { continue }
            if scaled(branch, facts, flow: flow) { return [] }
            residuals.append(node)
        }
        // The addition done by a module of the file for its callers (`x = residual_fn(block(x), residual)`).
        for (call, branch, scaledInside) in adderCalls(facts, flow: flow) {
            if let function = facts.enclosingFunction(call), facts.isReplacedMethod(function) { continue }
            if scaledInside || scaled(branch, facts, flow: flow) { return [] }
            residuals.append(call)
        }
        guard !residuals.isEmpty, !scaledInsideAttention(facts, model: model, flow: flow) else { return [] }
        return residuals.map { facts.evidence($0, "attention output added to the residual unscaled") }
    }

    /// The attention call an addend computes (`self.attn(...)`, `self.attn(...)[0]`, `c * self.attn(...)`, or a
    /// local set from one).
    func attentionCall(in node: Node, _ facts: PythonFacts, flow: Dataflow, depth: Int = 0) -> Node? {
        let n = facts.unparenthesized(node)
        switch n.type {
        case "call":
            let call = facts.callSite(n)
            if let function = n.child(byField: "function"), facts.isAttentionModule(function) { return n }
            // Attention written in the block itself: the kernel call, or the output projection of its result
            // (`x = x + self.proj(y.transpose(1, 2).reshape(B, T, -1))` with `y = flex_attention(...)`).
            if facts.attentionResults.contains(n) { return n }
            if facts.model().projectionOwner(n) != nil, let input = call.positional.first {
                return attentionCall(in: input, facts, flow: flow, depth: depth)
            }
            // A function of the file that computes attention (functional style: `attention(p, norm(x))`).
            if let f = facts.calledFunction(call), attentionFunctions(facts).contains(f.node) { return n }
            // A method chain on the attention output (`.view(...)`).
            if let receiver = call.receiver, !(facts.isReferenceChain(receiver) && receiver.text.hasPrefix("self")) {
                return attentionCall(in: receiver, facts, flow: flow, depth: depth)
            }
            return nil
        case "subscript":
            return n.child(byField: "value").flatMap { attentionCall(in: $0, facts, flow: flow, depth: depth) }
        case "binary_operator":
            // The output projection as a product with a weight (`y @ p["attn_out"].t()`): its input.
            if facts.model().projectionOwner(n) != nil, let (input, _) = facts.matmulOperands(n) {
                return attentionCall(in: input, facts, flow: flow, depth: depth)
            }
            guard ["*", "/"].contains(n.child(byField: "operator")?.type ?? "") else { return nil }
            return [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0 }.lazy.compactMap {
                attentionCall(in: $0, facts, flow: flow, depth: depth)
            }.first
        case "conditional_expression":
            // `self.scale * a if self.use_scale else a`: the branch the configuration takes, else either.
            return facts.liveBranches(of: n).lazy.compactMap { attentionCall(in: $0, facts, flow: flow, depth: depth) }.first
        case "identifier":
            guard depth < 3 else { return nil }
            let bindings = flow.bindings(of: n.text, at: n).filter { $0.site.endByte <= n.startByte }
            guard let latest = bindings.max(by: { $0.site.startByte < $1.site.startByte }) else { return nil }
            if case .parameter = latest.kind { return nil }
            return attentionCall(in: latest.node, facts, flow: flow, depth: depth + 1)
        default:
            return nil
        }
    }

    /// Calls of a module of the file whose `forward` returns the sum of two of its parameters (`class
    /// Residual(nn.Module): def forward(self, x, residual): return x + residual`), one of them given the attention's
    /// output (`x = residual_fn(block(x), residual)`, the module an element of the layer list unpacked in the loop):
    /// each call with that argument. The callee's classes (see `Dataflow.instanceClasses`) must include such a module
    /// whose parameters the call fills exactly. A summand the forward multiplies by a field (`x * self.scale +
    /// residual`, x-transformers' `Residual` with `self.scale = scale if scale_residual else 1.`) is read with the
    /// fields each construction of the module gives (see `PythonFacts.fieldBindings(of:)`): 1 everywhere is no scale,
    /// another number is a fixed one (`scaledInside`), and a factor that cannot be computed leaves the call out.
    func adderCalls(_ facts: PythonFacts, flow: Dataflow) -> [(call: Node, branch: Node, scaledInside: Bool)] {
        var adders: [String: (owner: PythonFacts.Class, parameters: Int, summed: [Int], factors: [Int: Node])] = [:]
        for c in facts.classes {
            let forwards = facts.forwardMethods(of: c)
            guard forwards.count == 1, let forward = forwards.first, case let returned = facts.returnedValues(forward), returned.count == 1,
                  case let sum = facts.unparenthesized(returned[0]), sum.type == "binary_operator", sum.child(byField: "operator")?.type == "+",
                  let l = sum.child(byField: "left"), let r = sum.child(byField: "right") else { continue }
            // A summand: a parameter, or a parameter times a factor (either side of the `*`).
            func summand(_ node: Node) -> (index: Int, factor: Node?)? {
                let n = facts.unparenthesized(node)
                if n.type == "identifier" { return forward.passedParameters.firstIndex(of: n.text).map { ($0, nil) } }
                guard n.type == "binary_operator", n.child(byField: "operator")?.type == "*",
                      let a = n.child(byField: "left").map(facts.unparenthesized), let b = n.child(byField: "right").map(facts.unparenthesized)
                else { return nil }
                for (parameter, factor) in [(a, b), (b, a)] where parameter.type == "identifier" {
                    if let index = forward.passedParameters.firstIndex(of: parameter.text) { return (index, factor) }
                }
                return nil
            }
            guard let left = summand(l), let right = summand(r), left.index != right.index else { continue }
            var factors: [Int: Node] = [:]
            for side in [left, right] { if let factor = side.factor { factors[side.index] = factor } }
            adders[c.name] = (c, forward.passedParameters.count, [left.index, right.index], factors)
        }
        guard !adders.isEmpty else { return [] }
        var result: [(call: Node, branch: Node, scaledInside: Bool)] = []
        for call in facts.calls where !call.hasSplat && call.keywords.isEmpty {
            guard let callee = call.function, facts.isReferenceChain(callee),
                  let adder = flow.instanceClasses(of: callee).compactMap({ adders[$0] }).first(where: { $0.parameters == call.positional.count }),
                  let index = adder.summed.first(where: { attentionCall(in: call.positional[$0], facts, flow: flow) != nil }) else { continue }
            var scaledInside = false
            if let factor = adder.factors[index] {
                let built = facts.constructions(of: adder.owner)
                let values = built.map { facts.evaluate(factor, bindings: facts.fieldBindings(of: $0.node)) }
                guard !built.isEmpty, values.allSatisfy({ $0 != nil }) else { continue }
                scaledInside = values.contains { $0 != 1 }
            }
            result.append((call.node, call.positional[index], scaledInside))
        }
        return result
    }

    /// Functions (and methods) of the file that hold an attention computation.
    func attentionFunctions(_ facts: PythonFacts) -> Set<Node> {
        Set(facts.attentionSites.compactMap { facts.enclosingFunction($0.node)?.node })
    }

    /// Whether a fixed factor or divisor sits between the attention call and the addend: walks the addend down to
    /// the attention call, through products with the attention-carrying side, method chains, subscripts and locals
    /// (`h = residual + h * self.residual_multiplier` with `h = self.attn(...)`).
    func scaled(_ node: Node, _ facts: PythonFacts, flow: Dataflow, depth: Int = 0) -> Bool {
        guard depth < 8 else { return false }
        let n = facts.unparenthesized(node)
        switch n.type {
        case "identifier":
            // Through a local: the value it was set from.
            let bindings = flow.bindings(of: n.text, at: n).filter { $0.site.endByte <= n.startByte }
            if let latest = bindings.max(by: { $0.site.startByte < $1.site.startByte }), latest.node != n {
                return scaled(latest.node, facts, flow: flow, depth: depth + 1)
            }
            return false
        case "binary_operator":
            if facts.model().projectionOwner(n) != nil, let (input, _) = facts.matmulOperands(n) {
                return scaled(input, facts, flow: flow, depth: depth + 1)
            }
            guard ["*", "/"].contains(n.child(byField: "operator")?.type ?? ""),
                  let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return false }
            let carriesLeft = attentionCall(in: l, facts, flow: flow) != nil
            guard carriesLeft || attentionCall(in: r, facts, flow: flow) != nil else { return false }
            let (carrier, other) = carriesLeft ? (l, r) : (r, l)
            if isFixed(other, facts) { return true }
            return scaled(carrier, facts, flow: flow, depth: depth + 1)
        case "subscript":
            return n.child(byField: "value").map { scaled($0, facts, flow: flow, depth: depth + 1) } ?? false
        case "conditional_expression":
            // Scaled when a branch the configuration may take scales the attention it carries.
            return facts.liveBranches(of: n).contains { attentionCall(in: $0, facts, flow: flow) != nil && scaled($0, facts, flow: flow, depth: depth + 1) }
        case "call":
            let call = facts.callSite(n)
            if let function = n.child(byField: "function"), facts.isAttentionModule(function) { return false }
            if facts.attentionResults.contains(n) { return false }
            if facts.model().projectionOwner(n) != nil, let input = call.positional.first {
                // A constant applied before the output projection scales the branch as well.
                return scaled(input, facts, flow: flow, depth: depth + 1)
            }
            if let receiver = call.receiver { return scaled(receiver, facts, flow: flow, depth: depth + 1) }
            return false
        default:
            return false
        }
    }

    /// Whether an expression is a fixed number: it folds, it is a setting computed from numbers and settings (not an
    /// `nn.Parameter`) or set from a parameter its callers give a fixed number, or it is an entry of a table (a list
    /// or tuple written out, also repeated) whose entries all are fixed numbers.
    func isFixed(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let n = facts.unparenthesized(node)
        // A parameter of a helper adding the residual (`def residual(self, x, branch, scale=1.0): return x + scale *
        // branch(x)`): fixed when a caller passes a fixed factor (`self.residual(x, self.attn, self.attn_scale)`), whatever
        // its default.
        if n.type == "identifier", depth < 3, facts.parameterOwner(of: n) != nil,
           facts.callerArguments(of: n).contains(where: { isFixed($0, facts, depth: depth + 1) }) { return true }
        if let v = facts.value(of: n)?.double { return v != 1 }
        if let v = facts.evaluate(n) { return v != 1 }
        // A factor the script computes by running its own code (`self.gain = branch_gain(cfg)`, a `match` on the
        // configured member returning `1 / (2 * n_layer) ** 0.5` or 1.0).
        if depth == 0, let v = ScriptInterpreter(facts, budget: ScriptInterpreter.sizeBudget).number(n) { return v != 1 }
        guard depth < 3 else { return false }
        switch n.type {
        case "attribute", "identifier":
            guard let name = SettingsTable.bareName(of: n) else { return false }
            let settings = facts.allSettings.settings(name).filter { $0.source != .parameterDefault }
            guard !settings.isEmpty else { return false }
            return settings.allSatisfy { s in
                let value = facts.unparenthesized(s.value)
                if value.type == "call", facts.constructorCall(value)?.callee == "torch.nn.Parameter" { return false }
                // Also a value fixed once followed: a constructor parameter its callers give a fixed factor
                // (`self.attn_scale = attn_scale` with `Block(config, scales[i])`), or a table entry.
                return arithmetic(value, facts) || (["identifier", "subscript"].contains(value.type) && isFixed(value, facts, depth: depth + 1))
            }
        case "subscript":
            // An entry of a table of factors, whatever the index (`scales[i]` with `scales = [(2 * config.n_layer) **
            // -0.5] * config.n_layer`, see `PythonFacts.tableEntries`): fixed when every entry is a number or arithmetic
            // of numbers and settings, and not every entry is 1.
            guard let table = n.child(byField: "value"), let entries = facts.tableEntries(table, depth: 0), !entries.isEmpty else { return false }
            return entries.allSatisfy { arithmetic($0, facts) || isFixed($0, facts, depth: depth + 1) }
                && !entries.allSatisfy { facts.value(of: $0)?.double == 1 }
        case "binary_operator", "call":
            return arithmetic(n, facts)
        default:
            return false
        }
    }

    /// Numbers, settings and arithmetic of them (`1 / (2 * config.n_layer) ** 0.5`, `math.sqrt(24)`).
    func arithmetic(_ node: Node, _ facts: PythonFacts) -> Bool {
        let n = facts.unparenthesized(node)
        switch n.type {
        case "integer", "float": return true
        case "binary_operator":
            guard let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return false }
            return arithmetic(l, facts) && arithmetic(r, facts)
        case "unary_operator":
            return n.child(byField: "argument").map { arithmetic($0, facts) } ?? false
        case "call":
            let call = facts.callSite(n)
            return ["math.sqrt", "float", "int", "math.log", "numpy.sqrt"].contains(call.callee) && call.positional.allSatisfy { arithmetic($0, facts) }
        case "attribute":
            // config.n_layer: a setting that holds a number.
            return facts.value(of: n) != nil
        case "identifier":
            return facts.value(of: n) != nil
        default:
            return false
        }
    }

    /// Whether an attention class's forward (or an attention function) rescales its output by a fixed factor after
    /// the output projection.
    func scaledInsideAttention(_ facts: PythonFacts, model: ModelView, flow: Dataflow) -> Bool {
        let attention = facts.attentionClasses
        let functions = attentionFunctions(facts)
        var forwards = facts.functions.filter { f in functions.contains(f.node) && facts.enclosingClass(f.node) == nil }
        for c in facts.classes where attention.contains(c.name) {
            forwards += facts.forwardMethods(of: c)
        }
        for forward in forwards {
            // Only what happens after the attention itself (a scale on q before the scores is not an output scale).
            // Attention written out by hand ends at the probabilities' product with the values: what scales the scores
            // before the softmax (a temperature, a soft cap) is not an output scale either.
            let sites = facts.attentionSites.filter { facts.isInside($0.node, forward.node) }
            guard let firstSite = sites.map({ site in max(site.node.endByte, site.valuesProduct?.endByte ?? 0) }).min() else { continue }
            for ret in facts.descendants(of: forward.node) where ret.type == "return_statement" {
                guard let value = ret.namedChild(0) else { continue }
                let lineage = facts.lineage(of: value, model: model, flow: flow)
                for step in lineage.steps where step.type == "binary_operator" && step.startByte >= firstSite
                    && ["*", "/"].contains(step.child(byField: "operator")?.type ?? "") {
                    let sides = [step.child(byField: "left"), step.child(byField: "right")].compactMap { $0 }
                    if sides.contains(where: { isFixed($0, facts) }) { return true }
                }
            }
        }
        return false
    }
}
