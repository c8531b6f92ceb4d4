import Parsing
import TreeSitterKit

/// `momentum_warmup_300`: Muon's momentum ramps up over the first 300 steps.
///
/// Requires a value assigned to an optimizer parameter group's `"momentum"` (`group["momentum"] = ...`,
/// `opt.param_groups[0]["momentum"] = ...`, or the key the file's Muon class reads as its momentum,
/// `facts.momentumGroupKeys`: `g["mom"] = ...`), or to the attribute an optimizer object of the file keeps its momentum in
/// and reads in its update (`ortho.momentum = ...`), or handed as the momentum argument of an orthogonalized update
/// written as a function (`muon_update(..., momentum=ramp(step))`), that, evaluated as a function of the step (a loop variable or a
/// parameter of the function holding it, through locals, file helpers with `if`/`else` branches, constants,
/// dataclass fields, argparse defaults and per-step tables computed up front, `momentum_at[step]` with `momentum_at =
/// [... for s in range(n + 1)]`; see `StepFunction`), changes up to step 300 and is constant from step 300 on. A write in a
/// method of a scheduler-like class is also read once per object of it a loop steps, with that object's fields
/// (`group[self.key] = self.get_value()` in `ParamGroupRamp.step`, for `ParamGroupRamp(muon, "momentum", 0.85, 0.95,
/// 300)` stepped each iteration; see `PythonFacts.objectsSteppedInLoops`): its key may then be a field naming the
/// momentum, and an object ramping another field, another length or an SGD optimizer's groups is rejected. Rejects a
/// group write in a helper nothing calls (`liesInUncalledHelper`), a ramp of another length, a 300-step ramp that
/// sets the learning rate, a constant momentum, and the momentum of an SGD optimizer or of an Adam kept beside the
/// orthogonalizing one in a list or dictionary (`opts["adam"].param_groups`). A value the group write takes
/// from a parameter of its function is read where the callers give it (a helper `set_momentum(opt, m)`, or a
/// property setter run by `opt.momentum = ramp(step)`, see `PythonFacts.callerArguments`). Examples:
/// `queries/python/momentum_warmup_300/examples/`.
struct MomentumWarmup300: Detector {
    let id = "momentum_warmup_300"
    static let length = 300.0

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        var evidence: [Evidence] = []
        for node in facts.nodes(ofType: "assignment") {
            guard let left = node.child(byField: "left"), left.type == "subscript", let key = left.child(byField: "subscript"),
                  let right = node.child(byField: "right"), !liesInUncalledHelper(node, facts) else { continue }
            // The readings of the write: as written, when its key names the momentum; and once per object a loop steps
            // whose method holds it (`facts.objectsSteppedInLoops`), with that object's fields bound, when the key
            // is one of its fields naming the momentum (`group[self.key] = self.get_value()` in a scheduler-like
            // `ParamGroupRamp(muon, "momentum", 0.85, 0.95, 300)`) or names it itself.
            var readings: [[String: Double]] = []
            let literalKey = facts.string(of: key).map(facts.momentumGroupKeys.contains) == true
            if literalKey, !isSGDGroup(left, facts, flow) { readings.append([:]) }
            let keyField = facts.instanceAttribute(key)
            for object in literalKey || keyField != nil ? facts.objectsSteppedInLoops(running: node) : [] {
                let field = keyField.flatMap { facts.fieldExpression(object, $0) }
                guard literalKey || field.flatMap(facts.string(of:)).map(facts.momentumGroupKeys.contains) == true,
                      !isSGDGroup(left, facts, flow, object: object) else { continue }
                readings.append(facts.fieldBindings(of: object))
            }
            guard !readings.isEmpty else { continue }
            let evaluator = StepFunction(facts, flow)
            // The value as written, then, for a parameter of the function holding the write, each value its callers
            // give it (`opt.momentum = self.momentum_schedule(step)` running `@momentum.setter def momentum(self,
            // value)`), evaluated where they give it.
            var written = [(value: right, site: node)]
            let handed = facts.unwrapped(right)
            if handed.type == "identifier", facts.parameterOwner(of: handed) != nil {
                written += facts.callerArguments(of: handed).map { (value: $0, site: $0) }
            }
            search: for (value, site) in written {
                for fields in readings {
                    for variable in stepCandidates(site, facts, flow) where rampsFor300(value, variable, evaluator, fields: fields) {
                        evidence.append(facts.evidence(site, "momentum ramp over 300 steps"))
                        break search
                    }
                }
            }
        }
        // The momentum handed to an orthogonalized update written as a function (`muon_update(..., momentum=m(step))`).
        for (use, value) in facts.functionalMomentumArguments {
            let evaluator = StepFunction(facts, flow)
            if stepCandidates(use.node, facts, flow).contains(where: { rampsFor300(value, $0, evaluator) }) {
                evidence.append(facts.evidence(use.node, "momentum ramp over 300 steps"))
            }
        }
        // The momentum trace of an orthogonalizing chain of transformations given a schedule of its update count
        // (`trace(decay=muon_momentum)`, see `TransformChain.argument`; through a parameter of the builder, what its
        // callers give): the schedule's returns read with its first parameter as the step.
        for chain in facts.transformChains where !chain.orthogonalizingLinks(in: facts).isEmpty {
            guard let momentum = chain.argument("momentum", in: facts).map(facts.unwrapped) else { continue }
            let given = momentum.type == "identifier" && facts.parameterOwner(of: momentum) != nil
                ? facts.callerArguments(of: momentum) : [momentum]
            let evaluator = StepFunction(facts, flow)
            if given.contains(where: { scheduleRampsFor300($0, facts, evaluator) }) {
                evidence.append(facts.evidence(momentum, "momentum trace ramped over 300 steps"))
            }
        }
        // The momentum an optimizer object keeps as an attribute its update reads (`ortho.momentum = ...`).
        for node in facts.momentumAttributeWrites {
            guard let right = node.child(byField: "right") else { continue }
            let evaluator = StepFunction(facts, flow)
            if stepCandidates(node, facts, flow).contains(where: { rampsFor300(right, $0, evaluator) }) {
                evidence.append(facts.evidence(node, "momentum ramp over 300 steps"))
            }
        }
        return evidence
    }

    /// Whether a node lies in a plain function of the file (no method, whose class's protocol may run it, and no
    /// decorated one) that nothing calls (`PythonFacts.mayRun`): a helper kept from an earlier attempt (`def
    /// muon_step(opt, step): ... g["momentum"] = ...`). A function that trains (computes gradients or steps an
    /// optimizer) is a training loop a script may leave to its runner (`def train(loader): ...`) and counts as run.
    func liesInUncalledHelper(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.functions.contains { function in
            guard facts.isInside(node, function.node), function.decorators.isEmpty, facts.enclosingClass(function.node) == nil,
                  !facts.mayRun(function) else { return false }
            return !facts.descendants(of: function.node).contains { n in
                guard n.type == "call" else { return false }
                let call = facts.callSite(n)
                return call.computesGradients || (call.name == "step" && call.receiver != nil)
            }
        }
    }

    /// Loop variables around the assignment, parameters of the functions holding it, and step counters of its class.
    /// Whether a schedule handed over as a value ramps for 300 steps: a function of the file (its returns, read with its
    /// first parameter as the step), a lambda, or a factory call returning a lambda (`linear_warmup(0.85, 0.95, 300)`
    /// returning `lambda step: ...`, read with the factory's parameters bound to the numbers the call gives).
    func scheduleRampsFor300(_ schedule: Node, _ facts: PythonFacts, _ evaluator: StepFunction) -> Bool {
        let given = facts.unwrapped(schedule)
        func lambdaRamps(_ lambda: Node, fields: [String: Double]) -> Bool {
            guard let step = facts.dataflow.parameters(of: lambda).first, let body = lambda.child(byField: "body") else { return false }
            return rampsFor300(body, step, evaluator, fields: fields)
        }
        if given.type == "lambda" { return lambdaRamps(given, fields: [:]) }
        if given.type == "call", case let call = facts.callSite(given), let factory = facts.calledFunction(call),
           case let returned = facts.returnedValues(factory).map(facts.unwrapped), returned.count == 1, returned[0].type == "lambda" {
            var fields: [String: Double] = [:]
            for (index, parameter) in factory.passedParameters.enumerated() {
                guard let argument = call.argument(parameter, position: index) ?? facts.parameterDefault(in: factory.node, parameter),
                      let number = facts.values(of: argument).first?.double else { continue }
                fields[parameter] = number
            }
            return lambdaRamps(returned[0], fields: fields)
        }
        return facts.functionsDenoted(by: given, depth: 0).contains { function in
            guard let step = function.passedParameters.first else { return false }
            return facts.returnedValues(function).contains { rampsFor300($0, step, evaluator) }
        }
    }

    func stepCandidates(_ node: Node, _ facts: PythonFacts, _ flow: Dataflow) -> [String] {
        var names: [String] = []
        var current = node.parent
        while let c = current {
            if c.type == "for_statement" || c.type == "while_statement" { names += facts.stepVariables(c) }
            if c.type == "function_definition" { names += flow.parameters(of: c).filter { $0 != "self" } }
            current = c.parent
        }
        // A counter the object keeps (`self.last_epoch += 1` in a scheduler-like class's `step`).
        return names + facts.stepCounterAttributes(around: node)
    }

    /// Whether `expression`, read with `variable` at the step and `fields` bound (an object's fields, `self.start`),
    /// rises up to step 300 and stays flat from there on.
    func rampsFor300(_ expression: Node, _ variable: String, _ evaluator: StepFunction, fields: [String: Double] = [:]) -> Bool {
        let steps: [Double] = [0, 150, 299, 300, 301, 450, 600, 1000]
        let values = steps.map { step in evaluator.value(expression, fields.merging([variable: step]) { $1 }) }
        guard !values.contains(where: { $0 == nil }) else { return false }
        let v = values.map { $0! }
        func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(a)) }
        // Rising (a warmup, not a decay), still changing just before step 300, flat from there on.
        return v[3] > v[0] && !same(v[0], v[3]) && !same(v[2], v[3]) && same(v[3], v[4]) && same(v[3], v[5]) && same(v[3], v[6]) && same(v[3], v[7])
    }

    /// Whether the group belongs to an SGD optimizer (`for g in sgd.param_groups`, `sgd.param_groups[0]`), or to an
    /// element of a list or dictionary of optimizers that is not orthogonalizing (`opts["adam"].param_groups`), or to a
    /// handle a factory's result is kept in for a kind that builds no orthogonalizing optimizer; in a method
    /// read for one `object` the file builds, the optimizer a field of that object holds (`self.optimizer.param_groups`
    /// with `ParamGroupRamp(sgd, "momentum", ...)`, see `fieldExpression`).
    func isSGDGroup(_ target: Node, _ facts: PythonFacts, _ flow: Dataflow, object: Node? = nil) -> Bool {
        guard var group = target.child(byField: "value").map(facts.unwrapped) else { return false }
        if group.type == "identifier" {
            guard let loop = flow.bindings(of: group.text, at: group).first(where: { if case .iteration = $0.kind { return true }; return false }) else {
                return false
            }
            group = facts.unwrapped(loop.node)
        }
        // ...param_groups or ...param_groups[i]
        if group.type == "subscript", let inner = group.namedChildren.first { group = inner }
        guard group.type == "attribute", group.child(byField: "attribute")?.text == "param_groups",
              var owner = group.child(byField: "object") else { return false }
        if let object, let field = facts.instanceAttribute(owner).flatMap({ facts.fieldExpression(object, $0) }) {
            owner = facts.unwrapped(field)
            if owner.type == "call" { return facts.callSite(owner).name == "SGD" }
        }
        // An element of a list or dictionary of optimizers (`opts[0]`, `opts["adam"]`): an optimizer whose update reads no
        // momentum from its groups (Adam's betas, SGD's own momentum).
        if let element = facts.indexedElement(owner).map(facts.unwrapped), element.type == "call",
           let use = facts.optimizers.first(where: { $0.call.node == element }) {
            return use.family != .muon
        }
        // A handle kept from a factory for one kind (`if kind == "adam": handle = opt`, see `guardedFactoryResults`):
        // what the factory builds for that kind.
        if let chosen = facts.guardedFactoryResults(owner) {
            let uses = chosen.compactMap { node in facts.optimizers.first { $0.call.node == node } }
            if uses.count == chosen.count { return uses.allSatisfy { $0.family != .muon } }
        }
        // A helper's parameter (`def apply(self, optimizer, step)` handed `adam` by `warmup.apply(adam, step)`): every
        // optimizer its callers hand it keeps no momentum in its groups.
        if owner.type == "identifier", facts.parameterOwner(of: owner) != nil {
            let held = facts.origins(of: owner).map(facts.unwrapped)
            let uses = held.compactMap { node in facts.optimizers.first { $0.call.node == node } }
            if !held.isEmpty, uses.count == held.count { return uses.allSatisfy { $0.family != .muon } }
        }
        guard let name = SettingsTable.bareName(of: owner) else { return false }
        return facts.allSettings.settings(name).contains { setting in
            let value = facts.unwrapped(setting.value)
            return value.type == "call" && facts.callSite(value).name == "SGD"
        }
    }
}
