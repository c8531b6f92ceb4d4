import Parsing
import TreeSitterKit

/// Code PyTorch runs around a module's `forward` because it was registered there: `m.register_forward_hook(h)` calls
/// `h(module, args, output)` after the forward and, when `h` returns something, that replaces the output;
/// `m.register_forward_pre_hook(h)` calls `h(module, args)` before it, and what `h` returns replaces the inputs. An
/// agent that caps the logits in a hook on the head, or normalizes the embedding in a hook on the table, changes what
/// `self.lm_head(x)` or `self.wte(idx)` gives without touching the model's code. A `forward` replaced on one instance
/// from outside (`head.forward = types.MethodType(fp8_forward, head)`, `head.forward = functools.partial(f, head)`,
/// `head.forward = new_forward`) is read the same way: what the new code returns is what the call gives.
public struct ForwardHook {
    /// `output`: a forward hook; `input`: a forward pre-hook; `replacement`: the instance's `forward` rebound (its
    /// result is the call's result, as an output hook's return is; it is listed with the output hooks of a call, see
    /// `PythonFacts.forwardHooks(on:kind:)`, but has no output parameter).
    public enum Kind: Sendable { case output, input, replacement }

    public let kind: Kind
    /// The last attribute of the hooked module (`lm_head` for `self.lm_head.register_forward_hook(...)`, `c_v` for
    /// `block.attn.c_v.register_forward_hook(...)`): calls of a module attribute of that name run the hook. A module
    /// handed to a helper as a parameter (`def apply(self, linear): linear.forward = ...` run as
    /// `.apply(model.lm_head)`) is named by what the callers pass (see `hookedModuleNames`).
    public let module: String
    /// For a hook registered on the variable of a loop over a container of modules (`for blk in model.blocks:
    /// blk.register_forward_pre_hook(h)`, also `for i, blk in enumerate(self.transformer.h)`), the container's last
    /// name (`blocks`, `h`): the hook runs for calls of the container's items (`block(x)` in `for block in self.blocks`,
    /// `self.blocks[i](x)`), as well as for calls named like the loop variable. Nil otherwise.
    public let elements: String?
    /// The `register_forward_hook(...)` call; for a replaced `forward`, the assignment (read as a call site without a
    /// callee).
    public let registration: CallSite
    /// The hooked module as the registration writes it (`self.lm_head`, `linear`, `self.model`).
    public let target: Node
    /// The code the hook runs: its functions (a function of the file, a method, a callable class's `__call__`, a
    /// partial of a function) or a lambda's body.
    public let functions: [PythonFacts.Function]
    public let lambdaBody: Node?
}

extension PythonFacts {
    static let hookRegistrations: [String: ForwardHook.Kind] = [
        "register_forward_hook": .output, "register_forward_pre_hook": .input,
    ]

    /// Every forward hook and pre-hook the file registers on a named module, where the registration can run (at
    /// module level, in a special method or a forward, or in a function something refers to) and its handle is never
    /// removed (`handle = m.register_forward_hook(h); ...; handle.remove()`), and every `forward` replaced on an
    /// instance (see `forwardReplacements`). A hook on a module handed in as a parameter is listed once per module
    /// name the callers pass (see `hookedModuleNames`).
    public var forwardHooks: [ForwardHook] {
        memoized("forwardHooks") {
            let registered = calls.flatMap { call -> [ForwardHook] in
                guard let kind = Self.hookRegistrations[call.name], let receiver = call.receiver,
                      let hook = call.argument("hook", position: 0),
                      registrationRuns(call), !isRemovedLater(call) else { return [] }
                let (functions, lambda) = hookCode(hook)
                guard !functions.isEmpty || lambda != nil else { return [] }
                return hookedModuleNames(receiver).map { module in
                    ForwardHook(kind: kind, module: module, elements: loopContainerName(receiver), registration: call, target: receiver,
                                functions: functions, lambdaBody: lambda)
                }
            }
            return registered + forwardReplacements
        }
    }

