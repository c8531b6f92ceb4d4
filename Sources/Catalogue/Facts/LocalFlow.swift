import TreeSitterKit

/// Which local names of one Python function (a Triton kernel, a jit helper) take values computed from an expression:
/// the assignments of the function by target name, and their fixed point. Enough to follow a quotient into the call
/// that reads it, or a call's result into the product that scales it, across a few statements.
struct LocalFlow {
    private let assignments: [(target: String, value: Node)]

    init(_ function: Node, facts: PythonFacts) {
        var found: [(String, Node)] = []
        for n in facts.descendants(of: function) where n.type == "assignment" || n.type == "augmented_assignment" {
            guard let left = n.child(byField: "left"), let right = n.child(byField: "right") else { continue }
            // `a = ...`, and each name of `a, b = ...` (read as taking from the whole value).
            let names = left.type == "identifier" ? [left] : left.namedChildren.filter { $0.type == "identifier" }
            for name in names { found.append((name.text, right)) }
        }
        assignments = found
    }

    /// The names assigned from an expression containing `node` (or `node` itself).
    func targets(containing node: Node) -> Set<String> {
        Set(assignments.filter { $0.value == node || $0.value.byteRange.contains(node.startByte) && node.endByte <= $0.value.endByte }.map(\.target))
    }

    /// The names given the value of `node` itself, not a reduction of it: assigned from an expression containing it
    /// and no `sum` / `max` / `min` call (`e = tl.exp(2 * u)`, not `s = tl.sum(tl.exp(z - m))`).
    func directTargets(containing node: Node) -> Set<String> {
        Set(assignments.filter { a in
            (a.value == node || a.value.byteRange.contains(node.startByte) && node.endByte <= a.value.endByte)
                && !a.value.preorder.contains { $0.type == "call" && ["sum", "max", "min", "cumsum"].contains(Self.calledName($0)) }
        }.map(\.target))
    }

    private static func calledName(_ call: Node) -> String {
        guard let function = call.child(byField: "function") else { return "" }
        return function.type == "attribute" ? function.child(byField: "attribute")?.text ?? "" : function.text
    }

    /// `seeds` and every name assigned from an expression that reads one of them, to a fixed point.
    func dependents(of seeds: Set<String>) -> Set<String> {
        namesReached(from: seeds, through: assignments) { mentions($0, anyOf: $1) }
    }

    /// Whether an expression reads one of `names`.
    func mentions(_ node: Node, anyOf names: Set<String>) -> Bool {
        guard !names.isEmpty else { return false }
        if node.type == "identifier" { return names.contains(node.text) }
        return node.preorder.contains { n in
            guard n.type == "identifier", names.contains(n.text), let parent = n.parent else { return false }
            // Not the keyword of `mask=ok`, nor the attribute of `tl.exp`.
            switch parent.type {
            case "keyword_argument": return parent.child(byField: "name") != n
            case "attribute": return parent.child(byField: "attribute") != n
            default: return true
            }
        }
    }
}
