import Foundation
import Parsing
import TreeSitterKit

/// What a generator's `yield` is read for: the whole value, or one element of the tuple it yields
/// (`yield step, step == n` read for element 0).
public enum YieldedPart: Equatable {
    case whole
    case element(Int)
}

/// A generator function of the file that yields once per pass of one loop over a counter (see
/// `PythonFacts.countingGenerator`): `def window_sizes(total, lo=64): for step in range(total + 1): ...; yield span`.
public struct CountingGenerator {
    public let function: PythonFacts.Function
    /// The `for` loop and the counter it binds.
    public let loop: Node
    public let counter: String
    /// `range(start, stop)`'s bounds: `start` nil for 0, `stop` nil for `itertools.count(start)`.
    public let start: Node?
    public let stop: Node?
    /// The statements that run before the loop.
    public let prelude: [Node]
    /// Where every `yield` gives the counter itself (`yield step`, `yield step, step == n`), or nil.
    public let counterPosition: YieldedPart?
    /// The value yielded for ever once a `range` loop is done (`yield from itertools.repeat(end)`, `while True: yield
    /// end` after it), or nil when the generator stops with its loop.
    public let tail: Node?
}

/// Evaluating an expression of a training loop as a function of its step: local names are followed to the
/// assignment (or walrus) that precedes the read, functions of the file and lambdas bound to names are run with
/// their arguments (keywords also from a dictionary spread with `**`; `if`/`else`, local assignments, `return`), `torch.tensor(v)`, `.cuda()`, `.to(...)` and friends
/// keep the value, `len(x)` is the number of items of a container the file sizes (`PythonFacts.itemCount`), a tensor filled with `t.copy_(v)` (in the loop, or in a function or method being run) takes `v`, as does an attribute a
/// callback the loop dispatches to fills (`self.window.fill_(size)` in `on_step_begin`, run through `self.emit("on_step_begin",
/// step, self)`; see `dispatchedFill`), a method of an object the file builds runs with the
/// object's fields bound (`PythonFacts.objectCalls`, `fieldBindings(of:)`), an unknown helper of one value
/// (`next_multiple_of_n(v, n=128)`, a rounding function) is taken as that value, and a name the loop's header binds
/// from a generator of the file walked in step with the counter (`for step, window in zip(range(n + 1),
/// window_sizes(n))`) is what the generator yields at that step (`PythonFacts.countingGenerator`). A table read at the
/// step is the item there: of a list literal, or of a comprehension over a `range` computed up front (`momentum_at =
/// [... for s in range(n + 1)]`, see `comprehensionElement`).
public struct StepFunction {
    public let facts: PythonFacts
    public let flow: Dataflow
    /// `t.copy_(v)` / `t.fill_(v)` seen in the loop: the compact text of `t` -> `v`.
    public var copies: [String: Node] = [:]
    /// The loop body read, whose dispatched runs may fill tensors (see `dispatchedFill`).
    let loop: Node?
    /// Values of names resolved file-wide (they do not depend on the bound names), kept across calls.
    final class Resolved {
        var values: [Node: Double?] = [:]
        /// The closure each call's callee holds (see `interpretedClosureCall`).
        var closures: [Node: ScriptClosure?] = [:]
    }
    let resolved = Resolved()

    /// `PythonFacts.value(of:)`, remembered.
    func fileValue(_ node: Node) -> Double? {
        if let known = resolved.values[node] { return known }
        let value = facts.value(of: node)?.double
        resolved.values[node] = value
        return value
    }

    public init(_ facts: PythonFacts, _ flow: Dataflow, loop: Node? = nil) {
        self.facts = facts
        self.flow = flow
        self.loop = loop
        guard let loop else { return }
        for node in facts.descendants(loop) where node.type == "call" {
            let call = facts.callSite(node)
            if ["copy_", "fill_"].contains(call.name), let receiver = call.receiver, let value = call.positional.first {
                copies[facts.compact(receiver)] = value
            }
        }
    }

    /// The value of `node` with the names in `env` bound (the step, parameters of a function being run).
    public func value(_ node: Node, _ env: [String: Double], depth: Int = 0) -> Double? {
        guard depth < 24 else { return nil }
        let next = depth + 1
        switch node.type {
        case "integer", "float", "true", "false":
            return facts.value(of: node)?.double
        case "parenthesized_expression":
            return node.namedChildren.first.flatMap { value($0, env, depth: next) }
        case "named_expression":
            // `(f := expr)` is worth `expr` (later reads of `f` find it through the data flow).
            return node.child(byField: "value").flatMap { value($0, env, depth: next) }
        case "unary_operator":
            guard let argument = node.child(byField: "argument"), let v = value(argument, env, depth: next) else { return nil }
            return PythonArithmetic.unary(node.child(byField: "operator")?.type, v)
        case "binary_operator":
            guard let l = node.child(byField: "left").flatMap({ value($0, env, depth: next) }),
                  let r = node.child(byField: "right").flatMap({ value($0, env, depth: next) }),
                  let op = node.child(byField: "operator")?.type else { return nil }
            return PythonArithmetic.binary(op, l, r)
        case "comparison_operator":
            let operands = node.namedChildren
            let operators = node.children.filter { !$0.isNamed }.map(\.type)
            guard operands.count == 2, operators.count == 1,
                  let l = value(operands[0], env, depth: next), let r = value(operands[1], env, depth: next) else { return nil }
            return PythonArithmetic.compare(operators[0], l, r).map { $0 ? 1 : 0 }
        case "conditional_expression":
            guard let parts = facts.conditionalParts(node), let condition = value(parts.test, env, depth: next) ?? decided(parts.test, env) else { return nil }
            return value(condition != 0 ? parts.value : parts.alternative, env, depth: next)
        case "not_operator":
            if let argument = node.child(byField: "argument"), let v = value(argument, env, depth: next) { return v == 0 ? 1 : 0 }
            return decided(node, env)
        case "boolean_operator":
            // Python's `a or b` is `a` when it is true, else `b` (`... // 128 or 128`: a floor at the first block); `a and
            // b` is `a` when it is false, else `b`.
            guard let left = node.child(byField: "left"), let right = node.child(byField: "right"),
                  let l = value(left, env, depth: next) else { return nil }
            switch node.child(byField: "operator")?.type {
            case "or": return l != 0 ? l : value(right, env, depth: next)
            case "and": return l == 0 ? l : value(right, env, depth: next)
            default: return nil
            }
        case "identifier":
            if let bound = env[node.text] { return bound }
            if let filled = copies[node.text] { return value(filled, env, depth: next) }
            let bindings = flow.bindings(of: node.text, at: node)
            if bindings.contains(where: { if case .iteration = $0.kind { return true }; return false }) {
                // A loop variable set again after every loop iterating it has ended, before the read (`for layer in
                // range(n): ...`, then in a later loop `layer = n + j; blocks[layer](...)`): the read sees that value.
                if let reassigned = reassignedAfterLoops(bindings, before: node) { return value(reassigned, env, depth: next) }
                return generatorValue(node, bindings, env, depth: next)
            }
            if let latest = flow.latestValue(of: node.text, before: node), latest != node {
                if let v = value(latest, env, depth: next) { return v }
                // A module-level setting the step evaluator cannot run (`int(env("WARMUP", "300"))` with `env =
                // os.getenv`): the file-wide resolver's value.
                guard facts.enclosingFunction(latest) == nil else { return nil }
                return fileValue(node)
            }
            // One place of a tuple unpacked once before the read (`lo, hi = hp.muon_momentum`, a pair a hyperparameter
            // namespace holds): that item of what the interpreter computes for the value, the bound names given.
            let unpacked = bindings.filter { if case .element = $0.kind { return $0.site.endByte <= node.startByte }; return false }
            if unpacked.count == 1, bindings.count == 1, case .element(let place) = unpacked[0].kind,
               case .tuple(let items)? = ScriptInterpreter(facts).value(of: unpacked[0].node, bindings: env),
               items.indices.contains(place), let item = items[place].number {
                return item
            }
            return fileValue(node)
        case "attribute", "subscript":
            if let bound = env[node.text] { return bound }
            if let filled = copies[facts.compact(node)] { return value(filled, env, depth: next) }
            if node.type == "attribute", let filled = dispatchedFill(node, env, depth: next) { return filled }
            // STAGES[stage] with a list literal and an index that depends on the step.
            if node.type == "subscript", let element = literalElement(node, env, depth: next) { return element }
            return fileValue(node)
        case "call":
            if let invoked = facts.invokedLambda(node, evaluate: { value($0, $1, depth: next) }, bindings: env) { return invoked }
            return callValue(node, env, depth: next)
        default:
            return nil
        }
    }

