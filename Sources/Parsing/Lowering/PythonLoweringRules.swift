import SourceModel
import TreeSitterKit

extension LoweringRules {
    /// Python: identifiers, literals and dotted names are atoms; strings are compared by value (so quote
    /// style does not matter) and numbers by value (`1e-3` equals `0.001`); comments are dropped.
    public static let python = LoweringRules(
        atoms: ["identifier", "integer", "float", "string", "true", "false", "none", "ellipsis", "dotted_name",
                "keyword_identifier", "type_conversion", "line_continuation"],
        dropped: ["comment"],
        labelTokens: ["+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "~", "<", ">", "<=", ">=",
                      "==", "!=", "<>", "in", "not in", "is", "is not", "not", "and", "or", "+=", "-=", "*=", "/=",
                      "//=", "%=", "**=", "@=", "&=", "|=", "^=", ">>=", "<<=", "async", "global", "nonlocal"],
        wrappers: ["decorated_definition": "definition"],
        transparent: ["parenthesized_expression", "expression_statement"],
        entities: [
            "class_definition": .init(kind: .class) { node, _ in node.child(byField: "name")?.text },
            "function_definition": .init(kind: .function) { node, _ in node.child(byField: "name")?.text },
            "decorator": .init(kind: .decorator) { node, _ in node.namedChild(0)?.text },
            "import_statement": .init(kind: .import) { node, _ in node.namedChildren.map(\.text).joined(separator: ", ") },
            "import_from_statement": .init(kind: .import) { node, _ in node.child(byField: "module_name")?.text },
            "assignment": .init(kind: .assignment) { node, context in
                // Hyperparameters live at module level (also under `if __name__ == "__main__":` and other
                // conditionals) and in class bodies (dataclass fields, constants); an assignment inside a loop,
                // `with` or function body is a statement of the script, not a setting.
                guard context.enclosing == .module || context.enclosing == .class, context.settingPosition,
                      let left = node.child(byField: "left"), ["identifier", "attribute"].contains(left.type) else { return nil }
                return left.text
            },
        ],
        atomLabel: { node in
            switch node.type {
            case "string":
                if let decoded = DecodedString.decode(literal: node.byteRange, in: node.tree.bytes) {
                    return String(decoding: decoded.bytes, as: UTF8.self)
                }
                return node.text
            case "integer", "float":
                return NumberLiteral.canonical(node.text)
            default:
                return node.text
            }
        },
        roles: SyntaxRoles(
            statementContainers: ["module", "block"],
            calls: ["call"],
            argumentLists: ["argument_list"],
            literals: ["integer", "float", "string", "true", "false", "none"],
            names: ["identifier", "qualified_name", "dotted_name"],
            memberNameChild: ["attribute": 1, "keyword_argument": 0]),
        settingContainers: ["class_definition", "block", "if_statement", "else_clause", "elif_clause",
                            "expression_statement", "decorated_definition"],
        kindAliases: ["default_parameter": "parameter", "typed_parameter": "parameter",
                      "typed_default_parameter": "parameter"])
}

/// Canonical spelling of numeric literals, so equal values compare equal whatever their notation.
public enum NumberLiteral {
    public static func canonical(_ text: String) -> String {
        // Plain decimal integers are already canonical (the common case: skip the string work).
        if let first = text.utf8.first, first != UInt8(ascii: "0") || text.utf8.count == 1,
           text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return text }
        var t = (text.contains("_" as Character) ? text.replacingOccurrences(of: "_", with: "") : text).lowercased()
        if t.hasSuffix("j") || t.hasSuffix("f") && !t.hasPrefix("0x") { t.removeLast() }
        for suffix in ["ull", "ul", "ll", "u", "l"] where t.hasSuffix(suffix) && !t.contains("." as Character) {
            t.removeLast(suffix.count)
            break
        }
        let radix: Int? = t.hasPrefix("0x") ? 16 : t.hasPrefix("0o") ? 8 : t.hasPrefix("0b") ? 2 : nil
        if let radix, let value = Int(t.dropFirst(2), radix: radix) { return String(value) }
        if let value = Int(t) { return String(value) }
        if let value = Double(t) { return NumericValue.float(value).description }
        return text
    }
}

import Foundation
