import Parsing
import TreeSitterKit

/// `head_dim_128`: attention heads are 128 wide (6 heads at width 768, or width / 128 heads).
///
/// Requires an attention computation whose query, followed back to its projection (also through a local dictionary
/// of streams filled in a loop, `streams[name] = proj[name](x).view(B, T, H, D)` read as `streams["q"]`), is split into heads by a
/// reshape (`view(B, T, H, D)`, `view(B, T, 3, H, D)`, `unflatten(-1, (H, D))`, `view(x.size()[:-1] + (H, D))`, einops
/// `rearrange(t, "b t (h d) -> b h t d", d=D)`), also inside a helper called on the query (`self._split_heads(q, H, D)`, a lambda `heads = lambda t: t.view(B, T, H, D)`,
/// its parameters read from that call), whose head size D resolves to
/// 128: directly (`head_dim`, an argparse default); when D is written as `-1`, as the output size of the linear
/// projection the query comes straight from divided by H (and by the other sizes written beside it, the 3 of
/// `view(B, T, 3, H, -1)`); otherwise, and for `C // H`, as the model width (the projection's input size) divided by H. Values are resolved as the model is built: an
/// instantiation's arguments (`GPTConfig(n_head=6, n_embd=768)`) win over the config defaults. Rejects 12 heads at
/// width 768, 6 heads at width 384, 6 heads in a default that the instantiation overrides, and 128 used for
/// something else (rotary size, block size, vocabulary padding). A library model's configuration counts
/// (`GPT2Config(n_embd=768, n_head=6)`, `head_dim=128`). Examples: `queries/python/head_dim_128/examples/`.
struct HeadDim128: Detector {
    let id = "head_dim_128"
    static let reshapes: Set<String> = ["view", "reshape", "unflatten"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let flow = facts.dataflow
        // (A functional script whose attention widths are read through its step function took seconds at the default budget.)
        let interpreter = ScriptInterpreter(facts, budget: ScriptInterpreter.sizeBudget)
        var evidence: [Evidence] = []
        for site in facts.attentionSites {
            let lineage = facts.lineage(of: site.query, model: model, flow: flow)
            // The lineage's calls, and those inside the helpers it calls on the query (`self._split_heads(q, H, D)`),
            // each read with the numbers that call passes for the helper's parameters.
            var steps = lineage.steps.filter { $0.type == "call" }.map { (node: $0, frame: [String: Double]()) }
            for step in lineage.steps where step.type == "call" {
                let call = facts.callSite(step)
                guard let (parameters, inner) = facts.helperSteps(call, model: model, flow: flow) else { continue }
                var frame: [String: Double] = [:]
                for (index, parameter) in parameters.enumerated() {
                    if let argument = call.argument(parameter, position: index), let n = interpreter.number(argument) { frame[parameter] = n }
                }
                steps += inner.filter { $0.type == "call" }.map { (node: $0, frame: frame) }
            }
            for (step, frame) in steps {
                let call = facts.callSite(step)
                func number(_ node: Node) -> Double? { frame.isEmpty ? interpreter.number(node) : interpreter.number(node, bindings: frame) }
                if call.name == "rearrange", let d = einopsHeadSize(call, lineage, model, facts, interpreter) {
                    if d == 128 { evidence.append(facts.evidence(step, "attention heads of size 128")) }
                    continue
                }
                guard Self.reshapes.contains(call.name), call.receiver != nil, var (heads, size, others) = headShape(call, facts) else { continue }
                // Megatron's layout: each head holds its q, k and v side by side (`view(b, s, np, 3 * hn)`), split
                // apart afterwards (`torch.split(mixed, hn, dim=-1)`): the head size is `hn`.
                if let single = sideBySidePart(size, lineage, facts) { size = single }
                let inferred = facts.value(of: size)?.double == -1
                var d = inferred ? nil : number(size)
                // `view(b, n, h, -1)` right on a projection's output: that output over the sizes written beside it
                // (`nn.Linear(dim, heads * 128)` split with `view(b, n, 3, h, -1)` counts the 3).
                if inferred, let out = outputWidth(lineage, model, facts, interpreter),
                   case let factors = ([heads] + others).map(number), factors.allSatisfy({ ($0 ?? 0) > 0 }) {
                    d = out / factors.reduce(1) { $0 * $1! }
                }
                if d == nil, let h = number(perTensor(heads, facts)), h > 0, let width = width(lineage, model, facts, interpreter) {
                    d = width / h
                }
                if d == 128 { evidence.append(facts.evidence(step, "attention heads of size 128")) }
            }
        }
        // A library model (`GPT2LMHeadModel(GPT2Config(n_embd=768, n_head=6))`): the library splits the heads as its
        // configuration says, `head_dim`, or the width over the head count.
        for config in facts.libraryModelConfigs {
            func number(_ keys: [String]) -> Double? {
                keys.lazy.compactMap { facts.libraryConfigValue($0, of: config) }.first.flatMap { interpreter.number($0) ?? facts.evaluate($0) }
            }
            let head = number(["head_dim"]) ?? number(["n_embd", "hidden_size", "d_model"]).flatMap { width in
                number(["n_head", "num_attention_heads", "num_heads"]).flatMap { $0 > 0 ? width / $0 : nil }
            }
            if head == 128 { evidence.append(facts.evidence(config.node, "library model configured with attention heads of size 128")) }
        }
        return evidence
    }

