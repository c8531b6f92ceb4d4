import Parsing
import TreeSitterKit

/// A tensor of a module replaced by a computed one: `torch.nn.utils.parametrize.register_parametrization(module,
/// "weight", P(...))` makes every read of `module.weight` (in its forward too) run `P.forward(original)`, the stored
/// tensor becoming `module.parametrizations.weight.original`. An agent that casts the weight at use this way
/// (`def forward(self, W): return W.to(torch.bfloat16)`) writes no linear class of its own.
public struct Parametrization {
    /// The `register_parametrization(...)` call.
    public let registration: CallSite
    /// The name of the tensor replaced (`weight`), when written out.
    public let tensor: String?
    /// The forward methods of the parametrization's class (a class of the file the registration builds, also through a
    /// name set to one: `p = ComputeDtype(dtype); register_parametrization(m, "weight", p)`).
    public let functions: [PythonFacts.Function]
}

extension PythonFacts {
    /// Every parametrization the file registers with a class of its own, where the registration can run (at module
    /// level, in a special method or a forward, or in a function something refers to).
    public var parametrizations: [Parametrization] {
        memoized("parametrizations") {
            calls.compactMap { call -> Parametrization? in
                guard call.name == "register_parametrization", moduleFunctions[call.callee] == nil,
                      call.receiver == nil || call.callee.hasSuffix("parametrize.register_parametrization"),
                      let argument = call.argument("parametrization", position: 2),
                      enclosingFunction(call.node).map(mayRun) ?? true else { return nil }
                var built = unwrapped(argument)
                if built.type == "identifier", let value = latestValue(of: built.text, before: built) { built = unwrapped(value) }
                guard built.type == "call", case let construction = callSite(built), construction.receiver == nil,
                      let owner = boundClass(named: construction.callee) else { return nil }
                let tensor = call.argument("tensor_name", position: 1).flatMap(SettingsTable.stringValue)
                return Parametrization(registration: call, tensor: tensor, functions: forwardMethods(of: owner))
            }
        }
    }
}
