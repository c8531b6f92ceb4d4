import Parsing
import TreeSitterKit

/// What the training loss is computed from, followed backwards from the cross-entropy: every expression whose
/// value reaches its input (the logits) and the Triton kernels launched on the way.
public struct LogitsFlow {
    /// Expressions on the way: the loss input, the values assigned to the local names it reads (not in another branch
    /// of an `if` than the read, see `PythonFacts.inExclusiveBranches`; and their own
    /// inputs), in-place updates of those names, and the `return` values of the functions, module `forward`s,
    /// autograd functions and custom ops called there.
    public let expressions: [Node]
    /// Kernels launched by those functions, or on those names.
    public let launches: [KernelLaunch]
    /// For a method entered through objects the file builds (`self.logit_cap(z)` with `logit_cap = SoftCap(30.0)`),
    /// the fields of each object as bindings (`self.cap` -> 30, see `PythonFacts.fieldBindings(of:)`); among them no
    /// bindings at all when the method is also entered through an object that is not known.
    public let fields: [Node: [[String: Double]]]

    /// The bindings to read an expression of the flow with: one set per object the innermost method around it was
    /// entered through (see `fields`), else none.
    public func fieldBindings(around expression: Node, _ facts: PythonFacts) -> [[String: Double]] {
        guard !fields.isEmpty else { return [[:]] }
        var function = facts.enclosingFunction(expression)
        while let f = function {
            if let known = fields[f.node] { return known }
            // The next function out (a function's parent may start where it does, so walk up to a definition).
            var outer = f.node.parent
            while let n = outer, n.type != "function_definition" { outer = n.parent }
            function = outer.flatMap { facts.enclosingFunction($0) }
        }
        return [[:]]
    }
}

/// A soft cap applied to the logits: `c * tanh(x / c)` or `A * sigmoid(x / B)` (also `A / (1 + exp(-x / B))`),
/// in PyTorch or in a Triton kernel.
public struct LogitCap {
    public enum Form: Equatable { case tanh, sigmoid }
    public let form: Form
    /// The factor outside (`c`, `A`).
    public let scale: Double
    /// The divisor inside (`c`, `B`).
    public let divisor: Double
    public let node: Node
}

extension PythonFacts {
    /// Calls computing a cross-entropy loss: `F.cross_entropy`, any `.cross_entropy(...)`, a module set to
    /// `nn.CrossEntropyLoss()` and called, or `nn.CrossEntropyLoss()(...)`; and a cross-entropy written by hand:
    /// `logsumexp` or `log_softmax` of the logits in a function that picks the targets' entries (`gather`,
    /// `take_along_dim`, `nll_loss`).
    public var lossCalls: [CallSite] {
        memoized("lossCalls") {
            calls.filter { call in
                if call.name == "cross_entropy" { return true }
                if ["logsumexp", "log_softmax"].contains(call.name) || isLogOfSummedExp(call) {
                    let scope = enclosingFunction(call.node)?.node ?? root
                    return descendants(of: scope).contains { n in
                        n.type == "call" && ["gather", "take_along_dim", "nll_loss"].contains(callSite(n).name)
                    }
                }
                guard let function = call.function else { return false }
                if function.type == "call" { return callSite(function).name == "CrossEntropyLoss" }
                guard isReferenceChain(function), let module = moduleConstructor(call.callee) else { return false }
                return module.name == "CrossEntropyLoss"
            }
        }
    }

    /// A log-sum-exp written out: `torch.log(s)` or `s.log()` where `s` is a sum of an exponential (`x.exp().sum(-1)`,
    /// `torch.sum(torch.exp(x), -1)`), written in place or held by a local (one of whose values is it).
    func isLogOfSummedExp(_ call: CallSite) -> Bool {
        guard call.name == "log", let argument = call.receiver ?? call.positional.first else { return false }
        let given = unwrapped(argument)
        // A local: any of its values (a reduction across ranks may rebind it, `s = reduce(s)`).
        let values = given.type == "identifier"
            ? dataflow.bindings(of: given.text, at: given).filter { $0.kind == .value }.map { unwrapped($0.node) } : [given]
        return values.contains { summed in
            guard summed.type == "call", case let sum = callSite(summed), sum.name == "sum",
                  let input = sum.receiver ?? sum.positional.first else { return false }
            let exponential = unwrapped(input)
            return exponential.type == "call" && callSite(exponential).name == "exp"
        }
    }

