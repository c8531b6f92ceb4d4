import Parsing
import TreeSitterKit

/// The methods that run when a module is called: `forward` and `__call__`, and the method a base class's `forward`
/// hands every call to (a Keras-like `Layer` whose `forward` returns `self.call(*args, **kwargs)`, so that each
/// subclass writes `call`).
extension PythonFacts {
    /// Names of the methods a module call runs, in any class of the file (see the type's note).
    public var forwardMethodNames: Set<String> {
        memoized("forwardMethodNames") { Set(delegatedForwards.values.joined()).union(["forward", "__call__"]) }
    }

    /// Per class (by name), the methods its `forward` hands every call to.
    private var delegatedForwards: [String: Set<String>] {
        memoized("delegatedForwards") {
            var result: [String: Set<String>] = [:]
            let methodNames = self.methodNames
            // Only a module's `forward` hands calls on (a schedule object's `__call__` returning `self.lr_at(step)` does
            // not make `lr_at` a forward).
            for function in functions where function.name == "forward" {
                guard let owner = enclosingClass(function.node), owner.bases.contains(where: { $0.hasSuffix("Module") }) else { continue }
                guard let body = function.body else { continue }
                for statement in descendants(of: body) where statement.type == "return_statement" {
                    guard enclosingFunction(statement)?.node == function.node,
                          let value = statement.namedChild(0).map(unparenthesized), value.type == "call" else { continue }
                    let call = callSite(value)
                    // `return self.call(*args, **kwargs)`: a method of the file's classes, not a submodule attribute.
                    guard call.receiver?.text == "self", methodNames.contains(call.name), call.name != "__init__",
                          passesParameters(of: function, to: call) else { continue }
                    result[owner.name, default: []].insert(call.name)
                }
            }
            return result
        }
    }

    /// Whether a function of the file may run: a forward, a special method Python calls itself (`__init__` holding
    /// `self.act = ...`, `__call__`), a function the file refers to elsewhere (called, passed along, launched), or one a
    /// string names (a trainer running its callbacks' hooks by name: `getattr(cb, "on_train_begin")(self)`,
    /// `self.emit("on_step_begin", step)`).
    public func mayRun(_ function: Function) -> Bool {
        if function.name.hasPrefix("__") && function.name.hasSuffix("__") { return true }
        if forwardMethodNames.contains(function.name) || isReferenced(function.name, outside: function.node) { return true }
        let spelled: Set<String> = memoized("stringsSpelled") { Set(nodes(ofType: "string").compactMap { SettingsTable.stringValue($0) }) }
        return spelled.contains(function.name)
    }

    /// The `forward` of the `torch.autograd.Function` subclass of the file a call applies: `Fn.apply(x)`, or a call
    /// through a name bound to it (`op = Fn.apply; op(x)`, see `CallableAlias`). Empty for any other call.
    public func autogradForwards(_ call: CallSite) -> [Function] {
        guard call.name == "apply" else { return [] }
        // `Fn.apply(x)` names the class; a call through an alias (`op(x)`, `self.op(x)`) has it in its callee.
        let owner: String
        if let function = call.function, function.type == "attribute", function.child(byField: "attribute")?.text == "apply",
           let object = function.child(byField: "object") {
            owner = object.text
        } else {
            owner = String(call.callee.dropLast(".apply".count))
        }
        return boundClass(named: owner).map(forwardMethods(of:)) ?? []
    }

    /// The parameters of a function that a call of it fills, in order: all of them, less a method's `self` when the
    /// call is made on an instance, or the `ctx` of an autograd function's `forward` run by `Fn.apply(...)`.
    public func filledParameters(_ function: Function, by call: CallSite) -> [String] {
        let parameters = function.parameters
        if call.name == "apply", autogradForwards(call).contains(where: { $0.node == function.node }) { return Array(parameters.dropFirst()) }
        if call.receiver != nil, parameters.first == "self" { return Array(parameters.dropFirst()) }
        return parameters
    }

