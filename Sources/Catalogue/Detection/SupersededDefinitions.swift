import SourceModel
import TreeSitterKit

/// Definitions a script replaces before anything can use them: the later definition wins.
///
/// A notebook exported to a script, or an agent that patches as it goes, often defines a function twice
/// (`def mlp_act(x): return F.relu(x).square()`, then later `def mlp_act(x): return F.gelu(x)`) or rebinds a
/// method after its class (`GPT.forward = gpt_forward`). When the module-level code between the two runs nothing
/// of the file and never reads the name, the first definition can never run, and `ConfiguredProgram` blanks it.
extension PythonFacts {
    /// The ranges of module-level definitions (and methods) replaced this way, given ranges already known dead.
    /// `methods`: where a replaced method stood (a class body keeps a `pass` there).
    func supersededDefinitions(dead: [Range<Int>]) -> (ranges: [Range<Int>], methods: [Int]) {
        let statements = root.namedChildren.filter { $0.type != "comment" }
        let ownNames = Set(functions.filter { enclosingClass($0.node) == nil }.map(\.name) + classes.map(\.name))
        func isDead(_ node: Node) -> Bool { dead.contains { $0.contains(node.startByte) } }
        func definition(_ statement: Node) -> Node? {
            let d = statement.type == "decorated_definition" ? statement.child(byField: "definition") : statement
            return d.flatMap { ["function_definition", "class_definition"].contains($0.type) ? $0 : nil }
        }
        /// Whether a module-level statement can run nothing of the file and does not read `name`.
        func isInert(_ statement: Node, reading name: String) -> Bool {
            var stack = [statement]
            while let node = stack.popLast() {
                if isDead(node) { continue }
                // A function's body runs only when it is called.
                if node.type == "function_definition" || node.type == "lambda" {
                    if let parameters = node.child(byField: "parameters") { stack.append(parameters) }
                    continue
                }
                if node.type == "identifier", node.text == name,
                   !(node.parent.map { ["function_definition", "class_definition"].contains($0.type) && $0.child(byField: "name") == node } ?? false) {
                    return false
                }
                if node.type == "call", let function = node.child(byField: "function") {
                    var head = function
                    while head.type == "attribute", let object = head.child(byField: "object") { head = object }
                    if head.type == "identifier", ownNames.contains(head.text) || head.text == name { return false }
                }
                stack += node.namedChildren
            }
            return true
        }
        var ranges: [Range<Int>] = []
        var methods: [Int] = []
        for (index, statement) in statements.enumerated() where !isDead(statement) {
            guard let defined = definition(statement), let name = defined.child(byField: "name")?.text else { continue }
            // A later module-level definition of the same name, or an assignment to it.
            for later in statements.dropFirst(index + 1) where !isDead(later) {
                let replaces = definition(later)?.child(byField: "name")?.text == name
                    || (later.type == "expression_statement" && later.namedChildren.first.map { expression in
                        expression.type == "assignment" && expression.child(byField: "left")?.type == "identifier"
                            && expression.child(byField: "left")?.text == name
                    } == true)
                if replaces {
                    // `f = wrap(f)`, `class GPT(GPT):`, `@extends(f) def f(...)` read the old one: not a replacement.
                    if later.type == "expression_statement", let right = later.namedChildren.first?.child(byField: "right"),
                       mentions(right, name) { break }
                    if let replacement = definition(later) {
                        let heads = [replacement.child(byField: "superclasses"), replacement.child(byField: "parameters")].compactMap { $0 }
                            + (later.type == "decorated_definition" ? later.namedChildren.filter { $0.type == "decorator" } : [])
                        if heads.contains(where: { mentions($0, name) }) { break }
                    }
                    ranges.append(statement.byteRange)
                    break
                }
                if !isInert(later, reading: name) { break }
            }
            // `C.m = f` after `class C`: the method `m` written in the class is replaced.
            guard defined.type == "class_definition", let body = defined.child(byField: "body") else { continue }
            for later in statements.dropFirst(index + 1) where !isDead(later) {
                if later.type == "expression_statement", let expression = later.namedChildren.first, expression.type == "assignment",
                   let left = expression.child(byField: "left"), left.type == "attribute",
                   left.child(byField: "object")?.text == name, let method = left.child(byField: "attribute")?.text,
                   let right = expression.child(byField: "right"), !mentions(right, name) {
                    for member in body.namedChildren where definition(member)?.type == "function_definition"
                        && definition(member)?.child(byField: "name")?.text == method {
                        ranges.append(member.byteRange)
                        methods.append(member.startByte)
                    }
                    continue
                }
                if !isInert(later, reading: name) { break }
            }
        }
        return (ranges, methods)
    }
}
