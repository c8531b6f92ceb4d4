import Parsing
import TreeSitterKit

/// Code an optimizer runs as part of its step because it was registered on it from outside: PyTorch's
/// `opt.register_step_pre_hook(h)` calls `h(opt, args, kwargs)` before every `opt.step()` (a hook that rewrites the
/// gradients changes what the step applies: a plain SGD whose pre-hook swaps each gradient for an orthogonalized
/// momentum is Muon), `opt.register_step_post_hook(h)` after it; and a hook point of an optimizer class of the file, a
/// method that keeps the callable it is given on the object (`self._overrides.append(fn)`, `self.on_update = fn`)
/// for the class's other code to call (`for fn in self._overrides: out = fn(p, g, steps)`). An agent that leaves the
/// optimizer alone and changes its update from `main()` writes it this way. The forward counterpart is `ForwardHooks`.
public struct OptimizerHook {
    /// The registration call (`opt.register_step_pre_hook(h)`, `opt.register_ortho_override(split_blocks)`).
    public let registration: CallSite
    /// The constructions of the optimizer it is registered on (`torch.optim.SGD(...)`, `Muon(...)`), found by following
    /// the receiver to where it is built (see `origins`: a local, a parameter to what callers pass, `self.opt`).
    public let optimizers: [Node]
    /// The code the hook runs (a function of the file, a method such as `self.before_step`, a callable object's
    /// `__call__`, a partial of a function; see `hookCode`), without what it calls.
    public let functions: [PythonFacts.Function]
}

extension PythonFacts {
    static let stepHookRegistrations: Set<String> = ["register_step_pre_hook", "register_step_post_hook"]
    /// How a hook point keeps the callable it is given on its object (`self.hooks.append(fn)`).
    static let storingMethods: Set<String> = ["append", "add", "insert", "appendleft"]

    /// Every optimizer step hook and hook-point registration of the file that can run (see `registrationRuns`) and whose
    /// handle is never removed (see `isRemovedLater`), with the optimizer constructions it reaches.
    public var optimizerHooks: [OptimizerHook] {
        memoized("optimizerHooks") {
            // A step hook, or a call of a method of the file (a hook point's registration) handed something.
            let names = functionNameSet
            return calls.compactMap { call -> OptimizerHook? in
                guard Self.stepHookRegistrations.contains(call.name) || names.contains(call.name), let receiver = call.receiver,
                      let hook = call.argument("hook", position: 0) ?? call.positional.first else { return nil }
                let functions = hookCode(hook).0
                guard !functions.isEmpty, registrationRuns(call), !isRemovedLater(call) else { return nil }
                let built = hookedOptimizers(receiver)
                guard !built.isEmpty else { return nil }
                if !Self.stepHookRegistrations.contains(call.name) {
                    // A hook point: a method of the optimizer's class (own or inherited) that keeps what it is given.
                    let owners = built.compactMap { builtObject($0)?.owner }
                    guard !owners.isEmpty, owners.allSatisfy({ isHookPoint(call.name, of: $0) }) else { return nil }
                }
                return OptimizerHook(registration: call, optimizers: built, functions: functions)
            }
        }
    }

    /// The hooks registered with `register_step_pre_hook` / `register_step_post_hook`: PyTorch calls them with the
    /// optimizer as their first argument around every `step()`.
    public var optimizerStepHooks: [OptimizerHook] {
        optimizerHooks.filter { Self.stepHookRegistrations.contains($0.registration.name) }
    }

    /// The optimizer constructions a name stands for when it is the first parameter of a step hook's function
    /// (`def warm(opt, args, kwargs): opt.param_groups[0]["momentum"] = ...` registered with
    /// `muon.register_step_pre_hook(warm)`): those the hook is registered on. Empty for any other name.
    public func stepHookOptimizers(_ name: Node) -> [Node] {
        guard name.type == "identifier", let function = enclosingFunction(name), function.passedParameters.first == name.text else { return [] }
        return optimizerStepHooks.filter { $0.functions.contains { $0.node == function.node } }.flatMap(\.optimizers)
    }

