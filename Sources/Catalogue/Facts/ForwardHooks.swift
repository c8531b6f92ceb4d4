import Parsing
import TreeSitterKit

/// Code PyTorch runs around a module's `forward` because it was registered there: `m.register_forward_hook(h)` calls
/// `h(module, args, output)` after the forward and, when `h` returns something, that replaces the output;
/// `m.register_forward_pre_hook(h)` calls `h(module, args)` before it, and what `h` returns replaces the inputs. An
/// agent that caps the logits in a hook on the head, or normalizes the embedding in a hook on the table, changes what
/// `self.lm_head(x)` or `self.wte(idx)` gives without touching the model's code.
public struct ForwardHook {
    public enum Kind: Sendable { case output, input }

    public let kind: Kind
    /// The last attribute of the hooked module (`lm_head` for `self.lm_head.register_forward_hook(...)`, `c_v` for
    /// `block.attn.c_v.register_forward_hook(...)`): calls of a module attribute of that name run the hook.
    public let module: String
    /// The `register_forward_hook(...)` call.
    public let registration: CallSite
    /// The code the hook runs: its functions (a function of the file, a method, a callable class's `__call__`, a
    /// partial of a function) or a lambda's body.
    public let functions: [PythonFacts.Function]
    public let lambdaBody: Node?
}

extension PythonFacts {
    static let hookRegistrations: [String: ForwardHook.Kind] = [
        "register_forward_hook": .output, "register_forward_pre_hook": .input,
    ]

    /// Every forward hook and pre-hook the file registers on a named module, where the registration can run (at
    /// module level, in a special method or a forward, or in a function something refers to) and its handle is never
    /// removed (`handle = m.register_forward_hook(h); ...; handle.remove()`).
    public var forwardHooks: [ForwardHook] {
        memoized("forwardHooks") {
            calls.compactMap { call -> ForwardHook? in
                guard let kind = Self.hookRegistrations[call.name], let receiver = call.receiver,
                      let module = hookedModuleName(receiver), let hook = call.argument("hook", position: 0),
                      registrationRuns(call), !isRemovedLater(call) else { return nil }
                let (functions, lambda) = hookCode(hook)
                guard !functions.isEmpty || lambda != nil else { return nil }
                return ForwardHook(kind: kind, module: module, registration: call, functions: functions, lambdaBody: lambda)
            }
        }
    }

    /// The hooks of `kind` that run when a module call runs (`self.lm_head(x)`, `layer.c_v(x)`). A hook registered on
    /// `self.<name>` belongs to the instances of its class: it runs for that class's calls of `self.<name>`.
    public func forwardHooks(on call: CallSite, kind: ForwardHook.Kind) -> [ForwardHook] {
        let hooks = forwardHooks
        guard !hooks.isEmpty, let function = call.function, function.type == "attribute" || function.type == "identifier",
              let name = hookedModuleName(function) else { return [] }
        let callingClass = enclosingClass(call.node)?.node
        return hooks.filter { hook in
            guard hook.kind == kind, hook.module == name else { return false }
            guard hook.registration.receiver?.text.hasPrefix("self.") == true else { return true }
            return enclosingClass(hook.registration.node)?.node == callingClass
        }
    }

    /// What a hook of `kind` on a module call gives back as the call's result (output hooks) or inputs (pre-hooks):
    /// the values its functions return and its lambda's body.
    public func hookResults(on call: CallSite, kind: ForwardHook.Kind) -> [Node] {
        forwardHooks(on: call, kind: kind).flatMap(results)
    }

    /// The values a hook hands back: what its functions return and its lambda's body.
    public func results(of hook: ForwardHook) -> [Node] {
        hook.functions.flatMap(returnedValues) + (hook.lambdaBody.map { [$0] } ?? [])
    }

    /// The expressions that make a hook's result, through the rearranging methods called on them (`rearrangingMethods`)
    /// and the names they were computed into (`normed.view(b, t, c)` with `normed = F.rms_norm(out, ...)` gives the `rms_norm` call).
    public func resultCores(of hook: ForwardHook) -> [Node] {
        results(of: hook).map { value in
            var core = unwrapped(value)
            for _ in 0..<4 {
                if core.type == "call", let receiver = callSite(core).receiver, Self.rearrangingMethods.contains(callSite(core).name) {
                    core = unwrapped(receiver)
                } else if core.type == "identifier", let bound = latestValue(of: core.text, before: core), bound != core {
                    core = unwrapped(bound)
                } else {
                    break
                }
            }
            return core
        }
    }

    /// The parameter of a hook's function PyTorch hands the module's output: the third of those a call fills,
    /// `(module, args, output)`, or the fourth for a hook registered `with_kwargs=True`, `(module, args, kwargs,
    /// output)`. Parameters after it (`attn=attn`, a default binding a loop variable) are not the output. Nil for a
    /// pre-hook or a function with too few parameters.
    public func outputParameter(of code: Function, in hook: ForwardHook) -> String? {
        guard hook.kind == .output else { return nil }
        let withKeywords = hook.registration.keywords["with_kwargs"].map { $0.text == "True" } ?? false
        let index = withKeywords ? 3 : 2
        return code.passedParameters.count > index ? code.passedParameters[index] : nil
    }

