/// Failures of the tree-sitter wrapper. Each case carries what a caller needs to report it in one line.
public enum TreeSitterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The grammar was generated for an ABI the linked runtime cannot load.
    case incompatibleLanguage(name: String, grammarVersion: Int, runtimeMinimum: Int, runtimeMaximum: Int)
    /// The parser gave up: it hit its time budget or was cancelled.
    case parseAborted(reason: String)
    /// The source nests deeper than the parser's `maximumDepth` (`line`: one-based line of the first node that deep).
    case nestingTooDeep(depth: Int, limit: Int, line: Int)
    /// A query failed to compile; `offset` is the byte offset of the problem in the query source.
    case queryCompile(kind: QueryErrorKind, offset: Int, context: String)
    /// A query predicate is malformed (wrong arity, unknown capture, bad regular expression).
    case invalidPredicate(String)

    public var description: String {
        switch self {
        case let .incompatibleLanguage(name, grammar, lo, hi):
            return "grammar '\(name)' has ABI version \(grammar), but the tree-sitter runtime loads versions \(lo)-\(hi)"
        case let .parseAborted(reason):
            return "parse aborted: \(reason)"
        case let .nestingTooDeep(depth, limit, line):
            return "the syntax nests \(depth) levels deep (at line \(line)); analyses read at most \(limit) levels"
        case let .queryCompile(kind, offset, context):
            return "query error (\(kind)) at byte \(offset): \(context)"
        case let .invalidPredicate(message):
            return "invalid query predicate: \(message)"
        }
    }
}

/// Why `ts_query_new` rejected a query.
public enum QueryErrorKind: String, Sendable {
    case syntax, nodeType = "node type", field, capture, structure, language, unknown
}
