import Foundation
import Parsing
import TreeSitterKit

/// Reading Python expressions the way detectors need them: what a reference names once wrappers such as
/// `.weight`, `.data`, `.detach()` or `.T` are stripped, matrix products in any spelling, the value a local name
/// holds at a point of a function, and numbers computed from an expression with some names bound (a schedule
/// evaluated at a given step).
extension PythonFacts {
    // MARK: Walking

    /// The ancestors of a node, innermost first.
    public func ancestors(of node: Node) -> [Node] {
        var result: [Node] = []
        var current = node.parent
        while let c = current {
            result.append(c)
            current = c.parent
        }
        return result
    }

    /// Conditions known to hold at a node because a guard before it leaves otherwise: `X` (unparenthesized) for each
    /// `if not X:` of `exitGuards(at:)` (`if not isinstance(m, C): continue`, then `m.float()` runs only for a `C`).
    /// A guard whose condition is not a negation gives nothing.
    public func conditionsHeld(at node: Node) -> [Node] {
        exitGuards(at: node).compactMap { condition in
            condition.type == "not_operator" ? condition.child(byField: "argument").map(unwrapped) : nil
        }
    }

    /// The conditions (unparenthesized) of the guards a run passes before reaching a node, each of which leaves when it
    /// holds: an `if` with no `elif` or `else` whose body ends by leaving (`continue`, `break`, `return`, `raise`) and
    /// that precedes the statement holding the node in a block around it, inside the node's function (`if self.attn is
    /// None: ...; return x`, then `self.attn(h)` runs only when the module is there).
    public func exitGuards(at node: Node) -> [Node] {
        let exits: Set<String> = ["continue_statement", "break_statement", "return_statement", "raise_statement"]
        var result: [Node] = []
        var child = node
        for a in ancestors(of: node) {
            if ["function_definition", "lambda", "class_definition"].contains(a.type) { break }
            defer { child = a }
            guard a.type == "block" || a.type == "module" else { continue }
            for statement in a.namedChildren where statement.type == "if_statement" && statement.endByte <= child.startByte {
                guard !statement.namedChildren.contains(where: { $0.type == "elif_clause" || $0.type == "else_clause" }),
                      let condition = statement.child(byField: "condition").map(unwrapped),
                      let last = statement.child(byField: "consequence")?.namedChildren.last(where: { $0.type != "comment" }),
                      exits.contains(last.type) else { continue }
                result.append(condition)
            }
        }
        return result
    }

    /// The `for` statements around a node inside its function (innermost first).
    public func enclosingLoops(_ node: Node) -> [Node] {
        var result: [Node] = []
        for a in ancestors(of: node) {
            if a.type == "function_definition" || a.type == "class_definition" { break }
            if a.type == "for_statement" || a.type == "while_statement" { result.append(a) }
        }
        return result
    }

    /// The folds of a function (`scope`; nil for module level) and the function each runs once per item, as a loop
    /// runs its body: `functools.reduce(f, items[, initial])` (also `reduce` imported from `functools`) with `f` a
    /// lambda written there, the lambda a name holds (`step = lambda carry, block: block(carry[0], x0)`), or a function
    /// of the file it names (see `functionsDenoted`). The folded function is the lambda or `def` node.
    public func folds(in scope: Node?) -> [(call: Node, function: Node)] {
        allFolds.filter { enclosingFunction($0.call)?.node == scope }
    }

    /// Every fold of the file, whatever function holds it (see `folds(in:)`). Read once per file.
    public var allFolds: [(call: Node, function: Node)] {
        memoized("allFolds") { () -> [(call: Node, function: Node)] in
            calls.compactMap { call -> (call: Node, function: Node)? in
                guard call.callee == "functools.reduce" || (call.callee == "reduce" && function(named: "reduce").isEmpty),
                      call.positional.count >= 2, !call.hasSplat else { return nil }
                let folded = unwrapped(call.positional[0])
                if folded.type == "lambda" { return (call: call.node, function: folded) }
                guard folded.type == "identifier" else { return nil }
                if let value = latestValue(of: folded.text, before: call.node).map(unwrapped), value.type == "lambda" { return (call: call.node, function: value) }
                let bound = boundLambdas(named: folded.text)
                if bound.count == 1, let lambda = bound.first?.lambda { return (call: call.node, function: lambda) }
                let named = functionsDenoted(by: folded, depth: 0)
                return named.count == 1 ? (call: call.node, function: named[0].node) : nil
            }
        }
    }

    /// The fold that runs a function (a lambda or `def` node) once per item, as a loop runs its body (see `folds`): the
    /// `reduce` call, the items it walks (its second argument), and the names the function gives the accumulator and the
    /// item (its first two parameters, after `self` for a method). Nil for a function no fold runs.
    public func fold(running function: Node) -> (call: Node, items: Node, accumulator: String, element: String)? {
        guard function.type == "function_definition" || function.type == "lambda" else { return nil }
        let byFunction = memoized("foldsByFunction") { () -> [Node: Node] in
            // Most files fold nothing: no reading of names for them.
            guard calls.contains(where: { $0.name == "reduce" || $0.callee == "functools.reduce" }) else { return [:] }
            var index: [Node: Node] = [:]
            for fold in allFolds where index[fold.function] == nil { index[fold.function] = fold.call }
            return index
        }
        guard let call = byFunction[function] else { return nil }
        let site = callSite(call)
        let parameters = function.type == "lambda" ? lambdaParameters(function)
            : functions.first(where: { $0.node == function })?.passedParameters ?? []
        guard parameters.count >= 2, site.positional.count >= 2 else { return nil }
        return (call: call, items: site.positional[1], accumulator: parameters[0], element: parameters[1])
    }

    /// What runs a node once per item, innermost first: the `for` / `while` statements around it (as `enclosingLoops`)
    /// and the functions a fold runs once per item (`fold(running:)`: `functools.reduce(step, blocks, x)` runs `step`'s
    /// body per block, as a loop runs its body). Past a folded function the walk goes on from the fold's call, so the
    /// loops (and folds) around the call enclose the function's body too; it stops at any other `def` or class.
    public func enclosingIterations(_ node: Node) -> [Node] {
        var result: [Node] = []
        var seen = Set<Node>()
        var current = node.parent
        while let a = current {
            if a.type == "for_statement" || a.type == "while_statement" { result.append(a) }
            if a.type == "function_definition" || a.type == "lambda", seen.insert(a).inserted, let running = fold(running: a) {
                result.append(a)
                current = running.call.parent
                continue
            }
            if a.type == "function_definition" || a.type == "class_definition" { break }
            current = a.parent
        }
        return result
    }

    /// The names an iteration of `enclosingIterations` binds per item: a `for` statement's variables (`loopVariables`);
    /// for a `while` statement, the counters its body counts up by one by hand (`depth += 1`, see `stepVariables`), as
    /// `for depth in range(...)` would bind them; for a folded function, its item parameter and the names its body
    /// unpacks that parameter into (`i, block = item`, as `for i, block in ...` would bind them).
    public func iterationVariables(_ iteration: Node) -> [String] {
        if iteration.type == "while_statement" { return stepVariables(iteration) }
        guard iteration.type == "function_definition" || iteration.type == "lambda" else { return loopVariables(iteration) }
        guard let running = fold(running: iteration) else { return [] }
        var names = [running.element]
        for assignment in descendants(of: iteration) where assignment.type == "assignment" {
            guard let right = assignment.child(byField: "right").map(unwrapped), right.type == "identifier", right.text == running.element,
                  let left = assignment.child(byField: "left") else { continue }
            names += descendants(of: left).filter { $0.type == "identifier" }.map(\.text)
        }
        return names
    }

    /// Where a node runs in the function that holds it once folds are read as loops: for a node in a function a fold
    /// runs (see `enclosingIterations`), the call of the outermost such fold (`carry = functools.reduce(descend, blocks,
    /// carry)` for a `stash.append(h)` in `descend`); the node itself otherwise. Two nodes of one function run in the
    /// order of their anchors.
    public func foldAnchor(_ node: Node) -> Node {
        guard let outermost = enclosingIterations(node).last(where: { $0.type == "function_definition" || $0.type == "lambda" }),
              let running = fold(running: outermost) else { return node }
        return running.call
    }

    /// The names a `for` statement binds (`i`, `(i, block)`).
    public func loopVariables(_ loop: Node) -> [String] {
        guard let left = loop.child(byField: "left") else { return [] }
        return descendants(of: left).filter { $0.type == "identifier" }.map(\.text)
    }

    /// Identifiers named `name` inside `node`.
    public func uses(of name: String, in node: Node) -> [Node] {
        descendants(of: node).filter { $0.type == "identifier" && $0.text == name }
    }

