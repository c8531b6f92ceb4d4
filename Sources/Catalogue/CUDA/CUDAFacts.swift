import ClangKit
import Foundation
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// What CUDA technique detectors know about one CUDA source (a `.cu`/`.cuh` file, or CUDA held in a Python
/// string): the tree-sitter tree for structure (loops, pragmas, expressions) and libclang's inventory for
/// semantics (which function a call reaches through macros and templates, canonical types behind typedefs,
/// which launch starts which kernel). Computed on first use; one thread per instance.
public final class CUDAFacts {
    public let file: SourceFile
    public let tree: Tree
    /// Calls of macros that stand for `__launch_bounds__`, blanked in `tree` (see `AttributeMacros`).
    let attributeMacros: AttributeMacros
    /// libclang's inventory, nil when libclang could not parse the source at all.
    public let inventory: KernelInventory?
    /// Maps a byte range of `file` to the range reported in evidence (identity for files; into the Python file
    /// for embedded sources).
    let reportRange: (Range<Int>) -> SourceRange
    let reportPath: String

    public init(file: SourceFile, reportPath: String? = nil, reportRange: ((Range<Int>) -> SourceRange)? = nil) throws {
        self.file = file
        let parsed = try Parser(language: .cuda).parse(bytes: file.bytes)
        let attributeMacros = AttributeMacros(parsed)
        self.attributeMacros = attributeMacros
        // Calls of macros standing for `__launch_bounds__` split a kernel's declaration for tree-sitter, and
        // `__align__(n)` breaks the declaration it is in: parsed again without them.
        tree = attributeMacros.isEmpty ? parsed : try Parser(language: .cuda).parse(bytes: attributeMacros.rewritten(file.bytes))
        let clangPath = file.path.hasSuffix(".cu") || file.path.hasSuffix(".cuh") ? file.path : file.path + ".cu"
        if let unit = try? TranslationUnit(path: clangPath, arguments: CUDAShim.arguments,
                                           unsavedFiles: CUDAShim.unsavedFiles + [.init(path: clangPath, contents: file.text)]) {
            let bytes = file.bytes
            inventory = KernelInventory(unit: unit) { path in
                path == clangPath ? bytes : (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Array.init)
            }
        } else {
            inventory = nil
        }
        self.reportPath = reportPath ?? file.path
        self.reportRange = reportRange ?? { [lines = file.lines] in lines.range($0) }
    }

    public var root: Node { tree.rootNode }

    /// Whether this source is CUDA held in a Python string (reported in the Python file).
    public var isEmbedded: Bool { reportPath != file.path }

    /// Local headers the source includes (`#include "x.cuh"`, resolved next to the file, followed a few levels
    /// deep): their functions are part of the code base the kernels use.
    public private(set) lazy var headers: [(file: SourceFile, tree: Tree)] = {
        var result: [(file: SourceFile, tree: Tree)] = []
        var seen: Set<String> = [file.path]
        var pending: [(SourceFile, Tree, Int)] = [(file, tree, 0)]
        while let (current, currentTree, depth) = pending.popLast(), depth < 4 {
            let directory = (current.path as NSString).deletingLastPathComponent
            for node in currentTree.rootNode.preorder where node.type == "preproc_include" {
                guard let path = node.child(byField: "path"), path.type == "string_literal" else { continue }
                let name = path.text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                let resolved = ((directory.isEmpty ? name : "\(directory)/\(name)") as NSString).standardizingPath
                guard !seen.contains(resolved), let data = FileManager.default.contents(atPath: resolved), data.count < 4 << 20
                else { continue }
                seen.insert(resolved)
                let header = SourceFile(path: resolved, language: .cuda, bytes: Array(data))
                guard let headerTree = try? Parser(language: .cuda).parse(bytes: header.bytes) else { continue }
                result.append((header, headerTree))
                pending.append((header, headerTree, depth + 1))
            }
        }
        return result
    }()

    /// The source file a node belongs to (the main file or an included header).
    func source(of node: Node) -> SourceFile? {
        if node.tree === tree { return nil }
        return headers.first { $0.tree === node.tree }?.file
    }

    /// A function defined in this source.
    public struct Function {
        public enum Role: String, Sendable { case kernel, device, host }
        public let node: Node
        public let name: String
        public let role: Role
        public let body: Node?
        /// The declaration text before the body (qualifiers, template header, parameters).
        public let signature: String
    }

