import Parsing
import TreeSitterKit

/// `muon_optimizer`: hidden weight matrices are updated with an orthogonalized momentum (Muon, OrthogonalNesterov).
///
/// Requires an optimizer whose update is orthogonalized, recognized by what it computes: a class with a `step`
/// that (itself or through the functions it calls) runs a Newton-Schulz iteration on the Gram matrix `X @ X^T` or
/// takes `U @ V^T` from an SVD (also through a table of such functions, one filtered out of `globals()` by name
/// included), and that the file instantiates, by name or through a lookup by name (`cls(params)` with `cls =
/// globals().get(spec["cls"]) or getattr(torch.optim, spec["cls"])`, a registry; see `PythonFacts.namedChoices`);
/// or a function that does the same and updates parameters in place, or returns the update for its caller to apply
/// (`u, buf = muon_update(g, buf, momentum=mu)` then `torch._foreach_add_(leaves, updates, alpha=-lr)`, see
/// `PythonFacts.appliedUpdates(of:)`), called inside the loop that computes gradients (`backward()`, also a compiled
/// `torch.func.grad_and_value` held by a name, see `CallSite.computesGradients`);
/// or a chain of gradient transformations with a link that orthogonalizes (`compose(momentum(0.95), orthogonalize(5),
/// times(-lr))`, see `TransformChain`); or a library Muon (`torch.optim.Muon`, `from muon import Muon`). Rejects a class merely named Muon whose step is
/// plain momentum SGD, and a Newton-Schulz routine used only to orthogonalize weights at initialization. Examples:
/// `queries/python/muon_optimizer/examples/`.
struct MuonOptimizer: Detector {
    let id = "muon_optimizer"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        facts.orthogonalizingOptimizers.compactMap { optimizer in
            guard let use = optimizer.uses.first else { return nil }
            let what = optimizer.scope == nil ? "library Muon optimizer" : "optimizer with an orthogonalized update"
            return facts.evidence(use.node, what)
        }
    }
}