    /// `forward` replaced on one module instance, outside its class: `m.forward = types.MethodType(f, m)`,
    /// `m.forward = f.__get__(m)`, `m.forward = functools.partial(f, m)`, `m.forward = new_forward` (a function of the
    /// file, a nested function, a lambda, or an object of a class of the file with a `__call__`), where the assignment
    /// can run (see `registrationRuns`). PyTorch's `Module.__call__` runs the instance's `forward`, so calls of that
    /// module give what the new code returns (kind `replacement`). Not a class's own rebinding (`Block.forward = f`,
    /// `self.forward = ...` in its methods, read by `ClassMembers`), nor a `forward` put back from a saved one
    /// (`m.forward = orig` with `orig = m.forward`), which runs no code of the file.
    public var forwardReplacements: [ForwardHook] {
        memoized("forwardReplacements") {
            nodes(ofType: "assignment").flatMap { assignment -> [ForwardHook] in
                guard let left = assignment.child(byField: "left").map(unwrapped), left.type == "attribute",
                      left.child(byField: "attribute")?.text == "forward", let object = left.child(byField: "object").map(unwrapped),
                      object.type == "identifier" || object.type == "attribute" || object.type == "subscript",
                      !["self", "cls"].contains(object.text), boundClass(named: object.text) == nil,
                      var code = assignment.child(byField: "right").map(unwrapped),
                      enclosingFunction(assignment).map(mayRun) ?? true else { return [] }
                // `types.MethodType(f, m)` binds `f` to the instance; `f.__get__(m)` does the same.
                if code.type == "call" {
                    let call = callSite(code)
                    if call.name == "MethodType", let bound = call.positional.first {
                        code = unwrapped(bound)
                    } else if call.name == "__get__", let receiver = call.receiver {
                        code = unwrapped(receiver)
                    }
                }
                let (functions, lambda) = hookCode(code)
                guard !functions.isEmpty || lambda != nil else { return [] }
                let site = callSite(assignment)
                return hookedModuleNames(object).map { module in
                    ForwardHook(kind: .replacement, module: module, elements: nil, registration: site, target: object, functions: functions,
                                lambdaBody: lambda)
                }
            }
        }
    }

    /// The hooks of `kind` that run when a module call runs (`self.lm_head(x)`, `layer.c_v(x)`, `self.blocks[i](x)`); asked
    /// for output hooks, also the `forward` replacements of the module (their result is the call's). A hook registered
    /// on `self.<name>` belongs to the instances of its class: it runs for that class's calls of `self.<name>`, and for
    /// another class's calls of `self.<name>` when both fields hold the same module (see `holdSameModule`: a callback
    /// registering on `self.model`, the model a trainer calls as `self.model(x, y)`). A hook registered on the items of
    /// a container through a loop variable (`ForwardHook.elements`) runs for calls of the container's items: an item read
    /// by index (`self.transformer.h[i](x)`) or the variable of a loop over a container of that name (`block(x)` in
    /// `for block in self.transformer.h`).
    public func forwardHooks(on call: CallSite, kind: ForwardHook.Kind) -> [ForwardHook] {
        let hooks = forwardHooks
        guard !hooks.isEmpty, let function = call.function, ["attribute", "identifier", "subscript"].contains(function.type),
              let name = hookedModuleName(function) else { return [] }
        let names = Set([name] + (loopContainerName(function).map { [$0] } ?? []))
        let callingClass = enclosingClass(call.node)?.node
        return hooks.filter { hook in
            guard hook.kind == kind || kind == .output && hook.kind == .replacement,
                  hook.module == name || hook.elements.map({ names.contains($0) }) == true else { return false }
            guard hook.target.text.hasPrefix("self.") else { return true }
            if enclosingClass(hook.registration.node)?.node == callingClass { return true }
            return function.text.hasPrefix("self.") && holdSameModule(hook.target, function)
        }
    }

