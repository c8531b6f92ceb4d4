import Parsing
import TreeSitterKit

/// Where a Muon-style update is computed: optimizer classes whose `step` orthogonalizes (whether or not the file
/// instantiates them), and functions outside classes that orthogonalize while updating parameters (a functional
/// step). Built on `OrthogonalizationFacts`.
extension PythonFacts {
    /// Nodes (class or function definitions) that compute an orthogonalized update.
    public var orthogonalizedUpdateScopes: [Node] {
        memoized("orthogonalizedUpdateScopes") {
            let orthogonalizers = orthogonalizerNames
            var scopes: [Node] = []
            for c in classes {
                guard let step = function(named: "step").first(where: { isInside($0.node, c.node) }),
                      orthogonalizes(reachableFunctions(from: step)) else { continue }
                scopes.append(c.node)
            }
            for f in functions where f.parameters.first != "self" && !orthogonalizers.contains(f.name)
                && !scopes.contains(where: { isInside(f.node, $0) })
                && orthogonalizes(reachableFunctions(from: f)) {
                scopes.append(f.node)
            }
            // A chain of transformations: the factories of its links from the orthogonalizing one on (a
            // `scale_by_shape()` after `scale_by_orthogonalization(...)` scales the orthogonalized update).
            for chain in transformChains {
                for link in chain.orthogonalizingLinks(in: self) where !scopes.contains(where: { isInside(link.factory.node, $0) }) {
                    scopes.append(link.factory.node)
                }
            }
            return scopes
        }
    }

    /// Names of the file's optimizer classes whose `step` orthogonalizes: its own, or one inherited from a base class
    /// of the file (`class Muon(ShardedStepMixin, OrthogonalMomentum, Optimizer)` with the step in the mixin).
    public var orthogonalizingClassNames: Set<String> {
        memoized("orthogonalizingClassNames") {
            let scopes = orthogonalizedUpdateScopes
            return Set(classes.filter { c in
                scopes.contains(c.node) || method("step", of: c).map { step in scopes.contains { isInside(step.node, $0) } } == true
            }.map(\.name))
        }
    }

    /// Optimizer constructions that orthogonalize: Muon-family (`torch.optim.Muon`, `Muon`), a class of the file
    /// whose `step` orthogonalizes, or an optimizer made to orthogonalize by the hooks registered on it
    /// (`torch.optim.SGD(...)` with an orthogonalizing `register_step_pre_hook`; see `optimizerHooks`).
    public var orthogonalizingOptimizerUses: [OptimizerUse] {
        memoized("orthogonalizingOptimizerUses") {
            let own = orthogonalizingClassNames
            let hooked = Set(orthogonalizingOptimizers.filter { !$0.hooks.isEmpty }.flatMap(\.uses).map(\.node))
            return optimizers.filter { $0.family == .muon || own.contains($0.call.name) || hooked.contains($0.call.node) }
        }
    }

    /// Names the orthogonalizing optimizers are kept in (`opt = Muon(...)`; `self.muon = Muon(...)` gives `muon`).
    public var orthogonalizingOptimizerNames: Set<String> {
        memoized("orthogonalizingOptimizerNames") {
            Set(orthogonalizingOptimizerUses.flatMap { use -> [String] in
                guard let assignment = use.call.node.parent, assignment.type == "assignment",
                      assignment.child(byField: "right") == use.call.node, let left = assignment.child(byField: "left") else { return [] }
                if left.type == "attribute", let name = SettingsTable.bareName(of: left) { return [name] }
                return assignedNames(assignment).map(\.name)
            })
        }
    }

