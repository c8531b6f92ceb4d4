import TreeSitterKit

/// Training written as a table of phases walked in order, each run for its own number of steps:
///
///     PHASES = [("stable", stable_steps, lambda i, n: 1.0), ("warmdown", cool, lambda i, n: (n - i) / n)]
///     for name, steps, factor_fn in PHASES:
///         for i in range(steps):
///             set_lr_factor(factor_fn(i, steps))
///
/// Rows may be tuples unpacked by the loop's header or dictionaries (`dict(steps=..., lr=lambda i, n: ...)` read as
/// `phase["lr"](i, n)`). The rate a phase's function gives at the phase's own step, laid end to end over the phases,
/// is one schedule over the run: `phaseTableCurves` reads it as a curve when its value reaches a `["lr"] = ...` write.
struct PhaseLoop {
    /// The loop over the table and the counting loop inside it that runs one phase.
    let outer: Node
    let inner: Node
    /// The counting loop's variable: the step within the phase.
    let step: String
    /// Per row: what the outer loop's names hold in it, and how many steps the phase runs.
    let rows: [(names: [String: Node], length: Double)]

    var total: Double { rows.reduce(0) { $0 + $1.length } }
}

extension PythonFacts {
    /// The loops over a phase table (two rows or more, every row's length known).
    var phaseLoops: [PhaseLoop] {
        memoized("phaseLoops") { nodes(ofType: "for_statement").compactMap(phaseLoop) }
    }

    private func phaseLoop(_ outer: Node) -> PhaseLoop? {
        guard let target = outer.child(byField: "left"), let iterable = outer.child(byField: "right"),
              let body = outer.child(byField: "body") else { return nil }
        var table = unparenthesized(iterable)
        if table.type == "identifier", let value = latestValue(of: table.text, before: outer) { table = unparenthesized(value) }
        guard ["list", "tuple"].contains(table.type) else { return nil }
        let entries = table.namedChildren.filter { $0.type != "comment" }
        guard entries.count >= 2 else { return nil }
        // The counting loop that runs one phase: directly in the body, not in a nested function.
        guard let inner = descendants(of: body).first(where: { n in
            n.type == "for_statement" && enclosingFunction(n)?.node == enclosingFunction(outer)?.node
                && n.child(byField: "right").map { $0.type == "call" && callSite($0).callee == "range" && callSite($0).positional.count == 1 } == true
        }), let step = inner.child(byField: "left"), step.type == "identifier",
              let count = inner.child(byField: "right").flatMap({ callSite($0).positional.first }) else { return nil }
        var rows: [(names: [String: Node], length: Double)] = []
        for entry in entries {
            var names: [String: Node] = [:]
            if target.type == "identifier" {
                names[target.text] = unparenthesized(entry)
            } else if ["pattern_list", "tuple_pattern", "list_pattern"].contains(target.type) {
                let slots = target.namedChildren.filter { $0.type != "comment" }
                let parts = unparenthesized(entry).namedChildren.filter { $0.type != "comment" }
                guard ["tuple", "list"].contains(unparenthesized(entry).type), slots.count == parts.count,
                      slots.allSatisfy({ $0.type == "identifier" }) else { return nil }
                for (slot, part) in zip(slots, parts) { names[slot.text] = unparenthesized(part) }
            } else {
                return nil
            }
            guard let length = phaseNumber(count, row: names, in: outer), length >= 0 else { return nil }
            rows.append((names, length))
        }
        return PhaseLoop(outer: outer, inner: inner, step: step.text, rows: rows)
    }

    /// What an expression of the phase loop's body stands for in one row: a name of the loop's header (the row's
    /// part), an entry of the row's dictionary (`phase["lr"]`), or a local the body set from either (`n =
    /// phase["steps"]`); the expression itself otherwise.
    func phaseResolved(_ node: Node, row: [String: Node], in outer: Node, depth: Int = 0) -> Node {
        let n = unparenthesized(node)
        guard depth < 4 else { return n }
        if n.type == "identifier" {
            if let bound = row[n.text] { return bound }
            if let value = latestValue(of: n.text, before: n), isInside(value, outer) {
                return phaseResolved(value, row: row, in: outer, depth: depth + 1)
            }
        }
        if n.type == "subscript", let container = n.child(byField: "value"), let key = n.child(byField: "subscript").flatMap(SettingsTable.stringValue) {
            let dictionary = phaseResolved(container, row: row, in: outer, depth: depth + 1)
            if dictionary.type == "dictionary" || (dictionary.type == "call" && callSite(dictionary).callee == "dict"),
               let entry = registryPairs(dictionary).first(where: { $0.key == key }) {
                return entry.value
            }
        }
        return n
    }

