import SourceModel
import TreeSitterKit

/// Definitions a script replaces before anything can use them: the later definition wins.
///
/// A notebook exported to a script, or an agent that patches as it goes, often defines a function twice
/// (`def mlp_act(x): return F.relu(x).square()`, then later `def mlp_act(x): return F.gelu(x)`). When the
/// module-level code between the two (and the replacing statement itself) runs nothing that may reach the file's
/// code and never reads the name, the first definition can never run, and `ConfiguredProgram` blanks it.
///
/// A method rebound after its class (`GPT.forward = gpt_forward`) is not blanked: the function bound in its place is
/// read as the class's method too (see `ClassMembers`), but detectors find much of a class's code in its body.
extension PythonFacts {
    /// Builtins that run none of the file's code when called at module level.
    static let inertBuiltins: Set<String> = [
        "print", "len", "range", "int", "float", "str", "bool", "dict", "list", "tuple", "set", "min", "max", "abs",
        "round", "sorted", "isinstance", "getattr", "hasattr", "repr", "format", "enumerate", "zip", "open",
    ]

    /// The ranges of module-level definitions replaced this way, given ranges already known dead.
    func supersededDefinitions(dead: [Range<Int>]) -> [Range<Int>] {
        let statements = root.namedChildren.filter { $0.type != "comment" }
        let ownNames = Set(functions.filter { enclosingClass($0.node) == nil }.map(\.name) + classes.map(\.name))
        func isDead(_ node: Node) -> Bool { dead.contains { $0.contains(node.startByte) } }
        func definition(_ statement: Node) -> Node? {
            let d = statement.type == "decorated_definition" ? statement.child(byField: "definition") : statement
            return d.flatMap { ["function_definition", "class_definition"].contains($0.type) ? $0 : nil }
        }
        let moduleFunctions = Dictionary(grouping: functions.filter(\.isModuleLevel),
                                         by: \.name)
        /// Whether module-level code runs nothing that may reach the file's code and does not read `name`: calls
        /// only of an imported module's functions, of builtins, or of the file's own plain module-level functions whose
        /// bodies are inert the same way (a notebook's `print0(f"...")` logging helper between two definitions); a
        /// method call, a class, or a call of anything else (`model(x)`, `opt.step()`, `REGISTRY[k]()`) may run the
        /// file's code. `entered`: the own functions whose bodies are being read (a recursive helper counts as inert
        /// once its body is).
        func isInert(_ statement: Node, reading name: String, entered: Set<String> = []) -> Bool {
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
                    let harmless = head.type == "identifier" && !ownNames.contains(head.text) && head.text != name
                        && (imports.bindings[head.text] != nil || Self.inertBuiltins.contains(head.text))
                    if !harmless && !(function.type == "identifier" && isInertHelper(function.text, reading: name, entered: entered)) {
                        return false
                    }
                }
                stack += node.namedChildren
            }
            return true
        }
        /// Whether calling the file's function `helper` (every live module-level definition of it; no class of that name)
        /// runs only inert code that never reads `name` (see `isInert`); at most four helpers deep.
        func isInertHelper(_ helper: String, reading name: String, entered: Set<String>) -> Bool {
            if entered.contains(helper) { return true }
            guard helper != name, entered.count < 4, !classes.contains(where: { $0.name == helper }),
                  let definitions = moduleFunctions[helper]?.filter({ !isDead($0.node) }), !definitions.isEmpty else { return false }
            return definitions.allSatisfy { definition in
                // Defaults and decorators ran where it was defined; its body runs at the call.
                definition.decorators.isEmpty && definition.body.map { isInert($0, reading: name, entered: entered.union([helper])) } == true
            }
        }
        var ranges: [Range<Int>] = []
        for (index, statement) in statements.enumerated() where !isDead(statement) {
            // A decorated definition may be registered by its decorator (`@register("relu2")`): kept.
            guard statement.type != "decorated_definition", let defined = definition(statement),
                  let name = defined.child(byField: "name")?.text else { continue }
            // A later module-level definition of the same name, or an assignment of a value to it (a bare
            // annotation `f: Callable` binds nothing).
            for later in statements.dropFirst(index + 1) where !isDead(later) {
                let assigned = later.type == "expression_statement" ? later.namedChildren.first.flatMap { expression -> Node? in
                    guard expression.type == "assignment", expression.child(byField: "left")?.type == "identifier",
                          expression.child(byField: "left")?.text == name else { return nil }
                    return expression.child(byField: "right")
                } : nil
                let redefined = definition(later)?.child(byField: "name")?.text == name
                if assigned != nil || redefined {
                    // `f = wrap(f)` reads the old one and `f = make_act(NAME)` may return it; `class GPT(GPT)` and
                    // `@extends(f) def f(...)` read it too: none of them replaces it.
                    if let assigned, mentions(assigned, name) || !isInert(assigned, reading: name) { break }
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
        }
        return ranges
    }
}
