import Parsing
import TreeSitterKit

/// A name that stands for a function, possibly with arguments already bound: `mm8 = torch._scaled_mm`,
/// `attend = functools.partial(flex, block_mask=mask)`, `self.squash = nn.Tanh()`, `ns = newton_schulz`, a class
/// of the file under another name (`Orthogonal = Ortho`), a function compiled or scripted under a name (`ns =
/// torch.compile(newton_schulz)`). A call
/// through the name is read as a call of the function (`CallSite` resolves it), the bound arguments first.
public struct CallableAlias {
    /// The function's dotted name (imports resolved), or the name of a function of the file.
    public let callee: String
    public let positional: [Node]
    public let keywords: [String: Node]
}

extension PythonFacts {
    static let partialWrappers: Set<String> = ["functools.partial", "partial"]

    /// Activation modules that do what one function does, built without arguments (`inplace=` aside).
    static let functionalModules: [String: String] = [
        "torch.nn.Tanh": "torch.tanh", "torch.nn.Sigmoid": "torch.sigmoid", "torch.nn.ReLU": "torch.nn.functional.relu",
        "torch.nn.GELU": "torch.nn.functional.gelu", "torch.nn.SiLU": "torch.nn.functional.silu",
        "torch.nn.Mish": "torch.nn.functional.mish", "torch.nn.Softplus": "torch.nn.functional.softplus",
        "torch.nn.ReLU6": "torch.nn.functional.relu6", "torch.nn.Softsign": "torch.nn.functional.softsign",
    ]

    /// Names bound once in the file to a callable alias, by a plain assignment or as one place of a pairwise unpacking
    /// (`table, self.turn = Angles, spin`), and the entries of a table of callables bound once (`KERNELS["attention"]`). A name assigned twice, a parameter's name, or the name of a function or
    /// class of the file is left alone: which value a call reaches would depend on the path taken.
    /// Read without call sites (they are built with these aliases).
    func computeCallableAliases() -> [String: CallableAlias] {
        var counts: [String: Int] = [:]
        var candidates: [(name: String, value: Node)] = []
        for assignment in nodes(ofType: ["assignment", "augmented_assignment"]) {
            guard let left = assignment.child(byField: "left") else { continue }
            guard left.type == "identifier" || left.type == "attribute" else {
                // Unpacking binds every name it lists. A pairwise one (`table, self.turn = Angles, spin`, also the
                // `(Angles, spin)` a registry read selects, see `registryEntry`) binds each name to its own value.
                let targets = left.namedChildren.filter { $0.type != "comment" }
                var values: [Node] = []
                if ["pattern_list", "tuple_pattern", "list_pattern"].contains(left.type), assignment.type == "assignment",
                   let right = assignment.child(byField: "right").map(unwrapped), ["tuple", "expression_list"].contains(right.type) {
                    values = right.namedChildren.filter { $0.type != "comment" }
                }
                let pairwise = !values.isEmpty && values.count == targets.count
                    && !(targets + values).contains { $0.type.hasSuffix("splat") || $0.type.hasSuffix("splat_pattern") }
                for (index, target) in targets.enumerated() {
                    if pairwise, target.type == "identifier" || target.type == "attribute" {
                        counts[target.text, default: 0] += 1
                        candidates.append((target.text, unwrapped(values[index])))
                    } else if target.type == "identifier" {
                        counts[target.text, default: 0] += 2
                    }
                }
                continue
            }
            counts[left.text, default: 0] += 1
            if assignment.type == "assignment", let right = assignment.child(byField: "right") {
                candidates.append((left.text, unwrapped(right)))
            }
        }
        guard !candidates.isEmpty else { return [:] }
        var taken = Set(imports.parameterScopes.flatMap(\.names))
        var localFunctions = Set<String>()
        var factories: [String: Node] = [:]
        var defined = Set<String>()
        for node in nodes(ofType: ["function_definition", "class_definition"]) {
            guard let name = node.child(byField: "name")?.text else { continue }
            // A function defined twice is no factory: which definition a call reaches depends on the path.
            if node.type == "function_definition" { factories[name] = defined.contains(name) ? nil : node }
            defined.insert(name)
            taken.insert(name)
            // A class under another name (`Orthogonal = Ortho`) is built as itself, like a function is called.
            localFunctions.insert(name)
        }
        var aliases: [String: CallableAlias] = [:]
        // The entries of a table of callables bound once and never written by key (`KERNELS = {"attention":
        // torch.compile(flex_attention), ...}`, a write `KERNELS["x"] = ...` counts as a second binding): each under its
        // read's name (`KERNELS[attention]`, see `CallSite.keyedEntryName`).
        for (name, value) in candidates where counts[name] == 1 && !taken.contains(name) && value.type == "dictionary" {
            for pair in value.namedChildren where pair.type == "pair" {
                guard let key = pair.child(byField: "key").flatMap(SettingsTable.stringValue),
                      let entry = pair.child(byField: "value").map(unwrapped),
                      let alias = callableAlias(of: entry, known: aliases, localFunctions: localFunctions) else { continue }
                aliases["\(name)[\(key)]"] = alias
            }
        }
        for (name, value) in candidates where counts[name] == 1 && !taken.contains(name) {
            if let alias = callableAlias(of: value, known: aliases, localFunctions: localFunctions)
                ?? factoryAlias(of: value, factories: factories, known: aliases, localFunctions: localFunctions) {
                aliases[name] = alias
            }
        }
        return aliases
    }

