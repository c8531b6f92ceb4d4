import CTreeSitter
import Foundation
import Testing
import TestSupport
import TreeSitterGrammars
@testable import TreeSitterKit

/// `Node` reads its tree from a flat table built once; these tests hold every answer of the table against what
/// tree-sitter's own C API says for the same node.
@Suite struct NodeTableTests {
    /// Compares each node of `tree` with the C API; returns the number of nodes checked.
    @discardableResult
    static func checkAgainstRuntime(_ tree: Tree, _ label: String) -> Int {
        var checked = 0
        var cursor = ts_tree_cursor_new(tree.rootNode.raw)
        defer { ts_tree_cursor_delete(&cursor) }
        for node in tree.rootNode.preorder {
            let raw = node.raw
            checked += 1
            #expect(node.type == String(cString: ts_node_type(raw)), "\(label): type at \(node.startByte)")
            #expect(node.isNamed == ts_node_is_named(raw))
            #expect(node.startByte == Int(ts_node_start_byte(raw)) && node.endByte == Int(ts_node_end_byte(raw)))
            #expect(node.childCount == Int(ts_node_child_count(raw)), "\(label): child count of \(node)")
            #expect(node.namedChildCount == Int(ts_node_named_child_count(raw)), "\(label): named children of \(node)")
            // Structure as `ts_node_child` gives it: each child's parent and neighbours.
            let cChildren = (0..<ts_node_child_count(raw)).map { ts_node_child(raw, $0) }
            for (index, child) in node.children.enumerated() {
                #expect(ts_node_eq(child.raw, cChildren[index]), "\(label): child \(index) of \(node)")
                #expect(child.parent == node)
                #expect((child.previousSibling?.raw).map { ts_node_eq($0, cChildren[index - 1]) } ?? (index == 0))
                #expect((child.nextSibling?.raw).map { ts_node_eq($0, cChildren[index + 1]) } ?? (index == cChildren.count - 1))
                let nextNamed = cChildren[(index + 1)...].first { ts_node_is_named($0) }
                #expect((child.nextNamedSibling?.raw).map { c in nextNamed.map { ts_node_eq(c, $0) } == true } ?? (nextNamed == nil))
            }
            // `ts_node_parent` agrees too, except for zero-width nodes, which the 0.20 runtime's descent from the
            // root can attach to the wrong ancestor.
            let parent = ts_node_parent(raw)
            if ts_node_is_null(parent) {
                #expect(node.parent == nil)
            } else if node.endByte > node.startByte {
                #expect(node.parent.map { ts_node_eq($0.raw, parent) } == true, "\(label): parent of \(node)")
            }
            for (index, child) in node.namedChildren.enumerated() {
                #expect(ts_node_eq(child.raw, ts_node_named_child(raw, UInt32(index))))
            }
            // Field names as a cursor reports them (the 0.20 node API mislabels some).
            ts_tree_cursor_reset(&cursor, raw)
            if ts_tree_cursor_goto_first_child(&cursor) {
                var index = 0
                repeat {
                    let expected = ts_tree_cursor_current_field_name(&cursor).map { String(cString: $0) }
                    #expect(node.fieldName(forChild: index) == expected, "\(label): field of child \(index) of \(node)")
                    if let expected {
                        // `child(byField:)` is the first child under that field.
                        let first = node.children.enumerated().first { node.fieldName(forChild: $0.offset) == expected }
                        #expect(node.child(byField: expected) == first?.element)
                    }
                    index += 1
                } while ts_tree_cursor_goto_next_sibling(&cursor)
            }
            // Named descendants read from the table are what walking named children finds.
            var walked: [Node] = [], stack = [node]
            while let n = stack.popLast() {
                walked.append(n)
                if n.type != "string" { stack.append(contentsOf: n.namedChildren.reversed()) }
            }
            #expect(node.namedDescendants { $0.type == "string" } == walked, "\(label): named descendants of \(node)")
            // A C node maps back to the same position.
            #expect(Node(raw, in: tree) == node)
            // The subtree is the contiguous run of positions that preorder walks.
            #expect(node.subtreeSize == node.preorder.reduce(0) { count, _ in count + 1 })
        }
        #expect(checked == tree.nodeCount)
        return checked
    }

    @Test func smallPythonAndCUDATreesMatchTheRuntime() throws {
        let python = """
        import torch.nn.functional as F
        @torch.compile
        def f(x, *args, y: int = 2, **kw):
            return F.relu(x).square() if y else [i for i in args if i]
        class A(nn.Module):
            def __init__(self): super().__init__(); self.w = lambda q: q ** 2
        """
        Self.checkAgainstRuntime(try Parser(language: .python).parse(python), "python")
        let cuda = """
        template <int N> __global__ void k(const float* __restrict__ x, float* y, int n) {
            __shared__ float s[N];
            for (int i = threadIdx.x; i < n; i += blockDim.x) { s[i % N] = x[i]; }
            __syncthreads();
            if (threadIdx.x == 0) y[blockIdx.x] = s[0];
        }
        int main() { k<32><<<1, 32>>>(nullptr, nullptr, 0); }
        """
        Self.checkAgainstRuntime(try Parser(language: .cuda).parse(cuda), "cuda")
    }

    @Test func treesWithErrorsAndMissingNodesMatchTheRuntime() throws {
        for source in ["def f(:\n  pass\n", "x = (1, 2\ny = ]\n", "class :\n", "if x\n    y = 1\n", ""] {
            let tree = try Parser(language: .python).parse(source)
            Self.checkAgainstRuntime(tree, "broken \(source.debugDescription)")
        }
    }

    @Test func incrementallyReparsedTreesMatchTheRuntime() throws {
        let parser = try Parser(language: .python)
        let old = "def f(x):\n    return x\n"
        let tree = try parser.parse(old)
        let new = "def f(x):\n    y = x * 2\n    return y\n"
        // `return x` (bytes 14..<22) becomes `y = x * 2\n    return y` (14..<36).
        let edit = InputEdit(startByte: 14, oldEndByte: 22, newEndByte: 36,
                             startPoint: Point(row: 1, column: 4), oldEndPoint: Point(row: 1, column: 12),
                             newEndPoint: Point(row: 2, column: 12))
        let reparsed = try parser.parse(bytes: Array(new.utf8), oldTree: tree.edited(edit))
        Self.checkAgainstRuntime(reparsed, "reparsed")
        #expect(reparsed.rootNode.namedChild(0)?.child(byField: "body")?.namedChildCount == 2)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func everyRecordMatchesTheRuntime() throws {
        let parser = try Parser(language: .python)
        var total = 0
        for number in [1, 9, 19, 21] {
            let tree = try parser.parse(bytes: Array(try Data(contentsOf: Corpus.record(number))))
            total += Self.checkAgainstRuntime(tree, "record \(number)")
        }
        #expect(total > 10_000)
    }
}
