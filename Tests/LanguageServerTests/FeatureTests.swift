import Foundation
import JSONRPC
import Testing
import TestSupport
import TreeSitterKit

@Suite struct FeatureTests {
    @Test func baseRecordLacksTheTaskKeyChangesAndReferenceHasThem() async throws {
        let client = TestClient()
        _ = await client.initialize(["task": 4, "records": .string(Demo.records)])
        let base = client.open(Demo.record(4))
        let baseDiagnostics = try #require(await client.diagnostics(base, version: 1))
        let missing = baseDiagnostics.compactMap { $0["message"]?.stringValue }.filter { $0.hasPrefix("missing key change: ") }
        #expect(missing.contains { $0.hasPrefix("missing key change: relu_squared") })
        let reference = client.open(Demo.record(5))
        let referenceDiagnostics = try #require(await client.diagnostics(reference, version: 1))
        #expect(!referenceDiagnostics.contains { $0["message"]?.stringValue?.hasPrefix("missing key change: ") == true })
    }

    @Test func withoutATaskTheServerSaysSo() async throws {
        let client = TestClient()
        let scratch = ScratchFolder("srlens-lsp")
        let empty = scratch.url
        _ = await client.initialize(root: empty.path)
        let uri = client.open(Demo.record(5))
        let diagnostics = try #require(await client.diagnostics(uri, version: 1))
        #expect(diagnostics.contains { $0["message"]?.stringValue?.hasPrefix("srlens: no task configured") == true })
    }

    @Test func lensesHoverAndSymbols() async throws {
        let client = TestClient()
        _ = await client.initialize(["task": 4, "records": .string(Demo.records)])
        let uri = client.open(Demo.record(5))
        let lenses = try #require(await client.request("textDocument/codeLens", ["textDocument": ["uri": .string(uri)]])?["result"]?.arrayValue)
        let titles = lenses.compactMap { $0["command"]?["title"]?.stringValue }
        #expect(titles.contains { $0.hasPrefix("implements: ") && $0.contains("relu_squared") })
        // Line 47 (1-based) holds `F.relu(self.c_fc(x)).square()`.
        let hover = try #require(await client.request("textDocument/hover", ["textDocument": ["uri": .string(uri)],
                                                                             "position": ["line": 46, "character": 30]]))
        #expect(hover["result"]?["contents"]?["value"]?.stringValue?.contains("relu_squared") == true)
        let symbols = try #require(await client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(uri)]])?["result"]?.arrayValue)
        #expect(symbols.contains { $0["name"] == "GPT" && $0["kind"] == .int(5) })
    }

    @Test func incrementalChangesRepublishForTheNewVersion() async throws {
        let client = TestClient()
        _ = await client.initialize(["task": 4, "records": .string(Demo.records)])
        let uri = client.open(Demo.record(5))
        _ = try #require(await client.diagnostics(uri, version: 1))
        // Replace `.square()` on line 47 by nothing: relu_squared goes missing.
        let line = try String(contentsOfFile: Demo.record(5), encoding: .utf8).components(separatedBy: "\n")[46]
        let column = try #require(line.range(of: ".square()")).lowerBound.utf16Offset(in: line)
        client.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 2], "contentChanges": [[
            "range": ["start": ["line": 46, "character": .int(column)], "end": ["line": 46, "character": .int(column + 9)]],
            "text": "",
        ]]])
        let diagnostics = try #require(await client.diagnostics(uri, version: 2))
        #expect(diagnostics.contains { $0["message"]?.stringValue?.hasPrefix("missing key change: relu_squared") == true })
    }

    @Test func tasksRequest() async throws {
        let client = TestClient()
        _ = await client.initialize()
        let tasks = try #require(await client.request("speedrun/tasks")?["result"]?["tasks"]?.arrayValue)
        #expect(tasks.count == 20)
        #expect(tasks.first?["base_record"] == .int(1))
    }

    @Test("a document nested too deep to analyse gets a diagnostic saying so; the server goes on, and the document is read again once edited")
    func documentTooDeepToAnalyse() async throws {
        let client = TestClient()
        _ = await client.initialize(["task": 4, "records": .string(Demo.records)])
        let record = try String(contentsOfFile: Demo.record(5), encoding: .utf8)
        // A 3,000-term sum appended to the reference: legal Python, and 3,000 levels of syntax.
        let sum = "total = " + Array(repeating: "a", count: 3_000).joined(separator: " + ")
        let uri = client.open("/tmp/srlens-deep/train_gpt2.py", text: record + sum + "\n")
        let diagnostics = try #require(await client.diagnostics(uri, version: 1))
        let messages = diagnostics.compactMap { $0["message"]?.stringValue }
        #expect(messages.contains { $0.contains("levels deep") && $0.contains("at most \(Parser.defaultMaximumDepth) levels") })
        for method in ["textDocument/codeLens", "textDocument/documentSymbol"] {
            let answer = try #require(await client.request(method, ["textDocument": ["uri": .string(uri)]]))
            #expect(answer["error"] == nil, "\(method): \(answer)")
        }
        // The sum becomes `total = 0`: the document is parsed and analysed again.
        let lines = record.components(separatedBy: "\n").count - 1
        client.notify("textDocument/didChange", ["textDocument": ["uri": .string(uri), "version": 2], "contentChanges": [[
            "range": ["start": ["line": .int(lines), "character": 8], "end": ["line": .int(lines), "character": .int(sum.utf16.count)]],
            "text": "0",
        ]]])
        let edited = try #require(await client.diagnostics(uri, version: 2))
        #expect(!edited.contains { $0["message"]?.stringValue?.contains("levels deep") == true })
        #expect(!edited.contains { $0["message"]?.stringValue?.hasPrefix("missing key change: relu_squared") == true })
        let lenses = try #require(await client.request("textDocument/codeLens", ["textDocument": ["uri": .string(uri)]])?["result"]?.arrayValue)
        #expect(lenses.contains { $0["command"]?["title"]?.stringValue?.contains("relu_squared") == true })
    }
}

@Suite struct CUDAFeatureTests {
    static let kernel = Demo.root.appendingPathComponent("examples/demo/softcap.cu").path

    @Test func kernelLensHoverAndCrossLanguageCredit() async throws {
        let client = TestClient()
        _ = await client.initialize()
        let uri = client.open(Self.kernel, language: "cuda")
        let lenses = try #require(await client.request("textDocument/codeLens", ["textDocument": ["uri": .string(uri)]])?["result"]?.arrayValue)
        let title = try #require(lenses.first?["command"]?["title"]?.stringValue)
        #expect(title.hasPrefix("techniques: ") && title.contains("launch_bounds"), "\(title)")
        // Line 6 (1-based) declares the kernel with `__launch_bounds__(BLOCK)` at column 17.
        let hover = try #require(await client.request("textDocument/hover", ["textDocument": ["uri": .string(uri)],
                                                                             "position": ["line": 5, "character": 20]]))
        #expect(hover["result"]?["contents"]?["value"]?.stringValue?.contains("launch_bounds") == true)
        // The kernel computes cap * tanh(x / cap): the Python-level logit softcap, with the kernel as evidence.
        let classified = try #require(await client.request("speedrun/classify", ["uri": .string(uri)])?["result"])
        let ids = classified["innovations"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(ids.contains("logit_softcap"))
        let symbols = try #require(await client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(uri)]])?["result"]?.arrayValue)
        #expect(symbols.contains { $0["name"] == "softcap_bf16" && $0["detail"] == "kernel" })
    }
}
