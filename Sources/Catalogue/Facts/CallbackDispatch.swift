import Parsing
import TreeSitterKit

/// Code a training loop runs on every pass without naming it: the methods of callback objects a trainer dispatches
/// to (`self.emit("on_step_begin", step, self)` with `def emit(self, event, *args): for cb in self.callbacks:
/// getattr(cb, event)(*args)`, or `for cb in self.callbacks: cb.on_step_begin(step, self)`), and any other function
/// of the file a statement of the loop calls for its effect. A callback that refills the attention window tensor
/// (`self.window.fill_(size)` in `on_step_begin`), or sets it (`self.window = torch.tensor(size)`), changes it once per
/// step as a `fill_` in the loop itself would.
public struct DispatchedRun {
    /// The function run.
    public let function: PythonFacts.Function
    /// The call that runs it: in the loop, or in a function a call in the loop runs.
    public let call: CallSite
    /// What the run binds the function's parameters to, followed back to the loop where they come from it (a
    /// parameter handed on, what `*args` forwards): `step` of `on_step_begin(self, step, trainer)` run through
    /// `emit("on_step_begin", step, self)` is the loop's `step`.
    public let arguments: [String: Node]
    /// The arguments the function's `*args` parameter collects, followed back the same way.
    let extra: [Node]
}

extension PythonFacts {
    /// The functions the calls made as statements of a loop body run (see `DispatchedRun`), and those the statement
    /// calls inside them run in turn, up to three calls deep. The functions a call runs are its `targets(of:)` (a
    /// method picked by `getattr(obj, name)` runs for each class of the objects, see `hookTargets`); where the name
    /// is a literal or a parameter the run binds to one (`event` given `"on_step_begin"`), only methods of that name.
    /// A call whose value is used (`loss = model(x, y)`) is not followed: its code is read where the value is used.
    public func dispatchedRuns(from loop: Node) -> [DispatchedRun] {
        memoized("dispatchedRuns/\(loop.startByte)/\(loop.endByte)") {
            var result: [DispatchedRun] = []
            var work: [(scope: Node, frame: DispatchedRun?, depth: Int)] = [(scope: loop, frame: nil, depth: 0)]
            while let item = work.popLast() {
                guard item.depth < 3 else { continue }
                for node in descendants(of: item.scope) where node.type == "call" && node.parent?.type == "expression_statement" {
                    if let frame = item.frame, enclosingFunction(node)?.node != frame.function.node { continue }
                    let call = callSite(node)
                    let picked = pickedMethodName(call, item.frame)
                    guard let passed = forwardedPositional(call, item.frame) else { continue }
                    for target in targets(of: call) where picked == nil || target.name == picked {
                        guard let body = target.body, !isInside(node, target.node),
                              !result.contains(where: { $0.function.node == target.node && $0.call.node == node }) else { continue }
                        let run = boundRun(target, call: call, positional: passed, frame: item.frame)
                        result.append(run)
                        work.append((scope: body, frame: run, depth: item.depth + 1))
                    }
                }
            }
            return result
        }
    }

    /// The attributes the dispatched runs of a loop (see `dispatchedRuns(from:)`) fill in place, `t.fill_(v)` or
    /// `t.copy_(v)` in the run function's own body, or set there (`self.window = torch.tensor(span)` in a Lightning-style
    /// `on_train_batch_start(self, batch, batch_idx)` hook the loop calls with the step), each with the value and the run.
    public func inPlaceFills(runBy loop: Node) -> [(target: Node, value: Node, run: DispatchedRun)] {
        memoized("inPlaceFills/\(loop.startByte)/\(loop.endByte)") {
            dispatchedRuns(from: loop).flatMap { run -> [(target: Node, value: Node, run: DispatchedRun)] in
                guard let body = run.function.body else { return [] }
                return descendants(of: body).compactMap { node -> (target: Node, value: Node, run: DispatchedRun)? in
                    guard enclosingFunction(node)?.node == run.function.node else { return nil }
                    if node.type == "assignment" {
                        guard let target = node.child(byField: "left"), target.type == "attribute",
                              let value = node.child(byField: "right") else { return nil }
                        return (target: target, value: value, run: run)
                    }
                    guard node.type == "call" else { return nil }
                    let call = callSite(node)
                    guard ["fill_", "copy_"].contains(call.name), let target = call.receiver.map(unwrapped), target.type == "attribute",
                          let value = call.positional.first else { return nil }
                    return (target: target, value: value, run: run)
                }
            }
        }
    }