    /// Calls that compute a cross-entropy inside a kernel of the file: a function of the file (also an autograd
    /// function's `apply`, a custom op) that launches, itself or through the functions it calls, a kernel taking a
    /// log-sum-exp (`tl.log` of a `tl.sum` of `tl.exp`), called from outside those functions with the logits
    /// (`capped_ce_loss(logits, targets)` returning `CappedCE.apply(...)` whose `forward` launches the kernel). The
    /// logits flow starts at the whole call, so the kernel's code is read as on the way to the loss.
    var fusedLossCalls: [CallSite] {
        memoized("fusedLossCalls") {
            // Triton launches, and calls of compiled CUDA extensions (see `ExtensionLaunch`), that take a log-sum-exp.
            var lossKernels = Set(kernelLaunches.filter(takesLogSumExp).map(\.call.node))
            let extensionLosses = extensionModuleNames.isEmpty ? [] : calls.filter { extensionLaunches($0).contains(where: cudaTakesLogSumExp) }
            lossKernels.formUnion(extensionLosses.map(\.node))
            guard !lossKernels.isEmpty else { return [] }
            // An extension call made on logits its function computed (`xent.online_xent(z, y)` in the model's `forward`)
            // is itself where the loss is taken: its arguments are the Python tensors the kernel reads.
            let direct = extensionLosses.filter { call in
                guard let first = call.positional.first, let scope = enclosingFunction(call.node) else { return true }
                return !scope.passedParameters.prefix(1).contains { mentions(first, $0) || mentionsLocalOf(first, $0, in: scope) }
            }
            // The functions that launch one, and thin wrappers of those: functions returning a call of one made with
            // their own first argument (`return CappedCE.apply(logits.reshape(-1, V), ...)`), three deep at most. A
            // model's `forward` returning such a call of logits it computed is where the loss is taken, not a wrapper.
            var holders = Set(functions.filter { f in lossKernels.contains { isInside($0, f.node) } }.map(\.node))
            for _ in 0..<3 {
                for f in functions where !holders.contains(f.node) {
                    guard let first = f.passedParameters.first else { continue }
                    let wraps = returnedValues(f).map(unwrapped).contains { value in
                        // Also reduced or cast on the way out (`CappedCE.apply(...).mean()`).
                        var value = value
                        while value.type == "call", case let call = callSite(value), call.positional.isEmpty,
                              let receiver = call.receiver.map(unwrapped), receiver.type == "call" {
                            value = receiver
                        }
                        guard value.type == "call", case let call = callSite(value),
                              let argument = call.positional.first, mentions(argument, first) || mentionsLocalOf(argument, first, in: f) else { return false }
                        return flowTargets(call).contains { holders.contains($0.node) }
                    }
                    if wraps { holders.insert(f.node) }
                }
            }
            return direct + calls.filter { call in
                !holders.contains { isInside(call.node, $0) } && !call.positional.isEmpty
                    && flowTargets(call).contains { holders.contains($0.node) }
            }
        }
    }

    /// Whether a launch's kernel (or a jit helper it calls) takes a log-sum-exp: a `log` of a `sum` of `exp` (any base).
    public func takesLogSumExp(_ launch: KernelLaunch) -> Bool {
        kernelBodies(launch).contains { body, _ in
            let names = Set(descendants(of: body).filter { $0.type == "call" }.map { callSite($0).name })
            return (names.contains("exp") || names.contains("exp2")) && (names.contains("log") || names.contains("log2")) && names.contains("sum")
        }
    }

    /// Whether `argument` reads a local of `function` set from its parameter `parameter` (`flat = logits.reshape(-1,
    /// V)` then `Fn.apply(flat, ...)`).
    private func mentionsLocalOf(_ argument: Node, _ parameter: String, in function: Function) -> Bool {
        let n = unwrapped(argument)
        guard n.type == "identifier", let value = latestValue(of: n.text, before: n), isInside(value, function.node) else { return false }
        return mentions(value, parameter)
    }

    /// The logits flow of the file (see `LogitsFlow`), bounded to a few hundred expressions. Without
    /// `throughModules` it does not enter the `forward` of modules called on the way (the layers upstream of the
    /// head stay out).
    public func logitsFlow(throughModules: Bool = true) -> LogitsFlow {
        memoized("logitsFlow/\(throughModules)") { computeLogitsFlow(throughModules: throughModules) }
    }

