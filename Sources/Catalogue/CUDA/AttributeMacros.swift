import SourceModel
import TreeSitterKit

/// Attribute spellings tree-sitter's grammar does not read, found in a first parse so that `CUDAFacts` can parse the
/// source again without them (every replacement has the length of what it replaces, so all offsets stay):
/// - calls of function-like macros that stand for `__launch_bounds__` (`#define BOUNDS(n) __launch_bounds__(n)`).
///   tree-sitter reads such a call between a kernel's qualifiers and its name (`__global__ void BOUNDS(256)
///   kernel(...)`) as a declaration of its own, which cuts the kernel off its return type and its template header.
///   They are blanked, and kept here: `launch_bounds` reads them from the declaration they stood in;
/// - CUDA's `__align__(n)` (`union __align__(16) Pack`, `__shared__ __align__(16) half tile[...]`), which tree-sitter
///   reads as a call and then loses the declaration around it. It is respelled as the C++ `alignas  (n)`, which the
///   grammar knows, with the same meaning.
struct AttributeMacros {
    /// A call of an attribute macro: its byte range in the source and its text.
    struct Use {
        let range: Range<Int>
        let text: String
    }

    let uses: [Use]
    /// Where `__align__` is written before `(`: the ranges of the word, respelled `alignas  `.
    let alignments: [Range<Int>]

    /// Whether the source needs a second parse.
    var isEmpty: Bool { uses.isEmpty && alignments.isEmpty }

    /// The calls in `tree` of function-like macros (defined in `tree`) whose replacement is `__launch_bounds__(...)`,
    /// and the `__align__(n)` attributes.
    init(_ tree: Tree) {
        var names = Set<String>()
        for node in tree.rootNode.preorder where node.type == "preproc_function_def" {
            guard let name = node.child(byField: "name")?.text, let value = node.child(byField: "value"),
                  MacroText.launchBoundsArguments(value.text) != nil else { continue }
            names.insert(name)
        }
        // Leaves in document order: a call is the name, `(`, and everything up to the matching `)`.
        var leaves: [Node] = []
        var inDirective: [Range<Int>] = []
        for node in tree.rootNode.preorder {
            // Directives that hold no code of their own (conditional blocks such as `#if`/`#elifdef` hold code).
            if Self.codeFreeDirectives.contains(node.type) { inDirective.append(node.byteRange) }
            if node.childCount == 0 { leaves.append(node) }
        }
        var found: [Use] = []
        var alignments: [Range<Int>] = []
        var index = 0
        while index < leaves.count {
            let leaf = leaves[index]
            defer { index += 1 }
            guard index + 1 < leaves.count, leaves[index + 1].text == "(",
                  !inDirective.contains(where: { $0.contains(leaf.startByte) }) else { continue }
            if leaf.text == "__align__" {
                alignments.append(leaf.byteRange)
                continue
            }
            guard names.contains(leaf.text) else { continue }
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
        self.alignments = alignments
    }

    static let codeFreeDirectives: Set<String> = ["preproc_def", "preproc_function_def", "preproc_call", "preproc_include"]

    /// `bytes` with every use blanked (spaces, line breaks kept) and every `__align__` respelled.
    func rewritten(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for use in uses {
            for i in use.range where result[i] != UInt8(ascii: "\n") && result[i] != UInt8(ascii: "\r") { result[i] = UInt8(ascii: " ") }
        }
        let respelling = Array("alignas  ".utf8)
        for range in alignments { result.replaceSubrange(range, with: respelling) }
        return result
    }
}
