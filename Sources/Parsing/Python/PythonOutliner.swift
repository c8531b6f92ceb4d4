import SourceModel
import TreeSitterKit

/// Classes, functions, methods and `@triton.jit` kernels of a Python tree, with qualified names.
struct PythonOutliner {
    var classes: [Entity] = []
    var functions: [Entity] = []
    var kernels: [KernelEntity] = []

    /// Decorators that make a function a Triton GPU kernel, after import aliases are resolved.
    static let tritonDecorators: Set<String> = ["triton.jit", "triton.language.jit", "triton.autotune",
                                                "triton.heuristics"]

    init(root: Node, imports: ImportTable, lines: LineIndex) {
        struct Item { let node: Node; let scope: [String]; let inClass: Bool; let decorators: [Node] }
        var stack = [Item(node: root, scope: [], inClass: false, decorators: [])]
        while let item = stack.popLast() {
            let node = item.node
            switch node.type {
            case "class_definition":
                guard let name = node.child(byField: "name")?.text else { continue }
                let qualified = (item.scope + [name]).joined(separator: ".")
                classes.append(Entity(kind: .class, name: name, qualifiedName: qualified,
                                      decorators: item.decorators.map(\.text), range: lines.range(node.byteRange)))
                if let body = node.child(byField: "body") {
                    stack.append(contentsOf: body.namedChildren.reversed().map {
                        Item(node: $0, scope: item.scope + [name], inClass: true, decorators: [])
                    })
                }
            case "function_definition":
                guard let name = node.child(byField: "name")?.text else { continue }
                let qualified = (item.scope + [name]).joined(separator: ".")
                let decoratorNames = item.decorators.map { PythonOutliner.decoratorName($0, imports) }
                let range = lines.range(node.byteRange)
                functions.append(Entity(kind: item.inClass ? .method : .function, name: name,
                                        qualifiedName: qualified, decorators: decoratorNames, range: range))
                if decoratorNames.contains(where: PythonOutliner.tritonDecorators.contains) {
                    let parameters = node.child(byField: "parameters")?.namedChildren
                        .filter { $0.type != "comment" }.map(PythonOutliner.parameterName) ?? []
                    kernels.append(KernelEntity(kind: .tritonKernel, name: name, qualifiedName: qualified, range: range,
                                                file: nil, embeddedSource: nil, templateParameters: [],
                                                parameters: parameters, launchBounds: nil, foundBy: ["tree-sitter"]))
                }
                if let body = node.child(byField: "body") {
                    stack.append(contentsOf: body.namedChildren.reversed().map {
                        Item(node: $0, scope: item.scope + [name], inClass: false, decorators: [])
                    })
                }
            case "decorated_definition":
                let decorators = node.namedChildren.filter { $0.type == "decorator" }
                if let definition = node.child(byField: "definition") {
                    stack.append(Item(node: definition, scope: item.scope, inClass: item.inClass, decorators: decorators))
                }
            default:
                // Definitions can sit inside `if`, `try`, `with` blocks: keep looking, but not inside expressions.
                guard node.type == "module" || node.type.hasSuffix("_statement") || node.type.hasSuffix("_clause")
                        || node.type == "block" else { continue }
                stack.append(contentsOf: node.namedChildren.reversed().map {
                    Item(node: $0, scope: item.scope, inClass: item.inClass, decorators: [])
                })
            }
        }
    }

    /// `@triton.jit`, `@triton.jit(...)` and `@jit` (imported from triton) all give `triton.jit`.
    static func decoratorName(_ decorator: Node, _ imports: ImportTable) -> String {
        guard var expression = decorator.namedChild(0) else { return decorator.text }
        if expression.type == "call", let function = expression.child(byField: "function") { expression = function }
        return imports.qualifiedName(of: expression) ?? expression.text
    }

    static func parameterName(_ parameter: Node) -> String {
        switch parameter.type {
        case "identifier": return parameter.text
        default:
            if let name = parameter.child(byField: "name") { return name.text }
            return parameter.namedChild(0)?.text ?? parameter.text
        }
    }
}
