import TreeSitterKit

/// `muon_allgather_into_tensor`: Muon's distributed step gathers updates into one contiguous buffer.
///
/// Requires a call of `dist.all_gather_into_tensor` (or the legacy `_all_gather_base`) inside an optimizer's
/// code: a method of an optimizer class (a subclass of `Optimizer`, or a class whose step orthogonalizes), or a
/// function that orthogonalizes its updates (a Newton-Schulz or SVD routine of the file, called or inline).
/// `async_op` is not required. Rejects list-based `dist.all_gather`, `all_reduce` of a flat update, and
/// `all_gather_into_tensor` used only outside the optimizer (metrics, validation, data). Examples:
/// `queries/python/muon_allgather_into_tensor/examples/`.
struct MuonAllgatherIntoTensor: Detector {
    let id = "muon_allgather_into_tensor"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let gathers = facts.calls.filter { ["all_gather_into_tensor", "_all_gather_base"].contains($0.name) }
        guard !gathers.isEmpty else { return [] }
        let optimizerClasses = Set(facts.classes.filter { c in
            c.bases.contains { $0.hasSuffix("Optimizer") } || PythonFacts.muonNames.contains(c.name)
        }.map(\.name)).union(facts.orthogonalizingOptimizerClasses.map(\.name))
        return gathers.compactMap { call -> Evidence? in
            if let c = facts.enclosingClass(call.node), optimizerClasses.contains(c.name) {
                return facts.evidence(call.node, "optimizer step gathers updates with all_gather_into_tensor")
            }
            guard let function = facts.enclosingFunction(call.node),
                  facts.reachableFunctions(from: function).contains(where: { facts.orthogonalizes($0.node) }) else { return nil }
            return facts.evidence(call.node, "orthogonalized updates gathered with all_gather_into_tensor")
        }
    }
}
