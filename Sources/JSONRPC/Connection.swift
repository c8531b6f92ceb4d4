import NIOConcurrencyHelpers
import NIOCore

/// One JSON-RPC 2.0 peer-to-peer connection: it answers the peer's requests with registered handlers, delivers
/// its notifications, and sends notifications and requests of its own, matching the peer's responses to them.
///
/// Register handlers with ``onRequest(_:_:)`` and ``onNotification(_:_:)``, then call ``run(inbound:write:)``
/// (or ``run(on:)`` with a channel from a transport), which returns when the peer's input ends and every answer
/// has been written.
///
/// Concurrency model:
/// - **Reading.** One loop reads frames in arrival order and parses them. Responses to this side's requests are
///   matched by id at once, in the reading loop, so a handler waiting for the peer's answer never blocks reading.
///   A response for an unknown id is logged and ignored.
/// - **Dispatching.** Everything else goes, in order, to one dispatch loop: notification handlers run there one at
///   a time, in arrival order; each request handler is started there in its own task and runs concurrently with
///   the others, so a slow request does not hold up the rest. Hence a request's handler starts only after the
///   handlers of all notifications received before it have finished (an LSP `didChange` is applied before a later
///   request looks at the document). A notification handler that awaits the peer's response to a request is fine;
///   a long-running one delays everything after it, so it should hand long work to a task of its own.
/// - **Writing.** Every outgoing message is serialized by its sender and queued; one writer loop writes the queue
///   one frame at a time, each write finished before the next starts, so frames never interleave. Responses go out
///   in the order handlers finish; a batch is answered with one array once all its requests are done.
/// - **Cancellation.** ``cancelIncomingRequest(_:)`` cancels the task of a request in flight; the handler then
///   ends with ``ErrorCode/requestCancelled`` unless it returns a result anyway. The layer above implements
///   `$/cancelRequest` with it. A cancelled ``sendRequest(_:params:)`` calls the hook set with
///   ``onOutgoingRequestCancelled(_:)`` so that layer can tell the peer. Cancelling the task running
///   ``run(inbound:write:)`` cancels every handler in flight.
///
/// Ids of requests in flight must be unique: a request reusing the id of one still running is answered with
/// ``ErrorCode/invalidRequest`` (the first one is answered normally).
public final class Connection: Sendable {
    public struct Configuration: Sendable {
        /// Parses frame bodies; its ``JSONParser/maximumDepth`` bounds the nesting of incoming messages.
        public var parser: JSONParser
        public var logger: RPCLogger

        public init(parser: JSONParser = JSONParser(), logger: RPCLogger = .standardError()) {
            self.parser = parser
            self.logger = logger
        }
    }

    public let configuration: Configuration
    private let dispatcher: Dispatcher
    private let state = NIOLockedValueBox(State())
    /// Serialized frame bodies waiting for the writer loop.
    private let outbox: AsyncStream<ByteBuffer>
    private let outboxInput: AsyncStream<ByteBuffer>.Continuation

    private var logger: RPCLogger { configuration.logger }

    private enum Phase {
        /// Not started: messages sent now are queued and written once the connection runs.
        case idle
        case running
        /// The peer's input has ended; handlers still in flight may finish and send, requests to the peer fail.
        case draining
        /// Everything written: nothing can be sent any more.
        case closed
    }

    private struct InFlight {
        var token: UInt64
        var task: Task<Response, Never>
    }

    private struct State {
        var phase = Phase.idle
        var nextOutgoingID = 1
        /// Requests sent to the peer, waiting for its response.
        var pending: [RequestID: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Requests from the peer being handled.
        var inFlight: [RequestID: InFlight] = [:]
        var nextToken: UInt64 = 0
        /// Handler and batch tasks not yet finished; ``run`` waits for zero before it closes the output.
        var activeTasks = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var outgoingCancellationHook: (@Sendable (RequestID) -> Void)?
    }

    /// What the reading loop hands to the dispatch loop, in arrival order.
    private enum DispatchItem: Sendable {
        case reply(Response)
        case notification(Notification)
        case request(Request)
        case batch([Result<Message, InvalidMessage>])
    }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.dispatcher = Dispatcher(logger: configuration.logger)
        (outbox, outboxInput) = AsyncStream.makeStream(of: ByteBuffer.self)
    }

