import CTreeSitter

/// One text edit, described in bytes and points, for `Tree.edit` before an incremental re-parse.
public struct InputEdit: Sendable, Hashable {
    public var startByte: Int
    public var oldEndByte: Int
    public var newEndByte: Int
    public var startPoint: Point
    public var oldEndPoint: Point
    public var newEndPoint: Point

    public init(startByte: Int, oldEndByte: Int, newEndByte: Int,
                startPoint: Point, oldEndPoint: Point, newEndPoint: Point) {
        self.startByte = startByte
        self.oldEndByte = oldEndByte
        self.newEndByte = newEndByte
        self.startPoint = startPoint
        self.oldEndPoint = oldEndPoint
        self.newEndPoint = newEndPoint
    }

    /// Builds the edit that replaces `oldBytes[range]` by `replacement`, computing points from the old text.
    public static func replacing(_ range: Range<Int>, in oldBytes: [UInt8], with replacement: [UInt8]) -> InputEdit {
        func point(at offset: Int, in bytes: some Collection<UInt8>, from start: Point = Point(row: 0, column: 0)) -> Point {
            var row = start.row, column = start.column
            for b in bytes.prefix(offset) {
                if b == 0x0A { row += 1; column = 0 } else { column += 1 }
            }
            return Point(row: row, column: column)
        }
        let startPoint = point(at: range.lowerBound, in: oldBytes)
        let oldEnd = point(at: range.count, in: oldBytes[range], from: startPoint)
        let newEnd = point(at: replacement.count, in: replacement, from: startPoint)
        return InputEdit(startByte: range.lowerBound, oldEndByte: range.upperBound,
                         newEndByte: range.lowerBound + replacement.count,
                         startPoint: startPoint, oldEndPoint: oldEnd, newEndPoint: newEnd)
    }

    var raw: TSInputEdit {
        TSInputEdit(start_byte: UInt32(startByte), old_end_byte: UInt32(oldEndByte), new_end_byte: UInt32(newEndByte),
                    start_point: startPoint.raw, old_end_point: oldEndPoint.raw, new_end_point: newEndPoint.raw)
    }
}
