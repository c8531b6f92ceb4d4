import Parsing
import TreeSitterKit

/// A learning-rate schedule that drives an optimizer, sampled over the run: the multiplier (or LR) at a set of
/// steps from 0 to the horizon.
public struct ScheduleCurve {
    /// Where the schedule is applied (the `LambdaLR` / `SequentialLR` call or the `["lr"] = ...` assignment).
    public let site: Node
    public let steps: [Double]
    public let values: [Double]
    /// The number of training steps the schedule runs for.
    public let horizon: Double
    /// The trapezoid (warmup-stable-decay) shape, read while the schedule itself could still be run (see
    /// `trapezoid(_:)`): the curve keeps no reference to the schedule or to the facts it was read from.
    public internal(set) var isTrapezoid = false

    /// The largest value.
    public var peak: Double { values.max() ?? 0 }
    /// Whether the value changes over the run.
    public var varies: Bool { (values.max() ?? 0) - (values.min() ?? 0) > 1e-9 * max(1, abs(peak)) }
}

/// Learning-rate schedules read as curves: the functions and lambdas `scheduleUses` finds, functions whose result
/// reaches a `group["lr"] = ...` assignment through a local name or through a method of the file that writes
/// it (`lr_scale = get_lr(step); optimizer.scale_lrs(lr_scale)`), `SequentialLR` chains of `LinearLR`,
/// `ConstantLR` and `LambdaLR` phases, the `transformers` library's schedules (`LibrarySchedules.swift`), rates computed
/// inline where they are written, and tables of phases walked in order (`PhaseTables.swift`).
extension PythonFacts {
    public var scheduleCurves: [ScheduleCurve] {
        memoized("scheduleCurves") {
            var curves: [ScheduleCurve] = []
            var seen = Set<Node>()
            var uses = scheduleUses
            uses += indirectScheduleUses
            var sites = Set<Node>()
            // One curve per schedule and place it reaches: a schedule shared by two optimizers through partials with
            // other peaks (`head_lr_at`, `muon_lr_at`) is sampled at each. Of two readings of one use, the one that
            // binds more of the schedule's arguments (a partial's keywords) is kept.
            var best: [[Node]: ScheduleUse] = [:]
            var order: [[Node]] = []
            for use in uses {
                let key = [use.callable ?? use.function?.node ?? use.lambda ?? use.site, use.site]
                if let known = best[key] {
                    if use.bound.count > known.bound.count { best[key] = use }
                } else {
                    best[key] = use
                    order.append(key)
                }
            }
            // A chain's schedule link may scale the updates by the negated rate (`scale_by_schedule(lambda c:
            // -lr_schedule(c))`, optax's way when the updates are then added): the rate is the negation.
            let chainLinks = Set(transformChains.flatMap { $0.scheduleArguments(in: self).map(\.link.node) })
            for use in order.compactMap({ best[$0] }) {
                let key = use.function?.node ?? use.lambda ?? use.site
                seen.insert(key)
                guard let horizon = horizon(of: use), horizon >= 4 else { continue }
                let sign: Double = chainLinks.contains(use.site) && (scheduleValue(use, step: (horizon / 2).rounded()) ?? 0) < 0 ? -1 : 1
                if let curve = sample(site: use.site, horizon: horizon, { self.scheduleValue(use, step: $0).map { sign * $0 } }) {
                    curves.append(curve)
                    sites.insert(use.site)
                }
            }
            for call in calls where call.name == "SequentialLR" {
                if let curve = sequentialCurve(call) { curves.append(curve) }
            }
            // `transformers` schedules (see `libraryScheduleCurve`).
            for call in calls where Self.librarySchedules.contains(call.name) {
                if let curve = libraryScheduleCurve(call) { curves.append(curve) }
            }
            // An assignment already read through its schedule function (`g["lr"] = base * self.lr_mult(step)`) is
            // not sampled again inline, where the base rate's own value would be mixed in.
            curves += inlineScheduleCurves(excluding: seen.union(sites))
            // Phases walked from a table, each with its own function of the step within it (see `PhaseTables.swift`).
            curves += phaseTableCurves(excluding: sites)
            return curves
        }
    }