    /// Whether an expression mentions the identifier `name` (as a variable, not as an attribute of something).
    public func mentions(_ node: Node, _ name: String) -> Bool {
        descendants(of: node).contains { n in
            n.type == "identifier" && n.text == name && !(n.parent?.type == "attribute" && n.parent?.child(byField: "attribute") == n)
                && !(n.parent?.type == "keyword_argument" && n.parent?.child(byField: "name") == n)
        }
    }

    /// Whether an expression reads `name` itself or through up to `hops` locals set before it (`frac = step / n`,
    /// `remaining = 1 - frac`: `min(remaining / cool, 1.0)` reads `step`).
    public func mentions(_ node: Node, _ name: String, throughLocals hops: Int) -> Bool {
        if mentions(node, name) { return true }
        guard hops > 0 else { return false }
        return descendants(of: node).contains { local in
            local.type == "identifier" && local.text != name
                && !(local.parent?.type == "attribute" && local.parent?.child(byField: "attribute") == local)
                && latestValue(of: local.text, before: local).map { $0 != local && mentions($0, name, throughLocals: hops - 1) } == true
        }
    }

    /// The class of the file a parameter is annotated with (`scales: FP8Scales` in `def f(x, scales: FP8Scales)`),
    /// for a name that is a parameter of its function; nil without an annotation naming such a class.
    public func annotatedClass(ofParameter identifier: Node) -> Class? {
        guard identifier.type == "identifier", let function = parameterOwner(of: identifier),
              let parameters = function.node.child(byField: "parameters") else { return nil }
        for parameter in parameters.namedChildren where ["typed_parameter", "typed_default_parameter"].contains(parameter.type) {
            let name = parameter.type == "typed_default_parameter" ? parameter.child(byField: "name") : parameter.namedChildren.first
            guard name?.text == identifier.text, let annotation = parameter.child(byField: "type") else { continue }
            // `Optional[C]`, `C | None` and string annotations name C too; `type[C]` names a class object, not a C.
            return annotatedClasses(annotation).first
        }
        return nil
    }

    // MARK: References

    /// Wrappers that keep the identity of a tensor or module: `w.data`, `w.detach()`, `w.T`, `w.float()`, ...
    static let transparentAttributes: Set<String> = ["weight", "data", "T", "mT", "mH"]
    static let transparentMethods: Set<String> = [
        "detach", "t", "float", "bfloat16", "half", "to", "type_as", "contiguous", "transpose", "view", "view_as",
        "reshape", "cuda", "clone", "flatten", "permute",
    ]

    /// The bare name of what an expression refers to, with wrappers stripped: `self.transformer.wte.weight.T`
    /// -> `wte`, `self.lm_head.weight.data` -> `lm_head`, `model.embed` -> `embed`, `cfg["lr"]` -> `lr`.
    public func ownerName(of node: Node) -> String? {
        var current = node
        while true {
            switch current.type {
            case "parenthesized_expression":
                guard let inner = current.namedChild(0) else { return nil }
                current = inner
            case "attribute":
                guard let attribute = current.child(byField: "attribute")?.text, let object = current.child(byField: "object") else { return nil }
                if Self.transparentAttributes.contains(attribute) { current = object } else { return attribute }
            case "call":
                // An attribute looked up by name with one possible name (`getattr(self, name).weight` in `for name in
                // ("lm_head",)`, `operator.attrgetter(key)(self)`; see `attributeRead`): that name.
                if let read = attributeRead(current), Set(read.names).count == 1 { return read.names[0] }
                guard let function = current.child(byField: "function"), function.type == "attribute",
                      let method = function.child(byField: "attribute")?.text, Self.transparentMethods.contains(method),
                      let object = function.child(byField: "object") else { return nil }
                current = object
            default:
                return SettingsTable.bareName(of: current)
            }
        }
    }

    /// The attribute a module expression reads, as its object and the names the attribute may have: `obj.name`,
    /// `getattr(obj, "name")`, `getattr(obj, key)` with `key` holding strings (`getattr(self, self.output_attr)`, with
    /// `output_attr = "c_proj"` in the class body, or a loop variable over strings, see `iteratedStrings`),
    /// `operator.attrgetter(key)(obj)` read the same way (a dotted path names its last attribute:
    /// `"transformer.lm_head"` reads `lm_head`), or a function's local set to one of those before the read (`proj =
    /// getattr(self, self.output_attr)`; not a parameter). Nil otherwise.
    public func attributeRead(_ node: Node, depth: Int = 0) -> (object: Node, names: [String])? {
        let n = unwrapped(node)
        switch n.type {
        case "attribute":
            guard let object = n.child(byField: "object"), let name = n.child(byField: "attribute")?.text else { return nil }
            return (object, [name])
        case "call":
            let call = callSite(n)
            let object: Node, key: Node
            var dotted = false
            if call.callee == "getattr", call.positional.count >= 2 {
                object = call.positional[0]
                key = call.positional[1]
            } else if let getter = call.function.map(unwrapped), getter.type == "call", call.positional.count == 1, call.keywords.isEmpty,
                      case let lookup = callSite(getter), lookup.callee == "operator.attrgetter", lookup.positional.count == 1 {
                // `operator.attrgetter(key)(obj)`: the getter made and applied at once.
                object = call.positional[0]
                key = lookup.positional[0]
                dotted = true
            } else {
                return nil
            }
            var names = SettingsTable.stringValue(key).map { [$0] } ?? Set(origins(of: key).compactMap(SettingsTable.stringValue)).sorted()
            if names.isEmpty { names = iteratedStrings(unwrapped(key)) }
            if dotted { names = names.map { $0.split(separator: ".").last.map(String.init) ?? $0 } }
            return names.isEmpty ? nil : (object, names)
        case "identifier":
            guard depth < 3, enclosingFunction(n) != nil, parameterOwner(of: n) == nil,
                  let value = latestValue(of: n.text, before: n), value != n else { return nil }
            return attributeRead(value, depth: depth + 1)
        default:
            return nil
        }
    }

    /// A call of a function looked up by a computed name (`getattr(torch.backends.cuda, "enable_%s_sdp" % nm)(on)`):
    /// the function's qualified name and the call's positional arguments, once per pass of the `for` loop around the
    /// call over a table the interpreter computes (`for nm, on in (("cudnn", True), ("flash", False)):`, also a name
    /// set to one, the `.items()` of keywords an object was built with, or an object whose `__iter__` returns those,
    /// see `ScriptInterpreter.iterated`), or once when the call is in no loop. Names are computed with the loop's variables bound (`%`
    /// formatting, f-strings, `+`), booleans as 1 and 0; a pass whose name cannot be computed is left out. Also a
    /// function taken from the rows of the table the loop walks (`for toggle, on in ((torch.backends.cuda.enable_cudnn_sdp,
    /// True), ...): toggle(on)`, see `tabledCalls`). Empty for any other call.
    public func lookedUpCalls(_ call: CallSite) -> [(callee: String, arguments: [ScriptValue?])] {
        guard let function = call.function.map(unwrapped) else { return [] }
        if function.type == "identifier" { return tabledCalls(call, function) }
        if function.type == "subscript" { return keyedCalls(call, function) }
        guard function.type == "call" else { return [] }
        let lookup = callSite(function)
        guard lookup.callee == "getattr", lookup.positional.count >= 2 else { return [] }
        let object = imports.qualifiedName(of: lookup.positional[0]) ?? lookup.positional[0].text
        let interpreter = ScriptInterpreter(self)
        var result: [(callee: String, arguments: [ScriptValue?])] = []
        for env in loopPasses(around: call, interpreter) ?? [] {
            guard case .string(let name)? = interpreter.value(of: lookup.positional[1], env: env) else { continue }
            result.append((callee: object + "." + name, arguments: call.positional.map { interpreter.value(of: $0, env: env) }))
        }
        return result
    }

    /// The bindings of the variables of the `for` loop around a call, one per pass over what the interpreter computes
    /// its iterable to be; one empty pass for a call in no loop, nil when the walk is unknown.
    private func loopPasses(around call: CallSite, _ interpreter: ScriptInterpreter) -> [[String: ScriptValue]]? {
        guard let loop = enclosingLoops(call.node).first else { return [[:]] }
        guard loop.type == "for_statement", let target = loop.child(byField: "left"), let iterable = loop.child(byField: "right"),
              case .tuple(let items)? = interpreter.iteration(of: iterable) else { return nil }
        return items.compactMap { item -> [String: ScriptValue]? in
            var env: [String: ScriptValue] = [:]
            return interpreter.bind(target, item, &env) ? env : nil
        }
    }

