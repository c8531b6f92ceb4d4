import TreeSitterKit

/// `shared_memory_tiling`: global data is staged in `__shared__` memory and read back by other threads or in
/// other passes. Requires a shared array (static, dynamic, or a pointer into one) that is written from a
/// global-memory read (directly, through a local loaded from global memory, or by an async copy into it) and
/// read somewhere at a different index than the one each thread wrote. Shared memory that only holds values
/// computed in registers (reduction scratch), that is combined in place (`s[i] += s[i + k]`, a tree
/// reduction), or that each thread reads back only at its own slot does not count, unless the read-back is a
/// later pass over the staged data: the store sits in a loop that also uses the stored local for its own work
/// (a first pass) and the read in a later loop that does not contain the store (a softmax row staged while its
/// statistics are taken, then re-read to normalise).
struct SharedMemoryTiling: TechniqueDetector {
    let id = "shared_memory_tiling"

    static let asyncCopies: Set<String> = ["__pipeline_memcpy_async", "memcpy_async"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let roots = MemSupport.sharedRoots(kernel, facts)
        let shared = Set(roots.keys)
        guard !shared.isEmpty else { return [] }
        var staged: [String: [(target: Node, statement: Node)]] = [:]
        var combined: Set<String> = []
        let functions = facts.reach(kernel)
        for f in functions {
            guard let body = f.body else { continue }
            let pointers = MemSupport.pointerNames(in: f).subtracting(shared)
            for (target, value, op, node) in MemSupport.assignments(in: body) {
                guard node.type != "init_declarator", let name = MemSupport.base(of: target), let root = roots[name] else { continue }
                if let value, MemSupport.mentions(shared, in: value) || (op != "=" && op != "++" && op != "--") {
                    let aliases = Set(roots.filter { $0.value == root }.keys)
                    if op != "=" || MemSupport.mentions(aliases, in: value) { combined.insert(root) }
                }
                if op == "=", let value, Self.readsGlobal(value, in: body, before: node, pointers: pointers) {
                    staged[root, default: []].append((target, node))
                }
            }
            // Asynchronous copies whose destination is a shared array.
            for call in body.preorder where call.type == "call_expression" {
                guard let callee = call.child(byField: "function"),
                      !facts.expansion(of: MemSupport.calleeSpelling(callee)).isDisjoint(with: Self.asyncCopies),
                      let arguments = call.child(byField: "arguments")?.namedChildren else { continue }
                // cg::memcpy_async(group, dst, src, bytes) has the group first.
                for argument in arguments.prefix(2) {
                    if let name = MemSupport.base(of: argument), let root = roots[name] { staged[root, default: []].append((argument, call)); break }
                }
            }
        }
        var evidence: [Evidence] = []
        for (name, writes) in staged.sorted(by: { $0.key < $1.key }) where !combined.contains(name) {
            let writtenAt = Set(writes.map { Self.indexText($0.target) })
            let asyncStaged = writes.contains { $0.statement.type == "call_expression" }
            let aliases = roots.filter { $0.value == name }.keys.sorted()
            for f in functions {
                guard let body = f.body else { continue }
                let reread = aliases.flatMap { MemSupport.uses(of: $0, in: body) }.first { use in
                    let access = Self.outerAccess(use)
                    guard !MemSupport.isWritten(access), !writes.contains(where: { MemSupport.contains($0.statement, use) }) else { return false }
                    return asyncStaged || !writtenAt.contains(Self.indexText(access)) || Self.rereadInLaterPass(use, after: writes)
                }
                if let reread {
                    evidence.append(facts.evidence(writes[0].statement, "global data staged in shared `\(name)`"))
                    evidence.append(facts.evidence(Self.outerAccess(reread), "staged data re-read from shared memory"))
                    break
                }
            }
        }
        return evidence
    }

    /// Whether `value` reads global memory, directly or through a local initialised from a global read.
    static func readsGlobal(_ value: Node, in body: Node, before statement: Node, pointers: Set<String>) -> Bool {
        if !MemSupport.memoryReads(in: value, pointers: pointers).isEmpty { return true }
        let names = Set(value.preorder.filter { $0.type == "identifier" }.map(\.text))
        for declarator in body.preorder where declarator.type == "init_declarator" && declarator.startByte < statement.startByte {
            guard let name = MemSupport.declaredIdentifier(declarator.child(byField: "declarator") ?? declarator), names.contains(name),
                  let initial = declarator.child(byField: "value") else { continue }
            if !MemSupport.memoryReads(in: initial, pointers: pointers).isEmpty { return true }
        }
        return false
    }

    /// Whether `use` re-reads staged data in a later pass: some store `s[q] = v` lies in a loop that does not
    /// contain the use and that uses the local `v` elsewhere too (the first pass consumes the value it stages),
    /// and the use lies in a loop that starts after that one ends.
    static func rereadInLaterPass(_ use: Node, after writes: [(target: Node, statement: Node)]) -> Bool {
        let readLoops = KernelAST.enclosingLoops(use)
        return writes.contains { write in
            guard let value = write.statement.child(byField: "right"), value.type == "identifier",
                  let loop = KernelAST.enclosingLoops(write.statement).first(where: { !KernelAST.isInside(use, $0) }),
                  readLoops.contains(where: { $0.startByte >= loop.endByte }) else { return false }
            return loop.preorder.contains { node in
                node.type == "identifier" && node.text == value.text && !KernelAST.isInside(node, write.statement)
                    && node.parent?.type != "init_declarator"
            }
        }
    }

    /// The outermost subscript chain around an identifier use (`tile[ty][k]` for `tile`).
    static func outerAccess(_ use: Node) -> Node {
        var current = use
        while let parent = current.parent {
            if parent.type == "subscript_expression", parent.child(byField: "argument") == current { current = parent; continue }
            if parent.type == "parenthesized_expression" || parent.type == "cast_expression" { current = parent; continue }
            if parent.type == "argument_list", let call = parent.parent, call.type == "call_expression",
               call.child(byField: "function")?.type == "template_function" { current = call; continue }
            if parent.type == "binary_expression", ["+", "-"].contains(parent.child(byField: "operator")?.type ?? "") {
                // Pointer arithmetic into the array: `tile + k`.
                current = parent; continue
            }
            break
        }
        return current
    }

    /// The index part of an access, whitespace-free (`[threadIdx.y][threadIdx.x]`).
    static func indexText(_ access: Node) -> String {
        var parts: [String] = []
        var current: Node? = access
        while let c = current {
            if c.type == "subscript_expression" {
                parts.insert(c.child(byField: "indices")?.text ?? "", at: 0)
                current = c.child(byField: "argument")
            } else if c.type == "parenthesized_expression" || c.type == "cast_expression" {
                current = c.type == "cast_expression" ? c.child(byField: "value") : c.namedChild(0)
            } else if c.type == "binary_expression" {
                parts.insert(c.text, at: 0); break
            } else {
                break
            }
        }
        return parts.joined().filter { !$0.isWhitespace }
    }
}