    /// The method names a call of this class's instances runs: `forward`, `__call__`, and what the `forward` of the
    /// class or of a base class of the file delegates to.
    public func forwardMethodNames(of owner: Class) -> Set<String> {
        var names: Set<String> = ["forward", "__call__"]
        let delegated = delegatedForwards
        guard !delegated.isEmpty else { return names }
        var pending = [owner], seen = Set<Node>()
        while let c = pending.popLast(), seen.count < 16 {
            guard seen.insert(c.node).inserted else { continue }
            names.formUnion(delegated[c.name] ?? [])
            pending += c.bases.compactMap { baseClass(named: $0.lastDottedComponent, of: c) }
        }
        return names
    }

    /// Whether a function is a method a module call runs.
    public func isForwardMethod(_ function: Function) -> Bool {
        guard let owner = enclosingClass(function.node) else { return false }
        return forwardMethodNames(of: owner).contains(function.name)
    }

    /// A class's methods that a call of its instances runs (its `forward`, `__call__`, or delegated-to method), or
    /// those it inherits from the nearest base class of the file that has them.
    /// The functions a class's inherited `forward` runs through a field its base's `__init__` fills from a parameter,
    /// as the class's own `__init__` fills it: `class Norm(Lambda): def __init__(self): super().__init__(rms)` with
    /// `Lambda.__init__(self, fn)` storing `self.fn = fn` and `Lambda.forward` returning `self.fn(x)` runs `rms`.
    /// Empty when the forward is the class's own or calls no such field.
    public func forwardDelegates(of owner: Class) -> [Function] {
        guard let forward = forwardMethods(of: owner).first, let defining = enclosingClass(forward.node), defining.node != owner.node,
              let baseInit = method("__init__", of: defining), let baseBody = baseInit.body,
              let ownInit = methods(of: owner).first(where: { $0.name == "__init__" }), let ownBody = ownInit.body else { return [] }
        // The fields of `self` the forward calls.
        let called = Set(descendants(of: forward.node).compactMap { n -> String? in
            guard n.type == "call", let f = n.child(byField: "function"), f.type == "attribute",
                  f.child(byField: "object")?.text == "self" else { return nil }
            return f.child(byField: "attribute")?.text
        })
        guard !called.isEmpty else { return [] }
        // The base's `super().__init__(...)` call in the class's own `__init__`.
        guard let handoff = descendants(of: ownBody).first(where: { n in
            guard n.type == "call", case let call = callSite(n), call.name == "__init__", let receiver = call.receiver else { return false }
            return receiver.text == "super()" || receiver.text == defining.name
        }).map(callSite) else { return [] }
        let parameters = baseInit.passedParameters
        let offset = handoff.receiver?.text == defining.name ? 1 : 0  // `Base.__init__(self, fn)` passes self first
        var found: [Function] = []
        for assignment in descendants(of: baseBody) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), left.type == "attribute", left.child(byField: "object")?.text == "self",
                  let field = left.child(byField: "attribute")?.text, called.contains(field),
                  let right = assignment.child(byField: "right").map(unwrapped), right.type == "identifier",
                  let index = parameters.firstIndex(of: right.text),
                  let argument = handoff.argument(right.text, position: index + offset) else { continue }
            found += functionsDenoted(by: argument, depth: 0)
        }
        return found
    }

    public func forwardMethods(of owner: Class) -> [Function] {
        let names = forwardMethodNames(of: owner)
        for c in lineage(of: owner) {
            let found = methods(of: c).filter { names.contains(boundName(of: $0, in: c)) }
            if !found.isEmpty { return found }
        }
        return []
    }

    /// Whether a call passes on the parameters of the function it is in (`*args, **kwargs`, or each by name).
    private func passesParameters(of function: Function, to call: CallSite) -> Bool {
        if call.hasSplat { return true }
        let parameters = Set(function.parameters.filter { $0 != "self" })
        let passed = Set((call.positional + Array(call.keywords.values)).map { unparenthesized($0).text })
        return !parameters.isEmpty && parameters.isSubset(of: passed)
    }
}