    /// A call of a function taken from a table of functions by a key (`toggles[name](on)` with `toggles =
    /// dict(cudnn=torch.backends.cuda.enable_cudnn_sdp, ...)`, a dictionary literal of such references, or any table
    /// `writtenEntries` reads): per pass of the loop around the call (see `loopPasses`), the qualified name of the entry
    /// its key computes and the call's positional arguments. A pass whose key is unknown or names no reference of the
    /// table is left out.
    func keyedCalls(_ call: CallSite, _ function: Node) -> [(callee: String, arguments: [ScriptValue?])] {
        guard let table = function.child(byField: "value"), let key = function.child(byField: "subscript"),
              let entries = writtenEntries(table, depth: 0) else { return [] }
        var references: [String: String] = [:]
        for case let (name?, value) in entries {
            let entry = unwrapped(value)
            if isReferenceChain(entry), let callee = imports.qualifiedName(of: entry) { references[name] = callee }
        }
        guard !references.isEmpty else { return [] }
        let interpreter = ScriptInterpreter(self)
        var result: [(callee: String, arguments: [ScriptValue?])] = []
        for env in loopPasses(around: call, interpreter) ?? [] {
            guard case .string(let name)? = interpreter.value(of: key, env: env), let callee = references[name] else { continue }
            result.append((callee: callee, arguments: call.positional.map { interpreter.value(of: $0, env: env) }))
        }
        return result
    }

    /// A call of a function taken from the rows of the table its `for` loop walks (`for toggle, on in
    /// ((torch.backends.cuda.enable_cudnn_sdp, True), (torch.backends.cuda.enable_flash_sdp, False)): toggle(on)`, the
    /// table written out or set to a name before the loop): per row, the qualified name of the function in the loop
    /// variable's place and the call's positional arguments with the row's other cells bound to their variables
    /// (booleans as 1 and 0). A row whose function is no reference chain is left out; empty when the called name is
    /// no variable of the innermost loop around the call or the table is not written out.
    func tabledCalls(_ call: CallSite, _ function: Node) -> [(callee: String, arguments: [ScriptValue?])] {
        guard let loop = enclosingLoops(call.node).first, loop.type == "for_statement",
              let target = loop.child(byField: "left"), let iterable = loop.child(byField: "right") else { return [] }
        let names = target.type == "identifier" ? [target] : target.namedChildren.filter { $0.type != "comment" }
        guard let place = names.firstIndex(where: { $0.type == "identifier" && $0.text == function.text }) else { return [] }
        var table = unwrapped(iterable)
        if table.type == "identifier", let value = latestValue(of: table.text, before: loop) { table = unwrapped(value) }
        guard ["tuple", "list"].contains(table.type) else { return [] }
        let interpreter = ScriptInterpreter(self)
        var result: [(callee: String, arguments: [ScriptValue?])] = []
        for row in table.namedChildren where row.type != "comment" {
            var cells = [row]
            if target.type != "identifier" {
                let unpacked = unwrapped(row)
                guard ["tuple", "list"].contains(unpacked.type) else { continue }
                cells = unpacked.namedChildren.filter { $0.type != "comment" }
                guard cells.count == names.count else { continue }
            }
            let cell = unwrapped(cells[place])
            guard isReferenceChain(cell), let callee = imports.qualifiedName(of: cell) else { continue }
            var env: [String: ScriptValue] = [:]
            for (name, value) in zip(names, cells) where name.type == "identifier" && name.text != function.text {
                if let v = interpreter.value(of: value) { env[name.text] = v }
            }
            result.append((callee: callee, arguments: call.positional.map { interpreter.value(of: $0, env: env) }))
        }
        return result
    }

    /// The strings a loop variable runs over (`name` in `for name in names:`): the string items of a literal tuple or
    /// list it iterates, or of a setting holding one (`for name in config.zero_init_modules:` with the field's default
    /// `("lm_head",)`, see `foldedStringList`), or, when it iterates a `*names` parameter of its function (or of an
    /// outer function it is nested in), the strings every call of that function passes from that parameter's place on
    /// (`zero_init("c_proj", "w_out")`, also as a decorator). Empty otherwise.
    public func iteratedStrings(_ variable: Node) -> [String] {
        guard variable.type == "identifier" else { return [] }
        for binding in dataflow.bindings(of: variable.text, at: variable) {
            guard case .iteration(.none) = binding.kind else { continue }
            let iterable = unwrapped(binding.node)
            if ["tuple", "list"].contains(iterable.type) {
                return iterable.namedChildren.compactMap { SettingsTable.stringValue(unwrapped($0)) }
            }
            // A configuration field or module constant holding a list of strings (not a parameter: see below).
            if iterable.type == "attribute" || iterable.type == "subscript" || iterable.type == "identifier" && parameterOwner(of: iterable) == nil,
               let listed = foldedStringList(iterable, depth: 0) {
                return listed
            }
            guard iterable.type == "identifier", let owner = parameterOwner(of: iterable),
                  let index = owner.parameters.firstIndex(of: iterable.text),
                  owner.node.child(byField: "parameters")?.namedChildren.contains(where: { p in
                      p.type == "list_splat_pattern" && p.namedChildren.first?.text == iterable.text
                  }) == true else { continue }
            let position = index - owner.passedOffset
            var strings: [String] = []
            var seen = Set<Node>()
            for (call, _) in callerBindings(of: iterable) where seen.insert(call.node).inserted {
                strings += call.positional.dropFirst(max(position, 0)).compactMap { SettingsTable.stringValue(unwrapped($0)) }
            }
            return strings
        }
        return []
    }

    /// Whether an expression is a plain reference chain (`x`, `self.a.b`), with no call or subscript in it.
    public func isReferenceChain(_ node: Node) -> Bool {
        switch node.type {
        case "identifier": return true
        case "attribute": return node.child(byField: "object").map(isReferenceChain) ?? false
        default: return false
        }
    }

    /// The innermost call of a method chain: `nn.Embedding(v, d).to(torch.bfloat16)` -> `nn.Embedding(v, d)`.
    public func constructorCall(_ node: Node) -> CallSite? {
        guard node.type == "call" else { return nil }
        var current = node
        while true {
            if let function = current.child(byField: "function"), function.type == "attribute",
               let object = function.child(byField: "object"), object.type == "call" {
                current = object
            } else if let inner = passedThrough(current), inner.type == "call" {
                current = inner
            } else {
                break
            }
        }
        return callSite(current)
    }

    /// For a call of a file function that hands back the object it is given (`def zero_init_(m): ...; return m`),
    /// the argument it passes: `zero_init_(nn.Linear(d, d))` builds a linear layer.
    public func passedThrough(_ node: Node) -> Node? {
        guard node.type == "call", let function = node.child(byField: "function"), function.type == "identifier",
              passThroughFunctions.contains(function.text) else { return nil }
        return callSite(node).positional.first
    }

    /// Module-level functions whose every `return` gives back their first parameter.
    var passThroughFunctions: Set<String> {
        memoized("passThroughFunctions") {
            Set(functions.filter { f in
                guard enclosingClass(f.node) == nil, let first = f.parameters.first, f.node.parent?.type == "module" else { return false }
                let returns = descendants(of: f.node).filter { $0.type == "return_statement" }
                return !returns.isEmpty && returns.allSatisfy { r in
                    r.namedChildren.first.map { unparenthesized($0).text } == first && enclosingFunction(r)?.node == f.node
                }
            }.map(\.name))
        }
    }

    /// The two factors of a product written as an operator or a method: `a * b`, `a.mul(b)`, `a.multiply(b)`,
    /// `torch.mul(a, b)`. Nil for anything else (an in-place `mul_` included).
    public func productOperands(_ node: Node) -> (Node, Node)? {
        let node = unparenthesized(node)
        if node.type == "binary_operator", node.child(byField: "operator")?.type == "*",
           let left = node.child(byField: "left"), let right = node.child(byField: "right") {
            return (left, right)
        }
        guard node.type == "call" else { return nil }
        let call = callSite(node)
        guard ["mul", "multiply"].contains(call.name), call.keywords.isEmpty else { return nil }
        // The function form (`torch.mul(a, b)`) by its full name; a method on any other receiver, also a chain that
        // starts at `torch` (`torch.arange(n).mul(s)`).
        if ["torch.mul", "torch.multiply"].contains(call.callee) { return call.positional.count == 2 ? (call.positional[0], call.positional[1]) : nil }
        if let receiver = call.receiver, call.positional.count == 1 { return (receiver, call.positional[0]) }
        return nil
    }

    /// An equality test written as an operator or a tensor method: `a == b` / `a != b` (one operator), `a.eq(b)` /
    /// `a.ne(b)`, `torch.eq(a, b)` / `torch.ne(a, b)`; the operator (`==` or `!=`) and the two operands.
    public func equalityOperands(_ node: Node) -> (op: String, left: Node, right: Node)? {
        if node.type == "comparison_operator" {
            let operands = node.namedChildren
            let operators = node.children.filter { !$0.isNamed }.map(\.type)
            guard operands.count == 2, operators == ["=="] || operators == ["!="] else { return nil }
            return (operators[0], operands[0], operands[1])
        }
        guard node.type == "call" else { return nil }
        let call = callSite(node)
        guard ["eq", "ne"].contains(call.name), call.keywords.isEmpty else { return nil }
        let op = call.name == "eq" ? "==" : "!="
        if ["torch.eq", "torch.ne"].contains(call.callee) { return call.positional.count == 2 ? (op, call.positional[0], call.positional[1]) : nil }
        if let receiver = call.receiver, call.positional.count == 1 { return (op, receiver, call.positional[0]) }
        return nil
    }