    /// LR assignments computed inline in the training loop from its step (`g["lr"] = peak * min(1, (T - step) / W)`,
    /// locals of the loop body included, also one set by the branches of an `if` / `elif` / `else` chain, see
    /// `ScriptInterpreter.branchChain`), when no schedule function is involved.
    func inlineScheduleCurves(excluding handled: Set<Node>) -> [ScheduleCurve] {
        var curves: [ScheduleCurve] = []
        let interpreter = ScriptInterpreter(self)
        for sink in rateWrites where !handled.contains(sink) {
            guard let right = sink.child(byField: "right") else { continue }
            // The step and how many steps run: the variable of the outermost `for ... in range(N)` loop around the
            // assignment, or of one that calls, on an object the file builds, the method holding it (see `steppedRuns`).
            var runs: [(bindings: [String: Double], step: String, count: Double)] = []
            if let loop = enclosingLoops(sink).last(where: isRangeLoop), let variable = loop.child(byField: "left")?.text,
               let count = rangeCount(loop, interpreter), count >= 4 {
                runs = [([:], variable, count)]
            } else {
                runs = steppedRuns(of: sink, interpreter)
                if runs.isEmpty { runs = dispatchedSteppedRuns(of: sink) }
            }
            // `g["lr"] = base * scale` with a base rate the interpreter cannot read (zipped from the groups): the
            // factor that follows the step.
            var candidates = [right]
            let product = unparenthesized(right)
            if product.type == "binary_operator", product.child(byField: "operator")?.type == "*",
               let l = product.child(byField: "left"), let r = product.child(byField: "right") {
                candidates += [r, l]
            }
            // (A factor read from another loop around the write, `b` of `for g, b in zip(groups, bases)`, is each
            // group's own value, not a number of the file; so is an entry of the group, `g["peak_lr"]`.)
            let stepLoops = Set(runs.isEmpty ? [] : enclosingLoops(sink).filter(isRangeLoop).suffix(1))
            let perGroup = Set(enclosingLoops(sink).filter { !stepLoops.contains($0) }.flatMap(loopVariables))
            search: for run in runs {
                for candidate in candidates where !([candidate] + descendants(of: candidate)).contains(where: { $0.type == "identifier" && perGroup.contains($0.text) }) {
                    if let curve = sample(site: sink, horizon: run.count, { interpreter.number(candidate, bindings: run.bindings.merging([run.step: $0]) { $1 }) }) {
                        curves.append(curve)
                        break search
                    }
                }
            }
        }
        return curves
    }

    /// `for name in range(...)`.
    func isRangeLoop(_ loop: Node) -> Bool {
        loop.type == "for_statement" && loop.child(byField: "left")?.type == "identifier"
            && loop.child(byField: "right").map { $0.type == "call" && callSite($0).callee == "range" } == true
    }

    /// How many passes a `for ... in range(...)` loop makes (its stop).
    func rangeCount(_ loop: Node, _ interpreter: ScriptInterpreter) -> Double? {
        loop.child(byField: "right").flatMap { callSite($0).positional.last }.flatMap { interpreter.number($0) }
    }