    // MARK: - Handlers

    /// Answers requests for `method` with `handler`, replacing an earlier one.
    public func onRequest(_ method: String, _ handler: @escaping RequestHandler) {
        dispatcher.register(request: method, handler)
    }

    /// Handles notifications for `method` with `handler`, replacing an earlier one.
    public func onNotification(_ method: String, _ handler: @escaping NotificationHandler) {
        dispatcher.register(notification: method, handler)
    }

    /// Called with the id of a request sent by ``sendRequest(_:params:)`` whose task was cancelled before the
    /// response came (for instance to send `$/cancelRequest`). Runs synchronously on the cancelling thread.
    public func onOutgoingRequestCancelled(_ hook: @escaping @Sendable (RequestID) -> Void) {
        state.withLockedValue { $0.outgoingCancellationHook = hook }
    }

    // MARK: - Cancellation of incoming requests

    /// Cancels the handler of the peer's request `id` if it is still running; returns whether it was.
    @discardableResult
    public func cancelIncomingRequest(_ id: RequestID) -> Bool {
        guard let task = state.withLockedValue({ $0.inFlight[id]?.task }) else { return false }
        task.cancel()
        return true
    }

    /// Ids of the peer's requests whose handlers are running.
    public var incomingRequestsInFlight: Set<RequestID> {
        state.withLockedValue { Set($0.inFlight.keys) }
    }

    // MARK: - Sending

    /// Sends a notification to the peer. It is queued and written in order with everything else sent.
    public func sendNotification(_ method: String, params: JSONValue? = nil) throws(ConnectionError) {
        try enqueue(.notification(Notification(method: method, params: params)))
    }

