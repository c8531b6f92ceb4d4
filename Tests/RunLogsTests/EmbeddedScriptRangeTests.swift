import RunLogs
import Testing

@Suite struct EmbeddedScriptRangeTests {
    @Test func logWithoutSeparatorHasNoScript() {
        let log = Array("s:0 trl:10.9\ns:1 trl:10.1\n".utf8)
        #expect(throws: EmbeddedScript.Failure.noSeparator) { try EmbeddedScript.range(in: log).get() }
    }

    @Test func aWindowFindsTheScriptOfALaterRun() {
        let sep = String(repeating: "=", count: 100)
        let first = "import a\n\(sep)\nstep:1/1 val_loss:3.0\n"
        let log = Array((first + "import b\nx = 2\n\(sep)\nstep:1/1 val_loss:3.0\n").utf8)
        let start = first.utf8.count
        #expect(EmbeddedScript.range(in: log) == .success(0..<9))
        #expect(EmbeddedScript.range(in: log, within: start..<log.count) == .success(start..<(start + 15)))
        #expect(EmbeddedScript.range(in: log, within: start..<start) == .failure(.noSeparator))
    }
}
