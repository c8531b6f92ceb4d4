import CTreeSitter
import Foundation

/// Every node's parent in one tree, filled by one cursor walk the first time a parent is asked for.
///
/// tree-sitter 0.20 answers `ts_node_parent` by descending from the root again each time, so code that climbs
/// from a node to its statement or function pays for the whole path on every step. The table makes a parent one
/// hash lookup. Nodes are keyed by their subtree pointer and start byte, which identify a node within a tree.
final class ParentTable: @unchecked Sendable {
    struct Key: Hashable {
        let id: UInt
        let start: UInt32
        init(_ node: TSNode) {
            id = UInt(bitPattern: node.id)
            start = node.context.0
        }
    }

    /// Guards `table`: trees are shared between threads, and the first reader fills it.
    private let lock = NSLock()
    private var table: [Key: TSNode]?

    /// The parent of `node` in `tree` (nil for the root).
    func parent(of node: TSNode, in tree: OpaquePointer) -> TSNode? {
        lock.lock()
        defer { lock.unlock() }
        if table == nil { table = Self.build(tree) }
        return table?[Key(node)]
    }

    private static func build(_ tree: OpaquePointer) -> [Key: TSNode] {
        var parents: [Key: TSNode] = [:]
        let root = ts_tree_root_node(tree)
        var cursor = ts_tree_cursor_new(root)
        defer { ts_tree_cursor_delete(&cursor) }
        // Depth-first with the cursor; the stack holds the current node's ancestors.
        var stack: [TSNode] = []
        var current = root
        while true {
            if ts_tree_cursor_goto_first_child(&cursor) {
                stack.append(current)
                current = ts_tree_cursor_current_node(&cursor)
                parents[Key(current)] = stack[stack.count - 1]
                continue
            }
            while !ts_tree_cursor_goto_next_sibling(&cursor) {
                guard ts_tree_cursor_goto_parent(&cursor), let parent = stack.popLast() else { return parents }
                current = parent
            }
            current = ts_tree_cursor_current_node(&cursor)
            parents[Key(current)] = stack[stack.count - 1]
        }
    }
}