    /// A condition the script's configuration decides (`PythonFacts.truth(of:)`, `if not USE_WARMUP: return base`), when
    /// it reads none of the names bound for this evaluation: 1 or 0. Nil when it reads one, or nothing decides it.
    func decided(_ condition: Node, _ env: [String: Double]) -> Double? {
        guard !([condition] + facts.descendants(condition)).contains(where: { ["identifier", "attribute"].contains($0.type) && env[$0.text] != nil }),
              let holds = facts.truth(of: condition) else { return nil }
        return holds ? 1 : 0
    }

    /// The value a name has at `use` when it is also a loop variable: its latest `name = value` before `use`, when every
    /// loop binding it (`bindings`, the iteration ones) ends before that assignment, so no pass of those loops can
    /// see the read. Nil when there is no such assignment or a loop iterating the name holds it or the read.
    func reassignedAfterLoops(_ bindings: [NameBinding], before use: Node) -> Node? {
        let assignments = bindings.filter { $0.kind == .value && $0.site.endByte <= use.startByte }
        guard let latest = assignments.max(by: { $0.site.startByte < $1.site.startByte }), latest.node != use else { return nil }
        let loopsEnded = bindings.allSatisfy { binding in
            guard case .iteration = binding.kind else { return true }
            return binding.site.endByte <= latest.site.startByte
        }
        return loopsEnded ? latest.node : nil
    }

    /// An attribute filled in place (`self.window.fill_(size)`, `.copy_(v)`) or set (`self.window = torch.tensor(size)`) by
    /// code the loop runs each pass without
    /// naming it (a callback method, see `PythonFacts.inPlaceFills(runBy:)`): the value filled, evaluated with the run's
    /// parameters bound to what the loop passes at this step (`step` of `on_step_begin(self, step, trainer)`). A
    /// `self.<name>` read matches a fill in the same class only. Nil when no dispatched run fills it.
    func dispatchedFill(_ node: Node, _ env: [String: Double], depth: Int) -> Double? {
        guard let loop, depth < 20 else { return nil }
        let fills = facts.inPlaceFills(runBy: loop)
        guard !fills.isEmpty else { return nil }
        let text = facts.compact(node)
        let onSelf = node.child(byField: "object")?.text == "self"
        for fill in fills where facts.compact(fill.target) == text {
            if onSelf, facts.enclosingClass(fill.target)?.node != facts.enclosingClass(node)?.node { continue }
            var inner: [String: Double] = [:]
            for (name, argument) in fill.run.arguments {
                if let v = value(argument, env, depth: depth) { inner[name] = v }
            }
            return value(fill.value, inner, depth: depth)
        }
        return nil
    }

    static let valueKeeping: Set<String> = [
        "cuda", "to", "int", "long", "float", "item", "bfloat16", "half", "contiguous", "detach", "clone", "cpu",
    ]

    /// `items[i]` where `items` is (or is set once to) a list or tuple literal and `i` evaluates with the bound names;
    /// also a table precomputed by a comprehension over a `range` (`momentum_at = [0.85 + 0.10 * min(s / 300, 1) for s
    /// in range(n + 1)]`, read as `momentum_at[step]`; see `comprehensionElement`), or by torch / numpy calls the script
    /// interpreter computes (`torch.linspace(lo, hi, n + 1).round()`, see `TensorTables.swift`).
    func literalElement(_ node: Node, _ env: [String: Double], depth: Int) -> Double? {
        guard depth < 24, let container = node.child(byField: "value"), let index = node.child(byField: "subscript"),
              index.type != "slice", let i = value(index, env, depth: depth), i == i.rounded(), Swift.abs(i) < 1e6 else { return nil }
        var list = facts.unwrapped(container)
        if list.type == "identifier" || list.type == "attribute" {
            if list.type == "identifier", let latest = flow.latestValue(of: list.text, before: node) {
                list = facts.unwrapped(latest)
            } else if let name = SettingsTable.bareName(of: list), let setting = facts.allSettings.settings(name).first {
                list = facts.unwrapped(setting.value)
            }
        }
        if let element = comprehensionElement(list, index: i, env, depth: depth) { return element }
        // A table a torch / numpy expression precomputes (`(torch.linspace(a, b, n + 1) / 128).round().int() * 128`):
        // its entry, as the script interpreter computes the table.
        // Computed once per table of this file (it is read at every sampled step).
        if ["call", "binary_operator"].contains(list.type),
           case .tuple(let entries)? = list.tree === facts.tree
               ? facts.memoized("precomputedTable/\(list.startByte)/\(list.endByte)", { ScriptInterpreter(facts).value(of: list, bindings: [:]) })
               : ScriptInterpreter(facts).value(of: list, bindings: [:]) {
            let k = Int(i) < 0 ? entries.count + Int(i) : Int(i)
            return k >= 0 && k < entries.count ? entries[k].number : nil
        }
        guard ["list", "tuple"].contains(list.type) else { return nil }
        let items = list.namedChildren.filter { $0.type != "comment" }
        let k = Int(i) < 0 ? items.count + Int(i) : Int(i)
        guard k >= 0, k < items.count else { return nil }
        return value(items[k], env, depth: depth)
    }

    /// Calls that keep the items of the comprehension they are handed, in order (`torch.tensor([...], device="cuda")`).
    static let itemKeeping: Set<String> = ["list", "tuple", "torch.tensor", "torch.as_tensor", "numpy.array", "numpy.asarray"]

    /// Item `index` of a table a comprehension computes over one `range` (`[f(s) for s in range(n + 1)]`, or the same
    /// comprehension or generator handed to a call that keeps its items, `itemKeeping`): the body evaluated with the
    /// variable bound to `start + index * step` of the range. Nil for any other shape (more than one `for` clause, an
    /// `if` clause, which drops items, a target that unpacks, an iterable other than `range`) or an index outside the
    /// range (a negative one counts from its end).
    func comprehensionElement(_ table: Node, index: Double, _ env: [String: Double], depth: Int) -> Double? {
        guard depth < 24 else { return nil }
        var node = facts.unwrapped(table)
        if node.type == "call" {
            let call = facts.callSite(node)
            guard Self.itemKeeping.contains(call.callee) else { return nil }
            if let generator = node.child(byField: "arguments"), generator.type == "generator_expression" {
                node = generator
            } else {
                guard call.positional.count == 1, !call.hasSplat else { return nil }
                node = facts.unwrapped(call.positional[0])
            }
        }
        guard ["list_comprehension", "generator_expression"].contains(node.type), let body = node.child(byField: "body") else { return nil }
        let clauses = node.namedChildren.filter { $0.type == "for_in_clause" || $0.type == "if_clause" }
        guard clauses.count == 1, clauses[0].type == "for_in_clause", let target = clauses[0].child(byField: "left"),
              target.type == "identifier", let source = clauses[0].child(byField: "right").map(facts.unwrapped),
              source.type == "call" else { return nil }
        let range = facts.callSite(source)
        guard range.callee == "range", range.keywords.isEmpty, !range.hasSplat, (1...3).contains(range.positional.count) else { return nil }
        var bounds: [Double] = []
        for bound in range.positional {
            guard let v = value(bound, env, depth: depth + 1) else { return nil }
            bounds.append(v)
        }
        let start = bounds.count == 1 ? 0 : bounds[0]
        let stop = bounds.count == 1 ? bounds[0] : bounds[1]
        let step = bounds.count == 3 ? bounds[2] : 1
        guard step != 0 else { return nil }
        let count = Swift.max(0, ((stop - start) / step).rounded(.up))
        let k = index < 0 ? count + index : index
        guard k >= 0, k < count else { return nil }
        return value(body, env.merging([target.text: start + k * step]) { $1 }, depth: depth + 1)
    }

