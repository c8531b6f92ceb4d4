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

    /// The node at a place in document order (`0..<nodeCount`; see `Node.documentPosition`).
    public func node(atDocumentPosition position: Int) -> Node { Node(position: position, tree: self) }

    /// A copy of this tree with `edit` applied, ready to be passed as `oldTree` with the new text.
    public func edited(_ edit: InputEdit, newBytes: [UInt8]) -> Tree {
        let copy = ts_tree_copy(raw)!
        var e = edit.raw
        ts_tree_edit(copy, &e)
        return Tree(raw: copy, bytes: newBytes, language: language)
    }

    /// Byte ranges whose syntax differs between `old` (edited) and this tree, as reported by tree-sitter.
    public func changedRanges(from old: Tree) -> [Range<Int>] {
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
