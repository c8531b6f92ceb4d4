import TreeSitterKit

/// Names in C++/CUDA declarator chains (tree-sitter-cuda), shared by the outliner and the readers of embedded sources.
public enum CUDADeclarations {
    /// The function declarator below a definition's declarator chain (through pointers and references).
    public static func functionDeclarator(_ node: Node) -> Node? {
        var current = node.child(byField: "declarator")
        while let c = current, c.type != "function_declarator" { current = c.child(byField: "declarator") ?? c.namedChild(0) }
        return current
    }

    /// The name a declaration or definition declares.
    public static func declaredName(_ node: Node) -> String? {
        var current = node.child(byField: "declarator")
        while let c = current {
            switch c.type {
            case "identifier", "field_identifier", "qualified_identifier", "destructor_name", "operator_name":
                return c.text
            default:
                current = c.child(byField: "declarator") ?? c.namedChildren.first { $0.type != "parameter_list" }
            }
        }
        return nil
    }
}
