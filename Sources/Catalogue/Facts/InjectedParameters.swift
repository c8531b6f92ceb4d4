import SourceModel
import TreeSitterKit

extension PythonFacts {
    /// Whether a decorator fills the parameters of a function its callers leave out: Sacred's `@ex.capture` (and
    /// `@ex.main` / `@ex.automain`), on the function or, for an `__init__`, on its class.
    func injectsParameters(_ function: Function) -> Bool {
        let injecting: Set<String> = ["capture", "main", "automain"]
        if function.decorators.contains(where: { injecting.contains($0.lastDottedComponent) }) { return true }
        guard function.name == "__init__", let owner = enclosingClass(function.node),
              let decorated = owner.node.parent, decorated.type == "decorated_definition" else { return false }
        return decorated.namedChildren.contains { decorator in
            guard decorator.type == "decorator", var expression = decorator.namedChildren.first else { return false }
            if expression.type == "call", let called = expression.child(byField: "function") { expression = called }
            return injecting.contains(expression.text.lastDottedComponent)
        }
    }
}