    /// Sends a request to the peer and waits for its response.
    ///
    /// - Returns: the response's `result`.
    /// - Throws: the ``ResponseError`` the peer answered with; ``ConnectionError/closed`` when the connection
    ///   ends first; `CancellationError` when the calling task is cancelled (see ``onOutgoingRequestCancelled(_:)``).
    public func sendRequest(_ method: String, params: JSONValue? = nil) async throws -> JSONValue {
        let id = state.withLockedValue { state -> RequestID in
            defer { state.nextOutgoingID += 1 }
            return .int(state.nextOutgoingID)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
                let refusal: (any Error)? = state.withLockedValue { state in
                    // Checked under the lock, so a cancellation racing with registration is never missed.
                    if Task.isCancelled { return CancellationError() }
                    guard state.phase == .idle || state.phase == .running else { return ConnectionError.closed }
                    state.pending[id] = continuation
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                    return
                }
                do {
                    try enqueue(.request(Request(id: id, method: method, params: params)))
                } catch {
                    takePending(id)?.resume(throwing: error)
                }
            }
        } onCancel: {
            guard let continuation = takePending(id) else { return }
            continuation.resume(throwing: CancellationError())
            state.withLockedValue { $0.outgoingCancellationHook }?(id)
        }
    }

    private func takePending(_ id: RequestID) -> CheckedContinuation<JSONValue, any Error>? {
        state.withLockedValue { $0.pending.removeValue(forKey: id) }
    }

    private func enqueue(_ message: Message) throws(ConnectionError) {
        try enqueue(body: message.bytes)
    }

    private func enqueue(body: [UInt8]) throws(ConnectionError) {
        if case .terminated = outboxInput.yield(ByteBuffer(bytes: body)) { throw .closed }
    }

    /// Queues an answer; if the output is already closed there is no one to tell, so it is only logged.
    private func reply(_ response: Response) {
        do throws(ConnectionError) {
            try enqueue(.response(response))
        } catch {
            logger.log(.debug, "response to \(response.id.map(String.init(describing:)) ?? "null") dropped: closed")
        }
    }

    // MARK: - Running

    /// Runs the connection until `inbound` ends (or the calling task is cancelled), then waits for the handlers in
    /// flight, writes their answers and returns.
    ///
    /// - Parameters:
    ///   - inbound: decoded frames, as ``ContentLengthFrameDecoder`` produces them.
    ///   - write: writes one frame body to the peer (framing it) and returns once it is written. Called by one
    ///     task, one frame at a time. After it throws, the rest of the output is dropped.
    /// - Throws: ``ConnectionError/alreadyRunning`` when called a second time.
    public func run<Inbound: AsyncSequence>(
        inbound: Inbound, write: @escaping @Sendable (ByteBuffer) async throws -> Void
    ) async throws(ConnectionError) where Inbound.Element == InboundFrame {
        let started = state.withLockedValue { state -> Bool in
            guard state.phase == .idle else { return false }
            state.phase = .running
            return true
        }
        guard started else { throw .alreadyRunning }
        let (items, itemInput) = AsyncStream.makeStream(of: DispatchItem.self)
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.writeLoop(write) }
                group.addTask {
                    await self.dispatchLoop(items)
                    await self.waitUntilIdle()
                    self.closeOutput()
                }
                do {
                    for try await frame in inbound {
                        read(frame, into: itemInput)
                    }
                } catch {
                    logger.log(.info, "input ended with an error: \(error)")
                }
                itemInput.finish()
                inputEnded()
            }
        } onCancel: {
            for task in state.withLockedValue({ $0.inFlight.values.map(\.task) }) {
                task.cancel()
            }
        }
    }

    /// Routes one frame: responses are matched here, everything else goes to the dispatch loop.
    private func read(_ frame: InboundFrame, into items: AsyncStream<DispatchItem>.Continuation) {
        switch frame {
        case .error(let error):
            logger.log(.warning, "framing error: \(error)")
            items.yield(.reply(Response(id: nil, error: error.responseError)))
        case .body(let body):
            let payload = body.withUnsafeReadableBytes { IncomingPayload(body: $0, parser: configuration.parser) }
            switch payload {
            case .unparsable(let error):
                logger.log(.warning, "unparsable message: \(error)")
                items.yield(.reply(Response(id: nil, error: .parseError("Parse error: \(error)"))))
            case .emptyBatch:
                items.yield(.reply(Response(id: nil, error: .invalidRequest("Invalid request: empty batch"))))
            case .single(let element):
                if let item = route(element) { items.yield(item) }
            case .batch(let elements):
                let rest = elements.filter { element in
                    switch element {
                    case .success(.response(let response)):
                        resolve(response)
                        return false
                    case .failure(let invalid) where invalid.isResponse:
                        logger.log(.warning, "dropped malformed response: \(invalid)")
                        return false
                    default:
                        return true
                    }
                }
                if !rest.isEmpty { items.yield(.batch(rest)) }
            }
        }
    }

    private func route(_ element: Result<Message, InvalidMessage>) -> DispatchItem? {
        switch element {
        case .success(.response(let response)):
            resolve(response)
            return nil
        case .success(.request(let request)):
            return .request(request)
        case .success(.notification(let notification)):
            return .notification(notification)
        case .failure(let invalid) where invalid.isResponse:
            logger.log(.warning, "dropped malformed response: \(invalid)")
            return nil
        case .failure(let invalid):
            return .reply(Response(id: invalid.id, error: .invalidRequest("Invalid request: \(invalid.reason)")))
        }
    }

    /// Hands the peer's response to the ``sendRequest(_:params:)`` waiting for it.
    private func resolve(_ response: Response) {
        guard let id = response.id else {
            logger.log(.warning, "peer reported an error without id: \(response.error?.description ?? "?")")
            return
        }
        guard let continuation = takePending(id) else {
            logger.log(.warning, "ignored a response for unknown request id \(id)")
            return
        }
        switch response.outcome {
        case .success(let result): continuation.resume(returning: result)
        case .failure(let error): continuation.resume(throwing: error)
        }
    }

    private func dispatchLoop(_ items: AsyncStream<DispatchItem>) async {
        for await item in items {
            switch item {
            case .reply(let response):
                reply(response)
            case .notification(let notification):
                await dispatcher.deliver(notification, on: self)
            case .request(let request):
                if startRequest(request, answers: true) == nil { reply(Self.duplicate(request)) }
            case .batch(let elements):
                await dispatchBatch(elements)
            }
        }
    }

    /// Batch members are dispatched like single messages, in order; the answers (one per request or invalid
    /// member) are sent as one array, in member order, once all are known. A batch of notifications gets none.
    private func dispatchBatch(_ elements: [Result<Message, InvalidMessage>]) async {
        enum Slot {
            case ready(Response)
            case running(Task<Response, Never>)
        }
        var slots: [Slot] = []
        for element in elements {
            switch element {
            case .success(.notification(let notification)):
                await dispatcher.deliver(notification, on: self)
            case .success(.request(let request)):
                if let task = startRequest(request, answers: false) {
                    slots.append(.running(task))
                } else {
                    slots.append(.ready(Self.duplicate(request)))
                }
            case .success(.response):
                break  // Matched by the reading loop already.
            case .failure(let invalid):
                slots.append(.ready(Response(id: invalid.id, error: .invalidRequest("Invalid request: \(invalid.reason)"))))
            }
        }
        guard !slots.isEmpty else { return }
        let collected = slots
        startActivity { [self] in
            var responses: [JSONValue] = []
            for slot in collected {
                switch slot {
                case .ready(let response): responses.append(Message.response(response).json)
                case .running(let task): responses.append(Message.response(await task.value).json)
                }
            }
            do throws(ConnectionError) {
                try enqueue(body: JSONWriter.bytes(of: .array(responses)))
            } catch {
                logger.log(.debug, "batch response dropped: closed")
            }
        }
    }

    private static func duplicate(_ request: Request) -> Response {
        Response(id: request.id, error: .invalidRequest("Invalid request: id \(request.id) is already in use"))
    }

    /// Starts the handler of `request` in a task of its own, registered under its id for cancellation; nil when a
    /// request with the same id is still in flight. With `answers`, the task queues its response itself.
    private func startRequest(_ request: Request, answers: Bool) -> Task<Response, Never>? {
        state.withLockedValue { state -> Task<Response, Never>? in
            guard state.inFlight[request.id] == nil else { return nil }
            let token = state.nextToken
            state.nextToken += 1
            state.activeTasks += 1
            // Created under the lock: the task's own deregistration waits until it is registered.
            let task = Task { [self] in
                let response = await dispatcher.answer(request, on: self)
                if answers { reply(response) }
                finishRequest(request.id, token: token)
                return response
            }
            state.inFlight[request.id] = InFlight(token: token, task: task)
            return task
        }
    }

    private func finishRequest(_ id: RequestID, token: UInt64) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            if state.inFlight[id]?.token == token { state.inFlight[id] = nil }
            return Self.endActivity(&state)
        }
        waiters.forEach { $0.resume() }
    }

    /// Runs `body` in a task counted as in flight, so ``run`` waits for it.
    private func startActivity(_ body: @escaping @Sendable () async -> Void) {
        state.withLockedValue { $0.activeTasks += 1 }
        Task { [self] in
            await body()
            let waiters = state.withLockedValue { Self.endActivity(&$0) }
            waiters.forEach { $0.resume() }
        }
    }

    private static func endActivity(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        state.activeTasks -= 1
        guard state.activeTasks == 0 else { return [] }
        defer { state.idleWaiters = [] }
        return state.idleWaiters
    }

    private func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLockedValue { state -> Bool in
                if state.activeTasks == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// The peer's input has ended: no response can come any more.
    private func inputEnded() {
        let waiting = state.withLockedValue { state -> [CheckedContinuation<JSONValue, any Error>] in
            if state.phase == .running { state.phase = .draining }
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        waiting.forEach { $0.resume(throwing: ConnectionError.closed) }
    }

    private func closeOutput() {
        state.withLockedValue { $0.phase = .closed }
        outboxInput.finish()
    }

    private func writeLoop(_ write: @Sendable (ByteBuffer) async throws -> Void) async {
        var failed = false
        for await body in outbox where !failed {
            do {
                try await write(body)
            } catch {
                failed = true
                logger.log(.warning, "cannot write to the peer, dropping further output: \(error)")
            }
        }
    }
}
