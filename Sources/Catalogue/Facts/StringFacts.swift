import Parsing
import TreeSitterKit

/// Strings built from constants: what an environment variable, an allocator setting or a config call receives.
extension PythonFacts {
    /// The text a string expression evaluates to when it is built from constants: literals (implicit
    /// concatenation included), `+`, repetition by a whole number (`"." * 6`), `sep.join([...])` (also over a mapping's
    /// entries, see `foldedStringList`), f-strings whose fields fold, `str(...)` of a number or of an object whose class
    /// renders it (see `renderedObject`), names
    /// set to such expressions (module constants, config fields, argparse defaults), and the entry a folded key
    /// selects from a dictionary of the file (`CANDIDATES[choice]`). nil when a part is
    /// unknown. Comments and docstrings are never expressions, so they never fold into anything.
    public func foldedString(_ node: Node, depth: Int = 0) -> String? {
        // Kept per node and depth: a name set in many places folds each of its settings, and each of those its own
        // names, so the same expressions come back many times over. The depth limit can cut an answer short (and
        // with it, which of a name's settings folds first), so an answer is reused only at the same depth.
        guard depth < 8 else { return nil }
        let key = NodeAtDepth(node: node, depth: depth)
        if let known = foldedStrings[key] { return known }
        let result = computeFoldedString(node, depth: depth)
        foldedStrings[key] = .some(result)
        return result
    }

    private func computeFoldedString(_ node: Node, depth: Int) -> String? {
        let next = depth + 1
        switch node.type {
        case "string":
            return stringLiteral(node) { field in foldedPiece(field, depth: next) }
        case "concatenated_string":
            var result = ""
            for part in node.namedChildren {
                guard let text = foldedString(part, depth: next) else { return nil }
                result += text
            }
            return result
        case "parenthesized_expression":
            return node.namedChild(0).flatMap { foldedString($0, depth: next) }
        case "binary_operator":
            guard let left = node.child(byField: "left"), let right = node.child(byField: "right") else { return nil }
            // A repetition, `"." * 6` or `6 * "."`, by a count that folds to a small whole number.
            if node.child(byField: "operator")?.type == "*" {
                func count(_ n: Node) -> Int? {
                    guard case .int(let k)? = value(of: n), (0...4096).contains(k) else { return nil }
                    return k
                }
                if let text = foldedString(left, depth: next), let k = count(right) { return String(repeating: text, count: k) }
                if let k = count(left), let text = foldedString(right, depth: next) { return String(repeating: text, count: k) }
                return nil
            }
            guard node.child(byField: "operator")?.type == "+",
                  let l = foldedString(left, depth: next), let r = foldedString(right, depth: next) else { return nil }
            return l + r
        case "call":
            let call = callSite(node)
            // (`sep.join(x for x in ...)` passes its generator as the whole argument list.)
            let joined = call.positional.count == 1 ? call.positional.first
                : node.child(byField: "arguments").flatMap { $0.type == "generator_expression" ? $0 : nil }
            if call.name == "join", let receiver = call.receiver, let joined,
               let separator = foldedString(receiver, depth: next),
               let items = foldedStringList(joined, depth: next) {
                return items.joined(separator: separator)
            }
            if call.callee == "str", call.positional.count == 1 { return foldedPiece(call.positional[0], depth: next) }
            // A helper of the file that builds the text (`merged_alloc_conf(existing, expandable=True)` splitting,
            // filtering and joining options), or a string method on text the run knows: what running it gives.
            if calledFunction(call) != nil || ScriptInterpreter.stringMethods.contains(call.name),
               let text = interpretedString(node) {
                return text
            }
            return nil
        case "identifier", "attribute", "subscript":
            // `TABLE[choice]` with a key that is no literal but folds (`choice = "segs"`): the entry of the
            // dictionary the table is set to (see `dictionaries`), never every entry of the table.
            if node.type == "subscript", let table = node.child(byField: "value"), let key = node.child(byField: "subscript"),
               SettingsTable.stringValue(key) == nil {
                guard let chosen = foldedString(key, depth: next) else { return nil }
                for dictionary in dictionaries(table) where !isInside(node, dictionary) {
                    if let entry = OptimizerUse.entry(chosen, in: dictionary) { return foldedString(entry, depth: next) }
                }
                return nil
            }
            guard let name = SettingsTable.bareName(of: node) else { return nil }
            for setting in allSettings.settings(name) where !isInside(node, setting.value) {
                if let text = foldedString(setting.value, depth: next) { return text }
            }
            return nil
        default:
            return nil
        }
    }

