/// A JSON value that is not a valid JSON-RPC 2.0 message, with what could be salvaged from it.
public struct InvalidMessage: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message's id when it had a valid one (so the error response can carry it), else nil.
    public var id: RequestID?
    public var reason: String
    /// True for a malformed *response* (no `method`, but `result` or `error`): JSON-RPC never answers responses,
    /// so it is logged and dropped instead of answered with ``ErrorCode/invalidRequest``.
    public var isResponse: Bool

    public init(id: RequestID?, reason: String, isResponse: Bool = false) {
        self.id = id
        self.reason = reason
        self.isResponse = isResponse
    }

    public var description: String { "invalid message\(id.map { " (id \($0))" } ?? ""): \(reason)" }
}

extension Message {
    /// Validates one JSON-RPC 2.0 message object.
    ///
    /// - An object with a string `method` is a request when it has an `id` member (which must be an integer or a
    ///   string) and a notification when it has none. `params`, when present, must be an array or an object
    ///   (`null` counts as absent).
    /// - An object without `method` but with `result` or `error` is a response: its `id` is an integer, a string,
    ///   or null (errors only), and it has exactly one of the two.
    /// - Every message has `"jsonrpc": "2.0"`. Members not named here are ignored.
    public init(json: JSONValue) throws(InvalidMessage) {
        guard case .object(let object) = json else {
            throw InvalidMessage(id: nil, reason: "a message must be a JSON object")
        }
        let idMember = object["id"]
        let id = idMember.flatMap(RequestID.init(json:))
        let isResponse = object["method"] == nil && (object["result"] != nil || object["error"] != nil)

        guard object["jsonrpc"] == .string("2.0") else {
            throw InvalidMessage(id: id, reason: #"missing or wrong "jsonrpc": "2.0""#, isResponse: isResponse)
        }
        if isResponse {
            self = .response(try Self.response(object, idMember: idMember, id: id))
            return
        }
        guard let methodMember = object["method"] else {
            throw InvalidMessage(id: id, reason: #"missing "method""#)
        }
        guard case .string(let method) = methodMember else {
            throw InvalidMessage(id: id, reason: #""method" must be a string"#)
        }
        var params = object["params"]
        switch params {
        case nil, .array?, .object?: break
        case .null?: params = nil
        default: throw InvalidMessage(id: id, reason: #""params" must be an array or an object"#)
        }
        guard let idMember else {
            self = .notification(Notification(method: method, params: params))
            return
        }
        guard let id else {
            throw InvalidMessage(id: nil, reason: #""id" must be an integer or a string, not \#(idMember)"#)
        }
        self = .request(Request(id: id, method: method, params: params))
    }

    private static func response(_ object: [String: JSONValue], idMember: JSONValue?,
                                 id: RequestID?) throws(InvalidMessage) -> Response {
        let result = object["result"]
        let errorMember = object["error"]
        if result != nil, errorMember != nil {
            throw InvalidMessage(id: id, reason: #"a response has "result" or "error", not both"#, isResponse: true)
        }
        if id == nil, idMember != .null {
            throw InvalidMessage(id: nil, reason: #"a response's "id" must be an integer, a string or null"#,
                                 isResponse: true)
        }
        if let errorMember {
            guard let error = ResponseError(json: errorMember) else {
                throw InvalidMessage(id: id, reason: #""error" must have an integer "code" and a string "message""#,
                                     isResponse: true)
            }
            return Response(id: id, error: error)
        }
        guard let id, let result else {
            throw InvalidMessage(id: nil, reason: #"a successful response needs an "id""#, isResponse: true)
        }
        return Response(id: id, result: result)
    }
}

/// The content of one frame body: a single message, a batch, or why it is neither.
public enum IncomingPayload: Hashable, Sendable {
    case single(Result<Message, InvalidMessage>)
    /// A non-empty array of messages, each validated on its own.
    case batch([Result<Message, InvalidMessage>])
    /// `[]`: answered with one ``ErrorCode/invalidRequest`` error.
    case emptyBatch
    /// The body is not JSON (or nests too deep): answered with ``ErrorCode/parseError`` and a null id.
    case unparsable(JSONParseError)

    /// Parses and validates a frame body.
    public init(body: UnsafeRawBufferPointer, parser: JSONParser = JSONParser()) {
        do throws(JSONParseError) {
            self.init(json: try parser.parse(body))
        } catch {
            self = .unparsable(error)
        }
    }

    public init(json: JSONValue) {
        func validate(_ value: JSONValue) -> Result<Message, InvalidMessage> {
            Result { () throws(InvalidMessage) in try Message(json: value) }
        }
        if case .array(let elements) = json {
            self = elements.isEmpty ? .emptyBatch : .batch(elements.map(validate))
        } else {
            self = .single(validate(json))
        }
    }
}