    /// Functions of the source and of the local headers it includes.
    public private(set) lazy var functions: [Function] = ([(file, tree)] + headers).flatMap { source, sourceTree in
        sourceTree.rootNode.preorder.filter { $0.type == "function_definition" }.compactMap { node in function(node, in: source) }
    }

    func function(_ node: Node, in source: SourceFile) -> Function? {
        guard let name = declaredName(node) else { return nil }
        let body = node.child(byField: "body")
        let headerEnd = body?.startByte ?? node.endByte
        var start = node.startByte
        if let parent = node.parent, parent.type == "template_declaration" { start = parent.startByte }
        let signature = source.text(in: start..<headerEnd)
        // libclang knows the role even when a macro spells the qualifier (`#define KERNEL __global__`); the
        // declaration's text, with its macros expanded, decides when libclang did not see the function.
        let semanticRole = inventory?.functions.first { $0.name == name }?.role
        let words = Set(Self.identifiers(in: signature).flatMap { expansion(of: $0) })
        let role: Function.Role = switch semanticRole {
        case .kernel?: .kernel
        case .device?, .hostDevice?: .device
        case nil: words.contains("__global__") ? .kernel : words.contains("__device__") ? .device : .host
        }
        return Function(node: node, name: name, role: role, body: body, signature: signature)
    }

    /// Kernels defined in the source itself (not in the headers it includes).
    public var ownKernels: [Function] { kernels.filter { $0.node.tree === tree } }

    public private(set) lazy var kernels: [Function] = functions.filter { $0.role == .kernel }
    public private(set) lazy var hostFunctions: [Function] = functions.filter { $0.role == .host }

    /// The first device or kernel function of each name (what a call by that name reaches).
    private lazy var deviceFunctionsByName: [String: Function] = {
        var result: [String: Function] = [:]
        for f in functions where f.role != .host && result[f.name] == nil { result[f.name] = f }
        return result
    }()

    /// The device or kernel function a call by this (bare) name reaches.
    func deviceFunction(named name: String) -> Function? { deviceFunctionsByName[name.lastQualifiedComponent] }

    /// libclang's per-function tables, keyed by the bare name (the first qualified entry for each bare name,
    /// as a linear `first { $0.key == name || $0.key.hasSuffix("::" + name) }` would find an exact match first).
    private func bareKeyed<V>(_ table: [String: V]) -> [String: V] {
        var exact: [String: V] = [:], suffixed: [String: V] = [:]
        for (key, value) in table {
            exact[key] = value
            var rest = Substring(key)
            while let range = rest.range(of: "::") {
                rest = rest[range.upperBound...]
                if suffixed[String(rest)] == nil { suffixed[String(rest)] = value }
            }
        }
        return exact.merging(suffixed) { first, _ in first }
    }
    private lazy var semanticCalls: [String: [String]] = bareKeyed(inventory?.calls ?? [:])
    private lazy var semanticTypes: [String: [String]] = bareKeyed(inventory?.types ?? [:])

    // Per-function caches (one thread per instance).
    private var callsCache: [Node: [String]] = [:]
    private var reachCache: [Node: [Function]] = [:]
    private var bodyIndex: [Node: [String: [Node]]] = [:]
    private var bodyPreorder: [Node: [Node]] = [:]
    private var nodesCache: [NodesKey: [Node]] = [:]
    private struct NodesKey: Hashable { let function: Node; let types: Set<String> }
    private var fileIndexCache: [String: [Node]]?

    private var memoTable: [String: Any] = [:]

    /// A value detectors derive from the whole source (or from one kernel), computed once per instance and
    /// shared by every detector and kernel that asks for it under the same key.
    public func memo<T>(_ key: String, _ compute: () -> T) -> T {
        // Unwrapped first: for an optional `T`, a missing entry would otherwise cast to a stored `nil`.
        if let entry = memoTable[key], let known = entry as? T { return known }
        let value = compute()
        memoTable[key] = value
        return value
    }

    /// Every node of a function's body in pre-order, walked once.
    public func descendants(of function: Function) -> [Node] {
        guard let body = function.body else { return [] }
        if let known = bodyPreorder[body] { return known }
        let all = Array(body.preorder)
        bodyPreorder[body] = all
        return all
    }

    /// Nodes of one type in a function's body (pre-order), indexed once per function.
    public func descendants(of function: Function, type: String) -> [Node] {
        guard let body = function.body else { return [] }
        if let index = bodyIndex[body] { return index[type] ?? [] }
        var index: [String: [Node]] = [:]
        for node in descendants(of: function) { index[node.type, default: []].append(node) }
        bodyIndex[body] = index
        return index[type] ?? []
    }

