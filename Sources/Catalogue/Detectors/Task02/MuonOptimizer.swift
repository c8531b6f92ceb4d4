import Parsing
import TreeSitterKit

/// `muon_optimizer`: hidden weight matrices are updated with an orthogonalized momentum (Muon, OrthogonalNesterov).
///
/// Requires an optimizer whose update is orthogonalized, recognized by what it computes: a class with a `step`
/// that (itself or through the functions it calls) runs a Newton-Schulz iteration on the Gram matrix `X @ X^T` or
/// takes `U @ V^T` from an SVD, and that the file instantiates; or a function that does the same and updates
/// parameters in place, called inside the loop that runs `backward()`; or a library Muon (`torch.optim.Muon`,
/// `from muon import Muon`). Rejects a class merely named Muon whose step is plain momentum SGD, and a
/// Newton-Schulz routine used only to orthogonalize weights at initialization. Examples:
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