    // MARK: Matrix products

    /// The two operands of a matrix product: `a @ b`, `torch.matmul(a, b)`, `torch.mm`, `torch.bmm`, `a.matmul(b)`,
    /// `a.mm(b)`, a two-operand einsum summing over one index. Whether an operand enters transposed:
    /// `transposedFactor(_:_:)`.
    public func matmulOperands(_ node: Node) -> (Node, Node)? {
        if node.type == "binary_operator", node.child(byField: "operator")?.type == "@",
           let left = node.child(byField: "left"), let right = node.child(byField: "right") {
            return (left, right)
        }
        guard node.type == "call" else { return nil }
        let call = callSite(node)
        if ["torch.matmul", "torch.mm", "torch.bmm"].contains(call.callee), call.positional.count == 2 {
            return (call.positional[0], call.positional[1])
        }
        if let receiver = call.receiver, ["matmul", "mm", "bmm"].contains(call.name), call.positional.count == 1 {
            return (receiver, call.positional[0])
        }
        // A two-operand einsum that sums over one index: its transpositions are read by `transposedFactor`.
        if let einsum = einsumProduct(node) { return (einsum.left, einsum.right) }
        return nil
    }

    /// Strips parentheses.
    public func unparenthesized(_ node: Node) -> Node {
        var current = node
        while current.type == "parenthesized_expression", let inner = current.namedChild(0) { current = inner }
        return current
    }

    /// The operands of a chain of `+` (`a + b + c` -> [a, b, c]); a single operand when the expression is no sum.
    public func addends(_ node: Node) -> [Node] {
        let node = unparenthesized(node)
        guard node.type == "binary_operator", node.child(byField: "operator")?.type == "+",
              let left = node.child(byField: "left"), let right = node.child(byField: "right") else { return [node] }
        return addends(left) + addends(right)
    }

    // MARK: Local data flow

    /// Assignments (`x = ...`, `x, y = ...`, `x = y = ...`) in the same function as `node` (or at module level).
    public func assignments(around node: Node) -> [Node] {
        guard let scope = enclosingFunction(node)?.node else { return moduleAssignments }
        // Kept by place in this file's tree; a node of another tree (an embedded configuration's) is not.
        guard scope.tree === tree else { return assignmentNodes.filter { isInside($0, scope) } }
        return memoized("assignmentsIn/\(scope.startByte)/\(scope.endByte)") { assignmentNodes.filter { isInside($0, scope) } }
    }

    /// What module-level assignments bind to `name` (see `assignedNames`), in document order.
    public func moduleBindings(of name: String) -> [(name: String, target: Node, value: Node?)] {
        memoized("moduleBindings") {
            Dictionary(grouping: moduleAssignments.flatMap { assignedNames($0) }, by: \.name)
        }[name] ?? []
    }

    /// The names an assignment binds, each with the value it receives (nil when it is unpacked from one value).
    public func assignedNames(_ assignment: Node) -> [(name: String, target: Node, value: Node?)] {
        guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right") else { return [] }
        // x = y = value: the right side is itself an assignment.
        var value = right
        var targets = [left]
        while value.type == "assignment", let l = value.child(byField: "left"), let r = value.child(byField: "right") {
            targets.append(l)
            value = r
        }
        var result: [(String, Node, Node?)] = []
        for target in targets {
            if target.type == "identifier" {
                result.append((target.text, target, value))
            } else if target.type == "pattern_list" || target.type == "tuple_pattern" {
                let parts = target.namedChildren
                let values = (value.type == "expression_list" || value.type == "tuple") ? value.namedChildren : []
                for (index, part) in parts.enumerated() where part.type == "identifier" {
                    result.append((part.text, part, values.count == parts.count ? values[index] : nil))
                }
            }
        }
        return result
    }

    /// What calls put into a list made empty (`tables = []`, `list()`, `deque()`), `empty` being that empty value: the
    /// item of each `name.append(x)` / `name.appendleft(x)` / `name.insert(i, x)` and the iterable of each
    /// `name.extend(xs)` / `name.extendleft(xs)` after it in the same function (or at module level), in document order
    /// (a loop around a call is not unrolled: one node per call). Nil when `empty` is no empty list or queue; empty when
    /// nothing fills it.
    public func grownListItems(_ name: String, madeEmptyBy empty: Node) -> [Node]? {
        let value = unwrapped(empty)
        let made = value.type == "list" && value.namedChildren.allSatisfy { $0.type == "comment" }
            || value.type == "call" && ["list", "deque", "collections.deque"].contains(callSite(value).callee)
                && callSite(value).positional.isEmpty
        guard made else { return nil }
        let scope = enclosingFunction(value)?.node
        var items: [Node] = []
        for call in calls where call.node.startByte >= value.endByte {
            guard let receiver = call.receiver.map(unwrapped), receiver.type == "identifier", receiver.text == name,
                  enclosingFunction(call.node)?.node == scope else { continue }
            switch (call.name, call.positional.count) {
            case ("append", 1), ("appendleft", 1), ("extend", 1), ("extendleft", 1): items.append(call.positional[0])
            case ("insert", 2): items.append(call.positional[1])
            default: continue
            }
        }
        return items
    }

    /// What is put into a container made empty and filled afterwards, `empty` being the empty value assigned to a name or
    /// to a field of `self` (`blocks = []`, `d = {}`, `self.layers = nn.ModuleDict()`, `nn.ModuleList()`, `nn.Sequential()`,
    /// `dict()`, `OrderedDict()`, `deque()`): the item of each `append(x)` / `appendleft(x)` / `insert(i, x)` /
    /// `add_module(k, x)` / `register_module(k, x)` on it, the iterable of each `extend(xs)` / `extendleft(xs)`, and the
    /// value of each `target[k] = x` (torchtitan's `self.layers[str(layer_id)] = TransformerBlock(...)` in a loop), in
    /// document order (a loop around a write is not unrolled: one node per write). A name's writes are those after the
    /// empty value in the same function (or at module level), as in `grownListItems`; a field's are those in any method
    /// of the class that sets it. Nil when `empty` is no empty container assigned to a name or a field of `self`; empty
    /// when nothing fills it.
    public func filledContainerItems(madeEmptyBy empty: Node) -> [Node]? {
        let value = unwrapped(empty)
        let blank = { (n: Node) in n.namedChildren.allSatisfy { $0.type == "comment" } }
        var made = ["list", "dictionary"].contains(value.type) && blank(value)
        if value.type == "call" {
            let call = callSite(value)
            // `nn.ModuleList()`, also `nn.ModuleList([])` given an empty display.
            let emptyDisplay = call.positional.count == 1 && call.keywords.isEmpty
                && ["list", "tuple"].contains(unwrapped(call.positional[0]).type) && blank(unwrapped(call.positional[0]))
            made = (value.child(byField: "arguments").map(blank) == true || emptyDisplay) && call.keywords.isEmpty
                && (call.positional.isEmpty || emptyDisplay)
                && (["list", "dict", "deque", "collections.deque", "collections.OrderedDict"].contains(call.callee)
                    || ["ModuleList", "ModuleDict", "Sequential", "ParameterList", "ParameterDict"].contains(call.name))
        }
        guard made, let target = assignmentTarget(receiving: empty) ?? assignmentTarget(receiving: value) else { return nil }
        let isField = target.type == "attribute" && target.child(byField: "object").map { $0.type == "identifier" && $0.text == "self" } == true
        guard target.type == "identifier" || isField else { return nil }
        let scope = enclosingFunction(value)?.node
        let owner = enclosingClass(value)?.node
        if isField && owner == nil { return nil }
        // Whether a node is the container: the same name later in the same function, or the same field in the class.
        func isTarget(_ node: Node?) -> Bool {
            guard let node = node.map(unwrapped), node.type == target.type, node.text == target.text else { return false }
            return isField ? enclosingClass(node)?.node == owner
                : node.startByte >= value.endByte && enclosingFunction(node)?.node == scope
        }
        // The writes, in document order.
        func collectWrites() -> [Node] {
            var writes: [(start: Int, item: Node)] = []
            for call in calls where isTarget(call.receiver) {
                switch (call.name, call.positional.count) {
                case ("append", 1), ("appendleft", 1), ("extend", 1), ("extendleft", 1): writes.append((call.node.startByte, call.positional[0]))
                case ("insert", 2), ("add_module", 2), ("register_module", 2): writes.append((call.node.startByte, call.positional[1]))
                default: continue
                }
            }
            for assignment in assignmentNodes where assignment.type == "assignment" {
                guard let left = assignment.child(byField: "left"), left.type == "subscript",
                      isTarget(left.child(byField: "value")), let right = assignment.child(byField: "right") else { continue }
                writes.append((assignment.startByte, right))
            }
            return writes.sorted { $0.start < $1.start }.map(\.item)
        }
        // Kept by the empty value's place in this file's tree; a node of another tree is not.
        guard value.tree === tree else { return collectWrites() }
        return memoized("filledContainerItems/\(value.startByte)/\(value.endByte)") { collectWrites() }
    }