    /// A call's positional arguments, `*` spreads expanded (`PythonFacts.expandedPositional`). A `**` spread gives
    /// keywords only, read by parameter through `PythonFacts.keywordArgument` (`attention_window_for(step, **window_kw)`
    /// with `window_kw = dict(total=n, start_chunks=1)`); nil when one spreads something that is no dictionary the file
    /// writes out, which could give any parameter.
    func positionalArguments(_ call: CallSite) -> [Node]? {
        guard call.hasSplat else { return call.positional }
        guard let arguments = call.node.child(byField: "arguments") else { return nil }
        let spreads = arguments.namedChildren.filter { $0.type == "dictionary_splat" }
        guard spreads.allSatisfy({ spread in spread.namedChildren.first.map { !facts.dictionaries($0).isEmpty } == true }) else { return nil }
        return facts.expandedPositional(call, skippingKeywordSpreads: true)
    }

    func callValue(_ node: Node, _ env: [String: Double], depth: Int) -> Double? {
        let call = facts.callSite(node)
        guard let args = positionalArguments(call) else { return nil }
        func arg(_ i: Int) -> Double? { i < args.count ? value(args[i], env, depth: depth) : nil }
        // A call spreading a dictionary with `**` is run when the file defines what it calls; it is never taken as its
        // first argument, as a helper that cannot be run is (the spread may change what it gives).
        let spreadsKeywords = call.hasSplat && facts.expandedPositional(call) == nil
        func firstArgument() -> Double? { spreadsKeywords ? nil : arg(0) }
        switch call.callee {
        case "min", "max":
            let items = args.count == 1 && ["list", "tuple"].contains(args[0].type) ? args[0].namedChildren : args
            let values = items.map { value($0, env, depth: depth) }
            guard !values.isEmpty, !values.contains(where: { $0 == nil }) else { return nil }
            return call.callee == "min" ? values.compactMap { $0 }.min() : values.compactMap { $0 }.max()
        case "len":
            // `len(x)`: what the file gives it (a literal list or string, see `PythonFacts.value(of:)`), else how many
            // items the container holds (`len(self.layers)` with `self.layers = nn.ModuleList([... for _ in
            // range(depth)])`, see `PythonFacts.itemCount`); never `x` itself, as an unknown helper of one value is read.
            guard args.count == 1, call.keywords.isEmpty, !call.hasSplat else { return nil }
            if let known = fileValue(node) { return known }
            return facts.itemCount(args[0]).flatMap { $0 > 0 ? Double($0) : nil }
        case "int", "math.floor", "math.trunc": return arg(0).map { call.callee == "math.floor" ? $0.rounded(.down) : $0.rounded(.towardZero) }
        case "float", "torch.tensor", "torch.as_tensor", "numpy.float32", "numpy.int32": return arg(0)
        case "round": return arg(0).map { $0.rounded(.toNearestOrEven) }
        case "math.ceil": return arg(0).map { $0.rounded(.up) }
        case "abs": return arg(0).map(Swift.abs)
        case "pow", "math.pow":
            guard let base = arg(0), let exponent = arg(1) else { return nil }
            return PythonArithmetic.binary("**", base, exponent)
        case "torch.lerp":
            // lerp(start, end, weight) = start + weight * (end - start)
            guard let start = arg(0), let end = arg(1), let weight = call.keywords["weight"].flatMap({ value($0, env, depth: depth) }) ?? arg(2) else { return nil }
            return start + weight * (end - start)
        case "numpy.interp":
            guard args.count == 3, let x = arg(0) else { return nil }
            let points = [args[1], args[2]].map { list -> [Double]? in
                let l = facts.unwrapped(list)
                guard ["list", "tuple"].contains(l.type) else { return nil }
                let values = l.namedChildren.map { value($0, env, depth: depth) }
                return values.contains(where: { $0 == nil }) ? nil : values.map { $0! }
            }
            guard let xs = points[0], let ys = points[1], xs.count == ys.count, !xs.isEmpty else { return nil }
            if x <= xs[0] { return ys[0] }
            for i in 1..<xs.count where x <= xs[i] {
                let span = xs[i] - xs[i - 1]
                return span == 0 ? ys[i] : ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / span
            }
            return ys[ys.count - 1]
        case "numpy.clip", "torch.clamp", "torch.clip", "math.clip":
            // clip(x, lo, hi), also with min=/max= keywords
            guard let x = arg(0) else { return nil }
            let lo = call.keywords["min"].flatMap { value($0, env, depth: depth) } ?? call.keywords["a_min"].flatMap { value($0, env, depth: depth) } ?? arg(1)
            let hi = call.keywords["max"].flatMap { value($0, env, depth: depth) } ?? call.keywords["a_max"].flatMap { value($0, env, depth: depth) } ?? arg(2)
            return Swift.min(hi ?? .infinity, Swift.max(lo ?? -.infinity, x))
        default:
            break
        }
        // x.clamp(lo, hi) / x.clip(...) / x.clamp(min=..., max=...)
        if let receiver = call.receiver, ["clamp", "clip", "clamp_"].contains(call.name), let x = value(receiver, env, depth: depth) {
            let lo = call.keywords["min"].flatMap { value($0, env, depth: depth) } ?? arg(0)
            let hi = call.keywords["max"].flatMap { value($0, env, depth: depth) } ?? arg(1)
            return Swift.min(hi ?? .infinity, Swift.max(lo ?? -.infinity, x))
        }
        // t.cuda(), t.to(...), t.item(): the receiver's value.
        if let receiver = call.receiver, Self.valueKeeping.contains(call.name) { return value(receiver, env, depth: depth) }
        // `next(gen)` once per pass of the loop around it: what the counting generator yields at that pass.
        if call.callee == "next", call.receiver == nil, args.count == 1, let v = nextValue(node, args[0], env, depth: depth) { return v }
        // A configuration key read by method (`section.getint("ramp")`): the setting's value.
        if facts.configKeyRead(call) != nil { return fileValue(node) }
        // A name bound to a lambda (`mom = lambda t: ...`): its body with the arguments bound (as
        // `PythonFacts.evaluate` reads it).
        if call.receiver == nil, let function = call.function, function.type == "identifier",
           let lambda = facts.boundLambdas(named: function.text).first, let body = lambda.body {
            var inner = env
            for (index, parameter) in lambda.passedParameters.enumerated() {
                guard let argument = facts.keywordArgument(parameter, of: call) ?? (index < args.count ? args[index] : nil) else { continue }
                guard let v = value(argument, env, depth: depth) else { return nil }
                inner[parameter] = v
            }
            // A lambda that cannot be evaluated (`next(x for x in ...)`) is taken as its first argument, as a helper is.
            return value(body, inner, depth: depth) ?? firstArgument()
        }
        // A name set to a closure the run makes (`window_at = quantize(linear(lo, hi, n), 64)`, a factory returning a
        // lambda that calls another factory's closure): the script interpreter runs it, closures captured included.
        if let v = interpretedClosureCall(call, env, depth: depth) { return v }
        // Otherwise a closure a factory of the file made (`ramp_at = make_ramp(hp)`, `hp` a value the interpreter does
        // not compute), run here with its arguments (see `PythonFacts.closureBody`).
        if call.receiver == nil, let function = call.function, function.type == "identifier",
           let closure = facts.closureBody(bound: function.text) {
            var inner: [String: Double] = [:]
            for (parameter, value) in closure.captured { inner[parameter] = value.flatMap { self.value($0, env, depth: depth) } }
            for (index, parameter) in closure.parameters.enumerated() {
                guard let argument = facts.keywordArgument(parameter, of: call) ?? (index < args.count ? args[index] : nil) else { continue }
                guard let v = value(argument, env, depth: depth) else { return nil }
                inner[parameter] = v
            }
            guard closure.body.type == "block" else { return value(closure.body, inner, depth: depth) }
            guard depth < 20, case .returned(let v) = run(closure.body, &inner, depth: depth) else { return nil }
            return v
        }
        // A method of an object the file builds (`self.window_schedule(step)` holding `WindowWarmup(...)`, maybe made by
        // a factory; `sched.tokens_at(step)`), run with the object's fields bound (`self.start`, see
        // `PythonFacts.fieldBindings(of:)`). One object only: several would be several readings.
        let objects = facts.objectCalls(call)
        if objects.count == 1, let body = objects[0].method.body, depth < 20 {
            var inner = facts.fieldBindings(of: objects[0].construction)
            for (index, parameter) in objects[0].method.passedParameters.enumerated() {
                if let argument = facts.keywordArgument(parameter, of: call) ?? (index < args.count ? args[index] : nil),
                   let v = value(argument, env, depth: depth) {
                    inner[parameter] = v
                }
            }
            if case .returned(let v) = run(body, &inner, depth: depth) { return v }
            if let v = interpretedCall(node, env) { return v }
        }
        // A function of the file, run with its arguments; a method called on `self` (the one the object runs, see
        // `PythonFacts.calledFunction`; `self(step)` runs its `__call__`) keeps the object's fields.
        let onSelf = call.callee == "self" || call.callee.hasPrefix("self.")
        if call.receiver == nil || onSelf,
           let function = (onSelf ? facts.calledFunction(call) : nil)
               ?? facts.function(named: call.name).first(where: { !$0.isTritonKernel }) {
            var inner: [String: Double] = onSelf ? env.filter { $0.key.hasPrefix("self.") } : [:]
            let parameters = function.parameters.filter { $0 != "self" && $0 != "cls" }
            for (index, parameter) in parameters.enumerated() {
                if let argument = facts.keywordArgument(parameter, of: call) ?? (index < args.count ? args[index] : nil),
                   let v = value(argument, env, depth: depth) {
                    inner[parameter] = v
                }
            }
            if let body = function.body, depth < 20, case .returned(let v) = run(body, &inner, depth: depth) { return v }
            // A helper that only looks its result up in a table (`return TABLE[k]`, `k` computed from the step) gives
            // that entry: the script interpreter knows more of what such a table holds (strings, lists a comprehension
            // parses from a setting, `WINDOWS = [int(w) for w in args.windows.split(",")]`). Unknown otherwise: the
            // step is no entry of it.
            let returned = facts.returnedValues(function).map(facts.unwrapped)
            if !returned.isEmpty, returned.allSatisfy({ $0.type == "subscript" }) {
                return ScriptInterpreter(facts).value(of: node, bindings: env)?.number
            }
            // Any other helper that cannot be run here: the script interpreter's answer (see `interpretedCall`), else,
            // as an unknown helper of one value, its first argument.
            if let v = interpretedCall(node, env) { return v }
            return firstArgument()
        }
        return call.receiver == nil && args.count >= 1 && call.callee.split(separator: ".").count <= 1 ? firstArgument() : nil
    }

