import TreeSitterKit

/// Functions the file's own decorators wrap, run the way Python runs them (see `PythonFacts.decoratorApplications`).
///
/// A call of a decorated function runs the wrapper of its outermost decorator. The wrapper's parameters take the
/// call's arguments by position (`def wrapped(it)` for `lr_multiplier(it)`; `def wrapped(self, p, g)` for a method),
/// and the factory's parameters hold what the decorator line gives them (`@trapezoid(total=args.num_iterations,
/// warmup=0, warmdown=900)`: `warmup` is 0 in the wrapper). The wrapper's call of the function it was handed
/// (`fn(it)`, `fn(*args, **kwargs)`) runs the next decorator's wrapper, and the innermost one runs the function's own
/// body. So a flat `def lr_multiplier(it): return 1.0` under a decorator that reshapes its result into a ramp is read
/// as that ramp.
extension ScriptInterpreter {
    /// One wrapper running: which decorator of which function, and the arguments the function was called with.
    struct WrapperFrame {
        let wrapper: PythonFacts.Function
        let function: PythonFacts.Function
        let applications: [PythonFacts.DecoratorApplication]
        let level: Int
        let arguments: [String: ScriptValue]
    }

    /// Runs the wrapper of `applications[level]` (innermost first) with the function's arguments; below level 0, the
    /// function's own body.
    func runWrapped(_ function: PythonFacts.Function, _ applications: [PythonFacts.DecoratorApplication], level: Int,
                    _ arguments: [String: ScriptValue], _ depth: Int) -> ScriptValue? {
        guard level >= 0 else { return runBody(function, arguments, depth) }
        guard depth < 20, let wrapper = applications[level].wrapper, let body = wrapper.body else { return nil }
        var env = closureBindings(applications[level], depth)
        // The fields of the object a method runs on stay bound.
        for (key, value) in arguments where key.hasPrefix("self.") { env[key] = value }
        let named = Set(wrapper.parameterList.filter(\.takesOneArgument).map(\.name))
        for (index, parameter) in wrapper.parameters.enumerated() where named.contains(parameter) && index < function.parameters.count {
            if let value = arguments[function.parameters[index]] { env[parameter] = value }
        }
        wrapperFrames.append(WrapperFrame(wrapper: wrapper, function: function, applications: applications, level: level,
                                          arguments: arguments))
        defer { wrapperFrames.removeLast() }
        if case .returned(let value) = exec(body, &env, depth + 1) { return value }
        return nil
    }

    /// A call, inside the running wrapper, of the parameter its decorator received the function by: the next wrapper
    /// in, or the function itself, with the arguments the call passes (those of the wrapper's own call where it
    /// spreads `*args, **kwargs`). Nil (outer) for any other call; the inner nil is an unknown result.
    func decoratedCall(_ call: CallSite, _ env: [String: ScriptValue], _ depth: Int) -> ScriptValue?? {
        guard let frame = wrapperFrames.last, call.receiver == nil, let callee = call.function.map(facts.unwrapped),
              callee.type == "identifier", callee.text == frame.applications[frame.level].applied.parameters.first,
              env[callee.text] == nil, facts.isInside(call.node, frame.wrapper.node) else { return nil }
        let parameters = frame.function.parameters
        var arguments = call.hasSplat ? frame.arguments : frame.arguments.filter { $0.key.hasPrefix("self.") }
        for (index, argument) in call.positional.enumerated() where index < parameters.count {
            if let value = eval(argument, env, depth) { arguments[parameters[index]] = value } else { arguments[parameters[index]] = nil }
        }
        for (name, argument) in call.keywords where parameters.contains(name) {
            arguments[name] = eval(argument, env, depth)
        }
        // The caller's frame stays below: the next wrapper pushes its own.
        return .some(runWrapped(frame.function, frame.applications, level: frame.level - 1, arguments, depth + 1))
    }

    /// The names the decorator's factory was given on the decorator line (`@trapezoid(total=..., warmup=0)`, see
    /// `PythonFacts.decoratorArguments`), read where that line stands.
    private func closureBindings(_ application: PythonFacts.DecoratorApplication, _ depth: Int) -> [String: ScriptValue] {
        var env: [String: ScriptValue] = [:]
        for (parameter, value) in facts.decoratorArguments(application) {
            if let v = eval(value, [:], depth) { env[parameter] = v }
        }
        return env
    }

}
