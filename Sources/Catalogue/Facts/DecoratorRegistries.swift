import TreeSitterKit

/// Registries a decorator of the file fills, the way config-driven frameworks file their components:
///
/// ```python
/// REGISTRY = {}
/// def register(kind, name):
///     def deco(obj):
///         REGISTRY.setdefault(kind, {})[name] = obj
///         return obj
///     return deco
/// def lookup(kind, name): return REGISTRY[kind][name]
/// def build(kind, name, **kwargs): return lookup(kind, name)(**kwargs)
///
/// @register("act", "relu2")
/// def relu_squared(x): ...
/// act = lookup("act", cfg["act"])
/// ```
///
/// A read of such a registry with keys the configuration decides (`REGISTRY["act"][cfg["act"]]`, `lookup("act",
/// cfg["act"])`, `build("attn", cfg["attn"], dim=768)`) stands for the definition filed under those keys (see
/// `ConfiguredProgram`, which writes it in place: `relu_squared`, `FlexWindow(dim=768)`). When every read of a registry
/// is decided, the definitions filed there that none selects never run (`unselectedRegistrations`).
extension PythonFacts {
    /// A module dictionary a decorator factory of the file fills: `factory(k1, k2)` files what it decorates under
    /// `table[k1][k2]` (one key or more).
    struct DecoratorRegistry {
        let table: String
        let factory: Function
        /// The factory's parameters that give the keys, outermost first.
        let keys: [String]
    }

    /// A function of the file that reads a decorator registry with its parameters as the keys: `lookup(kind, name)`
    /// returning the entry, or `build(kind, name, **kwargs)` returning the entry called with the rest of its
    /// parameters spread (`*args`, `**kwargs`).
    struct RegistryAccessor {
        let function: Function
        let registry: DecoratorRegistry
        /// The accessor's parameters that give the keys, in the registry's key order.
        let keys: [String]
        /// Whether the accessor calls the entry with its other arguments (`build`) rather than returning it.
        let calls: Bool
    }

    /// One read of a decorator registry whose keys are decided: the definition's name node it stands for, and for an
    /// accessor that calls the entry, the call (its first argument after the keys, or its closing parenthesis, is where
    /// the entry's own arguments start).
    struct RegistryRead {
        let node: Node
        let entry: Node
        let callsEntry: Bool
    }

    /// The decorator registries of the file (see the type's comment).
    var decoratorRegistries: [DecoratorRegistry] {
        memoized("decoratorRegistries") {
            let moduleNames = Set(root.namedChildren.compactMap { statement -> String? in
                guard let assignment = statement.namedChild(0), assignment.type == "assignment",
                      let left = assignment.child(byField: "left"), left.type == "identifier" else { return nil }
                return left.text
            })
            var found: [DecoratorRegistry] = []
            for factory in functions where factory.node.parent?.type == "module" && !factory.parameters.isEmpty {
                guard let body = factory.body else { continue }
                for inner in body.namedChildren where inner.type == "function_definition" {
                    guard let decorator = functions.first(where: { $0.node == inner }), decorator.parameters.count == 1,
                          returnsName(decorator.parameters[0], from: decorator), returnsName(decorator.name, from: factory),
                          let (table, keys) = filing(decorator.parameters[0], in: decorator, keys: factory.parameters),
                          moduleNames.contains(table) else { continue }
                    found.append(DecoratorRegistry(table: table, factory: factory, keys: keys))
                }
            }
            return found
        }
    }

    /// Whether a function returns the name `name` (and nothing else).
    private func returnsName(_ name: String, from function: Function) -> Bool {
        let returned = dataflow.returns(of: function.node).map(unwrapped)
        return !returned.isEmpty && returned.allSatisfy { $0.type == "identifier" && $0.text == name }
    }

