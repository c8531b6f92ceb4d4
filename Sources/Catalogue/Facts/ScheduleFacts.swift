import Parsing
import TreeSitterKit

/// Learning-rate schedules: the functions that set the multiplier applied to the optimizers, run on a step.
extension PythonFacts {
    /// A schedule function of the file and where it is applied.
    public struct ScheduleUse {
        /// The schedule as a function of the file (nil for a lambda).
        public let function: Function?
        /// A `lambda` passed as the schedule (nil for a function).
        public let lambda: Node?
        /// The call or assignment that applies it (`LambdaLR(opt, get_lr)`, `group["lr"] = base * get_lr(step)`).
        public let site: Node
        /// Arguments bound by name before the step is passed (`partial(wsd, total=n_iters, warmdown=w)`).
        public var bound: [String: Node] = [:]
        /// Where the step is read when it is not an argument: a `LRScheduler` subclass's `get_lr` reads
        /// `self.last_epoch`.
        public var stepAttribute: String?
        /// For a function a wrapper returns (`get_lr = with_floor(get_lr, 0.1)`, whose inner function calls
        /// `schedule(it)`): the wrapper's parameter holding the wrapped schedule, and that schedule.
        public var wrappedName: String?
        public var wrapping: [ScheduleUse] = []
        /// The wrapper's other parameters, which the inner function reads (`floor`), with what the call gives them.
        public var closure: [String: Node] = [:]
        /// For a schedule defined inside a builder (`def build(opt, warmup, total): def wsd(step): ...; return
        /// LambdaLR(opt, wsd)`): the builder, whose statements before the schedule's definition run first, its
        /// parameters bound (in `closure`) to what the builder's one call passes.
        public var enclosing: Function?
        /// For a schedule object (its class's `__call__`): the construction that builds it, `TrapezoidLR(n, 0, 1450)` or a
        /// factory call (`ScheduleFactory.create("trapezoid", total_steps=n, ...)`), whose arguments its fields hold
        /// (`objectFields`).
        public var object: Node?
        /// For a schedule called with the trainer's state (see `stateScheduleUses`): the numbers the state's other
        /// fields hold, by the schedule's reading of them (`state.max_duration`).
        public var stateFields: [String: Double] = [:]
        /// For a schedule the script computes as a function value that no function or lambda of the file stands for
        /// alone (`lr_schedule = warmup_then_decay(peak, ...)`, the factory returning `join_schedules([...], [...])` of
        /// closures): the expression, run by the interpreter to that value and called at each step (`ScriptClosure`).
        public var callable: Node?
        /// The parameter the step is handed to, when it is not the first (`get_lr(initial_lr, step, max_steps)`, see
        /// `objectMethodScheduleUses`), and base rates ahead of it taken as 1.
        public var stepParameter: String?
        public var unitParameters: Set<String> = []
    }

    /// A write of a learning rate into a parameter group or a table of rates: `group["lr"] = ...` (the key as any
    /// string spelling). The one test every schedule reading starts from.
    public func isRateWrite(_ node: Node) -> Bool {
        guard node.type == "assignment", let left = node.child(byField: "left"), left.type == "subscript",
              let key = left.child(byField: "subscript") else { return false }
        return SettingsTable.stringValue(key) == "lr"
    }

    /// The learning-rate writes of the file (see `isRateWrite`), in document order.
    var rateWrites: [Node] { memoized("rateWrites") { nodes(ofType: "assignment").filter(isRateWrite) } }