    /// The hooks registered on the constructions `uses` (an optimizer's `uses`).
    public func optimizerHooks(on uses: [CallSite]) -> [OptimizerHook] {
        let built = Set(uses.map(\.node))
        return optimizerHooks.filter { hook in hook.optimizers.contains { built.contains($0) } }
    }

    /// The functions the hooks registered on instances of a class of the file (or of a class derived from it) run,
    /// with the functions they call: part of that optimizer's step, wherever they are written.
    public func optimizerHookFunctions(onInstancesOf owner: Node) -> [Function] {
        var result: [Function] = []
        for hook in optimizerHooks where hook.optimizers.contains(where: { construction in
            builtObject(construction).map { lineage(of: $0.owner).contains { $0.node == owner } } == true
        }) {
            for f in hook.functions.flatMap({ reachableFunctions(from: $0) }) where !result.contains(where: { $0.node == f.node }) {
                result.append(f)
            }
        }
        return result
    }

    /// The optimizer constructions a registration's receiver holds: the calls among its origins (`opt =
    /// torch.optim.SGD(...)`; a parameter, what its callers pass). `self` inside a class stands for the constructions of
    /// that class (a hook the optimizer registers on itself in `__init__`).
    private func hookedOptimizers(_ receiver: Node) -> [Node] {
        let object = unwrapped(receiver)
        if object.type == "identifier", object.text == "self", let owner = enclosingClass(object) {
            return calls.filter { boundClass(named: $0.callee)?.node == owner.node && !isInside($0.node, owner.node) }.map(\.node)
        }
        return origins(of: object).filter { $0.type == "call" }
    }

    /// Whether a method of a class (own or inherited) is a hook point: it keeps one of its parameters on the object
    /// (`self.<name>.append(fn)`, `self.<name>[key] = fn`, `self.<name> = fn`) and another method of the class (or of
    /// its bases) reads `self.<name>` (not only sets it, `self._hooks = []`). A setter whose value no other code reads is
    /// none.
    private func isHookPoint(_ name: String, of owner: Class) -> Bool {
        guard let method = method(name, of: owner) else { return false }
        let parameters = Set(method.passedParameters)
        var kept = Set<String>()
        for n in descendants(of: method.node) {
            switch n.type {
            case "call":
                let call = callSite(n)
                guard Self.storingMethods.contains(call.name), let receiver = call.receiver.map(unwrapped), receiver.type == "attribute",
                      receiver.child(byField: "object")?.text == "self", let attribute = receiver.child(byField: "attribute")?.text,
                      call.positional.contains(where: { unwrapped($0).type == "identifier" && parameters.contains(unwrapped($0).text) })
                else { continue }
                kept.insert(attribute)
            case "assignment":
                guard let right = n.child(byField: "right").map(unwrapped), right.type == "identifier", parameters.contains(right.text),
                      var left = n.child(byField: "left").map(unwrapped) else { continue }
                if left.type == "subscript", let value = left.child(byField: "value") { left = unwrapped(value) }
                guard left.type == "attribute", left.child(byField: "object")?.text == "self",
                      let attribute = left.child(byField: "attribute")?.text else { continue }
                kept.insert(attribute)
            default:
                continue
            }
        }
        guard !kept.isEmpty else { return false }
        return lineage(of: owner).contains { c in
            descendants(of: c.node).contains { n in
                n.type == "attribute" && !isInside(n, method.node) && n.child(byField: "object")?.text == "self"
                    && n.child(byField: "attribute").map { kept.contains($0.text) } == true
                    // Read, not set (`self._hooks = []` in `__init__`).
                    && !(n.parent?.type == "assignment" && n.parent?.child(byField: "left") == n)
            }
        }
    }
}