    /// The parameter of a hook's function PyTorch hands the module's positional inputs (`args` of `(module, args)` or
    /// `(module, args, output)`): the second of those a call fills.
    public func inputsParameter(of code: Function) -> String? {
        code.passedParameters.count > 1 ? code.passedParameters[1] : nil
    }

    /// The module calls whose result a hook function is handed as `name`, its output parameter (see
    /// `outputParameter(of:in:)`): the calls of the file that run an output hook among
    /// `forwardHooks` whose code is `function` (`forwardHooks(on:kind:)`). A hook on the value-embedding table
    /// (`vte.register_forward_hook(mirror)`) gets what `self.vte(idx)` looks up. Empty for any other parameter or function.
    public func hookedCalls(outputParameter name: String, of function: Node) -> [Node] {
        let hooks = forwardHooks.filter { hook in hook.kind == .output && hook.functions.contains { $0.node == function } }
        guard let hook = hooks.first, let code = hook.functions.first(where: { $0.node == function }),
              outputParameter(of: code, in: hook) == name else { return [] }
        let registrations = Set(hooks.map(\.registration.node))
        return calls.filter { call in
            forwardHooks(on: call, kind: .output).contains { registrations.contains($0.registration.node) }
        }.map(\.node)
    }

    /// The fields a forward pre-hook stores from the inputs it is handed (`module._vi = args[1]` in `def grab(module,
    /// args)` registered with `attn.register_forward_pre_hook(grab)`): the attribute names it assigns values read
    /// from its inputs parameter (see `inputsParameter(of:)`). An output hook on a submodule reading
    /// `attn._vi` reads what the owning module was called with.
    public var hookStashedInputFields: Set<String> {
        memoized("hookStashedInputFields") {
            var names = Set<String>()
            for hook in forwardHooks where hook.kind == .input {
                for function in hook.functions {
                    guard let inputs = inputsParameter(of: function) else { continue }
                    for node in descendants(of: function.node) where node.type == "assignment" {
                        guard let left = node.child(byField: "left").map(unwrapped), left.type == "attribute",
                              let name = left.child(byField: "attribute")?.text, let right = node.child(byField: "right"),
                              descendants(right).contains(where: { $0.type == "identifier" && $0.text == inputs }) else { continue }
                        names.insert(name)
                    }
                }
            }
            return names
        }
    }

    /// Whether a registration can run: at module level, in `__init__` or another special method, in a forward, or in
    /// a function the file refers to elsewhere.
    func registrationRuns(_ call: CallSite) -> Bool {
        enclosingFunction(call.node).map(mayRun) ?? true
    }

    /// Whether the handle a registration returns is kept under a name and removed (`handle.remove()`).
    func isRemovedLater(_ call: CallSite) -> Bool {
        guard let assignment = call.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == call.node,
              let handle = assignment.child(byField: "left"), handle.type == "identifier" || handle.type == "attribute" else { return false }
        return calls.contains { $0.name == "remove" && $0.receiver?.text == handle.text }
    }

    /// The module attribute a hook is registered on, or a module call runs: the last name of `self.lm_head`,
    /// `model.transformer.wte`, `block.attn.c_v`, or `self.blocks[i].mlp`; a plain name (`head`) stands for itself.
    private func hookedModuleName(_ node: Node) -> String? {
        var current = unwrapped(node)
        if current.type == "subscript", let value = current.child(byField: "value") { current = value }
        switch current.type {
        case "attribute": return current.child(byField: "attribute")?.text
        case "identifier": return current.text == "self" ? nil : current.text
        default: return nil
        }
    }

    /// The code a hook expression runs: a lambda's body; a function of the file by name or through
    /// `functools.partial`; a method (`self._norm_output`); the `__call__` of a class of the file built there
    /// (`LogitCap(15.0)`) or in a local the registration reads.
    func hookCode(_ hook: Node, depth: Int = 0) -> ([Function], Node?) {
        let n = unwrapped(hook)
        switch n.type {
        case "lambda":
            return ([], n.child(byField: "body").map(unwrapped))
        case "identifier":
            if let body = lambdaBody(n.text) { return ([], body) }
            // A name holding the hook (`norm = HeadNorm(h, d); self.c_q.register_forward_hook(norm)`).
            if depth == 0, let value = latestValue(of: n.text, before: n), value != n {
                return hookCode(value, depth: 1)
            }
            return (functionsDenoted(by: n, depth: 0), nil)
        case "attribute":
            guard n.child(byField: "object")?.text == "self", let name = n.child(byField: "attribute")?.text,
                  let owner = enclosingClass(n), let method = method(name, of: owner) else { return ([], nil) }
            return ([method], nil)
        case "call":
            let call = callSite(n)
            if call.receiver == nil, let owner = boundClass(named: call.callee) {
                return (method("__call__", of: owner).map { [$0] } ?? [], nil)
            }
            return (functionsDenoted(by: n, depth: 0), nil)
        default:
            return ([], nil)
        }
    }
}