    /// For a write in a method of a class of the file (a callback's `on_batch_begin(self, step, trainer)`), the runs a
    /// training loop makes of it: a call inside a `for step in range(N)` loop that runs that method on an object the file
    /// builds (see `objectCalls`, `cb.on_batch_begin(step, self)` over `callbacks=[LinearCooldown(STEPS)]`) and passes
    /// the loop's variable for one of its parameters: the object's fields bound (`self.total`, see `fieldBindings(of:)`),
    /// that parameter as the step, and the loop's count. Empty otherwise.
    func steppedRuns(of sink: Node, _ interpreter: ScriptInterpreter) -> [(bindings: [String: Double], step: String, count: Double)] {
        guard let method = enclosingFunction(sink), enclosingClass(method.node) != nil else { return [] }
        var runs: [(bindings: [String: Double], step: String, count: Double)] = []
        for call in calls where call.name == method.name {
            guard let loop = enclosingLoops(call.node).last(where: isRangeLoop), let variable = loop.child(byField: "left")?.text,
                  let count = rangeCount(loop, interpreter), count >= 4 else { continue }
            for (construction, runMethod) in objectCalls(call) where runMethod.node == method.node {
                let parameters = method.passedParameters
                guard let place = parameters.indices.first(where: { index in
                    call.argument(parameters[index], position: index).map { unwrapped($0).text == variable } == true
                }) else { continue }
                runs.append((fieldBindings(of: construction), parameters[place], count))
            }
        }
        return runs
    }

    /// For a write in a function a training loop runs on every pass without naming it (a callback the script registers
    /// with its trainer, `trainer.add_callback("on_batch_start", set_lr)`, run by `for cb in self.callbacks[event]:
    /// cb(self)`; see `dispatchedRuns(from:)`), the runs of a loop that counts its steps: the counter as the function
    /// reads it, through the parameter the run binds to the counter itself or to the object holding it (`trainer.iter_num`
    /// for a loop counting `self.iter_num += 1` and running `cb(self)`), and the loop's count (`iterationCount`). Empty
    /// when no such loop runs the function.
    func dispatchedSteppedRuns(of sink: Node) -> [(bindings: [String: Double], step: String, count: Double)] {
        guard let function = enclosingFunction(sink) else { return [] }
        var runs: [(bindings: [String: Double], step: String, count: Double)] = []
        for loop in nodes(ofType: ["for_statement", "while_statement"]) where !isInside(sink, loop) {
            let counters = stepVariables(loop)
            guard !counters.isEmpty, let count = iterationCount(loop), count >= 4 else { continue }
            for run in dispatchedRuns(from: loop) where run.function.node == function.node {
                for counter in counters {
                    for (parameter, argument) in run.arguments.sorted(by: { $0.key < $1.key }) {
                        let given = unwrapped(argument).text
                        if given == counter {
                            runs.append((bindings: [:], step: parameter, count: count))
                        } else if counter.hasPrefix(given + "."), isReferenceChain(unwrapped(argument)) {
                            runs.append((bindings: [:], step: parameter + counter.dropFirst(given.count), count: count))
                        }
                    }
                }
            }
        }
        return runs
    }

    /// A schedule's value at a step, run by the script interpreter (boolean conditions, tuples, `for` loops),
    /// else by `evaluate(_:step:)`.
    func scheduleValue(_ use: ScheduleUse, step: Double) -> Double? {
        // A schedule nested in a builder reads the builder's names, and one stepped through an attribute
        // (`self.last_epoch`, `self.num_steps`) reads the step there: only `evaluate` binds them.
        if use.enclosing != nil || use.stepAttribute != nil { return evaluate(use, step: step) }
        let interpreter = ScriptInterpreter(self)
        // The closure the factory's call makes, with what that call gives it (see `ScheduleUse.callable`).
        if let callable = use.callable, case .function(let closure)? = interpreter.value(of: callable),
           let v = interpreter.call(closure, step) {
            return v
        }
        if let function = use.function, let parameter = use.stepParameter {
            // The step handed to a parameter other than the first, base rates before it as 1.
            var names = objectFields(of: use)
            names[parameter] = step
            for unit in use.unitParameters { names[unit] = 1 }
            return interpreter.call(function, [], keywords: use.bound, fields: names)
        }
        if let function = use.function, let v = interpreter.call(function, [step], keywords: use.bound, fields: objectFields(of: use)) { return v }
        if let lambda = use.lambda, let v = interpreter.call(lambda: lambda, step) { return v }
        if use.callable != nil, use.function == nil, use.lambda == nil { return nil }
        return evaluate(use, step: step)
    }

