import Parsing
import TreeSitterKit

/// `attention_window_warmup`: the attention window grows with training progress (64 -> 1792 tokens in the
/// reference, in multiples of 64 or of 128-token blocks).
///
/// Requires, inside a training loop (a `for` loop, or a `while` loop counting its steps, whose model call is
/// back-propagated, in its body or in a method or function of the file it calls, whose parameters then take what
/// the loop passes), an argument of the model
/// call (or of a call nested in it, such as the mask builder; also a keyword it passes through a dictionary it spreads,
/// `model(x, y, **ctx)` with `ctx = dict(span=...)`, which `forward` may take in its own `**kwargs` and read by key,
/// `ctx["span"]` / `ctx.get("span")`, before the mask uses it; also a keyword a `with_kwargs=True` forward pre-hook on the
/// model adds to every call, `kwargs.setdefault("attn_blocksize", self.window)`, see
/// `PythonFacts.preHookKeywords`) whose value, evaluated as a function of the loop's
/// step with `StepFunction` (locals, file helpers, their keywords also spread from a dictionary with `**`,
/// `torch.tensor`, a tensor filled with `copy_` or `fill_`, in the loop or in a callback method the loop dispatches to
/// with the step, `self.emit("on_step_begin", step, self)`, see `PythonFacts.dispatchedRuns`; cached
/// helpers, schedule objects the file builds, a generator of the file zipped with the step in the loop's header or
/// advanced with `next()` once per step, see `PythonFacts.countingGenerator`; a per-step table computed before the loop,
/// by a comprehension over a `range` or by torch calls such as `(torch.linspace(a, b, n + 1) / 128).round().int() * 128`,
/// read at the step), is larger at the end of training than at step 0 and grows gradually (never shrinking, at least six
/// values over 21 evenly spaced steps, up to the last step the loop runs). Only the outermost part of the argument whose
/// value is known counts: in `int(spans[step])` the window is the table's entry, not the step that indexes it. Also a window buffer that an optimizer step hook fills from the hook's own
/// call counter (see `hookFilledWindow`), or one a function the loop calls refills (see `filledByCalledFunction`; its
/// step may be a field of a state object it is handed, `state.step`, that the loop drives). Rejects a window that is the same every step (a literal, a constant, a
/// fixed tensor), a schedule that is computed but only logged, one that shrinks, and a few coarse stages.
/// Examples: `queries/python/attention_window_warmup/examples/`.
struct AttentionWindowWarmup: Detector {
    let id = "attention_window_warmup"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        if let found = hookFilledWindow(facts, flow) { return found }
        for loop in facts.nodes(ofType: ["for_statement", "while_statement"]) {
            guard let body = loop.child(byField: "body") else { continue }
            let models = Self.modelCalls(in: body, facts, flow)
            let delegated = Self.delegatedSteps(in: body, facts, flow)
            guard !models.isEmpty || !delegated.isEmpty else { continue }
            let evaluator = StepFunction(facts, flow, loop: body)
            // The last step the loop runs (a `range` stop is one past it): a precomputed per-step table has no entry beyond.
            let end = max((facts.iterationCount(loop) ?? 1001) - 1, 10)
            // model.window = schedule(step), read as self.window where the mask is built.
            for assignment in facts.descendants(body) where assignment.type == "assignment" {
                guard let target = assignment.child(byField: "left"), target.type == "attribute",
                      let name = target.child(byField: "attribute")?.text, let value = assignment.child(byField: "right") else { continue }
                for step in facts.stepVariables(loop) {
                    guard let first = evaluator.value(value, [step: 0]), let last = evaluator.value(value, [step: end]), last > first,
                          Self.growsGradually({ evaluator.value(value, [step: $0]) }, end: end),
                          Self.maskFeeders(facts, flow).contains(where: { $0.type == "attribute" && $0.child(byField: "attribute")?.text == name })
                    else { continue }
                    return [facts.evidence(assignment, "window attribute grows from \(first) to \(last) over training")]
                }
            }
            if let found = filledByCalledFunction(loop, evaluator, end: end, models: models, facts, flow) { return found }
            for step in facts.stepVariables(loop) {
                for model in models {
                    for (position, keyword, argument) in Self.arguments(of: model, facts) {
                        guard reachesMask(model, position: position, keyword: keyword, facts, flow) else { continue }
                        for part in Self.candidates(in: argument, facts, known: { evaluator.value($0, [step: 0]) }) {
                            guard let first = evaluator.value(part, [step: 0]), let last = evaluator.value(part, [step: end]),
                                  last > first, Self.growsGradually({ evaluator.value(part, [step: $0]) }, end: end) else { continue }
                            return [facts.evidence(part, "window grows from \(first) to \(last) over training")]
                        }
                    }
                }
                // The step run by a method or function the loop calls: the model call's arguments read with the helper's
                // parameters bound to what the loop passes at that step.
                for helper in delegated {
                    var known: [Double: [String: Double]] = [:]
                    func bound(_ at: Double) -> [String: Double] {
                        if let env = known[at] { return env }
                        // The loop's step too, for what the loop's other calls set at that step (a hook run with it,
                        // `lit.on_train_batch_start(batch, step)` setting `self.window`, see `StepFunction`). Each helper
                        // of the chain gets what its caller passes, read with the caller's own parameters bound.
                        var env: [String: Double] = [step: at]
                        for link in helper.chain {
                            var inner: [String: Double] = [step: at]
                            for (index, name) in link.function.passedParameters.enumerated() {
                                if let argument = link.call.argument(name, position: index), let v = evaluator.value(argument, env) {
                                    inner[name] = v
                                }
                            }
                            env = inner
                        }
                        known[at] = env
                        return env
                    }
                    for model in helper.models {
                        for (position, keyword, argument) in Self.arguments(of: model, facts) {
                            guard reachesMask(model, position: position, keyword: keyword, facts, flow) else { continue }
                            for part in Self.candidates(in: argument, facts, known: { evaluator.value($0, bound(0)) }) {
                                guard let first = evaluator.value(part, bound(0)), let last = evaluator.value(part, bound(end)),
                                      last > first, Self.growsGradually({ evaluator.value(part, bound($0)) }, end: end) else { continue }
                                return [facts.evidence(helper.call.node, "training step passed a window that grows from \(first) to \(last)")]
                            }
                        }
                    }
                }
            }
        }
        return []
    }

    /// A window attribute that a function the loop calls fills in place or sets (`set_window(model, schedule(step))`
    /// with `def set_window(m, w): m.attn_window.fill_(w)`, see `PythonFacts.inPlaceFills(runBy:)`), the attribute
    /// being one the mask reads: the written value, with the function's parameters bound to what the loop passes at
    /// each step, must grow gradually.
    func filledByCalledFunction(_ loop: Node, _ evaluator: StepFunction, end: Double, models: [CallSite], _ facts: PythonFacts,
                                _ flow: Dataflow) -> [Evidence]? {
        let fills = facts.inPlaceFills(runBy: loop)
        guard !fills.isEmpty else { return nil }
        var read = Set(Self.maskFeeders(facts, flow).compactMap { $0.type == "attribute" ? $0.child(byField: "attribute")?.text : nil })
        // Also an attribute handed to the model call for the mask (`model(x, y, window=state.window)`).
        for model in models {
            for (position, keyword, argument) in Self.arguments(of: model, facts) {
                let bare = facts.unwrapped(argument)
                guard bare.type == "attribute", let name = bare.child(byField: "attribute")?.text, !read.contains(name),
                      reachesMask(model, position: position, keyword: keyword, facts, flow) else { continue }
                read.insert(name)
            }
        }
        for fill in fills {
            guard let name = fill.target.child(byField: "attribute")?.text, read.contains(name) else { continue }
            // The step read from a state object the function is handed (`state.step`, the field the loop drives, see
            // `PythonFacts.isStepField`).
            let parameters = Set(fill.run.function.parameters)
            let stateSteps = facts.descendants(of: fill.run.function.node).filter { node in
                node.type == "attribute" && node.child(byField: "object").map { $0.type == "identifier" && parameters.contains($0.text) } == true
                    && node.child(byField: "attribute").map { facts.isStepField($0.text) } == true
            }.map(\.text)
            for step in facts.stepVariables(loop) {
                func at(_ x: Double) -> Double? {
                    var env: [String: Double] = [step: x]
                    for read in stateSteps { env[read] = x }
                    for (parameter, argument) in fill.run.arguments {
                        if let v = evaluator.value(argument, [step: x]) { env[parameter] = v }
                    }
                    return evaluator.value(fill.value, env)
                }
                guard let first = at(0), let last = at(end), last > first, Self.growsGradually(at, end: end) else { continue }
                return [facts.evidence(fill.run.call.node, "window attribute `\(name)` filled with a value that grows from \(first) to \(last) over training"),
                        facts.evidence(fill.value, "the value written")]
            }
        }
        return nil
    }

    /// A window an optimizer step hook fills in place (`register_step_pre_hook` / `register_step_post_hook`, see
    /// `PythonFacts.optimizerStepHooks`): a hook function, or a callable object's `__call__` that keeps its own counter
    /// (`self.calls += 1`), writes `buffer.fill_(schedule(counter))` or `copy_` into an attribute the mask reads (also
    /// through a field of the hook object that holds the model's attribute, `self.target.fill_(...)` with
    /// `Hook(model.window_buffer)`). The value must grow gradually with the counter.
    func hookFilledWindow(_ facts: PythonFacts, _ flow: Dataflow) -> [Evidence]? {
        let hooks = facts.optimizerStepHooks
        guard !hooks.isEmpty else { return nil }
        let fed = Set(Self.maskFeeders(facts, flow).compactMap { $0.type == "attribute" ? $0.child(byField: "attribute")?.text : nil })
        guard !fed.isEmpty else { return nil }
        let evaluator = StepFunction(facts, flow)
        for hook in hooks {
            let argument = hook.registration.argument("hook", position: 0) ?? hook.registration.positional.first
            // The hook objects built for the registration (none when it is a plain function).
            let built = argument.map { facts.constructions(of: $0) } ?? []
            let objects: [Node?] = built.isEmpty ? [nil] : built
            for function in hook.functions.flatMap({ facts.reachableFunctions(from: $0) }) {
                for node in facts.descendants(of: function.node) where node.type == "call" {
                    let call = facts.callSite(node)
                    guard ["fill_", "copy_"].contains(call.name), let target = call.receiver.map(facts.unwrapped),
                          let value = call.positional.first else { continue }
                    for object in objects {
                        var written = target.type == "attribute" ? target.child(byField: "attribute")?.text : nil
                        if let field = facts.instanceAttribute(target), let object,
                           let held = facts.fieldExpression(object, field).map(facts.unwrapped), held.type == "attribute" {
                            written = held.child(byField: "attribute")?.text
                        }
                        guard let written, fed.contains(written) else { continue }
                        let fields = object.map { facts.fieldBindings(of: $0) } ?? [:]
                        for counter in facts.stepCounterAttributes(around: node) {
                            func at(_ step: Double) -> Double? { evaluator.value(value, fields.merging([counter: step]) { $1 }) }
                            guard let first = at(0), let last = at(1000), last > first, Self.growsGradually(at, end: 1000) else { continue }
                            return [facts.evidence(node, "window filled by an optimizer step hook grows from \(first) to \(last)")]
                        }
                    }
                }
            }
        }
        return nil
    }

    /// A model call's arguments: by position (keyword nil), by keyword (position -1), also the keywords it passes
    /// through a dictionary it spreads (`model(x, y, **ctx)` with `ctx = dict(span=...)`, see
    /// `PythonFacts.spreadKeywords`), and those the model's `with_kwargs=True` pre-hooks add (see
    /// `PythonFacts.preHookKeywords`).
    static func arguments(of model: CallSite, _ facts: PythonFacts) -> [(position: Int, keyword: String?, argument: Node)] {
        let positional = model.positional.enumerated().map { (position: $0.offset, keyword: String?.none, argument: $0.element) }
        let named = model.keywords.map { (position: -1, keyword: String?.some($0.key), argument: $0.value) }
        let spread = facts.spreadKeywords(of: model).map { (position: -1, keyword: String?.some($0.key), argument: $0.value) }
        let hooked = facts.preHookKeywords(of: model).map { (position: -1, keyword: String?.some($0.key), argument: $0.value) }
        return positional + named + spread + hooked
    }

    /// Calls in a loop body of functions of the file (a method on `self`, a module function, a method of a class of
    /// the file called on an object the loop's function is handed, `PythonFacts.targets(of:)`) that run a
    /// back-propagated model call themselves (a trainer's `self._train_step(step, x, y, window)`), or whose result the
    /// loop back-propagates and that return a model call (a Lightning-style `loss = lit.training_step(batch, step)`,
    /// then `loss.backward()`, with `return self.net(x, y, self.window)`, see `returnedModelCalls`; also one helper
    /// deeper, a trainer's `_accumulate_and_backward` back-propagating `module.training_step(batch, step)`), each with
    /// the chain of helpers entered (the call in the loop body and its function first; a helper that hands what it is
    /// given on to another, `train_step(x, y, window)` calling `self.train_batch(x, y, window)`, two deep) and those
    /// model calls (see `modelCalls`).
    static func delegatedSteps(in body: Node, _ facts: PythonFacts, _ flow: Dataflow)
        -> [(call: CallSite, chain: [(call: CallSite, function: PythonFacts.Function)], models: [CallSite])] {
        var result: [(call: CallSite, chain: [(call: CallSite, function: PythonFacts.Function)], models: [CallSite])] = []
        let stepped = Set(modelCalls(in: body, facts, flow).map(\.node))
        // `chain`: the helpers entered so far, outermost first (a trainer's `train_step` handing the window on to its
        // `train_batch`, whose loop back-propagates the model call), two deep at most.
        func search(_ scope: Node, _ chain: [(call: CallSite, function: PythonFacts.Function)]) {
            for node in facts.descendants(scope) where node.type == "call" {
                guard !result.contains(where: { $0.call.node == node }) else { continue }
                let call = facts.callSite(node)
                for function in facts.targets(of: call) {
                    guard let inner = function.body, !facts.isInside(node, function.node),
                          !chain.contains(where: { $0.function.node == function.node }) else { continue }
                    var models = modelCalls(in: inner, facts, flow)
                    if models.isEmpty, chain.isEmpty, stepped.contains(node), !facts.forwardMethodNames.contains(function.name) {
                        models = returnedModelCalls(function, facts, flow)
                    }
                    // A helper whose back-propagated call is itself a step method of the file (`loss =
                    // module.training_step(batch, step)` in a trainer's `_accumulate_and_backward`): the model calls that
                    // method returns.
                    models = models.flatMap { model -> [CallSite] in
                        for method in facts.targets(of: model) where method.node != function.node && !facts.forwardMethodNames.contains(method.name) {
                            let returned = returnedModelCalls(method, facts, flow)
                            if !returned.isEmpty { return returned }
                        }
                        return [model]
                    }
                    let links = chain + [(call, function)]
                    if !models.isEmpty {
                        result.append((links[0].call, links, models))
                        break
                    }
                    // A helper that hands something of what it is given on to another helper of the file.
                    if links.count < 2, !call.positional.isEmpty || !call.keywords.isEmpty,
                       !facts.forwardMethodNames.contains(function.name) {
                        search(inner, links)
                    }
                }
            }
        }
        search(body, [])
        return result
    }

    /// The calls a step method returns as its loss (`return self.net(x, y, self.window)`, or a name set to one,
    /// `loss = self.engine(x, y, w); return loss`), its caller back-propagating them: calls of something the file holds
    /// (a module attribute, a parameter), never of an imported function (`F.cross_entropy(...)`, whose arguments are
    /// tensors, not a model's inputs).
    static func returnedModelCalls(_ function: PythonFacts.Function, _ facts: PythonFacts, _ flow: Dataflow) -> [CallSite] {
        var result: [CallSite] = []
        for returned in facts.returnedValues(function) {
            var value = facts.unwrapped(returned)
            if value.type == "identifier", let held = flow.latestValue(of: value.text, before: returned) {
                value = facts.unwrapped(held)
            }
            guard value.type == "call", var root = value.child(byField: "function").map(facts.unwrapped) else { continue }
            while root.type == "attribute", let object = root.child(byField: "object") { root = facts.unwrapped(object) }
            guard root.type == "identifier", facts.imports.bindings[root.text] == nil else { continue }
            result.append(facts.callSite(value))
        }
        return result
    }

    /// Whether a window grows step by step over training, as a ramp does (the reference adds 64 tokens at a time):
    /// sampled at 21 evenly spaced steps it never shrinks and takes at least six values. A few coarse stages
    /// (128, 256, 512, 1024, 1792 over five slices of training) are a curriculum of another shape.
    /// The parts of a model-call argument that may carry the window: names, attributes, calls and subscripts, outermost
    /// first, but not the parts inside one whose value is known (`known`): in `int(spans[it])` with `spans` a fixed
    /// table, the window is the table's entry, and the step `it` that indexes it is not a window of its own.
    static func candidates(in argument: Node, _ facts: PythonFacts, known: (Node) -> Double?) -> [Node] {
        var found: [Node] = []
        var settled: [Node] = []
        for part in facts.descendants(argument) where ["identifier", "attribute", "call", "subscript"].contains(part.type) {
            if settled.contains(where: { $0.startByte <= part.startByte && part.endByte <= $0.endByte }) { continue }
            found.append(part)
            if known(part) != nil { settled.append(part) }
        }
        return found
    }

    static func growsGradually(_ value: (Double) -> Double?, end: Double) -> Bool {
        var samples: [Double] = []
        for i in 0...20 {
            guard let v = value((end * Double(i) / 20).rounded()) else { return true }  // unknown midway: not judged
            samples.append(v)
        }
        guard zip(samples, samples.dropFirst()).allSatisfy({ $0 <= $1 + 1e-9 }) else { return false }
        return Set(samples.map { ($0 * 1000).rounded() }).count >= 6
    }

    /// Whether an argument of the model call can reach an attention mask: when the model is an instance of a
    /// class of the file, the `forward` parameter it binds must feed a mask (a `mask_mod`, the arguments of
    /// `create_block_mask` / `BlockMask.from_kv_blocks`, an SDPA `attn_mask`, a flash-attn `window_size`),
    /// through helpers and their parameters; a model the file does not define is given the benefit of the doubt.
    func reachesMask(_ model: CallSite, position: Int, keyword: String?, _ facts: PythonFacts, _ flow: Dataflow) -> Bool {
        guard let callee = model.node.child(byField: "function") else { return true }
        // A method of a module of the file (`task.training_step(batch, step)`): that method, not `forward`.
        var methods: [Node] = []
        if callee.type == "attribute", let object = callee.child(byField: "object"), let method = callee.child(byField: "attribute")?.text {
            methods = flow.instanceClasses(of: object).flatMap { name -> [Node] in
                facts.classes.filter { $0.name == name }.compactMap { facts.method(method, of: $0)?.node }
            }
        }
        // Every class of that name: a name rebound to a subclass (`class GPT(GPT)`) may have been built before or
        // after the rebinding, and instances are known by class name only.
        let forwards = !methods.isEmpty ? methods : flow.instanceClasses(of: callee).flatMap { name -> [Node] in
            facts.classes.filter { $0.name == name }.compactMap { facts.forwardMethods(of: $0).first?.node }
        }
        guard !forwards.isEmpty else { return true }
        let feeders = Self.maskFeeders(facts, flow)
        return forwards.contains { forward in
            let parameters = flow.parameters(of: forward)
            let name = keyword ?? (position + 1 < parameters.count ? parameters[position + 1] : nil)
            guard let name else { return false }
            guard parameters.contains(name) else {
                // A keyword `forward` takes into its `**` dictionary and reads by key (`span = ctx["span"]`).
                return keyword != nil && feeders.contains { Self.readsKeywordsEntry($0, key: name, in: forward, facts) }
            }
            return feeders.contains { node in
                node.type == "identifier" && node.text == name
                    && flow.bindings(of: name, at: node).contains { $0.kind == .parameter(parameters.firstIndex(of: name)!) && $0.node == forward }
            }
        }
    }

    /// Whether `node` reads the entry `key` of the `**` parameter of the function `forward` inside it (`ctx["span"]`,
    /// `ctx.get("span")`, `ctx.pop("span", None)`), that name not being rebound before the read.
    static func readsKeywordsEntry(_ node: Node, key: String, in forward: Node, _ facts: PythonFacts) -> Bool {
        guard node.type == "subscript" || node.type == "call", let function = facts.enclosingFunction(node),
              function.node == forward, let keywords = facts.keywordsParameter(of: function) else { return false }
        // The dictionary read and the key it is read with.
        let read: (dictionary: Node?, key: Node?)
        if node.type == "subscript" {
            read = (node.child(byField: "value"), node.child(byField: "subscript"))
        } else {
            let call = facts.callSite(node)
            guard ["get", "pop"].contains(call.name) else { return false }
            read = (call.receiver, call.positional.first)
        }
        guard let dictionary = read.dictionary.map(facts.unwrapped), dictionary.type == "identifier", dictionary.text == keywords,
              let named = read.key, SettingsTable.stringValue(named) == key else { return false }
        return facts.latestValue(of: keywords, before: node) == nil
    }

    /// Every node that feeds an attention mask, following helper parameters back to their callers.
    static func maskFeeders(_ facts: PythonFacts, _ flow: Dataflow) -> Set<Node> {
        var roots: [Node] = facts.maskMods(flow).flatMap { $0.mask.results }
        // Every function a `mask_mod` name may hold (a `def` in each branch of an `if`), not only the first.
        for (call, position) in facts.createBlockMaskCalls.map({ ($0, 0) }) + facts.fromKVBlocksCalls.map({ ($0, 5) }) {
            guard let argument = call.argument("mask_mod", position: position).map(facts.unwrapped), argument.type == "identifier" else { continue }
            for binding in flow.bindings(of: argument.text, at: argument) where binding.kind == .value && binding.node.type == "function_definition" {
                roots += flow.returns(of: binding.node)
            }
        }
        roots += (facts.createBlockMaskCalls + facts.fromKVBlocksCalls).flatMap { $0.positional + Array($0.keywords.values) }
        for call in facts.calls(to: ["torch.nn.functional.scaled_dot_product_attention"]) {
            if let mask = call.argument("attn_mask", position: 3) { roots.append(mask) }
        }
        roots += facts.calls.filter { $0.name.hasPrefix("flash_attn") }.compactMap { $0.keywords["window_size"] }
        var feeders = Set<Node>()
        var seenParameters = Set<String>()
        for _ in 0..<6 {
            let nodes = flow.closure(of: roots, limit: 4000)
            feeders.formUnion(nodes)
            roots = []
            for node in nodes where node.type == "identifier" {
                for binding in flow.bindings(of: node.text, at: node) {
                    guard case .parameter(let index) = binding.kind, binding.node.type == "function_definition",
                          seenParameters.insert("\(binding.node.startByte):\(index)").inserted else { continue }
                    for site in flow.callSites(of: binding.node) {
                        if let argument = flow.argument(site, name: node.text, index: index) { roots.append(argument) }
                    }
                }
            }
            if roots.isEmpty { break }
        }
        return feeders
    }

    /// Calls in a loop body whose result is back-propagated (`model(...).backward()`, `loss = model(...)` then
    /// `loss.backward()`, `scaler.scale(loss / k).backward()`, `accelerator.backward(loss)`, see
    /// `CallSite.differentiatedLoss`, `loss, aux = model(...)`), and other calls of the
    /// same callee (the validation forward).
    static func modelCalls(in body: Node, _ facts: PythonFacts, _ flow: Dataflow) -> [CallSite] {
        var callees = Set<String>()
        func collect(_ expression: Node, depth: Int) {
            let node = facts.unwrapped(expression)
            guard depth < 4 else { return }
            switch node.type {
            case "call":
                let call = facts.callSite(node)
                callees.insert(call.callee)
                if call.name == "scale" { call.positional.forEach { collect($0, depth: depth + 1) } }
            case "subscript":
                if let value = node.namedChildren.first { collect(value, depth: depth + 1) }
            case "binary_operator":
                node.child(byField: "left").map { collect($0, depth: depth + 1) }
            case "identifier":
                for binding in flow.bindings(of: node.text, at: node) {
                    switch binding.kind {
                    case .value, .element: collect(binding.node, depth: depth + 1)
                    default: continue
                    }
                }
            default:
                return
            }
        }
        for node in facts.descendants(body) where node.type == "call" {
            let call = facts.callSite(node)
            guard call.computesGradients, let loss = call.differentiatedLoss else { continue }
            collect(loss, depth: 0)
        }
        guard !callees.isEmpty else { return [] }
        return facts.descendants(body).filter { $0.type == "call" }.map { facts.callSite($0) }
            .filter { callees.contains($0.callee) }
    }
}
