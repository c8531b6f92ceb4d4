import TreeSitterKit

/// What a registered hook reads and hands back (see `ForwardHook`): the values an output hook returns in place of the
/// module's output, the keywords a `with_kwargs` pre-hook adds to the call, the parameters a hook's code takes the
/// output and the inputs under, and what a hook keeps from the inputs it is handed (fields it stores, values it
/// captures on its first call).
extension PythonFacts {
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
            guard depth < 3 else { return false }
            let bound = parameterDefault(in: code.node, t.text) ?? latestValue(of: t.text, before: t)
            if let bound, unwrapped(bound) != t, unwrapped(bound).type != "identifier" {
                return isFirstCallTest(bound, field: field, in: code, depth: depth + 1)
            }
            // A flag the hook reads from the factory that made it (`def hook_for(self, attn, is_first)` returning the
            // hook, also through a default naming it, `first=is_first`): every call of the factory must hand it a
            // first-call test (`is_first=(i == 0)`); one call passing `True` (every layer) leaves it undecided.
            let name = bound.map(unwrapped).flatMap { $0.type == "identifier" ? $0.text : nil } ?? t.text
            guard let outer = ancestors(of: code.node).first(where: { $0.type == "function_definition" }),
                  let factory = functions.first(where: { $0.node == outer }),
                  let index = factory.parameters.firstIndex(of: name) else { return false }
            let flow = dataflow
            let arguments = flow.callSites(of: factory.node).compactMap { flow.argument($0, name: name, index: index) }
            return !arguments.isEmpty && arguments.allSatisfy { isFirstCallTest($0, field: field, in: code, depth: depth + 1) }
        default:
            return false
        }
    }
}