    /// Names bound to the function a gradient transform returns, by every assignment of the name in the file:
    /// `value_and_grad = torch.func.grad_and_value(loss_fn)`, also compiled, scripted or wrapped by
    /// `functools.partial` (`torch.compile(torch.func.grad(loss_fn))`); a call through such a name computes gradients
    /// (`CallSite.callsGradientFunction`). A name also bound to anything else (`step = torch.compile(loss_fn)` in
    /// another function) is not one. Read without call sites (they are built with these names).
    func computeGradientFunctionNames() -> Set<String> {
        var assignments: [String: Int] = [:], transforms: [String: Int] = [:]
        for assignment in nodes(ofType: ["assignment", "augmented_assignment"]) {
            guard let left = assignment.child(byField: "left") else { continue }
            assignments[left.text, default: 0] += 1
            guard assignment.type == "assignment", left.type == "identifier" || left.type == "attribute",
                  var value = assignment.child(byField: "right").map(unwrapped), value.type == "call" else { continue }
            // `torch.compile(f, ...)`, `torch.jit.script(f)`, `functools.partial(f, ...)`: what they wrap.
            while value.type == "call", let callee = value.child(byField: "function").flatMap({ imports.qualifiedName(of: $0) }),
                  Self.gradientKeepingWrappers.contains(callee) || Self.partialWrappers.contains(callee),
                  let first = value.child(byField: "arguments")?.namedChildren.first(where: { $0.type != "comment" }),
                  first.type != "keyword_argument" {
                value = unwrapped(first)
            }
            guard value.type == "call", let callee = value.child(byField: "function").flatMap({ imports.qualifiedName(of: $0) }),
                  CallSite.gradientTransforms.contains(callee) else { continue }
            transforms[left.text, default: 0] += 1
        }
        return Set(transforms.filter { assignments[$0.key] == $0.value }.keys)
    }

    /// Wrappers whose result still computes what the wrapped function computes.
    static let gradientKeepingWrappers: Set<String> = ["torch.compile", "torch.jit.script"]

