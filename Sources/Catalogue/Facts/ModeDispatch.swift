import Parsing
import TreeSitterKit

/// Helpers that pick their behaviour by a mode argument, one helper for several behaviours:
///
/// ```python
/// def make_schedule(kind, peak, total, warmup=0, cooldown=0):
///     def _trapezoid(it): ...
///     def _cosine(it): ...
///     table = {"trapezoid": _trapezoid, "cosine": _cosine}
///     return table[kind]                                   # or: if kind == "trapezoid": return _trapezoid ...
/// lr_at = make_schedule(args.lr_kind, peak=args.learning_rate, total=args.num_iterations)
/// momentum_at = make_schedule(**MOMENTUM_SCHEDULE)        # dict(kind="linear_ramp", warmup=500, ...)
/// ```
///
/// Each call is read with its own arguments bound (see `selectedReturns(of:at:)`): the modes a call does not select
/// stay in the helper unread, and two calls with different modes get different readings.
extension PythonFacts {
    /// The values a function of the file returns for one call of it, its parameters bound to what that call passes
    /// (`passedArgument`, evaluated by the script interpreter where the call stands, strings included; the defaults
    /// for the rest): the `return`s whose enclosing `if` / `elif` / `else` branches and `match` cases that call
    /// selects, a `return` reached for sure (no undecided test, no loop or `try` around it) hiding the ones after it.
    /// A returned `table[kind]` (or `table.get(kind)`) of a dictionary of the file is the entry the bound key names
    /// (`_trapezoid` of `{"trapezoid": _trapezoid, ...}`). A test the interpreter cannot decide (an argument it cannot
    /// compute, a parameter the call does not bind) keeps its returns, so a call whose mode is unknown gets every
    /// return, as `returnedValues` gives them; a call whose mode no branch returns for (it raises) gets none.
    public func selectedReturns(of function: Function, at call: CallSite) -> [Node] {
        memoized("selectedReturns:\(function.node.startByte):\(call.node.startByte)") {
            // Positions a `*list` spread fills are not known: every return.
            let spreadsList = call.node.child(byField: "arguments")?.namedChildren.contains { $0.type == "list_splat" } ?? false
            guard let body = function.body, !spreadsList else { return returnedValues(function) }
            let interpreter = ScriptInterpreter(self)
            var env: [String: ScriptValue] = [:]
            var unbound = Set<String>()
            for parameter in function.passedParameters {
                let given = boundArgument(parameter, of: function, at: call)
                if let given, let v = interpreter.value(of: given) {
                    env[parameter] = v
                } else {
                    unbound.insert(parameter)
                }
            }
            let bindings = ModeBindings(facts: self, interpreter: interpreter, env: env, unbound: unbound)
            let returns = descendants(of: body).filter { $0.type == "return_statement" && enclosingFunction($0)?.node == function.node }
            var selected: [Node] = []
            for statement in returns {
                guard let reach = branchesTaken(to: statement, in: function, bindings) else { continue }
                if let value = statement.namedChild(0) { selected.append(selectedEntry(value, bindings)) }
                if reach { break }
            }
            return selected
        }
    }

    /// Whether the branches around a statement of `function` are taken under `env`: nil when a test rules the statement
    /// out, false when some test (or a loop / `try` around it) leaves its running undecided, true when it runs for sure
    /// once the statements before it have run. Tests, `match` subjects and patterns are read under the call's
    /// `bindings`.
    private func branchesTaken(to statement: Node, in function: Function, _ bindings: ModeBindings) -> Bool? {
        var sure = true
        var child = statement
        var clause: Node?  // the innermost `case` clause passed on the way up
        for a in ancestors(of: statement) {
            if a == function.node { break }
            defer { child = a }
            switch a.type {
            case "case_clause":
                clause = a
            case "if_statement":
                guard let condition = a.child(byField: "condition") else { return nil }
                // The tests that must hold (true) or fail (false) for `child` to run.
                var tests: [(test: Node, must: Bool)] = []
                if child == a.child(byField: "consequence") {
                    tests = [(condition, true)]
                } else {
                    tests = [(condition, false)]
                    for elif in a.namedChildren where elif.type == "elif_clause" {
                        guard let test = elif.child(byField: "condition") else { continue }
                        if elif == child {
                            tests.append((test, true))
                            break
                        }
                        tests.append((test, false))
                    }
                }
                for (test, must) in tests {
                    guard let value = bindings.read(test)?.truthy else {
                        sure = false
                        continue
                    }
                    if value != must { return nil }
                }
            case "match_statement":
                guard let match = MatchStatement(a), let subject = bindings.read(match.subject) else {
                    sure = false
                    continue
                }
                let selection = match.select(subject, equals: { v, pattern in bindings.read(pattern).map { $0 == v } },
                                             elements: { v in if case .tuple(let items) = v { items } else { nil } },
                                             holds: { condition, bound in bindings.read(condition, bound)?.truthy })
                switch selection {
                case .unknown: sure = false
                case .noMatch: return nil
                case .selected(let chosen, _): if chosen.node != clause { return nil }
                }
            case "for_statement", "while_statement", "try_statement", "except_clause", "finally_clause", "with_statement":
                sure = false
            default:
                break
            }
        }
        return sure
    }

    /// A returned value read with the call's arguments bound: `table[kind]` / `table.get(kind)` of a dictionary of the
    /// file (`dictionaries`) with a key the call's `bindings` compute gives that entry; anything else is itself.
    private func selectedEntry(_ value: Node, _ bindings: ModeBindings) -> Node {
        let returned = unwrapped(value)
        var table: Node?, key: Node?
        if returned.type == "subscript" {
            table = returned.child(byField: "value")
            key = returned.child(byField: "subscript")
        } else if returned.type == "call", case let get = callSite(returned), get.name == "get", let receiver = get.receiver,
                  get.keywords.isEmpty, (1...2).contains(get.positional.count) {
            table = receiver
            key = get.positional[0]
        }
        guard let table, let key, case .string(let name)? = bindings.read(key) else { return value }
        // A table the function builds itself (`table = {...}` before the `return`), else one of the file.
        var sources = [table]
        if table.type == "identifier", let local = latestValue(of: table.text, before: returned) { sources.insert(local, at: 0) }
        for source in sources {
            for dictionary in dictionaries(source) {
                if let entry = OptimizerUse.entry(name, in: dictionary) { return entry }
            }
        }
        return value
    }
}

/// A function's parameters bound to what one call passes (see `PythonFacts.selectedReturns(of:at:)`), and the
/// parameters it leaves unknown.
private struct ModeBindings {
    let facts: PythonFacts
    let interpreter: ScriptInterpreter
    let env: [String: ScriptValue]
    let unbound: Set<String>

    /// An expression's value under the bindings (and `extra` names, a `case` pattern's captures); nil when it reads a
    /// parameter the call leaves unknown (never read from another call's argument, as the interpreter would for a name
    /// it does not have) or when the interpreter cannot compute it.
    func read(_ node: Node, _ extra: [String: ScriptValue] = [:]) -> ScriptValue? {
        let names = ([node] + facts.descendants(of: node)).filter { $0.type == "identifier" }.map(\.text)
        if names.contains(where: { unbound.contains($0) && extra[$0] == nil }) { return nil }
        return interpreter.value(of: node, env: env.merging(extra) { $1 })
    }
}