    /// Samples a schedule at 0, 1, 2 and 200 evenly spaced steps up to the horizon; nil when a value is unknown.
    /// A horizon that is the length of the training loop (`for step in range(n + 1)`) is one past the last step run:
    /// when the schedule has no value there but has one at the step before (a table of the run's `n + 1` rates read
    /// as `lr_table[step]`), the curve ends at that last step.
    func sample(site: Node, horizon: Double, _ f: (Double) -> Double?) -> ScheduleCurve? {
        var horizon = horizon
        if horizon >= 5, f(horizon) == nil, f(horizon - 1) != nil { horizon -= 1 }
        var steps: [Double] = [0, 1, 2]
        for i in 1...200 { steps.append((horizon * Double(i) / 200).rounded()) }
        steps = Array(Set(steps)).sorted()
        var values: [Double] = []
        for s in steps {
            guard let v = f(s), v.isFinite else { return nil }
            values.append(v)
        }
        var curve = ScheduleCurve(site: site, steps: steps, values: values, horizon: horizon)
        curve.isTrapezoid = curve.trapezoid(f)
        return curve
    }

    /// Functions whose result reaches an LR assignment through a local name or a function of the file that writes it
    /// (called, or a property setter run by an assignment, `optimizer.lr_scale = args.lr_multiplier(step)`).
    var indirectScheduleUses: [ScheduleUse] {
        memoized("indirectScheduleUses") {
            let sinks = rateWrites
            guard !sinks.isEmpty else { return [] }
            // Methods of the file that write an LR (`def scale_lrs(self, s): ... ["lr"] = base * s`).
            let writing = functions.filter { f in sinks.contains { isInside($0, f.node) } }
            let writers = Set(writing.map(\.name))
            var result: [ScheduleUse] = []
            // The calls in a value: each a schedule function of the file (also a method of an object of the file,
            // `args.lr_multiplier(step)`, read with the fields its construction gives, see `objectFields`).
            func schedules(in value: Node, site: Node) {
                for inner in descendants(of: value) where inner.type == "call" {
                    let call = callSite(inner)
                    var object: Node?
                    var function = calledFunction(call)
                    if function == nil, let receiver = call.receiver.map(unwrapped), receiver.type == "identifier",
                       let method = targets(of: call).first, enclosingClass(method.node) != nil,
                       let built = heldValue(of: receiver.text, at: inner) {
                        function = method
                        object = unwrapped(built)
                    }
                    guard let function else { continue }
                    // The step is the first argument; the others are bound to their parameters, by keyword or by
                    // place (`lr_multiplier(step, args.num_iterations, ramp_up=...)`).
                    var bound = call.keywords
                    for (parameter, argument) in zip(function.passedParameters.dropFirst(), call.positional.dropFirst()) where bound[parameter] == nil {
                        bound[parameter] = argument
                    }
                    var use = ScheduleUse(function: function, lambda: nil, site: site, bound: bound)
                    use.object = object
                    result.append(use)
                }
            }
            func follow(_ name: Node, site: Node) {
                guard let value = latestValue(of: name.text, before: name) else { return }
                schedules(in: value, site: site)
            }
            // A property setter that writes an LR, run by assigning the property (`@lr_scale.setter`).
            let setters = Set(writing.filter(isPropertySetter).map(\.name))
            if !setters.isEmpty {
                for assignment in nodes(ofType: "assignment") {
                    guard let left = assignment.child(byField: "left"), left.type == "attribute",
                          let name = left.child(byField: "attribute")?.text, setters.contains(name),
                          let right = assignment.child(byField: "right") else { continue }
                    if right.type == "identifier" { follow(right, site: assignment) } else { schedules(in: right, site: assignment) }
                }
            }
            for sink in sinks {
                guard let right = sink.child(byField: "right") else { continue }
                for n in descendants(of: right) where n.type == "identifier" { follow(n, site: sink) }
            }
            // A writer called on an object (`self.scale_lrs(s)`) or by its name (a nested `def set_lr_scale(scale)`).
            for call in calls where writers.contains(call.name) {
                for argument in call.positional where argument.type == "identifier" { follow(argument, site: call.node) }
            }
            return result
        }
    }

