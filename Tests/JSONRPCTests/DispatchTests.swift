import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// Requests and notifications through a ``Connection`` fed in memory.
@Suite("Dispatch", .timeLimit(.minutes(1)))
struct DispatchTests {
    func makePeer(logs: LogRecorder? = nil) -> MemoryPeer {
        let connection = Connection(configuration: .init(logger: logs?.logger ?? .disabled))
        connection.onRequest("echo") { context in context.params ?? .null }
        connection.onRequest("add") { context in
            struct Operands: Decodable {
                var a: Int
                var b: Int
            }
            let operands = try context.decodeParams(as: Operands.self)
            return .int(operands.a + operands.b)
        }
        connection.onRequest("fail") { _ in throw ResponseError(code: .serverNotInitialized, message: "not yet") }
        connection.onRequest("crash") { _ in
            struct Oops: Error {}
            throw Oops()
        }
        return MemoryPeer(connection: connection)
    }

    func errorCode(_ response: JSONValue?) -> Int? { response?["error"]?["code"]?.intValue }

    @Test("a request gets its handler's result with its id")
    func result() async {
        let peer = makePeer()
        peer.send(#"{"jsonrpc":"2.0","id":7,"method":"echo","params":{"x":[1,2.5]}}"#)
        peer.send(#"{"jsonrpc":"2.0","id":"s","method":"add","params":{"a":2,"b":3}}"#)
        let outputs = await peer.drain()
        #expect(Set(outputs) == [
            ["jsonrpc": "2.0", "id": 7, "result": ["x": [1, 2.5]]],
            ["jsonrpc": "2.0", "id": "s", "result": 5],
        ])
    }

