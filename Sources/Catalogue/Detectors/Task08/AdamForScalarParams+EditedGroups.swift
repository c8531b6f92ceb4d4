import TreeSitterKit

/// An orthogonalizing optimizer built over everything, whose groups are then cut down to the matrices: a loop over its
/// `param_groups` assigning `group["params"] = [p for p in group["params"] if p.ndim == 2]` (directly or through a
/// local), as a plug-in run at the start of training does when it moves the rest to a new Adam. The loop's optimizer
/// is this one: it walks the optimizer's own name, or a loop variable over several that an `isinstance(opt, Muon)`
/// test picks.
extension AdamForScalarParams {
    /// The assignment that leaves only matrices in the optimizer's groups, or nil.
    func editedToMatrices(_ optimizer: OptimizerUse, _ facts: PythonFacts) -> Node? {
        let className = optimizer.definition?.name ?? optimizer.call.name
        let model = facts.model()
        for assignment in facts.nodes(ofType: "assignment") {
            guard let left = assignment.child(byField: "left"), left.type == "subscript",
                  let key = left.child(byField: "subscript"), SettingsTable.stringValue(key) == "params",
                  let group = left.child(byField: "value"), group.type == "identifier",
                  let value = assignment.child(byField: "right").map(facts.unwrapped) else { continue }
            // `for group in opt.param_groups:` around it.
            guard let loop = facts.enclosingLoops(assignment).last(where: { loop in
                loop.child(byField: "left")?.text == group.text
                    && loop.child(byField: "right").map { $0.type == "attribute" && $0.child(byField: "attribute")?.text == "param_groups" } == true
            }), let walked = loop.child(byField: "right")?.child(byField: "object").map(facts.unwrapped) else { continue }
            guard walksOptimizer(walked, className: className, optimizer, facts) else { continue }
            // What is assigned, through a local of the loop body.
            var selection = value
            if value.type == "identifier", let held = facts.latestValue(of: value.text, before: assignment).map(facts.unwrapped) { selection = held }
            if facts.parameterKinds(selection, model: model) == [.matrices] { return assignment }
        }
        return nil
    }

    /// Whether `walked` is the optimizer: a name bound to its construction, or a loop variable whose loop body tests
    /// `isinstance(walked, Class)` with the optimizer's class.
    private func walksOptimizer(_ walked: Node, className: String, _ optimizer: OptimizerUse, _ facts: PythonFacts) -> Bool {
        if facts.dataflow.bindings(ofReference: walked).contains(where: { facts.unwrapped($0.node) == optimizer.call.node }) { return true }
        guard walked.type == "identifier", let outer = facts.enclosingLoops(walked).last(where: { loop in
            guard let left = loop.child(byField: "left") else { return false }
            return ([left] + facts.descendants(of: left)).contains { $0.type == "identifier" && $0.text == walked.text }
        }),
              let body = outer.child(byField: "body") else { return false }
        return facts.calls.contains { call in
            call.callee == "isinstance" && facts.isInside(call.node, body) && call.positional.count == 2
                && facts.unwrapped(call.positional[0]).text == walked.text && facts.unwrapped(call.positional[1]).text == className
        }
    }
}
