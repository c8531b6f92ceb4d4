import TreeSitterKit

/// The names a Python module binds by importing, so `F.relu` can be read as `torch.nn.functional.relu`.
///
/// Imports anywhere in the file count (training scripts import inside functions too); a later import of the
/// same name wins, as it would at run time for module-level code.
public struct ImportTable: Sendable, Equatable {
    /// Local name -> fully qualified dotted path.
    public private(set) var bindings: [String: String] = [:]

    public init() {}

    public init(root: Node) {
        for node in root.preorder {
            switch node.type {
            case "import_statement": addImport(node)
            case "import_from_statement": addFromImport(node)
            default: continue
            }
        }
    }

    public mutating func bind(_ name: String, to path: String) { bindings[name] = path }

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
        for index in 0..<node.childCount where node.fieldName(forChild: index) == "name" {
            guard let child = node.child(index) else { continue }
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
