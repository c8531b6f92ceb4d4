import CTreeSitter

/// A cursor that walks a tree without recursion (and without allocating a node per step).
public final class TreeCursor {
    private var raw: TSTreeCursor
    public let tree: Tree

    public init(node: Node) {
        self.raw = ts_tree_cursor_new(node.raw)
        self.tree = node.tree
    }

    deinit { ts_tree_cursor_delete(&raw) }

    public var node: Node { Node(ts_tree_cursor_current_node(&raw), in: tree)! }

    public var fieldName: String? {
        guard let name = ts_tree_cursor_current_field_name(&raw) else { return nil }
        return String(cString: name)
    }

    @discardableResult public func gotoFirstChild() -> Bool { ts_tree_cursor_goto_first_child(&raw) }
    @discardableResult public func gotoNextSibling() -> Bool { ts_tree_cursor_goto_next_sibling(&raw) }
    @discardableResult public func gotoParent() -> Bool { ts_tree_cursor_goto_parent(&raw) }
}
