/// A request: a call that expects exactly one ``Response`` with the same ``id``.
public struct Request: Hashable, Sendable {
    public var id: RequestID
    public var method: String
    /// An array or object, or nil when the request has none.
    public var params: JSONValue?

    public init(id: RequestID, method: String, params: JSONValue? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }
}

/// A notification: a call without an id, never answered.
public struct Notification: Hashable, Sendable {
    public var method: String
    /// An array or object, or nil when the notification has none.
    public var params: JSONValue?

    public init(method: String, params: JSONValue? = nil) {
        self.method = method
        self.params = params
    }
}

/// The answer to a request: its result or an error.
public struct Response: Hashable, Sendable {
    /// The id of the request answered; nil (`"id": null`) only for errors about a message whose id could not be
    /// read, such as a parse error.
    public var id: RequestID?
    public var outcome: Result<JSONValue, ResponseError>

    public init(id: RequestID?, outcome: Result<JSONValue, ResponseError>) {
        self.id = id
        self.outcome = outcome
    }

    public init(id: RequestID, result: JSONValue) {
        self.init(id: id, outcome: .success(result))
    }

    public init(id: RequestID?, error: ResponseError) {
        self.init(id: id, outcome: .failure(error))
    }

    public var result: JSONValue? {
        if case .success(let value) = outcome { return value }
        return nil
    }

    public var error: ResponseError? {
        if case .failure(let error) = outcome { return error }
        return nil
    }
}

/// Any JSON-RPC 2.0 message.
public enum Message: Hashable, Sendable {
    case request(Request)
    case notification(Notification)
    case response(Response)

    /// The message as a JSON object with `"jsonrpc": "2.0"`.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["jsonrpc": "2.0"]
        switch self {
        case .request(let request):
            object["id"] = request.id.json
            object["method"] = .string(request.method)
            if let params = request.params { object["params"] = params }
        case .notification(let notification):
            object["method"] = .string(notification.method)
            if let params = notification.params { object["params"] = params }
        case .response(let response):
            object["id"] = response.id?.json ?? .null
            switch response.outcome {
            case .success(let result): object["result"] = result
            case .failure(let error): object["error"] = error.json
            }
        }
        return .object(object)
    }

    /// The UTF-8 JSON text of the message: the body of one frame.
    public var bytes: [UInt8] { JSONWriter.bytes(of: json) }
}
