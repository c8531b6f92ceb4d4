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
    /// libclang's inventory, nil when libclang could not parse the source at all.
    public let inventory: KernelInventory?
    /// Maps a byte range of `file` to the range reported in evidence (identity for files; into the Python file
    /// for embedded sources).
    let reportRange: (Range<Int>) -> SourceRange
    let reportPath: String

    public init(file: SourceFile, reportPath: String? = nil, reportRange: ((Range<Int>) -> SourceRange)? = nil) throws {
        self.file = file
        tree = try Parser(language: .cuda).parse(bytes: file.bytes)
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

    public var kernels: [Function] { functions.filter { $0.role == .kernel } }
    public var hostFunctions: [Function] { functions.filter { $0.role == .host } }

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
        var names: [String] = []
        if let semantic = inventory?.calls.first(where: { $0.key == function.name || $0.key.hasSuffix("::" + function.name) })?.value {
            names += semantic
        }
        if let body = function.body {
            for node in body.preorder where node.type == "call_expression" {
                if let callee = node.child(byField: "function") { names.append(calleeName(callee)) }
            }
        }
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
        var result = [function], seen: Set<String> = [function.name]
        var index = 0
        while index < result.count {
            for name in calls(of: result[index]) {
                let bare = String(name.split(separator: ":").last ?? Substring(name))
                guard !seen.contains(bare), let callee = functions.first(where: { $0.name == bare && $0.role != .host }) else { continue }
                seen.insert(bare)
                result.append(callee)
            }
            index += 1
        }
        return result
    }

    /// Named nodes of the given types in a function and the helpers it reaches.
    public func nodes(in function: Function, types: Set<String>) -> [Node] {
        reach(function).flatMap { f -> [Node] in
            guard let body = f.body else { return [] }
            return body.preorder.filter { types.contains($0.type) }
        }
    }

    /// Every call (as tree-sitter nodes) in a function and its helpers, with the callee's name.
    public func callNodes(in function: Function) -> [(name: String, node: Node)] {
        nodes(in: function, types: ["call_expression"]).compactMap { node in
            node.child(byField: "function").map { (calleeName($0), node) }
        }
    }

    /// Canonical types libclang saw in a function's parameters and locals (and its helpers').
    public func types(in function: Function) -> [String] {
        guard let inventory else { return [] }
        return reach(function).flatMap { f in
            inventory.types.first { $0.key == f.name || $0.key.hasSuffix("::" + f.name) }?.value ?? []
        }
    }

    /// Launches whose kernel is `kernel`.
    public func launches(of kernel: Function) -> [ClangKit.KernelLaunch] {
        (inventory?.launches ?? []).filter { $0.kernel == kernel.name || $0.kernel.hasSuffix("::" + kernel.name) }
    }

    public func sharedDeclarations(in function: Function) -> [ClangKit.SharedDeclaration] {
        let names = Set(reach(function).map(\.name))
        return (inventory?.sharedDeclarations ?? []).filter { decl in
            decl.function.map { f in names.contains(String(f.split(separator: ":").last ?? Substring(f))) } ?? false
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
        for source in [tree] + headers.map(\.tree) {
            for node in source.rootNode.preorder where node.type == "preproc_function_def" || node.type == "preproc_def" {
                if let name = node.child(byField: "name")?.text { result[name] = node.child(byField: "value")?.text ?? "" }
            }
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
        let text = node.text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        let code = text.count > 120 ? String(text.prefix(119)) + "…" : text
        if let header = source(of: node) {
            return Evidence(path: header.path, range: header.lines.range(node.byteRange), code: code, note: note)
        }
        return Evidence(path: reportPath, range: reportRange(node.byteRange), code: code, note: note)
    }

    public func evidence(span: SourceSpan, _ note: String) -> Evidence {
        let range = span.startOffset..<min(span.endOffset, file.bytes.count)
        return Evidence(path: reportPath, range: reportRange(range), code: file.text(in: range).split(separator: "\n").first.map(String.init) ?? "", note: note)
    }
}
