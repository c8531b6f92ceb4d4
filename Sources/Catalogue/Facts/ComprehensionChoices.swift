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

    /// The outcomes of a conditional expression's test that compares one character of a string with a literal
    /// (`wide if self.pattern[i] == "L" else narrow`, also `!=`), when the script interpreter computes the string where
    /// the test stands (a layout string a constructor is given and keeps, `"LSSSLS"`): the test over each of its
    /// characters, whatever the index. `[true]`, `[false]` or both; nil when the test is no such comparison or the string
    /// cannot be computed. A layout of one letter sends every layer to one side.
    public func indexedStringOutcomes(_ conditional: Node) -> Set<Bool>? {
        guard let parts = conditionalParts(conditional), case let test = unwrapped(parts.test), test.type == "comparison_operator",
              case let operands = test.namedChildren.filter({ $0.type != "comment" }).map(unwrapped), operands.count == 2,
              case let operators = test.children.filter({ !$0.isNamed }).map(\.type), operators.count == 1,
              ["==", "!="].contains(operators[0]) else { return nil }
        let (read, literal) = operands[0].type == "subscript" ? (operands[0], operands[1]) : (operands[1], operands[0])
        guard read.type == "subscript", let letter = SettingsTable.stringValue(literal),
              let source = read.child(byField: "value"),
              case .string(let layout)? = ScriptInterpreter(self, budget: ScriptInterpreter.sizeBudget).value(of: source),
              !layout.isEmpty else { return nil }
        return Set(layout.map { (String($0) == letter) == (operators[0] == "==") })
    }
}
