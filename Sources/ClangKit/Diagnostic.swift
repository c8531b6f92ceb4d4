import CClang

/// A diagnostic libclang emitted while parsing.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Comparable {
        case ignored, note, warning, error, fatal

        var rank: Int { [.ignored, .note, .warning, .error, .fatal].firstIndex(of: self)! }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public let severity: Severity
    public let message: String
    public let location: SourceSpan

    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}