    /// Schedules applied to optimizers: the function (or lambda) given to `LambdaLR` / `MultiplicativeLR` or to a
    /// scaling link of a chain of transformations (`TransformChain.scheduleArguments`), and
    /// functions called on the right side of a `group["lr"] = ...` assignment (also a parameter called there, for the
    /// schedules its callers pass), of `opt.lr = ...` for an optimizer class
    /// of the file, or in the rate argument of an optimizer that is a function of the file (`functionalOptimizerCalls`).
    public var scheduleUses: [ScheduleUse] {
        memoized("scheduleUses") {
            var result: [ScheduleUse] = []
            for call in calls where ["LambdaLR", "MultiplicativeLR"].contains(call.name) {
                guard let schedule = call.argument("lr_lambda", position: 1) else { continue }
                result += scheduleUses(of: schedule, site: call.node)
            }
            // A chain of transformations scaling its updates by a schedule (`scale_by_schedule(lr_multiplier)` before
            // `scale(-lr)`, see `TransformChain.scheduleArguments`).
            for chain in transformChains {
                for (schedule, link) in chain.scheduleArguments(in: self) {
                    // A parameter of the builder making the chain (`scale_by_schedule(lr_schedule)` in `def
                    // configure(..., lr_schedule)`): the schedules its callers give it.
                    let given = unwrapped(schedule)
                    let passed = given.type == "identifier" && parameterOwner(of: given) != nil ? callerBindings(of: given).map(\.argument) : [given]
                    for argument in passed { result += scheduleUses(of: unwrapped(argument), site: link.node) }
                }
            }
            // A scheduler class of the file in PyTorch's own form: `class HoldThenDecay(LRScheduler)` whose
            // `get_lr` returns `[base_lr * factor for base_lr in self.base_lrs]`, the factor read from
            // `self.last_epoch`; applied where it is built.
            for call in calls {
                guard let owner = boundClass(named: call.name),
                      lineage(of: owner).contains(where: { $0.bases.contains { $0.hasSuffix("LRScheduler") } }),
                      let rate = method("get_lr", of: owner) else { continue }
                result.append(ScheduleUse(function: rate, lambda: nil, site: call.node, stepAttribute: "self.last_epoch"))
            }
            // A scheduler class of the file that keeps its own step count (Megatron's `OptimizerParamScheduler`): its
            // rate method (`get_lr`, reading `self.num_steps`) is applied where the class is built, the counter
            // standing for the step (see `countedRates(of:)`); that method is not read again as a plain function
            // where its result is written to `group["lr"]`, where the counter would keep its initial value.
            var counted = Set<Node>()
            for call in calls {
                guard let owner = boundClass(named: call.name),
                      !lineage(of: owner).contains(where: { $0.bases.contains { $0.hasSuffix("LRScheduler") } }) else { continue }
                for reading in countedRates(of: owner) {
                    result.append(ScheduleUse(function: reading.rate, lambda: nil, site: call.node, stepAttribute: reading.counter))
                    counted.insert(reading.rate.node)
                }
            }
            // Where a rate is handed to the optimizers: `g["lr"] = ...`, and the rate argument of an optimizer that
            // is a function of the file, called every step (`adam_(params, grads, state, H.lr * lr_scale(step))`).
            var rates: [(site: Node, right: Node)] = []
            for node in rateWrites {
                if let right = node.child(byField: "right") { rates.append((node, right)) }
            }
            // `opt.lr = ...` on an object of an optimizer class of the file whose methods read that attribute after
            // construction (a hand-written optimizer whose `step` reads `self.lr`).
            var readers: [String: Set<String>] = [:]  // rate attribute -> classes reading it
            for definition in optimizers.compactMap(\.definition) {
                for attribute in attributesRead(by: definition).intersection(["lr", "learning_rate"]) {
                    readers[attribute, default: []].insert(definition.name)
                }
            }
            if !readers.isEmpty {
                for node in nodes(ofType: "assignment") {
                    guard let left = node.child(byField: "left"), left.type == "attribute",
                          let classes = readers[left.child(byField: "attribute")?.text ?? ""],
                          let object = left.child(byField: "object"), object.text != "self", let right = node.child(byField: "right"),
                          !dataflow.instanceClasses(of: object).isDisjoint(with: classes) else { continue }
                    rates.append((node, right))
                }
            }
            for (call, function) in functionalOptimizerCalls {
                var given = false
                for name in ["lr", "learning_rate", "step_size"] {
                    if let index = function.parameters.firstIndex(of: name), let rate = call.argument(name, position: index) {
                        rates.append((call.node, rate))
                        given = true
                    }
                }
                // A pure update function takes no rate: the one its result is applied at (`torch._foreach_add_(leaves,
                // updates, alpha=-lr)`, see `appliedUpdates(of:)`).
                if !given, let rate = appliedUpdates(of: function).first(where: { $0.call.node == call.node })?.rate {
                    rates.append((call.node, rate))
                }
            }
            for (node, right) in rates {
                // g["lr"] = base * schedule(step), or through a local: m = schedule(step); g["lr"] = base * m; or two
                // (`mult = schedule(step); lr = base * mult; update(..., lr)`).
                var sources = [right]
                for name in descendants(of: right) where name.type == "identifier" {
                    // A field of a copy with changes (`hp.lr` after `hp = cfg._replace(betas=(beta_at(step), 0.95))`):
                    // only what that field holds, never the schedules of the fields the copy changes (see `FieldCopies`).
                    if let read = name.parent, read.type == "attribute", read.child(byField: "object") == name, let fields = copiedField(read) {
                        for field in fields where !sources.contains(field) { sources.append(field) }
                        continue
                    }
                    if let value = latestValue(of: name.text, before: node) {
                        sources.append(value)
                        for inner in descendants(of: value) where inner.type == "identifier" && inner.text != name.text {
                            if let further = latestValue(of: inner.text, before: value), !sources.contains(further) { sources.append(further) }
                        }
                    }
                    // A product built up over a loop (`mult = 1.0; for s in schedules: mult *= s(state)`).
                    for value in augmentedValues(of: name.text, before: node) where !sources.contains(value) { sources.append(value) }
                    // A setter's parameter (`def set_lr_scale(self, s): ... g["lr"] = g["lr0"] * s`): the schedule
                    // its callers pass, `opt.set_lr_scale(lr_scale(step, total, 0.4))`, its other arguments bound, also
                    // through a local of the caller and a lambda held by a name.
                    for (_, argument) in callerBindings(of: name) {
                        var value = unwrapped(argument)
                        // Through a local of the caller (`k = get_lr(step); opts.scale_lrs(k)`).
                        if value.type == "identifier", let held = latestValue(of: value.text, before: value).map(unwrapped) { value = held }
                        guard value.type == "call" else { continue }
                        let call = callSite(value)
                        guard let function = calledFunction(call) else {
                            // A schedule written as a lambda held by a name (`get_lr = lambda it: ...`).
                            if let callee = call.function, callee.type == "identifier",
                               let held = latestValue(of: callee.text, before: value).map(unwrapped), held.type == "lambda" {
                                result += scheduleUses(of: held, site: node)
                            }
                            continue
                        }
                        let parameters = function.parameters.filter { $0 != "self" && $0 != "cls" }
                        var bound = call.keywords
                        for (index, extra) in call.positional.enumerated().dropFirst() where index < parameters.count {
                            bound[parameters[index]] = extra
                        }
                        result.append(ScheduleUse(function: function, lambda: nil, site: node, bound: bound))
                    }
                }
                for source in sources {
                    for inner in descendants(of: source) where inner.type == "call" {
                        let call = callSite(inner)
                        if let name = call.function, name.type == "identifier", let value = rebinding(of: name.text, before: inner) {
                            // get_lr = with_warmdown(get_lr); lr = get_lr(step)
                            result += scheduleUses(of: value, site: node)
                        } else if let function = calledFunction(call) {
                            // Keywords a partial bound (`muon_lr_at = partial(sched, peak=...)`) come with the call, and so do
                            // the arguments after the step (`lr_multiplier(step, num_steps)`).
                            if !counted.contains(function.node) {
                                var bound = call.keywords
                                let parameters = function.parameters.filter { $0 != "self" && $0 != "cls" }
                                if !call.hasSplat {
                                    for (index, extra) in call.positional.enumerated().dropFirst() where index < parameters.count && bound[parameters[index]] == nil {
                                        bound[parameters[index]] = extra
                                    }
                                }
                                var use = ScheduleUse(function: function, lambda: nil, site: node, bound: bound)
                                // A hook of the object itself (`f = self.factor(step)` in a base scheduler's `apply`): its
                                // fields as the one construction of the class built gives them.
                                use.object = call.callee.hasPrefix("self.") ? soleConstruction(around: inner) : nil
                                result.append(use)
                            }
                        } else if let name = call.function, name.type == "identifier",
                                  let value = (latestValue(of: name.text, before: inner) ?? allSettings.settings(name.text).first?.value).map(unwrapped),
                                  value.type == "call" || value.type == "lambda" || value.type == "binary_operator" {
                            // lr_factor = build_scheduler(cfg, steps); g["lr"] = base * lr_factor(step)
                            // lr_at = lambda it: ...; g["lr"] = base * lr_at(it)
                            // get_lr = Trapezoid(n, 256, 2000) * peak; g["lr"] = get_lr(step) (see `scaledSchedule`)
                            result += scheduleUses(of: value, site: node)
                        } else if case let stateUses = stateScheduleUses(call, site: node), !stateUses.isEmpty {
                            // Schedule objects called with the trainer's state (`mult *= sched(self.state)`).
                            result += stateUses
                        } else if case let objectUses = objectMethodScheduleUses(call, site: node), !objectUses.isEmpty {
                            // A method of a scheduler object the file builds, the step among its arguments
                            // (`self.scheduler.get_lr(g["initial_lr"], self.global_step, n)`).
                            result += objectUses
                        } else if let name = call.function, name.type == "identifier" {
                            // A schedule handed in through a parameter (`def make_lr_setter(opt, schedule): def
                            // set_lr(step): ... g["lr"] = schedule(step)`, built `make_lr_setter(opt, get_lr)`): the
                            // schedules every call passes (see `heldFunctions`).
                            for held in heldFunctions(name) where held != name {
                                result += scheduleUses(of: unwrapped(held), site: node)
                            }
                        }
                    }
                }
            }
            return result
        }
    }

