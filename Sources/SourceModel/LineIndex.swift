/// Maps byte offsets of a UTF-8 text to lines and columns (UTF-8 or UTF-16), and back.
public struct LineIndex: Sendable {
    /// Byte offset at which each line starts.
    public let lineStarts: [Int]
    private let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    public var lineCount: Int { lineStarts.count }

    /// The line containing `offset` (offsets past the end clamp to the last line).
    public func line(at offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    public func position(at offset: Int) -> Position {
        let clamped = max(0, min(offset, bytes.count))
        let line = line(at: clamped)
        return Position(line: line, column: clamped - lineStarts[line])
    }

    public func range(_ bytes: Range<Int>) -> SourceRange {
        SourceRange(startByte: bytes.lowerBound, endByte: bytes.upperBound,
                    start: position(at: bytes.lowerBound), end: position(at: bytes.upperBound))
    }

    /// The byte offset of a UTF-8 position, clamped to its line.
    public func offset(of position: Position) -> Int {
        guard position.line < lineStarts.count else { return bytes.count }
        let start = lineStarts[max(0, position.line)]
        return min(start + max(0, position.column), lineEnd(position.line))
    }

    /// The UTF-16 column of a byte offset: what LSP clients count unless they negotiated UTF-8.
    public func utf16Column(at offset: Int) -> Int {
        let clamped = max(0, min(offset, bytes.count))
        let start = lineStarts[line(at: clamped)]
        var units = 0
        var i = start
        while i < clamped {
            let (scalarLength, utf16Length) = LineIndex.sequenceLength(bytes[i])
            units += utf16Length
            i += scalarLength
        }
        return units
    }

    /// The byte offset of a UTF-16 position on a line (clamped to the line's end).
    public func offset(line: Int, utf16Column: Int) -> Int {
        guard line < lineStarts.count else { return bytes.count }
        var i = lineStarts[max(0, line)]
        let end = lineEnd(line)
        var units = 0
        while i < end && units < utf16Column {
            let (scalarLength, utf16Length) = LineIndex.sequenceLength(bytes[i])
            units += utf16Length
            i += scalarLength
        }
        return min(i, end)
    }

    /// Offset of the end of `line`, before its newline.
    public func lineEnd(_ line: Int) -> Int {
        line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
    }

    /// Length in bytes of the UTF-8 sequence a lead byte starts, and its length in UTF-16 code units.
    static func sequenceLength(_ lead: UInt8) -> (Int, Int) {
        switch lead {
        case 0xF0...0xF7: (4, 2)
        case 0xE0...0xEF: (3, 1)
        case 0xC0...0xDF: (2, 1)
        default: (1, 1)
        }
    }
}
