import Parsing
import TreeSitterKit

/// What one call of a function of the file gives each of its parameters. Readers that judge a helper per call site
/// (a mode it dispatches on, a schedule factory's settings, a factory handing its parameters to a constructor) all
/// bind parameters through these two, so that keywords, `**` spreads and positions are read one way.
extension PythonFacts {
    /// The argument a call passes for a parameter of `function`: by keyword, also through a `**` spread of a
    /// dictionary the file writes (see `keywordArgument`), else by position among the parameters a call fills (see
    /// `Function.passedParameters`: a method's receiver and a class method's `cls` are not counted). Nil when the
    /// call leaves the parameter to its default, or `parameter` is not one the call fills.
    public func passedArgument(_ parameter: String, of function: Function, at call: CallSite) -> Node? {
        if let value = keywordArgument(parameter, of: call) { return value }
        guard let index = function.passedParameters.firstIndex(of: parameter), index < call.positional.count else { return nil }
        return call.positional[index]
    }

    /// What a parameter of `function` holds while `call` runs it: the argument the call passes (`passedArgument`),
    /// else the parameter's default. Nil when neither is written.
    public func boundArgument(_ parameter: String, of function: Function, at call: CallSite) -> Node? {
        passedArgument(parameter, of: function, at: call) ?? parameterDefault(function, parameter)
    }
}
