import Parsing
import TreeSitterKit

/// Parameter kinds told by a label a dimensionality test picks: `def param_kind(p): return "matrix" if p.ndim == 2 else
/// "scalar"` names each parameter's side, and code routes parameters by comparing that label (`[p for p in ps if
/// param_kind(p) == "matrix"]`) or by grouping on it (`{k: list(g) for k, g in itertools.groupby(sorted(ps,
/// key=param_kind), key=param_kind)}`, then `routed["scalar"]`).
extension PythonFacts {
    /// The side each label stands for, for a labelling function: a lambda or a function of the file (by its name, when
    /// one function has it) whose returns are `"a" if <dimensionality test> else "b"`. Empty for anything else.
    public func kindLabels(of callable: Node) -> [String: ParameterKind] {
        let node = unwrapped(callable)
        var returned: [Node] = []
        if node.type == "lambda", let body = node.child(byField: "body") {
            returned = [body]
        } else if node.type == "identifier", case let named = function(named: node.text), named.count == 1 {
            returned = returnedValues(named[0])
        }
        var labels: [String: ParameterKind] = [:]
        for value in returned.map(unparenthesized) {
            guard value.type == "conditional_expression" else { return [:] }
            let parts = value.namedChildren.filter { $0.type != "comment" }
            guard parts.count == 3, let chosen = SettingsTable.stringValue(unwrapped(parts[0])),
                  let otherwise = SettingsTable.stringValue(unwrapped(parts[2])), chosen != otherwise,
                  let side = dimensionSide(of: parts[1]) else { return [:] }
            labels[chosen] = side
            labels[otherwise] = side == .matrices ? .scalars : .matrices
        }
        return labels
    }

    /// The side a comprehension's filter keeps when it compares a parameter's label with a string (`param_kind(p) ==
    /// "matrix"`, `"scalar" != kind_of(p)` for the other side); nil otherwise.
    public func labelComparisonSide(_ condition: Node) -> ParameterKind? {
        let test = unparenthesized(condition.type == "if_clause" ? (condition.namedChildren.first ?? condition) : condition)
        guard test.type == "comparison_operator" else { return nil }
        let operands = test.namedChildren.filter { $0.type != "comment" }.map(unparenthesized)
        let operators = test.children.filter { !$0.isNamed }.map(\.type)
        guard operands.count == 2, operators.count == 1, ["==", "!="].contains(operators[0]) else { return nil }
        for (labelled, literal) in [(operands[0], operands[1]), (operands[1], operands[0])] {
            guard labelled.type == "call", let label = SettingsTable.stringValue(literal),
                  let function = labelled.child(byField: "function"), callSite(labelled).positional.count == 1,
                  let side = kindLabels(of: function)[label] else { continue }
            return operators[0] == "==" ? side : (side == .matrices ? .scalars : .matrices)
        }
        return nil
    }

    /// The side the entry `key` of a dictionary built by grouping on a label holds: `{k: list(g) for k, g in
    /// itertools.groupby(ps, key=param_kind)}` (the groups under their labels); nil for any other value.
    public func groupedLabelSide(_ value: Node, key: String) -> ParameterKind? {
        let comprehension = unparenthesized(value)
        guard comprehension.type == "dictionary_comprehension",
              let pair = comprehension.child(byField: "body"), pair.type == "pair",
              let keyName = pair.child(byField: "key").map(unparenthesized), keyName.type == "identifier",
              let clause = comprehension.namedChildren.first(where: { $0.type == "for_in_clause" }),
              !comprehension.namedChildren.contains(where: { $0.type == "if_clause" }),
              let pattern = clause.child(byField: "left"), case let names = pattern.namedChildren.filter({ $0.type != "comment" }),
              names.count == 2, names[0].text == keyName.text,
              let source = clause.child(byField: "right").map(unparenthesized), source.type == "call" else { return nil }
        let grouping = callSite(source)
        guard grouping.callee == "itertools.groupby", let labelling = grouping.argument("key", position: 1) else { return nil }
        return kindLabels(of: labelling)[key]
    }
}
