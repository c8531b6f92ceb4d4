import CTreeSitter

/// A node of a syntax tree. It holds its tree, so it can never outlive it.
public struct Node: @unchecked Sendable, Hashable, CustomStringConvertible {
    let raw: TSNode
    public let tree: Tree

    init(raw: TSNode, tree: Tree) {
        self.raw = raw
        self.tree = tree
    }

    init?(_ raw: TSNode, in tree: Tree) {
        guard !ts_node_is_null(raw) else { return nil }
        self.init(raw: raw, tree: tree)
    }

    /// The grammar's name for this node's type, e.g. `function_definition` or `(`.
    public var type: String {
        let symbol = Int(ts_node_symbol(raw))
        let names = tree.language.symbolNames
        return symbol < names.count ? names[symbol] : String(cString: ts_node_type(raw))
    }
    public var symbol: UInt16 { ts_node_symbol(raw) }
    public var isNamed: Bool { ts_node_is_named(raw) }
    /// A node the parser inserted to recover from an error; it covers no text.
    public var isMissing: Bool { ts_node_is_missing(raw) }
    /// An `ERROR` node: text the parser could not fit into the grammar.
    public var isError: Bool { symbol == UInt16.max || (ts_node_has_error(raw) && type == "ERROR") }
    /// True when this node or a descendant is an error or missing node.
    public var hasError: Bool { ts_node_has_error(raw) }

    public var startByte: Int { Int(ts_node_start_byte(raw)) }
    public var endByte: Int { Int(ts_node_end_byte(raw)) }
    public var byteRange: Range<Int> { startByte..<endByte }
    public var startPoint: Point { Point(ts_node_start_point(raw)) }
    public var endPoint: Point { Point(ts_node_end_point(raw)) }

    public var childCount: Int { Int(ts_node_child_count(raw)) }
    public var namedChildCount: Int { Int(ts_node_named_child_count(raw)) }

    public func child(_ index: Int) -> Node? {
        guard index >= 0, index < childCount else { return nil }
        return Node(ts_node_child(raw, UInt32(index)), in: tree)
    }

    public func namedChild(_ index: Int) -> Node? {
        guard index >= 0, index < namedChildCount else { return nil }
        return Node(ts_node_named_child(raw, UInt32(index)), in: tree)
    }

    public func child(byField name: String) -> Node? {
        guard let id = tree.language.fieldID(named: name) else { return nil }
        return Node(ts_node_child_by_field_id(raw, id), in: tree)
    }

    /// The name of the field under which the child at `index` hangs from this node, if any. Read through a
    /// cursor: the 0.20 runtime's `ts_node_field_name_for_child` mislabels repeated fields and children after
    /// qualifiers.
    public func fieldName(forChild index: Int) -> String? {
        guard index >= 0, index < childCount else { return nil }
        var cursor = ts_tree_cursor_new(raw)
        defer { ts_tree_cursor_delete(&cursor) }
        guard ts_tree_cursor_goto_first_child(&cursor) else { return nil }
        for _ in 0..<index { guard ts_tree_cursor_goto_next_sibling(&cursor) else { return nil } }
        guard let name = ts_tree_cursor_current_field_name(&cursor) else { return nil }
        return String(cString: name)
    }

    public var parent: Node? {
        guard let parent = tree.parents.parent(of: raw, in: tree.raw) else { return nil }
        return Node(parent, in: tree)
    }
    public var nextSibling: Node? { Node(ts_node_next_sibling(raw), in: tree) }
    public var previousSibling: Node? { Node(ts_node_prev_sibling(raw), in: tree) }
    public var nextNamedSibling: Node? { Node(ts_node_next_named_sibling(raw), in: tree) }

    /// The children in order. Walked with a cursor: `ts_node_child(i)` scans from the first child, so
    /// indexing each child in turn would be quadratic in the number of children (a 20,000-element list).
    public var children: [Node] {
        let count = childCount
        guard count > 0 else { return [] }
        var result: [Node] = []
        result.reserveCapacity(count)
        if count <= 8 {
            // Few children: indexing is cheaper than setting up a cursor.
            for index in 0..<count { result.append(Node(raw: ts_node_child(raw, UInt32(index)), tree: tree)) }
            return result
        }
        var cursor = ts_tree_cursor_new(raw)
        defer { ts_tree_cursor_delete(&cursor) }
        guard ts_tree_cursor_goto_first_child(&cursor) else { return [] }
        repeat {
            result.append(Node(raw: ts_tree_cursor_current_node(&cursor), tree: tree))
        } while ts_tree_cursor_goto_next_sibling(&cursor)
        return result
    }

    public var namedChildren: [Node] { namedChildCount == 0 ? [] : children.filter(\.isNamed) }

    /// The source text this node covers.
    public var text: String { tree.text(in: byteRange) }

    /// The smallest named node spanning the byte range.
    public func namedDescendant(for range: Range<Int>) -> Node? {
        Node(ts_node_named_descendant_for_byte_range(raw, UInt32(range.lowerBound), UInt32(range.upperBound)), in: tree)
    }

    /// All nodes below and including this one, in document order, without recursion.
    public var preorder: PreorderSequence { PreorderSequence(root: self) }

    /// The S-expression tree-sitter prints for this node (named nodes only).
    public var sExpression: String {
        guard let cString = ts_node_string(raw) else { return "" }
        defer { free(cString) }
        return String(cString: cString)
    }

    public var description: String { "\(type) [\(startPoint)-\(endPoint)]" }

    public static func == (a: Node, b: Node) -> Bool { ts_node_eq(a.raw, b.raw) }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(startByte)
        hasher.combine(endByte)
        hasher.combine(symbol)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
