#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the JSON-RPC layer reports what it drops or cannot do (framing errors, responses to unknown ids, failing
/// notification handlers, write errors).
///
/// The default writes to standard error: with the stdio transport, standard output carries the protocol and
/// nothing else.
public struct RPCLogger: Sendable {
    public enum Level: Int, Comparable, Sendable, CustomStringConvertible {
        case debug, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    /// Messages below this level are dropped without being formatted.
    public var minimumLevel: Level
    private let sink: @Sendable (Level, String) -> Void

    public init(minimumLevel: Level = .info, sink: @escaping @Sendable (Level, String) -> Void) {
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    /// Lines like `jsonrpc warning: …` (with `label` first) on standard error, one `write(2)` each so lines never mix.
    public static func standardError(minimumLevel: Level = .info, label: String = "jsonrpc") -> RPCLogger {
        RPCLogger(minimumLevel: minimumLevel) { level, message in
            var line = Array("\(label) \(level): \(message)\n".utf8)
            line.withUnsafeMutableBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(2, raw.baseAddress! + offset, raw.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    /// Drops everything.
    public static let disabled = RPCLogger(minimumLevel: .error) { _, _ in }

    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= minimumLevel else { return }
        sink(level, message())
    }
}
