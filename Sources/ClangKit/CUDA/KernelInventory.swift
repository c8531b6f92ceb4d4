import CClang
import Foundation

/// What a CUDA translation unit contains, as libclang understands it: GPU functions, kernel launches,
/// `__shared__` memory, warp-level and cooperative-groups calls, and the diagnostics that remain.
public struct KernelInventory: Sendable, Equatable {
    public var functions: [GPUFunction] = []
    public var launches: [KernelLaunch] = []
    public var sharedDeclarations: [SharedDeclaration] = []
    public var intrinsicCalls: [IntrinsicCall] = []
    public var diagnostics: [Diagnostic] = []
    /// Per function (qualified name): every function it calls, as clang resolved them (through macros,
    /// templates and typedefs), in order of appearance.
    public var calls: [String: [String]] = [:]
    /// Per function: the canonical types of its parameters and local variables (typedefs and templates seen
    /// through: `half2` reads `__half2`, a `using T = float4` local reads `float4`).
    public var types: [String: [String]] = [:]

    public var kernels: [GPUFunction] { functions.filter { $0.role == .kernel } }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity >= .error } }
}

/// A `__global__` kernel or a `__device__` function.
public struct GPUFunction: Sendable, Equatable {
    public enum Role: String, Sendable, Codable { case kernel, device, hostDevice = "host_device" }
    public var name: String
    public var qualifiedName: String
    public var role: Role
    public var templateParameters: [String]
    public var parameters: [Parameter]
    /// Arguments of `__launch_bounds__`, when given, each as its tokens spell it.
    public var launchBoundsArguments: [String]?
    public var span: SourceSpan

    public struct Parameter: Sendable, Equatable, Codable {
        public var name: String
        public var type: String
    }
    public var isTemplate: Bool { !templateParameters.isEmpty }
    /// The arguments of `__launch_bounds__` as one list (`256, 2`).
    public var launchBounds: String? { launchBoundsArguments?.joined(separator: ", ") }
}

/// A `kernel<<<grid, block, sharedMemory, stream>>>(args)` launch.
public struct KernelLaunch: Sendable, Equatable {
    /// The launched kernel's name (qualified when resolved).
    public var kernel: String
    /// True when libclang resolved the call to a `__global__` declaration; false when only the syntax said so
    /// (e.g. a dependent call inside a template).
    public var resolved: Bool
    /// The function containing the launch.
    public var caller: String?
    public var grid: String
    public var block: String
    public var sharedMemory: String?
    public var stream: String?
    public var arguments: [String]
    public var span: SourceSpan
}

/// A `__shared__` variable; `isDynamic` for `extern __shared__` arrays sized at launch.
public struct SharedDeclaration: Sendable, Equatable {
    public var name: String
    public var type: String
    public var isDynamic: Bool
    public var function: String?
    public var span: SourceSpan
}

/// A call of a warp-level primitive (`__shfl_down_sync`, ...) or of the cooperative-groups API.
public struct IntrinsicCall: Sendable, Equatable {
    public enum Category: String, Sendable, Codable { case warp, cooperativeGroups = "cooperative_groups" }
    public var category: Category
    public var name: String
    public var function: String?
    public var span: SourceSpan
}

extension KernelInventory {
    /// Warp-level primitives recognised by name (they are declared by the shim prelude or the real SDK).
    public static let warpPrimitives: Set<String> = [
        "__shfl_sync", "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync", "__shfl", "__shfl_up",
        "__shfl_down", "__shfl_xor", "__ballot_sync", "__all_sync", "__any_sync", "__activemask", "__syncwarp",
        "__match_any_sync", "__match_all_sync", "__reduce_add_sync", "__reduce_min_sync", "__reduce_max_sync",
        "__reduce_and_sync", "__reduce_or_sync", "__reduce_xor_sync",
    ]

    /// Builds the inventory of `unit`. `source` returns a file's bytes so launch parameters keep their spelling.
    public init(unit: TranslationUnit, source: @escaping (String) -> [UInt8]?) {
        var collector = Collector(unit: unit, source: source)
        collector.run()
        self = collector.inventory
        diagnostics = unit.diagnostics.filter { !CUDAShim.isShimPath($0.location.file) || $0.severity >= .error }
    }
}

private struct Collector {
    let unit: TranslationUnit
    let source: (String) -> [UInt8]?
    var inventory = KernelInventory()
    var fileCache: [String: [UInt8]] = [:]

    init(unit: TranslationUnit, source: @escaping (String) -> [UInt8]?) {
        self.unit = unit
        self.source = source
    }

    static let functionKinds: Set<UInt32> = [CXCursor_FunctionDecl.rawValue, CXCursor_FunctionTemplate.rawValue,
                                             CXCursor_CXXMethod.rawValue]

