import SourceModel
import TreeSitterKit

extension PythonFacts {
    /// The functions an optimizer class of the file keeps in its parameter groups and calls from there: `ortho =
    /// group["ortho_fn"]` then `ortho(g)`, or `group["ortho_fn"](g)`, with `group` a loop variable over
    /// `self.param_groups` and the class's `__init__` handing the entry to the base class (`super().__init__(params,
    /// dict(ortho_fn=ortho_fn))`, see `optimizerParameter(for:of:)`). What the `__init__` parameter holds is read where
    /// the optimizer is built, or from its default (a gin binding, `Muon.ortho_fn = @newton_schulz`, stands for it; see
    /// `parameterDefault(in:_:)`). Empty for any other call.
    func groupEntryFunctions(_ call: CallSite) -> [Function] {
        guard var read = call.function.map(unwrapped) else { return [] }
        if read.type == "identifier", enclosingFunction(call.node) != nil,
           let value = latestValue(of: read.text, before: call.node).map(unwrapped) {
            read = value
        }
        guard read.type == "subscript", let group = read.child(byField: "value").map(unwrapped), group.type == "identifier",
              let key = read.child(byField: "subscript").flatMap(SettingsTable.stringValue),
              let owner = enclosingClass(call.node), let initializer = initializer(of: owner) else { return [] }
        // The loop variable over the optimizer's own groups.
        let overGroups = dataflow.bindings(of: group.text, at: group).contains { binding in
            guard case .iteration = binding.kind else { return false }
            return unwrapped(dataflow.iterationSource(binding)).text == "self.param_groups"
        }
        guard overGroups, let parameter = optimizerParameter(for: key, of: initializer),
              let held = parameterArguments(parameter, of: initializer) else { return [] }
        var found: [Function] = []
        for value in held {
            for function in functionsDenoted(by: value, depth: 0) where !found.contains(where: { $0.node == function.node }) {
                found.append(function)
            }
        }
        return found
    }
}
