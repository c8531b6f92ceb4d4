import Catalogue
import Foundation
import Parsing
import TreeSitterKit

/// One side of a check, the base record or the submission, as the rules read it.
///
/// Rules compare the two sides through `canonical(_:)`: an expression written out token by token with
/// whitespace, comments, redundant parentheses and quote styles gone, numbers in one spelling, single-use
/// aliases (`train_steps = args.num_iterations`) replaced by what they stand for, and, on the base side, names
/// the submission renamed consistently replaced by their new names. Two expressions with the same canonical
/// text compute the same thing in both files.
final class Script {
    /// Unowned: a base record's script is kept in its facts' memo (see `RuleContext`), and whoever makes a
    /// script holds its facts.
    unowned let facts: PythonFacts
    /// Base side: the submission's consistent renames (old -> new), applied to the base's names so both sides
    /// read in the submission's vocabulary. Submission side: empty.
    let canonicalRenames: [String: String]
    /// Submission side: the same renames, to find under which name the submission keeps a base name.
    let vocabulary: [String: String]

    init(_ facts: PythonFacts, canonicalRenames: [String: String] = [:], vocabulary: [String: String] = [:]) {
        self.facts = facts
        self.canonicalRenames = canonicalRenames
        self.vocabulary = vocabulary
    }

    /// The name this script uses for what the base calls `name`.
    func name(_ name: String) -> String { vocabulary[name] ?? name }

    /// Names of this script for a set of base names (the base names are kept too).
    func names(_ names: Set<String>) -> Set<String> { names.union(names.map(name)) }

    // MARK: Canonical text

    static let operatorNodes: Set<String> = [
        "binary_operator", "boolean_operator", "comparison_operator", "unary_operator", "not_operator",
        "conditional_expression",
    ]

    /// An expression's canonical text (see the type's documentation).
    func canonical(_ node: Node) -> String { canonical(node, depth: 0) }

    /// The canonical text with every read of an environment variable (`os.environ[k]`, `os.environ.get(k)`,
    /// `os.getenv(k)`, and the same through `from os import environ, getenv`) spelled `env ( k )`.
    func canonicalWithEnvironmentReads(_ node: Node) -> String { canonical(node, depth: 0, environmentReads: true) }