    /// Nodes of the given types anywhere in the source and its headers (pre-order), indexed once.
    public func fileNodes(_ types: Set<String>) -> [Node] {
        if fileIndexCache == nil {
            var index: [String: [Node]] = [:]
            for root in [tree.rootNode] + headers.map(\.tree.rootNode) {
                for node in root.preorder { index[node.type, default: []].append(node) }
            }
            fileIndexCache = index
        }
        if types.count == 1, let only = types.first { return fileIndexCache?[only] ?? [] }
        return types.flatMap { fileIndexCache?[$0] ?? [] }.sorted { a, b in
            a.tree === b.tree ? (a.startByte, b.endByte) < (b.startByte, a.endByte) : ObjectIdentifier(a.tree) < ObjectIdentifier(b.tree)
        }
    }

    /// Nodes of the main file only (not its headers) of one type, in pre-order.
    public func mainFileNodes(_ type: String) -> [Node] {
        fileNodes([type]).filter { $0.tree === tree }
    }

    func declaredName(_ node: Node) -> String? {
        var declarator = node.child(byField: "declarator")
        while let d = declarator, d.type != "identifier", d.type != "field_identifier", d.type != "qualified_identifier" {
            declarator = d.child(byField: "declarator") ?? d.namedChild(0)
            if d.type == "function_declarator" { declarator = d.child(byField: "declarator") }
        }
        return declarator?.text
    }

    // MARK: Calls and reach

    /// Names of the functions `function` calls: libclang's resolution when available, tree-sitter's spelling
    /// otherwise (both are kept: a macro expanding to a call shows up in libclang's list only).
    public func calls(of function: Function) -> [String] {
        if let known = callsCache[function.node] { return known }
        var names: [String] = []
        if let semantic = semanticCalls[function.name] {
            names += semantic
        }
        for node in descendants(of: function, type: "call_expression") {
            if let callee = node.child(byField: "function") { names.append(calleeName(callee)) }
        }
        callsCache[function.node] = names
        return names
    }

    func calleeName(_ node: Node) -> String {
        switch node.type {
        case "template_function": return node.child(byField: "name")?.text ?? node.text
        case "field_expression": return node.child(byField: "field")?.text ?? node.text
        default: return node.text
        }
    }

    /// The function and every device function of this source it reaches through calls (helpers count for the
    /// kernel that uses them).
    public func reach(_ function: Function) -> [Function] {
        if let known = reachCache[function.node] { return known }
        var result = [function], seen: Set<String> = [function.name]
        var index = 0
        while index < result.count {
            for name in calls(of: result[index]) {
                let bare = name.lastQualifiedComponent
                guard !seen.contains(bare), let callee = deviceFunctionsByName[bare] else { continue }
                seen.insert(bare)
                result.append(callee)
            }
            index += 1
        }
        reachCache[function.node] = result
        return result
    }

    /// Named nodes of the given types in a function and the helpers it reaches.
    public func nodes(in function: Function, types: Set<String>) -> [Node] {
        let key = NodesKey(function: function.node, types: types)
        if let known = nodesCache[key] { return known }
        let result = reach(function).flatMap { f -> [Node] in
            if types.count == 1, let only = types.first { return descendants(of: f, type: only) }
            return descendants(of: f).filter { types.contains($0.type) }
        }
        nodesCache[key] = result
        return result
    }

    /// Every call (as tree-sitter nodes) in a function and its helpers, with the callee's name.
    public func callNodes(in function: Function) -> [(name: String, node: Node)] {
        nodes(in: function, types: ["call_expression"]).compactMap { node in
            node.child(byField: "function").map { (calleeName($0), node) }
        }
    }

    /// Canonical types libclang saw in a function's parameters and locals (and its helpers').
    public func types(in function: Function) -> [String] {
        guard inventory != nil else { return [] }
        return reach(function).flatMap { f in semanticTypes[f.name] ?? [] }
    }

    /// Launches whose kernel is `kernel`.
    public func launches(of kernel: Function) -> [ClangKit.KernelLaunch] {
        memo("launches:\(kernel.name)") {
            (inventory?.launches ?? []).filter { $0.kernel == kernel.name || $0.kernel.hasSuffix("::" + kernel.name) }
        }
    }

    public func sharedDeclarations(in function: Function) -> [ClangKit.SharedDeclaration] {
        let names = Set(reach(function).map(\.name))
        return (inventory?.sharedDeclarations ?? []).filter { decl in
            decl.function.map { f in names.contains(f.lastQualifiedComponent) } ?? false
        }
    }