    /// The target an expression is assigned to: `target = value`, or the matching place of a pairwise unpacking
    /// (`self.up, self.down = make(d, h), zeroed(make(h, d))`). Nil when the value is not assigned whole.
    public func assignmentTarget(receiving value: Node) -> Node? {
        guard let parent = value.parent else { return nil }
        if parent.type == "assignment", parent.child(byField: "right") == value { return parent.child(byField: "left") }
        guard ["expression_list", "tuple"].contains(parent.type), let assignment = parent.parent, assignment.type == "assignment",
              assignment.child(byField: "right") == parent, let left = assignment.child(byField: "left"),
              ["pattern_list", "tuple_pattern"].contains(left.type) else { return nil }
        let values = parent.namedChildren.filter { $0.type != "comment" }
        let targets = left.namedChildren.filter { $0.type != "comment" }
        guard values.count == targets.count, let index = values.firstIndex(of: value) else { return nil }
        return targets[index]
    }

    /// The expression a name holds at `use`: the one it was last given before `use` in the same function (see
    /// `latestValue`), else its one module-level binding (a table or object defined at module level and read inside
    /// a function). Nil when neither is known.
    public func heldValue(of name: String, at use: Node) -> Node? {
        if let local = latestValue(of: name, before: use) { return local }
        let module = moduleBindings(of: name)
        return module.count == 1 ? module[0].value : nil
    }

    /// The expression a local name was last given before `use` in its function, also by unpacking a tuple written out
    /// (`params, lr = getattr(model, attr), getattr(hp, key)`); nil when unknown.
    public func latestAssignedValue(of name: String, before use: Node) -> Node? {
        assignments(around: use).filter { $0.type == "assignment" && $0.endByte <= use.startByte }
            .flatMap { assignedNames($0) }.last(where: { $0.name == name })?.value
    }

    /// The expression a local name was last given before `use` in the same function (nil when unknown or unpacked).
    public func latestValue(of name: String, before use: Node) -> Node? {
        // Evaluating an expression at many steps asks the same question again and again. Memoized by place in this
        // file's tree; a node of another tree (an embedded configuration's value) is not.
        guard use.tree === tree else { return computeLatestValue(of: name, before: use) }
        let key = LatestValueKey(position: use.documentPosition, name: name)
        if let known = latestValueMemo[key] { return known }
        let value = computeLatestValue(of: name, before: use)
        latestValueMemo[key] = .some(value)
        return value
    }

    private func computeLatestValue(of name: String, before use: Node) -> Node? {
        var best: (Int, Node)?
        for (assignment, value) in localBindings(around: use)[name] ?? [] where assignment.endByte <= use.startByte {
            if best == nil || assignment.startByte >= best!.0 { best = (assignment.startByte, value) }
        }
        // A walrus earlier in the same scope (`(f := min(t / n, 1)) * hi + (1 - f) * lo` in a lambda) binds like an
        // assignment.
        for binding in use.tree === tree ? dataflow.bindings(of: name, at: use) : []
        where binding.site.type == "named_expression" && binding.site.endByte <= use.startByte && (best == nil || binding.site.startByte >= best!.0) {
            best = (binding.site.startByte, binding.node)
        }
        return best?.1
    }

    /// Every expression a local name is given in the function around `node` (all assignments, any order).
    public func localValues(of name: String, around node: Node) -> [Node] {
        (localBindings(around: node)[name] ?? []).map(\.value)
    }

    /// The plain assignments of the function around `node` (or of the module) that give a name a value, by name, each
    /// with its assignment, in document order.
    func localBindings(around node: Node) -> [String: [(assignment: Node, value: Node)]] {
        func collect() -> [String: [(assignment: Node, value: Node)]] {
            var bindings: [String: [(assignment: Node, value: Node)]] = [:]
            for assignment in assignments(around: node) where assignment.type == "assignment" {
                for bound in assignedNames(assignment) { if let value = bound.value { bindings[bound.name, default: []].append((assignment, value)) } }
            }
            return bindings
        }
        guard node.tree === tree else { return collect() }
        let scope = enclosingFunction(node)?.node
        return memoized("localBindings/\(scope?.startByte ?? -1)/\(scope?.endByte ?? -1)", collect)
    }

    /// A call's positional arguments with `*name` unpacked where `name` holds a tuple or list written out
    /// (`np.interp(it, *knots)` with `knots = ([0, 256, 4000], [0.0, 1.0, 0.0])`); nil when something unpacked is not
    /// one, or the call unpacks a dictionary (unless `skippingKeywordSpreads`: a caller that reads the keywords a
    /// `**` spread gives itself, by `keywordArgument`, takes the positional arguments around it).
    public func expandedPositional(_ call: CallSite, skippingKeywordSpreads: Bool = false) -> [Node]? {
        guard let arguments = call.node.child(byField: "arguments") else { return nil }
        var result: [Node] = []
        for argument in arguments.namedChildren where argument.type != "comment" {
            switch argument.type {
            case "keyword_argument":
                continue
            case "dictionary_splat":
                if skippingKeywordSpreads { continue }
                return nil
            case "list_splat":
                guard var value = argument.namedChildren.first.map(unparenthesized) else { return nil }
                if value.type == "identifier" {
                    // The latest assignment in scope, or the one setting of that name (a closure's outer local).
                    let settings = allSettings.settings(value.text)
                    if let bound = latestValue(of: value.text, before: call.node) ?? (settings.count == 1 ? settings[0].value : nil) {
                        value = unparenthesized(bound)
                    }
                }
                guard ["tuple", "list"].contains(value.type) else { return nil }
                result += value.namedChildren.filter { $0.type != "comment" }
            default:
                result.append(argument)
            }
        }
        return result
    }

    /// The argument a call passes for a parameter, by keyword or else by position, positions counted through the `*`
    /// arguments it spreads (`spreadArgument`); `CallSite.argument` when it spreads nothing.
    public func argument(of call: CallSite, _ name: String, position: Int) -> Node? {
        if let value = call.keywords[name] { return value }
        return call.hasSplat ? spreadArgument(call, position: position) : call.argument(name, position: position)
    }

    /// The expression that fills a positional slot of a call whose positional arguments are spread from `*`
    /// arguments, to follow where it comes from (not to evaluate it): an element of a tuple or list literal (or of a
    /// name set to one); for a generator or comprehension over one (`*(t.transpose(1, 2) for t in (q, k, v))`), the
    /// element it maps; for a call of a function or lambda of the file whose every return is a tuple of one length
    /// (`*blocks(mask)` with `blocks = lambda m: (m.sum(-1), m.argsort(-1))`, or a method, `*self._lists(mask)`), that
    /// call, once per element; for a helper flattening such tuples over its items (`*lists(partial, whole)`, see
    /// `flattenedSpread`), each item once per element of its tuple. Nil when the call spreads nothing, or the slot is
    /// not filled or follows a spread of unknown length.
    public func spreadArgument(_ call: CallSite, position: Int) -> Node? {
        guard call.hasSplat, position >= 0, let arguments = call.node.child(byField: "arguments") else { return nil }
        var slots: [Node] = []
        for argument in arguments.namedChildren where argument.type != "comment" {
            switch argument.type {
            case "keyword_argument", "dictionary_splat":
                continue
            case "list_splat":
                guard let spread = argument.namedChildren.first.flatMap({ spreadElements(unparenthesized($0), depth: 0) }) else { return nil }
                slots += spread
            default:
                slots.append(argument)
            }
            if slots.count > position { return slots[position] }
        }
        return nil
    }

