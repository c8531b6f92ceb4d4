/// One `label: value` pair of a log line, as `FieldTokenizer` reads it.
public struct LogField: Sendable, Equatable, CustomStringConvertible {
    /// The label before the colon; words before the first label of a line belong to it
    /// (`peak memory consumption`).
    public let key: String
    /// The words after the colon up to the next label, joined by one space; empty when nothing follows.
    public let value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    public var description: String { "\(key):\(value)" }
}
