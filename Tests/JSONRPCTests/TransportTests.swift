import Dispatch
import JSONRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking POSIX calls off the cooperative thread pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}

func writeAll(_ fd: CInt, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

func readToEnd(_ fd: CInt) -> [UInt8] {
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if count <= 0 { return result }
        result += chunk[0..<count]
    }
}

/// Connects to `address`, sends `bytes`, half-closes, and reads until the server closes.
func exchange(with address: SocketAddress, sending bytes: [UInt8]) async -> [UInt8]? {
    await offPool {
        let family: CInt = switch address {
        case .unixDomainSocket: AF_UNIX
        case .v4: AF_INET
        case .v6: AF_INET6
        }
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let connected = address.withSockAddr { connect(fd, $0, socklen_t($1)) }
        guard connected == 0 else { return nil }
        writeAll(fd, bytes)
        shutdown(fd, CInt(SHUT_WR))
        return readToEnd(fd)
    }
}

/// The bodies of the frames in `bytes`; framing errors fail the test.
func bodies(_ bytes: [UInt8]?) throws -> [JSONValue] {
    let frames = try decodeFrames(bytes ?? [])
    return try frames.map { frame in
        guard let text = frame.text else {
            Issue.record("not a frame: \(frame)")
            return .null
        }
        return try JSONParser().parse(Array(text.utf8))
    }
}

func temporaryDirectory() -> String {
    var template = Array("/tmp/srlens-rpc-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil)
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}


func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != ".", name != ".." { names.append(name) }
    }
    return names
}

func removeDirectory(_ path: String) {
    for name in directoryEntries(path) { unlink(path + "/" + name) }
    rmdir(path)
}

func fileMode(_ path: String) -> mode_t? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return info.st_mode
}

/// A connection whose `whoami` names the connection, so tests can tell clients' connections apart.
func numberedConnection(_ counter: NIOLockedValueBox<Int>) -> Connection {
    let number = counter.withLockedValue { value -> Int in
        value += 1
        return value
    }
    let connection = Connection(configuration: .init(logger: .disabled))
    connection.onRequest("whoami") { _ in .int(number) }
    connection.onRequest("echo") { context in context.params ?? .null }
    return connection
}