    mutating func run() {
        walk()
        // A launch clang left unresolved still names a kernel this unit defines: link it by name.
        let kernelNames = Set(inventory.kernels.flatMap { [$0.name, $0.qualifiedName] })
        for i in inventory.launches.indices where !inventory.launches[i].resolved {
            inventory.launches[i].resolved = kernelNames.contains(inventory.launches[i].kernel)
        }
    }

    mutating func walk() {
        // Explicit stack of (cursor, enclosing function name): ASTs of generated code can be deep.
        var stack: [(Cursor, String?)] = unit.cursor.children.reversed().map { ($0, nil) }
        while let (cursor, enclosing) = stack.popLast() {
            let file = cursor.location.file
            if CUDAShim.isShimPath(file) || cursor.isInSystemHeader { continue }
            var inner = enclosing
            let kind = cursor.kind
            if Collector.functionKinds.contains(kind.rawValue) {
                inner = cursor.qualifiedName
                if cursor.isDefinition, let function = gpuFunction(cursor) { inventory.functions.append(function) }
            } else if kind == CXCursor_VarDecl, cursor.hasAttribute(CXCursor_CUDASharedAttr) {
                inventory.sharedDeclarations.append(sharedDeclaration(cursor, function: enclosing))
                if let enclosing { inventory.types[enclosing, default: []].append(cursor.canonicalTypeSpelling) }
            } else if kind == CXCursor_CallExpr {
                classifyCall(cursor, enclosing: enclosing)
                if let enclosing {
                    let callee = cursor.referenced.map { ($0.specializedTemplate ?? $0).qualifiedName } ?? cursor.spelling
                    if !callee.isEmpty { inventory.calls[enclosing, default: []].append(callee) }
                }
            } else if (kind == CXCursor_VarDecl || kind == CXCursor_ParmDecl), let enclosing {
                inventory.types[enclosing, default: []].append(cursor.canonicalTypeSpelling)
            }
            for child in cursor.children.reversed() { stack.append((child, inner)) }
        }
    }

    func gpuFunction(_ cursor: Cursor) -> GPUFunction? {
        let children = cursor.children
        let kinds = Set(children.map(\.kind.rawValue))
        let role: GPUFunction.Role
        if kinds.contains(CXCursor_CUDAGlobalAttr.rawValue) {
            role = .kernel
        } else if kinds.contains(CXCursor_CUDADeviceAttr.rawValue) {
            role = kinds.contains(CXCursor_CUDAHostAttr.rawValue) ? .hostDevice : .device
        } else {
            return nil
        }
        let templateParameters = children
            .filter { [CXCursor_TemplateTypeParameter, CXCursor_NonTypeTemplateParameter,
                       CXCursor_TemplateTemplateParameter].contains($0.kind) }
            .map(\.spelling)
        let parameters = children.filter { $0.kind == CXCursor_ParmDecl }
            .map { GPUFunction.Parameter(name: $0.spelling, type: $0.typeSpelling) }
        return GPUFunction(name: cursor.spelling, qualifiedName: cursor.qualifiedName, role: role,
                           templateParameters: templateParameters, parameters: parameters,
                           launchBoundsArguments: launchBoundsArguments(cursor), span: cursor.extent)
    }

    /// `__launch_bounds__` arguments, read from the tokens between the attribute's parentheses.
    /// PyTorch's macros (`C10_LAUNCH_BOUNDS_1(256)`, `C10_LAUNCH_BOUNDS_2(256, 4)`) count as the attribute they
    /// stand for (the shim defines them that way); `C10_LAUNCH_BOUNDS_0` is 1024 threads.
    /// The arguments of the attribute, split at the commas outside parentheses, brackets and braces.
    /// ATen's `C10_LAUNCH_BOUNDS_0` asks for 1024 threads.
    func launchBoundsArguments(_ cursor: Cursor) -> [String]? {
        let tokens = unit.tokens(in: cursor)
        if tokens.contains(where: { $0.spelling == "C10_LAUNCH_BOUNDS_0" }) { return ["1024"] }
        guard let at = tokens.firstIndex(where: { ["__launch_bounds__", "launch_bounds", "C10_LAUNCH_BOUNDS_1", "C10_LAUNCH_BOUNDS_2"].contains($0.spelling) }),
              at + 1 < tokens.count, tokens[at + 1].spelling == "(" else { return nil }
        var depth = 0
        var arguments: [[String]] = [[]]
        for token in tokens[(at + 1)...] {
            switch token.spelling {
            case "(", "[", "{":
                depth += 1
                if depth == 1 { continue }
            case ")", "]", "}":
                depth -= 1
                if depth == 0 { return arguments.filter { !$0.isEmpty }.map { $0.joined(separator: " ") } }
            case "," where depth == 1:
                arguments.append([])
                continue
            default: break
            }
            arguments[arguments.count - 1].append(token.spelling)
        }
        return nil
    }

