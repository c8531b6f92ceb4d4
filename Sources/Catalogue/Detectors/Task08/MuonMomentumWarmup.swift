import Parsing
import TreeSitterKit

/// `muon_momentum_warmup`: the orthogonalizing optimizer's momentum rises from a lower start to its final value.
///
/// Requires a write of `momentum` (or the group key the file's optimizer class reads as its momentum,
/// `facts.momentumGroupKeys`) into an orthogonalizing optimizer (`opt.param_groups[i]["momentum"] = ...`, a
/// loop `for g in opt.param_groups: g["momentum"] = ...`, `opt.defaults["momentum"]` when the optimizer's update reads
/// `self.defaults` (the groups copy their entries at construction), `opt.step(momentum=...)`, the
/// optimizer possibly held as `self.muon`, kept from a factory for one kind (`if kind == "muon": muon_opt = opt`),
/// picked by `isinstance(opt, Muon)` or by name from a dictionary (`opts["ortho"]`,
/// also one a builder fills per table row, see `PythonFacts.keyedElement`), or `self.param_groups` in the
/// `step` of the optimizer class built (a subclass whose `step` writes its groups, then calls `super().step()`); the attribute a file's optimizer object reads as its momentum, also through a local, `beta = self.momentum`, written
/// `ortho.momentum = ...`; the momentum argument of a
/// functional orthogonalized update, or the momentum such an update computes from the step it is given; the update
/// is one a training loop calls, also one that computes its gradients through a transformed loss function held by a
/// name, `value_and_grad = torch.compile(torch.func.grad_and_value(loss_fn))`, see `CallSite.computesGradients`)
/// whose value, evaluated as a function of the training step (the enclosing `range` loop's variable or the
/// enclosing function's parameter; locals, helpers, callable objects of the file (`warm(step)` running
/// `Ramp.__call__` with its construction's fields), `min` / `max`, `np.interp`, settings and entries of a table
/// the script computes, `momentum_table[step]`, and what a generator of the file yields at the step, also one that holds its
/// last value for ever after its ramp, `yield from itertools.repeat(end)`, followed; sampled only at steps the training loop runs when a later
/// one has no value), starts lower, never decreases, and settles at a larger value. Rejects constant momentum, schedules on Adam betas or
/// on a non-orthogonalizing optimizer, a decreasing schedule (cooldown), a warmup never written into the
/// optimizer, and one written into the groups of an optimizer class of the file whose update never reads them. Examples: `queries/python/muon_momentum_warmup/examples/`.
struct MuonMomentumWarmup: Detector {
    let id = "muon_momentum_warmup"
    static let steps: [Double] = [0, 1, 2, 5, 10, 25, 50, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 8000, 10_000]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let optimizers = facts.orthogonalizingOptimizerNames
        // A functional update called with the momentum (`muon_step(params, bufs, momentum=m(step))`).
        for (use, value) in facts.functionalMomentumArguments where isWarmup(value, facts) {
            return [facts.evidence(use.node, "orthogonalized update called with a warming-up momentum")]
        }
        // A functional update that computes its momentum from the step it is given (`mu = schedule(step)`, then
        // `buf.mul_(mu).add_(g)` or `buf.lerp_(g, 1 - mu)`).
        for optimizer in facts.orthogonalizingOptimizers where optimizer.className == nil {
            guard let scope = optimizer.scope, let function = facts.functions.first(where: { $0.node == scope }) else { continue }
            for average in facts.runningAverages(in: function) where !average.ofSquare && isWarmup(average.coefficient, facts) {
                return [facts.evidence(average.node, "orthogonalized update's momentum warmed up with the step")]
            }
        }
        // The attribute the file's own optimizer keeps its momentum in (`ortho.momentum = ramp(step)`).
        for write in facts.momentumAttributeWrites {
            if let right = write.child(byField: "right"), isWarmup(right, facts) {
                return [facts.evidence(write, "orthogonalizing optimizer's momentum warmed up")]
            }
        }
        // Constructions kept in a list (`opts = [Adam(...), Muon(...)]`, then `opts[1].param_groups`).
        let constructions = Set(facts.orthogonalizingOptimizerUses.map(\.call.node))
        guard !optimizers.isEmpty || !constructions.isEmpty else { return [] }
        let groupsRead = readsGroupMomentum(facts)
        for n in facts.nodes {
            if groupsRead, n.type == "assignment", let left = n.child(byField: "left"), let right = n.child(byField: "right"),
               left.type == "subscript", let key = left.child(byField: "subscript"), facts.string(of: key).map(facts.momentumGroupKeys.contains) == true,
               let target = left.child(byField: "value"), isOptimizerState(target, optimizers, constructions, facts), isWarmup(right, facts) {
                return [facts.evidence(n, "orthogonalizing optimizer's momentum warmed up")]
            }
            if n.type == "call" {
                let call = facts.callSite(n)
                if call.name == "step", let receiver = call.receiver, let name = SettingsTable.bareName(of: receiver), optimizers.contains(name),
                   let value = call.keywords["momentum"], isWarmup(value, facts) {
                    return [facts.evidence(n, "orthogonalizing optimizer's momentum warmed up")]
                }
            }
        }
        return []
    }

    /// Whether a momentum written into the optimizer's groups reaches its update: a library optimizer reads its
    /// groups; an optimizer class of the file must read the `momentum` entry in its update (not only keep a
    /// value it was built with, `self.beta = momentum`).
    func readsGroupMomentum(_ facts: PythonFacts) -> Bool {
        facts.orthogonalizingOptimizers.contains { optimizer in
            // A functional update takes its momentum as an argument (handled apart): no groups to read.
            guard let className = optimizer.className else { return false }
            // A library class (no scope in the file) reads its groups.
            guard optimizer.scope != nil else { return !className.isEmpty }
            return optimizer.functions.contains { function in
                facts.descendants(of: function.node).contains { n in
                    if n.type == "subscript", let key = n.child(byField: "subscript"), facts.string(of: key).map(facts.momentumGroupKeys.contains) == true {
                        // A read, not the target of an assignment.
                        guard let parent = n.parent, parent.type == "assignment" || parent.type == "augmented_assignment" else { return true }
                        return parent.child(byField: "left") != n
                    }
                    guard n.type == "call" else { return false }
                    let call = facts.callSite(n)
                    return call.name == "get" && call.positional.first.flatMap { facts.string(of: $0) }.map(facts.momentumGroupKeys.contains) == true
                }
            }
        }
    }

    /// Whether an orthogonalizing optimizer class of the file reads `self.defaults` outside `__init__`: only then does
    /// a write into `opt.defaults` reach its update (the groups copied their entries when the optimizer was built).
    func updateReadsDefaults(_ facts: PythonFacts) -> Bool {
        facts.memoized("muon_momentum_warmup/updateReadsDefaults") {
            facts.nodes(ofType: "attribute").contains { node in
                guard node.child(byField: "object")?.text == "self", node.child(byField: "attribute")?.text == "defaults",
                      let function = facts.enclosingFunction(node), function.name != "__init__",
                      let owner = facts.enclosingClass(node) else { return false }
                return facts.orthogonalizingClassNames.contains(owner.name)
            }
        }
    }

    /// `opt.param_groups[i]`, `opt.defaults` (when the update reads it, see `updateReadsDefaults`), or a loop variable
    /// over `opt.param_groups`, for an orthogonalizing `opt`.
    func isOptimizerState(_ node: Node, _ optimizers: Set<String>, _ constructions: Set<Node>, _ facts: PythonFacts) -> Bool {
        func groups(_ n: Node) -> Bool {
            guard n.type == "attribute", let attribute = n.child(byField: "attribute")?.text,
                  attribute == "param_groups" || (attribute == "defaults" && updateReadsDefaults(facts)),
                  var object = n.child(byField: "object") else { return false }
            // Lightning's wrapper (`opt.optimizer.param_groups`) holds the optimizer it wraps.
            if object.type == "attribute", object.child(byField: "attribute")?.text == "optimizer", let inner = object.child(byField: "object") {
                object = inner
            }
            // `muon, adam = self.optimizers()`: what `configure_optimizers` returns, by position.
            if object.type == "identifier", let returned = lightningOptimizer(object, facts) {
                if constructions.contains(returned) { return true }
                if SettingsTable.bareName(of: returned).map(optimizers.contains) == true { return true }
            }
            // `self.param_groups` in the optimizer's own update: the groups of the object that runs it.
            if object.type == "identifier", object.text == "self", ownGroups(object, facts) { return true }
            // `opts[1]`, or `muon = opts[1]`: the element itself (an Adam in another slot is not the optimizer).
            let resolved = facts.indexedElement(object).map(facts.unwrapped) ?? object
            if constructions.contains(resolved) { return true }
            // `for opt in trainer.optimizers: if isinstance(opt, Muon): ...`: a name narrowed to the optimizer's class, one
            // of the file's or a library Muon the file does not define (`from muon import Muon`).
            // (Only in code that may run: a method of a class the file builds, or a function it calls.)
            if object.type == "identifier", narrowedClasses(of: object, facts).contains(where: { name in
                facts.orthogonalizingClassNames.contains(name) || (facts.boundClass(named: name) == nil && PythonFacts.muonNames.contains(name))
            }),
               mayRun(object, facts) { return true }
            // `muon = next(o for o in optimizers if isinstance(o, Muon))`: an element picked by its class.
            if let picked = facts.selectedClasses(of: object), picked.isSubset(of: facts.orthogonalizingClassNames) { return true }
            // An optimizer handed to another object (`MomentumRamp(muon, ...)` keeps it as `self.opt`).
            // (Not a loop variable over several optimizers: the classes known are only those of the file's own.)
            // Asked of the element when one is known: the classes of a list are those of all its elements.
            let iterated = resolved.type == "identifier" && facts.dataflow.bindings(of: resolved.text, at: resolved).contains {
                if case .iteration = $0.kind { return true } else { return false }
            }
            // The optimizer a step hook is handed (`def warm(opt, args, kwargs)` registered with
            // `muon.register_step_pre_hook(warm)`): every optimizer the hook is registered on must be one.
            let hooked = facts.stepHookOptimizers(object)
            if !hooked.isEmpty { return hooked.allSatisfy(constructions.contains) }
            if resolved.type == "attribute" || resolved.type == "identifier", !iterated {
                // (The classes known are the file's own: an object that may also be a library optimizer built
                // elsewhere, `torch.optim.Adam(...)` handed to the same helper, is not one.)
                let held = facts.origins(of: resolved).map(facts.unwrapped)
                let classes = facts.dataflow.instanceClasses(of: resolved)
                if !classes.isEmpty && classes.isSubset(of: facts.orthogonalizingClassNames)
                    && !held.contains(where: { $0.type == "call" && !constructions.contains($0) && facts.boundClass(named: facts.callSite($0).name) == nil }) {
                    return true
                }
                // A helper's parameter (`def set_momentum(opt, value)`): every optimizer its callers hand it is one.
                if !held.isEmpty && held.allSatisfy(constructions.contains) { return true }
                // A handle kept for one kind only (`if kind == "muon": muon_opt = opt` with `opt = make_optimizer(kind,
                // ...)`): what the factory builds for that kind (see `PythonFacts.guardedFactoryResults`).
                if let chosen = facts.guardedFactoryResults(resolved), chosen.allSatisfy(constructions.contains) { return true }
            }
            return SettingsTable.bareName(of: resolved).map(optimizers.contains) == true
        }
        if groups(node) { return true }
        if node.type == "subscript", let value = node.child(byField: "value"), groups(value) { return true }
        if node.type == "identifier" {
            return facts.enclosingLoops(node).contains { loop in
                facts.loopVariables(loop).contains(node.text) && loop.child(byField: "right").map(groups) == true
            }
        }
        return false
    }

    /// Whether `self` (in `self.param_groups`) is an orthogonalizing optimizer the file builds, in the update that
    /// optimizer runs: a method of its class or of a base of it, reached from the `step` of the class built
    /// (`class MuonRamp(Muon)` whose `step` writes `group["momentum"]` and then calls `super().step()`). Not a
    /// method never reached from that step, nor a class of the file that no construction builds.
    func ownGroups(_ object: Node, _ facts: PythonFacts) -> Bool {
        guard let owner = facts.enclosingClass(object), let function = facts.enclosingFunction(object) else { return false }
        return facts.orthogonalizingOptimizerUses.contains { use in
            guard let built = use.definition, facts.lineage(of: built).contains(where: { $0.node == owner.node }),
                  let step = facts.method("step", of: built) else { return false }
            return facts.reachableFunctions(from: step).contains { $0.node == function.node }
        }
    }

    /// Whether the code around a node may run: a method of a class the file builds and hands on (a callback passed
    /// to a trainer, directly or in a list), or a function of the file that runs (see `PythonFacts.mayRun`).
    func mayRun(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard let owner = facts.enclosingClass(node) else { return facts.enclosingFunction(node).map(facts.mayRun) ?? true }
        // Built, and the instance handed on: an argument, an element of a list handed on, or a name read again.
        /// The node itself handed to a call: an argument, or an element of a list or tuple that is one.
        func handedOn(_ node: Node) -> (Bool, Node) {
            var current = node
            while let parent = current.parent, ["list", "tuple", "parenthesized_expression", "argument_list", "keyword_argument"].contains(parent.type) {
                if parent.type == "argument_list" { return (true, current) }
                current = parent
            }
            return (false, current)
        }
        return facts.calls(named: owner.name).contains { construction in
            let (passed, outermost) = handedOn(construction.node)
            if passed { return true }
            // `ramp = MomentumRamp(...)` or `callbacks = [MomentumRamp(...)]`: the name itself handed to a call later.
            guard let assignment = outermost.parent, assignment.type == "assignment", assignment.child(byField: "right") == outermost,
                  let name = assignment.child(byField: "left"), name.type == "identifier" else { return false }
            return (facts.identifiersByName[name.text] ?? []).contains { use in use.startByte > assignment.endByte && handedOn(use).0 }
        }
    }

    /// The classes an `isinstance(name, C)` (or `isinstance(name, (C, D))`, `type(name) is C`) test around a use of
    /// `name` narrows it to:
    /// the use sits in the branch taken when the test holds.
    func narrowedClasses(of name: Node, _ facts: PythonFacts) -> [String] {
        var classes: [String] = []
        for statement in facts.ancestors(of: name) where statement.type == "if_statement" {
            guard let condition = statement.child(byField: "condition"), let body = statement.child(byField: "consequence"),
                  facts.isInside(name, body) else { continue }
            for test in [condition] + facts.descendants(of: condition) {
                // `type(opt) is Muon`, `type(opt) == Muon`.
                if test.type == "comparison_operator", test.children.contains(where: { ["is", "=="].contains($0.type) }), test.namedChildCount == 2,
                   case let (left, right) = (facts.unparenthesized(test.namedChildren[0]), test.namedChildren[1]), left.type == "call",
                   facts.callSite(left).callee == "type", facts.callSite(left).positional.first?.text == name.text {
                    classes.append(right.text.lastDottedComponent)
                }
                guard test.type == "call" else { continue }
                let call = facts.callSite(test)
                guard call.callee == "isinstance", call.positional.count == 2, call.positional[0].text == name.text else { continue }
                let kinds = facts.unparenthesized(call.positional[1])
                classes += (kinds.type == "tuple" ? kinds.namedChildren : [kinds]).map { $0.text.lastDottedComponent }
            }
        }
        return classes
    }

    /// For a name unpacked from `self.optimizers()` in a Lightning module, the element at its position in the
    /// list `configure_optimizers` returns (a name or a construction).
    func lightningOptimizer(_ name: Node, _ facts: PythonFacts) -> Node? {
        guard let owner = facts.enclosingClass(name),
              let configure = facts.method("configure_optimizers", of: owner)
        else { return nil }
        for assignment in facts.assignments(around: name) where assignment.type == "assignment" && assignment.endByte <= name.startByte {
            guard let right = assignment.child(byField: "right").map(facts.unparenthesized), right.type == "call",
                  facts.callSite(right).callee == "self.optimizers", let left = assignment.child(byField: "left"),
                  ["pattern_list", "tuple_pattern"].contains(left.type),
                  let index = left.namedChildren.firstIndex(where: { $0.text == name.text }) else { continue }
            for value in facts.returnedValues(configure) {
                let list = facts.unparenthesized(value)
                // `return [muon, adam]`, `return muon, adam`, `return [muon, adam], [schedulers]`.
                var items = ["list", "tuple", "expression_list"].contains(list.type) ? list.namedChildren : []
                if items.count == 2, ["list", "tuple"].contains(items[0].type) { items = items[0].namedChildren }
                if index < items.count { return facts.unwrapped(items[index]) }
            }
        }
        return nil
    }

    /// Whether a running average's decay (the coefficient itself, or one minus its weight) warms up with the step.
    func isWarmup(_ coefficient: AverageCoefficient, _ facts: PythonFacts) -> Bool {
        switch coefficient {
        case .decay(let node): return isWarmup(node, facts)
        case .weight(let node): return isWarmup(node, facts, complement: true)
        }
    }

    /// Whether a value (or one minus it), as a function of the step, rises from a start to a larger end and stays
    /// there. A helper's parameter (`def set_momentum(opt, value): ... g["momentum"] = value`) is what its callers
    /// pass, each read where it is passed (`set_momentum(muon, ramp(step))` in the training loop).
    func isWarmup(_ value: Node, _ facts: PythonFacts, complement: Bool = false, depth: Int = 0) -> Bool {
        let parameter = facts.unparenthesized(value)
        if parameter.type == "identifier", depth < 2, facts.parameterOwner(of: parameter) != nil {
            let passed = facts.callerArguments(of: parameter)
            if !passed.isEmpty, passed.allSatisfy({ isWarmup($0, facts, complement: complement, depth: depth + 1) }) { return true }
        }
        // Two readings of the value at a step: the file's expression evaluator, and the step evaluator, which also runs a
        // method of an object the file builds (`ramp(step)` calling `Ramp.__call__` with the fields its construction
        // gives) and binds what a factory call passes to the closure it returns (`make_schedule(**RAMP)`, another call
        // of the same factory giving other values). Either one showing the warmup counts.
        let evaluator = StepFunction(facts, facts.dataflow)
        let readings: [(String, Double) -> Double?] = [
            { step, s in facts.evaluate(value, bindings: [step: s]) },
            { step, s in evaluator.value(value, [step: s]) },
        ]
        for step in stepNames(value, facts) {
            for reading in readings {
                func at(_ s: Double) -> Double? { reading(step, s).map { complement ? 1 - $0 : $0 } }
                var curve = Self.steps.map(at)
                // A momentum read from a table of the run's steps (`float(momentum_table[step])`) has no value past the
                // last step the training loop runs: only the steps it runs are sampled then.
                if curve.contains(where: { $0 == nil }), let loop = facts.trainingLoopLength {
                    let run = Self.steps.filter { $0 < loop }
                    if run.count >= 8 { curve = run.map(at) }
                }
                guard curve.allSatisfy({ $0 != nil }) else { continue }
                let values = curve.map { $0! }
                if Self.risesToPlateau(values) { return true }
                // A ramp up at the start and a cooldown at the end of the run (the modern record's `get_muon_momentum`:
                // 300 steps up, then level, then 50 steps down before the last step): up to where it first falls, it
                // rises to a plateau held at least as long again as the ramp took.
                if let fall = values.indices.dropLast().first(where: { values[$0] > values[$0 + 1] + 1e-12 }), fall >= 3 {
                    let before = Array(values[...fall])
                    if Self.risesToPlateau(before), let top = before.firstIndex(where: { abs($0 - before[before.count - 1]) < 1e-12 }),
                       Self.steps[top] * 2 <= Self.steps[fall] {
                        return true
                    }
                }
            }
        }
        return false
    }

    /// Whether sampled values never fall, end above where they start, and are level over the last three samples.
    static func risesToPlateau(_ values: [Double]) -> Bool {
        guard values.count >= 3 else { return false }
        let rising = zip(values, values.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 }
        return rising && values[0] < values[values.count - 1] - 1e-9 && abs(values[values.count - 1] - values[values.count - 3]) < 1e-12
    }

    /// Whether a function reads `next(c)` of a name bound to `itertools.count()`.
    func advancesCounter(_ function: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: function.node).contains { node in
            guard node.type == "call", case let call = facts.callSite(node), call.callee == "next",
                  let source = call.positional.first.map(facts.unwrapped), source.type == "identifier" else { return false }
            return facts.dataflow.bindings(of: source.text, at: source).contains { binding in
                binding.kind == .value && binding.node.type == "call" && facts.callSite(binding.node).callee == "itertools.count"
            }
        }
    }

    /// Candidate names for the training step: the step variables of the enclosing loops, step counters of the class
    /// around (`self.last_epoch`), then the enclosing function's parameters.
    func stepNames(_ node: Node, _ facts: PythonFacts) -> [String] {
        var names: [String] = []
        // The counters of the loops around: `for step in range(...)`, `while True: ... step += 1`.
        for loop in facts.enclosingLoops(node) { names += facts.stepVariables(loop) }
        // A counter the object keeps (`self.last_epoch += 1` in a scheduler-like class's `step`).
        names += facts.stepCounterAttributes(around: node)
        // A counter advanced once per call (`step = next(ticks)` with `ticks = itertools.count()`): the function's
        // calls are the steps, read through the key `StepFunction` binds for `next(...)`.
        if let function = facts.enclosingFunction(node), advancesCounter(function, facts) { names.append(PythonFacts.callKey("next")) }
        if let function = facts.enclosingFunction(node) {
            names += function.parameters.filter { $0 != "self" }
            // A local read from a step counter the framework keeps (`step = self.global_step // 2`).
            for assignment in facts.descendants(of: function.node) where assignment.type == "assignment" {
                guard let left = assignment.child(byField: "left"), left.type == "identifier", let right = assignment.child(byField: "right"),
                      facts.descendants(of: right).contains(where: { n in
                          n.type == "attribute" && ["global_step", "step_count", "iteration", "current_step"].contains(n.child(byField: "attribute")?.text ?? "")
                      }) else { continue }
                names.append(left.text)
            }
        }
        return names
    }
}
