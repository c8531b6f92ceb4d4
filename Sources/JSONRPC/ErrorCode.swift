/// The numeric `code` of a JSON-RPC error object.
///
/// JSON-RPC 2.0 reserves -32768 … -32000; the Language Server Protocol adds a few codes of its own in that
/// range. This type names the ones the daemon uses and accepts any other integer, so an error received from the
/// peer keeps its code even when it is not listed here.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// -32700: the body of a frame is not JSON (or the frame itself could not be read). The response's id is null.
    public static let parseError = ErrorCode(rawValue: -32700)
    /// -32600: the JSON is not a valid request object (missing `"jsonrpc": "2.0"`, wrong member types, empty batch…).
    public static let invalidRequest = ErrorCode(rawValue: -32600)
    /// -32601: no handler is registered for the request's method.
    public static let methodNotFound = ErrorCode(rawValue: -32601)
    /// -32602: the request's parameters are not what its handler expects.
    public static let invalidParams = ErrorCode(rawValue: -32602)
    /// -32603: the handler failed with an error that carries no JSON-RPC code.
    public static let internalError = ErrorCode(rawValue: -32603)

    /// -32002 (LSP): a request arrived before the server was initialized. The layer above decides when.
    public static let serverNotInitialized = ErrorCode(rawValue: -32002)
    /// -32001 (LSP): an error without a better code.
    public static let unknownErrorCode = ErrorCode(rawValue: -32001)
    /// -32800 (LSP): the request was cancelled before its handler finished.
    public static let requestCancelled = ErrorCode(rawValue: -32800)
    /// -32801 (LSP): the content the request was about changed while it ran.
    public static let contentModified = ErrorCode(rawValue: -32801)
    /// -32803 (LSP): the request was understood but failed.
    public static let requestFailed = ErrorCode(rawValue: -32803)

    public var description: String {
        switch self {
        case .parseError: "\(rawValue) (parse error)"
        case .invalidRequest: "\(rawValue) (invalid request)"
        case .methodNotFound: "\(rawValue) (method not found)"
        case .invalidParams: "\(rawValue) (invalid params)"
        case .internalError: "\(rawValue) (internal error)"
        case .serverNotInitialized: "\(rawValue) (server not initialized)"
        case .unknownErrorCode: "\(rawValue) (unknown error)"
        case .requestCancelled: "\(rawValue) (request cancelled)"
        case .contentModified: "\(rawValue) (content modified)"
        case .requestFailed: "\(rawValue) (request failed)"
        default: "\(rawValue)"
        }
    }
}
