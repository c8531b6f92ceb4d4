import Parsing
import TreeSitterKit

/// `reduce_host_syncs`: the training step stops making the CPU wait for the GPU: the per-step scalar given to the
/// model is refreshed without a blocking copy, and the loss is not read back every step.
///
/// Requires a training loop (the outermost `for` or `while` loop around a model call that is back-propagated, so a
/// micro-step loop inside it is judged with it) that (a) passes the model a device
/// scalar refreshed in place without a blocking copy, `t.copy_(v, non_blocking=True)` or `t.fill_(v)` (a kernel given
/// the number; not a value read back, `fill_(x.item())`), under a change test (`if v != previous`), directly or
/// returned by a helper that refreshes it (`window.update(step)`), or taken from a
/// cached helper (`functools.lru_cache`/`cache`) that returns a pinned tensor moved with `non_blocking=True`;
/// and (b) reads no loss value back on every step: no `.item()`, `.tolist()`, `.cpu()`, `.numpy()`,
/// `float(...)`/`int(...)` or f-string formatting of a value derived from the model call, except under a
/// periodic (`step % k`) or validation (`.eval()`, `no_grad`) branch. Rejects a new device tensor built every
/// step, and a per-step `loss.item()` print even when the window copy is asynchronous. Examples:
/// `queries/python/reduce_host_syncs/examples/`.
struct ReduceHostSyncs: Detector {
    let id = "reduce_host_syncs"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        let loops = facts.nodes(ofType: ["for_statement", "while_statement"])
        var modelCalls: [Node: [CallSite]] = [:]
        for loop in loops {
            if let body = loop.child(byField: "body") { modelCalls[loop] = AttentionWindowWarmup.modelCalls(in: body, facts, flow) }
        }
        for loop in loops {
            // The step loop is the outermost one around the model call: an accumulation loop inside it is judged with
            // it (a read-back of the loss after the micro-steps counts).
            guard let body = loop.child(byField: "body"), var models = modelCalls[loop],
                  !facts.enclosingLoops(loop).contains(where: { modelCalls[$0]?.isEmpty == false }) else { continue }
            // A loop that runs its step through methods of a trainer (`self.training_step()` back-propagating
            // `self.model(self.x, self.y, self.window)`): the model calls of those methods, whose bodies are judged for
            // read-backs with the loop's, and whose results in the loop derive from the loss.
            var bodies = [body]
            var stepCalls: Set<Node> = []
            if models.isEmpty {
                let delegated = AttentionWindowWarmup.delegatedSteps(in: body, facts, flow)
                models = delegated.flatMap(\.models)
                bodies += delegated.flatMap { $0.chain.compactMap(\.function.body) }
                stepCalls = Set(delegated.map(\.call.node))
            }
            guard !models.isEmpty, let scalar = asyncScalar(models, facts, flow),
                  !bodies.contains(where: { syncsOnLoss($0, models, derivedFrom: stepCalls, facts, flow) }),
                  !readsBackStoredResult(body, stepCalls, facts) else { continue }
            return [facts.evidence(scalar, "per-step scalar refreshed without a blocking copy; no per-step loss read-back")]
        }
        return []
    }

    // MARK: (a) the scalar given to the model

    func asyncScalar(_ models: [CallSite], _ facts: PythonFacts, _ flow: Dataflow) -> Node? {
        let arguments = models.flatMap { $0.positional + Array($0.keywords.values) }
        var passed = Set(arguments.flatMap { facts.descendants($0) }.map(facts.compact))
        // A name passed that another name was given (`window = window_dev`, then `model(x, y, window)`).
        for argument in arguments.map(facts.unwrapped) where argument.type == "identifier" {
            var name = argument
            for _ in 0..<3 {
                guard let value = flow.latestValue(of: name.text, before: name).map(facts.unwrapped),
                      ["identifier", "attribute"].contains(value.type), passed.insert(facts.compact(value)).inserted else { break }
                if value.type != "identifier" { break }
                name = value
            }
        }
        // A step method of the file (`module.training_step(batch, step)`) passes its own fields to the model
        // (`self.net(x, y, self.window)`).
        let passedFields = models.flatMap { facts.targets(of: $0) }.flatMap { method in
            facts.descendants(of: method.node).filter { $0.type == "call" }.flatMap { facts.callArguments(facts.callSite($0)) }
        }.map(facts.unwrapped).filter { isOwnField($0, facts) }
            // The loop's own fields passed to the model (`self.model(x, y, self.state["window"])` in a trainer's
            // `fit`), which a callback handed the trainer writes (`trainer.state["window"].copy_(...)`).
            + arguments.map(facts.unwrapped).filter { isOwnField($0, facts) && facts.enclosingClass($0) != nil }
        // t.copy_(v, non_blocking=True) or t.fill_(v) under a change test, t passed to the model.
        for call in facts.calls where call.name == "copy_" || call.name == "fill_" {
            guard nonBlockingRefresh(call, facts), let receiver = call.receiver, underChangeTest(call.node, facts) else { continue }
            if passed.contains(facts.compact(receiver)) { return call.node }
            if passedFields.contains(where: { sameField(receiver, $0, facts, flow) }) { return call.node }
            // A helper that refreshes the tensor and returns it (`def update(self, step): ... self.dev.copy_(...,
            // non_blocking=True); return self.dev`), whose result is what the model gets.
            guard let helper = facts.enclosingFunction(call.node),
                  facts.descendants(of: helper.node).contains(where: { n in
                      n.type == "return_statement" && n.namedChildren.first.map { facts.compact($0) == facts.compact(receiver) } == true
                  }) else { continue }
            for argument in arguments {
                var value = facts.unwrapped(argument)
                if value.type == "identifier", let bound = flow.latestValue(of: value.text, before: value) { value = facts.unwrapped(bound) }
                guard value.type == "call" else { continue }
                if facts.targets(of: facts.callSite(value)).contains(where: { $0.node == helper.node }) { return call.node }
            }
        }
        // cached(v) returning a pinned tensor moved with non_blocking=True.
        for argument in arguments {
            for node in facts.descendants(argument) where node.type == "call" {
                let call = facts.callSite(node)
                // The function the call runs: a helper by its name, or a cached static method (`self.sw_blocks(w)`).
                guard let function = facts.targets(of: call).first(where: { $0.node.type == "function_definition" }),
                      function.decorators.contains(where: { $0.hasSuffix("lru_cache") || $0.hasSuffix("cache") }) else { continue }
                let helper = function.node
                let inside = facts.descendants(helper).filter { $0.type == "call" }.map { facts.callSite($0) }
                if inside.contains(where: { $0.keywords["pin_memory"].map(facts.isTruthy) == true }),
                   inside.contains(where: { $0.keywords["non_blocking"].map(facts.isTruthy) == true }) {
                    return node
                }
            }
        }
        return nil
    }

    /// An in-place refresh the host does not wait for: `t.copy_(v, non_blocking=True)`, or `t.fill_(v)`, which hands
    /// the number to a kernel (no copy at all), unless its value is read back from a tensor (`t.fill_(x.item())`).
    func nonBlockingRefresh(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        switch call.name {
        case "copy_":
            return call.keywords["non_blocking"].map(facts.isTruthy) == true
        case "fill_":
            guard let value = call.positional.first ?? call.keywords["value"] else { return false }
            return !facts.descendants(value).contains { n in n.type == "call" && Self.readBacks.contains(facts.callSite(n).name) }
        default:
            return false
        }
    }

    /// A field of the instance, `self.window`, or one entry of it, `self.state["window"]`.
    func isOwnField(_ node: Node, _ facts: PythonFacts) -> Bool {
        let n = facts.unwrapped(node)
        if n.type == "subscript", let value = n.child(byField: "value") { return isOwnField(value, facts) && facts.unwrapped(value).type == "attribute" }
        return n.type == "attribute" && n.child(byField: "object")?.text == "self"
    }

    /// Whether `object.name` (a callback's `module.window`) is the field `self.name` of a class method reads: the
    /// same name, on an object that may be an instance of that class (or of unknown class); also one entry of it
    /// (`trainer.state["window"]` and `self.state["window"]`, the same constant key).
    func sameField(_ written: Node, _ read: Node, _ facts: PythonFacts, _ flow: Dataflow) -> Bool {
        let written = facts.unwrapped(written)
        let read = facts.unwrapped(read)
        if written.type == "subscript" || read.type == "subscript" {
            guard written.type == "subscript", read.type == "subscript",
                  let writtenKey = written.child(byField: "subscript"), let readKey = read.child(byField: "subscript"),
                  ["string", "integer"].contains(facts.unwrapped(readKey).type), facts.compact(writtenKey) == facts.compact(readKey),
                  let writtenField = written.child(byField: "value"), let readField = read.child(byField: "value") else { return false }
            return sameField(writtenField, readField, facts, flow)
        }
        guard written.type == "attribute", let name = written.child(byField: "attribute")?.text,
              read.child(byField: "attribute")?.text == name, let object = written.child(byField: "object"),
              let owner = facts.enclosingClass(read) else { return false }
        let classes = object.text == "self" ? Set(facts.enclosingClass(written).map { [$0.name] } ?? []) : flow.instanceClasses(of: object)
        return classes.isEmpty || classes.contains(owner.name)
    }

    /// Inside an `if a != b:` (or `if not a == b:`) branch.
    func underChangeTest(_ node: Node, _ facts: PythonFacts) -> Bool {
        var current = node.parent
        while let c = current, c.type != "function_definition" {
            if c.type == "if_statement", let condition = c.child(byField: "condition"),
               facts.descendants(condition).contains(where: { $0.type == "comparison_operator" && $0.children.contains { $0.type == "!=" } }) {
                return true
            }
            current = c.parent
        }
        return false
    }

    // MARK: (b) loss read back every step

    static let readBacks: Set<String> = ["item", "tolist", "cpu", "numpy"]

    /// `derivedFrom`: other calls whose results derive from the loss (a step method the loop calls).
    func syncsOnLoss(_ body: Node, _ models: [CallSite], derivedFrom: Set<Node> = [], _ facts: PythonFacts, _ flow: Dataflow) -> Bool {
        // Names holding the model's output or values derived from it, in the loop.
        var lossNames = Set<String>()
        let modelNodes = Set(models.map(\.node)).union(derivedFrom)
        var changed = true
        let assignments = facts.descendants(body).filter { $0.type == "assignment" || $0.type == "augmented_assignment" }
        while changed {
            changed = false
            for assignment in assignments {
                guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right") else { continue }
                let parts = facts.descendants(right)
                let derived = parts.contains { modelNodes.contains($0) } || parts.contains { $0.type == "identifier" && lossNames.contains($0.text) }
                guard derived else { continue }
                for target in facts.descendants(left) where target.type == "identifier" && !lossNames.contains(target.text) {
                    if target.parent?.type == "attribute", target.parent?.child(byField: "object") != target { continue }
                    lossNames.insert(target.text)
                    changed = true
                }
            }
        }
        func mentionsLoss(_ node: Node) -> Bool {
            facts.descendants(of: node).contains { modelNodes.contains($0) || ($0.type == "identifier" && lossNames.contains($0.text)) }
        }
        return facts.descendants(of: body).contains { readsBack($0, facts, mentioning: mentionsLoss) && !exempt($0, body, facts) }
    }

    /// Whether the loop stores what a step method returns in a field (`self.state.output = self._process(self,
    /// batch)`) that some code of the file reads back (`engine.state.output.item()` in a handler fired every
    /// iteration): such code runs outside the loop's own text, through event handlers the file registers, so any
    /// read-back of the field counts unless it stands in a periodic or validation branch of its own function.
    func readsBackStoredResult(_ body: Node, _ stepCalls: Set<Node>, _ facts: PythonFacts) -> Bool {
        guard !stepCalls.isEmpty else { return false }
        var fields = Set<String>()
        for assignment in facts.descendants(body) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), left.type == "attribute", let name = left.child(byField: "attribute")?.text,
                  let right = assignment.child(byField: "right"), ([right] + facts.descendants(right)).contains(where: stepCalls.contains)
            else { continue }
            fields.insert(name)
        }
        guard !fields.isEmpty else { return false }
        func mentionsField(_ node: Node) -> Bool {
            ([node] + facts.descendants(node)).contains { $0.type == "attribute" && $0.child(byField: "attribute").map { fields.contains($0.text) } == true }
        }
        return facts.nodes(ofType: ["call", "interpolation"]).contains { node in
            readsBack(node, facts, mentioning: mentionsField) && !exempt(node, facts.enclosingFunction(node)?.node ?? facts.root, facts)
        }
    }

    /// Whether a node makes the host wait for a value `mentions` recognizes: `.item()`, `.tolist()`, `.cpu()` or
    /// `.numpy()` on it, `float(...)`, `int(...)` or `print(...)` of it, or an f-string field formatting it
    /// (`f"{loss.item():.4f}"`, `f"{loss}"`).
    func readsBack(_ node: Node, _ facts: PythonFacts, mentioning mentions: (Node) -> Bool) -> Bool {
        switch node.type {
        case "call":
            let call = facts.callSite(node)
            if Self.readBacks.contains(call.name), let receiver = call.receiver, mentions(receiver) { return true }
            return ["float", "int", "print"].contains(call.callee) && call.positional.contains(where: mentions)
        case "interpolation":
            return mentions(node)
        default:
            return false
        }
    }

    /// Under a periodic (`step % k == 0`) or validation branch of the loop.
    func exempt(_ node: Node, _ body: Node, _ facts: PythonFacts) -> Bool {
        var current = node.parent
        while let c = current, c != body {
            if c.type == "if_statement" || c.type == "elif_clause", let condition = c.child(byField: "condition"),
               facts.descendants(condition).contains(where: { $0.type == "binary_operator" && $0.child(byField: "operator")?.type == "%" }) {
                return true
            }
            if c.type == "if_statement", let consequence = c.child(byField: "consequence"),
               facts.descendants(consequence).contains(where: { n in
                   n.type == "call" && ["eval", "no_grad", "inference_mode"].contains(facts.callSite(n).name)
               }) {
                return true
            }
            current = c.parent
        }
        return false
    }
}