    /// A `SequentialLR(opt, schedulers=[...], milestones=[...])` of `LinearLR`, `ConstantLR` and `LambdaLR` phases.
    /// What `name.append(x)` calls put into a list between its empty start and a read, in order, in the read's
    /// function: an append under an `if` counts when the configuration decides the condition true and is left out when it
    /// decides it false. Nil when an append sits in a loop, an `else` branch or under an undecided condition.
    func appendedItems(_ name: String, after start: Node, before read: Node) -> [Node]? {
        let scope = enclosingFunction(read)?.node
        var items: [Node] = []
        for append in calls where append.name == "append" && append.receiver?.text == name {
            guard append.node.startByte > start.endByte, append.node.startByte < read.startByte,
                  enclosingFunction(append.node)?.node == scope, append.positional.count == 1 else { continue }
            var taken = true
            var child = append.node
            for ancestor in ancestors(of: append.node) {
                if ancestor == scope || ancestor.type == "module" { break }
                defer { child = ancestor }
                switch ancestor.type {
                case "for_statement", "while_statement", "else_clause", "elif_clause", "try_statement":
                    return nil
                case "if_statement":
                    guard ancestor.child(byField: "consequence") == child, let condition = ancestor.child(byField: "condition"),
                          let holds = truth(of: condition) else { return nil }
                    taken = taken && holds
                default:
                    continue
                }
            }
            if taken { items.append(append.positional[0]) }
        }
        return items
    }

    func sequentialCurve(_ call: CallSite) -> ScheduleCurve? {
        func list(_ node: Node?) -> [Node]? {
            guard var node = node.map(unparenthesized) else { return nil }
            let name = node.type == "identifier" ? node.text : nil
            if let name, let v = latestValue(of: name, before: node) ?? allSettings.settings(name).first?.value {
                node = unparenthesized(v)
            }
            // A list that starts empty and is filled by `append` before the scheduler is built (`phases, milestones =
            // [], []`, then `if args.warmup > 0: phases.append(LinearLR(...))`).
            if let name, node.type == "list", node.namedChildren.isEmpty {
                return appendedItems(name, after: node, before: call.node)
            }
            return ["list", "tuple"].contains(node.type) ? node.namedChildren : nil
        }
        guard let phases = list(call.argument("schedulers", position: 1)), !phases.isEmpty,
              let milestoneNodes = list(call.argument("milestones", position: 2)), milestoneNodes.count == phases.count - 1 else { return nil }
        var milestones: [Double] = []
        for m in milestoneNodes {
            guard let v = evaluate(m) else { return nil }
            milestones.append(v)
        }
        var pieces: [(Double) -> Double?] = []
        var lastLength: Double?
        for phase in phases {
            var node = unparenthesized(phase)
            if node.type == "identifier", let v = latestValue(of: node.text, before: call.node) { node = unparenthesized(v) }
            guard node.type == "call" else { return nil }
            let scheduler = callSite(node)
            func number(_ name: String, _ position: Int, _ fallback: Double) -> Double? {
                guard let argument = scheduler.argument(name, position: position) else { return fallback }
                return evaluate(argument)
            }
            switch scheduler.name {
            case "LinearLR":
                guard let start = number("start_factor", 1, 1.0 / 3), let end = number("end_factor", 2, 1),
                      let total = number("total_iters", 3, 5), total > 0 else { return nil }
                pieces.append { t in start + (end - start) * min(t, total) / total }
                lastLength = total
            case "ConstantLR":
                guard let factor = number("factor", 1, 1.0 / 3), let total = number("total_iters", 2, 5) else { return nil }
                pieces.append { t in t < total ? factor : 1 }
                lastLength = total
            case "LambdaLR":
                guard let schedule = scheduler.argument("lr_lambda", position: 1),
                      let use = scheduleUses(of: schedule, site: node).first else { return nil }
                pieces.append { t in self.scheduleValue(use, step: t) }
                lastLength = horizon(of: use).map { max(0, $0 - (milestones.last ?? 0)) }
            default:
                return nil
            }
        }
        guard let tail = lastLength else { return nil }
        let horizon = (milestones.last ?? 0) + tail
        let f: (Double) -> Double? = { s in
            let index = milestones.filter { $0 <= s }.count
            let start = index == 0 ? 0 : milestones[index - 1]
            return pieces[index](s - start)
        }
        return sample(site: call.node, horizon: horizon, f)
    }
}

