/// The `error` member of a JSON-RPC response, and the typed error a request handler throws to produce one.
///
/// A handler that throws a `ResponseError` gets exactly that error object in its response; any other error
/// becomes ``ErrorCode/internalError`` (or ``ErrorCode/requestCancelled`` for a `CancellationError`).
/// ``Connection/sendRequest(_:params:)`` throws it when the peer answers with an error.
public struct ResponseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// Optional structured detail, sent as the error object's `data` member.
    public var data: JSONValue?

    public init(code: ErrorCode, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static func parseError(_ message: String, data: JSONValue? = nil) -> ResponseError {
        ResponseError(code: .parseError, message: message, data: data)
    }

    public static func invalidRequest(_ message: String, data: JSONValue? = nil) -> ResponseError {
        ResponseError(code: .invalidRequest, message: message, data: data)
    }

    public static func methodNotFound(_ method: String) -> ResponseError {
        ResponseError(code: .methodNotFound, message: "Method not found: \(method)")
    }

    /// The error a handler throws when the request's params do not fit it.
    public static func invalidParams(_ message: String, data: JSONValue? = nil) -> ResponseError {
        ResponseError(code: .invalidParams, message: message, data: data)
    }

    public static func internalError(_ message: String, data: JSONValue? = nil) -> ResponseError {
        ResponseError(code: .internalError, message: message, data: data)
    }

    public static func requestCancelled(_ message: String = "Request cancelled") -> ResponseError {
        ResponseError(code: .requestCancelled, message: message)
    }

    public static func serverNotInitialized(_ message: String = "Server not initialized") -> ResponseError {
        ResponseError(code: .serverNotInitialized, message: message)
    }

    public var description: String { "JSON-RPC error \(code): \(message)" }

    /// The error object as it appears on the wire.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["code": .int(code.rawValue), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    /// Reads an error object received from the peer; nil when `code` is not an integer or `message` not a string.
    public init?(json: JSONValue) {
        guard case .object(let object) = json,
              case .int(let code)? = object["code"],
              case .string(let message)? = object["message"] else { return nil }
        self.init(code: ErrorCode(rawValue: code), message: message, data: object["data"])
    }
}
