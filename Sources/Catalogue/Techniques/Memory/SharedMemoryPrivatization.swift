import TreeSitterKit

/// `shared_memory_privatization`: each block accumulates into its own copy of an output in shared memory
/// (shared atomics such as `atomicAdd(&s_hist[bin], 1)`, or `s_acc[k] += v` with values that do not come from
/// the same shared array) and later flushes that copy to global memory (`out[i] = s_acc[i]`,
/// `atomicAdd(&hist[i], s_hist[i])`, or a call such as `table_add(g_keys, g_counts, key, s_count[i])` to a helper
/// that adds or stores that parameter into global memory). Shared slots that are also combined with each other
/// (per-thread partial sums finished by a tree reduction), atomics straight into global memory, or a shared
/// accumulator that is never written back does not count.
struct SharedMemoryPrivatization: TechniqueDetector {
    let id = "shared_memory_privatization"

    static let atomics: Set<String> = ["atomicAdd", "atomicSub", "atomicMax", "atomicMin", "atomicOr", "atomicAnd",
                                       "atomicXor", "atomicInc", "atomicDec", "atomicAdd_block", "atomicMax_block",
                                       "atomicMin_block", "atomicAdd_system"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let roots = MemSupport.sharedRoots(kernel, facts)
        let shared = Set(roots.keys)
        guard !shared.isEmpty else { return [] }
        var accumulated: [String: Node] = [:]
        var flushed: [String: Node] = [:]
        var combined: Set<String> = []
        let helpers = flushingParameters(facts.reach(kernel), facts)
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let pointers = MemSupport.pointerNames(in: f).subtracting(shared)
            // `table_add(g_table, key, s_count[i])`: a shared value handed to a helper that adds it to global memory.
            for call in body.preorder where call.type == "call_expression" {
                guard let callee = call.child(byField: "function"), let indices = helpers[MemSupport.calleeSpelling(callee)],
                      let arguments = call.child(byField: "arguments")?.namedChildren else { continue }
                for index in indices where index < arguments.count {
                    for (name, root) in roots where MemSupport.mentions([name], in: arguments[index]) { flushed[root] = flushed[root] ?? call }
                }
            }
            for call in body.preorder where call.type == "call_expression" {
                guard let callee = call.child(byField: "function"),
                      !facts.expansion(of: MemSupport.calleeSpelling(callee)).isDisjoint(with: Self.atomics),
                      let arguments = call.child(byField: "arguments")?.namedChildren, arguments.count >= 2,
                      let target = MemSupport.base(of: arguments[0]) else { continue }
                if let root = roots[target] {
                    if !arguments.dropFirst().contains(where: { MemSupport.mentions(shared, in: $0) }) { accumulated[root] = accumulated[root] ?? call }
                } else if pointers.contains(target) {
                    for argument in arguments.dropFirst() {
                        for (name, root) in roots where MemSupport.mentions([name], in: argument) { flushed[root] = flushed[root] ?? call }
                    }
                }
            }
            for (target, value, op, node) in MemSupport.assignments(in: body) where node.type != "init_declarator" {
                guard let name = MemSupport.base(of: target) else { continue }
                if let root = roots[name], let value, MemSupport.mentions(Set(roots.filter { $0.value == root }.keys), in: value) {
                    // `s[i] += s[i + k]`, `s[i] = max(s[i], s[j])`: slots combined with each other (a tree reduction).
                    if value.preorder.contains(where: { $0.type == "subscript_expression" && MemSupport.base(of: $0).map { roots[$0] == root } == true &&
                        $0.child(byField: "indices")?.text != target.child(byField: "indices")?.text }) { combined.insert(root) }
                }
                if let root = roots[name], op != "=" {
                    if value.map({ !MemSupport.mentions(shared, in: $0) }) ?? true { accumulated[root] = accumulated[root] ?? node }
                } else if pointers.contains(name), let value {
                    for (alias, root) in roots where MemSupport.mentions([alias], in: value) { flushed[root] = flushed[root] ?? node }
                }
            }
        }
        var evidence: [Evidence] = []
        for name in accumulated.keys.sorted() where !combined.contains(name) {
            guard let accumulation = accumulated[name], let flush = flushed[name] else { continue }
            evidence.append(facts.evidence(accumulation, "block-private accumulation into shared `\(name)`"))
            evidence.append(facts.evidence(flush, "private copy flushed to global memory"))
        }
        return evidence
    }

    /// For each reached helper, the positions of its parameters whose value it writes or atomically adds into
    /// global memory through one of its pointer parameters (`atomicAdd(&counts[h], n)`, `out[i] = n`).
    func flushingParameters(_ functions: [CUDAFacts.Function], _ facts: CUDAFacts) -> [String: Set<Int>] {
        var result: [String: Set<Int>] = [:]
        for f in functions {
            guard let body = f.body else { continue }
            let parameters = (f.node.child(byField: "declarator")?.preorder.filter { $0.type == "parameter_declaration" } ?? [])
                .map { MemSupport.declarators(of: $0).first.flatMap { MemSupport.declaredIdentifier($0) } }
            let pointers = MemSupport.pointerNames(in: f)
            var values: [Node] = []
            for call in body.preorder where call.type == "call_expression" {
                guard let callee = call.child(byField: "function"),
                      !facts.expansion(of: MemSupport.calleeSpelling(callee)).isDisjoint(with: Self.atomics),
                      let arguments = call.child(byField: "arguments")?.namedChildren, arguments.count >= 2,
                      let target = MemSupport.base(of: arguments[0]), pointers.contains(target) else { continue }
                values.append(contentsOf: arguments.dropFirst())
            }
            for (target, value, _, node) in MemSupport.assignments(in: body) where node.type != "init_declarator" {
                if let name = MemSupport.base(of: target), pointers.contains(name), let value { values.append(value) }
            }
            for (index, parameter) in parameters.enumerated() {
                guard let parameter, !pointers.contains(parameter),
                      values.contains(where: { MemSupport.mentions([parameter], in: $0) }) else { continue }
                result[f.name, default: []].insert(index)
            }
        }
        return result
    }
}
