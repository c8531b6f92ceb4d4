import Parsing
import TreeSitterKit

/// Where a Muon-style update is computed: optimizer classes whose `step` orthogonalizes (whether or not the file
/// instantiates them), and functions outside classes that orthogonalize while updating parameters (a functional
/// step). Built on `OrthogonalizationFacts`.
extension PythonFacts {
    /// Nodes (class or function definitions) that compute an orthogonalized update.
    public var orthogonalizedUpdateScopes: [Node] {
        let orthogonalizers = Set(orthogonalizerFunctions.map(\.name))
        var scopes: [Node] = []
        for c in classes {
            guard let step = functions.first(where: { $0.name == "step" && isInside($0.node, c.node) }),
                  orthogonalizes(reachableFunctions(from: step), orthogonalizers: orthogonalizers) else { continue }
            scopes.append(c.node)
        }
        for f in functions where f.parameters.first != "self" && !orthogonalizers.contains(f.name)
            && !scopes.contains(where: { isInside(f.node, $0) })
            && orthogonalizes(reachableFunctions(from: f), orthogonalizers: orthogonalizers) {
            scopes.append(f.node)
        }
        return scopes
    }

    /// Names of the file's optimizer classes whose `step` orthogonalizes.
    public var orthogonalizingClassNames: Set<String> {
        let scopes = orthogonalizedUpdateScopes
        return Set(classes.filter { c in scopes.contains(c.node) }.map(\.name))
    }

    /// Optimizer constructions that orthogonalize: Muon-family (`torch.optim.Muon`, `Muon`), or a class of the file
    /// whose `step` orthogonalizes.
    public var orthogonalizingOptimizerUses: [OptimizerUse] {
        let own = orthogonalizingClassNames
        return optimizers.filter { $0.family == .muon || own.contains($0.call.name) }
    }
}
