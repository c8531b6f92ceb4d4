import Foundation
import Parsing
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// What detectors know about one Python file: its tree, imports, calls, settings, functions and classes, and
/// its normalized tree (squares, ReLUs and matrix products in one spelling, constants folded). Everything is
/// computed on first use and kept. Not thread-safe: one file is analysed by one thread.
public final class PythonFacts {
    public let file: SourceFile
    public let tree: Tree
    public let imports: ImportTable
    /// Settings of every file analysed together (so a config module can feed a training script).
    public var sharedSettings: SettingsTable?

    public init(file: SourceFile, tree: Tree) {
        self.file = file
        self.tree = tree
        imports = ImportTable(root: tree.rootNode)
    }

    public convenience init(file: SourceFile) throws {
        self.init(file: file, tree: try Parser(language: .python).parse(bytes: file.bytes))
    }

    public var root: Node { tree.rootNode }
    public var path: String { file.path }

    // MARK: Walks

    /// All named nodes in document order.
    public private(set) lazy var nodes: [Node] = root.preorder.filter(\.isNamed)

    public func nodes(ofType types: Set<String>) -> [Node] { nodes.filter { types.contains($0.type) } }

    public private(set) lazy var calls: [CallSite] = nodes.filter { $0.type == "call" }.map { CallSite(node: $0, imports: imports) }

    /// Calls whose callee is one of `names` (full dotted names, or `.name` for any receiver).
    public func calls(to names: Set<String>) -> [CallSite] { calls.filter { $0.calls(names) } }

    public struct Function {
        public let node: Node
        public let name: String
        /// `Class.method` or `function` (nested functions: `outer.inner`).
        public let qualifiedName: String
        public let parameters: [String]
        public let decorators: [String]
        public let body: Node?
        /// A `@triton.jit` (or `triton.autotune`...) kernel.
        public var isTritonKernel: Bool { decorators.contains { $0.hasPrefix("triton.") } }
    }

    public private(set) lazy var functions: [Function] = {
        var result: [Function] = []
        for node in nodes where node.type == "function_definition" {
            guard let name = node.child(byField: "name")?.text else { continue }
            var parents: [String] = []
            var current = node.parent
            while let c = current {
                if c.type == "function_definition" || c.type == "class_definition", let n = c.child(byField: "name")?.text {
                    parents.append(n)
                }
                current = c.parent
            }
            let parameters = node.child(byField: "parameters")?.namedChildren.compactMap { p -> String? in
                p.type == "identifier" ? p.text : (p.child(byField: "name") ?? p.namedChildren.first { $0.type == "identifier" })?.text
            } ?? []
            var decorators: [String] = []
            if let parent = node.parent, parent.type == "decorated_definition" {
                for d in parent.namedChildren where d.type == "decorator" {
                    guard var expression = d.namedChild(0) else { continue }
                    if expression.type == "call", let f = expression.child(byField: "function") { expression = f }
                    decorators.append(imports.qualifiedName(of: expression) ?? expression.text)
                }
            }
            result.append(Function(node: node, name: name, qualifiedName: (parents.reversed() + [name]).joined(separator: "."),
                                   parameters: parameters, decorators: decorators, body: node.child(byField: "body")))
        }
        return result
    }()

    public func function(named name: String) -> [Function] { functions.filter { $0.name == name } }

    public struct Class {
        public let node: Node
        public let name: String
        /// Base classes as resolved names (`torch.nn.Module`, `nn.Module` when not imported).
        public let bases: [String]
        public let body: Node?
    }

    public private(set) lazy var classes: [Class] = nodes.filter { $0.type == "class_definition" }.compactMap { node in
        guard let name = node.child(byField: "name")?.text else { return nil }
        let bases = node.child(byField: "superclasses")?.namedChildren.map { imports.qualifiedName(of: $0) ?? $0.text } ?? []
        return Class(node: node, name: name, bases: bases, body: node.child(byField: "body"))
    }

