import LanguageServer
import Testing

@Suite struct OpenDocumentTests {
    /// A change at a UTF-16 position after non-ASCII text lands on the right bytes, and the incrementally
    /// re-parsed tree equals a fresh parse.
    @Test func utf16AndUTF8PositionsOnNonASCIILines() throws {
        let text = "x = 'héllo 🚀'; y = 1\nz = 2\n"
        var utf16 = OpenDocument(uri: "file:///t.py", languageID: "python", version: 1, text: text)
        // In UTF-16, 'héllo 🚀' is 9 units wide ("🚀" is two); `y` starts at character 16.
        try utf16.apply([TextDocumentContentChangeEvent(range: LSPRange(start: LSPPosition(line: 0, character: 16),
                                                                         end: LSPPosition(line: 0, character: 17)), text: "w")],
                        version: 2, encoding: .utf16)
        #expect(String(decoding: utf16.bytes, as: UTF8.self) == "x = 'héllo 🚀'; w = 1\nz = 2\n")
        var utf8 = OpenDocument(uri: "file:///t.py", languageID: "python", version: 1, text: text)
        // In UTF-8 bytes, `y` starts at byte 19 ("é" is 2 bytes, "🚀" 4).
        try utf8.apply([TextDocumentContentChangeEvent(range: LSPRange(start: LSPPosition(line: 0, character: 19),
                                                                        end: LSPPosition(line: 0, character: 20)), text: "w")],
                       version: 2, encoding: .utf8)
        #expect(utf8.bytes == utf16.bytes)
        let fresh = OpenDocument(uri: "file:///t.py", languageID: "python", version: 2, text: String(decoding: utf8.bytes, as: UTF8.self))
        #expect(utf8.tree?.rootNode.sExpression == fresh.tree?.rootNode.sExpression)
    }

    @Test func severalChangesApplyInOrder() throws {
        var document = OpenDocument(uri: "file:///t.py", languageID: "python", version: 1, text: "a = 1\nb = 2\n")
        try document.apply([
            TextDocumentContentChangeEvent(range: LSPRange(start: LSPPosition(line: 1, character: 4), end: LSPPosition(line: 1, character: 5)), text: "3"),
            TextDocumentContentChangeEvent(range: LSPRange(start: LSPPosition(line: 0, character: 0), end: LSPPosition(line: 0, character: 0)), text: "# x\n"),
        ], version: 2, encoding: .utf16)
        #expect(String(decoding: document.bytes, as: UTF8.self) == "# x\na = 1\nb = 3\n")
        #expect(document.version == 2)
        #expect(document.tree?.rootNode.hasError == false)
    }

    @Test func reversedRangeIsAnError() {
        var document = OpenDocument(uri: "file:///t.py", languageID: "python", version: 1, text: "a = 1\n")
        #expect(throws: OpenDocument.ChangeError.self) {
            try document.apply([TextDocumentContentChangeEvent(range: LSPRange(start: LSPPosition(line: 0, character: 4),
                                                                               end: LSPPosition(line: 0, character: 1)), text: "")],
                               version: 2, encoding: .utf16)
        }
        #expect(document.version == 1)
    }
}
