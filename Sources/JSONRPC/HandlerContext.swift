/// What a request handler receives: the request and the connection it came on (to send notifications or requests
/// back to the peer while it runs).
public struct RequestContext: Sendable {
    public let request: Request
    public let connection: Connection

    public var id: RequestID { request.id }
    public var method: String { request.method }
    public var params: JSONValue? { request.params }

    /// The params decoded as `T`; throws ``ResponseError/invalidParams(_:data:)`` (so the peer gets -32602) when
    /// they are missing or do not fit.
    public func decodeParams<T: Decodable>(as type: T.Type = T.self) throws(ResponseError) -> T {
        try RequestContext.decode(params, as: T.self, method: method)
    }

    static func decode<T: Decodable>(_ params: JSONValue?, as type: T.Type, method: String) throws(ResponseError) -> T {
        do {
            return try (params ?? .null).decode(as: T.self)
        } catch {
            throw .invalidParams("Invalid params for \(method): \(error)")
        }
    }
}

/// What a notification handler receives.
public struct NotificationContext: Sendable {
    public let notification: Notification
    public let connection: Connection

    public var method: String { notification.method }
    public var params: JSONValue? { notification.params }

    /// The params decoded as `T`; throws ``ResponseError/invalidParams(_:data:)`` when they do not fit (the
    /// connection logs it: notifications are never answered).
    public func decodeParams<T: Decodable>(as type: T.Type = T.self) throws(ResponseError) -> T {
        try RequestContext.decode(params, as: T.self, method: method)
    }
}

/// Answers a request: return the `result`, or throw. A ``ResponseError`` is sent as is; a `CancellationError`
/// (or any error once the request was cancelled) becomes ``ErrorCode/requestCancelled``; any other error becomes
/// ``ErrorCode/internalError``.
public typealias RequestHandler = @Sendable (RequestContext) async throws -> JSONValue

/// Handles a notification. Errors are logged, never sent.
public typealias NotificationHandler = @Sendable (NotificationContext) async throws -> Void