    func sharedDeclaration(_ cursor: Cursor, function: String?) -> SharedDeclaration {
        let tokens = unit.tokens(in: cursor)
        let isExtern = tokens.prefix(while: { $0.spelling != cursor.spelling }).contains { $0.spelling == "extern" }
            || cursor.typeSpelling.hasSuffix("[]")
        return SharedDeclaration(name: cursor.spelling, type: cursor.typeSpelling, isDynamic: isExtern,
                                 function: function, span: cursor.extent)
    }

    mutating func classifyCall(_ call: Cursor, enclosing: String?) {
        let referenced = call.referenced
        let declaration = referenced.map { $0.specializedTemplate ?? $0 }
        if let declaration, declaration.hasAttribute(CXCursor_CUDAGlobalAttr) {
            if let launch = launch(call, kernel: declaration, enclosing: enclosing) {
                inventory.launches.append(launch)
                return
            }
        } else if declaration.map({ !CUDAShim.isShimPath($0.location.file) }) ?? true, isLaunchSyntax(call),
                  let launch = launch(call, kernel: nil, enclosing: enclosing) {
            // A launch clang could not resolve, e.g. `kernel<T><<<...>>>` inside a template.
            inventory.launches.append(launch)
            return
        }
        let name = call.spelling
        if let declaration, declaration.qualifiedName.hasPrefix("cooperative_groups::") {
            inventory.intrinsicCalls.append(IntrinsicCall(category: .cooperativeGroups,
                                                          name: declaration.qualifiedName, function: enclosing,
                                                          span: call.extent))
        } else if KernelInventory.warpPrimitives.contains(name) {
            inventory.intrinsicCalls.append(IntrinsicCall(category: .warp, name: name, function: enclosing,
                                                          span: call.extent))
        }
    }

    /// The call's own tokens spell a callee and then `<<<` before any argument list.
    func isLaunchSyntax(_ call: Cursor) -> Bool {
        for (i, token) in unit.tokens(in: call).enumerated() {
            if token.spelling == "<<<" { return i > 0 }
            if token.spelling == "(" { return false }
        }
        return false
    }

    /// The callee as written before `<<<`, without template arguments: `ns::kernel<T>` gives `ns::kernel`.
    func calleeName(_ tokens: ArraySlice<Token>) -> String {
        var name = ""
        var depth = 0
        for token in tokens {
            switch token.spelling {
            case "<": depth += 1
            case ">": depth -= 1
            case ">>": depth -= 2
            default: if depth == 0 { name += token.spelling }
            }
        }
        return name
    }

    mutating func launch(_ call: Cursor, kernel: Cursor?, enclosing: String?) -> KernelLaunch? {
        let tokens = unit.tokens(in: call)
        guard let open = tokens.firstIndex(where: { $0.spelling == "<<<" }) else { return nil }
        let calleeName = kernel?.qualifiedName ?? calleeName(tokens[..<open])
        var configuration: [[Token]] = [[]]
        var depth = 0
        var close = open
        for (i, token) in tokens.enumerated().dropFirst(open + 1) {
            if token.spelling == ">>>" && depth == 0 { close = i; break }
            if ["(", "[", "{"].contains(token.spelling) { depth += 1 }
            if [")", "]", "}"].contains(token.spelling) { depth -= 1 }
            if token.spelling == "," && depth == 0 { configuration.append([]) } else { configuration[configuration.count - 1].append(token) }
        }
        guard close > open, configuration.count >= 2 else { return nil }
        let arguments = call.arguments.map { text(of: $0.extent) }
        var parameters: [String] = []
        for group in configuration { parameters.append(text(of: group)) }
        return KernelLaunch(kernel: calleeName, resolved: kernel != nil, caller: enclosing,
                            grid: parameters[0], block: parameters[1],
                            sharedMemory: parameters.count > 2 ? parameters[2] : nil,
                            stream: parameters.count > 3 ? parameters[3] : nil,
                            arguments: arguments, span: call.extent)
    }

    mutating func text(of tokens: [Token]) -> String {
        guard let first = tokens.first, let last = tokens.last else { return "" }
        let span = SourceSpan(file: first.extent.file, startOffset: first.extent.startOffset,
                              endOffset: last.extent.endOffset, startLine: first.extent.startLine,
                              startColumn: first.extent.startColumn, endLine: last.extent.endLine,
                              endColumn: last.extent.endColumn)
        let sliced = text(of: span)
        return sliced.isEmpty ? tokens.map(\.spelling).joined(separator: " ") : sliced
    }

    mutating func text(of span: SourceSpan) -> String {
        if fileCache[span.file] == nil { fileCache[span.file] = source(span.file) ?? [] }
        let bytes = fileCache[span.file]!
        guard span.startOffset <= span.endOffset, span.endOffset <= bytes.count else { return "" }
        return String(decoding: bytes[span.startOffset..<span.endOffset], as: UTF8.self)
    }
}
