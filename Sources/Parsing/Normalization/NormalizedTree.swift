import SourceModel
import TreeSitterKit

/// The language-neutral tree of a parsed file, normalized as asked: the input of the semantic diff and of
/// structural detectors.
public enum NormalizedTree {
    public static func build(_ root: Node, language: SourceLanguage,
                             options: NormalizationOptions = .standard) -> SyntaxTree {
        switch language {
        case .python:
            let normalizer = PythonNormalizer(root: root, options: options)
            var tree = Lowering.lower(root, rules: .python, rewriter: options.isEmpty ? nil : normalizer)
            if options.contains(.identifierAbstraction) {
                let keep = IdentifierAbstraction.pythonBuiltins.union(normalizer.imports.bindings.keys)
                tree = IdentifierAbstraction.apply(tree, keep: keep)
            }
            return tree
        case .cuda:
            var tree = Lowering.lower(root, rules: .cuda)
            if options.contains(.identifierAbstraction) {
                tree = IdentifierAbstraction.apply(tree, keep: ["threadIdx", "blockIdx", "blockDim", "gridDim", "warpSize"])
            }
            return tree
        }
    }
}
