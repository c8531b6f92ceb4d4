import TreeSitterGrammars
import TreeSitterKit

/// Macro text read with the CUDA grammar. tree-sitter keeps a `#define`'s replacement as one token of raw text
/// (`preproc_arg`), and a call of an attribute macro is blanked before the source is parsed (see `AttributeMacros`),
/// so detectors that need the structure of either (how many arguments a replacement gives `__launch_bounds__`, which
/// type a dispatch macro's case binds to a name) parse the text on its own, placed in the kind of code it is written
/// for. Only the structure is read: the nodes belong to that small parse, not to the source, and carry no evidence.
enum MacroText {
    /// Where the text is placed for parsing.
    enum Context {
        /// Between a kernel's qualifiers and its name (`__global__ void <text> probe();`): an attribute's spelling.
        case kernelAttribute
        /// Inside a function body (`void probe() { <text> ; }`): statements, as a dispatch macro's cases are. The
        /// closing `;` gives a loop or branch header standing alone (`#define EACH_ROW for (...)`) an empty body.
        case statements
        /// As a variable's initial value in parentheses (`int probe = (<text>);`): an expression.
        case expression
    }

    /// A replacement read on its own: as statements when it opens with a loop or a branch (`for`, `if`, `while`,
    /// `do`, `switch`), else as an expression when it parses as one without errors (`(blockDim.x * 4)`,
    /// `threadIdx.x % 32`, also with a comment holding a `;`), else as statements (`x = 1; y = 2`).
    static func parseOnItsOwn(_ text: String) -> Tree? {
        let opening = text.drop { $0.isWhitespace }.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        if ["for", "if", "while", "do", "switch"].contains(opening) { return parse(text, as: .statements) }
        if let tree = parse(text, as: .expression), !tree.rootNode.hasError { return tree }
        return parse(text, as: .statements)
    }

    /// The text parsed in `context`; line continuations are read as spaces. Readers take only nodes without errors
    /// (a replacement may paste tokens, `scalar_##t`, which no grammar reads).
    static func parse(_ text: String, as context: Context) -> Tree? {
        // A backslash before a line break continues the directive's line.
        var bytes = Array(text.utf8)
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\\") {
            var next = i + 1
            if next < bytes.count, bytes[next] == UInt8(ascii: "\r") { next += 1 }
            if next < bytes.count, bytes[next] == UInt8(ascii: "\n") { bytes[i] = UInt8(ascii: " ") }
        }
        let body = String(decoding: bytes, as: UTF8.self)
        let wrapped = switch context {
        case .kernelAttribute: "__global__ void \(body) srlens_probe();\n"
        case .statements: "void srlens_probe() {\n\(body)\n;\n}\n"
        case .expression: "int srlens_probe = (\(body)\n);\n"
        }
        return try? Parser(language: .cuda).parse(bytes: Array(wrapped.utf8))
    }

    /// The arguments a replacement gives `__launch_bounds__` (`__launch_bounds__(t, m)` gives `t` and `m`); nil when
    /// the text is not that attribute.
    static func launchBoundsArguments(_ replacement: String) -> [Node]? {
        guard let tree = parse(replacement, as: .kernelAttribute),
              let attribute = tree.rootNode.preorder.first(where: { $0.type == "launch_bounds" }), !attribute.hasError else { return nil }
        return attribute.namedChildren.filter { $0.type != "comment" }
    }

    /// The name and arguments of a macro call written as a statement (`BOUNDS(Traits<A, B>::kThreads, 2)` calls
    /// `BOUNDS` with two arguments).
    static func call(_ text: String) -> (name: String, arguments: [Node])? {
        guard let tree = parse(text + ";", as: .statements),
              let call = tree.rootNode.preorder.first(where: { $0.type == "call_expression" }),
              let function = call.child(byField: "function"), function.type == "identifier",
              let arguments = call.child(byField: "arguments"), !arguments.hasError else { return nil }
        return (function.text, arguments.namedChildren.filter { $0.type != "comment" })
    }

    /// The type names a replacement binds with `using name = type;` or `typedef type name;`, by the name bound (one
    /// entry per binding: a dispatch macro binds `scalar_t` once per case).
    static func typeBindings(_ replacement: String) -> [(name: String, type: Node)] {
        guard let tree = parse(replacement, as: .statements) else { return [] }
        return tree.rootNode.preorder.compactMap { node -> (name: String, type: Node)? in
            guard !node.hasError else { return nil }
            switch node.type {
            case "alias_declaration":
                guard let name = node.child(byField: "name"), let type = node.child(byField: "type") else { return nil }
                return (name.text, type)
            case "type_definition":
                guard let name = node.child(byField: "declarator"), name.type == "type_identifier",
                      let type = node.child(byField: "type") else { return nil }
                return (name.text, type)
            default:
                return nil
            }
        }
    }
}