let whoami = frame(#"{"jsonrpc":"2.0","id":1,"method":"whoami"}"#)

@Suite("Transports", .serialized, .timeLimit(.minutes(1)))
struct TransportTests {
    @Test("the whole NIO pipeline: framing in, Connection, NIO extras' encoder out")
    func asyncTestingChannel() async throws {
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        let framed = try await channel.testingEventLoop.executeInContext {
            try FramedChannel.configure(channel, limits: FramingLimits(maximumBodySize: 1000))
        }
        let connection = Connection(configuration: .init(logger: .disabled))
        connection.onRequest("echo") { context in context.params ?? .null }
        let run = Task { try await connection.run(on: framed) }

        // Two frames split awkwardly across reads, then an oversized one, then one more.
        let stream = frame(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}"#)
            + frame(#"{"jsonrpc":"2.0","id":2,"method":"echo","params":["é"]}"#)
            + frame([UInt8](repeating: 0x20, count: 1001))
            + frame(#"{"jsonrpc":"2.0","id":3,"method":"echo","params":{}}"#)
        for chunk in stride(from: 0, to: stream.count, by: 17) {
            try await channel.writeInbound(ByteBuffer(bytes: stream[chunk..<min(chunk + 17, stream.count)]))
        }
        var written: [UInt8] = []
        var responses: [JSONValue] = []
        while responses.count < 4 {
            let buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            written += Array(buffer: buffer)
            responses = try decodeFrames(written, endOfInput: false).compactMap(\.text).map { json($0) }
        }
        let byID = Dictionary(grouping: responses, by: { $0["id"] ?? .null })
        #expect(byID[1]?.first?["result"] == [1])
        #expect(byID[2]?.first?["result"] == ["é"])
        #expect(byID[3]?.first?["result"] == [:])
        #expect(byID[.null]?.first?["error"]?["code"] == -32600)
        // Each frame is written whole: header, then body, never interleaved.
        #expect(String(decoding: written.prefix(16), as: UTF8.self) == "Content-Length: ")
        try await channel.close()
        try await run.value
    }

    @Test("stdio: frames in, frames out, nothing else on the output")
    func stdio() async throws {
        var input: [CInt] = [0, 0]
        var output: [CInt] = [0, 0]
        #expect(pipe(&input) == 0)
        #expect(pipe(&output) == 0)
        let connection = Connection(configuration: .init(logger: .disabled))
        connection.onRequest("echo") { context in context.params ?? .null }
        let transport = StdioTransport(input: input[0], output: output[1], redirectsStandardOutput: false)
        let run = Task { try await transport.run(connection) }

        writeAll(input[1], frame(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[42]}"#)
            + Array("Content-Length: x\r\n\r\n".utf8)
            + frame(#"{"jsonrpc":"2.0","method":"ignored"}"#)
            + frame(#"{"jsonrpc":"2.0","id":2,"method":"echo","params":["bye"]}"#))
        close(input[1])
        try await run.value
        close(input[0])
        close(output[1])
        let out = await offPool { [fd = output[0]] in readToEnd(fd) }
        close(output[0])
        let responses = try bodies(out)
        #expect(responses.count == 3)
        #expect(Set(responses.compactMap { $0["result"] }) == [[42], ["bye"]])
        #expect(responses.contains { $0["error"]?["code"] == -32700 && $0["id"] == .null })
    }

    @Test("Unix socket: 0600 file, a connection per client, removed on close")
    func unixSocket() async throws {
        let directory = temporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/rpc.sock"
        let transport = try await SocketTransport.bind(.unixDomainSocket(path: path), logger: .disabled)
        let mode = try #require(fileMode(path))
        #expect(mode & S_IFMT == S_IFSOCK)
        #expect(mode & 0o777 == 0o600)

        let counter = NIOLockedValueBox(0)
        let serving = Task { try await transport.serve { numberedConnection(counter) } }
        let address = try SocketAddress(unixDomainSocketPath: path)
        async let first = exchange(with: address, sending: whoami)
        async let second = exchange(with: address, sending: Array("garbage\r\n".utf8) + whoami)
        let answers = try await [bodies(first), bodies(second)]
        #expect(answers[0].count == 1)
        #expect(answers[1].count == 2)  // the framing error, then the answer
        let numbers = Set(answers.flatMap { $0 }.compactMap { $0["result"] })
        #expect(numbers == [1, 2])

        await transport.close()
        try await serving.value
        #expect(fileMode(path) == nil)
        // The private directory used for binding is gone too.
        #expect(directoryEntries(directory) == [])
    }

    @Test("Unix socket: a stale socket file is replaced, a live one or a regular file refused")
    func unixSocketFiles() async throws {
        let directory = temporaryDirectory()
        defer { removeDirectory(directory) }

        // A socket file nobody listens on, as a crashed daemon leaves it.
        let stale = directory + "/stale.sock"
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        let bound = try SocketAddress(unixDomainSocketPath: stale).withSockAddr { bind(fd, $0, socklen_t($1)) }
        #expect(bound == 0)
        close(fd)
        #expect(fileMode(stale).map { $0 & S_IFMT } == S_IFSOCK)
        let replaced = try await SocketTransport.bind(.unixDomainSocket(path: stale), logger: .disabled)
        #expect(fileMode(stale).map { $0 & 0o777 } == 0o600)

        // Its live replacement is not taken over.
        await #expect(throws: SocketTransportError.addressInUse(endpoint: stale)) {
            _ = try await SocketTransport.bind(.unixDomainSocket(path: stale), logger: .disabled)
        }
        await replaced.close()
        #expect(fileMode(stale) == nil)

        // A regular file is never deleted.
        let regular = directory + "/notes.txt"
        let file = open(regular, O_CREAT | O_WRONLY, 0o644)
        close(file)
        await #expect(throws: SocketTransportError.notASocket(path: regular)) {
            _ = try await SocketTransport.bind(.unixDomainSocket(path: regular), logger: .disabled)
        }
        #expect(fileMode(regular).map { $0 & S_IFMT } == S_IFREG)
    }

    @Test("TCP: loopback only, a connection per client")
    func tcp() async throws {
        for host in ["0.0.0.0", "192.0.2.1", "example.com", "::"] {
            await #expect(throws: SocketTransportError.notLoopback(host: host)) {
                _ = try await SocketTransport.bind(.tcpLoopback(host: host, port: 0), logger: .disabled)
            }
        }
        let transport = try await SocketTransport.bind(.tcpLoopback(port: 0), logger: .disabled)
        let address = try #require(transport.localAddress)
        #expect(address.ipAddress == "127.0.0.1")
        #expect((address.port ?? 0) > 0)
        let counter = NIOLockedValueBox(0)
        let serving = Task { try await transport.serve { numberedConnection(counter) } }
        async let first = exchange(with: address, sending: whoami)
        async let second = exchange(with: address, sending: whoami
            + frame(#"{"jsonrpc":"2.0","id":2,"method":"echo","params":["x"]}"#))
        let answers = try await [bodies(first), bodies(second)]
        #expect(answers.map(\.count) == [1, 2])
        #expect(Set(answers.flatMap { $0 }.compactMap { $0["result"]?.intValue }) == [1, 2])
        await transport.close()
        try await serving.value
    }
}