    /// A folded string, or a number written as Python prints it (for f-string fields and `str(...)`), or an object its
    /// class renders (see `renderedObject`).
    func foldedPiece(_ node: Node, depth: Int) -> String? {
        if let text = foldedString(node, depth: depth) { return text }
        if let text = renderedObject(node, depth: depth) { return text }
        if node.type == "true" { return "True" }
        if node.type == "false" { return "False" }
        if ["identifier", "attribute"].contains(node.type), let name = SettingsTable.bareName(of: node),
           let literal = allSettings.settings(name).map(\.value).first(where: { ["true", "false"].contains($0.type) }) {
            return literal.type == "true" ? "True" : "False"
        }
        return value(of: node)?.description
    }

    /// What `str(obj)` (or an f-string field `{obj}`) gives for an object of a class of the file that renders itself:
    /// `self` in the class's methods, or a construction of the class; its `__str__` (else `__repr__`) returning one
    /// expression that folds (`",".join(f"{k}:{v}" for k, v in self.items())` in a `dict` subclass, see
    /// `mappingEntries`). Nil for anything else.
    func renderedObject(_ node: Node, depth: Int) -> String? {
        let n = unwrapped(node)
        guard depth < 8 else { return nil }
        var owner: Class?
        if n.type == "identifier", let function = enclosingFunction(n), function.receiver == n.text {
            owner = enclosingClass(function.node)
        } else if n.type == "call" {
            owner = boundClass(named: callSite(n).callee)
        }
        guard let owner, let render = method("__str__", of: owner) ?? method("__repr__", of: owner),
              case let returned = returnedValues(render), returned.count == 1 else { return nil }
        return foldedString(returned[0], depth: depth + 1)
    }

    /// The string a call of a file function or a string method gives when run (`merged_alloc_conf(existing,
    /// expandable=True)` splitting, filtering and joining options), kept per call. A helper that builds a string
    /// takes tens of steps; the fold is asked of every `+` and `*` of the file, so a call reaching training code (or
    /// names bound in many places, a script repeating its cells) gives up after `stringHelperBudget` steps instead of
    /// the interpreter's full budget.
    func interpretedString(_ call: Node) -> String? {
        if let known = interpretedStrings[call] { return known }
        var text: String?
        if case .string(let value)? = ScriptInterpreter(self, budget: Self.stringHelperBudget).value(of: call, env: [:]) { text = value }
        interpretedStrings[call] = .some(text)
        return text
    }

    static let stringHelperBudget = 5_000

    /// The strings of a list or tuple of foldable strings (or a name, attribute or configuration entry set to one:
    /// `cfg["mask_terms"]` with `"mask_terms": ["causal", "same_document"]`), or of a comprehension or generator over
    /// the entries of a mapping written out where it is made (`f"{k}:{v}" for k, v in self.items()`, also over its
    /// keys, `.keys()` or `.values()`; see `mappingEntries`), one per entry in order, the loop's names bound to the
    /// entry's key and value as `str` writes them.
    func foldedStringList(_ node: Node, depth: Int) -> [String]? {
        guard depth < 8 else { return nil }
        switch node.type {
        case "generator_expression", "list_comprehension":
            let clauses = node.namedChildren.filter { $0.type == "for_in_clause" || $0.type == "if_clause" }
            guard clauses.count == 1, let clause = clauses.first, clause.type == "for_in_clause", let body = node.child(byField: "body"),
                  let target = clause.child(byField: "left"), let source = clause.child(byField: "right").map(unwrapped) else { return nil }
            // What the loop walks: `m.items()` (key, value), `m`, `m.keys()` (key) or `m.values()` (value).
            var mapping = source
            var walked = "keys"
            if source.type == "call", case let call = callSite(source), ["items", "keys", "values"].contains(call.name),
               call.positional.isEmpty, call.keywords.isEmpty, let receiver = call.receiver {
                mapping = receiver
                walked = call.name
            }
            guard let entries = mappingEntries(mapping) else { return nil }
            let names = target.type == "identifier" ? [target] : target.namedChildren
            guard names.allSatisfy({ $0.type == "identifier" }), names.count == (walked == "items" ? 2 : 1) else { return nil }
            var result: [String] = []
            for entry in entries {
                var bound: [String: String] = [:]
                if walked == "values" {
                    guard let v = foldedPiece(entry.value, depth: depth + 1) else { return nil }
                    bound[names[0].text] = v
                } else {
                    bound[names[0].text] = entry.key
                    if walked == "items" {
                        guard let v = foldedPiece(entry.value, depth: depth + 1) else { return nil }
                        bound[names[1].text] = v
                    }
                }
                guard let text = foldedTemplate(body, bound, depth: depth + 1) else { return nil }
                result.append(text)
            }
            return result
        case "list", "tuple":
            var result: [String] = []
            for item in node.namedChildren where item.type != "comment" {
                guard let text = foldedString(item, depth: depth + 1) else { return nil }
                result.append(text)
            }
            return result
        case "parenthesized_expression":
            return node.namedChild(0).flatMap { foldedStringList($0, depth: depth + 1) }
        case "identifier", "attribute", "subscript":
            guard let name = SettingsTable.bareName(of: node) else { return nil }
            for setting in allSettings.settings(name) where !isInside(node, setting.value) {
                if let items = foldedStringList(setting.value, depth: depth + 1) { return items }
            }
            return nil
        default:
            return nil
        }
    }

