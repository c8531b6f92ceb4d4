import Parsing
import TreeSitterKit

/// `adam_for_scalar_params`: parameters are routed by dimensionality, matrices to Muon, the rest to Adam.
///
/// Requires an orthogonalizing optimizer (Muon-family, or a class of the file whose `step` orthogonalizes)
/// receiving parameters selected as matrices by a dimensionality test (`p.ndim == 2`, `p.ndim >= 2`, `p.dim()`,
/// `len(p.shape)`, in a comprehension, `filter` (also with a predicate that negates another, `lambda p: not
/// is_matrix(p)`), or a loop that appends under an `if`/`else`, the test possibly a predicate handed to a splitter
/// helper behind a guard, `cond is not None and cond(name, p)`, or a mask of such tests zipped with the parameters,
/// `[p for p, m in zip(leaves, is_matrix) if m]` with `is_matrix = [p.ndim == 2 for p in leaves]`, see
/// `PythonFacts.zippedMaskSide`; or in the optimizer
/// class's `__init__`, which keeps only the matrices it is given; or in its groups edited after it is built, see
/// `editedToMatrices`), and an Adam-family
/// optimizer or group receiving the low-dimensional side of such a test (possibly with extra parameters).
/// Rejects all parameters to Muon, an ndim split that only chooses weight-decay groups of one AdamW, and splits
/// by name. The `muon` package's `MuonWithAuxAdam` counts as a Muon and an Adam over its groups (see
/// `PythonFacts.splitByUseMuon`). Optimizers built per entry of a configuration's list read each entry's parameter
/// selector (`PARAM_SELECTORS[entry["params_filter"]](model)`, see `PythonFacts.rowParameterKinds`).
/// Examples: `queries/python/adam_for_scalar_params/examples/`.
struct AdamForScalarParams: Detector {
    let id = "adam_for_scalar_params"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let slots = facts.optimizerSlots
        let matrices = slots.first { s in
            s.optimizer.orthogonalizes(in: facts) && s.kinds.contains(.matrices)
        }
            ?? slots.first { s in
                // The optimizer keeps only the matrices it is given (`params = [p for p in params if p.ndim >= 2]`
                // in its `__init__`).
                s.optimizer.orthogonalizes(in: facts) && keepsOnlyMatrices(s.optimizer, facts)
            }
        let scalars = slots.first { $0.optimizer.family.isAdamFamily && $0.kinds.contains(.scalars) }
        guard let scalars else { return [] }
        if let matrices {
            return [facts.evidence(matrices.site, "matrices to the orthogonalizing optimizer"),
                    facts.evidence(scalars.site, "scalar and vector parameters to Adam")]
        }
        // Groups cut down to the matrices after the optimizer is built (see `editedToMatrices`).
        for slot in slots where slot.optimizer.orthogonalizes(in: facts) {
            if let edit = editedToMatrices(slot.optimizer, facts) {
                return [facts.evidence(edit, "the orthogonalizing optimizer's groups cut down to matrices"),
                        facts.evidence(scalars.site, "scalar and vector parameters to Adam")]
            }
        }
        return []
    }

    /// Whether an optimizer class of the file filters the parameters its `__init__` receives to matrices.
    func keepsOnlyMatrices(_ optimizer: OptimizerUse, _ facts: PythonFacts) -> Bool {
        guard let definition = optimizer.definition,
              let initializer = facts.initializer(of: definition),
              let params = initializer.parameters.dropFirst().first else { return false }
        return facts.descendants(of: initializer.node).contains { n in
            guard n.type == "if_clause" || n.type == "if_statement", let condition = n.type == "if_statement" ? n.child(byField: "condition") : n.namedChildren.first,
                  facts.dimensionSide(of: condition) == .matrices else { return false }
            // The test is on the parameters it was given (a comprehension over them, or a loop).
            return facts.descendants(of: n.parent ?? n).contains { $0.type == "identifier" && $0.text == params }
        }
    }
}