    /// The keywords the `with_kwargs=True` pre-hooks of a module call add to it (PyTorch hands such a hook `(module,
    /// args, kwargs)`, and an `(args, kwargs)` pair it returns replaces the call's inputs): the string-keyed entries the
    /// returned keywords dictionary gets in the hook, `kwargs["k"] = v`, `kwargs.setdefault("k", v)`,
    /// `kwargs.update(k=v)` / `kwargs.update({"k": v})`, or made with them, `dict(kwargs, k=v)`, `{**kwargs, "k": v}`
    /// (also through a name set to one, `kw = dict(kwargs)`). A `setdefault` entry the call already passes is not added.
    public func preHookKeywords(of call: CallSite) -> [(key: String, value: Node)] {
        var result: [(key: String, value: Node)] = []
        for hook in forwardHooks(on: call, kind: .input) where hook.registration.keywords["with_kwargs"]?.text == "True" {
            for function in hook.functions where function.passedParameters.count >= 3 {
                for returned in returnedValues(function) {
                    let pair = unwrapped(returned)
                    guard ["tuple", "expression_list"].contains(pair.type) else { continue }
                    let parts = pair.namedChildren.filter { $0.type != "comment" }
                    guard parts.count == 2 else { continue }
                    for entry in addedKeywords(parts[1], in: function, before: returned, depth: 0)
                    where !(entry.ifAbsent && call.keywords[entry.key] != nil) && !result.contains(where: { $0.key == entry.key }) {
                        result.append((key: entry.key, value: entry.value))
                    }
                }
            }
        }
        return result
    }

    /// The string-keyed entries a keywords dictionary a pre-hook returns is given in `function` before `use` (see
    /// `preHookKeywords(of:)`); `ifAbsent` for a `setdefault`.
    private func addedKeywords(_ expression: Node, in function: Function, before use: Node, depth: Int) -> [(key: String, value: Node, ifAbsent: Bool)] {
        guard depth < 4 else { return [] }
        let e = unwrapped(expression)
        var entries: [(key: String, value: Node, ifAbsent: Bool)] = []
        switch e.type {
        case "call":
            let call = callSite(e)
            guard call.callee == "dict" else { return [] }
            if let copied = call.positional.first { entries += addedKeywords(copied, in: function, before: use, depth: depth + 1) }
            entries += call.keywords.sorted { $0.value.startByte < $1.value.startByte }.map { (key: $0.key, value: $0.value, ifAbsent: false) }
        case "dictionary":
            for item in e.namedChildren {
                if item.type == "dictionary_splat", let inner = item.namedChildren.first {
                    entries += addedKeywords(inner, in: function, before: use, depth: depth + 1)
                } else if item.type == "pair", let key = item.child(byField: "key").map(unwrapped).flatMap(SettingsTable.stringValue),
                          let value = item.child(byField: "value") {
                    entries.append((key: key, value: value, ifAbsent: false))
                }
            }
        case "identifier":
            if let made = latestValue(of: e.text, before: use), made != e {
                entries += addedKeywords(made, in: function, before: made, depth: depth + 1)
            }
            for node in descendants(of: function.node) where node.endByte <= use.startByte && enclosingFunction(node)?.node == function.node {
                if node.type == "call" {
                    let call = callSite(node)
                    guard let receiver = call.receiver.map(unwrapped), receiver.type == "identifier", receiver.text == e.text else { continue }
                    if call.name == "setdefault", call.positional.count == 2, let key = SettingsTable.stringValue(unwrapped(call.positional[0])) {
                        entries.append((key: key, value: call.positional[1], ifAbsent: true))
                    } else if call.name == "update" {
                        entries += call.keywords.sorted { $0.value.startByte < $1.value.startByte }.map { (key: $0.key, value: $0.value, ifAbsent: false) }
                        for written in call.positional where unwrapped(written).type == "dictionary" {
                            entries += addedKeywords(written, in: function, before: use, depth: depth + 1)
                        }
                    }
                } else if node.type == "assignment", let left = node.child(byField: "left").map(unwrapped), left.type == "subscript",
                          left.child(byField: "value").map(unwrapped)?.text == e.text,
                          let key = left.child(byField: "subscript").map(unwrapped).flatMap(SettingsTable.stringValue),
                          let value = node.child(byField: "right") {
                    entries.append((key: key, value: value, ifAbsent: false))
                }
            }
        default:
            break
        }
        return entries
    }

