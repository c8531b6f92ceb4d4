import SourceModel

/// How the characters of an LSP position are counted: UTF-8 bytes when the client offers them (no conversion
/// needed), UTF-16 code units otherwise (the protocol's default).
public enum PositionEncoding: String, Sendable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"

    /// The encoding to use given the client's `general.positionEncodings` (in its order of preference).
    public static func negotiate(offered: [String]?) -> PositionEncoding {
        (offered ?? []).contains(PositionEncoding.utf8.rawValue) ? .utf8 : .utf16
    }

    /// The LSP position of a byte offset.
    public func position(at offset: Int, in lines: LineIndex) -> LSPPosition {
        let position = lines.position(at: offset)
        switch self {
        case .utf8: return LSPPosition(line: position.line, character: position.column)
        case .utf16: return LSPPosition(line: position.line, character: lines.utf16Column(at: offset))
        }
    }

    /// The byte offset of an LSP position (clamped to its line; a line past the end is the end of the text).
    public func offset(of position: LSPPosition, in lines: LineIndex) -> Int {
        switch self {
        case .utf8: return lines.offset(of: Position(line: position.line, column: position.character))
        case .utf16: return lines.offset(line: position.line, utf16Column: position.character)
        }
    }

    public func range(_ bytes: Range<Int>, in lines: LineIndex) -> LSPRange {
        LSPRange(start: position(at: bytes.lowerBound, in: lines), end: position(at: bytes.upperBound, in: lines))
    }
}
