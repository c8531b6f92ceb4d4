import SourceModel

/// One side of a diff: the lowered tree and the text it came from (for snippets and line numbers).
public struct DiffSide: Sendable {
    public let path: String
    public let tree: SyntaxTree
    public let bytes: [UInt8]
    public let lines: LineIndex

    public init(path: String, tree: SyntaxTree, bytes: [UInt8]) {
        self.path = path
        self.tree = tree
        self.bytes = bytes
        lines = LineIndex(bytes: bytes)
    }

    public func range(of node: Int) -> SourceRange { lines.range(tree.byteRange[node]) }

    /// The node's text on one line: whitespace runs collapsed, cut at `limit` characters.
    public func snippet(of node: Int, limit: Int = 80) -> String {
        let text = tree.text(of: node, in: bytes)
        var out = ""
        // Characters in `out`, kept as it grows (`String.count` walks the whole string). Appending whole
        // characters of the text never merges two into one: only whitespace is dropped between them.
        var count = 0
        var lastWasSpace = false
        for ch in text {
            if ch.isWhitespace {
                if !lastWasSpace && !out.isEmpty { out.append(" "); count += 1 }
                lastWasSpace = true
            } else {
                out.append(ch)
                count += 1
                lastWasSpace = false
            }
            if count > limit { return String(out.prefix(limit - 1)) + "…" }
        }
        return out.trimmingCharactersOfSpace()
    }
}

extension String {
    func trimmingCharactersOfSpace() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
