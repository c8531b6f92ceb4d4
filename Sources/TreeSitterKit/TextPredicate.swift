import Foundation

/// The text predicates tree-sitter queries use but the C runtime does not evaluate:
/// `#eq?`, `#match?`, `#any-of?`, their `not-` negations and their `any-` (some node of a quantified capture)
/// variants.
struct TextPredicate: @unchecked Sendable {
    enum Test {
        case equalsString(String)
        case equalsCapture(Int)
        case matches(NSRegularExpression)
        case anyOf(Set<String>)
    }

    let capture: Int
    let test: Test
    let negated: Bool
    /// When true one node of a quantified capture suffices; otherwise every node must pass.
    let anyNode: Bool

    /// Returns nil for predicate names this type does not handle.
    init?(name: String, arguments: [PredicateArgument]) throws {
        var base = name
        var negated = false, anyNode = false
        if base.hasPrefix("any-") && base != "any-of?" { anyNode = true; base.removeFirst(4) }
        if base.hasPrefix("not-") { negated = true; base.removeFirst(4) }
        guard ["eq?", "match?", "any-of?"].contains(base) else { return nil }

        guard case let .capture(capture)? = arguments.first else {
            throw TreeSitterError.invalidPredicate("#\(name) needs a capture as its first argument")
        }
        let rest = arguments.dropFirst()
        switch base {
        case "eq?":
            guard rest.count == 1 else { throw TreeSitterError.invalidPredicate("#\(name) takes two arguments") }
            switch rest.first! {
            case let .string(s): test = .equalsString(s)
            case let .capture(c): test = .equalsCapture(c)
            }
        case "match?":
            guard rest.count == 1, case let .string(pattern)? = rest.first else {
                throw TreeSitterError.invalidPredicate("#\(name) takes a capture and a regular expression")
            }
            do {
                test = .matches(try NSRegularExpression(pattern: pattern))
            } catch {
                throw TreeSitterError.invalidPredicate("#\(name): bad regular expression '\(pattern)'")
            }
        default: // any-of?
            var values = Set<String>()
            for arg in rest {
                guard case let .string(s) = arg else {
                    throw TreeSitterError.invalidPredicate("#\(name) takes strings after its capture")
                }
                values.insert(s)
            }
            test = .anyOf(values)
        }
        self.capture = capture
        self.negated = negated
        self.anyNode = anyNode
    }

    /// Evaluates the predicate against the captured nodes of one match.
    func holds(in captures: [Int: [Node]]) -> Bool {
        let nodes = captures[capture] ?? []
        if nodes.isEmpty { return true }
        let verdicts = nodes.map { node -> Bool in
            let text = node.text
            let result: Bool
            switch test {
            case let .equalsString(s): result = text == s
            case let .equalsCapture(other):
                result = (captures[other] ?? []).contains { $0.text == text }
            case let .matches(regex):
                let range = NSRange(text.startIndex..<text.endIndex, in: text)
                result = regex.firstMatch(in: text, range: range) != nil
            case let .anyOf(values): result = values.contains(text)
            }
            return result != negated
        }
        return anyNode ? verdicts.contains(true) : verdicts.allSatisfy { $0 }
    }
}
