import TreeSitterKit

/// `memory_coalescing`: the kernel maps consecutive threads to consecutive global addresses of a row-major
/// (two-dimensional) layout, and all of its global stores are coalesced. Decided from the index expressions
/// alone (comments and identifier spellings play no part):
/// - a global access `p[row * C + i]` whose index is a sum of additive terms where exactly the thread's x index
///   (`threadIdx.x`, a cooperative group's `thread_rank()`, or a local derived from them by `+`/`-` only) moves
///   with the thread, the other terms are uniform across the block, and one of them is a row offset scaled by a
///   data extent (a product with a factor that is not launch geometry: `row * C`, `blockIdx.x * c`);
/// - every global store of the kernel is such a coalesced access, a flat per-thread store
///   (`y[blockIdx.x * blockDim.x + threadIdx.x]`), or uniform (one address per block, `out[blockIdx.x]`); a store whose address depends on the thread in any other way (`stats[2 * r]`) or on
///   loaded data (`y[perm[b] * c + i]`, a scatter) disqualifies the kernel.
/// Flat one-dimensional indexing (`x[blockIdx.x * blockDim.x + threadIdx.x]`) is the default mapping, not a
/// design choice, and does not count; nor do accesses strided by the thread index (`x[threadIdx.x * C]`).
struct MemoryCoalescing: TechniqueDetector {
    let id = "memory_coalescing"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let shared = MemSupport.sharedNames(kernel, facts)
        var found: Node?
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let pointers = MemSupport.pointerNames(in: f).subtracting(shared)
            let linear = Self.threadLinearVariables(in: f)
            let dependent = Self.threadDependentVariables(in: f)
            for access in body.preorder where access.type == "subscript_expression" {
                guard access.parent?.type != "subscript_expression" || access.parent?.child(byField: "argument") != access,
                      let root = MemSupport.base(of: access), pointers.contains(root),
                      let indices = access.child(byField: "indices") else { continue }
                let shape = Self.shape(of: indices, linear: linear, dependent: dependent, pointers: pointers)
                if MemSupport.isWritten(access) {
                    switch shape {
                    case .coalescedRows, .flat, .uniform: break
                    case .other: return []
                    }
                }
                if shape == .coalescedRows, found == nil { found = access }
            }
        }
        guard let found else { return [] }
        return [facts.evidence(found, "consecutive threads touch consecutive addresses of a row")]
    }

    enum Shape: Equatable { case coalescedRows, flat, uniform, other }

    /// How an index moves with the thread: `coalescedRows` (thread-linear term plus a uniform scaled row
    /// offset), `flat` (thread-linear without a data-scaled row), `uniform` (no thread, no loaded data), or
    /// `other` (scaled by the thread, or data-dependent).
    static func shape(of indices: Node, linear: Set<String>, dependent: Set<String>, pointers: Set<String>) -> Shape {
        if !MemSupport.memoryReads(in: indices, pointers: pointers).isEmpty { return .other }
        let terms = additiveTerms(indices)
        let threadTerms = terms.filter { term in isThreadTerm(term) || (term.type == "identifier" && linear.contains(term.text)) }
        let others = terms.filter { term in !threadTerms.contains(term) }
        let othersUniform = others.allSatisfy { !mentionsThread($0, dependent) }
        if threadTerms.isEmpty { return othersUniform ? .uniform : .other }
        guard threadTerms.count == 1, othersUniform else { return .other }
        return others.contains(where: isScaledRow) ? .coalescedRows : .flat
    }

    /// The operands of a chain of `+`/`-` (through parentheses, casts and a subscript's brackets).
    static func additiveTerms(_ node: Node) -> [Node] {
        var result: [Node] = [], stack = [node]
        while let n = stack.popLast() {
            switch n.type {
            case "subscript_argument_list", "parenthesized_expression":
                if let only = n.namedChild(0), n.namedChildren.count == 1 { stack.append(only) } else { result.append(n) }
            case "cast_expression":
                if let value = n.child(byField: "value") { stack.append(value) } else { result.append(n) }
            case "binary_expression" where ["+", "-"].contains(n.child(byField: "operator")?.type ?? ""):
                for field in ["right", "left"] { if let c = n.child(byField: field) { stack.append(c) } }
            default: result.append(n)
            }
        }
        return result
    }

    static let builtins: Set<String> = ["blockIdx", "blockDim", "gridDim", "threadIdx"]

    /// A product whose factors include an extent that is not launch geometry (`row * C`, `(bt % T) * C`).
    static func isScaledRow(_ term: Node) -> Bool {
        var node = term
        while node.type == "parenthesized_expression", let inner = node.namedChild(0) { node = inner }
        guard node.type == "binary_expression", ["*", "<<"].contains(node.child(byField: "operator")?.type ?? "") else { return false }
        let factors = [node.child(byField: "left"), node.child(byField: "right")].compactMap { $0 }
        return factors.contains { factor in
            !(factor.type == "field_expression" && builtins.contains(factor.child(byField: "argument")?.text ?? ""))
                && factor.type != "number_literal"
        }
    }

    static func mentionsThread(_ node: Node, _ dependent: Set<String>) -> Bool {
        node.preorder.contains { n in
            (n.type == "identifier" && (n.text == "threadIdx" || dependent.contains(n.text))) || isThreadTerm(n)
        }
    }

    /// `threadIdx.x` or `<group>.thread_rank()`.
    static func isThreadTerm(_ node: Node) -> Bool {
        if node.type == "field_expression", node.child(byField: "argument")?.text == "threadIdx", node.child(byField: "field")?.text == "x" {
            return true
        }
        if node.type == "call_expression", let callee = node.child(byField: "function"), callee.type == "field_expression",
           callee.child(byField: "field")?.text == "thread_rank" { return true }
        return false
    }

    /// Locals whose value depends on the thread in any way (initialised or assigned from an expression that
    /// mentions the thread index or another such local).
    static func threadDependentVariables(in function: CUDAFacts.Function) -> Set<String> {
        guard let body = function.body else { return [] }
        var result: Set<String> = []
        let assignments = MemSupport.assignments(in: body)
        for _ in 0..<3 {
            for (target, value, _, _) in assignments {
                guard let value, ["identifier", "pointer_declarator", "reference_declarator"].contains(target.type),
                      let name = MemSupport.declaredIdentifier(target),
                      !result.contains(name), mentionsThread(value, result) else { continue }
                result.insert(name)
            }
        }
        return result
    }

    /// Locals (and loop variables) whose value moves by one when the thread index does: initialised from an
    /// expression that adds `threadIdx.x` (or another such local) without scaling it.
    static func threadLinearVariables(in function: CUDAFacts.Function) -> Set<String> {
        guard let body = function.body else { return [] }
        var result: Set<String> = []
        let declarators = body.preorder.filter { $0.type == "init_declarator" }
        for _ in 0..<3 {
            for node in declarators {
                guard let name = MemSupport.declaredIdentifier(node.child(byField: "declarator") ?? node), !result.contains(name),
                      let value = node.child(byField: "value"), isThreadLinear(value, result) else { continue }
                result.insert(name)
            }
        }
        return result
    }

    /// Whether `expression` contains a thread term (or thread-linear variable) reached only through `+`, `-`,
    /// parentheses, casts and `%` (a lane index), never through `*`, `/`, `>>` or `<<`.
    static func isThreadLinear(_ expression: Node, _ variables: Set<String>) -> Bool {
        for node in expression.preorder where isThreadTerm(node) || (node.type == "identifier" && variables.contains(node.text)) {
            var current = node
            var linear = true
            while current != expression, let parent = current.parent {
                if parent.type == "binary_expression" {
                    let op = parent.child(byField: "operator")?.type ?? ""
                    if op == "%" && parent.child(byField: "left") == current { current = parent; continue }
                    if !["+", "-"].contains(op) { linear = false; break }
                } else if !["parenthesized_expression", "cast_expression", "subscript_argument_list", "argument_list",
                            "call_expression", "comma_expression"].contains(parent.type) {
                    if parent.type != "field_expression" || !isThreadTerm(parent) { linear = false; break }
                }
                current = parent
            }
            if linear { return true }
        }
        return false
    }
}
