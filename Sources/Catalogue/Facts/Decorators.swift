import TreeSitterKit

/// Decorators the file writes itself, read as Python runs them: `@d` above a `def` or a `class` passes the definition
/// to `d`, `@factory(args)` passes it to the function the factory returns (its nested `decorate`), and the name is
/// bound to what that hands back.
///
/// A function decorator hands back a wrapper nested in it (`def wrapper(*args, **kwargs): return fn(*args,
/// **kwargs).square()`): the decorated function's callers run the wrapper (`decoratorWrappers`), and the wrapper's
/// calls of the parameter that received the function (`fn(...)`) run the decorated function (`decoratedTargets`). A
/// class decorator changes the class it is given: a function nested in it that it binds on the class (`cls.forward =
/// forward`, `cls.__init__, cls.values = __init__, values`, `setattr(cls, "forward", forward)`) is a method of every
/// class it decorates (`decoratorMethodBindings`, read by `ClassMembers.methods(of:)`), a name it reads a method of the
/// class into first (`plain_forward = cls.forward`) calls the method the class itself defines, and `self` in its code
/// is an instance of those classes (`classDecorations(around:)`). Only decorators that are functions of the file are
/// read; `@property`, `@torch.compile` and other library decorators are not.
extension PythonFacts {
    /// One decorator of the file applied to one definition.
    public struct DecoratorApplication {
        /// The decorated `function_definition` or `class_definition`.
        public let definition: Node
        /// The function the definition is passed to: the decorator itself (`@squared`), or the function its factory
        /// returns (`@softcapped(cap=30.0)`: the `decorate` nested in `softcapped`).
        public let applied: Function
        /// The decorator's call when it is a factory called with arguments (`zero_init("c_proj")`), else nil.
        public let call: Node?
        /// For a `def`: the function nested in `applied` that `applied` returns, which the decorated name is bound to.
        public let wrapper: Function?
    }

    /// Every application of a decorator of the file, in document order (several decorators of one definition from the
    /// innermost, the last written, out).
    public var decoratorApplications: [DecoratorApplication] {
        memoized("decoratorApplications") {
            var result: [DecoratorApplication] = []
            for decorated in nodes(ofType: "decorated_definition") {
                guard let definition = decorated.child(byField: "definition"),
                      ["function_definition", "class_definition"].contains(definition.type) else { continue }
                for decorator in decorated.namedChildren.reversed() where decorator.type == "decorator" {
                    guard let expression = decorator.namedChildren.first(where: { $0.type != "comment" }).map(unwrapped),
                          case let (applied, call)? = appliedDecorator(expression), applied.parameters.first != nil else { continue }
                    let wrapper = definition.type == "function_definition" ? nestedFunctionReturned(by: applied) : nil
                    result.append(DecoratorApplication(definition: definition, applied: applied, call: call, wrapper: wrapper))
                }
            }
            return result
        }
    }

    /// The function a decorator expression passes the definition to, with the factory's call: a module-level function
    /// of the file named by it, or the nested function a module-level factory of the file returns when called.
    private func appliedDecorator(_ expression: Node) -> (Function, Node?)? {
        switch expression.type {
        case "identifier":
            return moduleFunctions[expression.text].map { ($0, Node?.none) }
        case "call":
            guard let callee = expression.child(byField: "function"), callee.type == "identifier",
                  let factory = moduleFunctions[callee.text], let inner = nestedFunctionReturned(by: factory) else { return nil }
            return (inner, expression)
        default:
            return nil
        }
    }

    /// The function defined inside `function` that it returns by name (`return wrapper`), if one.
    private func nestedFunctionReturned(by function: Function) -> Function? {
        for value in returnedValues(function) {
            let returned = unwrapped(value)
            guard returned.type == "identifier" else { continue }
            if let nested = functions.last(where: { $0.name == returned.text && $0.node != function.node && isInside($0.node, function.node)
                && $0.node.endByte <= value.startByte }) { return nested }
        }
        return nil
    }

