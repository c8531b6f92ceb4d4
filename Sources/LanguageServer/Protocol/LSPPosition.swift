/// An LSP position: zero-based line and character, the character counted in the negotiated encoding's units
/// (UTF-16 code units unless the client accepted UTF-8 bytes).
public struct LSPPosition: Codable, Hashable, Sendable {
    public var line: Int
    public var character: Int

    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }
}

/// An LSP range: start inclusive, end exclusive.
public struct LSPRange: Codable, Hashable, Sendable {
    public var start: LSPPosition
    public var end: LSPPosition

    public init(start: LSPPosition, end: LSPPosition) {
        self.start = start
        self.end = end
    }
}