    /// The table and keys a decorator files its argument under: an assignment `TABLE[k1][k2] = obj` or
    /// `TABLE.setdefault(k1, {})[k2] = obj` in its body (also through a local name for the inner table), every key a
    /// parameter of the factory around it.
    private func filing(_ object: String, in decorator: Function, keys parameters: [String]) -> (String, [String])? {
        for node in descendants(of: decorator.node) where node.type == "assignment" {
            guard let right = node.child(byField: "right").map(unwrapped), right.type == "identifier", right.text == object,
                  let left = node.child(byField: "left"), var (table, keys) = keyPath(left) else { continue }
            // Through a local name for the inner table: `table = REGISTRY.setdefault(kind, {})`, then `table[name] = obj`.
            let bindings = dataflow.bindings(of: table.text, at: table)
            if bindings.count == 1, bindings[0].kind == .value, isInside(bindings[0].site, decorator.node),
               let (outer, first) = keyPath(bindings[0].node), !first.isEmpty {
                (table, keys) = (outer, first + keys)
            }
            guard !keys.isEmpty, keys.allSatisfy({ $0.type == "identifier" && parameters.contains($0.text) }) else { continue }
            return (table.text, keys.map(\.text))
        }
        return nil
    }

    /// The table and keys of a chain of reads `TABLE[a][b]` (also `TABLE.setdefault(a, {})[b]` and `TABLE.get(a)`), outermost
    /// first; nil for anything else.
    func keyPath(_ node: Node) -> (table: Node, keys: [Node])? {
        let n = unwrapped(node)
        if n.type == "identifier" { return (n, []) }
        if n.type == "subscript", let value = n.child(byField: "value"), let key = n.child(byField: "subscript"),
           let (table, keys) = keyPath(value) {
            return (table, keys + [unwrapped(key)])
        }
        if n.type == "call", let function = n.child(byField: "function"), function.type == "attribute",
           ["setdefault", "get"].contains(function.child(byField: "attribute")?.text ?? ""),
           let object = function.child(byField: "object"), let key = callSite(n).positional.first,
           let (table, keys) = keyPath(object) {
            return (table, keys + [unwrapped(key)])
        }
        return nil
    }

    /// The functions of the file that read a decorator registry with their parameters (see `RegistryAccessor`).
    var registryAccessors: [RegistryAccessor] {
        memoized("registryAccessors") {
            let registries = decoratorRegistries
            guard !registries.isEmpty else { return [] }
            var found: [RegistryAccessor] = []
            // Readers first, then the builders that call them (in as many passes as they nest, at most three).
            for _ in 0..<3 {
                for function in functions where function.node.parent?.type == "module" || function.node.parent?.parent?.type == "module" {
                    guard !found.contains(where: { $0.function.node == function.node }) else { continue }
                    let returned = dataflow.returns(of: function.node).map(unwrapped)
                    guard returned.count == 1, let value = returned.first else { continue }
                    if let (registry, keys) = parameterRead(value, of: function, registries, found) {
                        found.append(RegistryAccessor(function: function, registry: registry, keys: keys, calls: false))
                    } else if value.type == "call", let callee = value.child(byField: "function"),
                              let (registry, keys) = parameterRead(callee, of: function, registries, found),
                              spreadsOtherParameters(callSite(value), of: function, keys: keys) {
                        found.append(RegistryAccessor(function: function, registry: registry, keys: keys, calls: true))
                    }
                }
            }
            return found
        }
    }

    /// A read of a registry with parameters of `function` as every key: `REGISTRY[kind][name]`, or a call of an accessor
    /// that returns the entry passing them positionally (`lookup(kind, name)`).
    private func parameterRead(_ node: Node, of function: Function, _ registries: [DecoratorRegistry],
                               _ accessors: [RegistryAccessor]) -> (DecoratorRegistry, [String])? {
        let n = unwrapped(node)
        if n.type == "call", case let call = callSite(n), call.keywords.isEmpty,
           let accessor = accessors.first(where: { !$0.calls && $0.function.name == call.callee }),
           call.positional.count == accessor.function.passedParameters.count {
            var keys: [String] = []
            for key in accessor.keys {
                guard let index = accessor.function.passedParameters.firstIndex(of: key) else { return nil }
                let argument = unwrapped(call.positional[index])
                guard argument.type == "identifier", function.parameters.contains(argument.text) else { return nil }
                keys.append(argument.text)
            }
            return (accessor.registry, keys)
        }
        guard n.type == "subscript", let (table, keys) = keyPath(n),
              let registry = registries.first(where: { $0.table == table.text }), keys.count == registry.keys.count,
              keys.allSatisfy({ $0.type == "identifier" && function.parameters.contains($0.text) }) else { return nil }
        return (registry, keys.map(\.text))
    }

