import CTreeSitter

/// A node of a syntax tree: a position in the tree's `NodeTable`. It holds its tree, so it can never outlive it.
public struct Node: @unchecked Sendable, Hashable, CustomStringConvertible {
    public let tree: Tree
    /// Position in the tree's table (document order).
    @usableFromInline let position: Int32

    @inlinable init(position: Int, tree: Tree) {
        self.position = Int32(position)
        self.tree = tree
    }

    /// The node for a C node of `tree`; nil for the null node.
    init?(_ raw: TSNode, in tree: Tree) {
        guard !ts_node_is_null(raw), let position = tree.table.position(of: raw) else { return nil }
        self.init(position: position, tree: tree)
    }

    @inlinable init?(_ position: Int32, in tree: Tree) {
        guard position >= 0 else { return nil }
        self.position = position
        self.tree = tree
    }

    @inlinable var table: NodeTable { tree.table }
    @inlinable var index: Int { Int(position) }

    @usableFromInline var raw: TSNode { table.raws[index] }

    /// The grammar's name for this node's type, e.g. `function_definition` or `(`.
    @inlinable public var type: String {
        let symbol = Int(table.symbols[index])
        let names = tree.symbolNames
        return symbol < names.count ? names[symbol] : String(cString: ts_node_type(raw))
    }
    @inlinable public var symbol: UInt16 { table.symbols[index] }
    @inlinable public var isNamed: Bool { table.named[index] }
    /// A node the parser inserted to recover from an error; it covers no text.
    @inlinable public var isMissing: Bool { table.missing[index] }
    /// An `ERROR` node: text the parser could not fit into the grammar.
    public var isError: Bool { symbol == UInt16.max || (ts_node_has_error(raw) && type == "ERROR") }
    /// True when this node or a descendant is an error or missing node.
    public var hasError: Bool { ts_node_has_error(raw) }

    @inlinable public var startByte: Int { Int(table.startBytes[index]) }
    @inlinable public var endByte: Int { Int(table.endBytes[index]) }
    @inlinable public var byteRange: Range<Int> { startByte..<endByte }
    public var startPoint: Point { Point(ts_node_start_point(raw)) }
    public var endPoint: Point { Point(ts_node_end_point(raw)) }

    @inlinable public var childCount: Int { Int(table.childCounts[index]) }
    @inlinable public var namedChildCount: Int { Int(table.namedChildCounts[index]) }

    @inlinable public func child(_ index: Int) -> Node? {
        guard index >= 0, index < childCount else { return nil }
        var position = self.index + 1
        for _ in 0..<index { position = Int(table.nextSiblings[position]) }
        return Node(position: position, tree: tree)
    }

    @inlinable public func namedChild(_ index: Int) -> Node? {
        guard index >= 0, index < namedChildCount else { return nil }
        var remaining = index
        for position in table.children(of: self.index) where table.named[position] {
            if remaining == 0 { return Node(position: position, tree: tree) }
            remaining -= 1
        }
        return nil
    }

    /// The first child hanging under the field `name`.
    @inlinable public func child(byField name: String) -> Node? {
        guard let id = tree.language.fieldID(named: name) else { return nil }
        for position in table.children(of: index) where table.fieldIDs[position] == id {
            return Node(position: position, tree: tree)
        }
        return nil
    }

    /// The name of the field under which the child at `index` hangs from this node, if any. Read from the
    /// cursor walk that built the table: the 0.20 runtime's `ts_node_field_name_for_child` mislabels repeated
    /// fields and children after qualifiers.
    public func fieldName(forChild index: Int) -> String? {
        guard let child = child(index) else { return nil }
        return child.fieldName
    }

    /// The name of the field under which this node hangs from its parent, if any.
    public var fieldName: String? {
        let id = table.fieldIDs[index]
        guard id != 0, let name = ts_language_field_name_for_id(tree.language.pointer, id) else { return nil }
        return String(cString: name)
    }

    @inlinable public var parent: Node? { Node(table.parents[index], in: tree) }
    @inlinable public var nextSibling: Node? { Node(table.nextSiblings[index], in: tree) }
    @inlinable public var previousSibling: Node? { Node(table.previousSiblings[index], in: tree) }
    @inlinable public var nextNamedSibling: Node? {
        var position = table.nextSiblings[index]
        while position >= 0, !table.named[Int(position)] { position = table.nextSiblings[Int(position)] }
        return Node(position, in: tree)
    }

    /// The children in order.
    @inlinable public var children: [Node] {
        let count = childCount
        guard count > 0 else { return [] }
        var result: [Node] = []
        result.reserveCapacity(count)
        for position in table.children(of: index) { result.append(Node(position: position, tree: tree)) }
        return result
    }

