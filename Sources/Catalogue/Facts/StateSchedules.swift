import TreeSitterKit

/// Schedule objects called with the trainer's state (MosaicML Composer's `ComposerScheduler`, a `(state) -> float`
/// callable): the trainer keeps the schedules in a list, and each step multiplies the groups' rates by what they give
/// for the state (`for sched in self.state.schedulers: mult *= sched(self.state)`, then `g["lr"] = g["initial_lr"] *
/// mult`). The schedule reads the step and the run's length from the state (`t = state.step; T = state.max_duration`).
///
/// Such a call is read as the schedule object's `__call__` with the step at the state's step field: the field the
/// training loop sets to its loop variable (`state.step = step` in `for step in range(...)`) or counts up
/// (`state.step += 1`). The object's own fields come from its construction (`WarmupStableDecay(256, 2000)`), the state's
/// other fields from the state's construction (`State(max_duration=max_duration, ...)`, read through the trainer's
/// callers).
extension PythonFacts {
    /// The schedule uses of a call `sched(state)` at a rate write `site`: one per class of the file with `__call__`
    /// the callee may be an instance of (a loop variable over a list of them, a name, a field), when `__call__` takes one
    /// argument and reads a step field of it. Empty for any other call.
    func stateScheduleUses(_ call: CallSite, site: Node) -> [ScheduleUse] {
        guard call.positional.count == 1, call.keywords.isEmpty, !call.hasSplat, let callee = call.function.map(unwrapped),
              callee.type == "identifier" || callee.type == "attribute" else { return [] }
        let state = unwrapped(call.positional[0])
        var uses: [ScheduleUse] = []
        for name in dataflow.instanceClasses(of: callee).sorted() {
            guard let owner = boundClass(named: name), let method = method("__call__", of: owner),
                  let parameter = method.passedParameters.first, method.passedParameters.count == 1 else { continue }
            let fields = stateFieldsRead(by: method, parameter: parameter)
            guard let step = fields.first(where: isStepField) else { continue }
            // The object's construction (its fields), when the file builds that class once.
            let built = constructions(of: owner)
            var use = ScheduleUse(function: method, lambda: nil, site: site, stepAttribute: "\(parameter).\(step)")
            use.object = built.count == 1 ? built[0].node : nil
            use.stateFields = stateFieldValues(state, fields: fields.filter { $0 != step }, parameter: parameter)
            uses.append(use)
        }
        return uses
    }

    /// The fields of `parameter` a function reads (`state.step`, `state.max_duration`), in order.
    private func stateFieldsRead(by function: Function, parameter: String) -> [String] {
        var fields: [String] = []
        for node in descendants(of: function.node) where node.type == "attribute" {
            guard node.child(byField: "object")?.text == parameter, let field = node.child(byField: "attribute")?.text,
                  !fields.contains(field) else { continue }
            fields.append(field)
        }
        return fields
    }

    /// Whether the file's training loop drives a field as its step: some object's `.field` is set to the variable of a
    /// `for ... in range(...)` loop around the assignment, or counted up by `+= 1`.
    func isStepField(_ field: String) -> Bool {
        memoized("isStepField:\(field)") {
            for assignment in nodes(ofType: ["assignment", "augmented_assignment"]) {
                guard let left = assignment.child(byField: "left"), left.type == "attribute", left.child(byField: "attribute")?.text == field,
                      let right = assignment.child(byField: "right").map(unwrapped) else { continue }
                if assignment.type == "augmented_assignment" {
                    if assignment.child(byField: "operator")?.type == "+=", evaluate(right) == 1 { return true }
                    continue
                }
                guard right.type == "identifier" else { continue }
                if enclosingLoops(assignment).contains(where: { isRangeLoop($0) && $0.child(byField: "left")?.text == right.text }) { return true }
            }
            return false
        }
    }

    /// The numbers the state handed to a schedule holds in its other fields (`state.max_duration`), keyed as the schedule
    /// reads them (`"state.max_duration"`), from the one construction of the state object (`self.state = State(...)`,
    /// see `constructions(of:)`).
    private func stateFieldValues(_ state: Node, fields: [String], parameter: String) -> [String: Double] {
        let built = constructions(of: state)
        guard built.count == 1 else { return [:] }
        var result: [String: Double] = [:]
        for field in fields {
            if let expression = fieldExpression(built[0], field), let value = evaluate(expression) {
                result["\(parameter).\(field)"] = value
            }
        }
        return result
    }

    /// The right sides of `name op= value` statements before `use` in the same function (`mult *= sched(state)` in a
    /// loop over the schedules): what else a local written to a rate holds.
    func augmentedValues(of name: String, before use: Node) -> [Node] {
        let scope = enclosingFunction(use)?.node ?? root
        return descendants(of: scope).filter { statement in
            statement.type == "augmented_assignment" && statement.endByte <= use.startByte
                && statement.child(byField: "left").map { $0.type == "identifier" && $0.text == name } == true
                && enclosingFunction(statement)?.node == enclosingFunction(use)?.node
        }.compactMap { $0.child(byField: "right") }
    }
}