    /// For a call of `getattr(obj, key)(...)`: the method name `key` gives, a string literal or a parameter the
    /// run `frame` binds to one. Nil for any other call, or a name not known.
    private func pickedMethodName(_ call: CallSite, _ frame: DispatchedRun?) -> String? {
        guard let function = call.function.map(unwrapped), function.type == "call" else { return nil }
        let lookup = callSite(function)
        guard lookup.callee == "getattr", lookup.positional.count >= 2 else { return nil }
        let key = loopSide(lookup.positional[1], frame)
        return SettingsTable.stringValue(unwrapped(key))
    }

    /// A call's positional arguments followed back to the loop: `*name` with `name` the `*args` parameter of the
    /// function `frame` runs gives what that collects, and a parameter of that function what the run binds it to
    /// (see `loopSide`). Keywords are read by `boundRun`. Nil when the call spreads anything else.
    private func forwardedPositional(_ call: CallSite, _ frame: DispatchedRun?) -> [Node]? {
        guard let arguments = call.node.child(byField: "arguments"), arguments.type == "argument_list" else { return [] }
        var result: [Node] = []
        for argument in arguments.namedChildren where argument.type != "comment" {
            switch argument.type {
            case "keyword_argument", "dictionary_splat":
                continue
            case "list_splat":
                guard let frame, let inner = argument.namedChildren.first.map(unwrapped), inner.type == "identifier",
                      inner.text == positionalParameters(of: frame.function).star else { return nil }
                result += frame.extra
            default:
                result.append(loopSide(argument, frame))
            }
        }
        return result
    }

    /// An argument inside the function `frame` runs, followed back to the loop: a parameter of that function is
    /// what the run binds it to; anything else stays.
    private func loopSide(_ argument: Node, _ frame: DispatchedRun?) -> Node {
        let a = unwrapped(argument)
        guard let frame, a.type == "identifier", let bound = frame.arguments[a.text],
              parameterOwner(of: a)?.node == frame.function.node else { return argument }
        return bound
    }

    /// The run of `function` by `call`: its positional parameters bound in order, keywords by name, the rest of the
    /// positional arguments collected by its `*args`.
    private func boundRun(_ function: Function, call: CallSite, positional: [Node], frame: DispatchedRun?) -> DispatchedRun {
        let (named, star) = positionalParameters(of: function)
        var arguments: [String: Node] = [:]
        for (index, name) in named.enumerated() where index < positional.count { arguments[name] = positional[index] }
        for (key, value) in call.keywords where function.parameters.contains(key) { arguments[key] = loopSide(value, frame) }
        let extra = star != nil && positional.count > named.count ? Array(positional[named.count...]) : []
        return DispatchedRun(function: function, call: call, arguments: arguments, extra: extra)
    }

    /// The parameters a call fills by position (the receiver or `cls` left out, see `Function.passedOffset`), up to a
    /// `*args` parameter (or a bare `*`), and the name of that `*args` parameter.
    func positionalParameters(of function: Function) -> (named: [String], star: String?) {
        let named = function.parameterList.prefix { $0.kind == .positional }.map(\.name)
        return (named: Array(named.dropFirst(function.passedOffset)), star: function.parameterList.first { $0.kind == .variadic }?.name)
    }
}