    /// The head count and head size arguments of a head split, with the sizes written between the leading batch and
    /// time sizes and the head count (the 3 of `view(B, T, 3, H, D)`, `unflatten(-1, (3, H, D))`).
    func headShape(_ call: CallSite, _ facts: PythonFacts) -> (heads: Node, size: Node, others: [Node])? {
        var sizes = call.positional
        if call.name == "unflatten" {
            guard sizes.count == 2 else { return nil }
            // (heads, size), or (3, heads, size) when q, k and v come out of one projection.
            sizes = facts.unparenthesized(sizes[1]).namedChildren
            guard sizes.count == 2 || sizes.count == 3 else { return nil }
        } else if let kept = facts.sizesAfterKeptShape(call) {
            // The leading sizes kept (`x.size()[:-1] + (H, D)`, `x.view(*x.shape[:-1], H, D)`): the last one is split.
            guard kept.count == 2 else { return nil }
            return (kept[0], kept[1], [])
        } else {
            sizes = facts.reshapeDimensions(call)
        }
        let leading = call.name == "unflatten" ? 0 : 2
        guard sizes.count >= leading + 2 else { return nil }
        return (sizes[sizes.count - 2], sizes[sizes.count - 1], Array(sizes[leading..<(sizes.count - 2)]))
    }

    /// The head size of an einops head split, `rearrange(t, "b t (h d) -> b h t d", d=128)` (or `h=6` with the
    /// width of the projection): the sizes of the grouped axes on the input side, by keyword.
    func einopsHeadSize(_ call: CallSite, _ lineage: Lineage, _ model: ModelView, _ facts: PythonFacts,
                        _ interpreter: ScriptInterpreter) -> Double? {
        guard var axes = facts.einopsPattern(call)?.firstInputGroup else { return nil }
        // "b n (three h d) -> three b h n d", three=3: q, k and v split together; the heads are the other two.
        if axes.count == 3, let stacked = axes.firstIndex(where: { call.keywords[$0].flatMap { interpreter.number($0) } == 3 }) {
            axes.remove(at: stacked)
        }
        guard axes.count == 2 else { return nil }
        if let size = call.keywords[axes[1]], let d = interpreter.number(size) { return d }
        if let count = call.keywords[axes[0]], let h = interpreter.number(count), h > 0,
           let width = width(lineage, model, facts, interpreter) { return width / h }
        return nil
    }

