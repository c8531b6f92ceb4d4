import Parsing
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// A function of the CUDA sources a Python file compiles at run time (`load_inline(cuda_sources=...)`).
public struct EmbeddedFunction {
    public let node: Node
    public let name: String
    public let parameters: [String]
    /// Marked `__global__`: launched with `<<<...>>>`.
    public let isKernel: Bool
}

/// A kernel that a Python call of a compiled extension runs: `_ext.softcap_fwd(x, cap)` calls the host function
/// `softcap_fwd(torch::Tensor x, double cap)` of the embedded source, which launches `softcap_kernel<<<...>>>(...)`.
public struct ExtensionLaunch {
    /// The Python call.
    public let call: CallSite
    /// The host function the call runs.
    public let host: EmbeddedFunction
    public let kernel: EmbeddedFunction
    /// The argument the launch passes for each kernel parameter (a CUDA expression of the host function).
    public let launchArguments: [String: Node]
    /// The argument the Python call passes for each host parameter (pybind functions take them by position).
    public let pythonArguments: [String: Node]
}

/// Python calls of functions compiled from CUDA held in the file's strings, bound to the kernels they launch, so that
/// what a kernel computes can be read with the values the Python side passes (a cap, an epsilon, a scale).
extension PythonFacts {
    /// The functions of the file's embedded CUDA sources, by name (the sources parsed once).
    public var embeddedFunctions: [String: [EmbeddedFunction]] {
        memoized("embeddedFunctions") { () -> [String: [EmbeddedFunction]] in
            var extractor = EmbeddedCUDAExtractor(root: root, imports: imports)
            var result: [String: [EmbeddedFunction]] = [:]
            for source in extractor.extract() {
                guard let tree = try? Parser(language: .cuda).parse(bytes: source.source.bytes) else { continue }
                for node in tree.rootNode.preorder where node.type == "function_definition" {
                    guard let name = CUDADeclarations.declaredName(node), let declarator = CUDADeclarations.functionDeclarator(node) else { continue }
                    let parameters = (declarator.child(byField: "parameters")?.namedChildren ?? [])
                        .filter { $0.type == "parameter_declaration" }.compactMap(CUDADeclarations.declaredName)
                    let head = String(decoding: source.source.bytes[node.startByte..<(node.child(byField: "body")?.startByte ?? node.endByte)], as: UTF8.self)
                    result[name, default: []].append(EmbeddedFunction(node: node, name: name, parameters: parameters, isKernel: head.contains("__global__")))
                }
            }
            return result
        }
    }

    /// Names the file binds to a compiled extension (`_ext = load_inline(...)`, also `torch.utils.cpp_extension.load`).
    var extensionModuleNames: Set<String> {
        memoized("extensionModuleNames") {
            let loaders: Set<String> = ["torch.utils.cpp_extension.load_inline", "torch.utils.cpp_extension.load"]
            // Functions of the file that build the extension and return it (`def build_extension(): return load_inline(...)`).
            let builders = Set(functions.filter { f in
                returnedValues(f).contains { v in unwrapped(v).type == "call" && loaders.contains(callSite(unwrapped(v)).callee) }
            }.map(\.name))
            func builds(_ value: Node) -> Bool {
                let v = unwrapped(value)
                guard v.type == "call" else { return false }
                let call = callSite(v)
                return loaders.contains(call.callee) || (call.receiver == nil && builders.contains(call.name))
            }
            var names = Set(nodes(ofType: "assignment").compactMap { assignment -> String? in
                guard let left = assignment.child(byField: "left"), left.type == "identifier",
                      let right = assignment.child(byField: "right"), builds(right) else { return nil }
                return left.text
            })
            // A parameter a call of a function of the file fills with the built extension (`make_fused_ops(build_extension())`,
            // `make_fused_ops(ext)`): inside, `ext.fn(...)` calls the extension.
            guard !names.isEmpty || !builders.isEmpty else { return names }
            for call in calls where call.receiver == nil && !call.hasSplat {
                guard let function = function(named: call.name).first else { continue }
                for (index, parameter) in function.parameters.enumerated() {
                    guard let argument = call.argument(parameter, position: index) else { continue }
                    let a = unwrapped(argument)
                    if builds(a) || (a.type == "identifier" && names.contains(a.text)) { names.insert(parameter) }
                }
            }
            return names
        }
    }