    @inlinable public var namedChildren: [Node] {
        let count = namedChildCount
        guard count > 0 else { return [] }
        var result: [Node] = []
        result.reserveCapacity(count)
        for position in table.children(of: index) where table.named[position] {
            result.append(Node(position: position, tree: tree))
        }
        return result
    }

    /// The source text this node covers.
    @inlinable public var text: String { tree.text(in: byteRange) }

    /// Whether the source text this node covers is `expected`, compared byte for byte without making a string.
    @inlinable public func hasText<S: StringProtocol>(_ expected: S) -> Bool {
        let range = byteRange
        guard expected.utf8.count == range.count, range.upperBound <= tree.bytes.count else { return false }
        return tree.bytes[range].elementsEqual(expected.utf8)
    }

    /// The smallest named node spanning the byte range.
    public func namedDescendant(for range: Range<Int>) -> Node? {
        Node(ts_node_named_descendant_for_byte_range(raw, UInt32(range.lowerBound), UInt32(range.upperBound)), in: tree)
    }

    /// All nodes below and including this one, in document order (a contiguous run of the tree's table).
    public var preorder: PreorderSequence { PreorderSequence(root: self) }

    /// This node's place in its tree's document order (the root is 0; a node's subtree is the run of positions
    /// from its own to its own plus `subtreeSize`).
    public var documentPosition: Int { index }

    /// The number of nodes in this subtree, itself included.
    public var subtreeSize: Int { Int(table.subtreeEnds[index]) - index }

    /// This node and the named nodes inside it, in document order, not entering nodes for which `stop` holds
    /// (they are listed, their insides are not). Read from the table: no walk, no per-node child arrays.
    public func namedDescendants(stoppingAt stop: (Node) -> Bool) -> [Node] {
        var result = [self]
        if stop(self) { return result }
        let table = self.table
        var position = index + 1
        let end = Int(table.subtreeEnds[index])
        while position < end {
            if table.named[position] {
                let node = Node(position: position, tree: tree)
                result.append(node)
                if stop(node) {
                    position = Int(table.subtreeEnds[position])
                    continue
                }
            }
            position += 1
        }
        return result
    }

    /// The S-expression tree-sitter prints for this node (named nodes only).
    public var sExpression: String {
        guard let cString = ts_node_string(raw) else { return "" }
        defer { free(cString) }
        return String(cString: cString)
    }

    public var description: String { "\(type) [\(startPoint)-\(endPoint)]" }

    @inlinable public static func == (a: Node, b: Node) -> Bool { a.position == b.position && a.tree === b.tree }
    @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(position) }
}

/// Pre-order traversal of a subtree: its positions in the table, in order. A value iterator: no allocation.
public struct PreorderSequence: Sequence {
    let root: Node

    public func makeIterator() -> Iterator { Iterator(root: root) }

    /// A walk that also reports each node's depth (see `PreorderDepthSequence`).
    public var withDepth: PreorderDepthSequence { PreorderDepthSequence(root: root) }

    public struct Iterator: IteratorProtocol {
        @usableFromInline let tree: Tree
        @usableFromInline var position: Int
        @usableFromInline let end: Int

        init(root: Node) {
            tree = root.tree
            position = Int(root.position)
            end = Int(root.tree.table.subtreeEnds[position])
        }

        @inlinable public mutating func next() -> Node? {
            guard position < end else { return nil }
            defer { position += 1 }
            return Node(position: position, tree: tree)
        }
    }
}

/// Pre-order traversal that knows the depth of the node it last returned (for scans that track nesting).
public struct PreorderDepthSequence: Sequence {
    let root: Node

    public func makeIterator() -> Iterator { Iterator(root: root) }

    public final class Iterator: IteratorProtocol {
        private let tree: Tree
        private var position: Int
        private let end: Int
        /// Subtree ends of the nodes enclosing the next one (its ancestors up to the root of the walk).
        private var open: [Int32] = []
        private var depth = 0

        init(root: Node) {
            tree = root.tree
            position = Int(root.position)
            end = Int(root.tree.table.subtreeEnds[position])
        }

        /// Depth of the node last returned, relative to the root (0).
        public var currentDepth: Int { depth }

        public func next() -> Node? {
            guard position < end else { return nil }
            let ends = tree.table.subtreeEnds
            while let last = open.last, Int(last) <= position { open.removeLast() }
            depth = open.count
            open.append(ends[position])
            defer { position += 1 }
            return Node(position: position, tree: tree)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