    /// A call of a helper or method that the evaluator cannot run (a generator, a loop, a configuration object read
    /// through a local alias, `c = self.cfg`, and tested against an enum member or a string): run by the script
    /// interpreter, which knows strings, objects and their fields, with the bound names. Without it such a call was
    /// taken as its first argument, which for `get_window(step, max_steps)` is the step itself: a window that "grows".
    func interpretedCall(_ node: Node, _ env: [String: Double]) -> Double? {
        ScriptInterpreter(facts, budget: ScriptInterpreter.sizeBudget).value(of: node, bindings: env)?.number
    }

    /// A call of a name set to a closure the run makes (`window_at(step)` after `window_at = quantize(linear(lo, hi,
    /// n), 64)`): the script interpreter runs that closure (and those it captured) on the arguments evaluated here.
    /// The closure is looked up once per call site; nil when the callee holds none or an argument is unknown.
    func interpretedClosureCall(_ call: CallSite, _ env: [String: Double], depth: Int) -> Double? {
        guard call.receiver == nil, !call.hasSplat, let function = call.function, function.type == "identifier",
              env[function.text] == nil else { return nil }
        let closure: ScriptClosure?
        if let known = resolved.closures[call.node] {
            closure = known
        } else {
            closure = ScriptInterpreter(facts).closure(calledBy: call)
            resolved.closures[call.node] = closure
        }
        guard let closure else { return nil }
        var positional: [Double] = []
        for argument in call.positional {
            guard let v = value(argument, env, depth: depth) else { return nil }
            positional.append(v)
        }
        var keywords: [String: Double] = [:]
        for (name, argument) in call.keywords {
            guard let v = value(argument, env, depth: depth) else { return nil }
            keywords[name] = v
        }
        return ScriptInterpreter(facts).number(calling: closure, positional: positional, keywords: keywords)
    }

    enum Outcome {
        case fallThrough, returned(Double), unknown
    }

    /// A name the header of a loop binds from a generator of the file walked in step with the loop's counter
    /// (`for step, window in zip(range(n + 1), window_sizes(n))`, `for (step, last), window in zip(steps(n), gen)`,
    /// `for step, last in steps(n)`, see `PythonFacts.countingGenerator`): what the generator yields at the pass the
    /// counter's value in `env` reaches. Nil when the name is bound otherwise, or no counter of that loop is bound.
    func generatorValue(_ node: Node, _ bindings: [NameBinding], _ env: [String: Double], depth: Int) -> Double? {
        guard depth < 20, bindings.count == 1, case .iteration = bindings[0].kind else { return nil }
        let loop = bindings[0].site
        guard loop.type == "for_statement", let left = loop.child(byField: "left"),
              let iterable = facts.loopIterable(loop) else { return nil }
        // The pass the loop is at: a counter of the loop bound in `env`, less its first value.
        var pass: Double?
        for name in facts.stepVariables(loop) {
            if let v = env[name], let first = facts.counterStart(loop, name) { pass = v - first; break }
        }
        guard let pass, pass >= 0 else { return nil }
        // Where the name sits in the header: the zipped source it comes from, and the element of what that yields.
        let targets = left.type == "identifier" ? [left] : left.namedChildren.filter { $0.type != "comment" }
        func names(_ target: Node) -> Bool {
            target.type == "identifier" ? target.text == node.text : target.namedChildren.contains { $0.type == "identifier" && $0.text == node.text }
        }
        guard let top = targets.firstIndex(where: names) else { return nil }
        let target = targets[top]
        var part = YieldedPart.whole
        let source: Node
        if iterable.type == "call", facts.callSite(iterable).callee == "zip" {
            let zipped = facts.callSite(iterable)
            guard !zipped.hasSplat, top < zipped.positional.count else { return nil }
            source = zipped.positional[top]
            if target.type != "identifier" {
                guard let k = target.namedChildren.filter({ $0.type != "comment" }).firstIndex(where: { $0.type == "identifier" && $0.text == node.text })
                else { return nil }
                part = .element(k)
            }
        } else {
            guard target.type == "identifier" else { return nil }
            source = iterable
            if left.type != "identifier" { part = .element(top) }
        }
        guard let (generator, call) = facts.generatorObject(source) else { return nil }
        return yielded(generator, call, pass: pass, part: part, env, depth: depth)
    }