    /// Whether a call hands on exactly the parameters of `function` other than its keys, spread (`f(*args, **kwargs)`).
    private func spreadsOtherParameters(_ call: CallSite, of function: Function, keys: [String]) -> Bool {
        guard call.positional.isEmpty, call.keywords.isEmpty, let arguments = call.node.child(byField: "arguments") else { return false }
        let spread = arguments.namedChildren.filter { $0.type != "comment" }
        guard spread.allSatisfy({ ["list_splat", "dictionary_splat"].contains($0.type) }) else { return false }
        let names = Set(spread.compactMap { $0.namedChild(0).map(unwrapped) }.filter { $0.type == "identifier" }.map(\.text))
        let others = Set(function.parameters).subtracting(keys)
        return names == others && !others.isEmpty
    }

    /// What each decorator registry files, by table and keys: the name of the decorated definition.
    var registeredDefinitions: [String: [[String]: Node]] {
        memoized("registeredDefinitions") {
            let registries = decoratorRegistries
            guard !registries.isEmpty else { return [:] }
            var filed: [String: [[String]: Node]] = [:]
            for node in nodes(ofType: "decorated_definition") {
                guard let definition = node.child(byField: "definition"), let name = definition.child(byField: "name") else { continue }
                for decorator in node.namedChildren where decorator.type == "decorator" {
                    guard let expression = decorator.namedChild(0).map(unwrapped), expression.type == "call" else { continue }
                    let call = callSite(expression)
                    guard let registry = registries.first(where: { $0.factory.name == call.callee }) else { continue }
                    var keys: [String] = []
                    for key in registry.keys {
                        guard let argument = passedArgument(key, of: registry.factory, at: call),
                              let text = decidedString(argument) else { break }
                        keys.append(text)
                    }
                    guard keys.count == registry.keys.count else { continue }
                    filed[registry.table, default: [:]][keys] = name
                }
            }
            return filed
        }
    }

    /// A read of a decorator registry whose keys the configuration decides, with the definition it stands for (see
    /// `RegistryRead`); nil for any other node.
    func registryRead(_ node: Node) -> RegistryRead? {
        guard !decoratorRegistries.isEmpty else { return nil }
        if node.type == "subscript", let (table, keys) = keyPath(node),
           let entries = registeredDefinitions[table.text], let first = entries.keys.first, keys.count == first.count {
            // Not a write (`REGISTRY[kind][name] = obj`) and not inside the registry's own functions.
            if let parent = node.parent, parent.type == "assignment", parent.child(byField: "left") == node { return nil }
            let texts = keys.compactMap { registryKey($0) }
            guard texts.count == keys.count, let entry = entries[texts] else { return nil }
            return RegistryRead(node: node, entry: entry, callsEntry: false)
        }
        guard node.type == "call", case let call = callSite(node), call.receiver == nil,
              let accessor = registryAccessors.first(where: { $0.function.name == call.callee }),
              calledFunction(call)?.node == accessor.function.node,
              let entries = registeredDefinitions[accessor.registry.table] else { return nil }
        var texts: [String] = []
        for key in accessor.keys {
            guard let argument = passedArgument(key, of: accessor.function, at: call), let text = registryKey(argument) else { return nil }
            texts.append(text)
        }
        guard let entry = entries[texts] else { return nil }
        // A builder's keys come first, positionally, so that the rest of the call is the entry's own arguments.
        if accessor.calls {
            let leading = Array(call.positional.prefix(accessor.keys.count))
            guard leading.count == accessor.keys.count,
                  zip(accessor.keys, leading).allSatisfy({ passedArgument($0, of: accessor.function, at: call) == $1 }) else { return nil }
        }
        return RegistryRead(node: node, entry: entry, callsEntry: accessor.calls)
    }

