import Parsing
import TreeSitterKit

/// Strings built from constants: what an environment variable, an allocator setting or a config call receives.
extension PythonFacts {
    /// The text a string expression evaluates to when it is built from constants: literals (implicit
    /// concatenation included), `+`, repetition by a whole number (`"." * 6`), `sep.join([...])`, f-strings whose fields fold, `str(...)` of a number, names
    /// set to such expressions (module constants, config fields, argparse defaults), and the entry a folded key
    /// selects from a dictionary of the file (`CANDIDATES[choice]`). nil when a part is
    /// unknown. Comments and docstrings are never expressions, so they never fold into anything.
    public func foldedString(_ node: Node, depth: Int = 0) -> String? {
        guard depth < 8 else { return nil }
        let next = depth + 1
        switch node.type {
        case "string":
            var result = ""
            for child in node.children {
                switch child.type {
                case "string_start", "string_end":
                    continue
                case "string_content":
                    result += child.text
                case "interpolation":
                    let parts = child.namedChildren
                    guard parts.count == 1, let value = foldedPiece(parts[0], depth: next) else { return nil }
                    result += value
                default:
                    if child.isNamed { result += child.text }
                }
            }
            return result
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
            if call.name == "join", let receiver = call.receiver, call.positional.count == 1,
               let separator = foldedString(receiver, depth: next),
               let items = foldedStringList(call.positional[0], depth: next) {
                return items.joined(separator: separator)
            }
            if call.callee == "str", call.positional.count == 1 { return foldedPiece(call.positional[0], depth: next) }
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

    /// A folded string, or a number written as Python prints it (for f-string fields and `str(...)`).
    func foldedPiece(_ node: Node, depth: Int) -> String? {
        if let text = foldedString(node, depth: depth) { return text }
        if node.type == "true" { return "True" }
        if node.type == "false" { return "False" }
        if ["identifier", "attribute"].contains(node.type), let name = SettingsTable.bareName(of: node),
           let literal = allSettings.settings(name).map(\.value).first(where: { ["true", "false"].contains($0.type) }) {
            return literal.type == "true" ? "True" : "False"
        }
        return value(of: node)?.description
    }

    /// The strings of a list or tuple of foldable strings (or a name, attribute or configuration entry set to one:
    /// `cfg["mask_terms"]` with `"mask_terms": ["causal", "same_document"]`).
    func foldedStringList(_ node: Node, depth: Int) -> [String]? {
        guard depth < 8 else { return nil }
        switch node.type {
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
}