    /// Assignments of an orthogonalizing optimizer object's momentum kept as an attribute (`ortho.momentum = ...`):
    /// the file's optimizer class reads `self.<attribute>` as its momentum buffer's coefficient outside `__init__`
    /// (`buf.lerp_(g, 1 - self.momentum)`, or through a local, `beta = self.momentum`).
    public var momentumAttributeWrites: [Node] {
        memoized("momentumAttributeWrites") {
            let names = orthogonalizingOptimizerNames
            guard !names.isEmpty else { return [] }
            // Attributes read as a momentum coefficient by the classes' update methods.
            var read = Set<String>()
            for optimizer in orthogonalizingOptimizers where optimizer.className != nil {
                for function in optimizer.functions where function.name != "__init__" {
                    for average in runningAverages(in: function) where !average.ofSquare {
                        // Also through locals (`beta = self.momentum`, then `buf.mul_(beta)`).
                        var pending = [average.coefficient.node], seen = 0
                        while let expression = pending.popLast(), seen < 16 {
                            seen += 1
                            for n in descendants(of: expression) {
                                if n.type == "attribute", n.child(byField: "object")?.text == "self", let attribute = n.child(byField: "attribute")?.text {
                                    read.insert(attribute)
                                } else if n.type == "identifier", n.parent?.type != "attribute" || n.parent?.child(byField: "object") == n,
                                          let local = latestValue(of: n.text, before: n), local != n, isInside(local, function.node) {
                                    pending.append(local)
                                }
                            }
                        }
                    }
                }
            }
            return nodes(ofType: "assignment").filter { n in
                guard let left = n.child(byField: "left"), left.type == "attribute", let attribute = left.child(byField: "attribute")?.text,
                      read.contains(attribute), let object = left.child(byField: "object"), object.text != "self",
                      let name = SettingsTable.bareName(of: object) else { return false }
                return names.contains(name)
            }
        }
    }

    /// The keys of a parameter group an orthogonalizing optimizer reads as its momentum: `"momentum"` (library
    /// optimizers, and the usual spelling), and for an optimizer class of the file any key whose entry its update
    /// uses as a momentum buffer's coefficient (`m = group["mom"]`, or `lr, m = g["lr"], g["mom"]`, then
    /// `buf.mul_(m).add_(g)` or `buf.lerp_(g, 1 - m)`; `group.get("beta", 0.95)` too).
    public var momentumGroupKeys: Set<String> {
        memoized("momentumGroupKeys") {
            var keys: Set<String> = ["momentum"]
            for optimizer in orthogonalizingOptimizers where optimizer.className != nil {
                for function in optimizer.functions where function.name != "__init__" {
                    for average in runningAverages(in: function) where !average.ofSquare {
                        keys.formUnion(groupKeys(readBy: average.coefficient.node))
                    }
                }
            }
            return keys
        }
    }

    /// The string keys an expression reads by subscript or `.get("key", ...)`, directly or through the locals it
    /// reads (their latest assignment before it, two levels).
    func groupKeys(readBy node: Node, depth: Int = 0) -> Set<String> {
        var keys = Set<String>()
        for n in descendants(of: node) {
            switch n.type {
            case "subscript":
                if let key = n.child(byField: "subscript"), let text = SettingsTable.stringValue(key) { keys.insert(text) }
            case "call":
                let call = callSite(n)
                if call.name == "get", call.receiver != nil, let first = call.positional.first, let text = SettingsTable.stringValue(first) { keys.insert(text) }
            case "identifier":
                if depth < 2, isRead(n), let value = latestValue(of: n.text, before: n), value != n {
                    keys.formUnion(groupKeys(readBy: value, depth: depth + 1))
                }
            default:
                break
            }
        }
        return keys
    }

    static let scaledUpdates: Set<String> = ["add_", "sub_", "mul_", "addcmul_", "copy_", "lerp_", "add", "sub", "mul"]

