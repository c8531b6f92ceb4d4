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

    public var node: Node { Node(raw: ts_tree_cursor_current_node(&raw), tree: tree) }

    public var fieldName: String? {
        guard let name = ts_tree_cursor_current_field_name(&raw) else { return nil }
        return String(cString: name)
    }

    @discardableResult public func gotoFirstChild() -> Bool { ts_tree_cursor_goto_first_child(&raw) }
    @discardableResult public func gotoNextSibling() -> Bool { ts_tree_cursor_goto_next_sibling(&raw) }
    @discardableResult public func gotoParent() -> Bool { ts_tree_cursor_goto_parent(&raw) }
}

/// Pre-order traversal of a subtree driven by a `TreeCursor`; depth never touches the call stack.
public struct PreorderSequence: Sequence {
    let root: Node

    public func makeIterator() -> Iterator { Iterator(root: root) }

    public final class Iterator: IteratorProtocol {
        private let cursor: TreeCursor
        private var depth = 0
        private var started = false
        private var finished = false

        init(root: Node) { cursor = TreeCursor(node: root) }

        /// Depth of the node last returned, relative to the root (0).
        public var currentDepth: Int { depth }

        public func next() -> Node? {
            if finished { return nil }
            if !started {
                started = true
                return cursor.node
            }
            if cursor.gotoFirstChild() {
                depth += 1
                return cursor.node
            }
            while depth > 0 {
                if cursor.gotoNextSibling() { return cursor.node }
                cursor.gotoParent()
                depth -= 1
            }
            finished = true
            return nil
        }
    }
}
