import Parsing
import SourceModel
import TreeSitterKit

/// `bf16_activations_casted_linear`: bf16 activations without autocast, fp32 master weights cast inside the linears.
///
/// Requires (1) a linear class of the file whose `forward` casts one of its own weights to the input's dtype or to
/// bf16 (`self.weight.to(x.dtype)`, `.type_as(x)`, `.bfloat16()`, `.to(torch.bfloat16)`, also on a local set to the
/// weight, `w = self.weight; w.to(dtype=x.dtype)`; also through a method of the
/// instance returning the cast weight, `F.linear(x, self.weight_for(x))`) and that the file instantiates (by name, also
/// bare through `C.__new__(C)` in a helper that swaps it in for existing layers, or
/// through a class attribute, field or parameter holding it in code that runs, `self.linear_cls(d, d)` with
/// `linear_cls = CastedLinear`), or a
/// parametrization of the weight that casts it to bf16 when read (`register_parametrization(lin, "weight",
/// ComputeDtype())` with `def forward(self, W): return W.to(torch.bfloat16)`, see `PythonFacts.parametrizations`), or a functional model's helper that casts its weight argument to the activation's dtype before the
/// product (`def linear(x, w): return x @ w.to(x.dtype)`) and is called; (2) bf16 activations: the embeddings cast
/// to bf16 (`nn.Embedding(...).to(torch.bfloat16)`, `nn.Embedding(..., dtype=torch.bfloat16)`, a table lookup
/// `params["wte"][idx].bfloat16()`, or `m.bfloat16()` under `isinstance(m, nn.Embedding)`), or the whole model cast (`model.bfloat16()`,
/// `.to(dtype=torch.bfloat16)`, also inside a helper the model is handed to, a policy object's `__call__` included, or
/// `self.bfloat16()` in a method of the model's class that the file calls) with the casting linears put back to fp32
/// (`m.float()` under `isinstance(m, CastedLinear)`, also inside a predicate of the file, `if Policy.keeps_fp32(m):`, or
/// against a registry the casting class joins when declared with an `__init_subclass__` keyword such as
/// `master_fp32=True`, also through `model.apply`, a `filter` held by a local, a tuple of classes held by an attribute, or
/// a guard before it leaving for other modules, `if not isinstance(m, CastedLinear): continue`; or
/// under a test of the exact class, `type(m).__name__ in keep` with `keep` the class names a plan lists, where naming a
/// base class such as `"Linear"` keeps no casting linear), or, with no class to test, the weight matrices of chosen parts of the
/// model put back to fp32 (`leaf.data = leaf.data.float()` under `if leaf.ndim == 2`, not over `model.parameters()`,
/// which holds the embedding too), or, for stacked per-layer weights a casting helper is handed, those stacks put back
/// by name in a walk of the named parameters whose name test leaves the embedding out (`if name.startswith("w_"):`), or, for a functional model's parameter tree cast leaf by leaf, the weights its casting
/// helper reads kept fp32 by key and the embedding table not (`{k: (v.float() if k in LINEAR_KEYS else to_mixed(v)) for
/// k, v in tree.items()}`, see `keyedRestoration`), or, with casting parametrizations, their stored tensors put back to fp32
/// (`m.parametrizations.weight.original.data = ....float()`, `m.float()` under `parametrize.is_parametrized(m)`, or
/// `m.float()` in the loop body that registers the parametrization on `m`); dtypes are read as `PythonFacts.dtypeName` reads them (`getattr(torch, plan["compute"])`
/// with the name from a configuration or an environment knob's string default); and (3) no `torch.autocast` / `torch.amp.autocast` context (or a
/// name set to one) anywhere. Rejects autocast with plain linears, a casting class defined but unused (or swapped in
/// only by a subclass nothing builds), a wholesale
/// bf16 model without fp32 masters (also casting linears declared without the keyword a registry of fp32 classes
/// needs, `master_fp32=False`), and casting linears still under autocast.
/// Examples: `queries/python/bf16_activations_casted_linear/examples/`.
struct Bf16ActivationsCastedLinear: Detector {
    let id = "bf16_activations_casted_linear"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        guard !usesAutocast(facts) else { return [] }
        let casting = castingClasses(facts)
        let castingHelpers = castingFunctions(facts)
        let castingParametrizations = facts.parametrizations.filter { castsTensor($0, facts) }
        // Built by name, also bare through `__new__` (`CastedLinear.__new__(CastedLinear)` adopting an existing
        // layer's weight in a helper that swaps it in, in code that runs).
        func built(_ c: CallSite) -> String? {
            if casting.contains(c.callee) { return c.callee }
            guard c.name == "__new__", c.callee.hasSuffix(".__new__"), case let owner = String(c.callee.dropLast(8)),
                  casting.contains(owner), facts.mayRun(c.node) else { return nil }
            return owner
        }
        guard let used = facts.calls.first(where: { c in
            (built(c).map { name in !facts.classes.contains { $0.name == name && facts.isInside(c.node, $0.node) } } ?? false)
                || (c.receiver == nil && castingHelpers.contains(c.callee))
        }) ?? facts.calls.first(where: { buildsCastingClass($0, casting, facts) })
            ?? castingParametrizations.first?.registration else { return [] }
        // An embedding table created in bf16: `nn.Embedding(V, d, dtype=torch.bfloat16)`.
        if let table = facts.calls.first(where: { facts.isEmbeddingConstructor($0) && $0.keywords["dtype"].map { isBf16($0, facts) } == true }) {
            return [facts.evidence(used.node, "weights cast to the activation dtype at use"), facts.evidence(table.node, "embeddings in bf16")]
        }
        let model = facts.model()
        for cast in bf16Casts(facts) {
            if isEmbeddingCast(cast, facts) || castTarget(cast, facts).map({ target in model.embeddingLookupNodes.contains { facts.isInside($0, target) } }) == true {
                return [facts.evidence(used.node, "weights cast to the activation dtype at use"), facts.evidence(cast.node, "embeddings in bf16")]
            }
            // The restore may test for the casting class or for its base (`isinstance(m, nn.Linear)`).
            let bases = Set(facts.classes.filter { casting.contains($0.name) }.flatMap(\.bases).map(\.lastDottedComponent))
            if isModuleCast(cast, facts), let restore = restoration(casting.union(bases), exact: casting, facts) {
                return [facts.evidence(cast.node, "model cast to bf16"), facts.evidence(restore, "casting linears kept in fp32")]
            }
            // A functional model's weights have no class to test: the matrices of the parts other than the
            // embedding are put back to fp32 (`leaf.data = leaf.data.float()` under `if leaf.ndim == 2`).
            if isModuleCast(cast, facts), let restore = matrixRestoration(after: cast, facts) {
                return [facts.evidence(cast.node, "model cast to bf16"), facts.evidence(restore, "weight matrices kept in fp32")]
            }
            // Stacked weights read by a casting helper, put back to fp32 by name in a walk of the model's parameters
            // (`for name, p in self.named_parameters(): if name.startswith("w_"): p.data = p.data.float()`).
            if isModuleCast(cast, facts), !castingHelpers.isEmpty,
               let restore = namedRestoration(helperStacks(castingHelpers, model: model, facts), model: model, facts) {
                return [facts.evidence(cast.node, "model cast to bf16"), facts.evidence(restore, "weights the casting helper reads kept in fp32 by name")]
            }
            // A functional model's parameter tree cast leaf by leaf, the weights the casting helper reads kept fp32
            // by their keys (`{k: (v.float() if k in LINEAR_KEYS else to_mixed(v)) for k, v in tree.items()}`).
            if !castingHelpers.isEmpty, let restore = keyedRestoration(of: cast, weights: helperWeights(castingHelpers, facts), model: model, facts) {
                return [facts.evidence(cast.node, "parameter tree cast to bf16"), facts.evidence(restore, "weights the casting helper reads kept in fp32 by key")]
            }
            // Weights cast at use by a parametrization: its stored tensors are the masters put back to fp32.
            let tensors = Set(castingParametrizations.compactMap(\.tensor))
            if isModuleCast(cast, facts), !tensors.isEmpty,
               let restore = parametrizationRestoration(tensors, registrations: castingParametrizations.map(\.registration), facts) {
                return [facts.evidence(cast.node, "model cast to bf16"), facts.evidence(restore, "parametrized weights kept in fp32")]
            }
        }
        return []
    }

    /// Whether a call builds a casting class through a name that holds it rather than naming it (`self.linear_cls(d,
    /// d)` with `linear_cls = CastedLinear` in a subclass body, an `attn_cls` parameter defaulting to a class whose
    /// projections are casting linears; see `PythonFacts.constructedClasses`), outside the class itself and in code that
    /// may run (a subclass nothing builds or names swaps nothing in).
    func buildsCastingClass(_ call: CallSite, _ casting: Set<String>, _ facts: PythonFacts) -> Bool {
        guard !casting.isEmpty, facts.boundClass(named: call.callee) == nil, facts.mayRun(call.node) else { return false }
        return facts.constructedClasses(call).contains { casting.contains($0.name) && !facts.isInside(call.node, $0.node) }
    }

    /// Classes whose forward casts their own weight (`self.<w>`) to the input dtype or bf16, itself or by handing
    /// the weight to a function of the file that casts it (`_CastMatmul.apply(x, self.weight)`, an autograd
    /// function whose `forward` computes `F.linear(x, w.to(x.dtype))`), or by calling a method of the instance (own
    /// or inherited, as a mixin's) that returns the cast weight (`F.linear(x, self.weight_for(x))` with `def
    /// weight_for(self, x): return self.weight.to(x.dtype)`), or by multiplying with what a function of the file returns
    /// as the weight converted (`F.linear(x, cast_like(self.weight, x))`, the conversion also done by a kernel copying the
    /// weight into a tensor of the activation's dtype, see `returnsCast`).
    func castingClasses(_ facts: PythonFacts) -> Set<String> {
        Set(facts.classes.filter { c in
            facts.forwardMethods(of: c).contains { f in
                facts.calls.contains { call in
                    guard facts.isInside(call.node, f.node) else { return false }
                    // The weight handed on: the function must cast the parameter that receives it.
                    if (call.positional + call.keywords.values).contains(where: { isOwnAttribute($0, facts) }),
                       facts.targets(of: call).contains(where: { target in
                           facts.filledParameters(target, by: call).enumerated().contains { index, parameter in
                               call.argument(parameter, position: index).map { isOwnAttribute($0, facts) } == true
                                   && (castsWeightArgument(target, facts, weight: parameter)
                                       || isProductOperand(call.node, facts) && returnsCast(of: parameter, in: target, facts))
                           }
                       }) { return true }
                    // A method of the instance returning its weight cast (`self.weight_for(x)`).
                    if let receiver = call.receiver, facts.isInstance(receiver),
                       facts.targets(of: call).contains(where: { target in
                           facts.enclosingClass(target.node) != nil && facts.returnedValues(target).contains { value in
                               let v = facts.unparenthesized(value)
                               return v.type == "call" && castsOwnAttribute(facts.callSite(v), facts)
                           }
                       }) { return true }
                    return castsOwnAttribute(call, facts)
                }
            }
        }.map(\.name))
    }

    /// Whether a node is an operand of a matrix product (also written as a call, `torch.matmul(h, w.type_as(h))`) or of
    /// `F.linear`.
    func isProductOperand(_ n: Node, _ facts: PythonFacts) -> Bool {
        guard let parent = n.parent else { return false }
        if let (a, b) = facts.matmulOperands(parent), a == n || b == n { return true }
        if parent.type == "argument_list", let call = parent.parent, let (a, b) = facts.matmulOperands(call), a == n || b == n { return true }
        return parent.type == "argument_list" && parent.parent.map { facts.callSite($0).torchCallee == "torch.nn.functional.linear" } == true
    }

    /// Whether a function returns its parameter `parameter` converted to another dtype: `w.to(dtype)`, `w.type_as(x)`,
    /// `w.bfloat16()`; a call it returns that does so with what it passes for that parameter (a wrapper of an autograd
    /// function's `apply`, whose `forward` converts); or a new tensor a kernel launched there copies the parameter into
    /// (`dst = torch.empty(w.shape, dtype=dtype)`, then a kernel storing `tl.load(src + offs)` into `dst`, see
    /// `PythonFacts.kernelCopies`), made with an explicit `dtype=`; or the result of a compiled CUDA extension whose kernel
    /// converts it element by element (`dst[i] = __float2bfloat16_rn(src[i])`).
    func returnsCast(of parameter: String, in function: PythonFacts.Function, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        guard depth < 4 else { return false }
        func standsFor(_ n: Node) -> Bool {
            var u = facts.unwrapped(n)
            while u.type == "call", ["contiguous", "detach"].contains(facts.callSite(u).name), let r = facts.callSite(u).receiver { u = facts.unwrapped(r) }
            if u.type == "identifier", u.text != parameter, let held = facts.latestValue(of: u.text, before: u), facts.isInside(held, function.node) {
                return standsFor(held)
            }
            return u.type == "identifier" && u.text == parameter
        }
        for returned in facts.returnedValues(function).map(facts.unwrapped) {
            if returned.type == "call" {
                let call = facts.callSite(returned)
                if let receiver = call.receiver, standsFor(receiver), ["to", "type_as", "bfloat16", "half", "type"].contains(call.name) { return true }
                // A compiled CUDA extension whose kernel converts the parameter element by element (see
                // `PythonFacts.extensionConvertedArguments`).
                if !facts.extensionModuleNames.isEmpty, facts.extensionConvertedArguments(call).contains(where: standsFor) { return true }
                for target in facts.flowTargets(call) where target.node != function.node {
                    let inner = facts.filledParameters(target, by: call)
                    for (index, name) in inner.enumerated() {
                        guard let passed = call.argument(name, position: index), standsFor(passed) else { continue }
                        if returnsCast(of: name, in: target, facts, depth: depth + 1) { return true }
                    }
                }
            }
            // A tensor made with an explicit dtype that a kernel fills with the parameter.
            guard returned.type == "identifier", let made = facts.latestValue(of: returned.text, before: returned).map(facts.unwrapped),
                  made.type == "call", facts.callSite(made).keywords["dtype"] != nil else { continue }
            for launch in facts.kernelLaunches(in: function.node) {
                if facts.kernelCopies(launch).contains(where: { standsFor($0.source) && facts.unwrapped($0.destination).text == returned.text }) { return true }
            }
        }
        return false
    }

    /// Whether a parametrization of a module's weight (`PythonFacts.parametrizations`) casts the stored tensor to bf16
    /// when the weight is read: its forward returns its tensor argument cast (`return W.to(self.dtype)` with the
    /// dtype bf16 wherever it comes from, `W.bfloat16()`). A parametrization of another tensor, or one casting to
    /// another dtype, does not count.
    func castsTensor(_ parametrization: Parametrization, _ facts: PythonFacts) -> Bool {
        guard parametrization.tensor == "weight" else { return false }
        return parametrization.functions.contains { f in
            guard let tensor = f.parameters.dropFirst().first else { return false }
            let returned = facts.returnedValues(f).map(facts.unparenthesized)
            return returned.contains { value in
                ([value] + facts.descendants(of: value)).contains { n in
                    guard n.type == "call" else { return false }
                    let call = facts.callSite(n)
                    guard let receiver = call.receiver.map(facts.unparenthesized), receiver.type == "identifier", receiver.text == tensor else { return false }
                    switch call.name {
                    case "bfloat16": return call.positional.isEmpty
                    case "to", "type": return (call.positional.first ?? call.keywords["dtype"]).map { isBf16($0, facts) } == true
                    default: return false
                    }
                }
            }
        }
    }

    /// Where the tensors a parametrization stores are put back to fp32 after a whole-model cast: `.float()` (or
    /// `.to(torch.float32)`) on `m.parametrizations` or `m.parametrizations.weight` (modules, cast in place), on the
    /// stored `m.parametrizations.weight.original` (or its `.data`) assigned back (`orig.data = orig.data.float()`,
    /// also as a new `nn.Parameter`), or on a module under a test that it is parametrized (`if
    /// parametrize.is_parametrized(m, "weight"): m.float()`), or on the module itself where a casting parametrization
    /// is registered on it, in the same loop body or function body (`for m in linears: m.float();
    /// register_parametrization(m, "weight", ComputeDtype())`: before the registration the weight moves into
    /// `original` as it is, after it `m.float()` casts `original` too). `tensors`: the names of the tensors the casting
    /// parametrizations replace; `registrations`: their `register_parametrization(...)` calls.
    func parametrizationRestoration(_ tensors: Set<String>, registrations: [CallSite], _ facts: PythonFacts) -> Node? {
        facts.calls.first { call in
            guard let receiver = call.receiver.map(facts.unparenthesized),
                  castsToFp32(call, facts)
            else { return false }
            // The module a casting parametrization is registered on, cast in the same loop body (or, with no loop,
            // the same function body).
            if receiver.type == "identifier" || receiver.type == "attribute", registrations.contains(where: { registration in
                guard let module = registration.argument("module", position: 0).map(facts.unparenthesized),
                      facts.compact(module) == facts.compact(receiver),
                      facts.enclosingFunction(registration.node)?.node == facts.enclosingFunction(call.node)?.node else { return false }
                return facts.enclosingLoops(registration.node).first == facts.enclosingLoops(call.node).first
            }) {
                return true
            }
            let path = facts.compact(receiver).split(separator: ".").map(String.init)
            if let at = path.firstIndex(of: "parametrizations") {
                let rest = Array(path[(at + 1)...])
                if rest.isEmpty || (rest.count == 1 && tensors.contains(rest[0])) { return true }
                guard rest.count >= 2, tensors.contains(rest[0]), rest[1] == "original" else { return false }
                // A tensor cast into a new one, which must take the stored tensor's place.
                var value = call.node
                if let list = value.parent, list.type == "argument_list", let wrapper = list.parent, wrapper.type == "call",
                   facts.callSite(wrapper).name == "Parameter" {
                    value = wrapper
                }
                guard let assignment = value.parent, assignment.type == "assignment", assignment.child(byField: "right") == value,
                      let target = assignment.child(byField: "left") else { return false }
                return facts.compact(target).split(separator: ".").contains("original")
            }
            // `m.float()` in the body of `if is_parametrized(m, ...)`.
            var child = call.node
            return facts.ancestors(of: call.node).contains { a in
                defer { child = a }
                guard a.type == "if_statement", a.child(byField: "consequence") == child,
                      let condition = a.child(byField: "condition") else { return false }
                return ([condition] + facts.descendants(of: condition)).contains { n in
                    guard n.type == "call", n.parent?.type != "not_operator" else { return false }
                    let test = facts.callSite(n)
                    guard test.name == "is_parametrized", let module = test.positional.first else { return false }
                    if let name = test.argument("tensor_name", position: 1).flatMap(SettingsTable.stringValue), !tensors.contains(name) { return false }
                    return facts.compact(module) == facts.compact(receiver)
                }
            }
        }?.node
    }

    /// Whether a call casts an attribute of the instance to the input dtype or bf16: `self.weight.type_as(x)`,
    /// `self.weight.bfloat16()`, `self.weight.to(x.dtype)`, `self.weight.to(dtype=...)`, also through a local the
    /// method set to the attribute before (`w = self.weight`, then `w.to(dtype=x.dtype)`).
    func castsOwnAttribute(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard var receiver = call.receiver.map(facts.unwrapped) else { return false }
        if receiver.type == "identifier", let held = facts.latestValue(of: receiver.text, before: receiver) { receiver = facts.unwrapped(held) }
        guard isOwnAttribute(receiver, facts) else { return false }
        switch call.name {
        case "type_as", "bfloat16": return true
        case "to": return call.positional.contains { isDtype($0, facts) } || call.keywords["dtype"] != nil
        default: return false
        }
    }

    /// `self.<name>`, the instance under whatever name the method gives it (`s.weight` in `def forward(s, x)`).
    func isOwnAttribute(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.instanceAttribute(node) != nil
    }

    /// Functions of a functional model that cast a weight argument to the dtype of the activation argument before
    /// multiplying (`def linear(x, w): return x @ w.to(x.dtype)`, `F.linear(x, w.type_as(x))`).
    func castingFunctions(_ facts: PythonFacts) -> Set<String> {
        Set(facts.functions.filter { f in facts.enclosingClass(f.node) == nil && castsWeightArgument(f, facts) }.map(\.name))
    }

    /// Whether a function casts one of its parameters to the dtype of another before multiplying by it, directly or
    /// through a local (`w_lp = w.to(x.dtype); return F.linear(x, w_lp)`).
    /// `weight`: the parameter that must be the one cast, when the caller knows which one holds the weight.
    func castsWeightArgument(_ f: PythonFacts.Function, _ facts: PythonFacts, weight: String? = nil) -> Bool {
        let inside = facts.descendants(of: f.node)
        /// An operand of a product or of F.linear.
        func isProductOperand(_ n: Node) -> Bool { self.isProductOperand(n, facts) }
        return inside.contains { n in
            guard n.type == "call" else { return false }
            let call = facts.callSite(n)
            guard let receiver = call.receiver, receiver.type == "identifier", f.parameters.contains(receiver.text),
                  weight.map({ $0 == receiver.text }) ?? true else { return false }
            let toActivation: Bool
            switch call.name {
            case "type_as": toActivation = call.positional.first.map { $0.type == "identifier" && f.parameters.contains($0.text) } == true
            case "to": toActivation = (call.positional.first ?? call.keywords["dtype"]).map { d in
                d.type == "attribute" && d.child(byField: "attribute")?.text == "dtype"
                    && d.child(byField: "object").map { f.parameters.contains($0.text) && $0.text != receiver.text } == true
            } == true
            default: toActivation = false
            }
            guard toActivation else { return false }
            if isProductOperand(n) { return true }
            // Held by a local that is then multiplied.
            guard let assignment = n.parent, assignment.type == "assignment", assignment.child(byField: "right") == n,
                  let local = assignment.child(byField: "left"), local.type == "identifier" else { return false }
            return inside.contains { $0.type == "identifier" && $0.text == local.text && $0.startByte > assignment.endByte && isProductOperand($0) }
        }
    }

    /// `x.dtype`, `torch.bfloat16`, a dtype name.
    func isDtype(_ node: Node, _ facts: PythonFacts) -> Bool {
        if node.type == "attribute", node.child(byField: "attribute")?.text == "dtype" { return true }
        return isBf16(node, facts)
    }

    func isBf16(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.dtypeName(of: node) == "bfloat16"
    }

    /// `.bfloat16()` calls and `.to(torch.bfloat16)` / `.to(dtype=torch.bfloat16)` calls.
    func bf16Casts(_ facts: PythonFacts) -> [CallSite] {
        facts.calls.filter { call in
            guard call.receiver != nil else { return false }
            if call.name == "bfloat16" { return call.positional.isEmpty }
            if call.name == "to" { return call.positional.contains { isBf16($0, facts) } || call.keywords["dtype"].map { isBf16($0, facts) } == true }
            return false
        }
    }

    /// The module a cast applies to, through method chains (`model.cuda().bfloat16()` -> `model`).
    func castTarget(_ cast: CallSite, _ facts: PythonFacts) -> Node? {
        var current = cast.receiver
        while let c = current, c.type == "call" {
            // A method in the chain, or a helper of the file that hands back the module it is given
            // (`use_casted_linears_(model).bfloat16()`, see `PythonFacts.passedThrough`).
            guard let inner = facts.callSite(c).receiver ?? facts.passedThrough(c) else { break }
            current = inner
        }
        return current
    }

    /// The constructor behind a cast target: a constructor call itself, or a name set to one.
    func constructor(of target: Node, _ facts: PythonFacts) -> CallSite? {
        if target.type == "call" { return facts.callSite(target) }
        guard let name = SettingsTable.bareName(of: target) else { return nil }
        return facts.moduleConstructor(name)
    }

    /// An embedding cast: `nn.Embedding(...).to(torch.bfloat16)`, `self.embed.bfloat16()`, or `m.bfloat16()` under
    /// `isinstance(m, nn.Embedding)`.
    func isEmbeddingCast(_ cast: CallSite, _ facts: PythonFacts) -> Bool {
        guard let target = castTarget(cast, facts) else { return false }
        if let call = constructor(of: target, facts), facts.isEmbeddingConstructor(call) { return true }
        return guarded(cast.node, by: ["Embedding"], facts)
    }

    /// A cast of a whole model: the target is built by a module class (of the file or `torch.nn`), or it is the
    /// instance itself in a method of a module class of the file that the file builds (itself, or a subclass that
    /// inherits the method: a `PreTrainedModel`-like base whose `cast_to_compute_dtype(self)` runs `self.to(dtype)`),
    /// the method being one the file calls (`def with_bf16_activations(self): self.bfloat16(); ...`, run as
    /// `model.cuda().with_bf16_activations()`).
    func isModuleCast(_ cast: CallSite, _ facts: PythonFacts) -> Bool {
        guard let target = castTarget(cast, facts) else { return false }
        if facts.isInstance(facts.unparenthesized(target)), let owner = facts.enclosingClass(cast.node),
           let method = facts.enclosingFunction(cast.node), facts.mayRun(method),
           facts.lineage(of: owner).contains(where: { c in c.bases.contains { $0.lastDottedComponent == "Module" } }),
           facts.classes.contains(where: { built in
               // The class itself or a subclass inheriting the method (`GPT2LMHeadModel(GPT2PreTrainedModel)`), built
               // outside its own body.
               facts.lineage(of: built).contains { $0.node == owner.node }
                   && facts.calls(withCallee: built.name).contains { !facts.isInside($0.node, built.node) }
           }) {
            return true
        }
        // A class of the file or a module class of `torch.nn` (not a function of `torch.nn.functional`).
        func isModule(_ call: CallSite) -> Bool {
            if facts.classes.contains(where: { $0.name == call.callee }) { return true }
            return call.torchCallee.hasPrefix("torch.nn.") && !call.torchCallee.hasPrefix("torch.nn.functional.")
                && call.torchCallee.lastDottedComponent.first?.isUppercase == true
        }
        if let call = constructor(of: target, facts), isModule(call) { return true }
        // Followed to where it is built: a helper's parameter (`def to_bf16(module): module.bfloat16()`) holds the
        // models its callers pass (`to_bf16(model.cuda())`), a local what it was last given.
        var pending = [target]
        for _ in 0..<3 {
            var next: [Node] = []
            for origin in pending.flatMap(facts.origins) {
                var current = facts.unparenthesized(origin)
                if current.type == "call", isModule(facts.callSite(current)) { return true }
                while current.type == "call", let receiver = facts.callSite(current).receiver { current = facts.unparenthesized(receiver) }
                if let call = constructor(of: current, facts), isModule(call) { return true }
                // A factory of the file (`gpt_small()`, `build_model(cfg)`): what it returns.
                if current.type == "call", let factory = facts.calledFunction(facts.callSite(current)) {
                    next += facts.returnedValues(factory).map(facts.unparenthesized)
                    continue
                }
                if current != origin { next.append(current) }
            }
            pending = next
        }
        return false
    }

    /// Where casting linears are put back to fp32: `m.float()` (or `m.to(dtype)` with a float32 dtype, see
    /// `PythonFacts.dtypeName`) under `isinstance(m, CastingClass)` or a test of the exact class
    /// (`type(m).__name__ in keep`). `exact`: the classes a test of the exact class may name (a base class in
    /// `casting` admits the casting linears only through `isinstance`).
    func restoration(_ casting: Set<String>, exact: Set<String>, _ facts: PythonFacts) -> Node? {
        facts.calls.first { call in
            call.receiver != nil && castsToFp32(call, facts)
                && guarded(call.node, by: casting, exact: exact, facts)
        }?.node
    }

    /// Where the weight matrices are put back to fp32 after a whole-model cast: `t.float()` (or `t.to(torch.float32)`)
    /// on a loop or comprehension variable (or its `.data`) under a test that it is a matrix (`t.ndim == 2`, `t.dim()
    /// >= 2`, `len(t.shape) == 2`), where the loop walks chosen parts of the model, not the whole model's
    /// parameters (`model.parameters()` holds the embedding too, whose activations would then be fp32).
    func matrixRestoration(after cast: CallSite, _ facts: PythonFacts) -> Node? {
        facts.calls.first { call in
            guard let receiver = call.receiver, castsToFp32(call, facts),
                  let root = rootName(receiver) else { return false }
            // The loop or comprehension that binds the variable, and the test around the cast.
            guard let walk = facts.ancestors(of: call.node).first(where: { a in
                (["for_statement"].contains(a.type) && facts.loopVariables(a).contains(root))
                    || (["list_comprehension", "generator_expression"].contains(a.type)
                        && a.namedChildren.contains { $0.type == "for_in_clause" && $0.child(byField: "left").map { facts.mentions($0, root) } == true })
            }) else { return false }
            let iterables = walk.type == "for_statement" ? [walk.child(byField: "right")].compactMap { $0 }
                : walk.namedChildren.filter { $0.type == "for_in_clause" }.compactMap { $0.child(byField: "right") }
            if iterables.contains(where: { wholeModelWalk($0, facts) }) { return false }
            let conditions = facts.ancestors(of: call.node).prefix { $0 != walk }.compactMap { a -> Node? in
                a.type == "if_statement" ? a.child(byField: "condition") : nil
            } + walk.namedChildren.filter { $0.type == "if_clause" }
            return conditions.contains { testsMatrix($0, root, facts) }
        }?.node
    }

    /// The model's parameters (stacks of per-layer weights, `self.w_q = nn.Parameter(...)`) whose slices the calls of
    /// casting helpers are handed (`cast_linear(x, w_q)` in a block function given `w_q` from `zip(self.w_q, ...)`; see
    /// `ModelView.stackOwner`).
    func helperStacks(_ helpers: Set<String>, model: ModelView, _ facts: PythonFacts) -> Set<String> {
        var names = Set<String>()
        for helper in helpers {
            for call in facts.calls(named: helper) where call.receiver == nil {
                for argument in call.positional { if let owner = model.stackOwner(argument) { names.insert(owner) } }
            }
        }
        return names
    }

    /// A cast back to fp32 (`p.data = p.data.float()`, `p.data = p.data.to(torch.float32)`) in a walk of the model's
    /// named parameters, under a test of the name that, over the names the model's own parameters and modules give
    /// (`w_q`, `embed.weight`), admits a weight in `stacks` and not the embedding table.
    func namedRestoration(_ stacks: Set<String>, model: ModelView, _ facts: PythonFacts) -> Node? {
        guard !stacks.isEmpty else { return nil }
        // The names `named_parameters()` gives: `w_q` for a parameter attribute, `embed.weight` for a module's.
        var parameters: [String] = []
        var embeddings = Set<String>()
        for (name, settings) in facts.allSettings.byName where settings.contains(where: { $0.written.hasPrefix("self.") }) {
            guard let built = settings.lazy.compactMap({ facts.constructorCall($0.value) }).first else { continue }
            if built.torchCallee == "torch.nn.Parameter" { parameters.append(name) }
            if facts.isEmbeddingConstructor(built) { parameters.append(name + ".weight"); embeddings.insert(name + ".weight") }
            else if model.isLinearConstructor(built) { parameters.append(name + ".weight") }
        }
        let interpreter = ScriptInterpreter(facts)
        return facts.calls.first { call in
            guard let receiver = call.receiver, castsToFp32(call, facts),
                  let root = rootName(receiver),
                  let walk = facts.enclosingLoops(call.node).first(where: { facts.loopVariables($0).contains(root) }),
                  let iterable = walk.child(byField: "right").map(facts.unwrapped), iterable.type == "call",
                  facts.callSite(iterable).name == "named_parameters", case let variables = facts.loopVariables(walk),
                  variables.count == 2, variables[1] == root else { return false }
            let conditions = facts.ancestors(of: call.node).prefix { $0 != walk }.compactMap { a -> Node? in
                a.type == "if_statement" ? a.child(byField: "condition") : nil
            }
            guard !conditions.isEmpty else { return false }
            let admitted = parameters.filter { name in
                conditions.allSatisfy { interpreter.value(of: $0, env: [variables[0]: .string(name)])?.truthy == true }
            }
            return !admitted.isEmpty && admitted.allSatisfy({ !embeddings.contains($0) }) && admitted.contains(where: stacks.contains)
        }?.node
    }

    /// The keys of the weights the calls of casting helpers read (`wq` of `linear(x, p["wq"])`, `head` of
    /// `linear(x, params["head"])`).
    func helperWeights(_ helpers: Set<String>, _ facts: PythonFacts) -> Set<String> {
        var names = Set<String>()
        for call in facts.calls where call.receiver == nil && helpers.contains(call.callee) {
            for argument in call.positional + Array(call.keywords.values) {
                let a = facts.unparenthesized(argument)
                guard a.type == "subscript" || a.type == "attribute", let owner = facts.ownerName(of: a) else { continue }
                names.insert(owner)
            }
        }
        return names
    }

    /// Where a functional model's parameter tree keeps its projection weights fp32 while the rest is cast to bf16: in
    /// the function holding the bf16 cast (a tree map), a choice `kept if <key test> else <cast>` whose kept side is
    /// the entry as it is or put to fp32 (`v`, `v.float()`, `v.to(torch.float32)`), whose other side holds the cast or
    /// recurses into the function, and whose test names keys (`k in LINEAR_KEYS`, `k == "lm_head"`, see
    /// `PythonFacts.testedStrings`; a negated test, `k not in KEYS`, swaps the sides) among which are weights the
    /// casting helper reads and no token-embedding table, so that the activations the embedding gives are bf16. The
    /// function must run, and be handed a whole tree from outside (not one part, `to_mixed(params["blocks"])`).
    func keyedRestoration(of cast: CallSite, weights: Set<String>, model: ModelView, _ facts: PythonFacts) -> Node? {
        guard !weights.isEmpty, let function = facts.enclosingFunction(cast.node), facts.mayRun(function.node) else { return nil }
        let wholeTree = facts.calls.contains { call in
            guard facts.calledFunction(call)?.node == function.node, !facts.isInside(call.node, function.node),
                  let tree = call.positional.first.map(facts.unparenthesized) else { return false }
            return tree.type != "subscript"
        }
        guard wholeTree else { return nil }
        for choice in facts.descendants(of: function.node) where choice.type == "conditional_expression" {
            let parts = choice.namedChildren.filter { $0.type != "comment" }
            guard parts.count == 3, facts.enclosingFunction(choice)?.node == function.node else { continue }
            let condition = facts.unparenthesized(parts[1])
            let operators = condition.children.filter { !$0.isNamed }.map(\.type).joined(separator: " ")
            let negated = condition.type == "not_operator"
                || (condition.type == "comparison_operator" && (operators.contains("not") || operators.contains("!=")))
            let (kept, other) = negated ? (parts[2], parts[0]) : (parts[0], parts[2])
            let names = Set(facts.testedStrings(condition))
            guard !names.isEmpty, !names.isDisjoint(with: weights), names.isDisjoint(with: model.embeddingNames),
                  keepsFp32(kept, facts) else { continue }
            let castSide = ([other] + facts.descendants(of: other)).contains { n in
                n == cast.node || (n.type == "call" && facts.calledFunction(facts.callSite(n))?.node == function.node)
            }
            if castSide { return choice }
        }
        return nil
    }

    /// A cast to fp32: `t.float()`, `t.to(torch.float32)` (or any dtype `PythonFacts.dtypeName` reads as float32, also
    /// as `dtype=`).
    func castsToFp32(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        if call.name == "float" { return call.positional.isEmpty }
        return call.name == "to" && (call.positional.first ?? call.keywords["dtype"]).map { facts.dtypeName(of: $0) == "float32" } == true
    }

    /// An entry kept as it is or put to fp32: a name, `v.float()`, `v.to(torch.float32)` (also on `.data`).
    func keepsFp32(_ node: Node, _ facts: PythonFacts) -> Bool {
        let n = facts.unparenthesized(node)
        if n.type == "identifier" { return true }
        guard n.type == "call", case let call = facts.callSite(n), let receiver = call.receiver, rootName(receiver) != nil else { return false }
        return castsToFp32(call, facts)
    }

    /// The variable an expression starts from (`leaf` in `leaf.data`).
    func rootName(_ node: Node) -> String? {
        var current = node
        while current.type == "attribute", let object = current.child(byField: "object") { current = object }
        return current.type == "identifier" ? current.text : nil
    }

    /// A walk over every parameter or module of a whole model (`model.parameters()`, `self.named_parameters()`,
    /// `model.modules()`), as opposed to a walk over chosen parts (`model.blocks.parameters()`, a tree of parts).
    func wholeModelWalk(_ iterable: Node, _ facts: PythonFacts) -> Bool {
        ([iterable] + facts.descendants(of: iterable)).contains { n in
            guard n.type == "call" else { return false }
            let call = facts.callSite(n)
            guard ["parameters", "named_parameters", "modules", "named_modules", "state_dict"].contains(call.name),
                  let receiver = call.receiver.map(facts.unparenthesized) else { return false }
            return receiver.type == "identifier"
        }
    }

    /// `t.ndim == 2`, `t.dim() >= 2`, `len(t.shape) == 2`, `t.ndim > 1` in a condition, not negated.
    func testsMatrix(_ condition: Node, _ name: String, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: condition).contains { n in
            guard n.type == "comparison_operator", n.parent?.type != "not_operator" else { return false }
            let parts = n.namedChildren
            guard parts.count == 2, let op = n.children.first(where: { !$0.isNamed })?.type,
                  let bound = facts.value(of: parts[1])?.double else { return false }
            let side = facts.unparenthesized(parts[0])
            var rank = false
            if side.type == "attribute", side.child(byField: "attribute")?.text == "ndim", side.child(byField: "object")?.text == name { rank = true }
            if side.type == "call" {
                let call = facts.callSite(side)
                if call.name == "dim", call.receiver?.text == name { rank = true }
                if call.callee == "len", call.positional.first?.text == "\(name).shape" { rank = true }
            }
            guard rank else { return false }
            switch op {
            case "==", ">=": return bound == 2
            case ">": return bound == 1
            default: return false
            }
        }
    }

    /// Whether a node sits under `if isinstance(_, C)` with C (last name part) in `classes`: an `if` statement, the
    /// filter of a comprehension (`[m.float() for m in model.modules() if isinstance(m, C)]`), or a conditional
    /// expression whose true side it is (`m.float() if isinstance(m, C) else None`), or after a guard leaving for the
    /// other objects (`if not isinstance(m, C): continue`, see `PythonFacts.conditionsHeld`), or a `case C():` clause, or the
    /// body of a loop over what `filter` keeps (`for m in filter(lambda m: isinstance(m, C), model.modules()):`, the
    /// predicate a lambda or a function of the file). The test may also name the exact class (`type(m) is C`,
    /// `type(m).__name__ in keep` with `keep` the names a plan lists, see `PythonFacts.classesTested`), then C must be
    /// in `exact` (all of `classes` when nil).
    func guarded(_ node: Node, by classes: Set<String>, exact: Set<String>? = nil, _ facts: PythonFacts) -> Bool {
        // `isinstance(m, C)` (not negated), `type(m) is C`, `type(m).__name__ in keep`.
        func admits(_ condition: Node) -> Bool {
            facts.classesTested(by: condition).contains { test in
                test.admitsSubclasses ? classes.contains(test.name) : (exact ?? classes).contains(test.name)
            }
        }
        // After a guard that leaves for the other objects (`if not isinstance(m, C): continue`, then `m.float()`).
        if facts.conditionsHeld(at: node).contains(where: admits) { return true }
        var child = node
        return facts.ancestors(of: node).contains { a in
            defer { child = a }
            var conditions: [Node] = []
            switch a.type {
            case "if_statement":
                if let condition = a.child(byField: "condition"), a.child(byField: "consequence") == child { conditions = [condition] }
            case "list_comprehension", "generator_expression", "set_comprehension":
                if a.child(byField: "body") == child { conditions = a.namedChildren.filter { $0.type == "if_clause" } }
            case "conditional_expression":
                let parts = a.namedChildren
                if parts.count == 3, parts[0] == child { conditions = [parts[1]] }
            case "for_statement":
                if a.child(byField: "body") == child, var iterable = a.child(byField: "right").map(facts.unparenthesized) {
                    // Also held by a local (`masters = filter(...)`, then `for m in masters:`).
                    if iterable.type == "identifier", let value = facts.latestValue(of: iterable.text, before: a) { iterable = facts.unparenthesized(value) }
                    if iterable.type == "call" { conditions = filterPredicates(facts.callSite(iterable), facts) }
                }
            case "case_clause":
                // `match m: case CastedLinear(): m.float()`: a class pattern is an isinstance test.
                if a.child(byField: "consequence") == child,
                   MatchStatement.classesTested(by: a).contains(where: { classes.contains($0.lastDottedComponent) }) { return true }
            default:
                break
            }
            return conditions.contains(where: admits)
        }
    }

    /// What the predicate of `filter(predicate, items)` tests: a lambda's body, or what a function of the file returns.
    func filterPredicates(_ call: CallSite, _ facts: PythonFacts) -> [Node] {
        guard call.callee == "filter", call.positional.count == 2 else { return [] }
        let predicate = facts.unparenthesized(call.positional[0])
        if predicate.type == "lambda" { return predicate.child(byField: "body").map { [$0] } ?? [] }
        guard predicate.type == "identifier", let function = facts.moduleFunctions[predicate.text] else { return [] }
        return facts.returnedValues(function)
    }

    /// A `with` item (or decorator) that is, or names, an autocast context.
    func usesAutocast(_ facts: PythonFacts) -> Bool {
        func isAutocast(_ node: Node, depth: Int) -> Bool {
            let node = facts.unparenthesized(node)
            if node.type == "call", facts.callSite(node).name == "autocast" { return true }
            if node.type == "as_pattern", let inner = node.namedChild(0) { return isAutocast(inner, depth: depth) }
            guard depth < 3, node.type == "identifier" || node.type == "attribute", let name = SettingsTable.bareName(of: node) else { return false }
            // Only the settings that can reach this read: not a module write a later module write replaces before it
            // (`ctx = autocast(...)` then `ctx = nullcontext()`), nor one in a branch that is off.
            let settings = facts.allSettings.settings(name)
            let rewritten = facts.rewrittenModuleWrites(settings, before: node)
            return settings.enumerated().contains { index, setting in
                !rewritten.contains(index) && !facts.isInDeadBranch(setting.site) && isAutocast(setting.value, depth: depth + 1)
            }
        }
        return facts.nodes.contains { n in
            if n.type == "with_item", let value = n.namedChild(0) { return isAutocast(value, depth: 0) }
            if n.type == "decorator", let value = n.namedChild(0) { return value.type == "call" && isAutocast(value, depth: 0) }
            return false
        }
    }
}
