import TreeSitterKit

/// A lambda given a name: `ramp = lambda t: ...` in a function or at module level, an entry of a settings dict or
/// namespace (`H = dict(mom=lambda t: ...)`), or `opt = lambda s, lr: ...` in a class body, where it is a method and a
/// call through an instance passes the instance as its first parameter.
public struct BoundLambda {
    public let name: String
    public let lambda: Node
    /// Every parameter, the instance of a method included.
    public let parameters: [String]
    /// Bound in a class body.
    public let isMethod: Bool

    public var body: Node? { lambda.child(byField: "body") }
    /// The parameters a call fills: all of them less a method's instance.
    public var passedParameters: [String] { isMethod ? Array(parameters.dropFirst()) : parameters }
}

extension PythonFacts {
    /// The lambdas `name` is set to, one per setting that sets it to one, in file order. A lambda handed to a module
    /// that only calls it (`norm = Lambda(lambda t: ...)`) counts as set.
    public func boundLambdas(named name: String) -> [BoundLambda] {
        allSettings.settings(name).compactMap { setting in
            var value = unwrapped(setting.value)
            if value.type == "call", let wrapped = wrappedCallable(callSite(value)) { value = wrapped }
            guard value.type == "lambda" else { return nil }
            return BoundLambda(name: name, lambda: value, parameters: lambdaParameters(value), isMethod: isClassBodyBinding(value))
        }
    }

    /// The name a lambda is set to when it is the whole right side of `name = lambda ...`.
    public func binding(ofLambda lambda: Node) -> BoundLambda? {
        guard lambda.type == "lambda", let assignment = lambda.parent, assignment.type == "assignment",
              assignment.child(byField: "right") == lambda,
              let target = assignment.child(byField: "left"), target.type == "identifier" else { return nil }
        return BoundLambda(name: target.text, lambda: lambda, parameters: lambdaParameters(lambda), isMethod: isClassBodyBinding(lambda))
    }

    /// For a name inside a lambda that is one of the parameters a call fills, when the lambda is set to a plain
    /// name: that name and the parameter's position among the passed ones.
    func boundLambdaParameter(_ identifier: Node) -> (name: String, index: Int)? {
        var node = identifier.parent
        while let n = node, n.type != "lambda" {
            if n.type == "function_definition" || n.type == "class_definition" { return nil }
            node = n.parent
        }
        guard let lambda = node.flatMap(binding(ofLambda:)),
              let index = lambda.passedParameters.firstIndex(of: identifier.text) else { return nil }
        return (lambda.name, index)
    }

    /// The expression of the lambda a name is set to, when the name is set to nothing else.
    public func lambdaBody(_ name: String) -> Node? {
        guard allSettings.settings(name).count == 1 else { return nil }
        return boundLambdas(named: name).first?.body.map(unwrapped)
    }

    /// `name = lambda ...` written as a statement of a class body.
    private func isClassBodyBinding(_ lambda: Node) -> Bool {
        guard let assignment = lambda.parent, assignment.type == "assignment", assignment.child(byField: "right") == lambda,
              let statement = assignment.parent, statement.type == "expression_statement" else { return false }
        return statement.parent?.type == "block" && statement.parent?.parent?.type == "class_definition"
    }
}