    /// `next(gen)` with `gen` a counting generator of the file (see `PythonFacts.generatorObject`), advanced once per
    /// pass of the `for` loop around the call (in its body, under no condition, nested loop or function): what it
    /// yields at the pass the loop's counter in `env` reaches (`momentum = next(ramp)` with `ramp =
    /// momentum_ramp(300)` in `for step in range(n)`). Nil otherwise.
    func nextValue(_ node: Node, _ source: Node, _ env: [String: Double], depth: Int) -> Double? {
        guard depth < 20, let (generator, call) = facts.generatorObject(source) else { return nil }
        let conditional: Set<String> = ["if_statement", "elif_clause", "else_clause", "while_statement", "function_definition", "lambda",
                                        "conditional_expression", "boolean_operator", "list_comprehension", "generator_expression",
                                        "dictionary_comprehension", "set_comprehension", "try_statement", "match_statement"]
        var current = node.parent
        while let c = current {
            if conditional.contains(c.type) { return nil }
            if c.type == "for_statement" {
                guard let body = c.child(byField: "body"), facts.isInside(node, body) else { return nil }
                for name in facts.stepVariables(c) {
                    guard let v = env[name], let first = facts.counterStart(c, name), v - first >= 0 else { continue }
                    return yielded(generator, call, pass: v - first, part: .whole, env, depth: depth)
                }
                return nil
            }
            current = c.parent
        }
        return nil
    }

    /// The names a counting generator's code reads, bound: its parameters to what `call` passes (evaluated with
    /// `env`) or to their defaults, then the statements before its loop run. Nil when those statements cannot be run.
    public func generatorEnvironment(_ generator: CountingGenerator, _ call: CallSite, _ env: [String: Double], depth: Int = 0) -> [String: Double]? {
        guard depth < 20, !call.hasSplat else { return nil }
        var inner: [String: Double] = [:]
        for (index, parameter) in generator.function.parameters.enumerated() {
            if let argument = call.argument(parameter, position: index) {
                if let v = value(argument, env, depth: depth + 1) { inner[parameter] = v }
            } else if let fallback = facts.parameterDefault(generator.function, parameter), let v = value(fallback, [:], depth: depth + 1) {
                inner[parameter] = v
            }
        }
        guard case .fallThrough = run(statements: generator.prelude, &inner, depth: depth + 1) else { return nil }
        return inner
    }

    /// What a counting generator yields at pass `pass` (0 for the first value), or the element `part` names of it. Like a
    /// step formula it is read at any pass, also past the end of its `range` (a loop's last step is its stop).
    public func yielded(_ generator: CountingGenerator, _ call: CallSite, pass: Double, part: YieldedPart, _ env: [String: Double], depth: Int = 0) -> Double? {
        guard var inner = generatorEnvironment(generator, call, env, depth: depth), let body = generator.loop.child(byField: "body") else { return nil }
        var first = 0.0
        if let start = generator.start {
            guard let v = value(start, inner, depth: depth + 1) else { return nil }
            first = v
        }
        // Past its loop, a generator with a tail yields the tail's value.
        if let tail = generator.tail, let end = generator.stop {
            guard let last = value(end, inner, depth: depth + 1) else { return nil }
            if first + pass >= last {
                if case .element(let k) = part {
                    let parts = facts.unwrapped(tail).namedChildren.filter { $0.type != "comment" }
                    guard ["expression_list", "tuple"].contains(facts.unwrapped(tail).type), k < parts.count else { return nil }
                    return value(parts[k], inner, depth: depth + 1)
                }
                return value(tail, inner, depth: depth + 1)
            }
        }
        inner[generator.counter] = first + pass
        guard case .returned(let v) = run(body, &inner, depth: depth + 1, yielding: part) else { return nil }
        return v
    }

    /// Runs statements: assignments, augmented assignments, `if`/`elif`/`else`, `match`, `return`, `with` bodies.
    /// `yielding`: running a generator's loop, whose `yield` (of the whole value, or of one element of a tuple)
    /// ends the pass with that value as a `return` would.
    func run(_ block: Node, _ env: inout [String: Double], depth: Int, yielding: YieldedPart? = nil) -> Outcome {
        run(statements: block.namedChildren, &env, depth: depth, yielding: yielding)
    }

    func run(statements: [Node], _ env: inout [String: Double], depth: Int, yielding: YieldedPart? = nil) -> Outcome {
        for statement in statements {
            switch statement.type {
            case "comment", "pass_statement", "assert_statement":
                continue
            case "return_statement":
                guard let expression = statement.namedChildren.first, let v = value(expression, env, depth: depth + 1) else { return .unknown }
                return .returned(v)
            case "expression_statement":
                guard let expression = statement.namedChildren.first else { continue }
                if expression.type == "yield" {
                    // (Outside a generator's loop a `yield` goes on, as before.)
                    guard let yielding else { continue }
                    guard var yieldedValue = expression.namedChildren.first else { return .unknown }
                    if case .element(let k) = yielding {
                        let parts = yieldedValue.namedChildren.filter { $0.type != "comment" }
                        guard ["expression_list", "tuple"].contains(yieldedValue.type), k < parts.count else { return .unknown }
                        yieldedValue = parts[k]
                    }
                    guard let v = value(yieldedValue, env, depth: depth + 1) else { return .unknown }
                    return .returned(v)
                }
                // A tensor filled in place (`self.value.fill_(self.size_at(step))`, `buf.copy_(w)`): the name or field
                // holds the value from there on, as a later `return self.value` reads it; a fill whose value is
                // unknown leaves the outcome unknown rather than the value it held before.
                if expression.type == "call", case let call = facts.callSite(expression), ["fill_", "copy_"].contains(call.name),
                   let receiver = call.receiver.map(facts.unwrapped), ["identifier", "attribute"].contains(receiver.type),
                   call.positional.count == 1, let filled = call.positional.first {
                    guard let v = value(filled, env, depth: depth + 1) else { return .unknown }
                    env[receiver.text] = v
                    continue
                }
                if expression.type == "assignment", let left = expression.child(byField: "left"), let right = expression.child(byField: "right") {
                    if left.type == "identifier" {
                        env[left.text] = value(right, env, depth: depth + 1)
                    } else if ["pattern_list", "tuple_pattern"].contains(left.type), ["tuple", "expression_list"].contains(right.type),
                              left.namedChildCount == right.namedChildCount {
                        let values = right.namedChildren.map { value($0, env, depth: depth + 1) }
                        for (target, v) in zip(left.namedChildren, values) where target.type == "identifier" { env[target.text] = v }
                    }
                } else if expression.type == "augmented_assignment", let left = expression.child(byField: "left"), left.type == "identifier",
                          let right = expression.child(byField: "right"), let op = expression.child(byField: "operator")?.type {
                    guard let a = env[left.text], let b = value(right, env, depth: depth + 1) else { env[left.text] = nil; continue }
                    switch op {
                    case "+=": env[left.text] = a + b
                    case "-=": env[left.text] = a - b
                    case "*=": env[left.text] = a * b
                    case "/=": env[left.text] = b == 0 ? nil : a / b
                    default: env[left.text] = nil
                    }
                }
            case "if_statement":
                var clauses: [(Node?, Node?)] = [(statement.child(byField: "condition"), statement.child(byField: "consequence"))]
                for child in statement.namedChildren {
                    if child.type == "elif_clause" {
                        clauses.append((child.child(byField: "condition"), child.child(byField: "consequence")))
                    } else if child.type == "else_clause" {
                        clauses.append((nil, child.child(byField: "body")))
                    }
                }
                for (condition, body) in clauses {
                    if let condition {
                        guard let c = value(condition, env, depth: depth + 1) ?? decided(condition, env) else { return .unknown }
                        if c == 0 { continue }
                    }
                    guard let body else { return .unknown }
                    let outcome = run(body, &env, depth: depth + 1, yielding: yielding)
                    if case .fallThrough = outcome { break }
                    return outcome
                }
            case "with_statement":
                guard let body = statement.child(byField: "body") else { return .unknown }
                let outcome = run(body, &env, depth: depth + 1, yielding: yielding)
                if case .fallThrough = outcome { continue }
                return outcome
            case "match_statement":
                guard let match = MatchStatement(statement), let subject = value(match.subject, env, depth: depth + 1) else { return .unknown }
                let inner = env
                let selection = match.select(subject, equals: { v, pattern in value(pattern, inner, depth: depth + 1).map { $0 == v } },
                                             elements: { _ in nil },
                                             holds: { condition, bound in
                                                 value(condition, inner.merging(bound) { $1 }, depth: depth + 1).map { $0 != 0 } })
                switch selection {
                case .unknown: return .unknown
                case .noMatch: continue
                case .selected(let chosen, let bound):
                    env.merge(bound) { $1 }
                    let outcome = run(chosen.body, &env, depth: depth + 1, yielding: yielding)
                    if case .fallThrough = outcome { continue }
                    return outcome
                }
            default:
                return .unknown
            }
        }
        return .fallThrough
    }
}