    /// Whether two expressions hold the same module object: their origins (see `origins(of:)`), followed through the
    /// wrappers and casts that keep the module (`DDP(m)`, `torch.compile(m)`, `m.cuda().bfloat16()`), share a
    /// construction (`GPT(...)`). A callback's `self.model` given `raw_model` and a trainer's `self.model` given
    /// `DDP(torch.compile(raw_model))` hold the same model.
    public func holdSameModule(_ first: Node, _ second: Node) -> Bool {
        let a = moduleObjects(first, depth: 0)
        return !a.isEmpty && !a.isDisjoint(with: moduleObjects(second, depth: 0))
    }

    /// Calls that hand back the module they are given (or called on) itself, or a wrapper running its hooks.
    static let moduleWrappers: Set<String> = ["compile", "DistributedDataParallel", "DDP", "DataParallel", "FullyShardedDataParallel", "FSDP"]
    static let moduleCasts: Set<String> = ["cuda", "cpu", "to", "bfloat16", "half", "float", "train", "eval", "requires_grad_"]

    /// The origins of a module expression that are not wrappers or casts of another (see `holdSameModule`).
    private func moduleObjects(_ node: Node, depth: Int) -> Set<Node> {
        guard depth < 4 else { return [] }
        var found = Set<Node>()
        for origin in origins(of: node) {
            let o = unwrapped(origin)
            if o.type == "call" {
                let call = callSite(o)
                if Self.moduleWrappers.contains(call.name), let wrapped = call.positional.first ?? call.keywords["module"] ?? call.keywords["model"] {
                    found.formUnion(moduleObjects(wrapped, depth: depth + 1))
                    continue
                }
                if Self.moduleCasts.contains(call.name), let receiver = call.receiver {
                    found.formUnion(moduleObjects(receiver, depth: depth + 1))
                    continue
                }
            }
            found.insert(o)
        }
        return found
    }

    /// What a hook of `kind` on a module call gives back as the call's result (output hooks) or inputs (pre-hooks):
    /// the values its functions return and its lambda's body.
    public func hookResults(on call: CallSite, kind: ForwardHook.Kind) -> [Node] {
        forwardHooks(on: call, kind: kind).flatMap(results)
    }

    /// The values a hook hands back: what its functions return and its lambda's body.
    public func results(of hook: ForwardHook) -> [Node] {
        hook.functions.flatMap(returnedValues) + (hook.lambdaBody.map { [$0] } ?? [])
    }

    /// The expressions that make a hook's result, through the rearranging methods called on them (`rearrangingMethods`)
    /// and the names they were computed into (`normed.view(b, t, c)` with `normed = F.rms_norm(out, ...)` gives the `rms_norm` call).
    public func resultCores(of hook: ForwardHook) -> [Node] {
        results(of: hook).map { value in
            var core = unwrapped(value)
            for _ in 0..<4 {
                if core.type == "call", let receiver = callSite(core).receiver, Self.rearrangingMethods.contains(callSite(core).name) {
                    core = unwrapped(receiver)
                } else if core.type == "identifier", let bound = latestValue(of: core.text, before: core), bound != core {
                    core = unwrapped(bound)
                } else {
                    break
                }
            }
            return core
        }
    }

    /// The parameter of a hook's function PyTorch hands the module's output: the third of those a call fills,
    /// `(module, args, output)`, or the fourth for a hook registered `with_kwargs=True`, `(module, args, kwargs,
    /// output)`. Parameters after it (`attn=attn`, a default binding a loop variable) are not the output. Nil for a
    /// pre-hook or a function with too few parameters.
    public func outputParameter(of code: Function, in hook: ForwardHook) -> String? {
        guard hook.kind == .output else { return nil }
        let withKeywords = hook.registration.keywords["with_kwargs"].map { $0.text == "True" } ?? false
        let index = withKeywords ? 3 : 2
        return code.passedParameters.count > index ? code.passedParameters[index] : nil
    }

