import Parsing
import TreeSitterKit

/// `logit_softcap`: the output logits are soft-capped with a scaled tanh before the loss.
///
/// Requires, after the output head's projection (see `untied_lm_head` for how the head is found), a cap applied
/// to the logits: `c * tanh(z / c)` with the same c on both sides after resolving and folding (any spelling the
/// logits facts know: `torch.tanh(z / c) * c`, `c * (z / c).tanh()`, `z * (1 / c)`), or the offset sigmoid form
/// `4b * sigmoid(z / b)` (= 2c * sigmoid(2z / c), a tanh cap shifted by a constant), in the function that
/// computes the logits, in a forward hook registered on the head, or in a function, Triton kernel or compiled CUDA
/// extension kernel (`load_inline`, see `PythonFacts.extensionCaps`) the logits are passed to (a kernel computing tanh as
/// `2 * sigmoid(2u) - 1` included), in an entry of a table of transforms the logits run through
/// (`for _, fn in self.post.items(): logits = fn(logits)`, see `PythonFacts.tableCallables`), or in the wrapper a decorator of the file puts around the function that returns the
/// logits (`@softcapped(cap=30.0) def head(...)`, capping what the wrapped function returns); the division, tanh and
/// product may be separate statements on one name. When no
/// head is named, a cap on the expressions that reach the cross-entropy (`facts.logitCaps()`, which also enters
/// lambdas) counts. Rejects a
/// cap defined but never applied to the logits, a cap under a condition that is off, a hard clamp, tanh on
/// attention scores or hidden states, a cap on the loss computed from the logits, and mismatched constants. Examples: `queries/python/logit_softcap/examples/`.
struct LogitSoftcap: Detector {
    let id = "logit_softcap"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        if !facts.model().outputHeads.isEmpty {
            let afterHead = capAfterHead(facts, accept: isSoftcap)
            if !afterHead.isEmpty { return afterHead }
        }
        // No head the model facts name (a functional einsum readout, a module stage), or none of its readings finds the
        // cap (a registered custom op the head's output is handed to): a cap on what reaches the cross-entropy, followed
        // back from the loss.
        for cap in facts.logitCaps() where isSoftcap(cap) && !facts.isInDeadBranch(cap.node) {
            return [facts.evidence(cap.node, "logits soft-capped at \(cap.scale) before the loss")]
        }
        return []
    }

    /// A cap `accept` takes applied after the output head's projection, in its function or a function the logits are
    /// passed to. (`logit_softcap_15` reads the head the same way, taking only caps at 15.)
    func capAfterHead(_ facts: PythonFacts, accept: (LogitCap) -> Bool) -> [Evidence] {
        let model = facts.model()
        let heads = Set(model.outputHeads.map(\.name))
        guard !heads.isEmpty else { return [] }
        let sites = facts.nodes.filter { n in
            (n.type == "call" || n.type == "binary_operator") && model.projectionOwner(n).map(heads.contains) == true
        }
        for site in sites {
            let scope = facts.enclosingFunction(site)?.node ?? facts.root
            let names = logitsNames(from: site, facts)
            func onLogits(_ node: Node) -> Bool {
                facts.isInside(site, node) || names.contains { facts.mentions(node, $0) }
            }
            // The cap in the same function.
            for n in facts.descendants(of: scope) where n.startByte >= site.startByte {
                for cap in facts.capsAt(n, bindings: [:]) where accept(cap) && !facts.isInDeadBranch(cap.node) {
                    // A cap written as a call takes the logits as its input; one written with operators
                    // (`A / (1 + torch.exp(-z / B))`) mentions them.
                    let input = cap.node.type == "call" ? facts.callSite(cap.node).positional.first ?? facts.callSite(cap.node).receiver : cap.node
                    if let input, onLogits(input) {
                        return [facts.evidence(cap.node, "logits soft-capped at \(cap.scale)")]
                    }
                }
            }
            // The head's own module caps what it returns (a class of the file built for it, or put in its place).
            if let cap = capInHeadModule(site, facts, accept: accept) {
                return [facts.evidence(site, "output head"), facts.evidence(cap, "head module soft-caps its logits")]
            }
            // A forward hook on the head that caps what the head hands back (`lm_head.register_forward_hook(h)`).
            // (Only a head call the loss reads: another module's attribute of the same name is not the head.)
            if site.type == "call", facts.logitsFlow().expressions.contains(where: { facts.isInside(site, $0) }) {
                for hook in facts.forwardHooks(on: facts.callSite(site), kind: .output) {
                    // What the hook hands back is the cap (`c * tanh(z / c)`, the tanh or sigmoid one of its operands).
                    for core in facts.resultCores(of: hook) {
                        let operands = core.type == "binary_operator" ? core.namedChildren.map(facts.unparenthesized) : []
                        if let cap = ([core] + operands).first(where: { facts.capsAt($0, bindings: [:]).contains(where: accept) }) {
                            return [facts.evidence(hook.registration.node, "forward hook on the head"), facts.evidence(cap, "soft cap")]
                        }
                    }
                }
            }
            // A decorator of the file around the function that returns the logits (`@softcapped(cap=30.0) def
            // head(self, x): return self.lm_head(x)`): its wrapper caps what the wrapped function returns.
            if let function = facts.enclosingFunction(site), facts.returnedValues(function).contains(where: onLogits),
               !facts.isInDeadBranch(site) {
                for wrapper in facts.decoratorWrappers(of: function) {
                    // The factory's parameters as this function's decorator line gives them (`@capped(limit=30.0)`).
                    let bound = facts.decoratorBindings(of: function, wrapper: wrapper) ?? [:]
                    if let cap = capOnWrappedResult(wrapper, facts, bindings: bound, accept: accept) {
                        return [facts.evidence(site, "logits computed in a decorated function"), facts.evidence(cap, "decorator soft-caps its result")]
                    }
                }
            }
            // The logits handed to a function of the file (or a kernel it launches) or a lambda that caps them.
            for call in facts.calls where facts.isInside(call.node, scope) && call.node != site
                && (call.node.startByte >= site.startByte || facts.isInside(site, call.node)) {
                guard call.positional.contains(where: onLogits), !facts.isInDeadBranch(call.node) else { continue }
                // A name set to a lambda (`cap = lambda z, c=30.0: c * torch.tanh(z / c)`): its expression.
                if call.receiver == nil, let body = facts.lambdaBody(call.name),
                   let cap = facts.descendants(of: body).first(where: { facts.capsAt($0, bindings: [:]).contains(where: accept) }) {
                    return [facts.evidence(call.node, "logits passed to a soft cap"), facts.evidence(cap, "soft cap")]
                }
                // A table of callables the logits run through (`for name, fn in self.logit_transforms.items(): logits =
                // fn(logits)` with a lambda entry that caps).
                for entry in facts.tableCallables(call) ?? [] {
                    let callable = facts.unwrapped(entry)
                    let body = callable.type == "lambda" ? callable.child(byField: "body") : nil
                    if let body, let cap = ([body] + facts.descendants(of: body)).first(where: { facts.capsAt($0, bindings: [:]).contains(where: accept) }) {
                        return [facts.evidence(call.node, "logits passed through a table of transforms"), facts.evidence(cap, "soft cap")]
                    }
                    if callable.type == "identifier", let target = facts.function(named: callable.text).first,
                       let cap = capInside(target, facts, fields: [[:]], accept: accept) {
                        return [facts.evidence(call.node, "logits passed through a table of transforms"), facts.evidence(cap, "soft cap")]
                    }
                }
                // (A decorator's wrapper is read above, by what it does to the wrapped function's result.)
                for target in facts.targets(of: call) where (!facts.forwardMethodNames.contains(target.name) || !facts.isInside(target.node, scope))
                    && !facts.isDecoratorWrapper(target) {
                    // A method of an object the file builds reads that object's fields (`self.cap` of `SoftCap(30.0)`).
                    let objects = facts.objectCalls(call).filter { $0.method.node == target.node }
                    let fields: [[String: Double]] = objects.isEmpty ? [[:]] : objects.map { facts.fieldBindings(of: $0.construction) }
                    if let cap = capInside(target, facts, fields: fields, accept: accept) {
                        return [facts.evidence(call.node, "logits passed to a soft cap"), facts.evidence(cap, "soft cap")]
                    }
                }
            }
        }
        return []
    }

    /// A cap `accept` takes that a decorator's wrapper puts on the result of the function it wraps: on the call that
    /// runs the wrapped function (`fn(*args, **kwargs)`, see `PythonFacts.decoratedTargets`) or on a name assigned
    /// from it (`out = fn(...)`; `return cap * torch.tanh(out / cap)`, with `cap` what the decorator factory's call
    /// passes, `bindings`: another function wearing the same factory with another value does not count). A cap on the
    /// wrapper's arguments is not one on the result.
    func capOnWrappedResult(_ wrapper: PythonFacts.Function, _ facts: PythonFacts, bindings: [String: Double] = [:],
                            accept: (LogitCap) -> Bool) -> Node? {
        let runs = facts.calls.filter { facts.isInside($0.node, wrapper.node) && !facts.decoratedTargets(of: $0).isEmpty }
        guard !runs.isEmpty else { return nil }
        var names = Set<String>()
        for assignment in facts.descendants(of: wrapper.node) where assignment.type == "assignment" {
            guard let right = assignment.child(byField: "right"), runs.contains(where: { facts.isInside($0.node, right) }) else { continue }
            for bound in facts.assignedNames(assignment) { names.insert(bound.name) }
        }
        for n in facts.descendants(of: wrapper.node) {
            for cap in facts.capsAt(n, bindings: bindings) where accept(cap) && !facts.isInDeadBranch(cap.node) {
                let input = cap.node.type == "call" ? facts.callSite(cap.node).positional.first ?? facts.callSite(cap.node).receiver : cap.node
                guard let input else { continue }
                if runs.contains(where: { facts.isInside($0.node, input) }) || names.contains(where: { facts.mentions(input, $0) }) { return cap.node }
            }
        }
        return nil
    }

    /// Names holding the logits after the projection: assigned from it, or from such a name.
    func logitsNames(from site: Node, _ facts: PythonFacts) -> [String] {
        var names: [String] = []
        for assignment in facts.assignments(around: site).sorted(by: { $0.startByte < $1.startByte })
        where assignment.type == "assignment" && assignment.endByte > site.startByte {
            for bound in facts.assignedNames(assignment) {
                guard let value = bound.value, !isLoss(value, facts) else { continue }
                if facts.isInside(site, value) || names.contains(where: { facts.mentions(value, $0) }) {
                    if !names.contains(bound.name) { names.append(bound.name) }
                }
            }
        }
        return names
    }

    /// A loss computed from the logits (`F.cross_entropy(logits, y, reduction="none")`, any of `lossCalls`): what it
    /// holds are no longer logits, and a cap on it (a robust loss) is no logit cap.
    func isLoss(_ value: Node, _ facts: PythonFacts) -> Bool {
        facts.lossCalls.contains { facts.isInside($0.node, value) }
    }

    /// `c * tanh(z / c)` (c > 0) or `4b * sigmoid(z / b)`.
    func isSoftcap(_ cap: LogitCap) -> Bool {
        guard cap.divisor > 0 else { return false }
        switch cap.form {
        case .tanh: return abs(cap.scale - cap.divisor) <= 1e-6 * cap.divisor
        case .sigmoid: return abs(cap.scale - 4 * cap.divisor) <= 1e-6 * cap.divisor
        }
    }

    /// A soft cap computed in a function or a function it calls (their parameters bound to the values they resolve
    /// to), or in a kernel they launch (bound to the launch's arguments). `fields`: for a method, the fields of each
    /// object it may run on (see `PythonFacts.fieldBindings(of:)`), which hold in the methods of its class.
    func capInside(_ function: PythonFacts.Function, _ facts: PythonFacts, fields: [[String: Double]] = [[:]],
                   accept: (LogitCap) -> Bool) -> Node? {
        // The function and what it calls in turn (a wrapper around an autograd function whose `forward` launches the
        // kernel, say).
        let reached = facts.reachableFunctions(from: function)
        let owners = Set(facts.enclosingClass(function.node).map { facts.lineage(of: $0).map(\.node) } ?? [])
        for g in reached {
            let bindings = facts.enclosingClass(g.node).map { owners.contains($0.node) } == true ? fields : [[:]]
            for n in facts.descendants(of: g.node) where bindings.contains(where: { facts.capsAt(n, bindings: $0).contains(where: accept) }) {
                return n
            }
        }
        for launch in reached.flatMap({ facts.kernelLaunches(in: $0.node) }) {
            let parts = facts.kernelBodies(launch)
            for part in parts
            where facts.descendants(of: part.node).contains(where: { n in facts.capsAt(n, bindings: part.bindings).contains(where: accept) }) {
                return launch.call.node
            }
            // tanh through a sigmoid (2 * sigmoid(2u) - 1), exp or a tanh call, with x / c inside and c * t outside, in
            // the kernel or in a jit helper it calls.
            for part in parts where facts.splitCapScales(part).contains(where: { accept(LogitCap(form: .tanh, scale: $0, divisor: $0, node: launch.call.node)) }) {
                return launch.call.node
            }
        }
        // A compiled CUDA extension's function one of them calls, whose kernel caps (see `PythonFacts.extensionCaps`).
        if !facts.extensionModuleNames.isEmpty {
            for g in reached {
                for call in facts.calls where facts.isInside(call.node, g.node) {
                    if facts.extensionLaunches(call).contains(where: { facts.extensionCaps($0).contains(where: accept) }) { return call.node }
                }
            }
        }
        return nil
    }
}