    @Test("unparsable JSON gets -32700 with a null id")
    func parseError() async {
        let peer = makePeer()
        peer.send(#"{"jsonrpc":"2.0","id":1,"method":"echo""#)
        peer.send("")
        peer.send(String(repeating: "[", count: 100_000))
        let outputs = await peer.drain()
        #expect(outputs.count == 3)
        for output in outputs {
            #expect(errorCode(output) == -32700)
            #expect(output["id"] == .null)
        }
    }

    @Test("invalid requests get -32600, with their id when readable")
    func invalidRequest() async {
        let peer = makePeer()
        peer.send(#"{"id":1,"method":"echo"}"#)
        peer.send(#"{"jsonrpc":"2.0","id":2,"method":5}"#)
        peer.send(#"{"jsonrpc":"2.0","id":3,"method":"echo","params":"x"}"#)
        peer.send(#"{"jsonrpc":"2.0","id":{"a":1},"method":"echo"}"#)
        peer.send(#"42"#)
        peer.send(#"[]"#)
        let outputs = await peer.drain()
        #expect(outputs.count == 6)
        #expect(outputs.allSatisfy { errorCode($0) == -32600 })
        #expect(Set(outputs.map { $0["id"] ?? 0 }) == [1, 2, 3, nil])
        // The empty batch is answered with a single error, not an array.
        #expect(outputs.allSatisfy { $0.objectValue != nil })
    }

    @Test("unknown requests get -32601, including $/ ones; unknown notifications are dropped")
    func unknownMethods() async {
        let logs = LogRecorder()
        let peer = makePeer(logs: logs)
        peer.send(#"{"jsonrpc":"2.0","method":"nobody/listens"}"#)
        peer.send(#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}}"#)
        peer.send(#"{"jsonrpc":"2.0","id":1,"method":"nobody/answers"}"#)
        peer.send(#"{"jsonrpc":"2.0","id":2,"method":"$/unknownRequest"}"#)
        let outputs = await peer.drain()
        #expect(outputs.count == 2)
        #expect(outputs.allSatisfy { errorCode($0) == -32601 })
        #expect(Set(outputs.map { $0["id"] }) == [1, 2])
        #expect(logs.contains("dropped notification $/setTrace"))
    }

    @Test("handlers' errors: typed codes, invalid params, internal error")
    func handlerErrors() async {
        let peer = makePeer()
        peer.send(#"{"jsonrpc":"2.0","id":1,"method":"fail"}"#)
        peer.send(#"{"jsonrpc":"2.0","id":2,"method":"add","params":{"a":"x"}}"#)
        peer.send(#"{"jsonrpc":"2.0","id":3,"method":"add"}"#)
        peer.send(#"{"jsonrpc":"2.0","id":4,"method":"crash"}"#)
        let byID = Dictionary(uniqueKeysWithValues: await peer.drain().map { ($0["id"]!, $0) })
        #expect(errorCode(byID[1]) == -32002)
        #expect(byID[1]?["error"]?["message"] == "not yet")
        #expect(errorCode(byID[2]) == -32602)
        #expect(errorCode(byID[3]) == -32602)
        #expect(errorCode(byID[4]) == -32603)
    }

    @Test("framing errors are answered with a null id")
    func framingErrors() async {
        let peer = makePeer()
        peer.send(frame: .error(.missingContentLength))
        peer.send(frame: .error(.bodyTooLarge(declared: 1 << 40, limit: 10)))
        let outputs = await peer.drain()
        #expect(outputs.map { errorCode($0) } == [-32700, -32600])
        #expect(outputs.allSatisfy { $0["id"] == .null })
    }

    @Test("batches: one array answer with an entry per request and invalid member, none for notifications")
    func batches() async {
        let peer = makePeer()
        peer.send("""
            [{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},
             {"jsonrpc":"2.0","method":"note"},
             {"jsonrpc":"2.0","id":2,"method":"missing"},
             17,
             {"jsonrpc":"2.0","id":3,"method":"add","params":{"a":1,"b":1}}]
            """)
        peer.send(#"[{"jsonrpc":"2.0","method":"note"},{"jsonrpc":"2.0","method":"note2"}]"#)
        peer.send(#"[{"jsonrpc":"2.0","id":9,"method":"echo"}]"#)
        let outputs = await peer.drain()
        #expect(outputs.count == 2)
        let first = outputs.first { $0.arrayValue?.count == 4 }?.arrayValue
        #expect(first?.map { $0["id"] } == [1, 2, .null, 3])
        #expect(first?[0]["result"] == [1])
        #expect(errorCode(first?[1]) == -32601)
        #expect(errorCode(first?[2]) == -32600)
        #expect(first?[3]["result"] == 2)
        let single = outputs.first { $0.arrayValue?.count == 1 }?.arrayValue
        #expect(single?[0]["id"] == 9)
    }

    @Test("notifications run in order, and a request starts after the notifications before it")
    func ordering() async {
        let seen = NIOLockedValueBox<[Int]>([])
        let connection = Connection(configuration: .init(logger: .disabled))
        connection.onNotification("append") { context in
            // Later notifications finish faster: only ordered dispatch keeps the sequence.
            let value = context.params?[0]?.intValue ?? -1
            try await Task.sleep(for: .microseconds(max(0, 2_000 - value * 20)))
            seen.withLockedValue { $0.append(value) }
        }
        connection.onRequest("list") { _ in .array(seen.withLockedValue { $0 }.map { .int($0) }) }
        let peer = MemoryPeer(connection: connection)
        for value in 0..<50 {
            peer.send(#"{"jsonrpc":"2.0","method":"append","params":[\#(value)]}"#)
        }
        peer.send(#"{"jsonrpc":"2.0","id":1,"method":"list"}"#)
        let outputs = await peer.drain()
        #expect(outputs.first?["result"] == .array((0..<50).map { .int($0) }))
    }

    @Test("a slow request does not hold up others")
    func concurrentHandlers() async {
        let gate = Gate()
        let connection = Connection(configuration: .init(logger: .disabled))
        connection.onRequest("slow") { _ in
            await gate.wait()
            return "slow done"
        }
        connection.onRequest("fast") { _ in "fast done" }
        let peer = MemoryPeer(connection: connection)
        peer.send(#"{"jsonrpc":"2.0","id":1,"method":"slow"}"#)
        for id in 2...20 {
            peer.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"fast"}"#)
        }
        let early = await peer.outputs(atLeast: 19)
        #expect(early.count == 19)
        #expect(early.allSatisfy { $0["result"] == "fast done" })
        #expect(connection.incomingRequestsInFlight == [1])
        gate.open()
        let all = await peer.drain()
        #expect(all.count == 20)
        #expect(all.last == ["jsonrpc": "2.0", "id": 1, "result": "slow done"])
    }

    @Test("cancelling a request in flight answers -32800")
    func cancellation() async {
        let connection = Connection(configuration: .init(logger: .disabled))
        let started = Gate()
        connection.onRequest("wait") { _ in
            started.open()
            try await Task.sleep(for: .seconds(60))
            return "too late"
        }
        connection.onNotification("$/cancelRequest") { context in
            if let id = context.params?["id"].flatMap(RequestID.init(json:)) {
                context.connection.cancelIncomingRequest(id)
            }
        }
        let peer = MemoryPeer(connection: connection)
        peer.send(#"{"jsonrpc":"2.0","id":"w","method":"wait"}"#)
        await started.wait()
        peer.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"w"}}"#)
        let outputs = await peer.drain()
        #expect(outputs.count == 1)
        #expect(outputs.first?["id"] == "w")
        #expect(errorCode(outputs.first) == -32800)
        #expect(connection.cancelIncomingRequest("w") == false)
    }

    @Test("a request reusing the id of one in flight is refused; the first is still answered")
    func duplicateID() async {
        let gate = Gate()
        let connection = Connection(configuration: .init(logger: .disabled))
        connection.onRequest("slow") { _ in
            await gate.wait()
            return "first"
        }
        let peer = MemoryPeer(connection: connection)
        peer.send(#"{"jsonrpc":"2.0","id":1,"method":"slow"}"#)
        peer.send(#"{"jsonrpc":"2.0","id":1,"method":"slow"}"#)
        let refused = await peer.outputs(atLeast: 1)
        #expect(errorCode(refused.first) == -32600)
        gate.open()
        let all = await peer.drain()
        #expect(all.count == 2)
        #expect(all.last?["result"] == "first")
    }

    @Test("the connection runs only once and refuses to send once closed")
    func lifecycle() async throws {
        let peer = makePeer()
        _ = await peer.drain()
        await #expect(throws: ConnectionError.alreadyRunning) {
            try await peer.connection.run(inbound: AsyncStream<InboundFrame> { $0.finish() }) { _ in }
        }
        #expect(throws: ConnectionError.closed) { try peer.connection.sendNotification("late") }
        await #expect(throws: ConnectionError.closed) { try await peer.connection.sendRequest("late") }
    }

    @Test("cancelling run() cancels the handlers in flight")
    func cancelRun() async {
        let connection = Connection(configuration: .init(logger: .disabled))
        let started = Gate()
        connection.onRequest("forever") { _ in
            started.open()
            try await Task.sleep(for: .seconds(600))
            return nil
        }
        let (inbound, input) = AsyncStream.makeStream(of: InboundFrame.self)
        let written = NIOLockedValueBox<[ByteBuffer]>([])
        let run = Task {
            try? await connection.run(inbound: inbound) { body in written.withLockedValue { $0.append(body) } }
        }
        input.yield(.body(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"forever"}"#)))
        await started.wait()
        run.cancel()
        await run.value
        #expect(connection.incomingRequestsInFlight.isEmpty)
    }
}
