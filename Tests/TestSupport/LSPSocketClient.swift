import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking LSP client over a Unix socket: writes framed JSON, reads framed JSON. One per thread (benchmarks and
/// tests that need real socket clients).
public final class LSPSocketClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    public init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    public func send(_ object: [String: Any]) throws {
        let body = try JSONSerialization.data(withJSONObject: object)
        var frame = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        frame += body
        var offset = 0
        while offset < frame.count {
            let n = frame[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            offset += n
        }
    }

    /// The next message from the server.
    public func receive() throws -> [String: Any] {
        while true {
            if let separator = findHeaderEnd() {
                let header = String(decoding: buffer[..<separator], as: UTF8.self)
                let length = header.split(separator: "\r\n").compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    return parts.count == 2 && parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
                }.first ?? 0
                let start = separator + 4
                if buffer.count >= start + length {
                    let body = Data(buffer[start..<(start + length)])
                    buffer.removeFirst(start + length)
                    return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw POSIXError(.ECONNRESET) }
            buffer += chunk[..<n]
        }
    }

    /// Sends a request and returns its response, skipping notifications (diagnostics) in between.
    public func request(id: Int, method: String, params: [String: Any]) throws -> [String: Any] {
        try send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        while true {
            let message = try receive()
            if message["method"] == nil { return message }
        }
    }

    /// The offset of the first `\r\n\r\n` in the buffer.
    private func findHeaderEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }
}
