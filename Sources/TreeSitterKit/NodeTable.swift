import CTreeSitter

/// Every visible node of one tree laid out in flat arrays, in document (pre-order) order, read by one cursor
/// walk when the tree is made.
///
/// A `Node` is a position in this table. Walking the C tree node by node is slow in the ways analyses use it:
/// tree-sitter 0.20 answers `ts_node_parent` by descending from the root, `ts_node_child(i)` scans the children
/// from the first, and a node's type goes through alias and visibility tables. Here a parent, a child, a sibling,
/// a type or a range is an array read, and a subtree is a contiguous run of positions (`subtreeEnd`), so
/// "every node inside this one" is a range rather than a walk.
@usableFromInline
final class NodeTable: @unchecked Sendable {
    /// The C node at each position, for the calls that still need it (queries, points, error flags).
    @usableFromInline let raws: ContiguousArray<TSNode>
    /// Public symbol id (aliases applied), as `ts_node_symbol` returns.
    @usableFromInline let symbols: ContiguousArray<UInt16>
    @usableFromInline let startBytes: ContiguousArray<UInt32>
    @usableFromInline let endBytes: ContiguousArray<UInt32>
    /// Position of the parent; -1 for the root.
    @usableFromInline let parents: ContiguousArray<Int32>
    /// Position of the next sibling; -1 for the last child.
    @usableFromInline let nextSiblings: ContiguousArray<Int32>
    /// Position of the previous sibling; -1 for the first child.
    @usableFromInline let previousSiblings: ContiguousArray<Int32>
    /// One past the last position inside the node's subtree (the first child, when there is one, is position + 1).
    @usableFromInline let subtreeEnds: ContiguousArray<Int32>
    @usableFromInline let childCounts: ContiguousArray<Int32>
    @usableFromInline let namedChildCounts: ContiguousArray<Int32>
    /// The field under which the node hangs from its parent (0: none).
    @usableFromInline let fieldIDs: ContiguousArray<UInt16>
    /// Named, as opposed to an anonymous token such as `(`.
    @usableFromInline let named: ContiguousArray<Bool>
    /// Inserted by the parser to recover from an error (covers no text). Read here once: asking tree-sitter
    /// for every node during a walk is a pointer chase per node.
    @usableFromInline let missing: ContiguousArray<Bool>

    var count: Int { raws.count }
    /// How many nodes deep the tree goes below its root (0 for a root alone).
    let depth: Int
    /// The first node, in document order, at that depth.
    let deepestPosition: Int32