    /// The parameter of a hook's function PyTorch hands the module's positional inputs (`args` of `(module, args)` or
    /// `(module, args, output)`): the second of those a call fills.
    public func inputsParameter(of code: Function) -> String? {
        code.passedParameters.count > 1 ? code.passedParameters[1] : nil
    }

    /// The module calls whose result a hook function is handed as `name`, its output parameter (see
    /// `outputParameter(of:in:)`): the calls of the file that run an output hook among
    /// `forwardHooks` whose code is `function` (`forwardHooks(on:kind:)`). A hook on the value-embedding table
    /// (`vte.register_forward_hook(mirror)`) gets what `self.vte(idx)` looks up. Empty for any other parameter or function.
    public func hookedCalls(outputParameter name: String, of function: Node) -> [Node] {
        let hooks = forwardHooks.filter { hook in hook.kind == .output && hook.functions.contains { $0.node == function } }
        guard let hook = hooks.first, let code = hook.functions.first(where: { $0.node == function }),
              outputParameter(of: code, in: hook) == name else { return [] }
        let registrations = Set(hooks.map(\.registration.node))
        return calls.filter { call in
            forwardHooks(on: call, kind: .output).contains { registrations.contains($0.registration.node) }
        }.map(\.node)
    }

    /// The fields a forward pre-hook stores from the inputs it is handed (`module._vi = args[1]` in `def grab(module,
    /// args)` registered with `attn.register_forward_pre_hook(grab)`): the attribute names it assigns values read
    /// from its inputs parameter (see `inputsParameter(of:)`). An output hook on a submodule reading
    /// `attn._vi` reads what the owning module was called with.
    public var hookStashedInputFields: Set<String> {
        memoized("hookStashedInputFields") {
            var names = Set<String>()
            for hook in forwardHooks where hook.kind == .input {
                for function in hook.functions {
                    guard let inputs = inputsParameter(of: function) else { continue }
                    for node in descendants(of: function.node) where node.type == "assignment" {
                        guard let left = node.child(byField: "left").map(unwrapped), left.type == "attribute",
                              let name = left.child(byField: "attribute")?.text, let right = node.child(byField: "right"),
                              descendants(right).contains(where: { $0.type == "identifier" && $0.text == inputs }) else { continue }
                        names.insert(name)
                    }
                }
            }
            return names
        }
    }