    private func computeLogitsFlow(throughModules: Bool) -> LogitsFlow {
        var expressions: [Node] = []
        var launches: [KernelLaunch] = []
        var seen = Set<Node>()
        var seenFunctions = Set<Node>()
        var fields: [Node: [[String: Double]]] = [:]
        var unknownObjects = Set<Node>()
        var work: [Node] = lossCalls.compactMap { $0.argument("input", position: 0) } + fusedLossCalls.map(\.node)
        let allLaunches = kernelLaunches
        func enter(_ function: Function) {
            guard seenFunctions.insert(function.node).inserted else { return }
            work += returnedValues(function)
            launches += allLaunches.filter { isInside($0.call.node, function.node) }
        }
        // The walk stops at the head's projection: what feeds the head is the network, not the logits.
        let model = self.model()
        func isProjection(_ n: Node) -> Bool {
            guard n.type == "call" || n.type == "binary_operator" else { return false }
            if model.projectionOwner(n) != nil { return true }
            guard n.type == "call", let arguments = n.child(byField: "arguments") else { return false }
            return arguments.namedChildren.contains { model.isHead($0) }
        }
        while let expression = work.popLast(), expressions.count < 400 {
            guard seen.insert(expression).inserted else { continue }
            expressions.append(expression)
            let scope = enclosingFunction(expression)
            var inside: [Node] = []
            var stack = [expression]
            while let n = stack.popLast() {
                inside.append(n)
                if isProjection(n) { continue }
                stack += n.namedChildren.reversed()
            }
            for n in inside {
                if n.type == "identifier", isRead(n) {
                    // An assignment in another branch of an `if` than the read (the sampling branch's logits) gives it no value,
                    // nor does one made after the read (`loss = F.cross_entropy(logits, y)` then `logits = logits.float()`
                    // to hand the caller an fp32 copy; see `assignedAfter`).
                    for assignment in assignments(around: expression)
                    where assignment.type == "assignment" && !isInDeadBranch(assignment) && !inExclusiveBranches(assignment, n)
                        && !assignedAfter(assignment, n) {
                        for bound in assignedNames(assignment) where bound.name == n.text {
                            work.append(bound.value ?? assignment.child(byField: "right") ?? assignment)
                        }
                    }
                    work += inPlaceUpdates(of: n.text, scope: scope)
                    let launchesOnName = allLaunches.filter { launch in
                        (scope.map { isInside(launch.call.node, $0.node) } ?? (enclosingFunction(launch.call.node) == nil))
                            && launch.call.positional.contains { $0.type == "identifier" && $0.text == n.text }
                    }
                    launches += launchesOnName.filter { l in !launches.contains { $0.call.node == l.call.node } }
                }
                if n.type == "call", !isInDeadBranch(n) {
                    let call = callSite(n)
                    for target in flowTargets(call) where throughModules || !isModuleCall(call, target) {
                        // The object a method runs on: its fields hold in the method (`self.cap` of the `SoftCap(30.0)`
                        // the logits go through, not of another `SoftCap` of the file).
                        if enclosingClass(target.node) != nil {
                            let objects = objectCalls(call).filter { $0.method.node == target.node }
                            if !objects.isEmpty {
                                fields[target.node, default: []] += objects.map { fieldBindings(of: $0.construction) }
                            } else if let receiver = call.receiver, isInstance(receiver), let caller = enclosingFunction(n),
                                      let known = fields[caller.node] {
                                // A method the object calls on itself (`self._cap(z)`): the caller's object.
                                fields[target.node, default: []] += known
                            } else {
                                unknownObjects.insert(target.node)
                            }
                        }
                        // A decorator's wrapper reads its factory's parameters as the decorator line the called
                        // function wears gives them (`@softcapped(cap=30.0)`, not another function's `cap=15.0`).
                        if let called = calledFunction(call), let bound = decoratorBindings(of: called, wrapper: target) {
                            fields[target.node, default: []].append(bound)
                        }
                        enter(target)
                    }
                    // A forward hook on the module gives the call its result (`head.register_forward_hook(cap)`).
                    work += hookResults(on: call, kind: .output)
                    // A name set to a lambda (`softcap = lambda z, c=15.0: c * torch.tanh(z / c)`): its expression.
                    if call.receiver == nil || call.callee.hasPrefix("self."), let body = lambdaBody(call.name) { work.append(body) }
                }
            }
        }
        for function in unknownObjects where fields[function] != nil { fields[function]!.append([:]) }
        return LogitsFlow(expressions: expressions, launches: launches, fields: fields)
    }