    /// `norm = pick_norm()`: a function of the file (defined once, `factories`) whose first `return` hands back a
    /// function: a nested function of its own (calls read as calls of it), a partial of a callable the call passes it
    /// (`DDP = patch(DDP)` with `return functools.partial(ddp_cls, gradient_as_bucket_view=True)`), what another such
    /// factory makes, or a lambda that passes its first argument
    /// on to a callable (`lambda t: fused(t, (t.size(-1),))`, with `fused = getattr(F, "rms_norm", None)` in the
    /// factory). The first return is the path the factory prefers (a capability check's fast path comes first).
    private func factoryAlias(of value: Node, factories: [String: Node], known: [String: CallableAlias],
                              localFunctions: Set<String>, depth: Int = 0) -> CallableAlias? {
        guard value.type == "call", let callee = value.child(byField: "function"), callee.type == "identifier",
              let factory = factories[callee.text], let body = factory.child(byField: "body") else { return nil }
        let nested = Set(descendants(of: body).filter { $0.type == "function_definition" }.compactMap { $0.child(byField: "name")?.text })
        // The factory's own returns, not those of the functions and lambdas it defines.
        let own = descendants(of: body).filter { node in
            guard node.type == "return_statement" else { return false }
            var ancestor = node.parent
            while let a = ancestor, a != factory {
                if a.type == "function_definition" || a.type == "lambda" { return false }
                ancestor = a.parent
            }
            return true
        }
        guard let first = own.first,
              let firstReturned = first.namedChildren.first(where: { $0.type != "comment" }).map(unwrapped) else { return nil }
        // A factory that picks what it returns by a mode string (`if kind == "relu2": return relu2` beside other kinds):
        // the return the call's mode selects, not the first; no alias when its mode is not written at the call.
        let selected: Node? = modeReturn(own, factory: factory, call: value) ?? firstReturned
        guard let returned = selected else { return nil }
        if returned.type == "identifier", nested.contains(returned.text) {
            return CallableAlias(callee: returned.text, positional: [], keywords: [:])
        }
        if returned.type == "call", case let inner = CallSite(node: returned, imports: imports), !inner.hasSplat {
            // A partial of one of the factory's parameters (`return functools.partial(ddp_cls, gradient_as_bucket_view=True)`
            // in `patch(ddp_cls)`, called `patch(DDP)`): the callable the call passes, the partial's arguments bound.
            let parameters = functions.first { $0.node == factory }?.parameters ?? []
            if Self.partialWrappers.contains(inner.callee), let target = inner.positional.first.map(unwrapped), target.type == "identifier",
               let index = parameters.firstIndex(of: target.text) {
                let outer = CallSite(node: value, imports: imports)
                guard let passed = outer.argument(target.text, position: index).map(unwrapped),
                      let base = callableAlias(of: passed, known: known, localFunctions: localFunctions) else { return nil }
                return CallableAlias(callee: base.callee, positional: base.positional + inner.positional.dropFirst(),
                                     keywords: base.keywords.merging(inner.keywords) { _, bound in bound })
            }
            // What another factory of the file makes (`return patch_ddp_factory(DDP)`).
            if depth < 3, let made = factoryAlias(of: returned, factories: factories, known: known, localFunctions: localFunctions, depth: depth + 1) {
                return made
            }
        }
        guard returned.type == "lambda", let parameter = lambdaParameters(returned).first,
              let inner = returned.child(byField: "body").map(unwrapped), inner.type == "call",
              let target = inner.child(byField: "function"), let arguments = inner.child(byField: "arguments") else { return nil }
        let passed = arguments.namedChildren.filter { $0.type != "comment" }
        guard let head = passed.first, head.type == "identifier", head.text == parameter,
              !passed.dropFirst().contains(where: { $0.type == "keyword_argument" || $0.type.hasSuffix("splat") }) else { return nil }
        var resolved = callableAlias(of: target, known: known, localFunctions: localFunctions)
        // A local of the factory holding a library function looked up by name: `getattr(F, "rms_norm", None)`.
        if resolved == nil, target.type == "identifier", let held = latestValue(of: target.text, before: target).map(unwrapped),
           held.type == "call", held.child(byField: "function")?.text == "getattr" {
            let lookup = held.child(byField: "arguments")?.namedChildren.filter { $0.type != "comment" } ?? []
            if lookup.count >= 2, let attribute = SettingsTable.stringValue(lookup[1]),
               let module = imports.qualifiedName(of: lookup[0]) {
                resolved = CallableAlias(callee: "\(module).\(attribute)", positional: [], keywords: [:])
            }
        }
        return resolved
    }