    /// The one construction of the one class the `self` of the method around `node` may be an instance of (see
    /// `dispatchClasses`); nil when there are several classes or constructions, or none.
    func soleConstruction(around node: Node) -> Node? {
        guard let owner = enclosingClass(node), case let built = dispatchClasses(of: owner), built.count == 1 else { return nil }
        let constructions = calls(named: built[0].name).filter { $0.receiver == nil && boundClass(named: $0.name)?.node == built[0].node }
        return constructions.count == 1 ? constructions[0].node : nil
    }

    /// The rate methods of a scheduler class of the file that keeps its own step count, each with the counter it
    /// reads as the step (`self.num_steps`): a method of the class (own or inherited) advances an attribute of its
    /// instance (`self.num_steps += increment`), and a method assigns `group["lr"]` from a method of the class called
    /// on the instance with no arguments (`factor = self.get_lr()`, directly or through one local) that itself reads
    /// that attribute (`it = self.num_steps`). Empty for a class without such a counter.
    func countedRates(of owner: Class) -> [(rate: Function, counter: String)] {
        memoized("countedRates/\(owner.node.startByte)") {
            let members = lineage(of: owner).flatMap { methods(of: $0) }
            var counters = Set<String>()
            for member in members {
                guard let receiver = member.receiver else { continue }
                for n in descendants(of: member.node) where n.type == "augmented_assignment" {
                    guard n.child(byField: "operator")?.type == "+=", let left = n.child(byField: "left"), left.type == "attribute",
                          left.child(byField: "object")?.text == receiver,
                          let attribute = left.child(byField: "attribute")?.text else { continue }
                    counters.insert(attribute)
                }
            }
            guard !counters.isEmpty else { return [] }
            var result: [(rate: Function, counter: String)] = []
            for member in members {
                guard let receiver = member.receiver else { continue }
                for sink in descendants(of: member.node) where isRateWrite(sink) {
                    guard let right = sink.child(byField: "right") else { continue }
                    var sources = [right]
                    for name in descendants(of: right) where name.type == "identifier" {
                        if let value = latestValue(of: name.text, before: sink) { sources.append(value) }
                    }
                    for source in sources {
                        for inner in [source] + descendants(of: source) where inner.type == "call" {
                            let call = callSite(inner)
                            guard call.positional.isEmpty, call.keywords.isEmpty,
                                  call.receiver.map({ unwrapped($0).text }) == receiver,
                                  let rate = calledFunction(call), let own = rate.receiver,
                                  !result.contains(where: { $0.rate.node == rate.node }) else { continue }
                            let reads = Set(descendants(of: rate.node).filter { $0.type == "attribute" }.map(\.text))
                            if let counter = counters.sorted().first(where: { reads.contains("\(own).\($0)") }) {
                                result.append((rate, "\(own).\(counter)"))
                            }
                        }
                    }
                }
            }
            return result
        }
    }

    /// Calls of the optimizers that are plain functions of the file: hand-written Adam steps (`AdamUpdate`) and
    /// orthogonalized updates, each with the function called.
    var functionalOptimizerCalls: [(call: CallSite, function: Function)] {
        var result = optimizers.compactMap { use in use.stepFunction.map { (use.call, $0) } }
        for optimizer in orthogonalizingOptimizers where optimizer.className == nil {
            guard let scope = optimizer.scope, let function = functions.first(where: { $0.node == scope }) else { continue }
            result += optimizer.uses.map { ($0, function) }
        }
        return result
    }

