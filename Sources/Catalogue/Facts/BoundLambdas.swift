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

    /// The name a lambda is set to when it is the whole right side of `name = lambda ...`, or, for an entry of a
    /// registry (`SCALES = {"tall": lambda r, c: ...}`), the local a read with a decided key selects it into
    /// (`scale_fn = SCALES[group["scale"]]`, see `registryLocal`).
    public func binding(ofLambda lambda: Node) -> BoundLambda? {
        guard lambda.type == "lambda" else { return nil }
        if let assignment = lambda.parent, assignment.type == "assignment", assignment.child(byField: "right") == lambda,
           let target = assignment.child(byField: "left"), target.type == "identifier" {
            return BoundLambda(name: target.text, lambda: lambda, parameters: lambdaParameters(lambda), isMethod: isClassBodyBinding(lambda))
        }
        guard let name = registryLocal(holding: lambda) else { return nil }
        return BoundLambda(name: name, lambda: lambda, parameters: lambdaParameters(lambda), isMethod: false)
    }

    /// `registryEntry` for an entry that is a lambda: `SCALES[group["scale"]]` with `SCALES = {"tall": lambda r, c: ...,
    /// ...}` a registry nothing else writes (see `registryDictionary`) and the key decided (see `decidedString`) selects
    /// the `"tall"` lambda, with the dictionary and its pair. Nil for any other read.
    public func registryLambda(_ read: Node) -> (dictionary: Node, pair: Node, entry: Node)? {
        guard read.type == "subscript", let table = read.child(byField: "value"), let keyNode = read.child(byField: "subscript"),
              let dictionary = registryDictionary(table, local: false), let key = decidedString(keyNode),
              let entry = OptimizerUse.entry(key, in: dictionary), entry.type == "lambda", let pair = entry.parent else { return nil }
        return (dictionary, pair, entry)
    }

    /// For a lambda entry of a module-level registry (`SCALES = {"tall": lambda r, c: ...}`), the plain local a read of
    /// the registry selects it into by a decided key (`scale_fn = SCALES[group["scale"]]`, see `registryLambda`); nil
    /// when no such read assigns it to a name.
    func registryLocal(holding lambda: Node) -> String? {
        guard let pair = lambda.parent, pair.type == "pair", pair.child(byField: "value") == lambda,
              let dictionary = pair.parent, dictionary.type == "dictionary", let assignment = dictionary.parent,
              assignment.type == "assignment", assignment.child(byField: "right") == dictionary,
              let table = assignment.child(byField: "left"), table.type == "identifier" else { return nil }
        for use in identifiersByName[table.text] ?? [] {
            guard let read = use.parent, read.type == "subscript", read.child(byField: "value") == use,
                  let local = read.parent, local.type == "assignment", local.child(byField: "right") == read,
                  let target = local.child(byField: "left"), target.type == "identifier",
                  registryLambda(read)?.entry == lambda else { continue }
            return target.text
        }
        return nil
    }

    /// The lambda a call runs through a name: a local (or a module name) set to a lambda before the call, or to a
    /// registry's lambda entry by a decided key (`scale_fn = SCALES[group["scale"]]`, then `scale_fn(r, c)`; see
    /// `registryLambda`). Nil for any other call.
    public func calledLambda(_ call: CallSite) -> Node? {
        guard let function = call.function.map(unwrapped), function.type == "identifier" else { return nil }
        if let value = latestValue(of: function.text, before: call.node).map(unwrapped) {
            if value.type == "lambda" { return value }
            return registryLambda(value)?.entry
        }
        let bound = boundLambdas(named: function.text)
        return bound.count == 1 ? bound.first?.lambda : nil
    }

    /// The lambda a call runs through a name (see `calledLambda`: `blend = lambda a, b: torch.lerp(a, b, w)`, then
    /// `blend(v, v1)`) as a function of the file: named as the call names it, with the lambda's parameters, and its body
    /// as the value it returns (see `returnedValues`). Nil for any other call.
    public func calledLambdaFunction(_ call: CallSite) -> Function? {
        guard let lambda = calledLambda(call), let name = call.function.map(unwrapped)?.text else { return nil }
        return Function(node: lambda, name: name, qualifiedName: name, parameterList: FunctionParameter.list(lambda.child(byField: "parameters")),
                        decorators: [], body: lambda.child(byField: "body"))
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
