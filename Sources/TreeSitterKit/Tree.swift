import CTreeSitter

/// An immutable syntax tree together with the bytes it was parsed from.
///
/// tree-sitter trees are safe to read from several threads; editing happens on a copy (`edited`), so a `Tree`
/// never changes after creation.
public final class Tree: @unchecked Sendable {
    let raw: OpaquePointer
    /// The UTF-8 source the tree describes.
    public let bytes: [UInt8]
    public let language: Language
    /// Every node in flat arrays; a `Node` is a position in it.
    @usableFromInline let table: NodeTable
    /// The language's node type names by symbol id (`Node.type`).
    @usableFromInline let symbolNames: [String]

    init(raw: OpaquePointer, bytes: [UInt8], language: Language) {
        self.raw = raw
        self.bytes = bytes
        self.language = language
        symbolNames = language.symbolNames
        // About one node per three bytes of source in the Python and CUDA seen so far.
        table = NodeTable(tree: raw, expectedCount: bytes.count / 3 + 16)
    }

    deinit { ts_tree_delete(raw) }

    public var rootNode: Node { Node(position: 0, tree: self) }

    /// The number of nodes in the tree (named and anonymous).
    public var nodeCount: Int { table.count }

    /// How many levels of nodes lie below the root on the tree's longest path (the root alone: 0).
    public var depth: Int { table.depth }

    /// The first node, in document order, that lies `depth` levels below the root.
    public var deepestNode: Node { Node(position: Int(table.deepestPosition), tree: self) }

    /// The node at a place in document order (`0..<nodeCount`; see `Node.documentPosition`).
    public func node(atDocumentPosition position: Int) -> Node { Node(position: position, tree: self) }

    /// A copy of this tree with `edit` applied, to be passed as `oldTree` when the new text is parsed.
    public func edited(_ edit: InputEdit) -> EditedTree { EditedTree(copying: raw, applying: edit) }

    /// Byte ranges whose syntax differs between `old` (the edited tree this one was parsed from) and this tree, as
    /// reported by tree-sitter.
    public func changedRanges(from old: EditedTree) -> [Range<Int>] {
        var count: UInt32 = 0
        guard let ranges = ts_tree_get_changed_ranges(old.raw, raw, &count) else { return [] }
        defer { free(ranges) }
        return (0..<Int(count)).map { Int(ranges[$0].start_byte)..<Int(ranges[$0].end_byte) }
    }

    /// The text of a byte range, decoding invalid UTF-8 with replacement characters.
    @inlinable public func text(in range: Range<Int>) -> String {
        let lo = max(0, min(range.lowerBound, bytes.count)), hi = max(lo, min(range.upperBound, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }
}

/// A tree with edits applied, waiting to be re-parsed. Its byte offsets follow the edits but it has no text and no
/// node table, so its nodes cannot be read: it serves only as the `oldTree` of the next parse (which reuses what
/// the edits did not touch). Making one costs a copy of tree-sitter's tree, not a walk of it.
public final class EditedTree: @unchecked Sendable {
    let raw: OpaquePointer

    init(copying tree: OpaquePointer, applying edit: InputEdit) {
        raw = ts_tree_copy(tree)!
        var e = edit.raw
        ts_tree_edit(raw, &e)
    }

    deinit { ts_tree_delete(raw) }

    /// This tree with one more edit applied (several changes of one `didChange`).
    public func edited(_ edit: InputEdit) -> EditedTree { EditedTree(copying: raw, applying: edit) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
