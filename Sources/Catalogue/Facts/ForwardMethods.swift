import Parsing
import TreeSitterKit

/// The methods that run when a module is called: `forward` and `__call__`, and the method a base class's `forward`
/// hands every call to (a Keras-like `Layer` whose `forward` returns `self.call(*args, **kwargs)`, so that each
/// subclass writes `call`).
extension PythonFacts {
    /// Names of the methods a module call runs (see the type's note).
    public var forwardMethodNames: Set<String> {
        memoized("forwardMethodNames") {
            var names: Set<String> = ["forward", "__call__"]
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
                    names.insert(call.name)
                }
            }
            return names
        }
    }

    /// Whether a function is a method a module call runs.
    public func isForwardMethod(_ function: Function) -> Bool {
        forwardMethodNames.contains(function.name) && enclosingClass(function.node) != nil
    }

    /// A class's own methods that a call of its instances runs (its `forward`, `__call__`, or delegated-to method).
    public func forwardMethods(of owner: Class) -> [Function] {
        let names = forwardMethodNames
        return methods(of: owner).filter { names.contains($0.name) }
    }

    /// Whether a call passes on the parameters of the function it is in (`*args, **kwargs`, or each by name).
    private func passesParameters(of function: Function, to call: CallSite) -> Bool {
        if call.hasSplat { return true }
        let parameters = Set(function.parameters.filter { $0 != "self" })
        let passed = Set((call.positional + Array(call.keywords.values)).map { unparenthesized($0).text })
        return !parameters.isEmpty && parameters.isSubset(of: passed)
    }
}
