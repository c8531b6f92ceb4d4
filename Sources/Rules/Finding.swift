import Catalogue

/// How bad a finding is: an error makes a run invalid; a warning asks for a look.
public enum Severity: String, Sendable, Codable, Comparable {
    case warning, error

    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// One broken rule, with evidence in the base record and in the submission.
public struct Finding: Sendable, Codable, Hashable {
    public var rule: String
    public var severity: Severity
    public var message: String
    public var submission: [Evidence]
    public var base: [Evidence]

    public init(rule: String, severity: Severity, message: String, submission: [Evidence] = [], base: [Evidence] = []) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.submission = submission
        self.base = base
    }
}

/// A benchmark rule: a stable id, a default severity, what it protects, and the check.
public protocol Rule: Sendable {
    var id: String { get }
    var severity: Severity { get }
    /// One line: what the rule requires.
    var summary: String { get }
    func check(_ context: RuleContext) -> [Finding]
}