    /// The value a mode-dispatching factory returns for one call, read from the syntax alone (the aliases are made
    /// before calls can be read): the `return`s are tried in order, each guarded by the innermost `if` / `elif` whose
    /// test compares a parameter of the factory with a string (`kind == "trapezoid"`); the first whose string is the
    /// one the call writes for that parameter (by keyword or position, else the parameter's default), or the first
    /// unguarded one, is taken. `.some(nil)` when the factory dispatches on a mode the call does not write as a string
    /// (a setting, a `**` spread) or selects no return; nil when the factory's first return is guarded by no mode
    /// test (it is no mode dispatch).
    private func modeReturn(_ returns: [Node], factory: Node, call: Node) -> Node?? {
        let declared = factory.child(byField: "parameters")?.namedChildren.filter { $0.type != "comment" } ?? []
        let parameters = declared.compactMap { p -> String? in p.type == "identifier" ? p.text : p.child(byField: "name")?.text }
        // The parameter a return is guarded by and the string it must equal.
        func guardOf(_ statement: Node) -> (parameter: String, mode: String)? {
            var child = statement
            var ancestor = statement.parent
            while let a = ancestor, a != factory {
                if a.type == "if_statement" || a.type == "elif_clause", child == a.child(byField: "consequence"),
                   let test = a.child(byField: "condition").map(unwrapped), test.type == "comparison_operator",
                   test.children.filter({ !$0.isNamed }).map(\.type) == ["=="] {
                    let operands = test.namedChildren.map(unwrapped)
                    if operands.count == 2, let name = operands.first(where: { $0.type == "identifier" && parameters.contains($0.text) })?.text,
                       let mode = operands.first(where: { $0.type == "string" }).flatMap(SettingsTable.stringValue) {
                        return (name, mode)
                    }
                }
                child = a
                ancestor = a.parent
            }
            return nil
        }
        guard let head = returns.first, guardOf(head) != nil else { return nil }
        let arguments = call.child(byField: "arguments")?.namedChildren.filter { $0.type != "comment" } ?? []
        // The string the call writes for a parameter (by keyword, or by position before any keyword or spread), else
        // the parameter's default; nil when it is not written as a string.
        func written(_ parameter: String) -> String? {
            for argument in arguments where argument.type == "keyword_argument" && argument.child(byField: "name")?.text == parameter {
                return argument.child(byField: "value").map(unwrapped).flatMap(SettingsTable.stringValue)
            }
            if arguments.contains(where: { $0.type == "dictionary_splat" }) { return nil }
            let positional = arguments.prefix { !["keyword_argument", "list_splat", "dictionary_splat"].contains($0.type) }
            let ordinary = declared.filter { ["identifier", "default_parameter", "typed_parameter", "typed_default_parameter"].contains($0.type) }
            if let index = ordinary.firstIndex(where: { ($0.type == "identifier" ? $0.text : $0.child(byField: "name")?.text) == parameter }) {
                if index < positional.count { return SettingsTable.stringValue(unwrapped(positional[index])) }
                return ordinary[index].child(byField: "value").map(unwrapped).flatMap(SettingsTable.stringValue)
            }
            return nil
        }
        for statement in returns {
            guard let value = statement.namedChildren.first(where: { $0.type != "comment" }).map(unwrapped) else { continue }
            guard let test = guardOf(statement) else { return .some(value) }
            guard let mode = written(test.parameter) else { return .some(nil) }
            if mode == test.mode { return .some(value) }
        }
        return .some(nil)
    }

    /// What a callable handed over as an argument stands for: a name bound to an alias (`make_optimizer=make_adamw`
    /// with `make_adamw = partial(torch.optim.AdamW, lr=...)`), or a reference or `functools.partial(...)` written in
    /// place (`torch.optim.AdamW`, `partial(Muon, lr=0.05)`): the function with the arguments it binds; nil for
    /// anything else.
    func passedCallable(_ argument: Node) -> CallableAlias? {
        let local = Set(functions.map(\.name)).union(classNameSet)
        return callableAlias(of: unwrapped(argument), known: callableAliases, localFunctions: local)
    }