extension PythonFacts {
    /// The number of iterations of a `for` loop over `range(...)` (its stop value; also the `range` a counting generator
    /// of the file walks, and the shortest known one under `zip`), or of a `while` loop bounded by
    /// its step counter (`while step < n`, `while step <= n`, or `while True:` with `if step == n: break` /
    /// `if step >= n: break` among its statements, also through a flag set from the comparison earlier in the pass,
    /// `last = step == n` then `if last: break`), or nil.
    public func iterationCount(_ loop: Node) -> Double? {
        if loop.type == "while_statement" {
            let counters = stepVariables(loop)
            guard !counters.isEmpty, let condition = loop.child(byField: "condition").map(unwrapped) else { return nil }
            // The bound of `counter < n` (`n > counter`), with the comparison that keeps the loop running.
            func bound(_ comparison: Node, running: Bool) -> Double? {
                guard comparison.type == "comparison_operator" else { return nil }
                let parts = comparison.namedChildren.filter { $0.type != "comment" }
                let operators = comparison.children.filter { !$0.isNamed }.map(\.type)
                guard parts.count == 2, operators.count == 1 else { return nil }
                let flipped = ["<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="]
                let counterFirst = counters.contains(unwrapped(parts[0]).text)
                guard counterFirst || counters.contains(unwrapped(parts[1]).text),
                      let stop = value(of: counterFirst ? parts[1] : parts[0])?.double,
                      let op = counterFirst ? operators[0] : flipped[operators[0]] else { return nil }
                switch (op, running) {
                case ("<", true), (">=", false), ("==", false): return stop
                case ("<=", true), (">", false): return stop + 1
                default: return nil
                }
            }
            if condition.type == "true" {
                let statements = loop.child(byField: "body")?.namedChildren ?? []
                for statement in statements where statement.type == "if_statement" {
                    guard var test = statement.child(byField: "condition").map(unwrapped),
                          let consequence = statement.child(byField: "consequence"),
                          consequence.namedChildren.contains(where: { $0.type == "break_statement" }) else { continue }
                    // A flag set from the comparison earlier in the pass (`self.last_step = (self.iter_num ==
                    // max_iters)`, then `if self.last_step: break`).
                    if ["identifier", "attribute"].contains(test.type), let set = statements.last(where: { earlier in
                        earlier.endByte <= statement.startByte && earlier.type == "expression_statement"
                            && earlier.namedChild(0)?.type == "assignment" && earlier.namedChild(0)?.child(byField: "left")?.text == test.text
                    }), let value = set.namedChild(0)?.child(byField: "right").map(unwrapped) {
                        test = value
                    }
                    if let stop = bound(test, running: false) { return stop }
                }
                return nil
            }
            return bound(condition, running: true)
        }
        guard let iterable = loopIterable(loop), iterable.type == "call" else { return nil }
        /// The stop of a `range`, or of the `range` a counting generator of the file walks (its parameters bound).
        func stop(_ source: Node) -> Double? {
            let s = unwrapped(source)
            if s.type == "call", callSite(s).callee == "range" {
                let call = callSite(s)
                return (call.positional.count >= 2 ? call.positional[1] : call.positional.first).flatMap { value(of: $0)?.double }
            }
            guard let (generator, call) = generatorObject(s), generator.tail == nil, let end = generator.stop else { return nil }
            let evaluator = StepFunction(self, dataflow)
            return evaluator.generatorEnvironment(generator, call, [:]).flatMap { evaluator.value(end, $0) }
        }
        // `zip(range(n + 1), windows)`, `zip(steps(n), windows)`: the shortest of the known ones.
        let call = callSite(iterable)
        if call.callee == "zip" { return call.positional.compactMap(stop).min() }
        return stop(iterable)
    }

    /// A generator function of the file that yields exactly once per pass of one loop over a counter, so that its
    /// k-th value is its loop's body run with the counter at its k-th value: the body is statements that do not
    /// yield, then `for step in range(...)` (or `itertools.count(...)`) as the last statement, whose body yields at
    /// statement level (`yield x`, not `yield from`, not `v = yield x`) on every path, at most once (one `yield` per
    /// branch of an `if`/`elif`/`else`), with no nested loop, `break`, `continue` or function. Nil otherwise.
    public func countingGenerator(_ function: Function) -> CountingGenerator? {
        memoized("countingGenerator/\(function.node.startByte)") { () -> CountingGenerator? in
            guard function.node.tree === tree, let body = function.body else { return nil }
            var statements = body.namedChildren.filter { $0.type != "comment" }
            // A value held for ever after the loop (see `tail`).
            let tail = statements.count >= 2 ? endlessYield(statements[statements.count - 1]) : nil
            if tail != nil { statements.removeLast() }
            guard let loop = statements.last, loop.type == "for_statement",
                  let left = loop.child(byField: "left"), left.type == "identifier",
                  let iterable = loop.child(byField: "right").map(unwrapped), iterable.type == "call",
                  let loopBody = loop.child(byField: "body") else { return nil }
            let prelude = Array(statements.dropLast())
            guard !prelude.contains(where: { p in descendants(of: p).contains { $0.type == "yield" } }) else { return nil }
            let source = callSite(iterable)
            guard !source.hasSplat else { return nil }
            var start: Node?, stop: Node?
            switch source.callee {
            case "range":
                guard (1...2).contains(source.positional.count), source.keywords.isEmpty else { return nil }
                if source.positional.count == 2 { start = source.positional[0] }
                stop = source.positional.last
            case "itertools.count" where tail == nil:
                start = source.positional.first
            default:
                return nil
            }
            let inside = descendants(of: loopBody)
            let excluded: Set<String> = ["for_statement", "while_statement", "break_statement", "continue_statement",
                                         "function_definition", "lambda", "class_definition", "try_statement"]
            guard !inside.contains(where: { excluded.contains($0.type) }) else { return nil }
            let yields = inside.filter { $0.type == "yield" }
            guard !yields.isEmpty, yields.allSatisfy({ y in
                y.parent?.type == "expression_statement" && !y.children.contains { $0.type == "from" }
            }) else { return nil }
            // At most once per pass: no statement after the one holding a `yield` (at any level) yields again.
            for y in yields {
                var current = y.parent
                while let c = current, c != loopBody {
                    if let block = c.parent, block.type == "block" {
                        let later = block.namedChildren.filter { $0.startByte >= c.endByte }
                        if later.contains(where: { l in descendants(of: l).contains { $0.type == "yield" } }) { return nil }
                    }
                    current = c.parent
                }
            }
            // On every path: a block yields when one of its statements does, or an `if` with an `else` all of whose
            // branches do.
            func alwaysYields(_ block: Node) -> Bool {
                block.namedChildren.contains { statement in
                    if statement.type == "expression_statement" { return statement.namedChildren.first?.type == "yield" }
                    guard statement.type == "if_statement", let consequence = statement.child(byField: "consequence"),
                          alwaysYields(consequence) else { return false }
                    let clauses = statement.namedChildren.filter { $0.type == "elif_clause" || $0.type == "else_clause" }
                    guard clauses.contains(where: { $0.type == "else_clause" }) else { return false }
                    return clauses.allSatisfy { clause in
                        (clause.child(byField: clause.type == "else_clause" ? "body" : "consequence")).map(alwaysYields) == true
                    }
                }
            }
            guard alwaysYields(loopBody) else { return nil }
            // Where the yields give the counter itself.
            let yielded = yields.compactMap { $0.namedChildren.first.map(unwrapped) }
            var position: YieldedPart?
            if yielded.count == yields.count {
                if yielded.allSatisfy({ $0.type == "identifier" && $0.text == left.text }) {
                    position = .whole
                } else if let first = yielded.first, ["expression_list", "tuple"].contains(first.type),
                          let k = first.namedChildren.firstIndex(where: { $0.type == "identifier" && $0.text == left.text }),
                          yielded.allSatisfy({ y in
                              ["expression_list", "tuple"].contains(y.type) && y.namedChildren.count > k
                                  && y.namedChildren[k].type == "identifier" && y.namedChildren[k].text == left.text
                          }) {
                    position = .element(k)
                }
            }
            return CountingGenerator(function: function, loop: loop, counter: left.text, start: start, stop: stop,
                                     prelude: prelude, counterPosition: position, tail: tail)
        }
    }