    /// Whether a scale factor reaches an optimizer update: multiplied with something that is not a constant,
    /// dividing something (not divided by), inside `alpha=` or an in-place update's arguments (also of its multi-tensor
    /// form, `torch._foreach_mul_(updates, gains)` with a list of per-matrix gains, but not as the list written), `*=`
    /// (not `/=`), stored in a local that is used that way, or returned by a helper (or a lambda bound to a name) whose calls are used that way, or
    /// by a property getter whose reads are. A value only stored elsewhere (`state["scale"] = ...`, a log) is not applied.
    public func scalesUpdate(_ node: Node, depth: Int = 0) -> Bool {
        var child = node
        var previous = node
        var current = node.parent
        while let c = current {
            switch c.type {
            case "binary_operator":
                // Multiplied in, or divided by something else (not the divisor: `g / sqrt(...)` shrinks the update).
                let op = c.child(byField: "operator")?.type ?? ""
                // A divisor shrinks what it divides, and a term added or subtracted is no scale at all.
                if op == "/" && c.child(byField: "right") == child { return false }
                if op != "*" && op != "/" { return false }
                if op == "*" || (op == "/" && c.child(byField: "left") == child) {
                    let other = c.child(byField: "left") == child ? c.child(byField: "right") : c.child(byField: "left")
                    if let other, value(of: other) == nil { return !orthogonalizedAfterwards(c) }
                }
            case "keyword_argument":
                if c.child(byField: "name")?.text == "alpha" { return true }
            case "argument_list":
                // Read through `methodView`: `torch._foreach_mul_(updates, gains)` is `updates.mul_(gains)` per tensor.
                if let call = c.parent, call.type == "call" {
                    let view = methodView(callSite(call))
                    if Self.scaledUpdates.contains(view.name), !(view.isForeach && view.receiver == child) {
                        return !orthogonalizedAfterwards(call)
                    }
                    if depth < 2, passesScale(child, to: callSite(call), depth: depth) { return true }
                }
            case "augmented_assignment":
                return c.child(byField: "operator")?.type == "*=" && !orthogonalizedAfterwards(c)
            case "assignment":
                guard depth < 2, var left = c.child(byField: "left"), let function = enclosingFunction(c) else { return false }
                // One place of a tuple assignment (`u, s = ns(g), max(m, n) ** 0.5`): the name at that place.
                if ["pattern_list", "tuple_pattern"].contains(left.type), let values = c.child(byField: "right"),
                   ["expression_list", "tuple"].contains(values.type), case let targets = left.namedChildren.filter({ $0.type != "comment" }),
                   values == child, let place = values.namedChildren.filter({ $0.type != "comment" }).firstIndex(of: previous),
                   place < targets.count {
                    left = targets[place]
                }
                guard left.type == "identifier" else { return false }
                return uses(of: left.text, in: function.node).contains { use in
                    use.startByte > c.endByte && scalesUpdate(use, depth: depth + 1)
                }
            case "return_statement":
                // A helper returns the scale (`def rms_scale(w): return math.sqrt(max(*w.shape))`): applied where it is
                // called, or, for a property getter (`@property def gain(self)`), where it is read (`update * self.gain`).
                guard depth < 2, let function = enclosingFunction(c) else { return false }
                return calls.contains { call in
                    call.name == function.name && !isInside(call.node, function.node) && scalesUpdate(call.node, depth: depth + 1)
                } || propertyReads(of: function).contains { scalesUpdate($0, depth: depth + 1) }
            case "lambda":
                // A lambda returns its body: applied where the name holding it is called (`scale = lambda r, c: ...`, or
                // `scale_fn = SCALES[key]` for a registry's entry, see `binding(ofLambda:)`); else the walk goes on.
                if depth < 2, c.child(byField: "body") == child, let bound = binding(ofLambda: c),
                   calls(named: bound.name).contains(where: { scalesUpdate($0.node, depth: depth + 1) }) {
                    return true
                }
            case "expression_statement", "block", "function_definition":
                return false
            default:
                break
            }
            previous = child
            child = c
            current = c.parent
        }
        return false
    }

