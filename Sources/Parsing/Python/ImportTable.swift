import TreeSitterKit

/// The names a Python module binds by importing, so `F.relu` can be read as `torch.nn.functional.relu`.
///
/// Imports anywhere in the file count (training scripts import inside functions too); a later import of the
/// same name wins, as it would at run time for module-level code.
public struct ImportTable: Sendable, Equatable {
    /// Local name -> fully qualified dotted path.
    public private(set) var bindings: [String: String] = [:]
    /// Each function's byte range and parameter names: a parameter hides an import of the same name.
    public private(set) var parameterScopes: [ParameterScope] = []

    public struct ParameterScope: Sendable, Equatable {
        public var range: Range<Int>
        public var names: [String]
    }

    public init() {}

    public init(root: Node) {
        // Compare symbol ids, not type names: this walk visits every node of the file.
        // Imports are statements: descend only through statements and blocks, and compare symbol ids.
        let language = root.tree.language
        let importSymbol = language.symbol(named: "import_statement")
        let fromSymbol = language.symbol(named: "import_from_statement")
        let functionSymbol = language.symbol(named: "function_definition")
        let containers = Set(Self.statementContainers.compactMap { language.symbol(named: $0) })
        var stack = [root]
        while let node = stack.popLast() {
            let symbol = node.symbol
            if symbol == importSymbol {
                addImport(node)
            } else if symbol == fromSymbol {
                addFromImport(node)
            } else if containers.contains(symbol) || node.isError {
                if symbol == functionSymbol { addParameters(node) }
                stack.append(contentsOf: node.namedChildren.reversed())
            }
        }
    }

    /// Node types that hold statements (imports can sit inside any of them).
    static let statementContainers = [
        "module", "block", "if_statement", "elif_clause", "else_clause", "for_statement", "while_statement",
        "try_statement", "except_clause", "finally_clause", "with_statement", "function_definition",
        "class_definition", "decorated_definition", "match_statement", "case_clause",
    ]

    public mutating func bind(_ name: String, to path: String) { bindings[name] = path }

    private mutating func addParameters(_ function: Node) {
        guard let parameters = function.child(byField: "parameters") else { return }
        let names: [String] = parameters.namedChildren.compactMap { parameter in
            if parameter.type == "identifier" { return parameter.text }
            return (parameter.child(byField: "name") ?? parameter.namedChildren.first { $0.type == "identifier" })?.text
        }
        if !names.isEmpty { parameterScopes.append(ParameterScope(range: function.byteRange, names: names)) }
    }

    private mutating func addImport(_ node: Node) {
        for child in node.namedChildren {
            switch child.type {
            case "dotted_name":
                // `import torch.nn` binds `torch`; resolving `torch.nn.x` then needs no entry.
                let full = child.text
                let head = String(full.split(separator: ".").first ?? Substring(full))
                bindings[head] = head
            case "aliased_import":
                if let name = child.child(byField: "name"), let alias = child.child(byField: "alias") {
                    bindings[alias.text] = name.text
                }
            default: continue
            }
        }
    }

    private mutating func addFromImport(_ node: Node) {
        guard let module = node.child(byField: "module_name") else { return }
        let prefix = module.text
        // Every imported name is a named child after the module (`ts_node_field_name_for_child` is unreliable in
        // tree-sitter 0.20: it reports only the first `name` field, so `from torch import Tensor, nn` lost `nn`).
        for child in node.namedChildren where child.byteRange != module.byteRange {
            switch child.type {
            case "dotted_name":
                bindings[child.text] = "\(prefix).\(child.text)"
            case "aliased_import":
                if let name = child.child(byField: "name"), let alias = child.child(byField: "alias") {
                    bindings[alias.text] = "\(prefix).\(name.text)"
                }
            default: continue
            }
        }
    }

    /// Whether `node` names the dotted path `qualified` after resolving import aliases: the same answer as
    /// `qualifiedName(of: node) == qualified`, but a name whose last part differs is rejected without building
    /// its path (the question is asked of every callee in a file).
    public func resolves(_ node: Node, to qualified: String) -> Bool {
        if node.type == "attribute" {
            let dot = qualified.utf8.lastIndex(of: UInt8(ascii: "."))
            let last = dot.map { qualified[qualified.index(after: $0)...] } ?? qualified[...]
            guard let attribute = node.child(byField: "attribute"), attribute.hasText(last) else { return false }
        }
        return qualifiedName(of: node) == qualified
    }

    /// The dotted path an expression names after resolving import aliases, or nil when it is not a name.
    /// `F.relu` -> `torch.nn.functional.relu`; `x.relu` -> `x.relu` (an unknown head stays as written).
    public func qualifiedName(of node: Node) -> String? {
        var parts: [String] = []
        var current = node
        while true {
            switch current.type {
            case "identifier":
                let head = bindings[current.text] ?? current.text
                return ([head] + parts.reversed()).joined(separator: ".")
            case "attribute":
                guard let attribute = current.child(byField: "attribute"),
                      let object = current.child(byField: "object") else { return nil }
                parts.append(attribute.text)
                current = object
            default:
                return nil
            }
        }
    }
}
