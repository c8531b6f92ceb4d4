import Foundation
import JSONRPC
import Testing

/// Random and mutated LSP traffic at one server: every request is answered exactly once (a result or an error),
/// and the server still answers a well-formed request afterwards.
@Suite struct ServerFuzzTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let methods = ["textDocument/hover", "textDocument/codeLens", "textDocument/documentSymbol", "speedrun/tasks",
                          "speedrun/classify", "speedrun/diff", "speedrun/score", "speedrun/check", "speedrun/ingestRun",
                          "speedrun/query", "initialize", "shutdown-not", "$/unknown", "textDocument/definition"]
    static let notifications = ["textDocument/didOpen", "textDocument/didChange", "textDocument/didClose", "textDocument/didSave",
                                "$/cancelRequest", "initialized", "$/setTrace"]

    /// A random JSON value, sometimes shaped like the params the server expects.
    static func value(_ random: inout Generator, depth: Int = 0) -> JSONValue {
        let uri = JSONValue.string(["file:///nope.py", "file:///tmp/x.cu", "http://x", "", "file:///\u{1F680}.py"].randomElement(using: &random)!)
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return .null
        case 1: return .int(Int.random(in: -5...5, using: &random))
        case 2: return .string(String((0..<Int.random(in: 0..<20, using: &random)).map { _ in "aé\n{}🚀 :".randomElement(using: &random)! }))
        case 3: return ["uri": uri]
        case 4: return ["textDocument": ["uri": uri, "languageId": "python", "version": .int(Int.random(in: 0...3, using: &random)),
                                         "text": "x = 1\ndef f(y):\n    return y ** 2\n"]]
        case 5: return ["textDocument": ["uri": uri], "position": ["line": .int(Int.random(in: -1...5, using: &random)),
                                                                   "character": .int(Int.random(in: -1...50, using: &random))]]
        case 6: return ["textDocument": ["uri": uri, "version": 9], "contentChanges": [[
            "range": ["start": ["line": 0, "character": 3], "end": ["line": .int(Int.random(in: 0...9, using: &random)), "character": 0]],
            "text": "é",
        ]]]
        case 7: return ["uris": [uri], "task": .int(Int.random(in: -1...25, using: &random))]
        case 8 where depth < 4: return .array((0..<3).map { _ in value(&random, depth: depth + 1) })
        default: return ["old_uri": uri, "new_uri": uri, "id": .int(Int.random(in: 0...2000, using: &random))]
        }
    }

    @Test func randomTrafficIsAnsweredAndTheServerSurvives() async throws {
        var random = Generator(state: 20_261_129)
        let client = TestClient()
        _ = await client.initialize(["task": 4, "records": .string(Demo.records)])
        var ids: [Int] = []
        for i in 0..<1_500 {
            if Bool.random(using: &random) {
                ids.append(10_000 + i)
                client.send(["jsonrpc": "2.0", "id": .int(10_000 + i), "method": .string(Self.methods.randomElement(using: &random)!),
                             "params": Self.value(&random)])
            } else {
                client.notify(Self.notifications.randomElement(using: &random)!, Self.value(&random))
            }
        }
        var responses: [Int] = []
        for _ in 0..<6_000 {
            responses = client.outputs.compactMap { $0["id"]?.intValue }.filter { $0 >= 10_000 }
            if responses.count >= ids.count { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(responses.sorted() == ids.sorted(), "each request answered exactly once")
        let tasks = try #require(await client.request("speedrun/tasks"))
        #expect(tasks["result"]?["tasks"]?.arrayValue?.count == 20)
    }
}