    /// Whether an identifier is read as a variable (not an attribute name or a keyword).
    func isRead(_ identifier: Node) -> Bool {
        guard let parent = identifier.parent else { return true }
        if parent.type == "attribute", parent.child(byField: "attribute") == identifier { return false }
        if parent.type == "keyword_argument", parent.child(byField: "name") == identifier { return false }
        return true
    }

    /// Statements that change a local name in place: `x.div_(c).tanh_().mul_(c)`, `x.clamp_(...)`.
    func inPlaceUpdates(of name: String, scope: Function?) -> [Node] {
        let statements = nodes(ofType: "expression_statement").filter { n in
            scope.map { isInside(n, $0.node) } ?? (enclosingFunction(n) == nil)
        }
        return statements.compactMap { statement -> Node? in
            guard let expression = statement.namedChild(0), expression.type == "call" else { return nil }
            var current = expression
            var inPlace = false
            while current.type == "call", let function = current.child(byField: "function"), function.type == "attribute",
                  let object = function.child(byField: "object") {
                if function.child(byField: "attribute")?.text.hasSuffix("_") == true { inPlace = true }
                current = object
            }
            return inPlace && current.type == "identifier" && current.text == name ? expression : nil
        }
    }

    /// The functions a value-producing call runs: a function of the file, the `forward` of a module it holds,
    /// `Function.apply` of an autograd function, or a registered custom op (`torch.ops.ns.name`).
    public func flowTargets(_ call: CallSite) -> [Function] {
        let forwards = autogradForwards(call)
        if !forwards.isEmpty { return forwards }
        if let op = customOps[call.callee] { return [op] }
        if let function = call.function, function.type == "subscript" { return [] }
        return targets(of: call)
    }

    /// Whether a call reaches `target` as the `forward` of a module it holds (not as a plain function call).
    func isModuleCall(_ call: CallSite, _ target: Function) -> Bool {
        forwardMethodNames.contains(target.name) && call.name != "forward" && call.name != "apply"
    }

    /// Functions registered as custom ops, by the name they are called with: `@torch.library.custom_op("ns::name")`
    /// on a definition, or the registration written as a call, `op = torch.library.custom_op("ns::name", fwd,
    /// mutates_args=())` (also `custom_op("ns::name", mutates_args=())(fwd)`), with `fwd` a function of the file (the
    /// one defined beside the call first: a factory's nested function). Called as `torch.ops.ns.name`, and, for a
    /// registration written as a call, through the name the op is bound to (`op(x, w)`).
    public var customOps: [String: Function] {
        memoized("customOps") {
            var result: [String: Function] = [:]
            func register(_ name: Node?, as function: Function) {
                guard let name, let text = foldedString(name) else { return }
                let parts = text.components(separatedBy: "::")
                if parts.count == 2 { result["torch.ops.\(parts[0]).\(parts[1])"] = function }
            }
            for function in functions {
                guard let decorated = function.node.parent, decorated.type == "decorated_definition" else { continue }
                for decorator in decorated.namedChildren where decorator.type == "decorator" {
                    guard let expression = decorator.namedChild(0), expression.type == "call" else { continue }
                    let call = callSite(expression)
                    guard call.name == "custom_op" else { continue }
                    register(call.argument("name", position: 0), as: function)
                }
            }
            for call in calls where call.name == "custom_op" && call.node.parent?.type != "decorator" {
                // `custom_op(name, fwd, ...)`, or `custom_op(name, ...)(fwd)`: the registered function and the whole call.
                var registered = call.argument("fn", position: 1)
                var registration = call.node
                if registered == nil, let outer = call.node.parent, outer.type == "call", outer.child(byField: "function") == call.node {
                    registered = callSite(outer).positional.first
                    registration = outer
                }
                guard let registered else { continue }
                let candidates = functionsDenoted(by: registered, depth: 0)
                let beside = candidates.filter { f in f.node.parent.map { isInside(call.node, $0) } ?? false }
                guard let function = beside.last ?? (candidates.count == 1 ? candidates.first : nil) else { continue }
                register(call.argument("name", position: 0), as: function)
                if let assignment = registration.parent, assignment.type == "assignment", assignment.child(byField: "right") == registration,
                   let target = assignment.child(byField: "left"), target.type == "identifier" {
                    result[target.text] = function
                }
            }
            return result
        }
    }