    /// The value a statement yields again and again without end: `yield from itertools.repeat(v)` (one argument, any
    /// import spelling of `repeat`), or `while True:` (also `while 1:`) whose body is `yield v` alone. Nil otherwise.
    func endlessYield(_ statement: Node) -> Node? {
        if statement.type == "expression_statement", let y = statement.namedChildren.first, y.type == "yield",
           y.children.contains(where: { $0.type == "from" }), let source = y.namedChildren.first.map(unwrapped), source.type == "call" {
            let call = callSite(source)
            guard call.callee == "itertools.repeat", call.positional.count == 1, call.keywords.isEmpty, !call.hasSplat else { return nil }
            return call.positional[0]
        }
        guard statement.type == "while_statement", let condition = statement.child(byField: "condition").map(unwrapped),
              condition.type == "true" || (condition.type == "integer" && condition.text != "0"),
              statement.namedChildren.allSatisfy({ $0.type != "else_clause" }),
              let body = statement.child(byField: "body") else { return nil }
        let parts = body.namedChildren.filter { $0.type != "comment" }
        guard parts.count == 1, parts[0].type == "expression_statement", let y = parts[0].namedChildren.first, y.type == "yield",
              !y.children.contains(where: { $0.type == "from" }), let value = y.namedChildren.first else { return nil }
        return value
    }

    /// The counting generator (see `countingGenerator`) an expression makes, with the call that makes it: a call of a
    /// generator function of the file (`window_sizes(args.n)`), or a name set once to one that nothing else reads
    /// (`gen = window_sizes(args.n)` then `zip(range(n), gen)`), so that no other `next(gen)` advances it.
    public func generatorObject(_ expression: Node) -> (generator: CountingGenerator, call: CallSite)? {
        var node = unwrapped(expression)
        if node.type == "identifier" {
            let bindings = dataflow.bindings(of: node.text, at: node)
            guard bindings.count == 1, bindings[0].kind == .value, (identifiersByName[node.text] ?? []).count == 2 else { return nil }
            node = unwrapped(bindings[0].node)
        }
        guard node.type == "call", let callee = node.child(byField: "function").map(unwrapped), callee.type == "identifier" else { return nil }
        let candidates = function(named: callee.text).filter { $0.receiver == nil }
        guard candidates.count == 1, let generator = countingGenerator(candidates[0]) else { return nil }
        return (generator, callSite(node))
    }

    /// The first value of a loop's counter `name` (see `stepVariables`): the start of its `range`, `itertools.count`
    /// or `enumerate` (0 unless given), or of the counting generator that yields it. Nil when it cannot be told.
    public func counterStart(_ loop: Node, _ name: String) -> Double? {
        guard loop.type == "for_statement", let left = loop.child(byField: "left"),
              let iterable = loopIterable(loop), iterable.type == "call" else { return nil }
        func first(_ source: Node) -> Double? {
            let s = unwrapped(source)
            if s.type == "call" {
                let call = callSite(s)
                switch call.callee {
                case "range": return call.positional.count >= 2 ? value(of: call.positional[0])?.double : 0
                case "itertools.count": return call.positional.first.map { value(of: $0)?.double } ?? 0
                case "enumerate": return (call.keywords["start"] ?? (call.positional.count >= 2 ? call.positional[1] : nil)).map { value(of: $0)?.double } ?? 0
                default: break
                }
            }
            guard let (generator, call) = generatorObject(s), generator.counterPosition != nil else { return nil }
            guard let start = generator.start else { return 0 }
            let evaluator = StepFunction(self, dataflow)
            return evaluator.generatorEnvironment(generator, call, [:]).flatMap { evaluator.value(start, $0) }
        }
        let call = callSite(iterable)
        if call.callee == "zip" {
            let targets = left.namedChildren.filter { $0.type != "comment" }
            for (argument, target) in zip(call.positional, targets) where target.text == name || target.namedChildren.contains(where: { $0.text == name }) {
                return first(argument)
            }
            return nil
        }
        return first(iterable)
    }

    /// Step counters an object keeps: `self.X` attributes that a method of the class around `node` increments
    /// (`self.last_epoch += 1` in a scheduler-like class's `step`), by their text (`self.last_epoch`). The increment
    /// may be a parameter of the method that the calls made in loops give 1 (`self.num_steps += increment` with
    /// `sched.step(increment=1)` every iteration, see `loopIncrementIsOne`). Also the reads, in the function around
    /// `node`, of an attribute a loop sets to its step (`self.trainer.global_step` where the trainer's loop writes
    /// `self.global_step = step`, see `loopStepAttributes`).
    public func stepCounterAttributes(around node: Node) -> [String] {
        var names: [String] = []
        let mirrored = loopStepAttributes
        if !mirrored.isEmpty, let function = enclosingFunction(node) {
            for read in descendants(of: function.node) where read.type == "attribute" {
                guard let attribute = read.child(byField: "attribute")?.text, mirrored.contains(attribute), !names.contains(read.text),
                      let parent = read.parent, !(parent.type == "assignment" && parent.child(byField: "left") == read),
                      !(parent.type == "call" && parent.child(byField: "function") == read) else { continue }
                names.append(read.text)
            }
        }
        guard let owner = enclosingClass(node) else { return names }
        for n in descendants(of: owner.node) where n.type == "augmented_assignment" && n.child(byField: "operator")?.type == "+=" {
            guard let left = n.child(byField: "left"), left.type == "attribute", left.child(byField: "object")?.text == "self",
                  let right = n.child(byField: "right"), evaluate(right) == 1 || loopIncrementIsOne(right),
                  !names.contains(left.text) else { continue }
            names.append(left.text)
        }
        return names
    }

