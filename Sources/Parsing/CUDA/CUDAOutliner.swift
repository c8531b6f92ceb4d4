import SourceModel
import TreeSitterKit

/// Functions, classes, kernels and launches of a CUDA tree, as tree-sitter sees them (no semantics: a launch
/// is the `<<<...>>>` syntax; a kernel is a function definition marked `__global__`).
struct CUDAOutliner {
    var classes: [Entity] = []
    var functions: [Entity] = []
    var kernels: [KernelEntity] = []
    var launches: [LaunchEntity] = []

    init(root: Node, range toRange: (Range<Int>) -> SourceRange, embeddedSource: Int?) {
        struct Item { let node: Node; let scope: [String]; let template: Node? }
        var stack = [Item(node: root, scope: [], template: nil)]
        while let item = stack.popLast() {
            let node = item.node
            switch node.type {
            case "namespace_definition":
                let name = node.child(byField: "name")?.text ?? "(anonymous)"
                if let body = node.child(byField: "body") {
                    stack.append(contentsOf: body.namedChildren.reversed().map { Item(node: $0, scope: item.scope + [name], template: nil) })
                }
            case "template_declaration":
                stack.append(contentsOf: node.namedChildren.reversed().map { Item(node: $0, scope: item.scope, template: node) })
            case "class_specifier", "struct_specifier":
                guard let name = node.child(byField: "name")?.text, let body = node.child(byField: "body") else { continue }
                classes.append(Entity(kind: .class, name: name, qualifiedName: (item.scope + [name]).joined(separator: "::"),
                                      decorators: [], range: toRange((item.template ?? node).byteRange)))
                stack.append(contentsOf: body.namedChildren.reversed().map { Item(node: $0, scope: item.scope + [name], template: nil) })
            case "function_definition":
                guard let name = CUDADeclarations.declaredName(node) else { continue }
                let qualified = (item.scope + [name]).joined(separator: "::")
                let outer = item.template ?? node
                let range = toRange(outer.byteRange)
                functions.append(Entity(kind: item.scope.isEmpty ? .function : .method, name: name,
                                        qualifiedName: qualified, decorators: [], range: range))
                let qualifiers = Set(node.children.map(\.type))
                let kind: KernelEntity.Kind? = qualifiers.contains("__global__") ? .cudaKernel
                    : qualifiers.contains("__device__") ? (qualifiers.contains("__host__") ? .cudaHostDevice : .cudaDevice)
                    : nil
                if let kind {
                    let templateParameters = item.template?.child(byField: "parameters")?.namedChildren
                        .compactMap { CUDAOutliner.templateParameterName($0) } ?? []
                    let parameters = CUDADeclarations.functionDeclarator(node)?.child(byField: "parameters")?.namedChildren
                        .filter { $0.type != "comment" }.compactMap { CUDADeclarations.declaredName($0) } ?? []
                    let bounds = node.namedChildren.first { $0.type == "launch_bounds" }?.namedChildren.map(\.text)
                    kernels.append(KernelEntity(kind: kind, name: name, qualifiedName: qualified, range: range,
                                                file: nil, embeddedSource: embeddedSource,
                                                templateParameters: templateParameters, parameters: parameters,
                                                launchBounds: bounds?.joined(separator: ", "), foundBy: ["tree-sitter"]))
                }
                if let body = node.child(byField: "body") { collectLaunches(in: body, caller: qualified, toRange, embeddedSource) }
            default:
                if ["translation_unit", "linkage_specification", "declaration_list", "preproc_if", "preproc_ifdef",
                    "preproc_else", "preproc_elif"].contains(node.type) {
                    stack.append(contentsOf: node.namedChildren.reversed().map { Item(node: $0, scope: item.scope, template: nil) })
                }
            }
        }
    }

    mutating func collectLaunches(in body: Node, caller: String, _ toRange: (Range<Int>) -> SourceRange,
                                  _ embeddedSource: Int?) {
        for node in body.preorder where node.type == "kernel_call_syntax" {
            guard let call = node.parent, let function = call.child(byField: "function") else { continue }
            let kernel = function.type == "template_function" ? (function.child(byField: "name")?.text ?? function.text) : function.text
            let config = node.namedChildren.filter { $0.type != "comment" }.map(\.text)
            guard config.count >= 2 else { continue }
            launches.append(LaunchEntity(kernel: kernel, resolved: false, caller: caller, grid: config[0], block: config[1],
                                         sharedMemory: config.count > 2 ? config[2] : nil,
                                         stream: config.count > 3 ? config[3] : nil,
                                         range: toRange(call.byteRange), file: nil, embeddedSource: embeddedSource))
        }
    }

    static func templateParameterName(_ node: Node) -> String? {
        if let name = node.child(byField: "name") { return name.text }
        if let declarator = CUDADeclarations.declaredName(node) { return declarator }
        return node.namedChildren.last { $0.type == "type_identifier" || $0.type == "identifier" }?.text
    }
}
