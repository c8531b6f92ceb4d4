import SourceModel
import TreeSitterKit

/// Function-like macros that stand for `__launch_bounds__` (`#define BOUNDS(n) __launch_bounds__(n)`), and where the
/// source calls them. tree-sitter reads such a call between a kernel's qualifiers and its name (`__global__ void
/// BOUNDS(256) kernel(...)`) as a declaration of its own, which cuts the kernel off its return type and its template
/// header. `CUDAFacts` parses the source again with each such call blanked (spaces of the same length, so every other
/// offset stays), and keeps the calls here: `launch_bounds` reads them from the declaration they stood in.
struct AttributeMacros {
    /// A call of an attribute macro: its byte range in the source and its text.
    struct Use {
        let range: Range<Int>
        let text: String
    }

    let uses: [Use]

    /// The calls in `tree` of function-like macros (defined in `tree`) whose replacement spells `__launch_bounds__`.
    init(_ tree: Tree) {
        var names = Set<String>()
        for node in tree.rootNode.preorder where node.type == "preproc_function_def" {
            guard let name = node.child(byField: "name")?.text, let value = node.child(byField: "value"),
                  value.text.contains("__launch_bounds__") else { continue }
            names.insert(name)
        }
        guard !names.isEmpty else {
            uses = []
            return
        }
        // Leaves in document order: a call is the name, `(`, and everything up to the matching `)`.
        var leaves: [Node] = []
        var inDirective: [Range<Int>] = []
        for node in tree.rootNode.preorder {
            if node.type.hasPrefix("preproc_") && node.type != "preproc_if" && node.type != "preproc_ifdef"
                && node.type != "preproc_else" && node.type != "preproc_elif" {
                inDirective.append(node.byteRange)
            }
            if node.childCount == 0 { leaves.append(node) }
        }
        var found: [Use] = []
        var index = 0
        while index < leaves.count {
            let leaf = leaves[index]
            defer { index += 1 }
            guard names.contains(leaf.text), index + 1 < leaves.count, leaves[index + 1].text == "(",
                  !inDirective.contains(where: { $0.contains(leaf.startByte) }) else { continue }
            var depth = 0
            var end = index + 1
            while end < leaves.count {
                if leaves[end].text == "(" { depth += 1 }
                if leaves[end].text == ")" { depth -= 1; if depth == 0 { break } }
                end += 1
            }
            guard end < leaves.count else { break }
            let range = leaf.startByte..<leaves[end].endByte
            found.append(Use(range: range, text: tree.text(in: range)))
            index = end
        }
        uses = found
    }

    /// `bytes` with every use blanked: spaces, line breaks kept.
    func blanked(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for use in uses {
            for i in use.range where result[i] != UInt8(ascii: "\n") && result[i] != UInt8(ascii: "\r") { result[i] = UInt8(ascii: " ") }
        }
        return result
    }
}
