import CTreeSitter

/// Lists the children of many nodes of one tree with a single reusable cursor: no allocation per node, and
/// linear in the number of children (`ts_node_child(i)` scans from the first child every time).
public final class ChildWalker {
    private var cursor: TSTreeCursor
    public let tree: Tree

    public init(tree: Tree) {
        self.tree = tree
        cursor = ts_tree_cursor_new(ts_tree_root_node(tree.raw))
    }

    deinit { ts_tree_cursor_delete(&cursor) }

    /// Replaces `children` with the children of `node`, in order.
    public func children(of node: Node, into children: inout [Node]) {
        children.removeAll(keepingCapacity: true)
        ts_tree_cursor_reset(&cursor, node.raw)
        guard ts_tree_cursor_goto_first_child(&cursor) else { return }
        repeat {
            children.append(Node(raw: ts_tree_cursor_current_node(&cursor), tree: tree))
        } while ts_tree_cursor_goto_next_sibling(&cursor)
    }

    public func children(of node: Node) -> [Node] {
        var result: [Node] = []
        children(of: node, into: &result)
        return result
    }
}