    /// Whether an argument reaches a function of the file, or a kernel, that multiplies it into a tensor: the parameter
    /// it fills scales the update there (`shape_scaled_apply_(p, u, lr, gain)` doing `p.add_(u, alpha=-lr * gain)`), or
    /// is handed to a kernel that multiplies it into a tensor it loads (`p - (lr * gain) * u` in the kernel, see
    /// `kernelScales`); also a kernel launched here directly.
    func passesScale(_ argument: Node, to call: CallSite, depth: Int) -> Bool {
        let launches = kernelLaunches.filter { $0.call.node == call.node }
        for launch in launches {
            for (parameter, passed) in launch.arguments where passed == argument {
                if kernelScales(parameter, launch) { return true }
            }
        }
        guard launches.isEmpty, let function = calledFunction(call) else { return false }
        let parameters = filledParameters(function, by: call)
        guard let name = parameters.enumerated().first(where: { call.argument($1, position: $0) == argument })?.element else { return false }
        if uses(of: name, in: function.node).contains(where: { scalesUpdate($0, depth: depth + 1) }) { return true }
        return kernelLaunches(in: function.node).contains { launch in
            launch.arguments.contains { parameter, passed in unwrapped(passed).type == "identifier" && passed.text == name && kernelScales(parameter, launch) }
        }
    }

    /// Whether a kernel multiplies its parameter into a tensor it loads element by element (`(lr * gain) * u`, `u * gain`).
    func kernelScales(_ parameter: String, _ launch: KernelLaunch) -> Bool {
        for use in descendants(of: launch.kernel.node) where use.type == "identifier" && use.text == parameter {
            var child = use
            while let parent = child.parent {
                if parent.type == "parenthesized_expression" { child = parent; continue }
                guard parent.type == "binary_operator", parent.child(byField: "operator")?.type == "*",
                      let other = parent.child(byField: "left") == child ? parent.child(byField: "right") : parent.child(byField: "left") else { break }
                if let load = kernelLoad(other, in: launch), load.element == nil { return true }
                child = parent
            }
        }
        return false
    }

    /// Whether the tensor a scaling writes (`g = g * s`, `g *= s`, `g.mul_(s)`) is orthogonalized later in the same
    /// function (`update = orthogonalize(g)`): orthogonalization normalizes its input, so a scale applied before it
    /// does not reach the update. For a multi-tensor scaling (`torch._foreach_mul_(bufs, gains)`), also each element of
    /// the list orthogonalized later (`for b in bufs: orthogonalize(b)`, `[orthogonalize(b) for b in bufs]`).
    func orthogonalizedAfterwards(_ scaling: Node) -> Bool {
        var statement = scaling
        while let parent = statement.parent, !["expression_statement", "block", "function_definition", "module"].contains(parent.type) {
            statement = parent
            if ["assignment", "augmented_assignment"].contains(parent.type) { break }
        }
        var target: Node?
        let view = scaling.type == "call" ? methodView(callSite(scaling)) : nil
        if ["assignment", "augmented_assignment"].contains(statement.type) {
            target = statement.child(byField: "left")
        } else if let view {
            target = view.receiver.map(unparenthesized)
        }
        guard let target, target.type == "identifier", let function = enclosingFunction(scaling) else { return false }
        let orthogonalizers = orthogonalizerNames
        return calls.contains { call in
            guard call.node.startByte >= statement.endByte, isInside(call.node, function.node),
                  let first = call.positional.first.map(unparenthesized),
                  first.text == target.text || view?.isForeach == true && isElement(first, of: target.text) else { return false }
            if isOrthogonalizationCall(call, orthogonalizers: orthogonalizers) { return true }
            // A helper of the file that orthogonalizes what it is given.
            return self.function(named: call.name).contains(where: { orthogonalizes([$0]) })
        }
    }

    /// Whether `element` is a name bound, by a `for` statement or a comprehension's `for` clause around it, from an
    /// iterable that mentions the list `list` (`for b in bufs`, `[f(b) for b, g in zip(bufs, gs)]`).
    func isElement(_ element: Node, of list: String) -> Bool {
        guard element.type == "identifier" else { return false }
        return ancestors(of: element).contains { a in
            let clauses: [Node] = a.type == "for_statement" ? [a]
                : ["list_comprehension", "generator_expression", "set_comprehension", "dictionary_comprehension"].contains(a.type)
                    ? a.namedChildren.filter { $0.type == "for_in_clause" } : []
            return clauses.contains { loop in
                guard let iterable = loop.child(byField: "right") else { return false }
                return loopVariables(loop).contains(element.text) && mentions(iterable, list)
            }
        }
    }
}
