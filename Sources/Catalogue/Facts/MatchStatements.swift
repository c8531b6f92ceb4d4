import SourceModel
import TreeSitterKit

/// Python's `match` statement, read the same way by every evaluator (the step-function runner, the schedule
/// runner, the script interpreter) and by the static conditions: a subject, then cases tried in order, each a
/// pattern, an optional guard and a body.
///
/// ```python
/// match step:
///     case s if s < warmup: return (s + 1) / warmup   # capture with a guard
///     case 0 | 1: ...                                  # literals, alternatives
///     case Kind.COSINE: ...                            # a dotted value
///     case (rows, cols) if rows == 3 * cols: ...       # a sequence of captures
///     case _: ...                                      # wildcard
/// ```
///
/// Class patterns (`case CastedLinear():`), mapping patterns and star captures are not decided: an evaluator meets
/// them as "unknown" rather than guessing.
public struct MatchStatement {
    public indirect enum Pattern {
        case wildcard
        case capture(String)
        /// A literal or a dotted name (`Kind.COSINE`): matches an equal subject.
        case value(Node)
        case alternatives([Pattern])
        case sequence([Pattern])
        /// `pattern as name`.
        case bound(Pattern, String)
        /// Class, mapping and star patterns.
        case undecided
    }

    public struct Case {
        public let node: Node
        public let pattern: Pattern
        /// The guard's condition (`s < warmup` in `case s if s < warmup:`).
        public let condition: Node?
        public let body: Node
    }

    public let node: Node
    public let subject: Node
    public let cases: [Case]

    /// Nil for anything but a well-formed `match_statement`.
    public init?(_ node: Node) {
        guard node.type == "match_statement", let subject = node.child(byField: "subject"),
              let block = node.child(byField: "body") else { return nil }
        var cases: [Case] = []
        for clause in block.namedChildren where clause.type == "case_clause" {
            guard let body = clause.child(byField: "consequence") else { return nil }
            let patterns = clause.namedChildren.filter { $0.type == "case_pattern" }
            // `case a, b:` is a sequence pattern written without brackets.
            let pattern = patterns.count == 1 ? Self.pattern(patterns[0]) : .sequence(patterns.map(Self.pattern))
            let condition = clause.child(byField: "guard")?.namedChildren.first
            cases.append(Case(node: clause, pattern: pattern, condition: condition, body: body))
        }
        self.node = node
        self.subject = subject
        self.cases = cases
    }

    /// The classes a case clause tests its subject against, when it is the statement's first case: `CastedLinear` in
    /// `case CastedLinear():`, both in `case nn.Linear() | CastedLinear():`. Empty for any other pattern.
    public static func classesTested(by clause: Node) -> [String] {
        // Only the first case: an earlier one may take some of those instances (`case nn.Linear(): pass` before
        // `case CastedLinear():`).
        guard clause.type == "case_clause",
              clause.parent?.namedChildren.first(where: { $0.type == "case_clause" }) == clause else { return [] }
        let patterns = clause.namedChildren.filter { $0.type == "case_pattern" }
        guard patterns.count == 1 else { return [] }
        func names(_ node: Node) -> [String]? {
            switch node.type {
            case "case_pattern": return node.namedChildren.first.flatMap(names)
            case "class_pattern": return node.namedChildren.first { $0.type == "dotted_name" }.map { [$0.text] }
            case "as_pattern": return node.namedChildren.first.flatMap(names)
            case "union_pattern":
                let parts = node.namedChildren.map(names)
                return parts.contains { $0 == nil } ? nil : parts.flatMap { $0! }
            default: return nil
            }
        }
        return names(patterns[0]) ?? []
    }

    static func pattern(_ node: Node) -> Pattern {
        let parts = node.namedChildren.filter { $0.type != "comment" }
        switch node.type {
        case "case_pattern":
            guard let inner = parts.first else { return .wildcard }  // `case _:`
            // `case -1:` keeps its sign as an unnamed token beside the number: not read (rather than read as 1).
            if node.children.contains(where: { !$0.isNamed && $0.type == "-" }) { return .undecided }
            return pattern(inner)
        case "dotted_name":
            if parts.count == 1 { return parts[0].text == "_" ? .wildcard : .capture(parts[0].text) }
            return .value(node)
        case "integer", "float", "string", "concatenated_string":
            return .value(node)
        case "true", "false", "none":
            // Compared by identity, not equality (`case True:` does not match 1): not decided here.
            return .undecided
        case "union_pattern":
            return .alternatives(parts.map(pattern))
        case "tuple_pattern", "list_pattern":
            return .sequence(parts.map(pattern))
        case "as_pattern":
            guard parts.count == 2, parts[1].type == "identifier" else { return .undecided }
            return .bound(pattern(parts[0]), parts[1].text)
        default:
            return .undecided
        }
    }

    /// What running the statement for one subject value comes to.
    public enum Selection<Value> {
        /// This case runs, with these names bound by its pattern.
        case selected(Case, [String: Value])
        /// No case matches: the statement does nothing.
        case noMatch
        /// A pattern or guard could not be decided.
        case unknown
    }

    /// The case that runs for `subject`, given how the evaluator compares a value with a value pattern (nil when it
    /// cannot tell), splits a value into elements for a sequence pattern (nil when it is not a sequence it knows),
    /// and decides a guard under the bindings so far (nil when it cannot).
    public func select<Value>(_ subject: Value, equals: (Value, Node) -> Bool?, elements: (Value) -> [Value]?,
                              holds: (Node, [String: Value]) -> Bool?) -> Selection<Value> {
        for item in cases {
            var bindings: [String: Value] = [:]
            guard let matched = Self.match(item.pattern, subject, &bindings, equals: equals, elements: elements) else { return .unknown }
            guard matched else { continue }
            if let condition = item.condition {
                guard let passes = holds(condition, bindings) else { return .unknown }
                if !passes { continue }
            }
            return .selected(item, bindings)
        }
        return .noMatch
    }

    static func match<Value>(_ pattern: Pattern, _ value: Value, _ bindings: inout [String: Value],
                             equals: (Value, Node) -> Bool?, elements: (Value) -> [Value]?) -> Bool? {
        switch pattern {
        case .wildcard:
            return true
        case .capture(let name):
            bindings[name] = value
            return true
        case .value(let node):
            return equals(value, node)
        case .alternatives(let options):
            for option in options {
                guard let matched = match(option, value, &bindings, equals: equals, elements: elements) else { return nil }
                if matched { return true }
            }
            return false
        case .sequence(let parts):
            guard let items = elements(value) else { return nil }
            guard items.count == parts.count else { return false }
            for (part, item) in zip(parts, items) {
                guard let matched = match(part, item, &bindings, equals: equals, elements: elements) else { return nil }
                if !matched { return false }
            }
            return true
        case .bound(let inner, let name):
            guard let matched = match(inner, value, &bindings, equals: equals, elements: elements) else { return nil }
            if matched { bindings[name] = value }
            return matched
        case .undecided:
            return nil
        }
    }
}