    /// The wrappers decorators of the file put in place of a function, innermost first: what its callers run.
    public func decoratorWrappers(of function: Function) -> [Function] {
        decoratorWrappers(ofDefinition: function.node)
    }

    /// The wrappers decorators of the file put in place of the function defined at `definition`, innermost first.
    public func decoratorWrappers(ofDefinition definition: Node) -> [Function] {
        decoratorApplications(wrapping: definition).compactMap(\.wrapper)
    }

    /// The applications of the file's decorators that put a wrapper in a function's place, innermost first.
    public func decoratorApplications(wrapping function: Function) -> [DecoratorApplication] {
        decoratorApplications(wrapping: function.node)
    }

    private func decoratorApplications(wrapping definition: Node) -> [DecoratorApplication] {
        let applications = decoratorApplications
        guard !applications.isEmpty else { return [] }
        return applications.filter { $0.definition == definition && $0.wrapper != nil }
    }

    /// What the factory of a decorator is given on its decorator line (`@softcapped(cap=30.0)`: `cap` and the `30.0`
    /// node), each parameter of the factory with its argument there or its default; empty for a bare `@decorator`.
    /// The wrapper reads these names as they are bound here.
    public func decoratorArguments(_ application: DecoratorApplication) -> [(parameter: String, value: Node)] {
        guard let node = application.call, let factory = outerFunction(of: application.applied) else { return [] }
        let call = callSite(node)
        return factory.passedParameters.enumerated().compactMap { index, parameter in
            (call.argument(parameter, position: index) ?? parameterDefault(factory, parameter)).map { (parameter, $0) }
        }
    }

    /// The numbers a decorator's factory is given on the line that puts `wrapper` in `function`'s place
    /// (`@softcapped(cap=30.0)` above `def head`: `["cap": 30.0]`, see `decoratorArguments`). Nil when `wrapper` is not
    /// one `function` wears.
    public func decoratorBindings(of function: Function, wrapper: Function) -> [String: Double]? {
        guard let application = decoratorApplications(wrapping: function).first(where: { $0.wrapper?.node == wrapper.node }) else { return nil }
        var bound: [String: Double] = [:]
        for (parameter, value) in decoratorArguments(application) {
            if let number = evaluate(value) { bound[parameter] = number }
        }
        return bound
    }

    /// Whether a function is the wrapper a decorator of the file puts in a function's place.
    public func isDecoratorWrapper(_ function: Function) -> Bool {
        decoratorApplications.contains { $0.wrapper?.node == function.node }
    }

    /// The functions a call written inside a decorator of the file runs under a name of the decorator's own: a call of
    /// the parameter that receives the decorated function (`fn(*args, **kwargs)` in the wrapper) runs every function the
    /// decorator is applied to; a call of a name a class decorator set from a method of the class it receives
    /// (`plain_forward(self, ...)` after `plain_forward = cls.forward`) runs that method as each decorated class defines
    /// it (own or inherited, not the replacement). Empty for any other call.
    public func decoratedTargets(of call: CallSite) -> [Function] {
        guard call.receiver == nil, let callee = call.function.map(unwrapped), callee.type == "identifier",
              !decoratorApplications.isEmpty else { return [] }
        // The parameter that receives the decorated function, read in the decorator or in a function nested in it.
        if let owner = parameterOwner(of: callee) {
            guard owner.parameters.first == callee.text else { return [] }
            return decoratorApplications.filter { $0.applied.node == owner.node && $0.definition.type == "function_definition" }
                .compactMap { application in functions.first { $0.node == application.definition } }
        }
        // A name bound to `cls.<method>` in a class decorator.
        for binding in dataflow.bindings(of: callee.text, at: callee) where binding.kind == .value {
            let value = unwrapped(binding.node)
            guard value.type == "attribute", let object = value.child(byField: "object"), object.type == "identifier",
                  let name = value.child(byField: "attribute")?.text, let applied = enclosingFunction(binding.site),
                  applied.parameters.first == object.text else { continue }
            var found: [Function] = []
            for application in decoratorApplications where application.applied.node == applied.node {
                // (Not a function the decorator binds itself: the method the class had before.)
                guard let owner = classes.first(where: { $0.node == application.definition }), let m = method(name, of: owner),
                      !isInside(m.node, applied.node), !found.contains(where: { $0.node == m.node }) else { continue }
                found.append(m)
            }
            if !found.isEmpty { return found }
        }
        return []
    }

