import TreeSitterKit

/// A DDP wrapper behind a switch the program turns off: `if state.ddp_kwargs is not None: DDP(model, ...)` (or `if
/// cfg.use_ddp:`), with code that may run setting that field to `None` (or `False`) elsewhere (`state.ddp_kwargs =
/// None  # do not wrap`, a step of a plug-in that replaces DDP with explicit collectives). With the gradients all-reduced
/// by hand as well, the wrapper is the path not taken.
extension ManualGradAllreduce {
    /// Whether an `if` around `wrapper` tests a field (`X.f is not None`, `X.f`) that code of the file which may run
    /// sets to the value that skips the wrapper (`Y.f = None`; `Y.f = False` for a bare test).
    func switchedOff(_ wrapper: Node, _ facts: PythonFacts) -> Bool {
        var child = wrapper
        for ancestor in facts.ancestors(of: wrapper) {
            defer { child = ancestor }
            if ancestor.type == "function_definition" || ancestor.type == "class_definition" { return false }
            guard ancestor.type == "if_statement", ancestor.child(byField: "consequence") == child,
                  let condition = ancestor.child(byField: "condition").map(facts.unwrapped),
                  let (field, offValues) = switchField(condition, facts) else { continue }
            let off = facts.nodes(ofType: "assignment").contains { assignment in
                guard !facts.isInside(assignment, ancestor), let left = assignment.child(byField: "left"), left.type == "attribute",
                      left.child(byField: "attribute")?.text == field,
                      let right = assignment.child(byField: "right").map(facts.unwrapped), offValues.contains(right.type) else { return false }
                return facts.mayRun(assignment)
            }
            if off { return true }
        }
        return false
    }

    /// The field an `if` test reads and the node types of the values that make it fail: `X.f is not None` (`none`),
    /// a bare `X.f` (`none`, `false`).
    private func switchField(_ condition: Node, _ facts: PythonFacts) -> (String, Set<String>)? {
        if condition.type == "attribute", let field = condition.child(byField: "attribute")?.text {
            return (field, ["none", "false"])
        }
        guard condition.type == "comparison_operator", condition.namedChildren.count == 2,
              let left = condition.namedChildren.first.map(facts.unwrapped), left.type == "attribute",
              let field = left.child(byField: "attribute")?.text, condition.namedChildren[1].type == "none",
              condition.children.contains(where: { $0.type == "is not" }) else { return nil }
        return (field, ["none"])
    }
}