    /// A number of the phase loop's body in one row (a phase's length).
    func phaseNumber(_ node: Node, row: [String: Node], in outer: Node) -> Double? {
        evaluate(phaseResolved(node, row: row, in: outer))
    }

    /// Learning-rate schedules written as phase tables (see `PhaseLoop`): a call in the phase's counting loop of the
    /// function a row gives (a lambda or a function of the file), whose result is written to `["lr"]` there (directly
    /// or through a local) or handed to a function of the file that writes its parameter to `["lr"]`. Its value at a
    /// step of the run is the function of the phase that step falls in, called with the step within the phase, the
    /// phase's length and, for a counter the loop counts up by one, the step of the run; past the last step, the last
    /// phase's value at its end.
    func phaseTableCurves(excluding handled: Set<Node>) -> [ScheduleCurve] {
        var curves: [ScheduleCurve] = []
        for loop in phaseLoops {
            guard let body = loop.inner.child(byField: "body") else { continue }
            let counters = Set(countedUpNames(in: body))
            for node in descendants(of: body) where node.type == "call" && !handled.contains(node) {
                guard let function = node.child(byField: "function") else { continue }
                // Every row gives a callable for this call, and what it gives is written as a rate.
                let callables = loop.rows.map { phaseResolved(function, row: $0.names, in: loop.outer) }
                guard callables.allSatisfy({ $0.type == "lambda" || ($0.type == "identifier" && !self.function(named: $0.text).isEmpty) }),
                      callables.contains(where: { $0 != unparenthesized(function) }), reachesRate(node, in: body) else { continue }
                let arguments = callSite(node).positional
                let f: (Double) -> Double? = { step in
                    var offset = 0.0
                    for (index, row) in loop.rows.enumerated() {
                        let last = index == loop.rows.count - 1
                        guard step < offset + row.length || (last && step == offset + row.length) else {
                            offset += row.length
                            continue
                        }
                        var values: [Double] = []
                        for argument in arguments {
                            let a = self.unparenthesized(argument)
                            if a.type == "identifier", a.text == loop.step {
                                values.append(step - offset)
                            } else if a.type == "identifier", counters.contains(a.text) {
                                values.append(step)
                            } else if let v = self.phaseNumber(a, row: row.names, in: loop.outer) {
                                values.append(v)
                            } else {
                                return nil
                            }
                        }
                        return self.phaseCall(callables[index], values)
                    }
                    return nil
                }
                if let curve = sample(site: node, horizon: loop.total, f) { curves.append(curve) }
            }
        }
        return curves
    }

    /// A lambda or function of the file called with numbers.
    private func phaseCall(_ callable: Node, _ values: [Double]) -> Double? {
        if callable.type == "lambda" {
            let parameters = lambdaParameters(callable)
            guard parameters.count == values.count, let body = callable.child(byField: "body") else { return nil }
            return evaluate(body, bindings: Dictionary(zip(parameters, values), uniquingKeysWith: { a, _ in a }))
        }
        guard let function = function(named: callable.text).last else { return nil }
        return ScriptInterpreter(self).call(function, values)
    }

    /// Whether a call's result is written to a learning rate in `body`: on the right of a `["lr"] = ...` write,
    /// through a local set from it, or as the argument of a function of the file whose parameter such a write reads.
    private func reachesRate(_ call: Node, in body: Node) -> Bool {
        func writesRate(_ expression: Node, within scope: Node) -> Bool {
            // On the right of a rate write.
            if ancestors(of: expression).contains(where: { w in isRateWrite(w) && w.child(byField: "right").map { isInside(expression, $0) } == true }) {
                return true
            }
            // Handed to a function of the file that writes it.
            if let parent = expression.parent, parent.type == "argument_list", let outer = parent.parent, outer.type == "call",
               let index = callSite(outer).positional.firstIndex(of: expression), handsToRateWrite(outer, index: index) {
                return true
            }
            // Set to a local that a later statement writes or hands on.
            if let parent = expression.parent, parent.type == "assignment", parent.child(byField: "right") == expression,
               let name = parent.child(byField: "left"), name.type == "identifier" {
                return descendants(of: scope).contains { n in
                    n.startByte > parent.endByte && n.type == "identifier" && n.text == name.text && writesRate(n, within: scope)
                }
            }
            return false
        }
        func handsToRateWrite(_ call: Node, index: Int) -> Bool {
            guard let function = calledFunction(callSite(call)), index < function.passedParameters.count,
                  let functionBody = function.body else { return false }
            let parameter = function.passedParameters[index]
            return descendants(of: functionBody).contains { n in
                isRateWrite(n) && n.child(byField: "right").map { mentions($0, parameter) } == true
            }
        }
        return writesRate(call, within: body)
    }
}
