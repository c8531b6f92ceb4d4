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
    /// For a hook a module registers on itself (`self.register_forward_pre_hook(h)` in a method of class `Block`): that
    /// class. Its hooks run for calls of its instances (and of its subclasses' instances); `module` is then empty.
    public var ownerClass: String? = nil
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
                if unwrapped(receiver).text == "self" {
                    // Registered by a module on itself: it runs for every call of an instance of the class.
                    guard let owner = enclosingClass(call.node) else { return [] }
                    return [ForwardHook(kind: kind, module: "", elements: nil, registration: call, target: receiver,
                                        functions: functions, lambdaBody: lambda, ownerClass: owner.name)]
                }
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
    /// `for block in self.transformer.h`). A hook a class registers on itself runs for calls of its instances.
    public func forwardHooks(on call: CallSite, kind: ForwardHook.Kind) -> [ForwardHook] {
        let hooks = forwardHooks
        guard !hooks.isEmpty, let function = call.function, ["attribute", "identifier", "subscript"].contains(function.type),
              let name = hookedModuleName(function) else { return [] }
        let names = Set([name] + (loopContainerName(function).map { [$0] } ?? []))
        let callingClass = enclosingClass(call.node)?.node
        // The classes of the file the called module is an instance of, with their bases (for hooks a class registers on
        // its own instances); asked only when there are such hooks.
        var calledClasses: Set<String>?
        func instanceOf(_ owner: String) -> Bool {
            if calledClasses == nil {
                calledClasses = Set(dataflow.instanceClasses(of: function).compactMap { boundClass(named: $0) }.flatMap { lineage(of: $0).map(\.name) })
            }
            return calledClasses!.contains(owner)
        }
        return hooks.filter { hook in
            guard hook.kind == kind || kind == .output && hook.kind == .replacement else { return false }
            if let owner = hook.ownerClass { return instanceOf(owner) }
            guard hook.module == name || hook.elements.map({ names.contains($0) }) == true else { return false }
            guard hook.target.text.hasPrefix("self.") else { return true }
            if enclosingClass(hook.registration.node)?.node == callingClass { return true }
            return function.text.hasPrefix("self.") && holdSameModule(hook.target, function)
        }
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
        return calls(named: "remove").contains { $0.receiver?.text == handle.text }
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
            guard let name = n.child(byField: "attribute")?.text, let object = n.child(byField: "object").map(unwrapped)
            else { return ([], nil) }
            if object.text == "self" {
                guard let owner = enclosingClass(n), let method = method(name, of: owner) else { return ([], nil) }
                return ([method], nil)
            }
            // A bound method of an object of a class of the file (`tap.lookup`, `self._tap.lookup`): PyTorch calls it
            // with (module, args[, output]) after its `self`, as a method registered from inside the class.
            return (instanceMethods(name, of: object), nil)
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
            // A factory method called on an object of a class of the file (`self._tap.mixer(attn, i)`,
            // `carry.hook_for(attn, is_first=(i == 0))`): the functions it returns.
            if let object = call.receiver.map(unwrapped), !["self", "cls"].contains(object.text) {
                var found: [Function] = []
                for factory in instanceMethods(call.name, of: object) {
                    for value in returnedValues(factory) {
                        for f in functionsDenoted(by: value, depth: 1) where !found.contains(where: { $0.node == f.node }) { found.append(f) }
                    }
                }
                if !found.isEmpty { return (found, nil) }
            }
            return (functionsDenoted(by: n, depth: 0), nil)
        default:
            return ([], nil)
        }
    }

    /// The methods of that name of the classes of the file an object is an instance of (none for an imported module's
    /// attribute, `torch.foo`, or an object of unknown class).
    private func instanceMethods(_ name: String, of object: Node) -> [Function] {
        var root = object
        while root.type == "attribute", let inner = root.child(byField: "object") { root = unwrapped(inner) }
        guard !(root.type == "identifier" && imports.bindings[root.text] != nil) else { return [] }
        return dataflow.instanceClasses(of: object).sorted().compactMap { boundClass(named: $0) }.compactMap { method(name, of: $0) }
    }
}
