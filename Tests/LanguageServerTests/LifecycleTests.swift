import JSONRPC
import Testing

@Suite struct LifecycleTests {
    @Test func requestsBeforeInitializeAreRefused() async throws {
        let client = TestClient()
        let response = try #require(await client.request("speedrun/tasks"))
        #expect(response["error"]?["code"] == .int(-32002))
    }

    @Test func capabilitiesAreAdvertised() async throws {
        let client = TestClient()
        let response = try #require(await client.initialize())
        let capabilities = try #require(response["result"]?["capabilities"])
        #expect(capabilities["positionEncoding"] == "utf-16")
        #expect(capabilities["textDocumentSync"]?["change"] == .int(2))
        #expect(capabilities["hoverProvider"] == true)
        #expect(capabilities["documentSymbolProvider"] == true)
        #expect(response["result"]?["serverInfo"]?["name"] == "srlens")
    }

    @Test func utf8IsChosenWhenOffered() async throws {
        let client = TestClient()
        let response = try #require(await client.initialize(encodings: ["utf-16", "utf-8"]))
        #expect(response["result"]?["capabilities"]?["positionEncoding"] == "utf-8")
    }

    @Test func exitAfterShutdownIsZeroOtherwiseOne() async throws {
        let clean = TestClient()
        _ = await clean.initialize()
        let shutdown = try #require(await clean.request("shutdown"))
        #expect(shutdown["result"] == .null)
        clean.notify("exit", nil)
        for _ in 0..<500 where clean.exitCodesSeen.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(clean.exitCodesSeen == [0])

        let abrupt = TestClient()
        _ = await abrupt.initialize()
        abrupt.notify("exit", nil)
        for _ in 0..<500 where abrupt.exitCodesSeen.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(abrupt.exitCodesSeen == [1])
    }

    @Test func unknownMethodAndBadParams() async throws {
        let client = TestClient()
        _ = await client.initialize()
        let unknown = try #require(await client.request("speedrun/nothing"))
        #expect(unknown["error"]?["code"] == .int(-32601))
        let bad = try #require(await client.request("textDocument/hover", ["textDocument": 3]))
        #expect(bad["error"]?["code"] == .int(-32602))
    }
}