    func scheduleUses(of schedule: Node, site: Node) -> [ScheduleUse] {
        switch schedule.type {
        case "lambda":
            return [ScheduleUse(function: nil, lambda: schedule, site: site)]
        case "call":
            let call = callSite(schedule)
            // LambdaLR(opt, partial(wsd, total=n_iters, warmdown=w)): the function, its keywords bound.
            if Self.partialWrappers.contains(call.callee), call.positional.count == 1, let target = call.positional.first,
               target.type == "identifier", let function = function(named: target.text).first {
                return [ScheduleUse(function: function, lambda: nil, site: site, bound: call.keywords)]
            }
            // A schedule object: an instance of a class of the file with `__call__` (own or inherited), built here or
            // by a factory of the file over a class registry (`ScheduleFactory.create("trapezoid", total_steps=n, ...)`
            // returning `cls._kinds[kind](**kwargs)`, see `builtObject`); its fields read as that construction gives them.
            if let built = builtObject(schedule), let method = method("__call__", of: built.owner) {
                var use = ScheduleUse(function: method, lambda: nil, site: site)
                use.object = schedule
                return [use]
            }
            // LambdaLR(opt, make_schedule(args)): the function or lambda the factory returns; of a factory with several
            // modes (`make_schedule(kind="trapezoid", ...)` beside a "cosine" kind, `return table[kind]`), the one this
            // call selects (see `selectedReturns(of:at:)`).
            guard let factory = calledFunction(call) else { return [] }
            // Each is also read as the closure this call makes (`callable`): a factory called for several schedules
            // (`scale(base, fn)` for each group's rate) gives each its own arguments.
            let uses = selectedReturns(of: factory, at: call).flatMap { value -> [ScheduleUse] in
                let value = unwrapped(value)
                var use: ScheduleUse
                if value.type == "lambda" {
                    use = ScheduleUse(function: nil, lambda: value, site: site)
                } else {
                    guard value.type == "identifier",
                          let inner = function(named: value.text).first(where: { isInside($0.node, factory.node) && $0.node != factory.node })
                    else { return [] }
                    use = wrapperUse(inner, factory: factory, call: call, site: site)
                }
                use.callable = schedule
                return [use]
            }
            guard uses.isEmpty else { return uses }
            // A factory returning what another factory makes (`return join_schedules([linear(...), constant(...)],
            // [warmup])`): the value the interpreter computes for this call (see `ScheduleUse.callable`).
            var computed = ScheduleUse(function: nil, lambda: nil, site: site)
            computed.callable = schedule
            return [computed]
        case "binary_operator":
            // LambdaLR(opt, Trapezoid(n, 256, 2000) * peak): an operator the schedule object's class overloads to give
            // its schedule scaled by a step-independent factor (see `scaledSchedule`) applies that schedule, read like
            // `base * schedule(step)`.
            return operatorMethods(schedule).filter { scaledSchedule($0.method) }.flatMap { scheduleUses(of: unwrapped($0.operand), site: site) }
        case "conditional_expression":
            // LambdaLR(opt, old if flag else new): either may be the one applied.
            guard let parts = conditionalParts(schedule) else { return [] }
            return scheduleUses(of: parts.value, site: site) + scheduleUses(of: parts.alternative, site: site)
        case "identifier", "attribute":
            if schedule.type == "identifier", let value = rebinding(of: schedule.text, before: schedule) {
                return scheduleUses(of: value, site: site)
            }
            if let function = SettingsTable.bareName(of: schedule).flatMap({ function(named: $0).first }) {
                return [builderUse(function, site: site)]
            }
            // get_lr = make_schedule(...) or a list of schedules: follow the name once.
            guard let name = SettingsTable.bareName(of: schedule) else { return [] }
            return allSettings.settings(name).flatMap { setting -> [ScheduleUse] in
                let value = unwrapped(setting.value)
                if value.type == "lambda" { return [ScheduleUse(function: nil, lambda: value, site: site)] }
                if value.type == "binary_operator" { return scheduleUses(of: value, site: site) }
                // lam = make_schedule(...): what the factory returns.
                if value.type == "call", calledFunction(callSite(value)) != nil || Self.partialWrappers.contains(callSite(value).callee)
                    || classNameSet.contains(callSite(value).callee) {
                    return scheduleUses(of: value, site: site)
                }
                return []
            }
        default:
            return []
        }
    }

    /// A schedule function, with the builder it is defined in when it is nested in one (see
    /// `ScheduleUse.enclosing`): the builder's parameters take what its one call in the file passes (or their
    /// defaults when nothing calls it); a builder called more than once gives no single reading and is left unbound.
    func builderUse(_ function: Function, site: Node) -> ScheduleUse {
        var use = ScheduleUse(function: function, lambda: nil, site: site)
        guard let builder = outerFunction(of: function), isInside(site, builder.node) else { return use }
        let callers = calls.filter { calledFunction($0)?.node == builder.node }
        guard callers.count <= 1 else { return use }
        for parameter in builder.passedParameters {
            let bound = callers.first.map { boundArgument(parameter, of: builder, at: $0) } ?? parameterDefault(builder, parameter)
            if let bound { use.closure[parameter] = bound }
        }
        use.enclosing = builder
        return use
    }

