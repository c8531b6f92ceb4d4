import Parsing
import TreeSitterKit

/// `zero_init_projections`: the output projections of the attention and of the MLP start at zero.
///
/// Finds the output projections by what they do in the forward code: a projection (linear layer, also an entry of an
/// `nn.ModuleDict` such as `self.proj["out"]`, `F.linear`, a product with a model weight, a layer's slice of a stacked
/// weight handed to a block function or put in a per-layer record, see `ModelView.stackOwner`) applied to the attention's
/// result is the attention output projection; one applied to an activation (`relu`, `gelu`, a square, ..., also one
/// a factory returns from a table with a library fallback, a CUDA kernel of a compiled extension rectifying or squashing
/// what it stores) of another projection is the MLP output projection. Requires
/// both to have their weight zeroed at init: `w.zero_()`, `w.data.zero_()`, `self.w_out.zero_()` on a parameter, `w.detach().zero_()`,
/// `nn.init.zeros_(w)`, `nn.init.constant_(w, 0)`, `w.fill_(0)`, `w.mul_(0)`, `nn.Parameter(torch.zeros(...))`, a
/// parametrization registered on the layer whose `right_inverse` returns zeros;
/// in `__init__`, a functional model's weight created with `torch.zeros(rows, cols)` (also through a helper of the file
/// that hands back zeros for the call's mode, `{"wo": zeros(d, d)}`, `lin(d, d, zero=True)`, see
/// `PythonFacts.zeroCreation`), in a linear class built with a zero-init flag
/// or with a zeroing init function (`init_method=zeros_init_`, Megatron style), through a helper that hands the layer back
/// after zeroing it, also by the entry of its table of init functions the call's mode selects
/// (`init_linear(nn.Linear(d, d), scheme="zeros")` with `{"zeros": lambda w: nn.init.zeros_(w), ...}[scheme](layer.weight)`),
/// in an init hook applied with `model.apply` and
/// selecting the module by a flag attribute or by type, in a loop over a module dictionary's entries selected by their
/// keys (`for key, lin in blk.lin.items(): if key.endswith("_out"): ...`, see `PythonFacts.moduleDictLoopKeys`), or in a
/// loop over `named_parameters()` (or `named_modules()`)
/// selecting the weights by name (also by a list of names or glob patterns the condition walks) (`nn.MultiheadAttention`'s `out_proj` counts for attention), in the `__init__` a class
/// decorator of the file binds on the classes it decorates (`@zero_init("c_proj")` zeroing `getattr(self, name).weight`
/// for each name it is given: the named layer of each class whose decorator passes it), also through a regular
/// expression naming one weight or the rows of a rule table (`for rx, fn in rules: if rx.search(name): fn(p)` with rows
/// `(r"\.attn\.proj\.out\.weight$", "zeros")` mapped to `nn.init.zeros_`). Rejects GPT-2 scaled normal init,
/// zeroed biases, only one of the two projections zeroed, zeroed input projections, a helper called with a non-zeroing
/// mode (its "zeros" entry unused), and zeroing that an init hook
/// applied afterwards to every linear layer draws again (`self.apply(self._init_weights)`). Examples:
/// `queries/python/zero_init_projections/examples/`.
struct ZeroInitProjections: Detector {
    let id = "zero_init_projections"
    static let activations: Set<String> = [
        "relu", "gelu", "silu", "square", "tanh", "relu6", "leaky_relu", "elu", "mish", "softplus", "sigmoid", "glu", "relu_",
    ]

    /// Piecewise functions that act as an activation when a projection's output runs through them.
    static let piecewise: Set<String> = ["where", "clamp", "clamp_min", "maximum", "pow"]