    /// The items of a module list a hook is registered on, read from the code that registers it: the container
    /// (its text, `blocks` / `model.transformer.h`) and the positions, in order. The receiver is an item of the
    /// container, `blocks[i]` / `blocks[n_enc + j]`, with an index the interpreter computes for each item of the `for`
    /// loop around the registration (`for i in range(self.n_enc)`; a constant index with no loop is one position),
    /// or the variable of a loop over the container itself, a slice of it, or `enumerate` of either (`for blk in
    /// blocks[n:]`, `for i, blk in enumerate(model.blocks)`; positions from `PythonFacts.itemCount`). An `if` between
    /// the loop and the registration keeps the items for which its test holds (its `else` those for which it fails;
    /// `if i < n: blk.register_forward_hook(push)`). A hook so registered runs as part of the forward of exactly those
    /// layers, whatever loop calls them. Nil for any other receiver, a loop or test the interpreter cannot compute,
    /// or a registration under an `elif`.
    public func hookedLayers(_ hook: ForwardHook) -> (container: String, layers: [Int])? {
        guard let receiver = hook.registration.receiver.map(unwrapped) else { return nil }
        let site = hook.registration.node
        let scope = enclosingFunction(site)?.node
        let interpreter = ScriptInterpreter(self)
        let loop = ancestors(of: site).prefix { $0 != scope }.first { $0.type == "for_statement" }
        // The tests between the loop (or the function) and the registration, with the branch the registration is in.
        var tests: [(condition: Node, holds: Bool)] = []
        var child = site
        for a in ancestors(of: site) {
            if a == loop || a == scope { break }
            if a.type == "if_statement", let condition = a.child(byField: "condition") {
                if let consequence = a.child(byField: "consequence"), isInside(child, consequence) {
                    tests.append((condition: condition, holds: true))
                } else if a.namedChildren.contains(where: { $0.type == "elif_clause" }) {
                    return nil
                } else {
                    tests.append((condition: condition, holds: false))
                }
            }
            child = a
        }
        func kept(_ env: [String: ScriptValue]) -> Bool? {
            for test in tests {
                guard let value = interpreter.value(of: test.condition, env: env) else { return nil }
                if value.truthy != test.holds { return false }
            }
            return true
        }
        if receiver.type == "subscript", let container = receiver.child(byField: "value"), let index = receiver.child(byField: "subscript"),
           index.type != "slice" {
            var layers: [Int] = []
            guard let loop else {
                guard tests.isEmpty, let k = interpreter.value(of: index, env: [:])?.number, k >= 0, k == k.rounded() else { return nil }
                return (container: compact(container), layers: [Int(k)])
            }
            guard let target = loop.child(byField: "left"), let iterable = loop.child(byField: "right"),
                  case .tuple(let items)? = interpreter.iteration(of: iterable), items.count <= 4096 else { return nil }
            for item in items {
                var env: [String: ScriptValue] = [:]
                guard interpreter.bind(target, item, &env), let keep = kept(env) else { return nil }
                guard keep else { continue }
                guard let k = interpreter.value(of: index, env: env)?.number, k >= 0, k == k.rounded(), k < 1e6 else { return nil }
                layers.append(Int(k))
            }
            return (container: compact(container), layers: layers)
        }
        // The loop's own variable: `for blk in blocks[a:b]`, `for i, blk in enumerate(blocks)`.
        guard receiver.type == "identifier", let loop, let target = loop.child(byField: "left"),
              var walked = loop.child(byField: "right").map(unwrapped) else { return nil }
        var counter: Node?
        var element = target
        if walked.type == "call", case let call = callSite(walked), call.callee == "enumerate", call.positional.count == 1,
           call.keywords.isEmpty, ["pattern_list", "tuple_pattern"].contains(target.type), target.namedChildren.count == 2 {
            counter = target.namedChildren[0]
            element = target.namedChildren[1]
            walked = unwrapped(call.positional[0])
        }
        guard element.type == "identifier", element.text == receiver.text else { return nil }
        var container = walked
        var slice: Node?
        if walked.type == "subscript", let value = walked.child(byField: "value"), let index = walked.child(byField: "subscript"),
           index.type == "slice" {
            container = value
            slice = index
        }
        guard ["identifier", "attribute"].contains(container.type), let count = itemCount(container), count <= 4096 else { return nil }
        var positions = (0..<count).map { ScriptValue.number(Double($0)) }
        if let slice {
            guard case .tuple(let sliced)? = interpreter.slice(positions, slice, [:], 0) else { return nil }
            positions = sliced
        }
        var layers: [Int] = []
        for (offset, position) in positions.enumerated() {
            var env: [String: ScriptValue] = [:]
            if let counter {
                guard counter.type == "identifier" else { return nil }
                env[counter.text] = .number(Double(offset))
            }
            guard let keep = kept(env) else { return nil }
            if keep, let k = position.number { layers.append(Int(k)) }
        }
        return (container: compact(container), layers: layers)
    }