    /// The values a function returns (its own `return` statements, not those of nested functions); for a lambda
    /// (a method a `type(...)` namespace gives, or a local lambda a call runs, see `calledLambdaFunction`), its body.
    public func returnedValues(_ function: Function) -> [Node] {
        if function.node.type == "lambda" { return function.node.child(byField: "body").map { [$0] } ?? [] }
        return descendants(of: function.node).filter { n in
            n.type == "return_statement" && enclosingFunction(n)?.node == function.node
        }.compactMap { $0.namedChild(0) }
    }

    // MARK: Soft caps

    /// The soft caps applied on the logits flow.
    public func logitCaps() -> [LogitCap] { memoized("logitCaps") { computeLogitCaps() } }

    private func computeLogitCaps() -> [LogitCap] {
        let flow = logitsFlow()
        var caps: [LogitCap] = []
        var seen = Set<Node>()
        for expression in flow.expressions {
            // Read with the fields of the object the method around it runs on (`self.cap`).
            let objects = flow.fieldBindings(around: expression, self)
            for n in descendants(of: expression) where seen.insert(n).inserted {
                // A cap on what a projection then reads (`F.linear(c * torch.tanh(h / c), w)`) squashes the hidden
                // states, not the logits.
                if n.type == "call", isProjectionInput(n, within: expression) { continue }
                for fields in objects { caps += capsAt(n, bindings: fields) }
                // A compiled CUDA extension's function on the way (`_ext.softcap_fwd(x, cap)`, see `extensionCaps`).
                if n.type == "call", !extensionModuleNames.isEmpty {
                    for launch in extensionLaunches(callSite(n)) { caps += extensionCaps(launch) }
                }
            }
        }
        for launch in flow.launches {
            var found: [LogitCap] = []
            // The kernel and the jit helpers it calls, each with its own bound constants.
            let parts = kernelBodies(launch)
            for part in parts {
                for n in descendants(of: part.node) { found += capsAt(n, bindings: part.bindings) }
            }
            // A cap over several statements (`x / c`, then a tanh written with exp, then `c * t`), also split between
            // the kernel and a jit helper it calls (`cap * _tanh_of(z, cap)` with the helper dividing by its `cap`).
            for part in parts where found.isEmpty {
                found += splitCapScales(part).map { LogitCap(form: .tanh, scale: $0, divisor: $0, node: launch.call.node) }
            }
            if found.isEmpty, parts.count > 1 {
                found += splitCapScales(parts).map { LogitCap(form: .tanh, scale: $0, divisor: $0, node: launch.call.node) }
            }
            caps += found.map { LogitCap(form: $0.form, scale: $0.scale, divisor: $0.divisor, node: launch.call.node) }
        }
        // A library's fused loss given `softcap=` (see `libraryLossCaps`).
        return caps + libraryLossCaps
    }

    /// Whether `node` lies in what a projection inside `expression` multiplies by its weight: an argument of
    /// `F.linear`, `torch.matmul` / `mm` / `bmm` / `einsum`, or an operand of `@`; or what a decorator's wrapper hands
    /// the function it wraps when that function returns the head's projection (see `runsWrappedHead`).
    func isProjectionInput(_ node: Node, within expression: Node) -> Bool {
        for ancestor in ancestors(of: node) {
            if ancestor.type == "binary_operator", ancestor.child(byField: "operator")?.type == "@" { return true }
            if ancestor.type == "argument_list", let call = ancestor.parent, call.type == "call", call.child(byField: "arguments") == ancestor,
               ["torch.nn.functional.linear", "torch.matmul", "torch.mm", "torch.bmm", "torch.einsum"].contains(callSite(call).torchCallee)
                || runsWrappedHead(callSite(call)) {
                return true
            }
            if ancestor == expression { return false }
        }
        return false
    }

    /// Whether a call is a decorator's wrapper running the function it wraps (`fn(self, squash(x))`, see
    /// `decoratedTargets`) where that function returns the head's projection (`return self.lm_head(x)`): what the
    /// wrapper hands in is the head's input.
    func runsWrappedHead(_ call: CallSite) -> Bool {
        let wrapped = decoratedTargets(of: call)
        guard !wrapped.isEmpty else { return false }
        let model = self.model()
        return wrapped.allSatisfy { f in returnedValues(f).contains { model.projectionOwner(unwrapped($0)) != nil } }
    }