    /// The innermost function around a node.
    public func enclosingFunction(_ node: Node) -> Function? {
        functions.filter { $0.node.byteRange.contains(node.startByte) }.min { $0.node.byteRange.count < $1.node.byteRange.count }
    }

    public func enclosingClass(_ node: Node) -> Class? {
        classes.filter { $0.node.byteRange.contains(node.startByte) }.min { $0.node.byteRange.count < $1.node.byteRange.count }
    }

    // MARK: Settings and values

    public private(set) lazy var settings: SettingsTable = SettingsCollector.collect(self)

    /// The settings detectors resolve against: the shared table when files are analysed together.
    public var allSettings: SettingsTable { sharedSettings ?? settings }

    public private(set) lazy var resolver = ValueResolver(facts: self)

    /// The numeric value of an expression, following names to where they are set.
    public func value(of node: Node) -> NumericValue? { resolver.value(of: node) }

    /// Every value an expression may take (a name set in several places), strongest setting first.
    public func values(of node: Node) -> [NumericValue] { resolver.values(of: node) }

    /// A string literal's value (or a name set to one).
    public func string(of node: Node) -> String? { resolver.string(of: node) }

    // MARK: Normalized view

    public private(set) lazy var normalized: SyntaxTree = NormalizedTree.build(root, language: .python)

    /// Normalized nodes whose source range lies inside `range`.
    public func normalizedNodes(in range: Range<Int>) -> [Int] {
        (0..<normalized.count).filter { range.contains(normalized.byteRange[$0].lowerBound) && normalized.byteRange[$0].upperBound <= range.upperBound }
    }

    // MARK: Queries

    /// Matches of a detector's query file `queries/python/<id>/<name>.scm` (embedded in the binary).
    public func matches(_ id: String, query name: String = "detector") -> [QueryMatch] {
        guard let source = CatalogueData.text("queries/python/\(id)/\(name).scm"),
              let query = try? QueryCache.shared.query(language: .python, source: source) else { return [] }
        return QueryCursor().matches(of: query, in: root)
    }

    // MARK: Evidence

    public func evidence(_ node: Node, _ note: String) -> Evidence {
        Evidence(path: file.path, range: file.lines.range(node.byteRange), code: snippet(node), note: note)
    }

    public func evidence(range: Range<Int>, _ note: String) -> Evidence {
        Evidence(path: file.path, range: file.lines.range(range), code: snippet(range), note: note)
    }

    /// The first line of a node's text, shortened.
    public func snippet(_ node: Node) -> String { snippet(node.byteRange) }

    public func snippet(_ range: Range<Int>) -> String {
        let text = file.text(in: range)
        let first = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? text
        let trimmed = first.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 120 ? String(trimmed.prefix(119)) + "…" : trimmed
    }

    /// Text of a node with whitespace removed, for comparing expressions.
    public func compact(_ node: Node) -> String { String(node.text.filter { !$0.isWhitespace }) }
}

extension PythonFacts {
    /// Whether `name` is used anywhere outside `definition` (called, launched as `name[grid](...)`, passed
    /// along, instantiated): a helper that nothing uses does not count.
    public func isReferenced(_ name: String, outside definition: Node) -> Bool {
        nodes.contains { $0.type == "identifier" && $0.text == name && !definition.byteRange.contains($0.startByte) }
    }

    /// The normalized node covering exactly `node`'s range (the outermost one when several do).
    public func normalizedNode(for node: Node) -> Int? {
        (0..<normalized.count).first { normalized.byteRange[$0] == node.byteRange }
    }

    /// The source text of a normalized node.
    public func text(ofNormalized node: Int) -> String { file.text(in: normalized.byteRange[node]) }

    /// Evidence at a normalized node.
    public func evidence(normalized node: Int, _ note: String) -> Evidence {
        evidence(range: normalized.byteRange[node], note)
    }
}