    /// The strings a condition tests a name against, in order: its string literals, and the items of each list or
    /// tuple of strings it walks or hands on by name (`any(fnmatch.fnmatch(name, pat) for pat in cfg.zero_init_globs)`,
    /// `name.endswith(SUFFIXES)`, `name in KEEP`; see `foldedStringList`).
    public func testedStrings(_ condition: Node) -> [String] {
        var result: [String] = []
        for node in descendants(of: condition) {
            if node.type == "string" {
                if let text = SettingsTable.stringValue(node) { result.append(text) }
                continue
            }
            // A named list: walked by a generator, an argument, or a side of a comparison (`in`).
            guard ["identifier", "attribute"].contains(node.type), node.parent?.type != "attribute",
                  let parent = node.parent, ["argument_list", "comparison_operator"].contains(parent.type)
                    || (parent.type == "for_in_clause" && parent.child(byField: "right") == node),
                  let items = foldedStringList(node, depth: 0) else { continue }
            result += items
        }
        return result
    }

    /// A string expression read with some loop names bound to the text of one entry (see `foldedStringList`): a bound
    /// name, `str(name)`, an f-string whose fields are bound names or fold, `+` of such parts, or an expression with no
    /// bound name that folds (`foldedString`).
    func foldedTemplate(_ node: Node, _ bound: [String: String], depth: Int) -> String? {
        let n = unwrapped(node)
        guard depth < 8 else { return nil }
        switch n.type {
        case "identifier":
            return bound[n.text] ?? foldedString(n, depth: depth + 1)
        case "call":
            let call = callSite(n)
            if call.callee == "str", call.positional.count == 1, call.keywords.isEmpty {
                return foldedTemplate(call.positional[0], bound, depth: depth + 1) ?? foldedPiece(call.positional[0], depth: depth + 1)
            }
            return foldedString(n, depth: depth + 1)
        case "binary_operator":
            guard n.child(byField: "operator")?.type == "+", let left = n.child(byField: "left"), let right = n.child(byField: "right"),
                  let l = foldedTemplate(left, bound, depth: depth + 1), let r = foldedTemplate(right, bound, depth: depth + 1) else {
                return foldedString(n, depth: depth + 1)
            }
            return l + r
        case "string":
            return stringLiteral(n) { field in
                let field = unwrapped(field)
                if field.type == "identifier", let text = bound[field.text] { return text }
                return foldedPiece(field, depth: depth + 1)
            }
        default:
            return foldedString(n, depth: depth + 1)
        }
    }

    /// The text of a string literal, each interpolated field (`{x}` of an f-string) read by `field`; nil when a field
    /// cannot be read, or has a format spec or conversion (`{v!r}`, `{v:>4}`).
    func stringLiteral(_ node: Node, field: (Node) -> String?) -> String? {
        var result = ""
        for child in node.children {
            switch child.type {
            case "string_start", "string_end":
                continue
            case "string_content":
                result += child.text
            case "interpolation":
                let parts = child.namedChildren
                guard parts.count == 1, let value = field(parts[0]) else { return nil }
                result += value
            default:
                if child.isNamed { result += child.text }
            }
        }
        return result
    }
}