    /// A cap a kernel (or jit helper) computes over several statements: `x / c` in one place reaching a squashing call
    /// (tanh, a sigmoid, or `exp` for a tanh written out), and the squashed value reaching `c * t` in another, with the
    /// same bound constant `c > 1`. The constants found.
    public func splitCapScales(_ part: (node: Node, bindings: [String: Double])) -> [Double] {
        splitCapScales([part])
    }

    /// `splitCapScales` over several parts read together (a kernel and the jit helpers it calls, each with its own
    /// bound constants): the squashing call, the division and the product may lie in different parts. The values must
    /// flow along one chain: the division's result (directly, or through locals of its part) is read by a squashing
    /// call or by a call of a helper part that squashes, and that call's result (directly or through locals) is
    /// multiplied by the constant. A division by `c` and a product with `c` around an unrelated sigmoid (a gate, a
    /// temperature undone on the loss) are no cap.
    public func splitCapScales(_ parts: [(node: Node, bindings: [String: Double])]) -> [Double] {
        let partNames = Set(parts.compactMap { $0.node.child(byField: "name")?.text })
        // Helper parts that squash (their calls count as squashing calls).
        let squashingHelpers = Set(parts.filter { !squashingCalls(in: $0.node).isEmpty }.compactMap { $0.node.child(byField: "name")?.text })
        var found: [Double] = []
        for part in parts {
            let body = descendants(of: part.node)
            let squashes = squashingCalls(in: part.node) + body.filter { n in
                guard n.type == "call", callSite(n).receiver == nil else { return false }
                let name = callSite(n).name
                return squashingHelpers.contains(name) && partNames.contains(name)
            }
            guard !squashes.isEmpty else { continue }
            let flow = LocalFlow(part.node, facts: self)
            // Divisions whose result some squashing call of this part reads.
            let divisors = body.compactMap { n -> Double? in
                guard n.type == "binary_operator", n.child(byField: "operator")?.type == "/", let r = n.child(byField: "right"),
                      let d = evaluate(r, bindings: part.bindings) else { return nil }
                let reached = flow.dependents(of: flow.targets(containing: n))
                let feeds = squashes.contains { s in
                    guard let arguments = s.child(byField: "arguments") else { return false }
                    return isInside(n, arguments) || flow.mentions(arguments, anyOf: reached)
                }
                return feeds ? d : nil
            }
            // A helper part that squashes what it divides feeds its caller's product (`cap * _squash(z, cap)`).
            let helperDivisors: [Double] = squashes.flatMap { s -> [Double] in
                let name = callSite(s).name
                guard squashingHelpers.contains(name), let helper = parts.first(where: { $0.node.child(byField: "name")?.text == name }),
                      helper.node != part.node else { return [] }
                return splitCapDivisors(helper)
            }
            let squashed = flow.dependents(of: Set(squashes.flatMap { flow.targets(containing: $0) }))
            for n in body where n.type == "binary_operator" && n.child(byField: "operator")?.type == "*" {
                guard let l = n.child(byField: "left"), let r = n.child(byField: "right"),
                      let factor = [l, r].filter({ $0.type == "identifier" }).compactMap({ part.bindings[$0.text] }).first else { continue }
                let other = [l, r].first { !($0.type == "identifier" && part.bindings[$0.text] == factor) } ?? r
                let readsSquash = squashes.contains { isInside($0, other) || $0 == other } || flow.mentions(other, anyOf: squashed)
                guard readsSquash else { continue }
                found += (divisors + helperDivisors).filter { d in d > 1 && abs(factor - d) <= 1e-9 * d }
            }
        }
        return found
    }

    /// The constants a helper part divides by before a squashing call reads the quotient (`2.0 * z / cap` under
    /// `tl.sigmoid`).
    private func splitCapDivisors(_ part: (node: Node, bindings: [String: Double])) -> [Double] {
        let body = descendants(of: part.node)
        let squashes = squashingCalls(in: part.node)
        let flow = LocalFlow(part.node, facts: self)
        return body.compactMap { n -> Double? in
            guard n.type == "binary_operator", n.child(byField: "operator")?.type == "/", let r = n.child(byField: "right"),
                  let d = evaluate(r, bindings: part.bindings) else { return nil }
            let reached = flow.dependents(of: flow.targets(containing: n))
            return squashes.contains { s in
                guard let arguments = s.child(byField: "arguments") else { return false }
                return isInside(n, arguments) || flow.mentions(arguments, anyOf: reached)
            } ? d : nil
        }
    }

