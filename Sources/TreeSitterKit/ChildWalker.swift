/// Lists the children of many nodes of one tree into one reusable array (kept for callers that walk many nodes
/// and want no allocation per node; children are read from the tree's node table).
public final class ChildWalker {
    public let tree: Tree

    public init(tree: Tree) { self.tree = tree }

    /// Replaces `children` with the children of `node`, in order.
    public func children(of node: Node, into children: inout [Node]) {
        children.removeAll(keepingCapacity: true)
        for position in tree.table.children(of: Int(node.position)) { children.append(Node(position: position, tree: tree)) }
    }
}