    /// For a head size written `3 * X` (q, k and v of a head side by side), `X` when a later step of the lineage splits
    /// the last dimension in three (`torch.split(t, X, dim=-1)`, `t.split(X, -1)`, `t.chunk(3, dim=-1)`); nil otherwise.
    func sideBySidePart(_ size: Node, _ lineage: Lineage, _ facts: PythonFacts) -> Node? {
        let n = facts.unparenthesized(size)
        guard n.type == "binary_operator", n.child(byField: "operator")?.type == "*",
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return nil }
        let part: Node
        if facts.value(of: l)?.double == 3 { part = r } else if facts.value(of: r)?.double == 3 { part = l } else { return nil }
        let splits = lineage.steps.contains { step in
            guard step.type == "call" else { return false }
            let call = facts.callSite(step)
            let arguments = call.receiver == nil ? Array(call.positional.dropFirst()) : call.positional
            let dim = call.keywords["dim"] ?? (arguments.count >= 2 ? arguments[1] : nil)
            guard let dim, facts.value(of: dim)?.double == -1 else { return false }
            switch call.name {
            case "split": return arguments.first.map { facts.unparenthesized($0).text == facts.unparenthesized(part).text } == true
            case "chunk": return arguments.first.flatMap { facts.value(of: $0)?.double } == 3
            default: return false
            }
        }
        return splits ? part : nil
    }

    /// The head count of one of q, k, v when q, k and v are split together (`3 * n_head` heads, then `chunk(3)`).
    func perTensor(_ heads: Node, _ facts: PythonFacts) -> Node {
        let n = facts.unparenthesized(heads)
        guard n.type == "binary_operator", n.child(byField: "operator")?.type == "*",
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return n }
        if facts.value(of: l)?.double == 3 { return r }
        if facts.value(of: r)?.double == 3 { return l }
        return n
    }

    /// The output size of the linear projection the query comes straight from (`out_features`), nil when the lineage
    /// takes a part of that output on the way (a split, a chunk, an index), whose size the output does not give.
    func outputWidth(_ lineage: Lineage, _ model: ModelView, _ facts: PythonFacts, _ interpreter: ScriptInterpreter) -> Double? {
        let parted = lineage.steps.contains { step in
            step.type == "subscript" || step.type == "pattern_list" || step.type == "tuple_pattern"
                || (step.type == "call" && ["split", "chunk", "unbind", "tensor_split", "narrow", "unflatten"].contains(facts.callSite(step).name))
        }
        guard !parted else { return nil }
        // One projection, or one per stream walked together (`for proj in (self.to_q, self.to_k, self.to_v)`) of one size.
        // (The modules, when known, are what the projection calls run: `proj(x)` above names none.)
        let modules = lineage.projectionModules.compactMap { SettingsTable.bareName(of: $0) }
        let names = modules.isEmpty ? lineage.projections.map { facts.callSite($0).callee } : modules
        let sizes = names.map { linearSize($0, "out_features", position: 1, model, facts, interpreter) }
        guard let first = sizes.first, let size = first, sizes.allSatisfy({ $0 == size }) else { return nil }
        return size
    }

    /// The model width: the input size of the projection the query comes from (a linear layer's `in_features`, the
    /// last size of an `F.linear` weight parameter).
    func width(_ lineage: Lineage, _ model: ModelView, _ facts: PythonFacts, _ interpreter: ScriptInterpreter) -> Double? {
        var modules = lineage.projectionModules.compactMap { SettingsTable.bareName(of: $0) }
        for projection in lineage.projections {
            let call = facts.callSite(projection)
            if call.callee == "torch.nn.functional.linear", let weight = call.argument("weight", position: 1),
               let owner = facts.ownerName(of: weight) {
                for setting in facts.allSettings.settings(owner) {
                    for n in facts.descendants(of: setting.value) where n.type == "call" {
                        let factory = facts.callSite(n)
                        if PaddedVocab.tensorFactories.contains(factory.callee), factory.positional.count >= 2,
                           let w = interpreter.number(factory.positional[factory.positional.count - 1]) {
                            return w
                        }
                    }
                }
            }
            modules.append(call.callee)
        }
        return modules.lazy.compactMap { linearSize($0, "in_features", position: 0, model, facts, interpreter) }.first
    }

    /// A size the linear layer a module name is built as is given (`in_features` at 0, `out_features` at 1), evaluated;
    /// nil for a module that is no linear layer or a size that cannot be computed.
    func linearSize(_ name: String, _ keyword: String, position: Int, _ model: ModelView, _ facts: PythonFacts,
                    _ interpreter: ScriptInterpreter) -> Double? {
        guard let module = facts.moduleConstructor(name), model.isLinearConstructor(module),
              let size = module.argument(keyword, position: position) else { return nil }
        return interpreter.number(size)
    }
}
