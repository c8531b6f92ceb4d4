import CClang

/// A source range as libclang reports it, in the file it belongs to: byte offsets and 1-based lines/columns.
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var startOffset: Int
    public var endOffset: Int
    public var startLine: Int
    public var startColumn: Int
    public var endLine: Int
    public var endColumn: Int

    public init(file: String, startOffset: Int, endOffset: Int, startLine: Int, startColumn: Int,
                endLine: Int, endColumn: Int) {
        self.file = file
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.startLine = startLine
        self.startColumn = startColumn
        self.endLine = endLine
        self.endColumn = endColumn
    }

    init(_ range: CXSourceRange) {
        let (file, startLine, startColumn, startOffset) = SourceSpan.decompose(clang_getRangeStart(range))
        let (_, endLine, endColumn, endOffset) = SourceSpan.decompose(clang_getRangeEnd(range))
        self.init(file: file, startOffset: startOffset, endOffset: endOffset, startLine: startLine,
                  startColumn: startColumn, endLine: endLine, endColumn: endColumn)
    }

    static func decompose(_ location: CXSourceLocation) -> (String, Int, Int, Int) {
        var file: CXFile?
        var line: UInt32 = 0, column: UInt32 = 0, offset: UInt32 = 0
        clang_getSpellingLocation(location, &file, &line, &column, &offset)
        let name = file.map { String(consuming: clang_getFileName($0)) } ?? ""
        return (name, Int(line), Int(column), Int(offset))
    }

    public var byteRange: Range<Int> { startOffset..<max(startOffset, endOffset) }
    public var description: String { "\(file):\(startLine):\(startColumn)" }
}