    /// The functions class decorators of the file bind on the classes they decorate, per class: for each application,
    /// each assignment in the decorator's own body of a function nested in it to an attribute of its class parameter
    /// (`cls.values = values`, pairwise `cls.__init__, cls.values = __init__, values`) or `setattr(cls, "name", fn)`,
    /// with the attribute's name and where the binding is written.
    public var decoratorMethodBindings: [Node: [(name: String, function: Function, site: Int)]] {
        memoized("decoratorMethodBindings") {
            var index: [Node: [(name: String, function: Function, site: Int)]] = [:]
            for application in decoratorApplications where application.definition.type == "class_definition" {
                guard let parameter = application.applied.parameters.first else { continue }
                let nested = functions.filter { $0.node != application.applied.node && isInside($0.node, application.applied.node) }
                func bind(_ target: Node, _ value: Node, at site: Node) {
                    let target = unwrapped(target), value = unwrapped(value)
                    guard target.type == "attribute", target.child(byField: "object")?.text == parameter,
                          let name = target.child(byField: "attribute")?.text, value.type == "identifier",
                          let function = nested.last(where: { $0.name == value.text && $0.node.endByte <= site.startByte }) else { return }
                    index[application.definition, default: []].append((name, function, site.startByte))
                }
                for n in descendants(of: application.applied.node) where enclosingFunction(n)?.node == application.applied.node {
                    if n.type == "assignment", let left = n.child(byField: "left"), let right = n.child(byField: "right") {
                        let targets = ["pattern_list", "tuple_pattern"].contains(left.type) ? left.namedChildren : [left]
                        let values = ["expression_list", "tuple"].contains(unwrapped(right).type) ? unwrapped(right).namedChildren : [right]
                        guard targets.count == values.count else { continue }
                        for (target, value) in zip(targets, values) { bind(target, value, at: n) }
                    } else if n.type == "call" {
                        let call = callSite(n)
                        guard call.callee == "setattr", call.positional.count == 3, call.positional[0].text == parameter,
                              let name = SettingsTable.stringValue(call.positional[1]), case let value = unwrapped(call.positional[2]),
                              value.type == "identifier",
                              let function = nested.last(where: { $0.name == value.text && $0.node.endByte <= n.startByte }) else { continue }
                        index[application.definition, default: []].append((name, function, n.startByte))
                    }
                }
            }
            return index
        }
    }

    /// The function a class decorator of the file binds on `owner` (or on the nearest base class of the file it
    /// decorates) under `name`, replacing the method the class body writes: what `self.<name>(...)` runs.
    public func decoratorMethod(_ name: String, of owner: Class) -> Function? {
        let bindings = decoratorMethodBindings
        guard !bindings.isEmpty else { return nil }
        for c in lineage(of: owner) {
            if let found = bindings[c.node]?.last(where: { $0.name == name }) { return found.function }
        }
        return nil
    }

    /// For a node in the code of a class decorator of the file (its body or a function nested in it, such as the
    /// `__init__` it binds on the class), the classes it decorates, each with the arguments its factory is called with
    /// there (`zero_init("c_proj")` above `class MLP`: `"c_proj"`; none for a bare `@decorator`). Empty elsewhere.
    public func classDecorations(around node: Node) -> [(owner: Class, arguments: [Node])] {
        decoratorApplications.compactMap { application -> (owner: Class, arguments: [Node])? in
            guard application.definition.type == "class_definition", isInside(node, application.applied.node),
                  let owner = classes.first(where: { $0.node == application.definition }) else { return nil }
            let call = application.call.map { callSite($0) }
            return (owner, (call?.positional ?? []) + (call.map { Array($0.keywords.values) } ?? []))
        }
    }
}
