import Parsing
import TreeSitterKit

/// `embedding_rmsnorm`: the token embedding is normalized before it becomes the residual stream.
///
/// Requires a per-token normalization (`F.rms_norm`, `F.layer_norm`, an `nn.RMSNorm` / `nn.LayerNorm` module, a
/// function or lambda of the file that computes a root mean square, the division by the root mean square written
/// out, or a fused kernel; also the entry of a table of norm functions read by its key, `self.norms["embed"](...)`) applied
/// to the result of a token (also an `nn.ModuleDict` entry read by its key, `self.transformer["wte"](idx)`)
/// lookup (directly, or to the name the lookup was just assigned to, also after tensor arithmetic on it such as a
/// gated shift, see `stillLookup`), outside any loop, with the normalized
/// tensor assigned to a plain name (the stream `x`, `x0`, `h`), or returned by a hook method whose call is (`x =
/// self.embed(idx)` in an overridden `forward`). A fused function that receives the embedding
/// table and normalizes counts as both, and so do an embedding subclass whose `forward` returns the normalized lookup, a
/// parametrization of the table's weight normalizing it row by row at every read (`RowRMSNorm` registered on `wte`), and
/// a forward hook on the table that returns it normalized (see `ForwardHook`), and a stage of modules in order whose
/// embedding is followed by a norm module (`nn.Sequential(nn.Embedding(V, d), nn.RMSNorm(d))`) and whose output goes
/// on into the model. Rejects norms only inside the blocks or after them (the stream itself
/// stays raw), normalizing the embedding table at init, and a normalized copy kept only for a statistic.
/// Examples: `queries/python/embedding_rmsnorm/examples/`.
struct EmbeddingRmsnorm: Detector {
    let id = "embedding_rmsnorm"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        if let stage = normalizedStage(facts) { return [stage] }
        let model = facts.model()
        guard !model.embeddingNames.isEmpty else { return [] }
        let lookups = model.embeddingLookupNodes
        // A function of the file that gets the table and normalizes: normalized_embedding(idx, self.wte.weight).
        let fused = facts.calls.filter { call in
            call.positional.contains { facts.ownerName(of: $0).map(model.embeddingNames.contains) == true }
                && call.receiver == nil && facts.function(named: call.name).contains { facts.isNormFunction($0) }
        }
        for call in fused where feedsStream(call.node, facts) {
            return [facts.evidence(call.node, "embedding looked up and normalized by \(call.name)")]
        }
        // An embedding class of the file whose forward returns the normalized lookup
        // (`class NormedEmbedding(nn.Embedding): def forward(self, idx): return F.rms_norm(super().forward(idx), ...)`),
        // built as a table of the model.
        for owner in facts.classes where owner.bases.contains(where: { $0.lastDottedComponent == "Embedding" }) {
            guard !facts.calls(named: owner.name).isEmpty,
                  let forward = facts.forwardMethods(of: owner).first
            else { continue }
            let returned = facts.returnedValues(forward)
            let normalizes = facts.calls.contains { call in
                guard facts.isInside(call.node, forward.node), facts.isNormCall(call) else { return false }
                if returned.contains(where: { facts.isInside(call.node, $0) }) { return true }
                // y = norm(...); return y
                guard let assignment = call.node.parent, assignment.type == "assignment",
                      let target = assignment.child(byField: "left"), target.type == "identifier" else { return false }
                return returned.contains { $0.type == "identifier" && $0.text == target.text }
            }
            if normalizes { return [facts.evidence(forward.node, "embedding class \(owner.name) normalizes what it looks up")] }
        }
        // A forward hook on the table that hands back the normalized lookup (`self.wte.register_forward_hook(h)` with
        // `h` returning `F.rms_norm(output, ...)`), the lookup feeding the stream.
        for hook in facts.forwardHooks where hook.kind == .output && model.embeddingNames.contains(hook.module) {
            // What the hook hands back is the norm, and the table it hangs on is the one whose lookup feeds the stream.
            let normalizes = facts.resultCores(of: hook).contains { core in
                (core.type == "call" && facts.isNormCall(facts.callSite(core))) || facts.inlineNormInput(core) != nil
            }
            // (The stream's lookup is the first of its function: value-embedding tables are looked up after it.)
            let feeds = lookups.contains { lookup in
                let scope = facts.enclosingFunction(lookup)?.node
                let first = !lookups.contains { $0.startByte < lookup.startByte && facts.enclosingFunction($0)?.node == scope }
                return lookup.type == "call" && first && feedsStream(lookup, facts)
                    && facts.forwardHooks(on: facts.callSite(lookup), kind: .output).contains { $0.registration.node == hook.registration.node }
            }
            if normalizes, feeds {
                return [facts.evidence(hook.registration.node, "forward hook on the embedding table normalizes its output")]
            }
        }
        // A parametrization of the table's weight that normalizes it row by row in every forward
        // (`register_parametrization(self.wte, "weight", RowRMSNorm())` with `forward(W)` returning `F.rms_norm(W,
        // (W.size(-1),))`): a lookup selects rows, so each looked-up vector comes out normalized.
        for parametrization in facts.parametrizations where parametrization.tensor == "weight" {
            guard let module = parametrization.registration.positional.first,
                  facts.ownerName(of: module).map(model.embeddingNames.contains) == true,
                  parametrization.functions.contains(where: { rowNormalizes($0, facts) }) else { continue }
            return [facts.evidence(parametrization.registration.node, "embedding table normalized row by row at every lookup")]
        }
        for call in facts.calls where facts.isNormCall(call) {
            guard let input = call.positional.first ?? call.receiver, feedsStream(call.node, facts) else { continue }
            let normalizesLookup = stillLookup(input, lookups, facts, depth: 0)
            if normalizesLookup { return [facts.evidence(call.node, "token embedding normalized before the blocks")] }
        }
        // Written out: e / sqrt(mean(e^2) + eps) on the looked-up embedding (also e.mul(torch.rsqrt(...))).
        for node in facts.nodes(ofType: ["binary_operator", "call"]) {
            guard let input = facts.inlineNormInput(node), feedsStream(node, facts) else { continue }
            let value = input.type == "identifier" ? facts.latestValue(of: input.text, before: node) ?? input : input
            if lookups.contains(where: { facts.isInside($0, value) }) {
                return [facts.evidence(node, "token embedding divided by its root mean square before the blocks")]
            }
        }
        return []
    }

    /// Whether a parametrization's forward returns its tensor normalized over the last dimension (its rows): a norm call
    /// on it over `W.size(-1)` / `W.shape[-1]` (or with no dimension given for `F.normalize`-free RMS helpers), or the
    /// written-out form.
    func rowNormalizes(_ forward: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        guard let tensor = forward.passedParameters.first else { return false }
        return facts.returnedValues(forward).contains { value in
            let v = facts.withoutCasts(value)
            if let input = facts.inlineNormInput(v) {
                // Reduced over the last dimension (`W.pow(2).mean(-1, keepdim=True)`), not over the whole table.
                let reductions = facts.descendants(of: v).filter { $0.type == "call" && ["mean", "sum"].contains(facts.callSite($0).name) }
                let overRows = !reductions.isEmpty && reductions.allSatisfy { r in
                    let call = facts.callSite(r)
                    return (call.argument("dim", position: 0)).flatMap { facts.value(of: $0)?.double } == -1
                }
                return overRows && facts.withoutCasts(input).text == tensor
            }
            guard v.type == "call", case let call = facts.callSite(v), facts.isNormCall(call),
                  let first = call.positional.first.map(facts.withoutCasts), first.text == tensor else { return false }
            // Over the last dimension only (`(W.size(-1),)`, `[W.shape[-1]]`, `W.shape[-1:]`): a norm over the whole
            // table is another thing.
            guard let shape = call.argument("normalized_shape", position: 1).map(facts.unwrapped) else { return true }
            return lastSize(of: tensor, shape, facts)
        }
    }

    /// Whether a normalized shape is the last dimension of `tensor` alone: a one-element tuple or list of `W.size(-1)` /
    /// `W.shape[-1]`, or the slice `W.shape[-1:]`.
    func lastSize(of tensor: String, _ shape: Node, _ facts: PythonFacts) -> Bool {
        func isMinusOne(_ n: Node?) -> Bool { n.flatMap { facts.value(of: $0)?.double } == -1 }
        func shapeOfTensor(_ n: Node) -> Bool {
            n.type == "attribute" && n.child(byField: "attribute")?.text == "shape" && n.child(byField: "object")?.text == tensor
        }
        if ["tuple", "list"].contains(shape.type) {
            let items = shape.namedChildren.filter { $0.type != "comment" }
            guard items.count == 1, case let item = facts.unwrapped(items[0]) else { return false }
            if item.type == "call", case let call = facts.callSite(item), call.name == "size", call.receiver?.text == tensor {
                return isMinusOne(call.positional.first)
            }
            return item.type == "subscript" && item.child(byField: "value").map(shapeOfTensor) == true
                && isMinusOne(item.child(byField: "subscript"))
        }
        // `W.shape[-1:]`: a slice from the last dimension to the end.
        guard shape.type == "subscript", shape.child(byField: "value").map(shapeOfTensor) == true,
              let slice = shape.child(byField: "subscript"), slice.type == "slice" else { return false }
        let bounds = slice.children.split(omittingEmptySubsequences: false) { $0.type == ":" }.map { $0.first }
        return bounds.count == 2 && isMinusOne(bounds[0]) && bounds[1] == nil
    }

    /// Whether a tensor is still the looked-up embedding: it holds the lookup, or it is a name (sliced, cast or
    /// reshaped: `x[None]`) whose latest value does, or whose latest value outside any loop updates the name from itself
    /// by tensor arithmetic and concatenation only, as a smear mixing each token with the one before does (`x =
    /// torch.cat([x[:1], x[1:] + g * x[:-1]])`), or a call of a method or function of the file every `return` of which
    /// hands back the lookup (`x = super().embed(idx)` in a mixin's override of the embedding hook); an update through a
    /// module or function of the file that does more (`x = block(x)`) ends it.
    func stillLookup(_ node: Node, _ lookups: [Node], _ facts: PythonFacts, depth: Int) -> Bool {
        var n = facts.unparenthesized(node)
        if lookups.contains(where: { facts.isInside($0, n) }) { return true }
        while true {
            if n.type == "subscript", let value = n.child(byField: "value") {
                n = facts.unparenthesized(value)
            } else if n.type == "call", case let call = facts.callSite(n), let receiver = call.receiver,
                      PythonFacts.rearrangingMethods.contains(call.name) {
                n = facts.unparenthesized(receiver)
            } else {
                break
            }
        }
        guard n.type == "identifier", depth < 4, let value = facts.latestValue(of: n.text, before: n),
              facts.enclosingLoops(value).isEmpty else { return false }
        if lookups.contains(where: { facts.isInside($0, value) }) { return true }
        // A hook of the file handing back the lookup (`x = super().embed(idx)` in a mixin's override).
        let held = facts.unparenthesized(value)
        if held.type == "call", let hook = facts.calledFunction(facts.callSite(held)) {
            let returned = facts.returnedValues(hook)
            return !returned.isEmpty && returned.allSatisfy { stillLookup($0, lookups, facts, depth: depth + 1) }
        }
        let arithmetic: Set<String> = ["binary_operator", "unary_operator", "subscript", "parenthesized_expression", "list", "tuple",
                                       "argument_list"]
        let joins: Set<String> = ["cat", "concat", "concatenate", "stack"]
        let selfReads = facts.descendants(of: value).filter { $0.type == "identifier" && $0.text == n.text }
        // Every read of the name is a term of the arithmetic or of a concatenation, not an argument of anything else.
        let arithmeticOnly = selfReads.allSatisfy { use in
            var current = use
            while current != value, let parent = current.parent {
                if parent.type == "call" {
                    guard current.type == "argument_list", joins.contains(facts.callSite(parent).name) else { return false }
                } else if parent.type == "subscript", parent.child(byField: "value") != current {
                    return false
                } else if parent.type == "attribute" || !arithmetic.contains(parent.type) {
                    return false
                }
                current = parent
            }
            return true
        }
        return !selfReads.isEmpty && arithmeticOnly && selfReads.allSatisfy { stillLookup($0, lookups, facts, depth: depth + 1) }
    }

    /// A stage of modules run in order (`self.embed = nn.Sequential(nn.Embedding(V, d), nn.RMSNorm(d))`, its layers
    /// also named in an `OrderedDict([("wte", ...), ("norm", ...)])`) whose lookup is normalized by the very next layer,
    /// called where its output goes on into the model. The stage may be built by a module function and assigned from
    /// its call (`self.stem = make_stem(cfg)`). (Its table has no name of its own, so this is read before the named
    /// tables.)
    func normalizedStage(_ facts: PythonFacts) -> Evidence? {
        for stage in facts.calls(named: "Sequential") where stage.torchCallee == "torch.nn.Sequential" {
            var layerNodes = stage.positional
            if layerNodes.count == 1, case let held = facts.unparenthesized(layerNodes[0]), held.type == "call" {
                let ordered = facts.callSite(held)
                let pairs = SettingsCollector.moduleDictPairs(ordered, facts)
                if !pairs.isEmpty {
                    layerNodes = pairs.map(\.value)
                } else if ordered.callee == "collections.OrderedDict", ordered.positional.isEmpty {
                    layerNodes = ordered.keywords.values.sorted { $0.startByte < $1.startByte }
                }
            }
            let layers: [CallSite?] = layerNodes.map { layer in
                let layer = facts.unparenthesized(layer)
                return layer.type == "call" ? facts.callSite(layer) : nil
            }
            guard zip(layers, layers.dropFirst()).contains(where: { pair in
                      guard let lookup = pair.0, let norm = pair.1 else { return false }
                      return lookup.torchCallee == "torch.nn.Embedding" && facts.isNormConstructor(norm)
                  }) else { continue }
            // Where the stage is kept: assigned directly, or the value its factory's calls give.
            var built = [stage.node]
            if stage.node.parent?.type == "return_statement", let factory = facts.enclosingFunction(stage.node),
               facts.enclosingClass(factory.node) == nil {
                built = facts.calls(withCallee: factory.name).map(\.node)
            }
            for value in built {
                guard let assignment = value.parent, assignment.type == "assignment", assignment.child(byField: "right") == value,
                      let target = assignment.child(byField: "left"), target.type == "attribute", let owner = facts.enclosingClass(value)
                else { continue }
                let applied = facts.calls(withCallee: target.text).contains { use in
                    facts.enclosingClass(use.node)?.node == owner.node && use.node != value && passesOn(use.node, facts)
                }
                if applied { return facts.evidence(stage.node, "embedding stage normalizes each looked-up token with its next layer") }
            }
        }
        return nil
    }

    /// Whether a value goes on into the model outside any loop: it feeds the stream (`feedsStream`), or it is the
    /// argument of calls whose result does or is returned (`return self.head(self.blocks(self.embed(idx)))`).
    func passesOn(_ node: Node, _ facts: PythonFacts) -> Bool {
        if feedsStream(node, facts) { return true }
        guard facts.enclosingLoops(node).isEmpty else { return false }
        var current = node
        while let parent = current.parent, ["argument_list", "call", "parenthesized_expression"].contains(parent.type) {
            current = parent
        }
        guard current != node, current.type == "call" else { return false }
        return current.parent?.type == "return_statement" || feedsStream(current, facts)
    }

    /// Whether a value, up to wrappers that keep it whole (`[None]`, `.bfloat16()`, parentheses), is assigned to
    /// plain names (`x = ...`, `x = x0 = ...`), outside any loop of its function, or returned by a function (a hook
    /// method, `def embed(self, idx): return F.rms_norm(self.wte(idx), ...)`) a call of which does so (`x =
    /// self.embed(idx)`, see `Dataflow.callSites`).
    func feedsStream(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        guard facts.enclosingLoops(node).isEmpty else { return false }
        var current = node
        while let parent = current.parent {
            switch parent.type {
            case "parenthesized_expression":
                break
            case "subscript":
                guard parent.child(byField: "value") == current else { return false }
            case "attribute":
                guard parent.child(byField: "object") == current, let call = parent.parent, call.type == "call",
                      call.child(byField: "function") == parent else { return false }
                current = call
                continue
            case "assignment":
                guard parent.child(byField: "right") == current, let left = parent.child(byField: "left") else { return false }
                return left.type == "identifier" || left.type == "pattern_list"
            case "return_statement":
                guard depth < 2, let function = facts.enclosingFunction(parent) else { return false }
                return facts.dataflow.callSites(of: function.node).contains { feedsStream($0.call.node, facts, depth: depth + 1) }
            default:
                return false
            }
            current = parent
        }
        return false
    }
}
