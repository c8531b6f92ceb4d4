import Parsing
import TreeSitterKit

/// Functions handed to a higher-order helper of the file, the way functional code applies one update rule per
/// parameter family through a shared loop:
///
/// ```python
/// def apply_updates(leaves, states, update_fn, hp, lr):
///     for p, s in zip(leaves, states):
///         new_p, new_s = update_fn(p, p.grad, s, hp, lr)
///         p.copy_(new_p)
/// apply_updates(head_leaves, head_states, adam_update, adam_hp, lr)     # an Adam step
/// apply_updates(hidden_leaves, hidden_states, ortho_update, ortho_hp, lr)  # an orthogonalized step
/// ```
///
/// Each call of the helper runs the function it hands in, so each call is an optimizer of that function's kind.
extension PythonFacts {
    /// The functions of the file a call hands to a parameter its callee calls (`update_fn(...)` inside
    /// `apply_updates`): named (`adam_update`) or wrapped in `functools.partial(adam_update, hp=...)`. Empty when the
    /// callee is no function of the file or calls none of its parameters.
    public func handedFunctions(_ call: CallSite) -> [Function] {
        guard let helper = calledFunction(call), let body = helper.body else { return [] }
        let parameters = helper.passedParameters
        let called = Set(descendants(of: body).compactMap { node -> String? in
            guard node.type == "call", let callee = node.child(byField: "function").map(unwrapped), callee.type == "identifier",
                  parameters.contains(callee.text), enclosingFunction(node)?.node == helper.node else { return nil }
            return callee.text
        })
        guard !called.isEmpty else { return [] }
        var handed: [Function] = []
        for (index, parameter) in parameters.enumerated() where called.contains(parameter) {
            guard var argument = call.argument(parameter, position: index).map(unwrapped) else { continue }
            if argument.type == "call", case let wrapper = callSite(argument), Self.partialWrappers.contains(wrapper.callee),
               let wrapped = wrapper.positional.first {
                argument = unwrapped(wrapped)
            }
            guard argument.type == "identifier" else { continue }
            handed += function(named: argument.text).filter(\.isModuleLevel)
        }
        return handed
    }

    /// Calls of functions of the file that hand `function` to a parameter they call (see `handedFunctions`).
    public func callsHanding(_ function: Function) -> [CallSite] {
        (identifiersByName[function.name] ?? []).compactMap { use -> CallSite? in
            var node = use
            if let up = node.parent, up.type == "argument_list", let wrapper = up.parent, wrapper.type == "call",
               Self.partialWrappers.contains(callSite(wrapper).callee) {
                node = wrapper
            }
            guard let list = node.parent, list.type == "argument_list" || list.type == "keyword_argument" else { return nil }
            let arguments = list.type == "keyword_argument" ? list.parent : list
            guard let outer = arguments?.parent, outer.type == "call" else { return nil }
            let call = callSite(outer)
            return handedFunctions(call).contains { $0.node == function.node } ? call : nil
        }
    }
}

extension PythonFacts {
    /// Parameter names an update function takes its learning rate by.
    static let rateParameterNames: Set<String> = ["lr", "learning_rate", "step_size", "eta", "rate"]

    /// The module function around a call of an update rule that hands the rule its own rate parameter (`def
    /// adam_step(leaves, states, hp, lr): ... adam_update(p, p.grad, s, hp, lr)`), when something outside it calls it:
    /// the rate, and so the optimizer, is decided by each call of that helper. Nil otherwise.
    func rateForwardingHelper(around call: CallSite, of rule: Function) -> Function? {
        guard let helper = enclosingFunction(call.node), helper.node != rule.node, helper.isModuleLevel else { return nil }
        let parameters = rule.passedParameters
        guard let index = parameters.firstIndex(where: Self.rateParameterNames.contains),
              let rate = call.argument(parameters[index], position: index).map(unwrapped), rate.type == "identifier",
              helper.passedParameters.contains(rate.text), latestValue(of: rate.text, before: rate) == nil,
              calls(named: helper.name).contains(where: { !isInside($0.node, helper.node) && calledFunction($0)?.node == helper.node })
        else { return nil }
        return helper
    }
}
