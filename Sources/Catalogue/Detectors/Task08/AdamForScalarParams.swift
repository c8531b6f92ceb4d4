import Parsing
import TreeSitterKit

/// `adam_for_scalar_params`: parameters are routed by dimensionality, matrices to Muon, the rest to Adam.
///
/// Requires an orthogonalizing optimizer (Muon-family, or a class of the file whose `step` orthogonalizes)
/// receiving parameters selected as matrices by a dimensionality test (`p.ndim == 2`, `p.ndim >= 2`, `p.dim()`,
/// `len(p.shape)`, in a comprehension, `filter`, or a loop that appends under an `if`/`else`), and an Adam-family
/// optimizer or group receiving the low-dimensional side of such a test (possibly with extra parameters).
/// Rejects all parameters to Muon, an ndim split that only chooses weight-decay groups of one AdamW, and splits
/// by name. Examples: `queries/python/adam_for_scalar_params/examples/`.
struct AdamForScalarParams: Detector {
    let id = "adam_for_scalar_params"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let slots = facts.optimizerSlots
        let orthogonal = facts.orthogonalizingClassNames
        let matrices = slots.first { s in
            (s.optimizer.family == .muon || orthogonal.contains(s.optimizer.call.name)) && s.kinds.contains(.matrices)
        }
        let scalars = slots.first { $0.optimizer.family.isAdamFamily && $0.kinds.contains(.scalars) }
        guard let matrices, let scalars else { return [] }
        return [facts.evidence(matrices.site, "matrices to the orthogonalizing optimizer"),
                facts.evidence(scalars.site, "scalar and vector parameters to Adam")]
    }
}