extension ScheduleCurve {
    /// The trapezoid (warmup-stable-decay) shape: a plateau at the peak covering at least 5% of the run, then a
    /// linear decay that starts inside the run and ends at the horizon at most half the peak. The warmup before
    /// the plateau may be absent. `at` is the schedule at any step (the decay is checked between the sampled steps).
    func trapezoid(_ at: (Double) -> Double?) -> Bool {
        let p = peak
        guard p > 0 else { return false }
        let flat = values.indices.filter { values[$0] >= p * (1 - 1e-6) }
        guard let a = flat.first, let b = flat.last, flat.count == b - a + 1 else { return false }
        guard steps[b] - steps[a] >= 0.05 * horizon, b < values.count - 1, steps[b] <= horizon * 0.98,
              let end = values.last, end <= 0.5 * p else { return false }
        // Decay: non-increasing and on one line from just after the plateau to the horizon.
        let start = steps[b] + 1
        var xs: [Double] = []
        for i in 0...20 { xs.append((start + (horizon - start) * Double(i) / 20).rounded()) }
        var ys: [Double] = []
        for x in xs {
            guard let y = at(x) else { return false }
            ys.append(y)
        }
        for i in 1..<ys.count where ys[i] > ys[i - 1] + 1e-9 * p { return false }
        // The first point may still be on the plateau edge: fit the line through the second and last points.
        guard xs.count >= 3, xs[xs.count - 1] > xs[1] else { return false }
        let slope = (ys[ys.count - 1] - ys[1]) / (xs[xs.count - 1] - xs[1])
        guard slope < 0 else { return false }
        for i in 1..<xs.count where abs(ys[1] + slope * (xs[i] - xs[1]) - ys[i]) > 0.01 * p { return false }
        return true
    }

    /// Whether the schedule starts at its peak (no warmup ramp) and changes later in the run.
    public var startsAtPeak: Bool {
        varies && (values.first ?? 0) >= peak * (1 - 1e-6)
    }
}

extension PythonFacts {
    /// The peak learning rates of the schedules whose value is itself the rate a call receives: an optimizer step
    /// function called every step with `lr=lr_at(step)`, directly or through one local (`lr = lr_at(step);
    /// adam_update(..., lr)`). A rate that scales a schedule (`base * factor(step)`) gives none, since the curve is
    /// then a multiplier.
    public func scheduledPeaks(of rate: Node, at call: CallSite) -> [Double] {
        var value = unparenthesized(rate)
        if value.type == "identifier", let local = latestValue(of: value.text, before: call.node) { value = unparenthesized(local) }
        guard value.type == "call", calledFunction(callSite(value)) != nil || callSite(value).receiver == nil else { return [] }
        return scheduleCurves.filter { $0.site == call.node }.map(\.peak)
    }
}