    /// The names a hook function holds the module's first positional input under: the locals the inputs parameter (see
    /// `inputsParameter(of:)`) is unpacked into, first place (`(x,) = inputs`, `x, *rest = args`), or its first item is
    /// read into (`x = inputs[0]`). Empty for a function with no inputs parameter.
    public func firstInputNames(of code: Function) -> Set<String> {
        guard let inputs = inputsParameter(of: code) else { return [] }
        var names = Set<String>()
        for assignment in descendants(of: code.node) where assignment.type == "assignment" && enclosingFunction(assignment)?.node == code.node {
            guard let left = assignment.child(byField: "left").map(unwrapped), let right = assignment.child(byField: "right").map(unwrapped)
            else { continue }
            if right.type == "identifier", right.text == inputs,
               ["pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "expression_list"].contains(left.type),
               let first = left.namedChildren.first(where: { $0.type != "comment" }), first.type == "identifier" {
                names.insert(first.text)
            } else if left.type == "identifier", right.type == "subscript", right.child(byField: "value")?.text == inputs,
                      right.child(byField: "subscript").flatMap({ value(of: $0)?.double }) == 0 {
                names.insert(left.text)
            }
        }
        return names
    }

    /// The state a hook function keeps from one of its calls for the calls after it: a field of an object it reaches
    /// (`stash.v1`, `self.x0`; not a local) set from one of its names only under a test that lets the first call
    /// through. Such a test is a comparison with 0 (`if layer == 0:`), a name for one (`if first:` with the parameter
    /// `first=(idx == 0)`, or a local set to one), or a test that the field is still unset (`if stash.v1 is None:`,
    /// `if not stash.v1:`); also written `stash.v1 = v if first else stash.v1`. Each with the field's compact text and
    /// the name it is set from. A field set on every call (the previous call's value) is not kept state of the first.
    public func firstCallCaptures(of code: Function) -> [(field: String, from: String)] {
        var result: [(field: String, from: String)] = []
        for assignment in descendants(of: code.node) where assignment.type == "assignment" && enclosingFunction(assignment)?.node == code.node {
            guard let left = assignment.child(byField: "left").map(unwrapped), left.type == "attribute", isReferenceChain(left),
                  let right = assignment.child(byField: "right").map(unwrapped) else { continue }
            let field = compact(left)
            if let parts = conditionalParts(right) {
                // `stash.v1 = v if first else stash.v1`: set on the first call, kept after it.
                guard compact(unwrapped(parts.alternative)) == field, let from = tensorRoot(parts.value),
                      isFirstCallTest(parts.test, field: field, in: code) else { continue }
                result.append((field: field, from: from.text))
            } else if let from = tensorRoot(right),
                      holdingConditions(assignment).contains(where: { isFirstCallTest($0, field: field, in: code) }) {
                result.append((field: field, from: from.text))
            }
        }
        return result
    }

    /// Whether a test in a hook function holds on the first call only (see `firstCallCaptures(of:)`).
    func isFirstCallTest(_ test: Node, field: String, in code: Function, depth: Int = 0) -> Bool {
        let t = unwrapped(test)
        switch t.type {
        case "comparison_operator":
            let text = compact(t)
            if text == field + "isNone" { return true }
            let sides = t.namedChildren.filter { $0.type != "comment" }
            return sides.count == 2 && text.contains("==") && sides.contains { value(of: $0)?.double == 0 }
        case "not_operator":
            return t.child(byField: "argument").map { compact(unwrapped($0)) == field } ?? false
        case "identifier":
            guard depth < 2 else { return false }
            let bound = parameterDefault(in: code.node, t.text) ?? latestValue(of: t.text, before: t)
            return bound.map { isFirstCallTest($0, field: field, in: code, depth: depth + 1) } ?? false
        default:
            return false
        }
    }

    /// The last name of the container of modules a loop variable walks (`blocks` for `blk` in `for blk in
    /// model.blocks:`, `h` for `for i, blk in enumerate(self.transformer.h):`); nil for a name no loop binds to the
    /// items of a named container.
    func loopContainerName(_ node: Node) -> String? {
        let n = unwrapped(node)
        guard n.type == "identifier" else { return nil }
        for binding in dataflow.bindings(of: n.text, at: n) {
            guard case .iteration = binding.kind else { continue }
            let source = unwrapped(dataflow.iterationSource(binding))
            if ["attribute", "identifier", "subscript"].contains(source.type), let name = hookedModuleName(source) { return name }
        }
        return nil
    }

    /// Whether a registration can run: at module level, in `__init__` or another special method, in a forward, or in
    /// a function the file refers to elsewhere.
    func registrationRuns(_ call: CallSite) -> Bool {
        enclosingFunction(call.node).map(mayRun) ?? true
    }

    /// Whether the handle a registration returns is kept under a name and removed (`handle.remove()`).
    func isRemovedLater(_ call: CallSite) -> Bool {
        guard let assignment = call.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == call.node,
              let handle = assignment.child(byField: "left"), handle.type == "identifier" || handle.type == "attribute" else { return false }
        return calls.contains { $0.name == "remove" && $0.receiver?.text == handle.text }
    }

    /// The names a hook's module goes by (see `ForwardHook.module`): its own (`hookedModuleName`), and for a parameter
    /// of the function registering it (`def apply(self, linear): linear.forward = ...`), the names of the modules
    /// its callers pass (`.apply(model.lm_head)` gives `lm_head`); for a call of a method, only calls on objects that
    /// may be of its class count. A local set to a module (`head = model.lm_head`) also goes by that module's name.
    func hookedModuleNames(_ receiver: Node) -> [String] {
        var names: [String] = []
        if let own = hookedModuleName(receiver) { names.append(own) }
        let r = unwrapped(receiver)
        guard r.type == "identifier" else { return names }
        var sources: [Node] = []
        if let function = parameterOwner(of: r) {
            let owner = enclosingClass(function.node)?.name
            sources = callerBindings(of: r).filter { binding in
                guard let owner, let object = binding.call.receiver else { return true }
                let classes = dataflow.instanceClasses(of: object)
                return classes.isEmpty || classes.contains(owner)
            }.map(\.argument)
        } else if let value = latestValue(of: r.text, before: r), value != r {
            sources = [value]
        }
        for source in sources {
            let s = unwrapped(source)
            guard s.type == "attribute" || s.type == "subscript", let name = hookedModuleName(s), !names.contains(name) else { continue }
            names.append(name)
        }
        return names
    }

    /// The module attribute a hook is registered on, or a module call runs: the last name of `self.lm_head`,
    /// `model.transformer.wte`, `block.attn.c_v`, or `self.blocks[i].mlp`; a plain name (`head`) stands for itself.
    private func hookedModuleName(_ node: Node) -> String? {
        var current = unwrapped(node)
        if current.type == "subscript", let value = current.child(byField: "value") { current = value }
        switch current.type {
        case "attribute": return current.child(byField: "attribute")?.text
        case "identifier": return current.text == "self" ? nil : current.text
        default: return nil
        }
    }

    /// The code a hook expression runs: a lambda's body; a function of the file by name or through
    /// `functools.partial`; a method (`self._norm_output`); the `__call__` of a class of the file built there
    /// (`LogitCap(15.0)`) or in a local the registration reads; the function a factory of the file returns, also a
    /// method of the registering object (`self.blend_into_values(layer, attn)`).
    func hookCode(_ hook: Node, depth: Int = 0) -> ([Function], Node?) {
        let n = unwrapped(hook)
        switch n.type {
        case "lambda":
            return ([], n.child(byField: "body").map(unwrapped))
        case "identifier":
            if let body = lambdaBody(n.text) { return ([], body) }
            // A name holding the hook (`norm = HeadNorm(h, d); self.c_q.register_forward_hook(norm)`).
            if depth == 0, let value = latestValue(of: n.text, before: n), value != n {
                return hookCode(value, depth: 1)
            }
            return (functionsDenoted(by: n, depth: 0), nil)
        case "attribute":
            guard n.child(byField: "object")?.text == "self", let name = n.child(byField: "attribute")?.text,
                  let owner = enclosingClass(n), let method = method(name, of: owner) else { return ([], nil) }
            return ([method], nil)
        case "call":
            let call = callSite(n)
            if call.receiver == nil, let owner = boundClass(named: call.callee) {
                return (method("__call__", of: owner).map { [$0] } ?? [], nil)
            }
            // A factory method of the registering class (`self.make_withdraw(j)` whose body defines and returns
            // `def withdraw(module, args)`): the functions it returns.
            if let object = call.receiver.map(unwrapped), object.type == "identifier", ["self", "cls"].contains(object.text),
               let factory = calledFunction(call), enclosingClass(factory.node) != nil {
                var found: [Function] = []
                for value in returnedValues(factory) {
                    for f in functionsDenoted(by: value, depth: 1) where !found.contains(where: { $0.node == f.node }) { found.append(f) }
                }
                return (found, nil)
            }
            return (functionsDenoted(by: n, depth: 0), nil)
        default:
            return ([], nil)
        }
    }
}
