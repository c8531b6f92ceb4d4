/// Something a reader of the numbers should know: a line that was ignored, a run that stopped early, a
/// loss that is not a number.
public struct RunLogWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 1-based line the warning is about, when there is one.
    public let line: Int?
    public let message: String

    public init(line: Int?, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}
