import TreeSitterKit

/// CUDA source held in a Python string and handed to a runtime compiler.
public struct EmbeddedCUDA: Sendable, Equatable {
    public var index: Int
    /// The receiving call and argument, e.g. `torch.utils.cpp_extension.load_inline(cuda_sources=)`.
    public var via: String
    /// The bytes of the source, mapped back to the Python file byte by byte.
    public var source: DecodedString
    /// Byte range in the Python file spanning the literals the source came from.
    public var literalRange: Range<Int>
}

/// Finds CUDA sources passed to `load_inline(cuda_sources=...)`, `cupy.RawKernel(code, ...)` and
/// `cupy.RawModule(code=...)`, whether written inline, as a list, through a variable, or concatenated with `+`.
/// Nothing is executed: values are followed through assignments in the file only.
public struct EmbeddedCUDAExtractor {
    /// A call that compiles CUDA at run time: the qualified callee and where its source argument sits.
    public struct Sink: Sendable {
        public var callee: String
        public var keyword: String
        public var position: Int?
    }

    public static let sinks: [Sink] = [
        Sink(callee: "torch.utils.cpp_extension.load_inline", keyword: "cuda_sources", position: 2),
        Sink(callee: "cupy.RawKernel", keyword: "code", position: 0),
        Sink(callee: "cupy.RawModule", keyword: "code", position: 0),
        Sink(callee: "cupy.cuda.compiler.compile_with_cache", keyword: "source", position: 0),
    ]

    /// How many assignments deep a name is followed before giving up (guards `a = a + b` cycles).
    static let maxIndirection = 16

    let root: Node
    let imports: ImportTable
    let assignments: [String: [(value: Node, scope: Range<Int>?, at: Int)]]
    public private(set) var notes: [String] = []
    /// Why the last string could not be resolved, for the note on its call.
    private var unresolvedReason: String?

    public init(root: Node, imports: ImportTable) {
        self.root = root
        self.imports = imports
        var assignments: [String: [(value: Node, scope: Range<Int>?, at: Int)]] = [:]
        for node in root.preorder where node.type == "assignment" {
            guard let left = node.child(byField: "left"), left.type == "identifier",
                  let right = node.child(byField: "right") else { continue }
            var scope: Range<Int>?
            var parent = node.parent
            while let p = parent {
                if p.type == "function_definition" { scope = p.byteRange; break }
                parent = p.parent
            }
            assignments[left.text, default: []].append((right, scope, node.startByte))
        }
        self.assignments = assignments
    }

    public mutating func extract() -> [EmbeddedCUDA] {
        var found: [EmbeddedCUDA] = []
        for call in root.preorder where call.type == "call" {
            guard let function = call.child(byField: "function"),
                  let callee = imports.qualifiedName(of: function),
                  let sink = EmbeddedCUDAExtractor.sinks.first(where: { $0.callee == callee }),
                  let arguments = call.child(byField: "arguments"),
                  let argument = EmbeddedCUDAExtractor.argument(of: arguments, sink) else { continue }
            unresolvedReason = nil
            let pieces = values(of: argument, at: call.startByte, depth: 0)
            guard !pieces.isEmpty else {
                let reason = unresolvedReason ?? "is not a string the file spells out"
                notes.append("line \(call.startPoint.row + 1): the CUDA source passed to \(callee) \(reason); not parsed")
                continue
            }
            for (piece, literals) in pieces where !piece.bytes.isEmpty {
                let lo = literals.map(\.startByte).min() ?? argument.startByte
                let hi = literals.map(\.endByte).max() ?? argument.endByte
                found.append(EmbeddedCUDA(index: found.count, via: "\(callee)(\(sink.keyword)=)", source: piece,
                                          literalRange: lo..<hi))
            }
        }
        return found
    }

    static func argument(of list: Node, _ sink: Sink) -> Node? {
        var positional = 0
        for child in list.namedChildren {
            if child.type == "keyword_argument" {
                if child.child(byField: "name")?.text == sink.keyword { return child.child(byField: "value") }
            } else if child.type != "comment" {
                if positional == sink.position { return child }
                positional += 1
            }
        }
        return nil
    }

    /// The string values an expression evaluates to (one per element for a list or tuple of sources), each
    /// with the literals it was built from.
    mutating func values(of node: Node, at use: Int, depth: Int) -> [(DecodedString, [Node])] {
        guard depth < EmbeddedCUDAExtractor.maxIndirection else { return [] }
        switch node.type {
        case "list", "tuple":
            return node.namedChildren.flatMap { values(of: $0, at: use, depth: depth + 1) }
        case "parenthesized_expression":
            return node.namedChild(0).map { values(of: $0, at: use, depth: depth + 1) } ?? []
        case "identifier":
            guard let value = binding(of: node.text, at: use) else { return [] }
            return values(of: value, at: value.startByte, depth: depth + 1)
        default:
            var literals: [Node] = []
            guard let value = string(of: node, at: use, depth: depth, literals: &literals) else { return [] }
            return [(value, literals)]
        }
    }

    /// A single string value: literal, implicit concatenation, `+`, or a name bound to one of those.
    mutating func string(of node: Node, at use: Int, depth: Int, literals: inout [Node]) -> DecodedString? {
        guard depth < EmbeddedCUDAExtractor.maxIndirection else { return nil }
        switch node.type {
        case "string":
            literals.append(node)
            let decoded = DecodedString.decode(literal: node.byteRange, in: node.tree.bytes)
            if decoded == nil {
                unresolvedReason = "is an f-string or bytes literal whose value is only known at run time"
            }
            return decoded
        case "concatenated_string":
            var result = DecodedString()
            for part in node.namedChildren {
                guard let piece = string(of: part, at: use, depth: depth + 1, literals: &literals) else { return nil }
                result.append(contentsOf: piece)
            }
            return result
        case "binary_operator":
            guard node.child(byField: "operator")?.type == "+",
                  let l = node.child(byField: "left"), let r = node.child(byField: "right"),
                  var left = string(of: l, at: use, depth: depth + 1, literals: &literals),
                  let right = string(of: r, at: use, depth: depth + 1, literals: &literals) else { return nil }
            left.append(contentsOf: right)
            return left
        case "parenthesized_expression":
            return node.namedChild(0).flatMap { string(of: $0, at: use, depth: depth + 1, literals: &literals) }
        case "identifier":
            guard let value = binding(of: node.text, at: use) else { return nil }
            return string(of: value, at: value.startByte, depth: depth + 1, literals: &literals)
        default:
            return nil
        }
    }

    /// The value last assigned to `name` before `use`, in the function containing `use` or at module level.
    func binding(of name: String, at use: Int) -> Node? {
        guard let candidates = assignments[name] else { return nil }
        let visible = candidates.filter { $0.at < use && ($0.scope == nil || $0.scope!.contains(use)) }
        if let best = visible.max(by: { ($0.scope != nil ? 1 : 0, $0.at) < ($1.scope != nil ? 1 : 0, $1.at) }) {
            return best.value
        }
        // A module-level definition after the function that uses it is still bound when the function runs.
        return candidates.last { $0.scope == nil }?.value
    }
}
