/// A position in a file: zero-based line and zero-based column counted in UTF-8 bytes.
/// `LineIndex` converts it to UTF-16 columns for protocols that count that way (LSP's default).
public struct Position: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: Position, b: Position) -> Bool { (a.line, a.column) < (b.line, b.column) }

    /// `line:column`, both one-based, as compilers print them.
    public var description: String { "\(line + 1):\(column + 1)" }
}

/// A range of a file in bytes, with the positions of both ends.
public struct SourceRange: Hashable, Sendable, Codable, CustomStringConvertible {
    public var startByte: Int
    public var endByte: Int
    public var start: Position
    public var end: Position

    public init(startByte: Int, endByte: Int, start: Position, end: Position) {
        self.startByte = startByte
        self.endByte = endByte
        self.start = start
        self.end = end
    }

    public var bytes: Range<Int> { startByte..<endByte }
    public var description: String { "\(start)-\(end)" }
}
