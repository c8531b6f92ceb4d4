import TreeSitterKit

/// `memory_coalescing`: the kernel maps consecutive threads to consecutive global addresses, read from the
/// address expressions (`ThreadAddressing`: subscripts, pointer arithmetic handed to load/store helpers, derived
/// pointers such as `x = inp + row * C`, vector packets). Two ways to count:
/// - **by structure alone**: an access whose address is a sum of additive terms where exactly one moves with the
///   thread's x index (`threadIdx.x`, a group's `thread_rank()`, a local derived from them by `+`/`-`, or such an
///   index scaled by the vector width when each thread moves a vector), the others are uniform across the block,
///   and one of them is a row offset scaled by a data extent (`row * C`, `blockIdx.x * c`): row-major data walked
///   along its contiguous dimension;
/// - **stated**: the definition's design-intent reading. A comment at the kernel (or the file header's line about
///   this kernel version) says the accesses are coalesced, that consecutive (adjacent, neighbouring) threads or
///   lanes touch neighbouring addresses, or that a warp covers a contiguous span (contiguity inside one thread,
///   "each thread reads 8 consecutive values", is the opposite and does not count), and some global access has exactly one thread-linear term (plain one-dimensional indexing
///   included). A statement that is hedged or denied ("not coalesced", "TODO") does not count.
/// The statement does not count when some global access strides by the thread (`x[t * 4 + k]` with scalar
/// loads, `x[r * C + j]` with `r` the thread's row). Either way, every global store through a subscript must be coalesced, flat, or uniform: a store whose address
/// depends on the thread in any other way (`stats[2 * r]`) or on loaded data (`y[perm[b] * c + i]`, a scatter)
/// disqualifies the kernel; a store is judged per warp, so a row chosen by the warp index (`threadIdx.x / 32`) or
/// by `threadIdx.y` counts as uniform there. A lane taken as `threadIdx.x & 31` moves with the thread like
/// `% 32`, and a per-thread `memcpy_async` of a constant 4-16 bytes moves one packet per thread. Flat one-dimensional indexing without a statement is the default mapping, not a
/// design choice, and does not count; nor do accesses strided by the thread index (`x[threadIdx.x * C]`).
struct MemoryCoalescing: TechniqueDetector {
    let id = "memory_coalescing"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let shared = MemSupport.sharedNames(kernel, facts)
        var rows: Node?, linear: Node?, strided = false
        for f in facts.reach(kernel) {
            let addressing = ThreadAddressing(f, shared: shared, facts)
            for access in addressing.accesses() {
                let shape = Self.shape(of: access, addressing)
                if access.written {
                    // A store is judged per warp: a row picked by the warp index or by `threadIdx.y` is the same
                    // for all lanes of the warp.
                    let perWarp = shape == .other ? Self.shape(of: access, addressing, acrossWarp: true) : shape
                    switch perWarp {
                    case .coalescedRows, .flat, .uniform: break
                    case .other: return []
                    }
                }
                if shape == .coalescedRows, rows == nil { rows = access.node }
                if linear == nil, Self.threadTerms(access, addressing).count == 1 { linear = access.node }
                if Self.strides(access, addressing) { strided = true }
            }
        }
        if let rows { return [facts.evidence(rows, "consecutive threads touch consecutive addresses of a row")] }
        guard let linear, !strided, let statement = Self.statement(about: kernel, facts) else { return [] }
        return [facts.evidence(statement, "coalesced access stated at the kernel"),
                facts.evidence(linear, "consecutive threads touch consecutive addresses")]
    }

    enum Shape: Equatable { case coalescedRows, flat, uniform, other }

    /// The terms of an access's address that move with the thread's x index (a packet index counts when each
    /// thread moves a vector).
    static func threadTerms(_ access: ThreadAddressing.Access, _ addressing: ThreadAddressing) -> [Node] {
        access.terms.filter { term in
            switch addressing.kind(of: term) {
            case .thread: return true
            case .packet: return access.vector
            case .none: return false
            }
        }
    }

    /// Whether consecutive threads land apart at this access: the thread's x index scaled (`x[t * 4 + k]`,
    /// `x[r * C + j]` with `r` the thread's row) without a vector moved per thread.
    static func strides(_ access: ThreadAddressing.Access, _ addressing: ThreadAddressing) -> Bool {
        access.terms.contains { term in
            switch addressing.kind(of: term) {
            case .packet: return !access.vector
            case .thread: return false
            case .none:
                var node = term
                while node.type == "parenthesized_expression" || node.type == "cast_expression",
                      let inner = node.type == "cast_expression" ? node.child(byField: "value") : node.namedChild(0) { node = inner }
                guard node.type == "binary_expression", ["*", "<<"].contains(node.child(byField: "operator")?.type ?? "") else { return false }
                return [node.child(byField: "left"), node.child(byField: "right")].compactMap { $0 }.contains {
                    isThreadLinear($0, addressing.linear) || addressing.kind(of: $0) == .packet
                }
            }
        }
    }

    /// How an address moves with the thread: `coalescedRows` (one thread-linear term plus a uniform scaled row
    /// offset), `flat` (thread-linear without a data-scaled row), `uniform` (no thread, no loaded data), or
    /// `other` (scaled by the thread, or data-dependent).
    /// With `acrossWarp`, the other terms need only be the same for the lanes of one warp (a warp-index row
    /// `threadIdx.x / 32`, a `threadIdx.y` row), not for the whole block.
    static func shape(of access: ThreadAddressing.Access, _ addressing: ThreadAddressing, acrossWarp: Bool = false) -> Shape {
        if access.terms.contains(where: { !MemSupport.memoryReads(in: $0, pointers: addressing.pointers).isEmpty }) { return .other }
        let threadTerms = threadTerms(access, addressing)
        let others = access.terms.filter { term in !threadTerms.contains(term) }
        let othersUniform = others.allSatisfy { acrossWarp ? !addressing.variesAcrossLanes($0) : !addressing.mentionsThread($0) }
        if threadTerms.isEmpty { return othersUniform ? .uniform : .other }
        guard threadTerms.count == 1, othersUniform else { return .other }
        return others.contains(where: isScaledRow) ? .coalescedRows : .flat
    }

    /// A comment at the kernel, at a helper it calls, or the file header's line about this kernel version, that
    /// states coalesced access: "coalesced", or consecutive/contiguous addresses for consecutive threads, lanes or
    /// a warp. Sentences with a hedge or a denial do not count.
    static func statement(about kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> Node? {
        let comments = MemSupport.comments(reachedFrom: kernel, facts).map { ($0.text, $0) }
            + MemSupport.headerLines(about: kernel, facts).map { ($0.line, $0.node) }
        for (text, node) in comments {
            for sentence in text.lowercased().split(whereSeparator: { ".;:!?".contains($0) }) {
                let words = MemSupport.identifiersAndNumbers(String(sentence))
                if words.contains(where: { MemSupport.hedges.contains($0) }) { continue }
                if words.contains(where: { $0.hasPrefix("coalesc") }) { return node }
                // "consecutive threads", "neighbouring lanes" (not "each thread reads 8 consecutive ids", which is
                // contiguity inside one thread), or a warp covering a contiguous span.
                let adjacency: Set<String> = ["consecutive", "contiguous", "adjacent", "neighbouring", "neighboring", "successive"]
                let threadWords: Set<String> = ["thread", "threads", "lane", "lanes"]
                for (i, word) in words.enumerated() where adjacency.contains(word) {
                    if words[(i + 1)..<min(words.count, i + 3)].contains(where: threadWords.contains) { return node }
                }
                if words.contains(where: { $0 == "warp" || $0 == "warps" }), words.contains(where: adjacency.contains) { return node }
            }
        }
        return nil
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
        dependentVariables(in: function) { value, known in mentionsThread(value, known) }
    }

    /// Locals whose value `depends` says depends on the thread, given the locals already found to (initialised or
    /// assigned from such an expression; followed three rounds deep).
    static func dependentVariables(in function: CUDAFacts.Function, _ depends: (Node, Set<String>) -> Bool) -> Set<String> {
        guard let body = function.body else { return [] }
        var result: Set<String> = []
        let assignments = MemSupport.assignments(in: body)
        for _ in 0..<3 {
            for (target, value, _, _) in assignments {
                guard let value, ["identifier", "pointer_declarator", "reference_declarator"].contains(target.type),
                      let name = MemSupport.declaredIdentifier(target),
                      !result.contains(name), depends(value, result) else { continue }
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

    /// A literal of the form 2^k - 1 (`31`, `0x1f`, `63`): masking with it keeps the low bits, like `% 2^k`.
    static func isLowBitMask(_ node: Node) -> Bool {
        guard node.type == "number_literal", let number = KernelAST.number(node.text), number > 0, number < 0x1p53,
              number.rounded() == number else { return false }
        let value = UInt64(number)
        return value & (value + 1) == 0
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
                    // `threadIdx.x & 31`: a low-bit mask is `% 32`.
                    if op == "&", let mask = [parent.child(byField: "left"), parent.child(byField: "right")]
                        .compactMap({ $0 }).first(where: { $0 != current }), isLowBitMask(mask) { current = parent; continue }
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
