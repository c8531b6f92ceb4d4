import JSONRPC
import Testing

@Suite("Message validation")
struct MessageTests {
    @Test("requests, notifications and responses")
    func valid() throws {
        #expect(try Message(json: json(#"{"jsonrpc":"2.0","id":1,"method":"a","params":[1]}"#))
            == .request(Request(id: 1, method: "a", params: [1])))
        #expect(try Message(json: json(#"{"jsonrpc":"2.0","id":"x","method":"a","params":{"k":1}}"#))
            == .request(Request(id: "x", method: "a", params: ["k": 1])))
        #expect(try Message(json: json(#"{"jsonrpc":"2.0","method":"n"}"#)) == .notification(Notification(method: "n")))
        #expect(try Message(json: json(#"{"jsonrpc":"2.0","method":"n","params":null}"#))
            == .notification(Notification(method: "n")))
        #expect(try Message(json: json(#"{"jsonrpc":"2.0","id":3,"result":null}"#))
            == .response(Response(id: 3, result: nil)))
        #expect(try Message(json: json(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"m"}}"#))
            == .response(Response(id: nil, error: ResponseError(code: .parseError, message: "m"))))
    }

    @Test("invalid messages keep their id when it is readable", arguments: [
        (#"{"id":1,"method":"a"}"#, RequestID?.some(1)),
        (#"{"jsonrpc":"1.0","id":2,"method":"a"}"#, 2),
        (#"{"jsonrpc":2.0,"id":"s","method":"a"}"#, "s"),
        (#"{"jsonrpc":"2.0","id":4}"#, 4),
        (#"{"jsonrpc":"2.0","id":5,"method":7}"#, 5),
        (#"{"jsonrpc":"2.0","id":6,"method":"a","params":3}"#, 6),
        (#"{"jsonrpc":"2.0","id":7,"method":"a","params":"s"}"#, 7),
        (#"{"jsonrpc":"2.0","id":1.5,"method":"a"}"#, nil),
        (#"{"jsonrpc":"2.0","id":null,"method":"a"}"#, nil),
        (#"{"jsonrpc":"2.0","id":[1],"method":"a"}"#, nil),
        (#"[]"#, nil),
        (#"5"#, nil),
        (#""text""#, nil),
    ] as [(String, RequestID?)])
    func invalid(_ text: String, _ id: RequestID?) {
        do {
            _ = try Message(json: json(text))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.id == id)
            #expect(!error.isResponse)
        }
    }

    @Test("malformed responses are recognised as responses (dropped, never answered)", arguments: [
        #"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}}"#,
        #"{"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}}"#,
        #"{"jsonrpc":"2.0","id":null,"result":1}"#,
        #"{"jsonrpc":"2.0","result":1}"#,
        #"{"id":1,"result":1}"#,
    ])
    func malformedResponse(_ text: String) {
        #expect(throws: InvalidMessage.self) { try Message(json: json(text)) }
        do { _ = try Message(json: json(text)) } catch { #expect(error.isResponse) }
    }

    @Test("payload kinds")
    func payloads() throws {
        func payload(_ text: String) -> IncomingPayload {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { IncomingPayload(body: $0) }
        }
        #expect(payload("[]") == .emptyBatch)
        guard case .unparsable = payload("{") else { Issue.record("expected unparsable"); return }
        guard case .batch(let elements) = payload(#"[{"jsonrpc":"2.0","method":"n"},1]"#) else {
            Issue.record("expected batch")
            return
        }
        #expect(elements.count == 2)
        #expect(try elements[0].get() == .notification(Notification(method: "n")))
    }

    @Test("messages serialize with jsonrpc 2.0")
    func serialize() {
        #expect(Message.request(Request(id: 1, method: "m")).json == ["jsonrpc": "2.0", "id": 1, "method": "m"])
        #expect(Message.response(Response(id: nil, error: .parseError("p"))).json
            == ["jsonrpc": "2.0", "id": nil, "error": ["code": -32700, "message": "p"]])
        #expect(Message.notification(Notification(method: "n", params: [1])).json
            == ["jsonrpc": "2.0", "method": "n", "params": [1]])
    }
}
