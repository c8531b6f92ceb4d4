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
/// Two more shapes are read the same way: a decorator that files a definition under its own name
/// (`def register_model(fn): _MODELS[fn.__name__] = fn; return fn`, timm's layout), and a registry object, an instance of
/// a class of the file whose method makes the decorator and whose other methods read its table (`ACTS = Registry()`,
/// `@ACTS.register("relu2")` or `@ACTS.register()` keyed by the name, `ACTS.get(key)`, `ACTS.build(key, **kwargs)`; the
/// mmcv and detectron2 layout).
///
/// A registration may also be written as a call of the decorator on a name (`register("optim", "muon")(Muon)`).
///
/// A read of such a registry with keys the configuration decides (`REGISTRY["act"][cfg["act"]]`, `lookup("act",
/// cfg["act"])`, `build("attn", cfg["attn"], dim=768)`) stands for the definition filed under those keys (see
/// `ConfiguredProgram`, which writes it in place: `relu_squared`, `FlexWindow(dim=768)`). When every read of a registry
/// is decided, the definitions filed there that none selects never run (`unselectedRegistrations`).
extension PythonFacts {
    /// How a decorator registry keys what it files: by a parameter of its factory, by the decorated definition's own
    /// name (`obj.__name__`), or by a parameter that falls back to that name (`name or obj.__name__`).
    enum RegistryKey: Equatable {
        case parameter(String)
        case objectName
        case parameterOrObjectName(String)

        var parameter: String? {
            switch self {
            case .parameter(let p), .parameterOrObjectName(let p): p
            case .objectName: nil
            }
        }
    }

    /// A table a decorator of the file fills (see the type's comment): a module dictionary filled by a decorator factory
    /// (`@register("act", "relu2")`) or by a decorator itself (`@register_model`, keyed by the definition's name), or
    /// the dictionary field of a registry object (`ACTS = Registry()`, `@ACTS.register("relu2")` filing into
    /// `self._entries[name]`; one registry per object the module makes).
    struct DecoratorRegistry {
        /// The module dictionary, or the module-level name of the registry object.
        let table: String
        /// The decorator factory, or the decorator itself when `direct` (a method for a registry object).
        let factory: Function
        let direct: Bool
        /// The keys, outermost first.
        let keys: [RegistryKey]
        /// For a registry object: the field its methods file into (`_entries` of `self._entries[name] = obj`).
        let field: String?

        /// How a read inside the registry's own methods names the table (`self._entries`), or the module dictionary.
        var readName: String { field.map { "self.\($0)" } ?? table }
        /// The registry object's name, for a registry object.
        var instance: String? { field == nil ? nil : table }
    }

    /// A function of the file that reads a decorator registry with its parameters as the keys: `lookup(kind, name)`
    /// returning the entry, or `build(kind, name, **kwargs)` returning the entry called with the rest of its
    /// parameters spread (`*args`, `**kwargs`); for a registry object, its methods (`ACTS.get(name)`, `ACTS.build(name,
    /// **kwargs)`).
    struct RegistryAccessor {
        let function: Function
        let registry: DecoratorRegistry
        /// The accessor's parameters that give the keys, in the registry's key order.
        let keys: [String]
        /// Whether the accessor calls the entry with its other arguments (`build`) rather than returning it.
        let calls: Bool

        /// Whether a call runs this accessor: `lookup(...)` for a module function, `ACTS.get(...)` for a registry object.
        func isCalled(by call: CallSite) -> Bool {
            if let instance = registry.instance { return call.callee == "\(instance).\(function.name)" }
            return call.receiver == nil && call.callee == function.name
        }
    }

    /// One read of a decorator registry whose keys are decided: the definition's name node it stands for, and for an
    /// accessor that calls the entry, how many leading arguments of the call are keys (the entry's own arguments start
    /// after them, or at the call's closing parenthesis).
    struct RegistryRead {
        let node: Node
        let entry: Node
        let callsEntry: Bool
        let keyCount: Int
    }

