import RunLogs
import Testing

@Suite struct EmbeddedScriptTests {
    let sep = String(repeating: "=", count: 100)

    func range(_ text: String) -> Result<Range<Int>, EmbeddedScript.Failure> { EmbeddedScript.range(in: Array(text.utf8)) }

    @Test func scriptAtTheTopClosedBySeparator() {
        #expect(range("import os\nx = 1\n\(sep)\nnvidia-smi\n") == .success(0..<16))
    }

    @Test func scriptBetweenSeparators() {
        #expect(range("\(sep)\nimport os\n\(sep)\nlog\n") == .success(101..<111))
    }

    @Test func separatorWithCarriageReturnCounts() {
        #expect(range("import os\r\n\(sep)\r\nlog\r\n") == .success(0..<11))
    }

    @Test func noSeparatorOrEmptyScriptIsAFailure() {
        #expect(range("s:0 trl:10.9\n") == .failure(.noSeparator))
        #expect(range("\(sep)\n\(sep)\n") == .failure(.emptyScript))
        #expect(range("") == .failure(.noSeparator))
        #expect(range("x = '=' * 100\n=====\n") == .failure(.noSeparator), "short rules are not separators")
    }
}
