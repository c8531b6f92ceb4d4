import TreeSitterKit

/// What generator functions of the file hand out: the values their `yield`s give, and what `next(gen)` reads. (How a
/// generator that yields once per pass of a counting loop is evaluated at a step is in `StepFunctionFacts`.)
extension PythonFacts {
    /// The values a generator function yields (its own `yield` expressions, not those of nested functions, nor
    /// `yield from`): `yield long, max(long // 2, 128)` gives that tuple.
    public func yieldedValues(_ function: Function) -> [Node] {
        descendants(of: function.node).filter { n in
            n.type == "yield" && enclosingFunction(n)?.node == function.node && !n.children.contains { $0.type == "from" }
        }.compactMap { $0.namedChild(0) }
    }

    /// Whether a function of the file is a generator: a `yield` of its own (not one of a nested function's).
    public func isGenerator(_ function: Function) -> Bool {
        memoized("isGenerator/\(function.node.startByte)") {
            descendants(of: function.node).contains { $0.type == "yield" && enclosingFunction($0)?.node == function.node }
        }
    }

    /// For `next(gen)` with `gen` a call of a generator function of the file, or a name last set to one (`window_gen =
    /// window_schedule(n)` then `long, short = next(window_gen)`), the values that function yields: what an advance of
    /// the generator gives. Nil for any other expression, and for a function that yields nothing.
    public func advancedValues(_ node: Node) -> [Node]? {
        let n = unwrapped(node)
        guard n.type == "call", case let call = callSite(n), call.callee == "next", call.positional.count == 1, !call.hasSplat
        else { return nil }
        var generator = unwrapped(call.positional[0])
        if generator.type == "identifier" {
            guard let value = heldValue(of: generator.text, at: n) else { return nil }
            generator = unwrapped(value)
        }
        guard generator.type == "call", let function = calledFunction(callSite(generator)) else { return nil }
        let yielded = yieldedValues(function)
        return yielded.isEmpty ? nil : yielded
    }
}
