import RunLogs
import Testing

@Suite struct EmbeddedScriptRangeTests {
    @Test func logWithoutSeparatorHasNoScript() {
        let log = Array("s:0 trl:10.9\ns:1 trl:10.1\n".utf8)
        #expect(throws: EmbeddedScript.Failure.noSeparator) { try EmbeddedScript.range(in: log).get() }
    }
}