    /// What `*value` spreads into, one node per element (see `spreadArgument`); nil when its length is unknown.
    func spreadElements(_ value: Node, depth: Int) -> [Node]? {
        guard depth < 4 else { return nil }
        switch value.type {
        case "identifier":
            guard let bound = latestValue(of: value.text, before: value) else { return nil }
            return spreadElements(unparenthesized(bound), depth: depth + 1)
        case "tuple", "list":
            let items = value.namedChildren.filter { $0.type != "comment" }
            return items.contains { $0.type == "list_splat" } ? nil : items
        case "generator_expression", "list_comprehension":
            let clauses = value.namedChildren.filter { $0.type == "for_in_clause" }
            guard clauses.count == 1, !value.namedChildren.contains(where: { $0.type == "if_clause" }),
                  let iterable = clauses[0].child(byField: "right") else { return nil }
            return spreadElements(unparenthesized(iterable), depth: depth + 1)
        case "call":
            // A helper returning tuples of one length: the call stands for each element. A method of the file
            // (`*self._to_kv_blocks(full)`) is the one function the call runs.
            guard let function = value.child(byField: "function") else { return nil }
            var returned: [Node] = []
            var definitions: [Node] = []
            if function.type != "identifier" {
                let runs = targets(of: callSite(value))
                guard runs.count == 1 else { return nil }
                returned = returnedValues(runs[0]).map(unparenthesized)
                definitions = [runs[0].node]
            }
            for binding in function.type == "identifier" ? dataflow.bindings(of: function.text, at: function) : [] where binding.kind == .value {
                let bound = unparenthesized(binding.node)
                if bound.type == "function_definition" {
                    returned += dataflow.returns(of: bound).map(unparenthesized)
                    definitions.append(bound)
                } else if bound.type == "lambda", let body = bound.child(byField: "body") {
                    returned.append(unparenthesized(body))
                    definitions.append(bound)
                }
            }
            if definitions.count == 1, returned.count == 1,
               let flattened = flattenedSpread(value, definition: definitions[0], returned: returned[0], depth: depth) {
                return flattened
            }
            guard let first = returned.first, returned.allSatisfy({ r in
                ["tuple", "expression_list"].contains(r.type) && r.namedChildCount == first.namedChildCount
                    && !r.namedChildren.contains { $0.type == "list_splat" }
            }) else { return nil }
            return Array(repeating: value, count: first.namedChildCount)
        default:
            return nil
        }
    }

    /// `*lists(partial, whole)` with `def lists(*masks): return [t for m in masks for t in pair(m)]` (also a
    /// `tuple(...)` / `list(...)` of such a generator, and a parameter given a list, `lists([partial, whole])`): a
    /// helper flattening, per item, what a helper returning tuples of one length (`pair`, see `spreadElements`) gives
    /// for it. Each slot stands for the item it is made from (`partial`, `partial`, `whole`, `whole` for pairs). Nil
    /// for any other shape (a filter, a third clause, an element other than the inner loop variable, items unknown).
    func flattenedSpread(_ call: Node, definition: Node, returned: Node, depth: Int) -> [Node]? {
        var body = returned
        if body.type == "call", let wrapper = body.child(byField: "function"), wrapper.type == "identifier",
           ["tuple", "list"].contains(wrapper.text), imports.bindings[wrapper.text] == nil,
           let generator = body.child(byField: "arguments"), generator.type == "generator_expression" {
            body = generator
        }
        guard ["list_comprehension", "generator_expression"].contains(body.type),
              !body.namedChildren.contains(where: { $0.type == "if_clause" }) else { return nil }
        let clauses = body.namedChildren.filter { $0.type == "for_in_clause" }
        guard clauses.count == 2, let element = body.child(byField: "body").map(unparenthesized), element.type == "identifier",
              let item = clauses[0].child(byField: "left"), item.type == "identifier",
              let items = clauses[0].child(byField: "right").map(unparenthesized), items.type == "identifier",
              let inner = clauses[1].child(byField: "left"), inner.type == "identifier", inner.text == element.text,
              let produced = clauses[1].child(byField: "right").map(unparenthesized), produced.type == "call",
              produced.child(byField: "arguments")?.namedChildren.contains(where: { unparenthesized($0).type == "identifier" && $0.text == item.text }) == true,
              let width = spreadElements(produced, depth: depth + 1)?.count, width > 0,
              let parameters = definition.child(byField: "parameters"),
              let arguments = call.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
        let passed = arguments.namedChildren.filter { $0.type != "comment" }
        guard !passed.contains(where: { $0.type.hasSuffix("splat") || $0.type == "keyword_argument" }) else { return nil }
        // The items: the arguments a `*items` parameter collects, or the list or tuple a parameter is given.
        var sources: [Node]?
        var position = 0
        for parameter in parameters.namedChildren where parameter.type != "comment" {
            if parameter.type == "list_splat_pattern" {
                if parameter.namedChildren.first?.text == items.text { sources = Array(passed.dropFirst(position)) }
                break
            }
            let name = parameter.type == "identifier" ? parameter.text
                : (parameter.child(byField: "name") ?? parameter.namedChildren.first { $0.type == "identifier" })?.text
            if name == items.text {
                if position < passed.count { sources = spreadElements(unparenthesized(passed[position]), depth: depth + 1) }
                break
            }
            position += 1
        }
        guard let sources, !sources.isEmpty else { return nil }
        return sources.flatMap { Array(repeating: $0, count: width) }
    }

    // MARK: Evaluation with bound names

    /// The binding that gives every call of a name one value (`schedule(it)` inside a schedule wrapper).
    static func callKey(_ name: String) -> String { "\(name)(...)" }

    /// The most `evaluate` calls that may run one inside another (see `evaluationNesting`): a legitimate reading
    /// nests a few chains of at most 16; a function that calls itself nests them without end.
    static let evaluationNestingLimit = 96
    /// The most `evaluate` calls one outermost evaluation may make: a function calling itself twice per call
    /// (`return f(n - 1) + f(n - 1)`) would otherwise take time exponential in the nesting.
    static let evaluationStepLimit = 200_000