    /// Preprocessor lines (`#pragma unroll`, `#define`) inside a function's body.
    public func pragmas(in function: Function) -> [Node] {
        nodes(in: function, types: ["preproc_call", "preproc_def"]) +
            nodes(in: function, types: ["pragma"])
    }

    // MARK: Macros

    /// Function-like and object-like macros of the source: name -> replacement text.
    public private(set) lazy var macros: [String: String] = {
        var result: [String: String] = [:]
        // Library headers the file includes that the CUDA shim stands in for (`<c10/macros/Macros.h>` gives
        // `C10_WARP_SIZE`): their macros first, the file's own win.
        for source in [tree] + headers.map(\.tree) {
            for node in source.rootNode.preorder where node.type == "preproc_include" {
                guard let path = node.child(byField: "path") else { continue }
                let name = path.text.trimmingCharacters(in: CharacterSet(charactersIn: "<>\""))
                result.merge(Self.shimMacros[name] ?? [:]) { own, _ in own }
            }
        }
        for source in [tree] + headers.map(\.tree) {
            for node in source.rootNode.preorder where node.type == "preproc_function_def" || node.type == "preproc_def" {
                if let name = node.child(byField: "name")?.text { result[name] = node.child(byField: "value")?.text ?? "" }
            }
        }
        return result
    }()

    /// The macros each CUDA shim header defines, following the shim headers it includes (parsed once).
    static let shimMacros: [String: [String: String]] = {
        var direct: [String: [String: String]] = [:], includes: [String: [String]] = [:]
        for (name, text) in CUDAShim.headers {
            guard let tree = try? Parser(language: .cuda).parse(bytes: Array(text.utf8)) else { continue }
            var defines: [String: String] = [:], included: [String] = []
            for node in tree.rootNode.preorder {
                if node.type == "preproc_function_def" || node.type == "preproc_def", let macro = node.child(byField: "name")?.text {
                    defines[macro] = node.child(byField: "value")?.text ?? ""
                } else if node.type == "preproc_include", let path = node.child(byField: "path") {
                    included.append(path.text.trimmingCharacters(in: CharacterSet(charactersIn: "<>\"")))
                }
            }
            direct[name] = defines
            includes[name] = included
        }
        var result: [String: [String: String]] = [:]
        for name in direct.keys {
            var all: [String: String] = [:], pending = [name], seen: Set<String> = []
            while let next = pending.popLast() {
                guard seen.insert(next).inserted else { continue }
                all.merge(direct[next] ?? [:]) { first, _ in first }
                pending += includes[next] ?? []
            }
            result[name] = all
        }
        return result
    }()

    /// The names a call spelled `name` stands for: itself, and for a macro the identifiers of its expansion
    /// (followed through nested macros, a few levels deep).
    public func expansion(of name: String) -> Set<String> {
        var result: Set<String> = [name], frontier = [name]
        for _ in 0..<4 {
            var next: [String] = []
            for n in frontier {
                guard let body = macros[n] else { continue }
                for word in Self.identifiers(in: body) where result.insert(word).inserted { next.append(word) }
            }
            frontier = next
        }
        return result
    }

    static func identifiers(in text: String) -> [String] {
        var words: [String] = [], current = ""
        for ch in text {
            if ch.isLetter || ch.isNumber || ch == "_" { current.append(ch) } else {
                if !current.isEmpty, !(current.first!.isNumber) { words.append(current) }
                current = ""
            }
        }
        if !current.isEmpty, !(current.first!.isNumber) { words.append(current) }
        return words
    }

    // MARK: Evidence

    public func evidence(_ node: Node, _ note: String) -> Evidence {
        // The source as written (the tree may hold respelled attributes, see `AttributeMacros`).
        let text = (node.tree === tree ? file.text(in: node.byteRange) : node.text).split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        let code = text.count > 120 ? String(text.prefix(119)) + "…" : text
        if let header = source(of: node) {
            return Evidence(path: header.path, range: header.lines.range(node.byteRange), code: code, note: note)
        }
        return Evidence(path: reportPath, range: reportRange(node.byteRange), code: code, note: note)
    }

    /// Evidence for a byte range of the source itself.
    func evidence(range: Range<Int>, _ note: String) -> Evidence {
        Evidence(path: reportPath, range: reportRange(range), code: file.text(in: range).split(separator: "\n").first.map(String.init) ?? "", note: note)
    }

    public func evidence(span: SourceSpan, _ note: String) -> Evidence {
        evidence(range: span.startOffset..<min(span.endOffset, file.bytes.count), note)
    }
}