    /// `expectedCount`: a guess at the number of nodes, to size the arrays once.
    init(tree: OpaquePointer, expectedCount: Int = 0) {
        var raws = ContiguousArray<TSNode>(), symbols = ContiguousArray<UInt16>()
        var startBytes = ContiguousArray<UInt32>(), endBytes = ContiguousArray<UInt32>()
        var parents = ContiguousArray<Int32>(), nextSiblings = ContiguousArray<Int32>()
        var previousSiblings = ContiguousArray<Int32>(), subtreeEnds = ContiguousArray<Int32>()
        var childCounts = ContiguousArray<Int32>(), namedChildCounts = ContiguousArray<Int32>()
        var fieldIDs = ContiguousArray<UInt16>(), named = ContiguousArray<Bool>(), missing = ContiguousArray<Bool>()

        for capacity in [expectedCount] where capacity > 0 {
            raws.reserveCapacity(capacity); symbols.reserveCapacity(capacity)
            startBytes.reserveCapacity(capacity); endBytes.reserveCapacity(capacity)
            parents.reserveCapacity(capacity); nextSiblings.reserveCapacity(capacity)
            previousSiblings.reserveCapacity(capacity); subtreeEnds.reserveCapacity(capacity)
            childCounts.reserveCapacity(capacity); namedChildCounts.reserveCapacity(capacity)
            fieldIDs.reserveCapacity(capacity); named.reserveCapacity(capacity); missing.reserveCapacity(capacity)
        }
        let root = ts_tree_root_node(tree)
        var cursor = ts_tree_cursor_new(root)
        defer { ts_tree_cursor_delete(&cursor) }
        // `lastChild[depth]`: the position of the last child seen so far of the node open at `depth`.
        var open: [Int32] = []
        var lastChild: [Int32] = []
        var depth = 0, deepest: Int32 = 0

        func append(_ node: TSNode, field: UInt16) {
            let position = Int32(raws.count)
            let parent = open.last ?? -1
            raws.append(node)
            symbols.append(ts_node_symbol(node))
            startBytes.append(node.context.0)
            endBytes.append(ts_node_end_byte(node))
            parents.append(parent)
            nextSiblings.append(-1)
            subtreeEnds.append(position + 1)
            childCounts.append(0)
            namedChildCounts.append(0)
            fieldIDs.append(field)
            let isNamed = ts_node_is_named(node)
            named.append(isNamed)
            missing.append(ts_node_is_missing(node))
            if parent >= 0 {
                let previous = lastChild[lastChild.count - 1]
                previousSiblings.append(previous)
                if previous >= 0 { nextSiblings[Int(previous)] = position }
                lastChild[lastChild.count - 1] = position
                childCounts[Int(parent)] += 1
                if isNamed { namedChildCounts[Int(parent)] += 1 }
            } else {
                previousSiblings.append(-1)
            }
        }

        append(root, field: 0)
        var current: Int32 = 0
        while true {
            if ts_tree_cursor_goto_first_child(&cursor) {
                open.append(current)
                lastChild.append(-1)
                current = Int32(raws.count)
                if open.count > depth { depth = open.count; deepest = current }
                append(ts_tree_cursor_current_node(&cursor), field: ts_tree_cursor_current_field_id(&cursor))
                continue
            }
            // `current` has no (more) children: close nodes until one has a next sibling.
            var advanced = false
            while !advanced {
                if ts_tree_cursor_goto_next_sibling(&cursor) {
                    current = Int32(raws.count)
                    append(ts_tree_cursor_current_node(&cursor), field: ts_tree_cursor_current_field_id(&cursor))
                    advanced = true
                } else {
                    guard ts_tree_cursor_goto_parent(&cursor), let parent = open.popLast() else {
                        self.raws = raws; self.symbols = symbols; self.startBytes = startBytes; self.endBytes = endBytes
                        self.parents = parents; self.nextSiblings = nextSiblings; self.previousSiblings = previousSiblings
                        // Subtree ends: a node's subtree ends where its last descendant's does; fill bottom-up.
                        var ends = subtreeEnds
                        for position in stride(from: raws.count - 1, through: 1, by: -1) {
                            let parent = Int(parents[position])
                            if ends[position] > ends[parent] { ends[parent] = ends[position] }
                        }
                        self.subtreeEnds = ends
                        self.childCounts = childCounts; self.namedChildCounts = namedChildCounts
                        self.fieldIDs = fieldIDs; self.named = named; self.missing = missing
                        self.depth = depth; self.deepestPosition = deepest
                        return
                    }
                    lastChild.removeLast()
                    current = parent
                }
            }
        }
    }

    /// The position of a C node of this tree, found by its start byte (positions are sorted by it) and identity.
    func position(of node: TSNode) -> Int? {
        let start = node.context.0
        var low = 0, high = startBytes.count
        while low < high {
            let mid = (low + high) / 2
            if startBytes[mid] < start { low = mid + 1 } else { high = mid }
        }
        var position = low
        while position < startBytes.count, startBytes[position] == start {
            if raws[position].id == node.id { return position }
            position += 1
        }
        return nil
    }

    /// Positions of the children of `position`, in order.
    @inlinable func children(of position: Int) -> ChildPositions {
        ChildPositions(table: self, first: childCounts[position] > 0 ? Int32(position + 1) : -1)
    }

    @usableFromInline struct ChildPositions: Sequence, IteratorProtocol {
        @usableFromInline let table: NodeTable
        @usableFromInline var upcoming: Int32
        @inlinable init(table: NodeTable, first: Int32) {
            self.table = table
            upcoming = first
        }
        @inlinable mutating func next() -> Int? {
            guard upcoming >= 0 else { return nil }
            let position = Int(upcoming)
            upcoming = table.nextSiblings[position]
            return position
        }
    }
}