    /// The reads of a decorator registry outside its own functions (the factory and the accessors): subscripts of its
    /// table and calls of its accessors. Nil when the table is used any other way there (handed on, iterated, written).
    func decoratorRegistryReads(_ registry: DecoratorRegistry) -> [Node]? {
        let own = [registry.factory.node] + registryAccessors.filter { $0.registry.table == registry.table }.map(\.function.node)
        func outside(_ node: Node) -> Bool { !own.contains { isInside(node, $0) } }
        var reads: [Node] = []
        for use in identifiersByName[registry.table] ?? [] where outside(use) {
            // The module statement that makes the table (`REGISTRY = {}`) is no read.
            if let assignment = use.parent, assignment.type == "assignment", assignment.child(byField: "left") == use,
               assignment.parent?.parent?.type == "module" { continue }
            guard let read = use.parent, read.type == "subscript", read.child(byField: "value") == use else { return nil }
            // The outer subscript of a read by several keys.
            var whole = read
            while let up = whole.parent, up.type == "subscript", up.child(byField: "value") == whole { whole = up }
            if let parent = whole.parent, parent.type == "assignment", parent.child(byField: "left") == whole { return nil }
            reads.append(whole)
        }
        for accessor in registryAccessors where accessor.registry.table == registry.table {
            reads += calls(named: accessor.function.name).map(\.node).filter(outside)
        }
        return reads
    }

    /// The definitions filed in decorator registries that no read selects, when every read of their registry is decided
    /// (`selected`: the entries the decided reads stand for) and nothing else names them: they never run.
    func unselectedRegistrations(decided: Set<Node>, selected: Set<Node>) -> [Node] {
        var unselected: [Node] = []
        for registry in decoratorRegistries {
            guard let reads = decoratorRegistryReads(registry), !reads.isEmpty, reads.allSatisfy({ decided.contains($0) }) else { continue }
            for (_, name) in registeredDefinitions[registry.table] ?? [:] where !selected.contains(name) {
                guard (identifiersByName[name.text] ?? []).allSatisfy({ $0 == name }),
                      let definition = name.parent?.parent, definition.type == "decorated_definition" else { continue }
                unselected.append(definition)
            }
        }
        return unselected
    }

    /// The string a registry key holds in every run: an entry of a nested configuration dictionary (`nestedEntry`),
/// decided by the configuration (`decidedKey`), an attribute of the object its class sets once to such a key, or, for a parameter
    /// of a class's `__init__`, the one string every construction of the class gives it (`FeedForward(d, cfg["act"])`
    /// with `def __init__(self, dim, act): self.act = lookup("act", act)`).
    func registryKey(_ node: Node, depth: Int = 0) -> String? {
        // An entry of a nested configuration dictionary, read by its path (`mc["act"]`, see `nestedEntry`).
        if let entry = nestedEntry(node), let text = SettingsTable.stringValue(entry) { return text }
        if let key = decidedKey(node) { return key }
        let k = unwrapped(node)
        // `scheme if scheme is not None else CONFIG["init"]`: the side the configuration selects.
        if depth < 3, k.type == "conditional_expression" {
            let parts = k.namedChildren.filter { $0.type != "comment" }
            guard parts.count == 3, let holds = truth(of: parts[1]) else { return nil }
            return registryKey(holds ? parts[0] : parts[2], depth: depth + 1)
        }
        // An attribute of the object set once in its class (`self._init = init if init is not None else CONFIG[...]`).
        if depth < 3, k.type == "attribute", k.child(byField: "object")?.text == "self", let name = k.child(byField: "attribute")?.text,
           let owner = enclosingClass(k) {
            let writes = allSettings.settings(name).filter { $0.written == "self.\(name)" && enclosingClass($0.site)?.node == owner.node }
            return writes.count == 1 ? registryKey(writes[0].value, depth: depth + 1) : nil
        }
        guard depth < 3, k.type == "identifier", let function = parameterOwner(of: k), function.name == "__init__",
              let owner = enclosingClass(function.node) else { return nil }
        let constructions = calls(withCallee: owner.name)
        guard !constructions.isEmpty else { return nil }
        var found: String?
        for call in constructions {
            guard let given = boundArgument(k.text, of: function, at: call), let text = registryKey(given, depth: depth + 1),
                  found == nil || found == text else { return nil }
            found = text
        }
        return found
    }
}