    /// Whether an operator method of a schedule object returns the object's schedule scaled by a factor that does
    /// not depend on the step (`def __mul__(self, peak): return lambda it: peak * self(it)`): a lambda, or a function
    /// nested in the method, of one step whose result is a product (or quotient) with one factor the object called at
    /// that step (`self(it)`, `self.__call__(it)`, not as a divisor) and every other factor free of the step. A method
    /// that shifts or stretches the steps (`lambda it: self(it * k)`) is no scaling.
    func scaledSchedule(_ method: Function) -> Bool {
        guard let me = method.receiver else { return false }
        func factors(_ node: Node, divisor: Bool) -> [(node: Node, divisor: Bool)] {
            let n = unwrapped(node)
            guard n.type == "binary_operator", let op = n.child(byField: "operator")?.type, op == "*" || op == "/",
                  let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return [(n, divisor)] }
            return factors(l, divisor: divisor) + factors(r, divisor: divisor || op == "/")
        }
        return returnedValues(method).contains { returned in
            let value = unwrapped(returned)
            var step: String?
            var result: Node?
            if value.type == "lambda", case let parameters = lambdaParameters(value), parameters.count == 1 {
                step = parameters[0]
                result = value.child(byField: "body")
            } else if value.type == "identifier",
                      let inner = function(named: value.text).first(where: { isInside($0.node, method.node) && $0.node != method.node }),
                      inner.parameters.count == 1, case let results = returnedValues(inner), results.count == 1 {
                step = inner.parameters[0]
                result = results[0]
            }
            guard let step, let result else { return false }
            let parts = factors(result, divisor: false)
            let calls = parts.filter { part in
                guard part.node.type == "call", case let call = callSite(part.node), call.positional.count == 1, call.keywords.isEmpty,
                      unwrapped(call.positional[0]).text == step else { return false }
                return call.callee == me || call.callee == me + ".__call__"
            }
            guard calls.count == 1, !calls[0].divisor else { return false }
            return parts.filter { $0.node != calls[0].node }.allSatisfy { part in
                !([part.node] + descendants(of: part.node)).contains { $0.type == "identifier" && $0.text == step }
            }
        }
    }

    /// The inner function a factory returns, as a schedule: when the factory is given a schedule of the file
    /// (`with_floor(get_lr, 0.1)`) and the inner function calls it, the use wraps that schedule; the factory's other
    /// arguments are what the inner function reads of them.
    private func wrapperUse(_ inner: Function, factory: Function, call: CallSite, site: Node) -> ScheduleUse {
        var use = ScheduleUse(function: inner, lambda: nil, site: site)
        let parameters = factory.parameters.filter { $0 != "self" && $0 != "cls" }
        // Names the inner function calls with its own step unchanged (`schedule(it)`); a call at another step
        // (`schedule(it - warmup)`) cannot stand for the wrapped schedule's value at this one.
        let step = inner.parameters.first { $0 != "self" && $0 != "cls" }
        var calledInside = Set<String>(), calledOtherwise = Set<String>()
        for n in descendants(of: inner.node) where n.type == "call" {
            let call = callSite(n)
            guard let function = call.function, function.type == "identifier" else { continue }
            if call.positional.count == 1, call.keywords.isEmpty, unwrapped(call.positional[0]).text == step {
                calledInside.insert(function.text)
            } else {
                calledOtherwise.insert(function.text)
            }
        }
        calledInside.subtract(calledOtherwise)
        for parameter in parameters {
            guard let argument = boundArgument(parameter, of: factory, at: call) else { continue }
            if calledInside.contains(parameter), use.wrappedName == nil {
                let wrapped = scheduleUses(of: unwrapped(argument), site: site).filter { $0.function?.node != inner.node }
                if !wrapped.isEmpty {
                    use.wrappedName = parameter
                    use.wrapping = wrapped
                    continue
                }
            }
            use.closure[parameter] = argument
        }
        return use
    }

    /// A name rebound to what a wrapper of the file returns before `use` (`get_lr = with_floor(get_lr, 0.1)`), or to a
    /// partial application of another function of the file (`get_lr = functools.partial(wsd_lr, args=args)`, a patch
    /// replacing the schedule defined above it): that call, so the schedule read is the one the name holds at `use`,
    /// not the function first defined under the name.
    func rebinding(of name: String, before use: Node) -> Node? {
        guard let value = latestValue(of: name, before: use).map(unwrapped), value.type == "call" else { return nil }
        let call = callSite(value)
        if let factory = calledFunction(call), factory.name != name { return value }
        guard Self.partialWrappers.contains(call.callee), let wrapped = call.positional.first.map(unwrapped), wrapped.type == "identifier",
              wrapped.text != name, !function(named: wrapped.text).isEmpty else { return nil }
        return value
    }

    /// The function of the file a call runs: `name(...)`, `self.name(...)` (also a method the class inherits from a
    /// base class of the file, a mixin's, one a mixin finds on the classes that mix it in, see `mixedInMethod`, the one
    /// every class the method's `self` may be an instance of finds, see `dispatchedMethod`, and for
    /// an abstract method the one override the file's subclasses write, see
    /// `concreteOverride`, and the replacement a class decorator of the file binds on the class, see `decoratorMethod`),
    /// `super().name(...)` (the next class's method, see `superMethod`; also through a local holding the proxy,
    /// `parent = super()` then `parent.name(...)`),
    /// or a class method or static method called on its class
    /// (`Factory.create("relu2")`, `Rotary.apply(q, cos, sin)`, `cls.helper(x)`; see `receiverClass`); nil for
    /// library calls and classes.
    /// Computed once per call node (the interpreter asks for every call it runs, often many times over).
    public func calledFunction(_ call: CallSite) -> Function? {
        if let known = calledFunctions[call.node] { return known }
        let found = findCalledFunction(call)
        calledFunctions[call.node] = .some(found)
        return found
    }

    private func findCalledFunction(_ call: CallSite) -> Function? {
        if let owner = receiverClass(call), let found = method(call.name, of: owner), found.isClassLevel { return found }
        // `super().name(...)` / `super(Cls, self).name(...)`: the method after the class it names (its own by default).
        if var receiver = call.receiver.map(unwrapped) {
            // A local the method gave the proxy to (`parent = super()`).
            if receiver.type == "identifier", superProxyNames.contains(receiver.text), let held = latestValue(of: receiver.text, before: call.node).map(unwrapped),
               held.type == "call", callSite(held).callee == "super" {
                receiver = held
            }
            if receiver.type == "call", case let zuper = callSite(receiver), zuper.callee == "super",
               let owner = zuper.positional.first.flatMap({ boundClass(named: unwrapped($0).text) }) ?? enclosingClass(call.node) {
                return superMethod(call.name, after: owner)
            }
        }
        guard call.receiver == nil || call.callee.hasPrefix("self.") else { return nil }
        // `self(step)` in a method: what a call of the object runs (its class's `__call__`, or a module's `forward`).
        if call.callee == "self", let owner = enclosingClass(call.node) { return forwardMethods(of: owner).first }
        if call.callee.hasPrefix("self."), let owner = enclosingClass(call.node) {
            // A method a class decorator of the file rebinds on the class (`cls.values = values`) runs in place of the
            // one the class body writes, which it calls itself (see `decoratedTargets`).
            if call.callee == "self." + call.name, let replaced = decoratorMethod(call.name, of: owner) { return replaced }
            // The method every class `self` may be an instance of finds (a hook a mixin of the built class overrides).
            if call.callee == "self." + call.name, let dispatched = dispatchedMethod(call.name, in: owner) {
                return concreteOverride(of: dispatched, in: owner) ?? dispatched
            }
            let prefix = owner.name + "."
            if let own = function(named: call.name).first(where: { $0.qualifiedName.hasPrefix(prefix) }) {
                return concreteOverride(of: own, in: owner) ?? own
            }
            // `self.reset_output_projection()` defined by a base class (a mixin) of the file; in a mixin, a method a
            // sibling base of the classes mixing it in defines (`self.direction(p, group)`).
            guard call.callee == "self." + call.name,
                  let inherited = method(call.name, of: owner) ?? mixedInMethod(call.name, of: owner) else { return nil }
            return concreteOverride(of: inherited, in: owner) ?? inherited
        }
        guard !call.callee.contains("." as Character) else { return nil }
        return function(named: call.name).first
    }

    /// Names the file assigns a `super(...)` proxy to (`parent = super()`): only these are followed to one by
    /// `calledFunction`.
    var superProxyNames: Set<String> {
        memoized("superProxyNames") {
            Set(nodes(ofType: "assignment").compactMap { assignment -> String? in
                guard let left = assignment.child(byField: "left"), left.type == "identifier",
                      let right = assignment.child(byField: "right").map(unwrapped), right.type == "call",
                      callSite(right).callee == "super" else { return nil }
                return left.text
            })
        }
    }

    /// The value of a schedule at a step.
    public func evaluate(_ schedule: ScheduleUse, step: Double) -> Double? {
        if let function = schedule.function, let attribute = schedule.stepAttribute {
            var reading = stepIndependentReading(of: schedule)
            reading[attribute] = step
            if let v = run(function, arguments: [], keywords: schedule.bound, reading: reading) { return v }
            // A rate method that picks its curve by a string the object holds (`if self.decay_style == "trapezoid":`,
            // the style a setting gives): run by the script interpreter, with the same fields and the step bound.
            return ScriptInterpreter(self).call(function, [], state: reading.mapValues { ScriptValue.number($0) })?.number
        }
        if let function = schedule.function, schedule.wrappedName != nil || !schedule.closure.isEmpty || schedule.enclosing != nil {
            // The inner function of a wrapper: the wrapped schedule's value stands for its call at the same step.
            var reading = stepIndependentReading(of: schedule)
            if reading[Self.unknownReading] != nil { return nil }
            if let name = schedule.wrappedName {
                guard let wrapped = schedule.wrapping.first, let value = evaluate(wrapped, step: step) else { return nil }
                reading[Self.callKey(name)] = value
            }
            return run(function, arguments: [step], keywords: schedule.bound, reading: reading)
        }
        if let function = schedule.function {
            if let v = run(function, arguments: [step], keywords: schedule.bound, reading: objectFields(of: schedule)) { return v }
            // Handed each group's own base as well (`for g, p0 in zip(opt.param_groups, peaks): g["lr"] = lr_for(step,
            // p0)`): read at base 1, which gives the multiplier.
            guard let arguments = perGroupArguments(schedule, function, step: step) else { return nil }
            return run(function, arguments: arguments, keywords: schedule.bound, reading: objectFields(of: schedule))
        }
        guard let lambda = schedule.lambda, let body = lambda.child(byField: "body") else { return nil }
        guard let first = lambdaParameters(lambda).first else { return nil }
        // lambda s: schedule(s, total): run the function's statements with the arguments evaluated.
        if body.type == "call", let function = calledFunction(callSite(body)) {
            let call = callSite(body)
            let arguments = call.positional.map { evaluate($0, bindings: [first: step]) }
            if call.keywords.isEmpty, arguments.allSatisfy({ $0 != nil }) { return run(function, arguments: arguments.map { $0! }) }
        }
        return evaluate(body, bindings: [first: step])
    }

    /// The arguments of a schedule's call at its site when, besides the step in first place, it is handed a variable of
    /// a loop around the site that walks the optimizer's groups one by one (each group's own base rate, `lr_for(step,
    /// p0)` in `for g, p0 in zip(opt.param_groups, peaks)`): the step, 1 for each such variable, and the others'
    /// values. Nil when the call passes no such variable or another argument has no value.
    func perGroupArguments(_ schedule: ScheduleUse, _ function: Function, step: Double) -> [Double]? {
        perGroupTail(schedule, function).map { [step] + $0 }
    }

    /// The arguments after the step of `perGroupArguments`, read once per schedule and function (they do not depend on
    /// the step); nil when no argument is a group's own value.
    private func perGroupTail(_ schedule: ScheduleUse, _ function: Function) -> [Double]? {
        memoized("perGroupTail:\(schedule.site.startByte):\(function.node.startByte)") { () -> [Double]? in
            guard let call = ([schedule.site] + descendants(of: schedule.site)).lazy.filter({ $0.type == "call" }).map(callSite)
                .first(where: { calledFunction($0)?.node == function.node }), call.positional.count >= 2, !call.hasSplat else { return nil }
            let groupLoops = enclosingLoops(schedule.site).filter { loop in
                guard let iterable = loop.child(byField: "right") else { return false }
                return ([iterable] + descendants(of: iterable)).contains { $0.type == "attribute" && $0.child(byField: "attribute")?.text == "param_groups" }
            }
            let perGroup = Set(groupLoops.flatMap(loopVariables))
            var arguments: [Double] = []
            var handed = false
            for argument in call.positional.dropFirst() {
                let a = unparenthesized(argument)
                if a.type == "identifier", perGroup.contains(a.text) {
                    arguments.append(1)
                    handed = true
                } else if let v = evaluate(a) {
                    arguments.append(v)
                } else {
                    return nil
                }
            }
            return handed ? arguments : nil
        }
    }

    /// The names a statement may bind: assignment and loop targets, `with ... as` names, definitions.
    func setNames(in statement: Node) -> Set<String> {
        var names = Set<String>()
        var pending = [statement]
        while let node = pending.popLast() {
            switch node.type {
            case "assignment", "augmented_assignment", "for_statement":
                let target = node.child(byField: "left")
                for n in target.map({ [$0] + descendants(of: $0) }) ?? [] where n.type == "identifier" { names.insert(n.text) }
            case "as_pattern", "with_item", "named_expression":
                for n in descendants(of: node) where n.type == "identifier" { names.insert(n.text) }
            case "function_definition", "class_definition":
                // A definition binds its own name; what its body sets is its own scope's (a class defined inside a
                // builder setting `t` in a method does not set the builder's `t`).
                if let name = node.child(byField: "name")?.text { names.insert(name) }
                continue
            case "lambda", "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
                // Their variables are their own, except what a walrus binds in the enclosing scope.
                for n in descendants(of: node) where n.type == "named_expression" {
                    if let name = n.child(byField: "name")?.text { names.insert(name) }
                }
                continue
            default:
                break
            }
            pending += node.namedChildren
        }
        return names
    }

    /// The key `stepIndependentReading` sets when the names a schedule reads cannot be known (not a Python name).
    static let unknownReading = "<unknown>"

    /// What a schedule reads that does not depend on the step, computed once per schedule rather than at every
    /// sampled step: the attributes its object was built with (a `LRScheduler` subclass), or the wrapper's other
    /// arguments (`floor` of `with_floor(get_lr, 0.1)`).
    private func stepIndependentReading(of schedule: ScheduleUse) -> [String: Double] {
        let key = "scheduleReading:\(schedule.site.startByte):\(schedule.function?.node.startByte ?? -1):\(schedule.object?.startByte ?? -1)"
        return memoized(key) {
            // The fields as built, also those `__init__` computes (`self.max_lr = float(max_lr)`, see `fieldBindings(of:)`).
            if schedule.stepAttribute != nil {
                return constructedAttributes(at: schedule.site).merging(fieldBindings(of: schedule.site)) { given, _ in given }
                    .merging(objectFields(of: schedule)) { given, _ in given }.merging(schedule.stateFields) { given, _ in given }
            }
            var reading: [String: Double] = [:]
            for (name, node) in schedule.closure { if let value = evaluate(node) { reading[name] = value } }
            // A builder's statements up to the one that applies the schedule (`stable = total - decay`, also after
            // the schedule's definition: the schedule reads the names as they are when it runs), with its parameters
            // bound. A statement the reading cannot follow (an undecided branch, a loop, an early return) that sets
            // a name the schedule reads leaves that name unknown, and then the schedule has no reading at all; one
            // that sets none of them is passed over.
            if let builder = schedule.enclosing, let body = builder.body, let inner = schedule.function {
                let read = Set(descendants(of: inner.node).filter { $0.type == "identifier" }.map(\.text))
                for statement in body.namedChildren where statement.type != "comment" {
                    if statement == schedule.site || isInside(schedule.site, statement) { break }
                    if statement == inner.node || isInside(inner.node, statement) { continue }
                    var attempt = reading
                    if case .fallThrough = run(statement: statement, bindings: &attempt, depth: 1) {
                        reading = attempt
                        continue
                    }
                    if !setNames(in: statement).isDisjoint(with: read) || statement.type == "return_statement" {
                        reading[Self.unknownReading] = 0
                        break
                    }
                }
            }
            return reading
        }
    }

    /// The numbers a schedule object's fields hold as its construction gives them, by `self.<field>` (see
    /// `fieldBindings(of:)`); empty for a schedule that is no object.
    func objectFields(of schedule: ScheduleUse) -> [String: Double] {
        schedule.object.map { fieldBindings(of: $0) } ?? [:]
    }

    /// The numbers an object's attributes hold when it is built by `site` (a call of a class of the file):
    /// `self.floor = floor` in `__init__` takes the argument given for `floor`, or its default.
    func constructedAttributes(at site: Node) -> [String: Double] {
        guard site.type == "call" else { return [:] }
        let call = callSite(site)
        guard let owner = boundClass(named: call.name), let initializer = initializer(of: owner), let body = initializer.body else { return [:] }
        let parameters = initializer.parameters.first == "self" ? Array(initializer.parameters.dropFirst()) : initializer.parameters
        var result: [String: Double] = [:]
        for statement in body.namedChildren where statement.type == "expression_statement" {
            guard let assignment = statement.namedChild(0), assignment.type == "assignment",
                  let left = assignment.child(byField: "left"), left.type == "attribute", left.child(byField: "object")?.text == "self",
                  let right = assignment.child(byField: "right"), right.type == "identifier",
                  let index = parameters.firstIndex(of: right.text) else { continue }
            let given = call.argument(right.text, position: index) ?? parameterDefault(initializer, right.text)
            if let value = given.flatMap({ evaluate($0) }) { result[left.text] = value }
        }
        return result
    }

    /// The number of training steps a schedule runs for: the largest whole number among the values it reads
    /// (`args.num_iterations`, `TOTAL_STEPS`), in its own body and in the functions it calls; or the length of
    /// the training loop when that is clearly longer and the schedule still changes after its own number (a
    /// schedule given its phases' lengths, `partial(wsd, warmup=256, stable=5744, decay=2000)`, never reads the
    /// total). A loop over micro-steps that steps the schedule every few iterations ends at the same value.
    public func horizon(of schedule: ScheduleUse) -> Double? {
        let own = ownHorizon(of: schedule)
        guard let loop = trainingLoopLength, own.map({ loop > $0 * 1.05 }) ?? true else { return own }
        guard let own else { return loop }
        guard let atOwn = evaluate(schedule, step: own), let atLoop = evaluate(schedule, step: loop),
              Swift.abs(atOwn - atLoop) > 1e-9 * max(1, Swift.abs(atOwn)) else { return own }
        return loop
    }

    /// The number of iterations of the loop that steps the optimizers: `for step in range(n)` (or
    /// `range(start, n)`) whose body calls `.step()` on something, or runs the `update` of a transformation built by a
    /// function of the file or by optax (`updates, state = tx.update(grads, state, params)` with `tx = chain(...)` or
    /// `multi_transform(...)`, see `TransformChain`); the longest such loop.
    public var trainingLoopLength: Double? {
        memoized("trainingLoopLength") {
            var best: Double?
            for loop in nodes(ofType: "for_statement") {
                guard let iterable = loop.child(byField: "right"), iterable.type == "call",
                      callSite(iterable).callee == "range", let body = loop.child(byField: "body"),
                      calls(named: "step", inside: body).contains(where: { $0.receiver != nil })
                        || calls(named: "update", inside: body).contains(where: runsTransformation)
                else { continue }
                let bounds = callSite(iterable).positional
                guard (1...2).contains(bounds.count), let upper = value(of: bounds[bounds.count - 1])?.double else { continue }
                let lower = bounds.count == 2 ? value(of: bounds[0])?.double ?? 0 : 0
                if upper - lower >= 2 { best = max(best ?? 0, upper - lower) }
            }
            return best
        }
    }

    /// Whether a call is `tx.update(grads, state, ...)` on a transformation a function of the file or optax builds.
    /// The transformation may come unpacked from a builder's returned tuple (`tx, schedule = make_optimizer(hp)` with
    /// `return tx, lr_schedule`): the element the name takes, followed in the builder.
    private func runsTransformation(_ call: CallSite) -> Bool {
        guard call.positional.count >= 2, let receiver = call.receiver.map(unwrapped), receiver.type == "identifier" else { return false }
        var built = latestValue(of: receiver.text, before: call.node).map(unwrapped)
        if built == nil {
            built = unpackedReturns(of: receiver).lazy.map { element -> Node in
                let e = self.unwrapped(element)
                return e.type == "identifier" ? self.latestValue(of: e.text, before: e).map(self.unwrapped) ?? e : e
            }.first { $0.type == "call" }
        }
        guard let built, built.type == "call" else { return false }
        let maker = callSite(built)
        return maker.callee.hasPrefix("optax.") || calledFunction(maker) != nil
    }

    func ownHorizon(of schedule: ScheduleUse) -> Double? {
        guard let body = schedule.function?.node ?? schedule.lambda else { return nil }
        var scopes = [body]
        for inner in descendants(of: body) where inner.type == "call" {
            let call = callSite(inner)
            if let f = calledFunction(call) ?? registrySelectedFunction(call), f.node != body { scopes.append(f.node) }
        }
        var best: Double?
        for value in schedule.bound.values {
            if let v = self.value(of: value), case .int(let i) = v, i >= 2 { best = max(best ?? 0, Double(i)) }
        }
        // A schedule object's whole-number fields as its construction gives them (`self.total_steps`).
        for v in objectFields(of: schedule).values where v >= 2 && v == v.rounded() { best = max(best ?? 0, v) }
        for v in schedule.stateFields.values where v >= 2 && v == v.rounded() { best = max(best ?? 0, v) }
        for scope in scopes {
            let locals = Set(functions.first { $0.node == scope }?.parameters ?? [])
            // Names, attributes and config entries (`hp["steps"]`) holding integers.
            for n in descendants(of: scope) where n.type == "identifier" || n.type == "attribute" || n.type == "subscript" {
                if n.type == "identifier", locals.contains(n.text) || n.parent?.type == "attribute" { continue }
                if n.parent?.type == "keyword_argument", n.parent?.child(byField: "name") == n { continue }
                guard let v = value(of: n), case .int(let i) = v, i >= 2 else { continue }
                best = max(best ?? 0, Double(i))
            }
        }
        return best
    }

    // MARK: Running a function

    /// What running statements led to.
    enum Outcome {
        case fallThrough
        case returned(Double)
        case unknown
    }

    /// The number a function of the file returns when called with `arguments` (positional, `self` skipped): its
    /// statements run in order (assignments, augmented assignments, `if` / `elif` / `else`, `return`, `assert`,
    /// `with` bodies, calls for their effect), each expression evaluated with `evaluate(_:bindings:)` so locals
    /// take the values they have on the path taken. nil on anything else (a loop, an unknown condition).
    /// `reading`: values of names or attributes the function reads (`self.last_epoch`).
    public func run(_ function: Function, arguments: [Double], keywords: [String: Node] = [:], reading: [String: Double] = [:],
                    depth: Int = 0) -> Double? {
        guard depth < 4, let body = function.body else { return nil }
        var bindings = reading
        let parameters = function.parameters.filter { $0 != "self" && $0 != "cls" }
        for (index, name) in parameters.enumerated() {
            if index < arguments.count {
                bindings[name] = arguments[index]
            } else if let keyword = keywords[name], let value = evaluate(keyword) {
                bindings[name] = value
            } else if let value = parameterDefault(function, name).flatMap({ evaluate($0) }) {
                bindings[name] = value
            }
        }
        if case .returned(let v) = run(block: body, bindings: &bindings, depth: depth) { return v }
        return nil
    }

    /// A condition none of the run's own numbers enter (`if FEATURES["wsd"]:`, `if use_wsd:` read at module level):
    /// the configuration switch's value in every run (`truth(of:)`), or nil.
    func switchTruth(_ condition: Node, bindings: [String: Double]) -> Bool? {
        let reads = [condition] + descendants(of: condition)
        guard !reads.contains(where: { $0.type == "identifier" && bindings[$0.text] != nil }) else { return nil }
        return truth(of: condition)
    }

    /// A parameter's default (see `parameterDefault(in:_:)`).
    func parameterDefault(_ function: Function, _ name: String) -> Node? { parameterDefault(in: function.node, name) }

    func run(block: Node, bindings: inout [String: Double], depth: Int) -> Outcome {
        for statement in block.namedChildren {
            let outcome = run(statement: statement, bindings: &bindings, depth: depth)
            if case .fallThrough = outcome { continue }
            return outcome
        }
        return .fallThrough
    }

    func run(statement: Node, bindings: inout [String: Double], depth: Int) -> Outcome {
        switch statement.type {
        case "comment", "pass_statement", "assert_statement", "global_statement", "nonlocal_statement":
            return .fallThrough
        case "return_statement":
            guard var value = statement.namedChild(0).map(unwrapped) else { return .unknown }
            var bindings = bindings
            // A rate per parameter group, `[base_lr * factor for base_lr in self.base_lrs]`: the multiplier of a
            // base rate of 1.
            if value.type == "list_comprehension", let body = value.child(byField: "body"),
               let clause = value.namedChildren.first(where: { $0.type == "for_in_clause" }),
               let variable = clause.child(byField: "left"), variable.type == "identifier",
               clause.child(byField: "right").map({ SettingsTable.bareName(of: $0) == "base_lrs" }) == true {
                bindings[variable.text] = 1
                value = body
            }
            guard let v = evaluate(value, bindings: bindings) else { return .unknown }
            return .returned(v)
        case "expression_statement":
            guard let expression = statement.namedChild(0) else { return .fallThrough }
            switch expression.type {
            case "assignment":
                assign(expression, bindings: &bindings)
            case "augmented_assignment":
                guard let left = expression.child(byField: "left"), left.type == "identifier",
                      let right = expression.child(byField: "right"), let op = expression.child(byField: "operator")?.type else { break }
                let current = bindings[left.text] ?? evaluate(left, bindings: bindings)
                if let a = current, let b = evaluate(right, bindings: bindings) {
                    switch op {
                    case "+=": bindings[left.text] = a + b
                    case "-=": bindings[left.text] = a - b
                    case "*=": bindings[left.text] = a * b
                    case "/=": bindings[left.text] = b == 0 ? nil : a / b
                    default: bindings[left.text] = nil
                    }
                } else {
                    bindings[left.text] = nil
                }
            default:
                break
            }
            return .fallThrough
        case "if_statement":
            var clauses: [(condition: Node?, body: Node?)] = [(statement.child(byField: "condition"), statement.child(byField: "consequence"))]
            for child in statement.namedChildren {
                if child.type == "elif_clause" {
                    clauses.append((child.child(byField: "condition"), child.child(byField: "consequence")))
                } else if child.type == "else_clause" {
                    clauses.append((nil, child.child(byField: "body")))
                }
            }
            for clause in clauses {
                if let condition = clause.condition {
                    guard let c = evaluate(condition, bindings: bindings) ?? switchTruth(condition, bindings: bindings).map({ $0 ? 1 : 0 })
                    else { return .unknown }
                    if c == 0 { continue }
                }
                guard let body = clause.body else { return .unknown }
                return run(block: body, bindings: &bindings, depth: depth)
            }
            return .fallThrough
        case "with_statement":
            guard let body = statement.child(byField: "body") else { return .unknown }
            return run(block: body, bindings: &bindings, depth: depth)
        case "match_statement":
            guard let match = MatchStatement(statement), let subject = evaluate(match.subject, bindings: bindings) else { return .unknown }
            let outer = bindings
            let selection = match.select(subject, equals: { v, pattern in evaluate(pattern, bindings: outer).map { $0 == v } },
                                         elements: { _ in nil },
                                         holds: { condition, bound in
                                             evaluate(condition, bindings: outer.merging(bound) { $1 }).map { $0 != 0 } })
            switch selection {
            case .unknown: return .unknown
            case .noMatch: return .fallThrough
            case .selected(let chosen, let bound):
                bindings.merge(bound) { $1 }
                return run(block: chosen.body, bindings: &bindings, depth: depth)
            }
        default:
            return .unknown
        }
    }

    func assign(_ assignment: Node, bindings: inout [String: Double]) {
        for bound in assignedNames(assignment) {
            if let value = bound.value, let v = evaluate(value, bindings: bindings) {
                bindings[bound.name] = v
            } else {
                bindings[bound.name] = nil
            }
        }
    }
}
