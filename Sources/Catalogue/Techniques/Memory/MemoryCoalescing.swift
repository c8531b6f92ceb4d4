import TreeSitterKit

/// `memory_coalescing` (a design-intent label): the kernel maps consecutive threads to consecutive global
/// addresses AND its author says so. Requires both a comment at the kernel (inside it or right above it, or
/// the file-header line describing this kernel's version number) that calls the access coalesced, and a
/// global access whose index adds the thread's x index (or a variable derived from it, or a cooperative
/// group's `thread_rank()`) without scaling it. Warp-stride loops without such a statement, comments that
/// deny or postpone coalescing (`uncoalesced`, `not coalesced`, `TODO`), and statements on a kernel whose
/// accesses are strided by the thread index (`x[threadIdx.x * C]`) do not count.
struct MemoryCoalescing: TechniqueDetector {
    let id = "memory_coalescing"

    static let denials: Set<String> = ["not", "non", "uncoalesced", "todo", "fixme", "without", "poor", "poorly", "bad",
                                       "isn", "strided", "un", "could", "should"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var statements: [Node] = MemSupport.comments(reachedFrom: kernel, facts).filter { states($0.text) }
        statements += MemSupport.headerLines(about: kernel, facts).filter { states($0.line) }.map(\.node)
        guard let statement = statements.first else { return [] }
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let shared = MemSupport.sharedNames(kernel, facts)
            let pointers = MemSupport.pointerNames(in: f).subtracting(shared)
            let threadVariables = Self.threadLinearVariables(in: f)
            for access in body.preorder where access.type == "subscript_expression" {
                guard access.parent?.type != "subscript_expression" || access.parent?.child(byField: "argument") != access,
                      let root = MemSupport.base(of: access), pointers.contains(root),
                      let indices = access.child(byField: "indices"),
                      Self.isThreadLinear(indices, threadVariables) else { continue }
                return [facts.evidence(statement, "coalescing stated by the author"),
                        facts.evidence(access, "consecutive threads touch consecutive addresses")]
            }
        }
        return []
    }

    func states(_ text: String) -> Bool {
        for line in text.lowercased().split(separator: "\n") {
            let words = MemSupport.identifiersAndNumbers(String(line))
            guard words.contains(where: { $0.hasPrefix("coalesc") }) else { continue }
            if words.contains(where: { Self.denials.contains($0) }) { continue }
            return true
        }
        return false
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

    /// Locals (and loop variables) whose value moves by one when the thread index does: initialised from an
    /// expression that adds `threadIdx.x` (or another such local) without scaling it.
    static func threadLinearVariables(in function: CUDAFacts.Function) -> Set<String> {
        guard let body = function.body else { return [] }
        var result: Set<String> = []
        for _ in 0..<3 {
            for node in body.preorder where node.type == "init_declarator" {
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
