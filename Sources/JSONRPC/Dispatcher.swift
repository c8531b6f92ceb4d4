import NIOConcurrencyHelpers

/// The method tables of a connection, and the code that runs one handler and turns its outcome into a response.
///
/// Lookups and registration are guarded by a lock, so handlers may be registered at any time, also while the
/// connection runs (a later registration for the same method replaces the earlier one).
final class Dispatcher: Sendable {
    private struct Tables {
        var requests: [String: RequestHandler] = [:]
        var notifications: [String: NotificationHandler] = [:]
    }

    private let tables = NIOLockedValueBox(Tables())
    let logger: RPCLogger

    init(logger: RPCLogger) {
        self.logger = logger
    }

    func register(request method: String, _ handler: @escaping RequestHandler) {
        tables.withLockedValue { $0.requests[method] = handler }
    }

    func register(notification method: String, _ handler: @escaping NotificationHandler) {
        tables.withLockedValue { $0.notifications[method] = handler }
    }

    /// Runs the request's handler and maps how it ended to the response: its result; the ``ResponseError`` it
    /// threw; ``ErrorCode/requestCancelled`` when it threw `CancellationError` or anything after its task was
    /// cancelled; ``ErrorCode/internalError`` for any other error; ``ErrorCode/methodNotFound`` without a handler
    /// (including unknown `$/` methods).
    func answer(_ request: Request, on connection: Connection) async -> Response {
        guard let handler = tables.withLockedValue({ $0.requests[request.method] }) else {
            return Response(id: request.id, error: .methodNotFound(request.method))
        }
        do {
            let result = try await handler(RequestContext(request: request, connection: connection))
            return Response(id: request.id, result: result)
        } catch let error as ResponseError {
            return Response(id: request.id, error: error)
        } catch is CancellationError {
            return Response(id: request.id, error: .requestCancelled())
        } catch {
            if Task.isCancelled { return Response(id: request.id, error: .requestCancelled()) }
            logger.log(.warning, "request \(request.method) (id \(request.id)) failed: \(error)")
            return Response(id: request.id, error: .internalError("\(error)"))
        }
    }

    /// Runs the notification's handler. Notifications without a handler (including unknown `$/` ones) are dropped;
    /// a handler's error is logged, since notifications are never answered.
    func deliver(_ notification: Notification, on connection: Connection) async {
        guard let handler = tables.withLockedValue({ $0.notifications[notification.method] }) else {
            logger.log(.debug, "dropped notification \(notification.method): no handler")
            return
        }
        do {
            try await handler(NotificationContext(notification: notification, connection: connection))
        } catch {
            logger.log(.warning, "notification \(notification.method) failed: \(error)")
        }
    }
}