    private func callableAlias(of value: Node, known: [String: CallableAlias], localFunctions: Set<String>) -> CallableAlias? {
        switch value.type {
        case "identifier", "attribute":
            if let alias = known[value.text] { return alias }
            if value.type == "identifier", localFunctions.contains(value.text) {
                return CallableAlias(callee: value.text, positional: [], keywords: [:])
            }
            // An autograd function of the file under another name (`relu_sq = ReluSquare.apply`): calls read as
            // `ReluSquare.apply(...)` (see `autogradForwards`).
            if value.type == "attribute", value.child(byField: "attribute")?.text == "apply",
               let owner = value.child(byField: "object"), owner.type == "identifier", localFunctions.contains(owner.text) {
                return CallableAlias(callee: value.text, positional: [], keywords: [:])
            }
            // A library function under another name: the expression starts with an imported name.
            var head = value
            while head.type == "attribute", let object = head.child(byField: "object") { head = object }
            guard head.type == "identifier", imports.bindings[head.text] != nil, let qualified = imports.qualifiedName(of: value) else { return nil }
            return CallableAlias(callee: qualified, positional: [], keywords: [:])
        case "call":
            let call = CallSite(node: value, imports: imports)
            guard !call.hasSplat else { return nil }
            if Self.partialWrappers.contains(call.callee), let target = call.positional.first.map(unwrapped) {
                let base: CallableAlias
                if let alias = callableAlias(of: target, known: known, localFunctions: localFunctions) {
                    base = alias
                } else if target.type == "identifier" || target.type == "attribute" {
                    // A name set elsewhere (`torch.compile(flex_attention)`): calls keep it as their callee.
                    base = CallableAlias(callee: imports.qualifiedName(of: target) ?? target.text, positional: [], keywords: [:])
                } else {
                    return nil
                }
                return CallableAlias(callee: base.callee, positional: base.positional + call.positional.dropFirst(),
                                     keywords: base.keywords.merging(call.keywords) { _, bound in bound })
            }
            // `torch.compile(f)`, `torch.jit.script(f)`: the function they wrap, when that is one (a module compiled
            // under a name, `model = torch.compile(model)`, is not).
            if Self.gradientKeepingWrappers.contains(call.callee), let target = call.positional.first.map(unwrapped) {
                return callableAlias(of: target, known: known, localFunctions: localFunctions)
            }
            if let functional = Self.functionalModules[call.callee], call.positional.isEmpty,
               call.keywords.keys.allSatisfy({ $0 == "inplace" }) {
                return CallableAlias(callee: functional, positional: [], keywords: [:])
            }
            return nil
        case "lambda":
            return lambdaAlias(value, known: known, localFunctions: localFunctions)
        default:
            return nil
        }
    }

    /// A lambda that is a partial application written out: `lambda i, o: nn.Linear(i, o, bias=False)` stands for
    /// `nn.Linear` with `bias=False` bound. Its body calls a callable with arguments that do not mention the lambda's
    /// parameters, then exactly its parameters in order, and keywords that do not mention them either. Anything
    /// else (a parameter used twice or out of order, a method called on the result) is a new function.
    private func lambdaAlias(_ lambda: Node, known: [String: CallableAlias], localFunctions: Set<String>) -> CallableAlias? {
        guard let parameterList = lambda.child(byField: "parameters"),
              parameterList.namedChildren.allSatisfy({ $0.type == "identifier" }),
              let body = lambda.child(byField: "body").map(unwrapped), body.type == "call",
              let target = body.child(byField: "function").map(unwrapped) else { return nil }
        let parameters = parameterList.namedChildren.map(\.text)
        let call = CallSite(node: body, imports: imports)
        guard !parameters.isEmpty, !call.hasSplat, call.positional.count >= parameters.count else { return nil }
        let bound = call.positional.dropLast(parameters.count)
        let passed = call.positional.suffix(parameters.count).map(unwrapped)
        guard passed.map(\.text) == parameters, passed.allSatisfy({ $0.type == "identifier" }) else { return nil }
        let names = Set(parameters)
        func mentionsParameter(_ node: Node) -> Bool {
            descendants(of: node).contains { $0.type == "identifier" && names.contains($0.text) }
        }
        guard !bound.contains(where: mentionsParameter), !call.keywords.values.contains(where: mentionsParameter),
              let base = callableAlias(of: target, known: known, localFunctions: localFunctions) else { return nil }
        return CallableAlias(callee: base.callee, positional: base.positional + bound,
                             keywords: base.keywords.merging(call.keywords) { _, bound in bound })
    }
}