    /// The squashing calls of a kernel part: `tanh` and `sigmoid`, and an `exp` (`exp2`) written into a tanh or sigmoid,
    /// that is read, itself or through a name given its value directly, in the denominator of a division (`(e - 1) /
    /// (e + 1)`, `1 / (1 + exp(-x))`). The exponentials of a log-sum-exp (`tl.sum(tl.exp(z - m))`) squash nothing.
    func squashingCalls(in function: Node) -> [Node] {
        let body = descendants(of: function)
        let flow = LocalFlow(function, facts: self)
        let denominators = body.compactMap { n -> Node? in
            guard n.type == "binary_operator", n.child(byField: "operator")?.type == "/" else { return nil }
            return n.child(byField: "right")
        }
        return body.filter { n in
            guard n.type == "call" else { return false }
            switch callSite(n).name {
            case "tanh", "sigmoid": return true
            case "exp", "exp2":
                let direct = flow.directTargets(containing: n)
                return denominators.contains { d in isInside(n, d) || flow.mentions(d, anyOf: direct) }
            default: return false
            }
        }
    }

    /// A cap computed at `node`: a tanh or sigmoid call scaled outside and divided inside, `A / (1 + exp(-x / B))`, or
    /// a tanh written as `c * (2 * sigmoid(2 * x / c) - 1)`.
    func capsAt(_ node: Node, bindings: [String: Double]) -> [LogitCap] {
        guard node.type == "call" || node.type == "binary_operator" else { return [] }
        if node.type == "binary_operator" {
            // A / (1 + exp(-x / B))
            guard node.child(byField: "operator")?.type == "/", let left = node.child(byField: "left"),
                  let right = node.child(byField: "right"), let a = evaluate(left, bindings: bindings) else { return [] }
            let terms = addends(right)
            guard terms.count == 2, let one = terms.first(where: { evaluate($0, bindings: bindings) == 1 }),
                  let exp = terms.first(where: { $0 != one }), exp.type == "call",
                  callSite(exp).name == "exp",
                  let argument = callSite(exp).positional.first,
                  let b = negatedDivisor(argument, bindings: bindings) else { return [] }
            return [LogitCap(form: .sigmoid, scale: a, divisor: b, node: node)]
        }
        let call = callSite(node)
        let form: LogitCap.Form
        switch call.name {
        case "tanh", "tanh_": form = .tanh
        case "sigmoid", "sigmoid_", "expit": form = .sigmoid
        default: return []
        }
        guard let input = call.positional.first ?? call.receiver, let divisor = divisor(of: input, bindings: bindings) else { return [] }
        // tanh written with a sigmoid: c * (2 * sigmoid(2 * x / c) - 1) is c * tanh(x / c).
        if form == .sigmoid, let shifted = doubledMinusOne(node, bindings: bindings) {
            guard let scale = scale(of: shifted, bindings: bindings) else { return [] }
            return [LogitCap(form: .tanh, scale: scale, divisor: 2 * divisor, node: shifted)]
        }
        guard let scale = scale(of: node, bindings: bindings) else { return [] }
        return [LogitCap(form: form, scale: scale, divisor: divisor, node: node)]
    }

    /// For a sigmoid call inside `2 * sigmoid(...) - 1`, that whole expression.
    func doubledMinusOne(_ call: Node, bindings: [String: Double]) -> Node? {
        // The binary operation a node is an operand of, through parentheses.
        func up(_ n: Node) -> Node? {
            var current = n
            while let p = current.parent, p.type == "parenthesized_expression" { current = p }
            guard let parent = current.parent, parent.type == "binary_operator" else { return nil }
            return parent
        }
        guard let product = up(call), product.child(byField: "operator")?.type == "*",
              let l = product.child(byField: "left"), let r = product.child(byField: "right"),
              evaluate(unparenthesized(l).byteRange == call.byteRange ? r : l, bindings: bindings) == 2,
              let difference = up(product), difference.child(byField: "operator")?.type == "-",
              let one = difference.child(byField: "right"), evaluate(one, bindings: bindings) == 1,
              let left = difference.child(byField: "left"), unparenthesized(left).byteRange == product.byteRange else { return nil }
        return difference
    }

