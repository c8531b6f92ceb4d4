/// Why the connection could not send a message or obtain a response.
public enum ConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The connection has ended (its input closed or ``Connection/run(inbound:write:)`` returned), so nothing
    /// more can be sent and no response will arrive.
    case closed
    /// ``Connection/run(inbound:write:)`` was called a second time.
    case alreadyRunning

    public var description: String {
        switch self {
        case .closed: "the JSON-RPC connection is closed"
        case .alreadyRunning: "the JSON-RPC connection is already running"
        }
    }
}