    /// The number an expression computes when the names in `bindings` have the given values: literals,
    /// arithmetic, comparisons and conditionals, `min` / `max` / `float` / `int` / `abs`, `math` and `numpy`
    /// functions, `numpy.interp`, scalar tensors (`torch.tensor(r)`, `.item()`, `torch.clamp` / `.clamp` /
    /// `numpy.clip` of a number), calls of the file's own functions (their `return` expression, arguments bound),
    /// local names (their latest assignment), and settings (module constants, config fields, argparse defaults).
    public func evaluate(_ node: Node, bindings: [String: Double] = [:], depth: Int = 0) -> Double? {
        if evaluationNesting == 0 { evaluationSteps = 0 }
        guard depth < 16, evaluationNesting < Self.evaluationNestingLimit, evaluationSteps < Self.evaluationStepLimit else { return nil }
        evaluationNesting += 1
        evaluationSteps += 1
        defer { evaluationNesting -= 1 }
        let next = depth + 1
        switch node.type {
        case "integer", "float":
            return ConstantFolder(imports: imports).evaluate(node)?.double
        case "true": return 1
        case "false": return 0
        case "parenthesized_expression":
            return node.namedChild(0).flatMap { evaluate($0, bindings: bindings, depth: next) }
        case "named_expression":
            // `(f := expr)` is worth `expr` (later reads of `f` find it through `latestValue`).
            return node.child(byField: "value").flatMap { evaluate($0, bindings: bindings, depth: next) }
        case "unary_operator":
            guard let argument = node.child(byField: "argument"), let v = evaluate(argument, bindings: bindings, depth: next) else { return nil }
            return PythonArithmetic.unary(node.child(byField: "operator")?.type, v)
        case "binary_operator":
            guard let l = node.child(byField: "left").flatMap({ evaluate($0, bindings: bindings, depth: next) }),
                  let r = node.child(byField: "right").flatMap({ evaluate($0, bindings: bindings, depth: next) }),
                  let op = node.child(byField: "operator")?.type else { return nil }
            return PythonArithmetic.binary(op, l, r)
        case "comparison_operator":
            let operands = node.namedChildren
            let operators = node.children.filter { !$0.isNamed }.map(\.type)
            guard operands.count == 2, operators.count == 1 else { return nil }
            guard let l = evaluate(operands[0], bindings: bindings, depth: next),
                  let r = evaluate(operands[1], bindings: bindings, depth: next) else {
                // A comparison of strings or switches the configuration decides (`cfg.get("kind") == "wsd"`), when it
                // reads none of the bound names.
                guard !descendants(of: node).contains(where: { $0.type == "identifier" && bindings[$0.text] != nil }) else { return nil }
                return truth(of: node).map { $0 ? 1 : 0 }
            }
            return PythonArithmetic.compare(operators[0], l, r).map { $0 ? 1 : 0 }
        case "conditional_expression":
            guard let parts = conditionalParts(node), let condition = evaluate(parts.test, bindings: bindings, depth: next) else { return nil }
            return evaluate(condition != 0 ? parts.value : parts.alternative, bindings: bindings, depth: next)
        case "boolean_operator":
            // Python's short circuit: `a and b` is `a` when it is false, else `b`; `a or b` is `a` when it is true, else `b`
            // (`warmup > 0 and it < warmup` with no warmup never reads the ramp). A side the bound names do not reach
            // may be a switch the configuration decides.
            guard let left = node.child(byField: "left"), let right = node.child(byField: "right") else { return nil }
            func side(_ n: Node) -> Double? {
                if let v = evaluate(n, bindings: bindings, depth: next) { return v }
                guard !descendants(of: n).contains(where: { $0.type == "identifier" && bindings[$0.text] != nil }) else { return nil }
                return truth(of: n).map { $0 ? 1 : 0 }
            }
            guard let l = side(left) else { return nil }
            switch node.child(byField: "operator")?.type {
            case "and": return l == 0 ? l : side(right)
            case "or": return l != 0 ? l : side(right)
            default: return nil
            }
        case "not_operator":
            guard let argument = node.child(byField: "argument") else { return nil }
            if let v = evaluate(argument, bindings: bindings, depth: next) { return v == 0 ? 1 : 0 }
            guard !descendants(of: argument).contains(where: { $0.type == "identifier" && bindings[$0.text] != nil }) else { return nil }
            return truth(of: argument).map { $0 ? 0 : 1 }
        case "call":
            // A call whose value is already known (a wrapped schedule's, see `ScheduleFacts.callKey`).
            if let function = node.child(byField: "function"), function.type == "identifier",
               let bound = bindings[Self.callKey(function.text)] { return bound }
            // `next(ramp)` of a counting generator of the file, advanced once per pass of the loop around (see
            // `StepFunction.nextValue`).
            if !bindings.isEmpty, case let call = callSite(node), call.callee == "next", call.receiver == nil, call.positional.count == 1,
               let v = StepFunction(self, dataflow).nextValue(node, call.positional[0], bindings, depth: depth) {
                return v
            }
            if let value = invokedLambda(node, evaluate: { evaluate($0, bindings: $1, depth: next) }, bindings: bindings) { return value }
            return evaluateCall(node, bindings: bindings, depth: next)
        case "identifier":
            if let bound = bindings[node.text] { return bound }
            if enclosingLoops(node).contains(where: { loopVariables($0).contains(node.text) }) {
                // A name the loop's header takes from a counting generator of the file walked in step with the loop's
                // counter (`for step, mom in zip(range(n), momentum_ramp())`): what it yields at the bound step.
                guard !bindings.isEmpty else { return nil }
                return StepFunction(self, dataflow).generatorValue(node, dataflow.bindings(of: node.text, at: node), bindings, depth: depth)
            }
            if let function = enclosingFunction(node), function.parameters.contains(node.text) {
                return facts(value: node)
            }
            if let value = latestValue(of: node.text, before: node), value != node {
                return evaluate(value, bindings: bindings, depth: next)
            }
            return facts(value: node)
        case "attribute", "subscript":
            if let bound = bindings[node.text] { return bound }
            // An entry read at a bound name (`float(momentum_table[step])` with `momentum_table =
            // np.concatenate([ramp, np.full(n - k, end)])`, or a list of the file): run by the script interpreter, which
            // computes tables (see `TensorTables.swift`) with the names bound; the settings cannot see the index.
            if node.type == "subscript", let index = node.child(byField: "subscript"),
               ([index] + descendants(of: index)).contains(where: { $0.type == "identifier" && bindings[$0.text] != nil }),
               let v = ScriptInterpreter(self).number(node, bindings: bindings) {
                return v
            }
            // A table over the training steps, longer than the interpreter computes whole (`[f(s) for s in
            // range(n + 1)]`): only the entry read (see `StepFunction.comprehensionElement`).
            if node.type == "subscript", let index = node.child(byField: "subscript"),
               ([index] + descendants(of: index)).contains(where: { $0.type == "identifier" && bindings[$0.text] != nil }),
               let v = StepFunction(self, dataflow).literalElement(node, bindings, depth: depth) {
                return v
            }
            return facts(value: node)
        default:
            return nil
        }
    }

    private func facts(value node: Node) -> Double? { value(of: node)?.double }

    /// The value of a lambda called where it is written (`(lambda w: w + (1 - w) * 0.1)(frac)`, a floor blended in
    /// inline): its body evaluated with its parameters bound to the arguments (keyword or positional) or, failing
    /// those, to their defaults. `evaluate` evaluates an expression under bindings. Nil for any other call, and when an
    /// argument has no value; `.some(nil)` when the body has none.
    func invokedLambda<Value>(_ node: Node, evaluate: (Node, [String: Value]) -> Value?, bindings: [String: Value]) -> Value?? {
        guard node.type == "call", let function = node.child(byField: "function").map(unparenthesized), function.type == "lambda",
              let body = function.child(byField: "body") else { return nil }
        let call = callSite(node)
        guard !call.hasSplat else { return .some(nil) }
        var inner = bindings
        for (index, parameter) in (function.child(byField: "parameters")?.namedChildren ?? []).enumerated() {
            let name = parameter.type == "identifier" ? parameter.text : parameter.child(byField: "name")?.text
            guard let name else { return .some(nil) }
            guard let argument = call.keywords[name] ?? (index < call.positional.count ? call.positional[index] : parameter.child(byField: "value")),
                  let v = evaluate(argument, bindings) else { return .some(nil) }
            inner[name] = v
        }
        return .some(evaluate(body, inner))
    }

    /// A lambda's parameter names in order (`lambda it, total=10: ...` -> `it`, `total`).
    public func lambdaParameters(_ lambda: Node) -> [String] {
        lambda.child(byField: "parameters")?.namedChildren.compactMap { p -> String? in
            p.type == "identifier" ? p.text : p.child(byField: "name")?.text
        } ?? []
    }