    /// `c` in `x / c`, `x.div(c)`, `x.div_(c)`, `x * (1 / c)`, also through a local set just before
    /// (`z = z / c; z = torch.tanh(z)`).
    func divisor(of node: Node, bindings: [String: Double], depth: Int = 0) -> Double? {
        let node = unparenthesized(node)
        if node.type == "identifier", bindings[node.text] == nil, depth < 2,
           let value = latestValue(of: node.text, before: node), value != node {
            return divisor(of: value, bindings: bindings, depth: depth + 1)
        }
        if node.type == "binary_operator", let op = node.child(byField: "operator")?.type,
           let left = node.child(byField: "left"), let right = node.child(byField: "right") {
            if op == "/" {
                // `2 * x / c` divides x by c / 2.
                guard let d = evaluate(right, bindings: bindings) else { return nil }
                let l = unparenthesized(left)
                if l.type == "binary_operator", l.child(byField: "operator")?.type == "*",
                   let a = l.child(byField: "left"), let b = l.child(byField: "right") {
                    if let k = evaluate(a, bindings: bindings), evaluate(b, bindings: bindings) == nil, k != 0 { return d / k }
                    if let k = evaluate(b, bindings: bindings), evaluate(a, bindings: bindings) == nil, k != 0 { return d / k }
                }
                return d
            }
            if op == "*" {
                for (factor, other) in [(right, left), (left, right)] where evaluate(other, bindings: bindings) == nil {
                    if let f = evaluate(factor, bindings: bindings), f != 0, f < 1 { return 1 / f }
                }
            }
            return nil
        }
        if node.type == "call" {
            let call = callSite(node)
            if ["div", "div_", "true_divide"].contains(call.name), let c = call.positional.last { return evaluate(c, bindings: bindings) }
            if ["float", "to", "type_as", "bfloat16"].contains(call.name), let receiver = call.receiver { return divisor(of: receiver, bindings: bindings) }
        }
        return nil
    }

    /// `B` in `-x / B`, `-(x / B)`, `-x * (1 / B)` (`-z * (2.0 / 15.0)` for B = 7.5).
    func negatedDivisor(_ node: Node, bindings: [String: Double]) -> Double? {
        let node = unparenthesized(node)
        if node.type == "unary_operator", node.child(byField: "operator")?.type == "-", let inner = node.child(byField: "argument") {
            return divisor(of: inner, bindings: bindings)
        }
        if node.type == "binary_operator", let op = node.child(byField: "operator")?.type, op == "/" || op == "*",
           let left = node.child(byField: "left") {
            let l = unparenthesized(left)
            if l.type == "unary_operator", l.child(byField: "operator")?.type == "-", evaluate(l, bindings: bindings) == nil {
                return divisor(of: node, bindings: bindings)
            }
        }
        return nil
    }

    /// The factor multiplying a call's result: `c * f(...)`, `f(...) * c`, `f(...).mul(c)`, or `c * t` after
    /// `t = f(...)` in the same function.
    func scale(of node: Node, bindings: [String: Double]) -> Double? {
        var current = node
        while let parent = current.parent, parent.type == "parenthesized_expression" { current = parent }
        guard let parent = current.parent else { return nil }
        if parent.type == "binary_operator", parent.child(byField: "operator")?.type == "*",
           let left = parent.child(byField: "left"), let right = parent.child(byField: "right") {
            return evaluate(left == current ? right : left, bindings: bindings)
        }
        if parent.type == "attribute", parent.child(byField: "object") == current, let call = parent.parent, call.type == "call",
           ["mul", "mul_"].contains(parent.child(byField: "attribute")?.text ?? ""),
           let factor = callSite(call).positional.first {
            return evaluate(factor, bindings: bindings)
        }
        if parent.type == "assignment", parent.child(byField: "right") == current,
           let target = parent.child(byField: "left"), target.type == "identifier" {
            let scope = enclosingFunction(node)?.node ?? root
            for n in descendants(of: scope) where n.type == "binary_operator" && n.child(byField: "operator")?.type == "*" && n.startByte > parent.endByte {
                guard let l = n.child(byField: "left"), let r = n.child(byField: "right") else { continue }
                if l.type == "identifier", l.text == target.text, let v = evaluate(r, bindings: bindings) { return v }
                if r.type == "identifier", r.text == target.text, let v = evaluate(l, bindings: bindings) { return v }
            }
        }
        return nil
    }
}