    /// Attribute names a loop sets to its step variable (`self.global_step = step`, `state.iteration = it`), takes as its
    /// own target (`for self.iter in range(n)`) or counts up by one each pass (`st.batch_idx += 1`): objects that mirror the training step for code the loop calls (a hook
    /// reading `self.trainer.global_step`, an algorithm reading `state.batch_idx`).
    var loopStepAttributes: Set<String> {
        memoized("loopStepAttributes") {
            var names: Set<String> = []
            for assignment in nodes(ofType: "assignment") {
                guard let left = assignment.child(byField: "left"), left.type == "attribute",
                      let attribute = left.child(byField: "attribute")?.text,
                      let right = assignment.child(byField: "right").map(unwrapped), right.type == "identifier",
                      enclosingLoops(assignment).contains(where: { stepVariables($0).contains(right.text) }) else { continue }
                names.insert(attribute)
            }
            // An attribute a counting loop takes as its own target (`for self.iter in range(n_iter)`, a fastai-like learner).
            for loop in nodes(ofType: "for_statement") {
                guard let target = loop.child(byField: "left"), target.type == "attribute", isReferenceChain(target),
                      stepVariables(loop).contains(target.text), let attribute = target.child(byField: "attribute")?.text else { continue }
                names.insert(attribute)
            }
            // A counter an object keeps for the loop, counted up by one in the loop's own body (`st.batch_idx += 1` at
            // the end of each pass over the batches, `st = self.state`): a step of the innermost loop around it.
            for increment in nodes(ofType: "augmented_assignment") where increment.child(byField: "operator")?.type == "+=" {
                guard let left = increment.child(byField: "left"), left.type == "attribute", isReferenceChain(left),
                      let attribute = left.child(byField: "attribute")?.text, let right = increment.child(byField: "right"),
                      evaluate(right) == 1, !enclosingLoops(increment).isEmpty else { continue }
                names.insert(attribute)
            }
            return names
        }
    }

    /// Whether an increment is a parameter of its method that every call of that method made inside a loop on an
    /// object the file builds (see `objectCalls`) gives 1 (or leaves at a default of 1), with at least one such call:
    /// `def step(self, increment): self.num_steps += increment` stepped `sched.step(increment=1)` each iteration,
    /// whatever a call outside the loops gives it (`self.step(0)` in `__init__`). Calls of a same-named method of
    /// other objects (`opt.step()`) do not count.
    func loopIncrementIsOne(_ increment: Node) -> Bool {
        let name = unwrapped(increment)
        guard name.type == "identifier", let method = parameterOwner(of: name),
              let index = method.parameters.firstIndex(of: name.text) else { return false }
        let position = index - method.passedOffset
        let inLoops = calls(named: method.name).filter { call in
            ancestors(of: call.node).contains { $0.type == "for_statement" || $0.type == "while_statement" }
                && objectCalls(call).contains { $0.method.node == method.node }
        }
        guard !inLoops.isEmpty else { return false }
        return inLoops.allSatisfy { call in
            let given = call.argument(name.text, position: position >= 0 ? position : nil) ?? parameterDefault(method, name.text)
            return given.flatMap { evaluate($0) } == 1
        }
    }

    /// What a `for` loop walks: its iterable, or, for a name set in straight-line code of the same function just for
    /// the loop (`schedule = zip(range(n), lr_multipliers(h), momenta(h))` then `for step, mult, mom in schedule:`), the
    /// `zip` / `range` / `enumerate` call it was last set to.
    public func loopIterable(_ loop: Node) -> Node? {
        guard let iterable = loop.child(byField: "right").map(unwrapped) else { return nil }
        guard iterable.type == "identifier", let value = latestValue(of: iterable.text, before: loop).map(unwrapped), value.type == "call",
              ["zip", "range", "enumerate", "itertools.count"].contains(callSite(value).callee),
              enclosingFunction(value)?.node == enclosingFunction(loop)?.node, enclosingLoops(value).isEmpty else { return iterable }
        return value
    }

    /// The names a loop body counts up by one on each pass (`step += 1`, also a field, `self.iter_num += 1`), outside the
    /// loops, functions and lambdas nested in it: the counters of a `while` loop, or a count of the run kept beside a
    /// loop over something else.
    public func countedUpNames(in body: Node) -> [String] {
        var names: [String] = []
        var work = body.namedChildren
        while let node = work.popLast() {
            if ["for_statement", "while_statement", "function_definition", "class_definition", "lambda"].contains(node.type) { continue }
            if node.type == "augmented_assignment", node.child(byField: "operator")?.type == "+=",
               let left = node.child(byField: "left"), left.type == "identifier" || left.type == "attribute" && isReferenceChain(left),
               let right = node.child(byField: "right"), value(of: right)?.double == 1, !names.contains(left.text) {
                names.append(left.text)
            }
            work += node.namedChildren
        }
        return names
    }

    /// The counter a loop binds: `i` in `for i in range(...)`, `step` in `for step, batch in enumerate(...)` or
    /// `for step, batch in zip(range(n), ...)` or `for step in itertools.count()`, or the target that receives the
    /// counter a counting generator of the file yields (`for (step, last), window in zip(steps(n), windows)` with
    /// `def steps(n): for step in range(n + 1): yield step, step == n`, see `countingGenerator`); none for loops over data.
    /// For a `while` loop, the names its body counts up by one (`step += 1`), outside nested loops and functions.
    public func stepVariables(_ loop: Node) -> [String] {
        if loop.type == "while_statement" {
            return loop.child(byField: "body").map(countedUpNames) ?? []
        }
        guard let left = loop.child(byField: "left"), let iterable = loopIterable(loop) else { return [] }
        let targets = left.type == "identifier" ? [left] : left.namedChildren
        guard iterable.type == "call" else { return [] }
        let call = callSite(iterable)
        switch call.callee {
        case "range", "itertools.count", "trange", "tqdm.trange":
            // Also an attribute the loop assigns (`for self.iter_num in range(n)`), bound by its text.
            return left.type == "identifier" || (left.type == "attribute" && isReferenceChain(left)) ? [left.text] : []
        case "enumerate":
            return targets.first.flatMap { $0.type == "identifier" ? [$0.text] : nil } ?? []
        case "zip":
            return zip(call.positional, targets).compactMap { argument, target in
                let a = unwrapped(argument)
                guard target.type == "identifier", a.type == "call",
                      ["range", "itertools.count"].contains(callSite(a).callee) else { return generatorCounter(argument, target) }
                return target.text
            }
        default:
            // A generator of the file that yields its counter (`for (step, last), w in zip(steps(n), gen)`,
            // `for step, last in steps(n)`).
            if let name = generatorCounter(iterable, left) { return [name] }
            // tqdm(range(n)) and similar wrappers of a range.
            if let inner = call.positional.first.map(unwrapped), inner.type == "call",
               callSite(inner).callee == "range", left.type == "identifier" {
                return [left.text]
            }
            return []
        }
    }

    /// The name of `target` that receives the counter the counting generator `source` makes yields: `target` itself
    /// when it yields the counter alone, element k of a tuple target when it yields tuples holding the counter at k.
    func generatorCounter(_ source: Node, _ target: Node) -> String? {
        guard let (generator, _) = generatorObject(source), let position = generator.counterPosition else { return nil }
        switch position {
        case .whole:
            return target.type == "identifier" ? target.text : nil
        case .element(let k):
            let parts = target.namedChildren.filter { $0.type != "comment" }
            guard ["tuple_pattern", "pattern_list"].contains(target.type), k < parts.count, parts[k].type == "identifier" else { return nil }
            return parts[k].text
        }
    }

    /// The names a loop binds directly (`step` in `for step in ...`, `step` and `batch` in
    /// `for step, batch in enumerate(...)`), not names inside nested tuples.
    public func loopTargets(_ loop: Node) -> [String] {
        guard let left = loop.child(byField: "left") else { return [] }
        if left.type == "identifier" { return [left.text] }
        return left.namedChildren.filter { $0.type == "identifier" }.map(\.text)
    }
}