    private func evaluateCall(_ node: Node, bindings: [String: Double], depth: Int) -> Double? {
        let call = callSite(node)
        guard let args = call.hasSplat ? expandedPositional(call) : call.positional else { return nil }
        func arg(_ i: Int) -> Double? { i < args.count ? evaluate(args[i], bindings: bindings, depth: depth) : nil }
        // Bounds of a clamp: positional after `skip` arguments, or `min=` / `max=` (numpy: `a_min=` / `a_max=`); a
        // missing or None bound does not clamp. Nil when a bound is given but unknown.
        func clamped(_ x: Double, skip: Int) -> Double? {
            func bound(_ position: Int, _ keywords: [String]) -> Double?? {
                guard let node = position < args.count ? args[position] : keywords.lazy.compactMap({ call.keywords[$0] }).first,
                      node.type != "none" else { return .some(nil) }
                return evaluate(node, bindings: bindings, depth: depth).map { .some($0) } ?? nil
            }
            guard let low = bound(skip, ["min", "a_min"]), let high = bound(skip + 1, ["max", "a_max"]) else { return nil }
            return Swift.min(Swift.max(x, low ?? x), high ?? x)
        }
        // A 0-d tensor or numpy scalar computes as its number: `torch.tensor(r).clamp(0, 1).item()`, `np.clip(r, 0, 1)`.
        if let receiver = call.receiver, ["item", "float", "double", "clamp", "clamp_min", "clamp_max", "clip"].contains(call.name) {
            guard let x = evaluate(receiver, bindings: bindings, depth: depth) else { return nil }
            switch call.name {
            case "clamp", "clip": return clamped(x, skip: 0)
            case "clamp_min": return arg(0).map { Swift.max(x, $0) }
            case "clamp_max": return arg(0).map { Swift.min(x, $0) }
            default: return args.isEmpty ? x : nil
            }
        }
        switch call.callee {
        case "torch.tensor", "torch.as_tensor", "numpy.array", "numpy.asarray", "numpy.float64", "numpy.float32":
            guard args.count == 1 else { return nil }
            return arg(0)
        case "torch.clamp", "torch.clip", "numpy.clip":
            guard let x = arg(0) else { return nil }
            return clamped(x, skip: 1)
        case "min", "max":
            var values: [Double] = []
            let items = args.count == 1 && ["list", "tuple"].contains(args[0].type) ? args[0].namedChildren : args
            for item in items {
                guard let v = evaluate(item, bindings: bindings, depth: depth) else { return nil }
                values.append(v)
            }
            guard !values.isEmpty else { return nil }
            return call.callee == "min" ? values.min() : values.max()
        case "pow", "math.pow":
            guard args.count == 2, let base = arg(0), let exponent = arg(1) else { return nil }
            return PythonArithmetic.binary("**", base, exponent)
        case "round":
            // Python rounds halves to even (one argument; with digits, to that many places).
            guard let v = arg(0) else { return nil }
            if args.count == 1 { return v.rounded(.toNearestOrEven) }
            guard args.count == 2, let digits = arg(1), digits == digits.rounded(), Swift.abs(digits) <= 15 else { return nil }
            let scale = Foundation.pow(10.0, digits)
            return (v * scale).rounded(.toNearestOrEven) / scale
        case "float", "abs", "int":
            if args.isEmpty, call.callee != "abs" { return 0 }
            guard args.count == 1, let v = arg(0) else { return nil }
            return call.callee == "abs" ? Swift.abs(v) : call.callee == "int" ? v.rounded(.towardZero) : v
        case "math.sqrt", "numpy.sqrt": return arg(0).map { $0.squareRoot() }
        case "math.tanh", "numpy.tanh": return arg(0).map { Foundation.tanh($0) }
        case "math.exp", "numpy.exp": return arg(0).map { Foundation.exp($0) }
        case "math.cos", "numpy.cos": return arg(0).map { Foundation.cos($0) }
        case "numpy.interp":
            guard args.count == 3, let x = arg(0), let xs = list(args[1], bindings, depth), let ys = list(args[2], bindings, depth),
                  xs.count == ys.count, !xs.isEmpty else { return nil }
            if x <= xs[0] { return ys[0] }
            for i in 1..<xs.count where x <= xs[i] {
                let span = xs[i] - xs[i - 1]
                return span == 0 ? ys[i] : ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / span
            }
            return ys[ys.count - 1]
        default:
            break
        }
        // A name bound to a lambda (`momentum_at = lambda it: ...`): its body with the argument bound.
        if call.receiver == nil, let function = call.function, function.type == "identifier",
           let lambda = allSettings.settings(function.text).map({ unwrapped($0.value) }).first(where: { $0.type == "lambda" }),
           let body = lambda.child(byField: "body") {
            var inner = bindings
            for (index, parameter) in lambdaParameters(lambda).enumerated() {
                guard let value = call.keywords[parameter] ?? (index < args.count ? args[index] : nil) else { continue }
                guard let v = evaluate(value, bindings: bindings, depth: depth) else { return nil }
                inner[parameter] = v
            }
            return evaluate(body, bindings: inner, depth: depth)
        }
        // A name bound to what a factory of the file returns (`ramp_at = make_ramp(hp)` with `def make_ramp(h): return
        // lambda step: ...`, or a nested `def` it returns): the closure's body with the call's arguments bound, and
        // the factory's numeric arguments bound to its parameters (others, such as a config object, read through
        // the factory's callers).
        if call.receiver == nil, let function = call.function, function.type == "identifier",
           let closure = closureBody(bound: function.text) {
            var inner = bindings
            for (parameter, value) in closure.captured { inner[parameter] = value.flatMap { evaluate($0, bindings: bindings, depth: depth) } }
            for (index, parameter) in closure.parameters.enumerated() {
                guard let value = call.keywords[parameter] ?? (index < args.count ? args[index] : nil) else { continue }
                guard let v = evaluate(value, bindings: bindings, depth: depth) else { return nil }
                inner[parameter] = v
            }
            guard closure.body.type == "block" else { return evaluate(closure.body, bindings: inner, depth: depth) }
            guard depth < 12, case .returned(let v) = run(block: closure.body, bindings: &inner, depth: 1) else { return nil }
            return v
        }
        // A configuration key read by method (`section.getint("num_iterations")`): the setting's value.
        if configKeyRead(call) != nil { return facts(value: node) }
        // A function of the file: evaluate its return expression with the arguments bound to its parameters. A method
        // called on `self` is the one the object runs (`calledFunction`: own, inherited, or an abstract hook's one
        // override), and one called on `super()` the next class's, keeping the object's fields bound. A function a registry read selects (`fn = SCHEDULES[name]`,
        // then `fn(step, ...)`; see `registrySelectedFunction`) runs the same way.
        // `super().factor(step)` runs the next class's method on the same object (`calledFunction` finds it).
        let onSuper = call.receiver.map { receiver in
            let r = unwrapped(receiver)
            return r.type == "call" && callSite(r).callee == "super"
        } ?? false
        guard call.receiver == nil || call.callee.hasPrefix("self.") || onSuper,
              let function = registrySelectedFunction(call)
                  ?? (call.callee.hasPrefix("self.") || onSuper ? calledFunction(call) : nil)
                  ?? function(named: call.name).first(where: { $0.node.child(byField: "body") != nil }),
              let body = function.body,
              let returned = descendants(of: body).last(where: { $0.type == "return_statement" && enclosingFunction($0)?.node == function.node })?.namedChild(0)
        else { return nil }
        var inner = bindings
        let parameters = function.parameters.filter { $0 != "self" }
        for (index, parameter) in parameters.enumerated() {
            if let value = call.keywords[parameter] ?? (index < args.count ? args[index] : nil) {
                if let v = evaluate(value, bindings: bindings, depth: depth) {
                    inner[parameter] = v
                } else if !["identifier", "attribute"].contains(unparenthesized(value).type)
                            || descendants(of: value).contains(where: { $0.type == "identifier" && bindings[$0.text] != nil }) {
                    return nil
                } else {
                    // Not a number and not varying with the bound names (a config object, `h`): the parameter keeps
                    // what the file gives it (`h.warmup` read through its callers), and a bound name of the same
                    // spelling outside does not leak in.
                    inner[parameter] = nil
                }
            }
        }
        // A function with several exits is run through its statements, so that a branch taken early returns its own
        // value; when that cannot be decided, its last `return` stands for it.
        let exits = memoized("exits:\(function.node.startByte)") {
            descendants(of: body).filter { $0.type == "return_statement" && enclosingFunction($0)?.node == function.node }.count
        }
        if exits > 1, depth < 12 {
            var state = inner
            if case .returned(let v) = run(block: body, bindings: &state, depth: 1) { return v }
        }
        return evaluate(returned, bindings: inner, depth: depth)
    }

    /// For a name set once to a call of a factory of the file that returns a lambda or a nested function: that
    /// closure's parameters, the lambda's expression or the nested function's body (a `block`), and the factory's
    /// parameters with the arguments the call passes for them (also through a `**` spread dictionary,
    /// `make_schedule(**MOMENTUM_RAMP)`). A factory with several modes (`if kind == "linear_ramp": ... return ramp`,
    /// `return table[kind]`) gives the one closure this call's arguments select (see `selectedReturns(of:at:)`).
    /// The name's own setting is the one assignment written as that name (a field of another object with the same
    /// attribute name, `self.momentum_at = ...`, is not it); `make(...) if cond else None` reads as its call.
    func closureBody(bound name: String) -> (parameters: [String], body: Node, captured: [(String, Node?)])? {
        var settings = allSettings.settings(name)
        if settings.count > 1 { settings = settings.filter { $0.written == name } }
        guard settings.count == 1 else { return nil }
        var value = unwrapped(settings[0].value)
        if value.type == "conditional_expression", let parts = conditionalParts(value) {
            let sides = [parts.value, parts.alternative].map(unwrapped)
            if sides[1].type == "none" { value = sides[0] } else if sides[0].type == "none" { value = sides[1] }
        }
        guard value.type == "call" else { return nil }
        let made = callSite(value)
        guard made.receiver == nil, let factory = calledFunction(made), factory.body != nil else { return nil }
        let returns = selectedReturns(of: factory, at: made)
        guard returns.count == 1, case let returned = unwrapped(returns[0]) else { return nil }
        let factoryParameters = factory.parameters.filter { $0 != "self" }
        let captured = factoryParameters.map { parameter in (parameter, passedArgument(parameter, of: factory, at: made)) }
        if returned.type == "lambda", let lambdaBody = returned.child(byField: "body") {
            return (lambdaParameters(returned), lambdaBody, captured)
        }
        // A function defined in the factory's own body (see `outerFunction(of:)`).
        guard returned.type == "identifier",
              let nested = function(named: returned.text).first(where: { outerFunction(of: $0)?.node == factory.node }),
              let nestedBody = nested.body else { return nil }
        // The function's body, run statement by statement (`if`/`elif`, several returns).
        return (nested.parameters, nestedBody, captured)
    }

    private func list(_ node: Node, _ bindings: [String: Double], _ depth: Int) -> [Double]? {
        var node = node
        if node.type == "identifier" || node.type == "attribute", let v = latestValue(of: node.text, before: node) { node = v }
        guard node.type == "list" || node.type == "tuple" else { return nil }
        var result: [Double] = []
        for item in node.namedChildren {
            guard let v = evaluate(item, bindings: bindings, depth: depth) else { return nil }
            result.append(v)
        }
        return result
    }
}

extension PythonFacts {
    /// Whether a call turns angles into unit complex numbers: `torch.polar(ones, angle)` or `exp(1j * angle)` (an
    /// imaginary literal in its argument).
    public func makesComplexPhase(_ call: CallSite) -> Bool {
        if call.name == "polar" { return true }
        guard call.name == "exp" else { return false }
        return callArguments(call).contains { argument in
            descendants(of: argument).contains { ["integer", "float"].contains($0.type) && ($0.text.hasSuffix("j") || $0.text.hasSuffix("J")) }
        }
    }
}
