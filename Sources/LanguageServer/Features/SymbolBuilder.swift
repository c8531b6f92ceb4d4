import TreeSitterKit

/// Document symbols: classes, functions and methods of a Python file; functions (kernels among them) of a CUDA
/// file, nested as they are in the source.
enum SymbolBuilder {
    static func symbols(_ document: OpenDocument, encoding: PositionEncoding) -> [DocumentSymbol] {
        guard let root = document.tree?.rootNode else { return [] }
        return children(of: root, document: document, encoding: encoding, insideClass: false)
    }

    /// Symbols among the descendants of `node`, without descending into a symbol (its own children are nested).
    private static func children(of node: Node, document: OpenDocument, encoding: PositionEncoding, insideClass: Bool) -> [DocumentSymbol] {
        var result: [DocumentSymbol] = []
        var stack = Array(node.namedChildren.reversed())
        while let n = stack.popLast() {
            if let symbol = symbol(n, document: document, encoding: encoding, insideClass: insideClass) {
                result.append(symbol)
            } else {
                stack.append(contentsOf: n.namedChildren.reversed())
            }
        }
        return result
    }

    private static func symbol(_ node: Node, document: OpenDocument, encoding: PositionEncoding, insideClass: Bool) -> DocumentSymbol? {
        let kind: DocumentSymbol.Kind
        var nameNode: Node?
        switch node.type {
        case "class_definition", "class_specifier", "struct_specifier":
            kind = .class
            nameNode = node.child(byField: "name")
        case "function_definition":
            kind = insideClass ? .method : .function
            nameNode = node.child(byField: "name") ?? functionName(node)
        default:
            return nil
        }
        guard let nameNode else { return nil }
        let body = node.child(byField: "body")
        let nested = body.map { children(of: $0, document: document, encoding: encoding, insideClass: kind == .class) } ?? []
        return DocumentSymbol(name: nameNode.text, detail: document.language == .cuda ? cudaDetail(node) : nil, kind: kind,
                              range: encoding.range(node.byteRange, in: document.lines),
                              selectionRange: encoding.range(nameNode.byteRange, in: document.lines), children: nested)
    }

    /// The name of a C/CUDA function: the identifier inside its declarator.
    static func functionName(_ node: Node) -> Node? {
        var current = node.child(byField: "declarator")
        while let c = current {
            if c.type == "identifier" || c.type == "field_identifier" { return c }
            current = c.child(byField: "declarator")
        }
        return nil
    }

    private static func cudaDetail(_ node: Node) -> String? {
        let head = node.text.prefix(200)
        return head.contains("__global__") ? "kernel" : nil
    }
}
