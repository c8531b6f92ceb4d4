import Parsing
import TreeSitterKit

/// Objects a script makes at module level and then drops: a read of what a module statement made or changed (a cast,
/// a construction) only counts when the object lives on into the code that trains.
extension PythonFacts {
    /// Whether a module-level call makes or changes an object the script throws away before anything keeps it (a model
    /// cast to bf16 and then replaced is not the model trained): the name the call's result is bound to (`model =
    /// model.cuda().bfloat16()`), or the name whose object a method call changes in place (`model.bfloat16()`), is later deleted (`del
    /// model`) or bound at module level to a new value that does not read it (`model = GPT(...)`), and the module-level
    /// statements in between never let it escape: no name is bound to a value reading it (`opt =
    /// Adam(model.parameters())`, `raw = model`), it is given to no call but an inert builtin (`train(model)`,
    /// `DDP(model)`; a read inside a string's interpolation, as a dtype printout makes, keeps nothing) and no function of
    /// the file reading it is called. A call inside a function, or one whose object stays bound, is never discarded.
    public func isDiscardedAtModuleLevel(_ cast: CallSite) -> Bool {
        let facts = self
        let statements = facts.root.namedChildren.filter { $0.type != "comment" }
        guard let index = statements.firstIndex(where: { facts.isInside(cast.node, $0) }),
              statements[index].type == "expression_statement", let expression = statements[index].namedChildren.first else { return false }
        // The name holding the cast model.
        var held: String?
        if expression.type == "assignment", let left = expression.child(byField: "left"), left.type == "identifier",
           let right = expression.child(byField: "right"), facts.isInside(cast.node, right) {
            held = left.text
        } else if facts.unparenthesized(expression) == cast.node {
            held = cast.receiver.flatMap(Self.rootIdentifier)
        }
        guard let name = held else { return false }
        // A read of `name` as a variable, outside a string (an f-string's interpolation reads without keeping).
        func reads(_ node: Node) -> Bool {
            facts.descendants(of: node).contains { n in
                n.type == "identifier" && n.text == name
                    && !(n.parent?.type == "attribute" && n.parent?.child(byField: "attribute") == n)
                    && !facts.ancestors(of: n).contains { $0.type == "string" || $0.type == "function_definition" || $0.type == "class_definition" }
            }
        }
        for later in statements.dropFirst(index + 1) {
            // `del model` (also `del model, opt`).
            if later.type == "delete_statement",
               later.namedChildren.flatMap({ $0.type == "expression_list" ? $0.namedChildren : [$0] })
                .contains(where: { $0.type == "identifier" && $0.text == name }) { return true }
            // `model = GPT(...)`: a new model in its place (`model = torch.compile(model)` keeps it).
            if later.type == "expression_statement", let assignment = later.namedChildren.first, assignment.type == "assignment",
               facts.assignedNames(assignment).contains(where: { $0.name == name }) {
                guard let right = assignment.child(byField: "right"), !reads(right),
                      facts.assignedNames(assignment).allSatisfy({ $0.name == name }) else { return false }
                return true
            }
            guard !["function_definition", "class_definition", "decorated_definition"].contains(later.type) else { continue }
            // Bound to another name, or handed to a call that may keep it.
            for n in facts.descendants(of: later) where ["assignment", "augmented_assignment"].contains(n.type) {
                if let right = n.child(byField: "right"), reads(right) { return false }
            }
            for call in facts.calls where facts.isInside(call.node, later) {
                if let arguments = call.node.child(byField: "arguments"), reads(arguments),
                   !PythonFacts.inertBuiltins.contains(call.callee) { return false }
                if let function = facts.calledFunction(call), facts.mentions(function.node, name) { return false }
            }
        }
        return false
    }

    /// The name an expression starts from: `model` of `model.module.lm_head`; nil when it starts from anything but a name.
    static func rootIdentifier(_ node: Node) -> String? {
        var current = node
        while true {
            switch current.type {
            case "identifier": return current.text
            case "attribute": guard let o = current.child(byField: "object") else { return nil }; current = o
            default: return nil
            }
        }
    }
}