    /// The key of an environment read with one argument, or nil when `node` is not one.
    func environmentKey(_ node: Node) -> Node? {
        func named(_ n: Node) -> String { facts.imports.qualifiedName(of: n) ?? n.text }
        switch node.type {
        case "subscript":
            guard let value = node.child(byField: "value"), ["os.environ", "environ"].contains(named(value)) else { return nil }
            let keys = node.namedChildren.dropFirst().filter { $0.type != "comment" }
            return keys.count == 1 ? keys[keys.startIndex] : nil
        case "call":
            guard let function = node.child(byField: "function"),
                  let arguments = node.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }),
                  arguments.count == 1, arguments[0].type != "keyword_argument" else { return nil }
            let callee = named(function)
            if ["os.getenv", "getenv"].contains(callee) { return arguments[0] }
            if function.type == "attribute", function.child(byField: "attribute")?.text == "get",
               let object = function.child(byField: "object"), ["os.environ", "environ"].contains(named(object)) {
                return arguments[0]
            }
            return nil
        default:
            return nil
        }
    }

    private func canonical(_ node: Node, depth: Int, environmentReads: Bool = false) -> String {
        var out: [String] = []
        // An explicit stack: deeply nested expressions must not overflow the call stack.
        enum Item { case node(Node, Int), text(String) }
        var stack: [Item] = [.node(node, depth)]
        while let item = stack.popLast() {
            switch item {
            case .text(let text):
                out.append(text)
            case .node(let n, let d):
                if environmentReads, let key = environmentKey(n) {
                    stack.append(.text(")"))
                    stack.append(.node(key, d))
                    stack.append(.text("env ("))
                    continue
                }
                switch n.type {
                case "comment", "line_continuation":
                    continue
                case "parenthesized_expression":
                    // `(a)` is `a`; a parenthesized tuple or generator keeps its own shape through its child.
                    let inner = n.namedChildren.filter { $0.type != "comment" }
                    if inner.count == 1 { stack.append(.node(inner[0], d)) } else { stack.append(contentsOf: n.children.reversed().map { .node($0, d) }) }
                case "string", "concatenated_string":
                    out.append("\"" + (stringContent(n, depth: d) ?? n.text) + "\"")
                case "integer", "float":
                    out.append(Self.number(n.text))
                case "identifier":
                    out.append(identifier(n, depth: d))
                default:
                    if n.childCount == 0 {
                        out.append(n.text)
                    } else if Self.operatorNodes.contains(n.type) {
                        stack.append(.text(")"))
                        stack.append(contentsOf: n.children.reversed().map { .node($0, d) })
                        stack.append(.text("("))
                    } else {
                        stack.append(contentsOf: n.children.reversed().map { .node($0, d) })
                    }
                }
            }
        }
        return out.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// An identifier, with a single-use alias replaced by its value and a renamed name by its new name.
    private func identifier(_ node: Node, depth: Int) -> String {
        let text = node.text
        if depth < 6, isReference(node), let value = aliases[text], !isParameter(text, at: node) {
            return canonical(value, depth: depth + 1)
        }
        return canonicalRenames[text] ?? text
    }

    /// Whether an identifier reads a variable (not an attribute's field, a keyword's name or a parameter).
    func isReference(_ node: Node) -> Bool {
        guard let parent = node.parent else { return true }
        switch parent.type {
        case "attribute": return parent.child(byField: "attribute") != node
        case "keyword_argument": return parent.child(byField: "name") != node
        case "parameters", "default_parameter", "typed_parameter", "typed_default_parameter", "lambda_parameters": return false
        default: return true
        }
    }

    func isParameter(_ name: String, at node: Node) -> Bool {
        facts.imports.parameterScopes.contains { $0.range.contains(node.startByte) && $0.names.contains(name) }
    }

    static func number(_ text: String) -> String {
        // Most literals have no digit separators and no capitals: skip Foundation's string rewriting for them.
        let plain = !text.utf8.contains { $0 == UInt8(ascii: "_") || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        let digits = plain ? text : text.replacingOccurrences(of: "_", with: "").lowercased()
        if digits.hasPrefix("0x") || digits.hasPrefix("0o") || digits.hasPrefix("0b") { return digits }
        guard let value = Double(digits.hasSuffix("j") ? String(digits.dropLast()) : digits) else { return text }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// What a string literal (or implicitly concatenated literals) prints: the characters between the quotes,
    /// with f-string interpolations in canonical form. Nil for a node that is not a string.
    func stringContent(_ node: Node) -> String? { stringContent(node, depth: 0) }

    private func stringContent(_ node: Node, depth: Int) -> String? {
        switch node.type {
        case "concatenated_string":
            return node.namedChildren.filter { $0.type == "string" }.compactMap { stringContent($0, depth: depth) }.joined()
        case "string":
            var result = ""
            for child in node.children {
                switch child.type {
                case "string_content":
                    let text = child.text
                    result += text.utf8.contains(UInt8(ascii: "\\"))
                        ? text.replacingOccurrences(of: "\\'", with: "'").replacingOccurrences(of: "\\\"", with: "\"") : text
                case "interpolation":
                    var part = "{"
                    if let expression = child.namedChildren.first(where: { !["format_specifier", "type_conversion", "comment"].contains($0.type) }) {
                        // `{loss.item():.4f}` and `{loss:.4f}` print the same.
                        part += canonical(valueReceiver(expression) ?? expression, depth: depth)
                    }
                    if let conversion = child.namedChildren.first(where: { $0.type == "type_conversion" }) { part += conversion.text }
                    if let format = child.namedChildren.first(where: { $0.type == "format_specifier" }) { part += format.text }
                    result += part + "}"
                default:
                    continue
                }
            }
            return result
        default:
            return nil
        }
    }

    /// `x.item()`, `x.detach()`, `x.float()`, `x.cpu()`, `float(x)` -> x: the same value, printed the same.
    func valueReceiver(_ node: Node) -> Node? {
        var n = node
        var stripped = false
        while n.type == "call", let function = n.child(byField: "function"),
              n.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }).count == (function.type == "identifier" ? 1 : 0) {
            if function.type == "attribute", let method = function.child(byField: "attribute")?.text,
               ["item", "detach", "float", "cpu"].contains(method), let object = function.child(byField: "object") {
                n = object
            } else if function.type == "identifier", function.text == "float", let argument = n.child(byField: "arguments")?.namedChildren.first {
                n = argument
            } else {
                break
            }
            while n.type == "parenthesized_expression", let inner = n.namedChildren.first { n = inner }
            stripped = true
        }
        return stripped ? n : nil
    }

    /// A node's source on one line (a call split over lines joined back), shortened for messages.
    func oneLine(_ node: Node) -> String {
        var text = node.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        text = text.replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: ", )", with: ")").replacingOccurrences(of: " )", with: ")")
        return text.count > 120 ? String(text.prefix(119)) + "…" : text
    }

    /// The variable a log line prints right after `key` (`f"... val_loss:{vloss:.4f}"` -> vloss).
    func loggedName(afterKey key: String) -> String? {
        for node in facts.nodes(ofType: "string_content") where node.text.hasSuffix(key) {
            guard let next = node.nextSibling, next.type == "interpolation",
                  let expression = next.namedChildren.first(where: { !["format_specifier", "type_conversion", "comment"].contains($0.type) }) else { continue }
            let value = valueReceiver(expression) ?? expression
            if value.type == "identifier" { return value.text }
        }
        return nil
    }

    // MARK: Names and bindings

    /// Names bound more than once, or anywhere but a plain module-level assignment, are not aliases.
    private(set) lazy var bindingCounts: [String: Int] = {
        var counts: [String: Int] = [:]
        func bind(_ target: Node) {
            for n in target.preorder where n.type == "identifier" && isReference(n) {
                if let parent = n.parent, parent.type == "attribute" || parent.type == "subscript" { continue }
                counts[n.text, default: 0] += 1
            }
        }
        for node in facts.nodes(ofType: Self.bindingTypes) {
            switch node.type {
            case "assignment", "augmented_assignment":
                if let left = node.child(byField: "left") { bind(left) }
            case "for_statement", "for_in_clause":
                if let left = node.child(byField: "left") { bind(left) }
            case "as_pattern", "with_item":
                if let alias = node.child(byField: "alias") { bind(alias) }
            case "named_expression":
                if let name = node.child(byField: "name") { bind(name) }
            case "global_statement", "nonlocal_statement":
                for n in node.namedChildren { counts[n.text, default: 0] += 2 }
            default:
                continue
            }
        }
        return counts
    }()

    /// The statements and clauses that bind names.
    static let bindingTypes: Set<String> = [
        "assignment", "augmented_assignment", "for_statement", "for_in_clause", "as_pattern", "with_item",
        "named_expression", "global_statement", "nonlocal_statement",
    ]

    /// `name = other_name` or `name = obj.attr`, the only binding of `name`, at module level.
    private(set) lazy var aliases: [String: Node] = {
        var result: [String: Node] = [:]
        for node in facts.nodes(ofType: "assignment") {
            guard let left = node.child(byField: "left"), left.type == "identifier",
                  let value = node.child(byField: "right"), let right = Optional(valueReceiver(value) ?? value),
                  right.type == "identifier" || right.type == "attribute",
                  bindingCounts[left.text] == 1, Script.owner(of: node) == nil, right.text != left.text else { continue }
            result[left.text] = right
        }
        return result
    }()

    /// The value expressions a name is given (`name = value`, `name: T = value`), innermost scope first: in
    /// the function around `use` if it binds the name there, otherwise at module level. A parameter of the
    /// enclosing function resolves to the arguments its callers pass.
    func definitions(of name: String, at use: Node) -> [Node] {
        let function = facts.enclosingFunction(use)
        if let function, let index = function.parameters.firstIndex(of: name) {
            let offset = function.parameters.first == "self" ? 1 : 0
            return facts.calls.filter { $0.name == function.name && !function.node.byteRange.contains($0.node.startByte) }
                .compactMap { $0.argument(name, position: index - offset >= 0 ? index - offset : nil) }
        }
        let assignments = assignmentsByName[name] ?? []
        let local = assignments.filter { function != nil && facts.enclosingFunction($0)?.node == function?.node }
        let chosen = local.isEmpty ? assignments.filter { facts.enclosingFunction($0) == nil } : local
        return chosen.compactMap { $0.child(byField: "right") }
    }

    /// `name = value` statements by the (plain identifier) name they set.
    private(set) lazy var assignmentsByName: [String: [Node]] = {
        var result: [String: [Node]] = [:]
        for node in facts.nodes(ofType: "assignment") {
            if let left = node.child(byField: "left"), left.type == "identifier" { result[left.text, default: []].append(node) }
        }
        return result
    }()

    /// Validation models by accumulator name (several rules ask).
    var validationCache: [String: ValidationModel] = [:]

    /// Other readings of this script that rules derive, computed once per key (a base record's script is kept
    /// across submissions, so what a rule derives from the base alone is derived once).
    private var derived: [String: Any] = [:]

    func memoized<T>(_ key: String, _ compute: () -> T) -> T {
        if let value = derived[key] { return value as! T }
        let value = compute()
        derived[key] = value
        return value
    }

    // MARK: Structure

    /// The statement a node belongs to (the node itself, or the ancestor whose parent holds statements).
    func statement(of node: Node) -> Node {
        var current = node
        while let parent = current.parent {
            if ["module", "block"].contains(parent.type) { return current }
            current = parent
        }
        return current
    }

    /// Ancestors of a node, innermost first.
    func ancestors(_ node: Node) -> [Node] {
        var result: [Node] = []
        var current = node.parent
        while let c = current {
            result.append(c)
            current = c.parent
        }
        return result
    }

    /// The innermost `for`/`while` loop around a node, not crossing a function definition.
    func enclosingLoop(_ node: Node) -> Node? {
        for a in ancestors(node) {
            if a.type == "function_definition" || a.type == "class_definition" { return nil }
            if a.type == "for_statement" || a.type == "while_statement" { return a }
        }
        return nil
    }

    /// Conditions of the `if`/`elif` branches that lead to a node, innermost first, up to (not including)
    /// `limit`. A node in an `else` branch gets the negation `not (...)` of the condition it is guarded by.
    func guards(_ node: Node, upTo limit: Node? = nil) -> [(condition: Node, negated: Bool)] {
        var result: [(Node, Bool)] = []
        var child = node
        for a in ancestors(node) {
            if let limit, a == limit { break }
            if a.type == "if_statement" || a.type == "elif_clause" {
                if let condition = a.child(byField: "condition"), condition != child, !condition.byteRange.contains(child.startByte) {
                    // In the `if` body (the consequence), or in an elif/else alternative of it.
                    let inConsequence = a.child(byField: "consequence").map { $0.byteRange.contains(child.startByte) } == true
                    result.append((condition, !inConsequence))
                }
            }
            if a.type == "function_definition" { break }
            child = a
        }
        return result
    }

    /// The disjuncts of a condition: `a or (b or c)` -> a, b, c.
    func disjuncts(_ condition: Node) -> [Node] {
        var node = condition
        while node.type == "parenthesized_expression", let inner = node.namedChildren.first(where: { $0.type != "comment" }) { node = inner }
        if node.type == "boolean_operator", node.child(byField: "operator")?.type == "or",
           let left = node.child(byField: "left"), let right = node.child(byField: "right") {
            return disjuncts(left) + disjuncts(right)
        }
        return [node]
    }

    /// Whether a subtree mentions one of `names` as a variable or an attribute's field.
    func mentions(_ node: Node, _ names: Set<String>) -> Bool {
        node.preorder.contains { $0.type == "identifier" && names.contains($0.text) }
    }

    /// Calls made inside a node, and inside the local functions those calls reach (bounded).
    func reachableCalls(from node: Node) -> [CallSite] { reachableCalls(in: [node.byteRange]) }

    /// Calls made inside byte ranges, and inside the local functions those calls reach (bounded).
    func reachableCalls(in ranges: [Range<Int>]) -> [CallSite] {
        var visited = Set<Int>()
        var seen = Set<Int>()
        var result: [CallSite] = []
        var pending = ranges
        while let range = pending.popLast() {
            for call in calls(in: range) where seen.insert(call.node.startByte).inserted {
                result.append(call)
                for function in functionsByName[call.name] ?? [] where visited.insert(function.node.startByte).inserted && visited.count < 64 {
                    pending.append(function.node.byteRange)
                }
            }
        }
        return result
    }

    /// Calls starting inside a byte range, in file order.
    func calls(in range: Range<Int>) -> ArraySlice<CallSite> {
        let all = sortedCalls
        var low = 0, high = all.count
        while low < high {
            let mid = (low + high) / 2
            if all[mid].node.startByte < range.lowerBound { low = mid + 1 } else { high = mid }
        }
        var end = low
        while end < all.count, all[end].node.startByte < range.upperBound { end += 1 }
        return all[low..<end]
    }

    private(set) lazy var sortedCalls: [CallSite] = facts.calls.sorted { $0.node.startByte < $1.node.startByte }
    private(set) lazy var functionsByName: [String: [PythonFacts.Function]] = Dictionary(grouping: facts.functions, by: \.name)

    func functionNode(around node: Node) -> Node? { facts.enclosingFunction(node)?.node }
}

extension Script {
    /// The kind of definition owning a node (`function_definition`, `class_definition`), nil at module level
    /// (code in an `if __name__ == "__main__":` block is module level).
    static func owner(of node: Node) -> String? {
        var current = node.parent
        while let c = current {
            if c.type == "function_definition" || c.type == "class_definition" { return c.type }
            current = c.parent
        }
        return nil
    }
}
