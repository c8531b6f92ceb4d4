import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import TestSupport

/// One frame on the wire: `Content-Length` header, blank line, body.
func frame(_ body: String) -> [UInt8] {
    frame(Array(body.utf8))
}

func frame(_ body: [UInt8]) -> [UInt8] {
    Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
}

/// Runs the decoder over `bytes`, fed in the given chunk sizes (cycled), then signals end of input.
func decodeFrames(_ bytes: [UInt8], chunkSizes: [Int] = [Int.max], limits: FramingLimits = .default,
                  endOfInput: Bool = true) throws -> [InboundFrame] {
    let processor = NIOSingleStepByteToMessageProcessor(ContentLengthFrameDecoder(limits: limits))
    var frames: [InboundFrame] = []
    var offset = 0
    var chunk = 0
    while offset < bytes.count {
        let size = max(1, min(chunkSizes[chunk % chunkSizes.count], bytes.count - offset))
        chunk += 1
        try processor.process(buffer: ByteBuffer(bytes: bytes[offset..<(offset + size)])) { frames.append($0) }
        offset += size
    }
    if endOfInput {
        try processor.finishProcessing(seenEOF: true) { frames.append($0) }
    }
    return frames
}

extension InboundFrame {
    /// The body as text, or nil for an error.
    var text: String? {
        if case .body(let buffer) = self { return String(buffer: buffer) }
        return nil
    }

    var framingError: FramingError? {
        if case .error(let error) = self { return error }
        return nil
    }
}

/// Parses text the tests wrote themselves.
func json(_ text: String) -> JSONValue {
    try! JSONParser().parse(Array(text.utf8))
}

/// Log lines, kept for assertions.
final class LogRecorder: Sendable {
    private let lines = NIOLockedValueBox<[(RPCLogger.Level, String)]>([])

    var logger: RPCLogger {
        RPCLogger(minimumLevel: .debug) { [lines] level, message in lines.withLockedValue { $0.append((level, message)) } }
    }

    var messages: [String] { lines.withLockedValue { $0.map(\.1) } }

    func contains(_ text: String) -> Bool { messages.contains { $0.contains(text) } }
}

/// A ``Connection`` driven in memory: frames go in through a stream, the bodies it writes are parsed and kept.
final class MemoryPeer: Sendable {
    let connection: Connection
    private let input: AsyncStream<InboundFrame>.Continuation
    private let written = NIOLockedValueBox<[JSONValue]>([])
    let finished: Task<Void, Never>

    init(connection: Connection = Connection(configuration: .init(logger: .disabled)),
         forward: (@Sendable (ByteBuffer) async throws -> Void)? = nil) {
        self.connection = connection
        let (inbound, input) = AsyncStream.makeStream(of: InboundFrame.self)
        self.input = input
        let written = self.written
        finished = Task {
            try? await connection.run(inbound: inbound) { body in
                written.withLockedValue { $0.append(try! JSONParser().parse(Array(buffer: body))) }
                if let forward { try await forward(body) }
            }
        }
    }

    func send(_ text: String) {
        input.yield(.body(ByteBuffer(string: text)))
    }

    func send(frame: InboundFrame) {
        input.yield(frame)
    }

    func closeInput() {
        input.finish()
    }

    /// Everything written so far.
    var outputs: [JSONValue] { written.withLockedValue { $0 } }

    /// Waits (up to ten seconds) until at least `count` messages were written, and returns them all.
    func outputs(atLeast count: Int) async -> [JSONValue] {
        for _ in 0..<10_000 {
            let current = outputs
            if current.count >= count { return current }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return outputs
    }

    /// Closes the input and returns everything the connection wrote, once it has finished.
    func drain() async -> [JSONValue] {
        closeInput()
        await finished.value
        return outputs
    }
}

/// A one-shot gate a test opens to let a waiting handler go on.
final class Gate: Sendable {
    private let state = NIOLockedValueBox<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let proceed = state.withLockedValue { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}
