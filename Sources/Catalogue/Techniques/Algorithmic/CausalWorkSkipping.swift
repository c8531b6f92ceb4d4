import TreeSitterKit

/// `causal_work_skipping`: whole blocks or tiles above the causal diagonal are never computed. Found as
/// - an early exit (`return`, `break`, `continue`) guarded by a comparison of two block/tile positions: both
///   sides derive from `blockIdx` or a loop counter, neither from `threadIdx` (`if (blockIdx.y > blockIdx.x)
///   return;`, `if (kv_tile > q_tile) break;`), or
/// - a tile loop whose bound is the block's row position (`for (kb = 0; kb <= blockIdx.x; ++kb)`), recognised
///   as a tile loop because it synchronises the block, steps by more than one, or scales the bound.
/// Rejected: element-level causal math (`for (t2 = 0; t2 <= t; t2++)` or `if (t2 > t) return;` with positions
/// built from `threadIdx`), plain bounds checks against sizes, and grid-stride loops.
struct CausalWorkSkipping: TechniqueDetector {
    let id = "causal_work_skipping"

    enum Origin: Hashable { case block, thread }

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let origins = Self.origins(in: body)
            func origin(_ node: Node) -> Set<Origin> {
                var result = Self.direct(node)
                for id in KernelAST.identifiers(in: node) { result.formUnion(origins[id] ?? []) }
                return result
            }
            let loopVariables = Set(body.preorder.filter { $0.type == "for_statement" }.compactMap(KernelAST.loopVariable))

            for n in body.preorder where n.type == "if_statement" {
                guard let condition = n.child(byField: "condition"), let consequence = n.child(byField: "consequence"),
                      exits(consequence) else { continue }
                let comparisons = condition.preorder.filter { c in
                    c.type == "binary_expression" && ["<", ">", "<=", ">="].contains(KernelAST.op(c) ?? "")
                }
                for c in comparisons {
                    guard let l = c.child(byField: "left"), let r = c.child(byField: "right") else { continue }
                    let lo = origin(l), ro = origin(r)
                    guard !lo.contains(.thread), !ro.contains(.thread), lo.contains(.block) || ro.contains(.block) else { continue }
                    let blockOrLoop: (Node, Set<Origin>) -> Bool = { side, o in
                        o.contains(.block) || !Set(KernelAST.identifiers(in: side)).isDisjoint(with: loopVariables)
                    }
                    if blockOrLoop(l, lo), blockOrLoop(r, ro) {
                        evidence.append(facts.evidence(n, "block/tile above the causal diagonal exits early"))
                        break
                    }
                }
            }
            for loop in body.preorder where loop.type == "for_statement" {
                guard let variable = KernelAST.loopVariable(loop), let condition = loop.child(byField: "condition") else { continue }
                let c = KernelAST.unwrap(condition)
                guard c.type == "binary_expression", ["<", "<="].contains(KernelAST.op(c) ?? ""),
                      let l = c.child(byField: "left"), let r = c.child(byField: "right"),
                      KernelAST.unwrap(l).text == variable else { continue }
                let bound = origin(r)
                guard bound.contains(.block), !bound.contains(.thread) else { continue }
                if let initializer = loop.child(byField: "initializer"), !origin(initializer).isEmpty { continue }
                let loopBody = loop.child(byField: "body")
                let synchronises = loopBody.map { b in
                    b.preorder.contains { $0.type == "call_expression" && ["__syncthreads", "sync", "__syncwarp"].contains(KernelAST.callee($0) ?? "") }
                } ?? false
                let scaled = r.preorder.contains { $0.type == "binary_expression" && ["*", "/", "<<", ">>"].contains(KernelAST.op($0) ?? "") }
                let strided = loop.child(byField: "update").map { u in
                    u.type == "assignment_expression" && KernelAST.op(u) == "+=" && KernelAST.unwrap(u.child(byField: "right") ?? u).text != "1"
                } ?? false
                if synchronises || scaled || strided {
                    evidence.append(facts.evidence(loop, "tile loop bounded by the block's causal row position"))
                }
            }
        }
        return evidence
    }

    func exits(_ statement: Node) -> Bool {
        let exitTypes: Set<String> = ["return_statement", "break_statement", "continue_statement"]
        if exitTypes.contains(statement.type) { return true }
        if statement.type == "compound_statement" {
            return statement.namedChildren.filter { $0.type != "comment" }.last.map { exitTypes.contains($0.type) } ?? false
        }
        return false
    }

    /// Origins written directly in an expression: `blockIdx.*` (block level), `threadIdx.*` / lane or rank
    /// queries (thread level).
    static func direct(_ node: Node) -> Set<Origin> {
        var result = Set<Origin>()
        for n in node.preorder {
            if n.type == "identifier" {
                if n.text == "blockIdx" { result.insert(.block) }
                if n.text == "threadIdx" { result.insert(.thread) }
            } else if n.type == "call_expression", let name = KernelAST.callee(n) {
                if ["thread_rank", "thread_index", "__lane_id", "laneid"].contains(name) { result.insert(.thread) }
                if ["group_index", "block_rank", "block_index"].contains(name) { result.insert(.block) }
            }
        }
        return result
    }

    /// Origins of local variables, propagated through their assignments.
    static func origins(in body: Node) -> [String: Set<Origin>] {
        let assignments = KernelAST.assignments(in: body)
        var result: [String: Set<Origin>] = [:]
        for _ in 0..<3 {
            for a in assignments {
                guard let name = a.name else { continue }
                var o = direct(a.value)
                for id in KernelAST.identifiers(in: a.value) where id != name { o.formUnion(result[id] ?? []) }
                result[name, default: []].formUnion(o)
            }
        }
        return result
    }
}