    /// A module attribute by class (nil class: any class).
    struct Owner: Hashable {
        let className: String?
        let name: String
    }

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let flow = facts.dataflow
        let (attention, mlp) = outputProjections(facts, model: model, flow: flow)
        guard !mlp.isEmpty || !facts.calls(named: "Sequential").isEmpty else { return [] }
        let zeroed = zeroedOwners(facts, model: model)
        let sequential = zeroedSequentialOutput(facts, model: model, zeroingClasses: zeroed.zeroingClasses)
        func isZeroed(_ site: (Owner, Node)) -> Bool {
            // A projection in a free function (a layer's slice of a stacked weight handed to `attention(x, w_qkv,
            // w_out)`) belongs to no class: a weight of that name zeroed in any class is it.
            zeroed.owners.contains(site.0) || zeroed.owners.contains(Owner(className: nil, name: site.0.name))
                || (site.0.className == nil && zeroed.owners.contains { $0.name == site.0.name })
        }
        // An attention branch written as a `Sequential` whose stage after the attention is the projection, when the
        // forward code shows none (`("attn", HeadMixer(...)), ("out", zeroed(...))`).
        let attentionZeroed = attention.first(where: isZeroed).map(\.1) ?? zeroed.libraryAttention
            ?? (attention.isEmpty ? zeroedSequentialAttentionOutput(facts, model: model, zeroingClasses: zeroed.zeroingClasses) : nil)
        // A zeroed `Sequential` stands for the MLP only when the forward code shows no other MLP output projection.
        guard let a = attentionZeroed, let m = mlp.first(where: isZeroed)?.1 ?? (mlp.isEmpty ? sequential : nil) else { return [] }
        return [facts.evidence(a, "attention output projection zero-initialized"), facts.evidence(m, "MLP output projection zero-initialized")]
    }

    // MARK: Output projections

    func outputProjections(_ facts: PythonFacts, model: ModelView, flow: Dataflow) -> (attention: [(Owner, Node)], mlp: [(Owner, Node)]) {
        let attentionNodes = facts.attentionResults
        var attention: [(Owner, Node)] = [], mlp: [(Owner, Node)] = []
        for node in facts.nodes(ofType: ["call", "binary_operator"]) {
            guard let owner = model.projectionOwner(node), let input = projectionInput(node, facts) else { continue }
            let lineage = facts.lineage(of: input, model: model, flow: flow)
            // A weight the class does not hold itself (a slice of a stack the model keeps, handed in through a record
            // or an argument, see `ModelView.stackOwner`) belongs to whichever class sets it.
            let enclosing = facts.enclosingClass(node)
            let weight = node.type == "call" ? facts.callSite(node).argument("weight", position: 1) : nil
            let handedIn = weight.flatMap { model.stackOwner($0) } == owner && enclosing.map { facts.selfAssignedValues(owner, in: $0).isEmpty } != false
            let key = Owner(className: handedIn ? nil : enclosing?.name, name: owner)
            if lineage.steps.contains(where: { attentionNodes.contains($0) }) {
                attention.append((key, node))
            } else if !lineage.projections.isEmpty, lineage.steps.contains(where: { isActivation($0, facts) }) {
                mlp.append((key, node))
            }
        }
        return (attention, mlp)
    }

    /// The input a projection multiplies: a module call's first argument, `F.linear`'s input, a product's left side
    /// (also an einsum's, whose first argument is its spec), what a projecting helper of the file is handed as its input
    /// (`linear(h, self.c_proj.weight)`, see `PythonFacts.projectionHelperArguments`).
    func projectionInput(_ node: Node, _ facts: PythonFacts) -> Node? {
        if let einsum = facts.einsumProduct(node) { return einsum.left }
        if node.type == "call", let (input, _) = facts.projectionHelperArguments(facts.callSite(node)) { return input }
        if node.type == "call" { return facts.callSite(node).argument("input", position: 0) }
        return facts.matmulOperands(node)?.0
    }

    /// A nonlinearity between two projections: a named activation, a power, a tensor times itself (`h * h`), a
    /// clamp at zero, a piecewise `torch.where(h > 0, ...)`, or a helper function of the file applying one (also a
    /// method of an enumeration called on a member, `self.flavor.apply(h)`).
    func isActivation(_ step: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        if step.type == "binary_operator", let op = step.child(byField: "operator")?.type {
            // A square whose value only feeds a reduction (`x.pow(2).mean(-1)` of an RMS norm) is no activation.
            if depth > 0, feedsReduction(step, facts) { return false }
            if op == "**" { return true }
            if op == "*", let left = step.child(byField: "left"), let right = step.child(byField: "right"),
               facts.compact(left) == facts.compact(right) { return true }
            return false
        }
        guard step.type == "call" else { return false }
        let call = facts.callSite(step)
        if Self.activations.contains(call.name) || Self.piecewise.contains(call.name) {
            return depth == 0 || !["pow", "square"].contains(call.name) || !feedsReduction(step, facts)
        }
        // A helper of the file that applies one (`def sq_relu(t): return t.clamp(min=0).pow(2)`), or an autograd
        // function whose `forward` does (`relu_sq = ReluSquare.apply`), possibly in a kernel it launches; also a static
        // method called on its class or on a module name holding classes (`ops.gelu_squared(h)`, `OPS.sqrelu(h)`), every
        // one it may run applying one.
        if depth == 0 {
            let helpers = call.receiver == nil ? facts.function(named: call.callee).filter { facts.enclosingClass($0.node) == nil } : []
            if (helpers + facts.autogradForwards(call)).contains(where: { appliesActivation($0, facts) }) { return true }
            if call.receiver != nil {
                let targets = facts.targets(of: call).filter { facts.enclosingClass($0.node) != nil && $0.isClassLevel }
                if !targets.isEmpty, targets.allSatisfy({ appliesActivation($0, facts) }) { return true }
            }
        }
        // A method of an enumeration of the file called on a member (`self.flavor.apply(h)`, `self.flavor` holding
        // `MlpFlavor.SQUARED_RECT`, also through a literal key of a mapping, `ARCH["mlp"]`) that applies one.
        if depth == 0, let receiver = call.receiver {
            let held = facts.origins(of: receiver).map { facts.resolver.literalSubscriptEntry($0) ?? $0 }
            let methods = held.compactMap { facts.enumerationMember($0)?.owner }.compactMap { facts.method(call.name, of: $0) }
            if !methods.isEmpty, methods.count == held.count, methods.allSatisfy({ appliesActivation($0, facts) }) { return true }
        }
        if let module = facts.moduleConstructor(call.callee), module.callee.hasPrefix("torch.nn."),
           Self.activations.contains(module.name.lowercased()) || ["GELU", "ReLU", "SiLU", "Tanh"].contains(module.name) { return true }
        // A module attribute holding an activation module: built from a class of the file whose forward applies one,
        // or taken from a table whose every entry is one (`self.act_fn = ACT2FN[config.hidden_act]`).
        if depth == 0, call.receiver == nil || call.callee.hasPrefix("self.") {
            for setting in facts.allSettings.settings(call.callee.lastDottedComponent) where setting.source != .parameterDefault {
                if isActivationModuleValue(facts.unparenthesized(setting.value), facts) { return true }
            }
        }
        return false
    }

    /// Whether a square's value is only reduced (`x.pow(2).mean(-1, keepdim=True)`, `(x * x).sum(-1)`, `torch.mean(x
    /// ** 2, ...)`): the second moment an RMS norm takes, not an activation.
    func feedsReduction(_ step: Node, _ facts: PythonFacts) -> Bool {
        var node = step
        while let parent = node.parent, parent.type == "parenthesized_expression" { node = parent }
        guard let parent = node.parent else { return false }
        let reductions: Set<String> = ["mean", "sum", "norm", "amax", "var"]
        if parent.type == "attribute", parent.child(byField: "object") == node, let call = parent.parent, call.type == "call",
           call.child(byField: "function") == parent {
            return reductions.contains(parent.child(byField: "attribute")?.text ?? "")
        }
        if parent.type == "argument_list", let call = parent.parent, call.type == "call" {
            return reductions.contains(facts.callSite(call).name)
        }
        return false
    }

    /// A function of the file whose code applies an activation, or launches a kernel (`relu_kernel[grid](...)`) that
    /// does (`tl.maximum(x, 0)`, `tl.where(x > 0, x, 0)`).
    func appliesActivation(_ function: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        // The function, what it calls (an autograd function's `forward` through `apply`), and kernels they launch.
        let reached = facts.reachableFunctions(from: function).map(\.node)
        // Also a compiled CUDA extension's kernel called there (`_ext.relu_sq_forward(x)`, see `cudaAppliesActivation`).
        if !facts.extensionModuleNames.isEmpty {
            let called = reached.flatMap { facts.descendants(of: $0).filter { $0.type == "call" } }
            if called.contains(where: { facts.extensionLaunches(facts.callSite($0)).contains(where: facts.cudaAppliesActivation) }) { return true }
        }
        let bodies = reached + reached.flatMap { facts.kernelLaunches(in: $0).map(\.kernel.node) }
        return bodies.contains { body in facts.descendants(of: body).contains { $0 != body && isActivation($0, facts, depth: 1) } }
    }

    /// A module-valued expression that applies an activation: an activation module's construction, a function of the
    /// file applying one, an entry of a dictionary literal all of whose values are such (`nn.GELU()`, `F.gelu`, a
    /// lambda squaring `F.relu`), or what a factory of the file returns when every value it returns is such or a table
    /// read with a library fallback (`def activation(name): return ACTS[name] if name in ACTS else getattr(F, name)`,
    /// see `isRegistryFallback`).
    func isActivationModuleValue(_ value: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        if value.type == "call", depth < 2, let factory = facts.calledFunction(facts.callSite(value)),
           !facts.forwardMethodNames.contains(factory.name) {
            let returned = facts.returnedValues(factory).map(facts.unparenthesized)
            if !returned.isEmpty, returned.allSatisfy({ isRegistryFallback($0, facts) || isActivationModuleValue($0, facts, depth: depth + 1) }) {
                return true
            }
        }
        // A `transformers` activation by name (`ACT2FN[config.hidden_act]`, `get_activation("gelu")`).
        if facts.libraryActivationName(value) != nil { return true }
        if value.type == "call" { return isActivationModule(value, facts) }
        // `self.act = lambda h: torch.square(torch.relu(h))`, `self.act = F.gelu`, or a choice between such values
        // (the branch a decided switch picks, else every branch).
        if value.type == "lambda", let body = value.child(byField: "body") {
            return ([body] + facts.descendants(of: body)).contains { isActivation($0, facts, depth: 1) }
        }
        if value.type == "attribute", Self.activations.contains(value.text.lastDottedComponent),
           ["F", "torch", "torch.nn.functional", "nn.functional"].contains(value.child(byField: "object")?.text ?? "") { return true }
        if value.type == "conditional_expression" {
            let parts = value.namedChildren.filter { $0.type != "comment" }
            guard parts.count == 3 else { return false }
            if let holds = facts.truth(of: parts[1]) { return isActivationModuleValue(facts.unparenthesized(holds ? parts[0] : parts[2]), facts, depth: depth) }
            return [parts[0], parts[2]].allSatisfy { isActivationModuleValue(facts.unparenthesized($0), facts, depth: depth) }
        }
        if value.type == "identifier", let function = facts.moduleFunctions[value.text], appliesActivation(function, facts) { return true }
        if value.type == "identifier", depth == 0 {
            // `self.act = activation`, with `activation` chosen among activation modules by the branches above.
            let settings = facts.allSettings.settings(value.text).filter { $0.source != .parameterDefault }
            return !settings.isEmpty && settings.allSatisfy { isActivationModuleValue(facts.unparenthesized($0.value), facts, depth: 1) }
        }
        guard value.type == "subscript", depth < 2, let table = value.child(byField: "value"), table.type == "identifier" else { return false }
        for setting in facts.allSettings.settings(table.text) {
            let dictionary = facts.unparenthesized(setting.value)
            guard dictionary.type == "dictionary" else { continue }
            let entries = dictionary.namedChildren.filter { $0.type == "pair" }.compactMap { $0.child(byField: "value").map(facts.unparenthesized) }
            if !entries.isEmpty, entries.allSatisfy({ isActivationModuleValue($0, facts, depth: depth + 1) }) { return true }
        }
        return false
    }

    /// A table read with a library fallback, `ACTS[k] if k in ACTS else getattr(F, k)` (either way round), whose
    /// table read applies an activation (every entry does, see `isActivationModuleValue`) and whose fallback takes a
    /// function of `torch.nn.functional` or `torch` by the same key.
    func isRegistryFallback(_ value: Node, _ facts: PythonFacts) -> Bool {
        guard let parts = facts.conditionalParts(value) else { return false }
        let sides = [parts.value, parts.alternative].map(facts.unparenthesized)
        guard let fallback = sides.first(where: { $0.type == "call" && facts.callSite($0).callee == "getattr" }),
              let read = sides.first(where: { $0.type == "subscript" }) else { return false }
        let lookup = facts.callSite(fallback)
        guard lookup.positional.count == 2, let module = facts.imports.qualifiedName(of: lookup.positional[0]),
              ["torch.nn.functional", "torch"].contains(module),
              read.child(byField: "subscript").map(facts.unparenthesized)?.text == facts.unparenthesized(lookup.positional[1]).text else { return false }
        return isActivationModuleValue(read, facts, depth: 1)
    }

    // MARK: Zeroed weights

    /// A linear class of the file that zeroes its own weight when built, with the parameter guarding it (nil: always).
    typealias ZeroingClass = (owner: PythonFacts.Class, flag: String?)

    func zeroedOwners(_ facts: PythonFacts, model: ModelView) -> (owners: Set<Owner>, libraryAttention: Node?, zeroingClasses: [ZeroingClass]) {
        var owners = Set<Owner>()
        var libraryAttention: Node?
        var zeroingClasses: [ZeroingClass] = []
        var hookFlags: [String] = []
        var hookAllLinear = false
        /// Weights a loop over `named_parameters()` zeroes by name (`blocks.0.attn.c_proj.weight`): the module each
        /// ends in, or the library attention whose `out_proj` it is.
        func insertSelected(_ names: [String], zeroedAt site: Node) {
            for name in names {
                let parts = name.split(separator: ".").map(String.init)
                guard parts.last == "weight", parts.count >= 2 else { continue }
                let module = parts[parts.count - 2]
                if module == "out_proj", parts.count >= 3, libraryAttentionNamed(parts[parts.count - 3], facts) {
                    libraryAttention = site
                } else {
                    owners.insert(Owner(className: nil, name: module))
                }
            }
        }
        // A rule table's zeroing action (`fn(p)` for the rows whose action is `nn.init.zeros_`).
        for zeroing in facts.ruleTableZeroings where !facts.isRedrawnByInitHook(zeroing.call.node) {
            insertSelected(zeroing.names, zeroedAt: zeroing.call.node)
        }
        for call in facts.calls {
            guard let tensor = facts.zeroedTensor(call), !facts.isRedrawnByInitHook(call.node) else { continue }
            let (moduleNode, isWeight) = facts.weightOwner(tensor)
            let owningClass = facts.enclosingClass(call.node)
            /// An attribute of `self` zeroed in a method: the class's, and that of every class inheriting the method
            /// from it (a mixin's) and running it when built. In the code of a class decorator (the `__init__` it binds
            /// on the class), the decorated classes' (`@zero_init("c_proj")`): those whose decorator call passes the
            /// name when the name is one a call passes, else every one.
            func insertOwn(_ name: String) {
                if owningClass == nil, case let decorated = facts.classDecorations(around: call.node), !decorated.isEmpty {
                    let passing = decorated.filter { d in d.arguments.contains { SettingsTable.stringValue(facts.unwrapped($0)) == name } }
                    for d in passing.isEmpty ? decorated : passing { owners.insert(Owner(className: d.owner.name, name: name)) }
                    return
                }
                owners.insert(Owner(className: owningClass?.name, name: name))
                guard let function = facts.enclosingFunction(call.node) else { return }
                for c in facts.inheritingClassesRunning(function) { owners.insert(Owner(className: c.name, name: name)) }
            }
            if let moduleNode {
                if moduleNode.type == "identifier", moduleNode.text != "self", let function = facts.enclosingFunction(call.node),
                   function.parameters.contains(moduleNode.text) {
                    // An init hook: `def _init_weights(m): if <flag or type>: zeros_(m.weight)`.
                    let conditions = guards(of: call.node, facts)
                    let flags = conditions.flatMap { flagNames($0, module: moduleNode.text, facts) }
                    let named = hookSelectedNames(call.node, function, module: moduleNode.text, facts)
                    if !named.isEmpty {
                        // `def init(module, name): if name.endswith(".proj"): zeros_(module.weight)`, applied by a walk
                        // that hands each module its dotted name (timm's `named_apply`): the modules of those names.
                        for name in named { owners.insert(Owner(className: nil, name: name)) }
                    } else if !flags.isEmpty { hookFlags += flags } else if !conditions.isEmpty { hookAllLinear = true }
                    // A helper zeroing the module it is given (`zero_init_(self.proj)`, or
                    // `self.proj = zero_init_(nn.Linear(...))` when it returns it): the modules its callers pass.
                    if conditions.isEmpty { owners.formUnion(helperTargets(moduleNode, function, facts)) }
                } else if moduleNode.text == "self", let owningClass {
                    zeroingClasses.append((owningClass, guardingParameter(call.node, facts)))
                } else if moduleNode.type == "identifier", case let names = selectedModuleNames(call.node, module: moduleNode.text, facts), !names.isEmpty {
                    // for name, m in model.named_modules(): if name.endswith("c_proj"): zeros_(m.weight)
                    for name in names { owners.insert(Owner(className: nil, name: name)) }
                } else if let keys = facts.moduleDictLoopKeys(moduleNode, at: call.node) {
                    // for key, lin in blk.lin.items(): if key.endswith("_out"): lin.weight.mul_(0): the entries selected,
                    // owned by their keys (as `self.lin["attn_out"](y)` is, see `ModelView.projectionOwner`).
                    for key in keys { owners.insert(Owner(className: nil, name: key)) }
                } else if moduleNode.type == "identifier", let items = facts.iteratedItems(moduleNode, flow: facts.dataflow) {
                    // for lin in (self.proj, self.out): nn.init.zeros_(lin.weight)
                    for item in items {
                        guard let name = facts.ownerName(of: item) else { continue }
                        let own = item.type == "attribute" && item.child(byField: "object")?.text == "self"
                        owners.insert(Owner(className: own ? owningClass?.name : nil, name: name))
                    }
                } else if moduleNode.type != "attribute", let read = facts.attributeRead(moduleNode) {
                    // A module named through a local or `getattr` (`proj = getattr(self, self.output_attr)`).
                    for name in read.names {
                        if read.object.text == "self" { insertOwn(name) } else { owners.insert(Owner(className: nil, name: name)) }
                    }
                } else if let name = facts.ownerName(of: moduleNode) {
                    // `self.c_proj` belongs to the enclosing class (and to the classes inheriting the zeroing method);
                    // `module.c_proj` under `isinstance(module, (Attn, MLP))` (an init hook) to the classes tested;
                    // `layer.attn.proj` (zeroed from the model, after its hook) to whichever class holds a `proj`.
                    let own = moduleNode.type == "attribute" && moduleNode.child(byField: "object")?.text == "self"
                    let tested: Set<String> = own ? [] : testedClasses(call.node, instance: moduleNode.child(byField: "object"), facts)
                    if own {
                        insertOwn(name)
                    } else if tested.isEmpty {
                        owners.insert(Owner(className: nil, name: name))
                    } else {
                        for className in tested { owners.insert(Owner(className: className, name: name)) }
                    }
                }
            } else if case let parameter = facts.unparenthesized(tensor), parameter.type == "attribute",
                      parameter.child(byField: "object")?.text == "self", let name = parameter.child(byField: "attribute")?.text,
                      facts.isParameterAttribute(name) {
                // A parameter of the module zeroed itself (`self.w_out.zero_()`, a stack of every layer's output
                // projection).
                insertOwn(name)
            } else if isWeight, tensor.type == "identifier" {
                // A loop over named_parameters() selecting weights by name.
                insertSelected(selectedNames(call.node, facts), zeroedAt: call.node)
            }
        }
        // nn.Parameter(torch.zeros(...)) assigned to a module attribute.
        for node in facts.nodes(ofType: "assignment") {
            guard let left = node.child(byField: "left"), left.type == "attribute", let right = node.child(byField: "right"),
                  let name = left.child(byField: "attribute")?.text else { continue }
            // The zeros made in a branch under the constructor's flag and wrapped afterwards (`if zero: w =
            // torch.zeros(o, i)` / `else: w = ...`, then `self.weight = nn.Parameter(w)`): a class zeroing its weight
            // given that flag.
            if name == "weight", left.child(byField: "object")?.text == "self", let c = facts.enclosingClass(node),
               let wrap = facts.constructorCall(facts.unparenthesized(right)), wrap.callee == "torch.nn.Parameter",
               let held = wrap.positional.first.map(facts.unparenthesized), held.type == "identifier" {
                for value in facts.dataflow.reachingValues(of: held.text, before: held) {
                    let made = facts.unparenthesized(value)
                    guard made.type == "call", facts.isZeroTensor(made), let flag = guardingParameter(made, facts) else { continue }
                    zeroingClasses.append((c, flag))
                }
            }
            guard isZeroParameter(right, facts) else { continue }
            if name == "weight", left.child(byField: "object")?.text == "self", let c = facts.enclosingClass(node) {
                zeroingClasses.append((c, guardingParameter(node, facts)))
            } else {
                owners.insert(Owner(className: facts.enclosingClass(node)?.name, name: name))
            }
        }
        // A functional model's weights created as zeros: `{"wo": torch.zeros(d, d)}`, `W_out = torch.zeros(h, d)`
        // (an entry set by key inside an init function counts: `p[f"{l}.attn_out"] = torch.zeros(d, d)`).
        for (name, settings) in facts.allSettings.byName where settings.contains(where: { s in
            (s.source == .dictionaryEntry || s.source == .moduleAssignment || (s.source == .localAssignment && s.written.hasSuffix("]")))
                && isZeroMatrix(s.value, facts)
        }) {
            owners.insert(Owner(className: nil, name: name))
        }
        // Linear classes built with a zeroing init function (`RowParallelLinear(h, h, init_method=zeros_init_)`).
        for (name, settings) in facts.allSettings.byName {
            for setting in settings {
                guard let construction = facts.constructorCall(facts.unparenthesized(setting.value)),
                      facts.classes.contains(where: { $0.name == construction.callee }), facts.zeroesWeightWhenBuilt(construction) else { continue }
                owners.insert(Owner(className: facts.enclosingClass(setting.site)?.name, name: name))
            }
        }
        // Layers built through a helper with modes that zeroes through the init function this call's mode selects
        // (`self.c_proj = init_linear(nn.Linear(d, d), scheme=config.out_proj_init)`, the mode "zeros" selecting
        // `nn.init.zeros_` from the helper's table; see `PythonFacts.wrapperZeroesWeight`).
        for (name, settings) in facts.allSettings.byName {
            for setting in settings where facts.wrapperZeroesWeight(setting.value) && !facts.isRedrawnByInitHook(setting.site) {
                owners.insert(Owner(className: facts.enclosingClass(setting.site)?.name, name: name))
            }
        }
        // Instances of linear classes that zero their own weight (when built with the flag, if one guards it).
        if !zeroingClasses.isEmpty {
            for (name, settings) in facts.allSettings.byName {
                for setting in settings {
                    guard let construction = facts.constructorCall(facts.unparenthesized(setting.value)),
                          builtZeroed(construction, zeroingClasses, facts) else { continue }
                    owners.insert(Owner(className: facts.enclosingClass(setting.site)?.name, name: name))
                }
            }
        }
        // Modules flagged for a hook (`self.wo.is_residual_out = True`), or every linear layer.
        if !hookFlags.isEmpty || hookAllLinear {
            for flagged in facts.modulesFlagged(Set(hookFlags)) {
                owners.insert(Owner(className: facts.enclosingClass(flagged.site)?.name, name: flagged.name))
            }
            if hookAllLinear {
                for (name, settings) in facts.allSettings.byName where settings.contains(where: { s in
                    facts.constructorCall(facts.unparenthesized(s.value)).map(model.isLinearConstructor) == true
                }) {
                    owners.insert(Owner(className: nil, name: name))
                }
            }
        }
        return (owners, libraryAttention, zeroingClasses)
    }

    /// Whether a construction builds an instance of a class that zeroes its own weight (given its flag, if one
    /// guards the zeroing).
    func builtZeroed(_ construction: CallSite, _ zeroingClasses: [ZeroingClass], _ facts: PythonFacts) -> Bool {
        zeroingClasses.contains { zeroingClass, flag in
            guard construction.callee == zeroingClass.name else { return false }
            guard let flag else { return true }
            let initializer = facts.initializer(of: zeroingClass)
            let position = initializer.flatMap { $0.parameters.firstIndex(of: flag) }.map { $0 - 1 }
            guard let argument = construction.argument(flag, position: position) else { return false }
            return facts.isTruthy(argument)
        }
    }

    /// The modules a zeroing helper is applied to, read at its calls: an attribute passed to it, or the attribute
    /// its result is assigned to when it returns the module it was given.
    func helperTargets(_ parameter: Node, _ helper: PythonFacts.Function, _ facts: PythonFacts) -> Set<Owner> {
        let returnsModule = facts.passThroughFunctions.contains(helper.name) && helper.parameters.first == parameter.text
        var result = Set<Owner>()
        for (call, argument) in facts.callerBindings(of: parameter) {
            let className = facts.enclosingClass(call.node)?.name
            if argument.type == "attribute", let name = facts.ownerName(of: argument) {
                let own = argument.child(byField: "object")?.text == "self"
                result.insert(Owner(className: own ? className : nil, name: name))
            } else if returnsModule, let target = facts.assignmentTarget(receiving: call.node),
                      target.type == "attribute", let name = target.child(byField: "attribute")?.text {
                let own = target.child(byField: "object")?.text == "self"
                result.insert(Owner(className: own ? className : nil, name: name))
            }
        }
        return result
    }

    /// An MLP written as `nn.Sequential(linear, activation, linear)` (or over an `OrderedDict` of named stages) whose
    /// last linear layer is zeroed: built through a helper that zeroes the weight of the layer it is given and hands
    /// it back (`zeroed(nn.Linear(h, d))`), or zeroed afterwards through the name the `Sequential` is bound to. The
    /// zeroed layer.
    func zeroedSequentialOutput(_ facts: PythonFacts, model: ModelView, zeroingClasses: [ZeroingClass]) -> Node? {
        for call in facts.calls(named: "Sequential") {
            let layers = sequentialLayers(call, facts)
            guard layers.count >= 3,
                  let outputIndex = layers.lastIndex(where: { builtLayer($0.node, in: call, facts).map(model.isLinearConstructor) == true }),
                  layers[..<outputIndex].contains(where: { isActivationLayer($0.node, facts) }) else { continue }
            if stageZeroed(outputIndex, of: layers, in: call, zeroingClasses: zeroingClasses, facts) { return layers[outputIndex].node }
        }
        return nil
    }

    /// What builds a layer of a `Sequential`: its construction, also through a local named before the `Sequential`
    /// (`out = nn.Linear(...)`) or a helper handing back what it is given.
    func builtLayer(_ layer: Node, in call: CallSite, _ facts: PythonFacts) -> CallSite? {
        var value = layer
        if value.type == "identifier", let bound = facts.latestValue(of: value.text, before: call.node) { value = facts.unparenthesized(bound) }
        return facts.constructorCall(facts.passedThrough(value).map(facts.unparenthesized) ?? value)
    }

    /// Whether the stage at `index` of a `Sequential` starts at zero: through a zeroing wrapper or factory, as a
    /// construction of a zeroing class, through a local the same function zeroes, or afterwards by its place.
    func stageZeroed(_ index: Int, of layers: [(key: String?, node: Node)], in call: CallSite, zeroingClasses: [ZeroingClass],
                     _ facts: PythonFacts) -> Bool {
        let output = layers[index].node
        return facts.wrapperZeroesWeight(output)
            || builtLayer(output, in: call, facts).map({ builtZeroed($0, zeroingClasses, facts) }) == true
            || zeroedLocal(output, beside: call, facts)
            || zeroedAfterwards(call, key: layers[index].key, index: index, count: layers.count, facts)
    }

    /// An attention branch written as `nn.Sequential(...)` (or over an `OrderedDict` of named stages) whose first linear
    /// layer after the attention stage (a stage building an attention module, see `PythonFacts.buildsAttention`) is
    /// zeroed, in the ways `zeroedSequentialOutput` reads. The zeroed layer.
    func zeroedSequentialAttentionOutput(_ facts: PythonFacts, model: ModelView, zeroingClasses: [ZeroingClass]) -> Node? {
        for call in facts.calls(named: "Sequential") {
            let layers = sequentialLayers(call, facts)
            guard let attentionIndex = layers.firstIndex(where: { facts.buildsAttention($0.node) }),
                  let outputIndex = layers.indices.first(where: {
                      $0 > attentionIndex && builtLayer(layers[$0].node, in: call, facts).map(model.isLinearConstructor) == true
                  }) else { continue }
            if stageZeroed(outputIndex, of: layers, in: call, zeroingClasses: zeroingClasses, facts) { return layers[outputIndex].node }
        }
        return nil
    }

    /// A layer given by a local whose weight the same function zeroes (`nn.init.zeros_(out.weight)`).
    func zeroedLocal(_ layer: Node, beside call: CallSite, _ facts: PythonFacts) -> Bool {
        guard layer.type == "identifier" else { return false }
        let scope = facts.enclosingFunction(call.node)?.node
        return facts.calls.contains { zeroing in
            guard facts.enclosingFunction(zeroing.node)?.node == scope, let tensor = facts.zeroedTensor(zeroing),
                  case let (owner?, true) = facts.weightOwner(tensor) else { return false }
            return owner.type == "identifier" && owner.text == layer.text
        }
    }

    /// The layers of `nn.Sequential(...)`: its positional arguments, or the entries of the one `OrderedDict` it is
    /// given (`OrderedDict(fc=..., act=..., proj=...)` or `OrderedDict([("fc", ...), ...])`), with their keys.
    func sequentialLayers(_ call: CallSite, _ facts: PythonFacts) -> [(key: String?, node: Node)] {
        let positional = call.positional.map(facts.unparenthesized)
        guard positional.count == 1, positional[0].type == "call", facts.callSite(positional[0]).name == "OrderedDict" else {
            return positional.map { (nil, $0) }
        }
        let ordered = facts.callSite(positional[0])
        if !ordered.keywords.isEmpty {
            // In the order written: the call's keyword dictionary has none.
            let arguments = ordered.node.child(byField: "arguments")?.namedChildren ?? []
            return arguments.filter { $0.type == "keyword_argument" }.compactMap { argument in
                guard let name = argument.child(byField: "name"), let value = argument.child(byField: "value") else { return nil }
                return (name.text, facts.unparenthesized(value))
            }
        }
        guard let list = ordered.positional.first.map(facts.unparenthesized), list.type == "list" || list.type == "tuple" else { return [] }
        return list.namedChildren.compactMap { pair in
            guard pair.type == "tuple", pair.namedChildren.count == 2 else { return nil }
            return (SettingsTable.stringValue(pair.namedChildren[0]), facts.unparenthesized(pair.namedChildren[1]))
        }
    }

    /// A layer that applies an activation: an activation module's construction, or a name set to one (`act=relu_sq`,
    /// with `relu_sq = Lambda(lambda t: F.relu(t).square())`).
    func isActivationLayer(_ node: Node, _ facts: PythonFacts) -> Bool {
        if node.type == "call" { return isActivationModule(node, facts) }
        guard node.type == "identifier" else { return false }
        if let body = facts.lambdaBody(node.text) {
            return ([body] + facts.descendants(of: body)).contains { isActivation($0, facts, depth: 1) }
        }
        return facts.allSettings.settings(node.text).contains { isActivationModuleValue(facts.unparenthesized($0.value), facts) }
    }

    /// The output layer's weight zeroed through the name the `Sequential` is assigned to, in the same function:
    /// `mlp.proj.weight.zero_()` for the entry keyed `proj`, `mlp[-1].weight` or `mlp[2].weight` by position.
    func zeroedAfterwards(_ call: CallSite, key: String?, index: Int, count: Int, _ facts: PythonFacts) -> Bool {
        guard let assignment = call.node.parent, assignment.type == "assignment",
              assignment.child(byField: "right") == call.node, let target = assignment.child(byField: "left"),
              target.type == "identifier" || target.type == "attribute" else { return false }
        let scope = facts.enclosingFunction(call.node)?.node
        return facts.calls.contains { zeroing in
            guard zeroing.node.startByte > assignment.endByte, facts.enclosingFunction(zeroing.node)?.node == scope,
                  let tensor = facts.zeroedTensor(zeroing), case let (owner?, true) = facts.weightOwner(tensor) else { return false }
            let layer = facts.unparenthesized(owner)
            if layer.type == "attribute", let key, layer.child(byField: "attribute")?.text == key {
                return layer.child(byField: "object")?.text == target.text
            }
            if layer.type == "subscript", layer.child(byField: "value")?.text == target.text,
               let position = layer.child(byField: "subscript").flatMap({ Int($0.text) }) {
                return position == index || position == index - count
            }
            return false
        }
    }

    /// A module applying an activation: `nn.ReLU()`, `nn.GELU()`, a module class of the file whose `forward`
    /// applies one, or what a factory of the file returns when every value it returns is one.
    func isActivationModule(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        // A factory of the file (`ActivationFactory.create("relu2")`, a class method returning `cls._registry[name]()`;
        // `make_act(name)`): every value it returns builds an activation module.
        if depth < 3, let factory = facts.calledFunction(call), !facts.forwardMethodNames.contains(factory.name) {
            let returned = facts.returnedValues(factory).map(facts.unparenthesized)
            if !returned.isEmpty, returned.allSatisfy({ isActivationModule($0, facts, depth: depth + 1) }) { return true }
        }
        // A composition with an activation among its stages (`nn.Sequential(nn.ReLU(), Square())`).
        if call.name == "Sequential", call.positional.contains(where: { isActivationModule(facts.unparenthesized($0), facts) }) { return true }
        // A class picked from a table and built (`ACT2CLS[config.act]()`, with `ACT2CLS = {"gelu": nn.GELU, "relu2":
        // SquaredReLU}`): the entry a decided key selects, else every entry of the table.
        if let function = call.function.map(facts.unparenthesized), function.type == "subscript" {
            let entries = facts.registryEntry(function).map { [$0.entry] }
                ?? function.child(byField: "value").flatMap { facts.tableEntries($0, depth: 0) } ?? []
            return !entries.isEmpty && entries.map(facts.unparenthesized).allSatisfy { entry in
                ["identifier", "attribute"].contains(entry.type) && isActivationClass(facts.imports.qualifiedName(of: entry) ?? entry.text, facts)
            }
        }
        // A class handed in by a parameter and built here (`self.act = act_layer()` with `act_layer=nn.GELU` the
        // default, the model given `act_layer=ReLUSquared`): every class it may hold (see `PythonFacts.origins`).
        if let function = call.function.map(facts.unparenthesized), function.type == "identifier", facts.parameterOwner(of: function) != nil {
            let held = facts.origins(of: function).map(facts.unparenthesized)
            return !held.isEmpty && held.allSatisfy { entry in
                ["identifier", "attribute"].contains(entry.type) && isActivationClass(facts.imports.qualifiedName(of: entry) ?? entry.text, facts)
            }
        }
        return isActivationClass(call.callee, facts)
    }

    /// A module class that applies an activation: `nn.ReLU`, `nn.GELU` (any import spelling), or a module class of the
    /// file whose `forward` applies one. Kept per class: a forward that calls a module of its own class (directly or
    /// through others) is answered "no" while the question is open, not asked again without end.
    func isActivationClass(_ name: String, _ facts: PythonFacts) -> Bool {
        if let functional = PythonFacts.functionalModules[name], Self.activations.contains(functional.lastDottedComponent) { return true }
        if ["ReLU", "GELU", "SiLU", "Tanh", "ReLU6", "Mish"].contains(name.lastDottedComponent) { return true }
        guard let owner = facts.boundClass(named: name),
              let forward = facts.forwardMethods(of: owner).first
        else { return false }
        return facts.memoized("ZeroInitProjections.isActivationClass \(owner.node.startByte)", provisional: false) {
            // Its forward, or the function its inherited forward runs (`class Act(Lambda)` handing `relu_sq` to its base).
            ([forward] + facts.forwardDelegates(of: owner)).contains { function in
                facts.descendants(of: function.node).contains { $0 != function.node && isActivation($0, facts) }
            }
        }
    }

    func isZeroParameter(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard let call = facts.constructorCall(facts.unparenthesized(node)), call.callee == "torch.nn.Parameter",
              let inner = call.positional.first.map(facts.unparenthesized), inner.type == "call" else { return false }
        return facts.isZeroTensor(inner)
    }

    /// `torch.zeros(rows, cols)` (a matrix, possibly `requires_grad=True`), or `nn.Parameter` of one; also a matrix
    /// that a helper of the file hands back at zero for this call (`zeros(d, d)`, `lin(d, 4 * d, zero=True)`) or that is
    /// zeroed in place (`torch.empty(d, d).zero_()`; see `PythonFacts.zeroCreation`).
    func isZeroMatrix(_ node: Node, _ facts: PythonFacts) -> Bool {
        if isZeroParameter(node, facts) { return true }
        if let made = facts.zeroCreation(node), made.positional.count == 2 { return true }
        guard let call = facts.constructorCall(facts.unparenthesized(node)) else { return false }
        return call.callee == "torch.zeros" && call.positional.count == 2
    }

    /// The conditions of the `if` statements a node sits in (only their `then` branches), inside its function.
    func guards(of node: Node, _ facts: PythonFacts) -> [Node] {
        var result: [Node] = []
        var child = node
        for ancestor in facts.ancestors(of: node) {
            if ancestor.type == "function_definition" { break }
            if ancestor.type == "if_statement", child.type != "else_clause", child.type != "elif_clause",
               let condition = ancestor.child(byField: "condition") {
                result.append(condition)
            }
            child = ancestor
        }
        return result
    }

    /// The classes of the file (with their subclasses) an `if isinstance(m, C)` or `elif isinstance(m, (C, D))` around a
    /// node tests `m` for, inside its function; empty when no such test guards it or a tested class is not the file's.
    func testedClasses(_ node: Node, instance: Node?, _ facts: PythonFacts) -> Set<String> {
        guard let instance, instance.type == "identifier" else { return [] }
        var tested = Set<String>()
        var child = node
        for ancestor in facts.ancestors(of: node) {
            defer { child = ancestor }
            if ancestor.type == "function_definition" { break }
            guard ["if_statement", "elif_clause"].contains(ancestor.type), ancestor.child(byField: "consequence") == child,
                  let condition = ancestor.child(byField: "condition") else { continue }
            for n in [condition] + facts.descendants(of: condition) where n.type == "call" {
                let test = facts.callSite(n)
                guard test.callee == "isinstance", test.positional.count == 2, test.positional[0].text == instance.text else { continue }
                // A negated test (`not isinstance(m, C)`) selects the other modules.
                if facts.ancestors(of: n).prefix(while: { $0 != ancestor }).contains(where: { $0.type == "not_operator" }) { return [] }
                let kinds = facts.unparenthesized(test.positional[1])
                for kind in kinds.type == "tuple" ? kinds.namedChildren : [kinds] {
                    guard let owner = facts.boundClass(named: kind.text) else { return [] }
                    tested.insert(owner.name)
                }
            }
        }
        guard !tested.isEmpty else { return [] }
        // A subclass of a tested class passes the test too.
        return tested.union(facts.classes.filter { c in facts.lineage(of: c).contains { tested.contains($0.name) } }.map(\.name))
    }

    /// For `if zero_init:` around a zeroing inside `__init__`, the parameter name.
    func guardingParameter(_ node: Node, _ facts: PythonFacts) -> String? {
        guard let function = facts.enclosingFunction(node) else { return nil }
        for condition in guards(of: node, facts) {
            let n = facts.unparenthesized(condition)
            if n.type == "identifier", function.parameters.contains(n.text) { return n.text }
        }
        return nil
    }

    /// Flag attributes a hook condition tests on its module (`getattr(m, "flag", False)`, `hasattr(m, "flag")`,
    /// `m.flag`; see `PythonFacts.testedFlagAttributes`).
    func flagNames(_ condition: Node, module: String, _ facts: PythonFacts) -> [String] {
        facts.testedFlagAttributes(condition, module: module).map(\.name)
    }

    /// The parameter names a zeroing in a `named_parameters()` loop is restricted to (the strings its `if`
    /// conditions compare the name with; a regular expression that names one parameter read without its anchors and
    /// escapes, `re.search(r"\.c_proj\.weight$", name)`, see `PythonFacts.literalPattern`).
    func selectedNames(_ node: Node, _ facts: PythonFacts) -> [String] {
        guard facts.enclosingLoops(node).contains(where: { loop in
            guard let iterable = loop.child(byField: "right"), iterable.type == "call" else { return false }
            return facts.callSite(iterable).name == "named_parameters"
        }) else { return [] }
        return guards(of: node, facts).flatMap { condition in
            facts.testedStrings(condition).map { PythonFacts.literalPattern($0) ?? $0 }
        }
    }

    /// In a loop over `named_modules()` binding `module`, the module names its guards select (the last dotted part of
    /// each string the conditions test: `name.endswith("c_proj")`, `"attn.c_proj" in name`, also the glob patterns of
    /// a list the condition walks, `any(fnmatch(name, pat) for pat in cfg.zero_globs)`; see `PythonFacts.testedStrings`).
    func selectedModuleNames(_ node: Node, module: String, _ facts: PythonFacts) -> [String] {
        guard facts.enclosingLoops(node).contains(where: { loop in
            guard let iterable = loop.child(byField: "right"), iterable.type == "call",
                  facts.callSite(iterable).name == "named_modules" else { return false }
            return facts.loopVariables(loop).contains(module)
        }) else { return [] }
        var names: [String] = []
        for condition in guards(of: node, facts) {
            for text in facts.testedStrings(condition) {
                guard let last = text.split(separator: ".").last else { continue }
                names.append(String(last))
            }
        }
        return names
    }

    /// In an init hook that takes the module's dotted name beside the module (`def init(module, name)`), the module
    /// names its guards select by testing that name (the last dotted part of each string tested in a condition that
    /// reads it: `name.endswith(".proj")`, `name.endswith("fc2")`).
    func hookSelectedNames(_ node: Node, _ function: PythonFacts.Function, module: String, _ facts: PythonFacts) -> [String] {
        let others = Set(function.passedParameters.filter { $0 != module })
        guard !others.isEmpty else { return [] }
        var names: [String] = []
        for condition in guards(of: node, facts) {
            for test in [condition] + facts.descendants(of: condition) where test.type == "call" || test.type == "comparison_operator" {
                guard facts.descendants(of: test).contains(where: { $0.type == "identifier" && others.contains($0.text) }) else { continue }
                for text in facts.testedStrings(test) {
                    guard let last = text.split(separator: ".").last else { continue }
                    names.append(String(last))
                }
            }
        }
        return Array(Set(names)).sorted()
    }

    func libraryAttentionNamed(_ name: String, _ facts: PythonFacts) -> Bool {
        facts.allSettings.settings(name).contains { s in
            facts.constructorCall(facts.unparenthesized(s.value))?.callee == "torch.nn.MultiheadAttention"
        }
    }
}
