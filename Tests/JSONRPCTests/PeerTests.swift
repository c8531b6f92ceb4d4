import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// Two connections wired to each other in memory: each one's output is the other's input.
struct ConnectionPair {
    let server: Connection
    let client: Connection
    let serverInput: AsyncStream<InboundFrame>.Continuation
    let clientInput: AsyncStream<InboundFrame>.Continuation
    let running: Task<Void, Never>

    init(serverLogger: RPCLogger = .disabled) {
        server = Connection(configuration: .init(logger: serverLogger))
        client = Connection(configuration: .init(logger: .disabled))
        let (serverInbound, serverInput) = AsyncStream.makeStream(of: InboundFrame.self)
        let (clientInbound, clientInput) = AsyncStream.makeStream(of: InboundFrame.self)
        self.serverInput = serverInput
        self.clientInput = clientInput
        let server = server
        let client = client
        running = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await server.run(inbound: serverInbound) { clientInput.yield(.body($0)) }
                    clientInput.finish()
                }
                group.addTask {
                    try? await client.run(inbound: clientInbound) { serverInput.yield(.body($0)) }
                    serverInput.finish()
                }
            }
        }
    }

    func close() async {
        serverInput.finish()
        await running.value
    }
}

@Suite("Server-to-client requests", .timeLimit(.minutes(1)))
struct PeerTests {
    @Test("responses are matched to requests by id, whatever order they come in")
    func matching() async throws {
        let pair = ConnectionPair()
        pair.client.onRequest("workspace/configuration") { context in
            let index = context.params?[0]?.intValue ?? 0
            // Answer later requests sooner, so responses arrive out of order.
            try await Task.sleep(for: .microseconds((40 - index) * 200))
            return ["index": .int(index), "id": context.id.json]
        }
        let results = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            for index in 0..<40 {
                group.addTask { (index, try await pair.server.sendRequest("workspace/configuration", params: [.int(index)])) }
            }
            return try await group.reduce(into: [Int: JSONValue]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 40)
        for (index, result) in results {
            #expect(result["index"] == .int(index))
        }
        #expect(Set(results.values.map { $0["id"] }).count == 40)
        await pair.close()
    }

    @Test("a handler can ask the peer and wait for its answer while the connection keeps reading")
    func nested() async throws {
        let pair = ConnectionPair()
        pair.client.onRequest("window/showMessageRequest") { _ in "Yes" }
        pair.server.onRequest("initialize") { context in
            let answer = try await context.connection.sendRequest("window/showMessageRequest", params: ["message": "ok?"])
            return ["answer": answer]
        }
        // Even a notification handler may wait for the peer: responses are matched by the reading loop.
        let fromNotification = NIOLockedValueBox<JSONValue?>(nil)
        pair.server.onNotification("initialized") { context in
            let answer = try await context.connection.sendRequest("window/showMessageRequest")
            fromNotification.withLockedValue { $0 = answer }
        }
        let result = try await pair.client.sendRequest("initialize")
        #expect(result == ["answer": "Yes"])
        try pair.client.sendNotification("initialized")
        for _ in 0..<10_000 where fromNotification.withLockedValue({ $0 }) == nil {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(fromNotification.withLockedValue { $0 } == "Yes")
        await pair.close()
    }

    @Test("an error response is thrown as ResponseError")
    func errorResponse() async throws {
        let pair = ConnectionPair()
        pair.client.onRequest("refuse") { _ in throw ResponseError.invalidParams("no", data: ["why": "because"]) }
        await #expect(throws: ResponseError(code: .invalidParams, message: "no", data: ["why": "because"])) {
            try await pair.server.sendRequest("refuse")
        }
        await #expect(throws: ResponseError.methodNotFound("nothing")) {
            try await pair.server.sendRequest("nothing")
        }
        await pair.close()
    }

    @Test("a response for an unknown id is logged and ignored")
    func unknownResponse() async {
        let logs = LogRecorder()
        let connection = Connection(configuration: .init(logger: logs.logger))
        let peer = MemoryPeer(connection: connection)
        peer.send(#"{"jsonrpc":"2.0","id":12345,"result":"stray"}"#)
        peer.send(#"{"jsonrpc":"2.0","id":"nope","error":{"code":1,"message":"stray"}}"#)
        peer.send(#"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"both"}}"#)
        let outputs = await peer.drain()
        #expect(outputs.isEmpty)
        #expect(logs.contains("unknown request id 12345"))
        #expect(logs.contains("unknown request id \"nope\""))
        #expect(logs.contains("dropped malformed response"))
    }

    @Test("pending requests fail when the connection closes")
    func closedWhilePending() async {
        let peer = MemoryPeer()
        let pending = Task { try await peer.connection.sendRequest("never/answered") }
        _ = await peer.outputs(atLeast: 1)
        peer.closeInput()
        await #expect(throws: ConnectionError.closed) { try await pending.value }
        #expect(peer.outputs.first?["method"] == "never/answered")
    }

    @Test("cancelling an outgoing request calls the cancellation hook")
    func outgoingCancellation() async throws {
        let peer = MemoryPeer()
        peer.connection.onOutgoingRequestCancelled { id in
            try? peer.connection.sendNotification("$/cancelRequest", params: ["id": id.json])
        }
        let pending = Task { try await peer.connection.sendRequest("slow/thing") }
        let sent = await peer.outputs(atLeast: 1)
        pending.cancel()
        await #expect(throws: CancellationError.self) { try await pending.value }
        let all = await peer.outputs(atLeast: 2)
        #expect(all.last == ["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": sent[0]["id"]!]])
        // A late answer is now for an unknown id: ignored.
        peer.send(#"{"jsonrpc":"2.0","id":\#(sent[0]["id"]!),"result":1}"#)
        #expect(await peer.drain().count == 2)
    }

    @Test("messages sent before the connection runs are written once it does")
    func queuedBeforeRun() async throws {
        let connection = Connection(configuration: .init(logger: .disabled))
        try connection.sendNotification("early", params: [1])
        let peer = MemoryPeer(connection: connection)
        #expect(await peer.drain() == [["jsonrpc": "2.0", "method": "early", "params": [1]]])
    }
}
