import Foundation
import JSONRPC
import LanguageServer
import NIOCore

/// An in-process LSP client: frames go straight into a server connection, and everything the server writes is
/// collected for the test to wait on.
final class TestClient: @unchecked Sendable {
    let connection = Connection(configuration: .init(logger: .disabled))
    let server: SpeedrunServer
    private let input: AsyncStream<InboundFrame>.Continuation
    private let lock = NSLock()
    private let written = MessageLog()
    private var nextID = 1
    let finished: Task<Void, Never>

    init() {
        let box = ExitBox()
        server = SpeedrunServer(onExit: { box.codes.append($0) })
        exitBox = box
        server.attach(to: connection)
        let (inbound, input) = AsyncStream.makeStream(of: InboundFrame.self)
        self.input = input
        let connection = self.connection
        let log = written
        finished = Task {
            try? await connection.run(inbound: inbound) { body in
                log.append(try JSONParser().parse(Array(buffer: body)))
            }
        }
    }

    private let exitBox: ExitBox
    var exitCodesSeen: [Int32] { exitBox.codes }

    var outputs: [JSONValue] { written.messages }

    func send(_ message: JSONValue) {
        input.yield(.body(ByteBuffer(bytes: JSONWriter.bytes(of: message))))
    }

    func notify(_ method: String, _ params: JSONValue) {
        send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// Sends a request and waits for its response.
    func request(_ method: String, _ params: JSONValue = [:]) async -> JSONValue? {
        let id = lock.withLock { () -> Int in defer { nextID += 1 }; return nextID }
        send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
        return await waitFor { $0["id"] == .int(id) }
    }

    /// Waits (up to 60 s) for a written message satisfying `predicate`.
    func waitFor(_ predicate: (JSONValue) -> Bool) async -> JSONValue? {
        for _ in 0..<6_000 {
            if let hit = outputs.first(where: predicate) { return hit }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// The diagnostics published for `uri` at `version`.
    func diagnostics(_ uri: String, version: Int) async -> [JSONValue]? {
        await waitFor { $0["method"] == "textDocument/publishDiagnostics" && $0["params"]?["uri"] == .string(uri)
            && $0["params"]?["version"] == .int(version) }?["params"]?["diagnostics"]?.arrayValue
    }

    func initialize(_ options: JSONValue = nil, encodings: [String]? = nil, root: String? = nil) async -> JSONValue? {
        var capabilities: JSONValue = [:]
        if let encodings { capabilities = ["general": ["positionEncodings": .array(encodings.map { .string($0) })]] }
        var params: JSONValue = ["processId": nil, "capabilities": capabilities, "initializationOptions": options]
        if let root, case .object(var object) = params {
            object["rootUri"] = .string(URL(fileURLWithPath: root).absoluteString)
            params = .object(object)
        }
        let response = await request("initialize", params)
        notify("initialized", [:])
        return response
    }

    func open(_ path: String, text: String? = nil, version: Int = 1, language: String = "python") -> String {
        let uri = URL(fileURLWithPath: path).absoluteString
        let content = text ?? (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        notify("textDocument/didOpen", ["textDocument": ["uri": .string(uri), "languageId": .string(language),
                                                          "version": .int(version), "text": .string(content)]])
        return uri
    }
}

/// Messages the server wrote, in order.
final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [JSONValue] = []
    var messages: [JSONValue] { lock.withLock { stored } }
    func append(_ message: JSONValue) { lock.withLock { stored.append(message) } }
}

private final class ExitBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int32] = []
    var codes: [Int32] {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// Repository paths for fixtures.
enum Demo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let records = root.appendingPathComponent("examples/demo/records").path
    static func record(_ n: Int) -> String { "\(records)/record_\(n)/train_gpt2.py" }
}
