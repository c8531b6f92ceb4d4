import Parsing
import TreeSitterKit

/// Per-item choices written as the body of a comprehension (`long_bm if c == "L" else short_bm for c in LAYOUT`,
/// `[w_long if i % 4 == 3 else w_short for i in range(n_layer)]`): whether the items the comprehension walks actually
/// take both branches. A layout that sends every layer to one side mixes nothing, however the test is spelled.
extension PythonFacts {
    /// The outcomes of the test of a conditional expression over the items of the comprehension whose body it is:
    /// each item of the walked sequence (evaluated by the script interpreter; a name the file sets only at module level
    /// and read from inside a function takes its last module-level value, the one set when the function runs after
    /// the module's code) bound to the loop variable, the test evaluated. `[true]`, `[false]` or both; nil when the
    /// conditional is not such a body, the loop target is not one name, or the items or a test cannot be computed.
    public func comprehensionBranchOutcomes(_ conditional: Node) -> Set<Bool>? {
        let parts = conditional.namedChildren.filter { $0.type != "comment" }
        guard conditional.type == "conditional_expression", parts.count == 3, let comprehension = conditional.parent,
              ["list_comprehension", "generator_expression", "set_comprehension"].contains(comprehension.type),
              comprehension.child(byField: "body") == conditional,
              case let clauses = comprehension.namedChildren.filter({ $0.type == "for_in_clause" }), clauses.count == 1,
              let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
              let source = clauses[0].child(byField: "right").map(unwrapped) else { return nil }
        let interpreter = ScriptInterpreter(self)
        var walked: ScriptValue?
        if source.type == "identifier", enclosingFunction(conditional) != nil,
           dataflow.bindings(of: source.text, at: source).allSatisfy({ enclosingFunction($0.site) == nil }),
           let value = moduleBindings(of: source.text).last?.value {
            walked = interpreter.value(of: value)
        } else {
            walked = interpreter.iteration(of: source)
        }
        let items: [ScriptValue]
        switch walked {
        case .tuple(let elements)?: items = elements
        case .string(let text)?: items = text.map { .string(String($0)) }
        default: return nil
        }
        guard !items.isEmpty else { return nil }
        var outcomes = Set<Bool>()
        for item in items {
            guard let decided = interpreter.value(of: parts[1], env: [variable.text: item]) else { return nil }
            if case .opaque = decided { return nil }
            outcomes.insert(decided.truthy)
        }
        return outcomes
    }
}
