import TreeSitterKit

/// Modules that only call what they were built with: `class Lambda(nn.Module)` whose `__init__` keeps a callable
/// (`self.fn = fn`) and whose `forward` returns `self.fn(*args)`. A name built as `rms = Lambda(lambda t:
/// F.rms_norm(t, ...))` then computes what the lambda computes, and is read as the lambda.
extension PythonFacts {
    /// The callable a construction of a wrapper class of the file hands its calls to (the argument given for the
    /// parameter its `forward` calls), or nil when the class does more than pass calls on.
    public func wrappedCallable(_ construction: CallSite) -> Node? {
        guard let owner = boundClass(named: construction.name), let parameter = wrappedParameter(of: owner) else { return nil }
        guard let initializer = initializer(of: owner) else { return nil }
        guard let index = initializer.passedParameters.firstIndex(of: parameter) else { return nil }
        return construction.argument(parameter, position: index).map(unwrapped)
    }

    /// The `__init__` parameter a wrapper class's forward calls: `self.fn = fn` in `__init__` and `return
    /// self.fn(...)` as the forward's only statement.
    private func wrappedParameter(of owner: Class) -> String? {
        guard let forward = forwardMethods(of: owner).first, let body = forward.body,
              body.namedChildren.filter({ $0.type != "comment" && !($0.type == "expression_statement" && $0.namedChild(0)?.type == "string") }).count == 1,
              let statement = body.namedChildren.last(where: { $0.type == "return_statement" }),
              let value = statement.namedChild(0).map(unwrapped), value.type == "call" else { return nil }
        let call = callSite(value)
        guard call.receiver?.text == "self", let initializer = initializer(of: owner), let initBody = initializer.body else { return nil }
        for n in descendants(of: initBody) where n.type == "assignment" {
            guard n.child(byField: "left")?.text == "self.\(call.name)", let right = n.child(byField: "right"),
                  right.type == "identifier", initializer.parameters.contains(right.text) else { continue }
            return right.text
        }
        return nil
    }
}
