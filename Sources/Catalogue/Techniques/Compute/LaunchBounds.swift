import ClangKit
import TreeSitterKit

/// `launch_bounds`: the kernel is declared with `__launch_bounds__(maxThreads[, minBlocks])`, spelled directly,
/// with macro or template arguments, or through a macro that expands to the attribute. libclang's inventory
/// and the tree-sitter attribute node both count. The words in a comment or string, and a macro merely named
/// like the attribute (a block-size constant), do not count.
struct LaunchBounds: TechniqueDetector {
    let id = "launch_bounds"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        if let use = Self.macroUse(of: kernel, in: facts) {
            return [facts.evidence(range: use.range, "\(use.text) stands for __launch_bounds__")]
        }
        guard let (node, arguments) = Self.bounds(of: kernel, in: facts) else { return [] }
        return [facts.evidence(node, "__launch_bounds__(\(arguments.joined(separator: ", ")))")]
    }

    /// A call of a function-like macro standing for the attribute, in the kernel's declaration before its name
    /// (`template <int N> __global__ void BOUNDS(N) kernel(...)`; see `AttributeMacros`).
    static func macroUse(of kernel: CUDAFacts.Function, in facts: CUDAFacts) -> AttributeMacros.Use? {
        guard kernel.node.tree === facts.tree else { return nil }
        var start = kernel.node.startByte
        if let parent = kernel.node.parent, parent.type == "template_declaration" { start = parent.startByte }
        let end = kernel.node.child(byField: "declarator")?.startByte ?? kernel.node.startByte
        return facts.attributeMacros.uses.first { start <= $0.range.lowerBound && $0.range.upperBound <= end }
    }

    /// The attribute's node and its arguments as written: read from the attribute node, from the replacement of a
    /// macro that spells it (parsed, see `MacroText`; a macro that names another one counts as one argument), or from
    /// libclang's tokens.
    static func bounds(of kernel: CUDAFacts.Function, in facts: CUDAFacts) -> (Node, [String])? {
        if let attribute = kernel.node.namedChildren.first(where: { $0.type == "launch_bounds" }) {
            return (attribute, attribute.namedChildren.filter { $0.type != "comment" }.map(\.text))
        }
        // A macro in the declaration that expands to the attribute (`__global__ void BOUNDS kernel(...)`).
        let declarator = kernel.node.child(byField: "declarator")
        for node in kernel.node.preorder where node.type == "identifier" || node.type == "type_identifier" {
            if let declarator, declarator.byteRange.contains(node.startByte) { break }
            if node.text != "__launch_bounds__", let replacement = facts.macros[node.text],
               !facts.expansion(of: node.text).isDisjoint(with: ["__launch_bounds__", "launch_bounds"]) {
                return (node, MacroText.launchBoundsArguments(replacement)?.map(\.text) ?? [replacement])
            }
        }
        if let function = facts.inventory?.functions.first(where: { $0.role == .kernel && $0.name == kernel.name && $0.launchBoundsArguments != nil }),
           let arguments = function.launchBoundsArguments {
            return (kernel.node, arguments)
        }
        return nil
    }
}
