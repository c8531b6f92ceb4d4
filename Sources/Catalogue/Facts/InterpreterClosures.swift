import Parsing
import TreeSitterKit

/// A function value a run makes: a `lambda`, or a `def` written inside the function being run, with the names bound
/// where it was made. Schedules written the way optax composes them are such values: `linear_schedule(a, b, n)` returns
/// a closure over `a`, `b` and `n`, and `join_schedules([...], [boundary])` one that calls the closures it was given.
/// Compared by identity.
public final class ScriptClosure: Equatable {
    /// The `lambda` or `function_definition`.
    let node: Node
    /// The names bound where it was made; for a `def` the function returning it hands back, the names bound when it
    /// returns (Python's closures see the enclosing function's final bindings).
    var env: [String: ScriptValue]

    init(node: Node, env: [String: ScriptValue]) {
        self.node = node
        self.env = env
    }

    public static func == (a: ScriptClosure, b: ScriptClosure) -> Bool { a === b }
}

extension ScriptInterpreter {
    /// A `def` run as a statement binds its name to a closure over the names bound so far.
    func bindDefinition(_ statement: Node, _ env: inout [String: ScriptValue]) {
        guard let name = statement.child(byField: "name")?.text else { return }
        env[name] = .function(ScriptClosure(node: statement, env: env))
    }

    /// A closure defined in the run that returns it sees that run's final bindings (itself left out, so that it holds
    /// no reference to itself). When the run was given a parameter it could not compute, the closure would read that
    /// name from some other call of the function: it is returned as a value not known (`.opaque`).
    func closingOver(_ value: ScriptValue, _ env: [String: ScriptValue], in statement: Node) -> ScriptValue {
        guard case .function(let closure) = value, let run = facts.enclosingFunction(statement),
              facts.isInside(closure.node, run.node) else { return value }
        guard run.parameters.allSatisfy({ $0 == "self" || $0 == "cls" || env[$0] != nil }) else { return .opaque }
        guard closure.node.type == "function_definition" else { return value }
        closure.env = env.filter { entry in
            if case .function(let other) = entry.value, other === closure { return false }
            return true
        }
        return value
    }

    /// The closure a call's callee evaluates to when it is no function of the file by name: a name bound in the run
    /// (`fn(step - offset)` over a list of schedules), an item of a list (`schedules[-1](step)`), the result of a call
    /// (`make(0.1)(step)`), or a name the run does not bind, set to a call, a lambda or a choice of them where it is set (`lr_schedule(step)`
    /// with `lr_schedule = join_schedules(...)`: read as the closure it holds, not as the function the factory defines
    /// inside, which would read the factory's parameters at some other call of it). Nil otherwise.
    func calledClosure(_ call: CallSite, _ env: [String: ScriptValue], _ depth: Int) -> ScriptClosure? {
        guard let callee = call.function.map(facts.unwrapped) else { return nil }
        switch callee.type {
        case "identifier":
            if case .function(let closure)? = env[callee.text] { return closure }
            // A name set before the call, in its own function or in the one around it (`schedule = rate if
            // callable(rate) else fixed(rate)` in a factory, read by the `init` it defines), is that value even where a
            // function of the file has the same name (a nested `def schedule(step)` elsewhere).
            guard env[callee.text] == nil else { return nil }
            if let set = facts.latestValue(of: callee.text, before: call.node).map(facts.unwrapped) {
                guard ["call", "lambda", "conditional_expression"].contains(set.type),
                      case .function(let closure)? = eval(callee, env, depth) else { return nil }
                return closure
            }
            guard let set = enclosingValue(of: callee).map(facts.unwrapped), ["call", "lambda", "conditional_expression"].contains(set.type),
                  case .function(let closure)? = eval(set, [:], depth) else { return nil }
            return closure
        case "subscript":
            // Only an item of a list the run computes: a table of the file read by a key the run does not know
            // (`phase["lr"](i, n)` over rows of phases) is left to the readers of such tables.
            guard let list = callee.child(byField: "value"), let index = callee.child(byField: "subscript"), index.type != "slice",
                  case .tuple(let items)? = eval(list, env, depth),
                  let k = eval(index, env, depth)?.number.flatMap({ Self.position($0, count: items.count) }),
                  case .function(let closure) = items[k] else { return nil }
            return closure
        case "call":
            if case .function(let closure)? = eval(callee, env, depth) { return closure }
            return nil
        default:
            return nil
        }
    }

    /// Runs a closure on a call's arguments, evaluated where the call stands. Nil when an argument or the result is
    /// unknown, or the call unpacks arguments.
    func invoke(_ closure: ScriptClosure, _ call: CallSite, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        guard !call.hasSplat else { return nil }
        var positional: [ScriptValue] = []
        for argument in call.positional {
            guard let v = eval(argument, env, depth) else { return nil }
            positional.append(v)
        }
        var keywords: [String: ScriptValue] = [:]
        for (name, argument) in call.keywords {
            guard let v = eval(argument, env, depth) else { return nil }
            keywords[name] = v
        }
        return invoke(closure, positional: positional, keywords: keywords, depth)
    }

    /// Runs a closure on argument values (positional, keywords, else the closure's defaults): a lambda's body, or a
    /// `def`'s statements up to `return`. Nil when a parameter is left without a value, the closure takes `*args` or
    /// `**kwargs`, or the result is unknown.
    func invoke(_ closure: ScriptClosure, positional: [ScriptValue], keywords: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        guard depth < 20, let body = closure.node.child(byField: "body") else { return nil }
        var bound = closure.env
        var position = 0
        // `lambda: 0.5` has no parameter list.
        for parameter in closure.node.child(byField: "parameters")?.namedChildren ?? [] {
            let name: String
            var fallback: Node?
            switch parameter.type {
            case "identifier":
                name = parameter.text
            case "default_parameter", "typed_default_parameter":
                guard let n = parameter.child(byField: "name")?.text else { return nil }
                name = n
                fallback = parameter.child(byField: "value")
            case "typed_parameter":
                guard let n = parameter.namedChildren.first, n.type == "identifier" else { return nil }
                name = n.text
            default:
                return nil
            }
            if let v = keywords[name] ?? (position < positional.count ? positional[position] : nil) {
                bound[name] = v
            } else if let fallback, let v = eval(fallback, closure.env, depth) {
                bound[name] = v
            } else {
                return nil
            }
            position += 1
        }
        guard positional.count <= position else { return nil }
        if closure.node.type == "lambda" { return eval(body, bound, depth + 1) }
        switch exec(body, &bound, depth + 1) {
        case .returned(let v): return v
        case .normal: return ScriptValue.none
        case .unknown: return nil
        }
    }
}
