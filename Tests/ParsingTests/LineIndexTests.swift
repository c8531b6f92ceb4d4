import SourceModel
import Testing

@Suite struct LineIndexTests {
    @Test func utf8AndUTF16ColumnsOnNonASCIILines() {
        let text = "a = 1\nσ = \"𝔵\" + b\n"
        let index = LineIndex(bytes: Array(text.utf8))
        let bOffset = Array(text.utf8).lastIndex(of: UInt8(ascii: "b"))!
        let position = index.position(at: bOffset)
        #expect(position.line == 1)
        #expect(position.column == 14, "σ is 2 bytes, 𝔵 is 4")
        #expect(index.utf16Column(at: bOffset) == 11, "σ is 1 UTF-16 unit, 𝔵 is 2")
        #expect(index.offset(line: 1, utf16Column: 11) == bOffset)
        #expect(index.offset(line: 1, utf16Column: 6) == index.offset(line: 1, utf16Column: 7), "inside a surrogate pair rounds up past the scalar")
        #expect(index.offset(of: position) == bOffset)
    }

    @Test func positionsClampAtTheEnd() {
        let index = LineIndex(bytes: Array("ab\ncd".utf8))
        #expect(index.position(at: 99) == Position(line: 1, column: 2))
        #expect(index.offset(line: 5, utf16Column: 0) == 5)
        #expect(index.lineCount == 2)
    }
}
