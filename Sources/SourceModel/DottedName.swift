/// Dotted names (`torch.nn.functional.relu`, `self.attn.c_q`) and C++ qualified names (`cg::this_grid`) read
/// without splitting them into arrays: the analyses ask only for the last component.
extension String {
    /// The part after the last dot, or the whole name when it has none (`"torch.square"` -> `"square"`).
    public var lastDottedComponent: String {
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return self }
        return String(self[index(after: dot)...])
    }

    /// The part after the last `::` of a C++ qualified name (`cooperative_groups::this_grid` -> `this_grid`), or
    /// the whole name when it has none. Trailing colons are ignored.
    public var lastQualifiedComponent: String {
        let colon = UInt8(ascii: ":")
        var end = utf8.endIndex
        while end > utf8.startIndex, utf8[utf8.index(before: end)] == colon { end = utf8.index(before: end) }
        let head = self[..<end]
        guard let last = head.utf8.lastIndex(of: colon) else { return String(head) }
        return String(head[head.index(after: last)...])
    }
}