    /// The decorator registries of the file (see the type's comment).
    var decoratorRegistries: [DecoratorRegistry] {
        memoized("decoratorRegistries") {
            // Module statements `NAME = value`, in order (registry objects are found in the order the module makes them).
            var moduleAssignments: [(name: String, value: Node)] = []
            for statement in root.namedChildren {
                guard let assignment = statement.namedChild(0), assignment.type == "assignment",
                      let left = assignment.child(byField: "left"), left.type == "identifier",
                      let right = assignment.child(byField: "right") else { continue }
                moduleAssignments.append((left.text, unwrapped(right)))
            }
            var found: [DecoratorRegistry] = []
            for factory in functions where factory.node.parent?.type == "module" || factory.node.parent?.parent?.type == "class_definition" {
                let owner = factory.node.parent?.type == "module" ? nil : enclosingClass(factory.node)
                let parameters = Array(factory.parameters.dropFirst(owner == nil ? 0 : 1))
                guard !parameters.isEmpty, let body = factory.body else { continue }
                var shapes: [(table: String, keys: [RegistryKey], direct: Bool)] = []
                // The factory itself decorates: `def register_model(fn): TABLE[fn.__name__] = fn; return fn`.
                if parameters.count == 1, returnsName(parameters[0], from: factory),
                   let (table, keys) = filing(parameters[0], in: factory, parameters: []) {
                    shapes.append((table, keys, true))
                }
                for inner in body.namedChildren where inner.type == "function_definition" {
                    guard let decorator = functions.first(where: { $0.node == inner }), decorator.parameters.count == 1,
                          returnsName(decorator.parameters[0], from: decorator), returnsName(decorator.name, from: factory),
                          let (table, keys) = filing(decorator.parameters[0], in: decorator, parameters: parameters) else { continue }
                    shapes.append((table, keys, false))
                }
                for shape in shapes {
                    if let owner {
                        // A registry object's field: one registry per object of the class the module makes.
                        guard shape.table.hasPrefix("self.") else { continue }
                        let field = String(shape.table.dropFirst(5))
                        for (name, value) in moduleAssignments where value.type == "call" && callSite(value).callee == owner.name {
                            found.append(DecoratorRegistry(table: name, factory: factory, direct: shape.direct, keys: shape.keys, field: field))
                        }
                    } else if moduleAssignments.contains(where: { $0.name == shape.table }) {
                        found.append(DecoratorRegistry(table: shape.table, factory: factory, direct: shape.direct, keys: shape.keys, field: nil))
                    }
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
    /// `TABLE.setdefault(k1, {})[k2] = obj` in its body (also through a local name for the inner table; `self._entries[k]`
    /// for a registry object), every key a parameter of the factory around it, the object's own name (`obj.__name__`),
    /// or a parameter falling back to it (`name or obj.__name__`).
    private func filing(_ object: String, in decorator: Function, parameters: [String]) -> (String, [RegistryKey])? {
        func key(_ node: Node, depth: Int = 0) -> RegistryKey? {
            let n = unwrapped(node)
            if n.type == "identifier", parameters.contains(n.text) { return .parameter(n.text) }
            // A local the decorator sets once to such a key (`name = fn.__name__`).
            if n.type == "identifier", depth < 2, case let bindings = dataflow.bindings(of: n.text, at: n), bindings.count == 1,
               bindings[0].kind == .value, isInside(bindings[0].site, decorator.node) {
                return key(bindings[0].node, depth: depth + 1)
            }
            if n.type == "attribute", n.child(byField: "attribute")?.text == "__name__", n.child(byField: "object")?.text == object {
                return .objectName
            }
            if n.type == "boolean_operator", n.child(byField: "operator")?.type == "or", let left = n.child(byField: "left").map(unwrapped),
               left.type == "identifier", parameters.contains(left.text), let right = n.child(byField: "right"),
               key(right, depth: depth + 1) == .objectName {
                return .parameterOrObjectName(left.text)
            }
            return nil
        }
        for node in descendants(of: decorator.node) where node.type == "assignment" {
            guard let right = node.child(byField: "right").map(unwrapped), right.type == "identifier", right.text == object,
                  let left = node.child(byField: "left"), var (table, keys) = keyPath(left) else { continue }
            // Through a local name for the inner table: `table = REGISTRY.setdefault(kind, {})`, then `table[name] = obj`.
            if table.type == "identifier" {
                let bindings = dataflow.bindings(of: table.text, at: table)
                if bindings.count == 1, bindings[0].kind == .value, isInside(bindings[0].site, decorator.node),
                   let (outer, first) = keyPath(bindings[0].node), !first.isEmpty {
                    (table, keys) = (outer, first + keys)
                }
            }
            let resolved = keys.compactMap { key($0) }
            guard !keys.isEmpty, resolved.count == keys.count else { continue }
            return (table.text, resolved)
        }
        return nil
    }

    /// The table and keys of a chain of reads `TABLE[a][b]` (also `TABLE.setdefault(a, {})[b]` and `TABLE.get(a)`, and a
    /// field of the object, `self._entries[a]`), outermost first; nil for anything else.
    func keyPath(_ node: Node) -> (table: Node, keys: [Node])? {
        let n = unwrapped(node)
        if n.type == "identifier" { return (n, []) }
        if n.type == "attribute", n.child(byField: "object")?.text == "self" { return (n, []) }
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
                for registry in registries {
                    let owner = registry.field == nil ? nil : enclosingClass(registry.factory.node)
                    let candidates = owner.map { methods(of: $0) } ?? functions.filter(\.isModuleLevel)
                    for function in candidates where function.node != registry.factory.node {
                        guard !found.contains(where: { $0.function.node == function.node && $0.registry.table == registry.table }) else { continue }
                        let returned = dataflow.returns(of: function.node).map(unwrapped)
                        guard returned.count == 1, let value = returned.first else { continue }
                        let mine = found.filter { $0.registry.table == registry.table }
                        if let keys = parameterRead(value, of: function, registry, mine) {
                            found.append(RegistryAccessor(function: function, registry: registry, keys: keys, calls: false))
                        } else if value.type == "call", let callee = value.child(byField: "function"),
                                  let keys = parameterRead(callee, of: function, registry, mine),
                                  spreadsOtherParameters(callSite(value), of: function, keys: keys) {
                            found.append(RegistryAccessor(function: function, registry: registry, keys: keys, calls: true))
                        }
                    }
                }
            }
            return found
        }
    }

    /// A read of a registry with parameters of `function` as every key: `REGISTRY[kind][name]` (`self._entries[name]` in
    /// a registry object's method), or a call of an accessor that returns the entry passing them positionally
    /// (`lookup(kind, name)`, `self.get(name)`).
    private func parameterRead(_ node: Node, of function: Function, _ registry: DecoratorRegistry,
                               _ accessors: [RegistryAccessor], depth: Int = 0) -> [String]? {
        let n = unwrapped(node)
        // A local set once to the read (`factory = REGISTRY[kind][name]`, then `return factory(**kwargs)`).
        if n.type == "identifier", depth == 0, case let bindings = dataflow.bindings(of: n.text, at: n), bindings.count == 1,
           bindings[0].kind == .value, isInside(bindings[0].site, function.node) {
            return parameterRead(bindings[0].node, of: function, registry, accessors, depth: 1)
        }
        if n.type == "call", case let call = callSite(n), call.keywords.isEmpty,
           let accessor = accessors.first(where: { accessor in
               !accessor.calls && (registry.field == nil ? call.receiver == nil && call.callee == accessor.function.name
                   : call.callee == "self.\(accessor.function.name)")
           }),
           call.positional.count == accessor.function.passedParameters.count {
            var keys: [String] = []
            for key in accessor.keys {
                guard let index = accessor.function.passedParameters.firstIndex(of: key) else { return nil }
                let argument = unwrapped(call.positional[index])
                guard argument.type == "identifier", function.parameters.contains(argument.text) else { return nil }
                keys.append(argument.text)
            }
            return keys
        }
        guard n.type == "subscript" || n.type == "call", let (table, keys) = keyPath(n), table.text == registry.readName,
              keys.count == registry.keys.count,
              keys.allSatisfy({ $0.type == "identifier" && function.parameters.contains($0.text) }) else { return nil }
        return keys.map(\.text)
    }

    /// Whether a call hands on exactly the parameters of `function` other than its keys, spread (`f(*args, **kwargs)`)
    /// or by their own names (timm's `_model_entrypoints[name](pretrained=pretrained, **kwargs)`).
    private func spreadsOtherParameters(_ call: CallSite, of function: Function, keys: [String]) -> Bool {
        guard call.positional.isEmpty, let arguments = call.node.child(byField: "arguments"),
              call.keywords.allSatisfy({ name, value in unwrapped(value).type == "identifier" && unwrapped(value).text == name }) else { return false }
        let spread = arguments.namedChildren.filter { $0.type != "comment" && $0.type != "keyword_argument" }
        guard spread.allSatisfy({ ["list_splat", "dictionary_splat"].contains($0.type) }) else { return false }
        let names = Set(spread.compactMap { $0.namedChild(0).map(unwrapped) }.filter { $0.type == "identifier" }.map(\.text))
            .union(call.keywords.keys)
        let others = Set(function.parameters.dropFirst(function.passedOffset)).subtracting(keys)
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
                    guard let expression = decorator.namedChild(0).map(unwrapped) else { continue }
                    // `@register(...)` / `@ACTS.register(...)` call a factory; `@register_model` / `@ACTS.register` are the
                    // decorator itself.
                    let call = expression.type == "call" ? callSite(expression) : nil
                    let named = call?.callee ?? expression.text
                    guard let registry = registries.first(where: { registry in
                        registry.direct == (call == nil)
                            && named == (registry.instance.map { "\($0).\(registry.factory.name)" } ?? registry.factory.name)
                    }) else { continue }
                    guard let keys = filedKeys(registry, call: call, name: name.text) else { continue }
                    filed[registry.table, default: [:]][keys] = name
                }
            }
            // A registration written as a call of the factory's decorator on a name (`register("optim", "muon")(Muon)`),
            // as its own statement.
            for statement in nodes(ofType: "expression_statement") {
                guard let outer = statement.namedChild(0).map(unwrapped), outer.type == "call", case let applied = callSite(outer),
                      applied.positional.count == 1, applied.keywords.isEmpty, let object = applied.positional.first.map(unwrapped),
                      object.type == "identifier", let inner = applied.function.map(unwrapped), inner.type == "call" else { continue }
                let call = callSite(inner)
                guard let registry = registries.first(where: { registry in
                    !registry.direct && call.callee == (registry.instance.map { "\($0).\(registry.factory.name)" } ?? registry.factory.name)
                }) else { continue }
                guard let keys = filedKeys(registry, call: call, name: object.text) else { continue }
                filed[registry.table, default: [:]][keys] = object
            }
            return filed
        }
    }

    /// The keys a registration files a definition named `name` under: the factory call's decided arguments (`call`, nil
    /// for a decorator used directly), or the name itself where the registry keys by it. Nil when a key is undecided.
    private func filedKeys(_ registry: DecoratorRegistry, call: CallSite?, name: String) -> [String]? {
        var keys: [String] = []
        for key in registry.keys {
            let given = call.flatMap { call in key.parameter.flatMap { passedArgument($0, of: registry.factory, at: call) } }
                .flatMap { unwrapped($0).type == "none" ? nil : $0 }
            switch key {
            case .objectName:
                keys.append(name)
            case .parameter:
                guard let given, let text = decidedString(given) else { return nil }
                keys.append(text)
            case .parameterOrObjectName:
                if let given {
                    guard let text = decidedString(given) else { return nil }
                    keys.append(text)
                } else {
                    keys.append(name)
                }
            }
        }
        return keys
    }

    /// A read of a decorator registry whose keys the configuration decides, with the definition it stands for (see
    /// `RegistryRead`); nil for any other node.
    func registryRead(_ node: Node) -> RegistryRead? {
        guard !decoratorRegistries.isEmpty else { return nil }
        if node.type == "subscript", let (table, keys) = keyPath(node), table.type == "identifier",
           decoratorRegistries.contains(where: { $0.field == nil && $0.table == table.text }),
           let entries = registeredDefinitions[table.text], let first = entries.keys.first, keys.count == first.count {
            // Not a write (`REGISTRY[kind][name] = obj`).
            if let parent = node.parent, parent.type == "assignment", parent.child(byField: "left") == node { return nil }
            let texts = keys.compactMap { decidedKey($0) }
            guard texts.count == keys.count, let entry = entries[texts] else { return nil }
            return RegistryRead(node: node, entry: entry, callsEntry: false, keyCount: keys.count)
        }
        guard node.type == "call", case let call = callSite(node),
              let accessor = registryAccessors.first(where: { $0.isCalled(by: call) }),
              accessor.registry.instance != nil || calledFunction(call)?.node == accessor.function.node,
              let entries = registeredDefinitions[accessor.registry.table] else { return nil }
        // The keys by position first: a `**` spread after them (`build("optim", spec.pop("name"), **spec)`) no longer
        // holds what was popped.
        func keyArgument(_ key: String) -> Node? {
            if let index = accessor.function.passedParameters.firstIndex(of: key), index < call.positional.count { return call.positional[index] }
            return passedArgument(key, of: accessor.function, at: call)
        }
        var texts: [String] = []
        for key in accessor.keys {
            guard let argument = keyArgument(key), let text = decidedKey(argument) else { return nil }
            texts.append(text)
        }
        guard let entry = entries[texts] else { return nil }
        // A builder's keys come first, positionally, so that the rest of the call is the entry's own arguments.
        if accessor.calls {
            let leading = Array(call.positional.prefix(accessor.keys.count))
            guard leading.count == accessor.keys.count,
                  accessor.keys.enumerated().allSatisfy({ accessor.function.passedParameters.firstIndex(of: $1) == $0 }) else { return nil }
        }
        return RegistryRead(node: node, entry: entry, callsEntry: accessor.calls, keyCount: accessor.keys.count)
    }

    /// The reads of a decorator registry outside its own functions (the factory and the accessors): subscripts of its
    /// table and calls of its accessors. Nil when the table is used any other way there (handed on, iterated, written).
    func decoratorRegistryReads(_ registry: DecoratorRegistry) -> [Node]? {
        let accessors = registryAccessors.filter { $0.registry.table == registry.table }
        let own = [registry.factory.node] + accessors.map(\.function.node)
        func outside(_ node: Node) -> Bool { !own.contains { isInside(node, $0) } }
        var reads: [Node] = []
        for use in identifiersByName[registry.table] ?? [] where outside(use) {
            // The module statement that makes the table (`REGISTRY = {}`) is no read.
            if let assignment = use.parent, assignment.type == "assignment", assignment.child(byField: "left") == use,
               assignment.parent?.parent?.type == "module" { continue }
            if registry.instance != nil {
                // A registry object: its decorators (`@ACTS.register`) and its accessors' calls; nothing else.
                guard let attribute = use.parent, attribute.type == "attribute", attribute.child(byField: "object") == use,
                      let method = attribute.child(byField: "attribute")?.text else { return nil }
                if method == registry.factory.name { continue }
                guard accessors.contains(where: { $0.function.name == method }) else { return nil }
                continue
            }
            guard let read = use.parent, read.type == "subscript", read.child(byField: "value") == use else { return nil }
            // The outer subscript of a read by several keys.
            var whole = read
            while let up = whole.parent, up.type == "subscript", up.child(byField: "value") == whole { whole = up }
            if let parent = whole.parent, parent.type == "assignment", parent.child(byField: "left") == whole { return nil }
            reads.append(whole)
        }
        for accessor in accessors {
            reads += calls(named: accessor.function.name).filter { accessor.isCalled(by: $0) }.map(\.node).filter(outside)
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
}