    /// The kernels a Python call runs when it calls a function of a compiled extension (`_ext.fn(...)`), each bound to
    /// the arguments of the launch in the host function and of the Python call. Empty for any other call.
    public func extensionLaunches(_ call: CallSite) -> [ExtensionLaunch] {
        guard let receiver = call.receiver.map(unwrapped), receiver.type == "identifier", extensionModuleNames.contains(receiver.text),
              let hosts = embeddedFunctions[call.name] else { return [] }
        var launches: [ExtensionLaunch] = []
        for host in hosts where !host.isKernel {
            var python: [String: Node] = [:]
            for (index, parameter) in host.parameters.enumerated() where index < call.positional.count { python[parameter] = call.positional[index] }
            for launch in host.node.preorder where launch.type == "kernel_call_syntax" {
                guard let expression = launch.parent, let function = expression.child(byField: "function") else { continue }
                let name = function.type == "template_function" ? (function.child(byField: "name")?.text ?? function.text) : function.text
                guard let kernel = embeddedFunctions[name]?.first(where: \.isKernel) else { continue }
                let arguments = expression.child(byField: "arguments")?.namedChildren.filter { $0.type != "comment" } ?? []
                var bound: [String: Node] = [:]
                for (index, parameter) in kernel.parameters.enumerated() where index < arguments.count { bound[parameter] = arguments[index] }
                launches.append(ExtensionLaunch(call: call, host: host, kernel: kernel, launchArguments: bound, pythonArguments: python))
            }
        }
        return launches
    }

    /// The number a CUDA expression of a launched kernel has: literals (`1.f`, `0.5`), arithmetic, casts, locals of the
    /// kernel (`const float t = ...`), and kernel parameters followed to the launch's argument in the host function and
    /// from a host parameter to what the Python call passes (resolved there, see `value(of:)`). Nil when unknown.
    public func cudaValue(_ node: Node, in launch: ExtensionLaunch, inHost: Bool = false, depth: Int = 0) -> Double? {
        guard depth < 12 else { return nil }
        let n = Self.cudaStripped(node)
        switch n.type {
        case "number_literal":
            var text = n.text.lowercased()
            while let last = text.last, ["f", "l", "u"].contains(last) { text.removeLast() }
            return Double(text)
        case "unary_expression":
            guard n.child(byField: "operator")?.type == "-", let inner = n.child(byField: "argument") else { return nil }
            return cudaValue(inner, in: launch, inHost: inHost, depth: depth + 1).map { -$0 }
        case "binary_expression":
            guard let l = n.child(byField: "left"), let r = n.child(byField: "right"), let op = n.child(byField: "operator")?.type,
                  let a = cudaValue(l, in: launch, inHost: inHost, depth: depth + 1),
                  let b = cudaValue(r, in: launch, inHost: inHost, depth: depth + 1) else { return nil }
            switch op {
            case "+": return a + b
            case "-": return a - b
            case "*": return a * b
            case "/": return b == 0 ? nil : a / b
            default: return nil
            }
        case "identifier":
            if inHost {
                if let passed = launch.pythonArguments[n.text] { return value(of: passed)?.double }
                // A local of the host function (`const float ic = static_cast<float>(1.0 / cap);`).
                guard let local = Self.cudaLocalValue(n, in: launch.host.node) else { return nil }
                return cudaValue(local, in: launch, inHost: true, depth: depth + 1)
            }
            if let argument = launch.launchArguments[n.text] { return cudaValue(argument, in: launch, inHost: true, depth: depth + 1) }
            guard let local = Self.cudaLocalValue(n, in: inHost ? launch.host.node : launch.kernel.node) else { return nil }
            return cudaValue(local, in: launch, inHost: inHost, depth: depth + 1)
        default:
            return nil
        }
    }

    /// A CUDA expression without parentheses and value-preserving casts (`(float)x`, `static_cast<float>(x)`).
    static func cudaStripped(_ node: Node) -> Node {
        var n = node
        while true {
            if n.type == "parenthesized_expression", let inner = n.namedChildren.first { n = inner; continue }
            if n.type == "cast_expression", let value = n.child(byField: "value") { n = value; continue }
            if n.type == "call_expression", let function = n.child(byField: "function"), function.type == "template_function",
               ["static_cast", "float", "double"].contains(function.child(byField: "name")?.text ?? ""),
               let argument = n.child(byField: "arguments")?.namedChildren.first {
                n = argument
                continue
            }
            return n
        }
    }

    /// The value a CUDA local is declared with (`const float u = ...;`) before its use, inside `scope`.
    static func cudaLocalValue(_ name: Node, in scope: Node) -> Node? {
        cudaLocalValue(name.text, in: scope, before: name)
    }

    /// The value the local `name` is last declared with before `use`, inside `scope` (`auto src = w.contiguous();`).
    static func cudaLocalValue(_ name: String, in scope: Node, before use: Node) -> Node? {
        var found: Node?
        for declaration in scope.preorder where declaration.type == "init_declarator" && declaration.startByte < use.startByte {
            if declaration.child(byField: "declarator")?.text == name { found = declaration.child(byField: "value") }
        }
        return found
    }
}
