import CTreeSitter

/// A position as tree-sitter counts it: zero-based row, and column in UTF-8 bytes.
public struct Point: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    init(_ p: TSPoint) { self.init(row: Int(p.row), column: Int(p.column)) }
    var raw: TSPoint { TSPoint(row: UInt32(row), column: UInt32(column)) }

    public static func < (a: Point, b: Point) -> Bool { (a.row, a.column) < (b.row, b.column) }
    public var description: String { "\(row + 1):\(column + 1)" }
}
