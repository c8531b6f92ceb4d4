import TreeSitterKit

/// `last_block_finalization`: blocks publish partial results, take a ticket from a global atomic counter
/// (`atomicAdd`/`atomicInc` whose result is kept, possibly in a `__shared__` flag), and the block whose ticket is
/// the last one (`== gridDim.x - 1`, or `== n - 1`) does the final reduction — the threadfence-reduction pattern,
/// with or without `__threadfence()`. An atomic counter whose result is ignored, a ticket used as a work index
/// (`tile < numTiles`), and a test for the first ticket (`== 0`) do not count.
struct LastBlockFinalization: TechniqueDetector {
    let id = "last_block_finalization"

    static let counters: Set<String> = ["atomicAdd", "atomicInc", "atomicSub", "atomicAdd_system", "atomicInc_system"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence: [Evidence] = []
        let comparisons = flow.nodes(["binary_expression"]).filter { ["==", "!=", ">="].contains(flow.operatorText($0)) }
        for call in flow.nodes(["call_expression"]) where flow.calls(call, anyOf: Self.counters) {
            // The ticket: the call itself, or the variable it is stored in.
            var ticket: String?
            var current = call.parent
            while let c = current, c.type == "parenthesized_expression" || c.type == "cast_expression" { current = c.parent }
            if let c = current {
                if c.type == "init_declarator" { ticket = flow.declaredName(c.child(byField: "declarator")) }
                if c.type == "assignment_expression", flow.operatorText(c) == "=" {
                    // `flag = ...`, `*flag = ...` (a pointer into shared memory), `flags[0] = ...`.
                    ticket = flow.strip(c.child(byField: "left"))?.preorder.first { $0.type == "identifier" }?.text
                }
            }
            for comparison in comparisons {
                let sides = [comparison.child(byField: "left"), comparison.child(byField: "right")]
                for (index, side) in sides.enumerated() {
                    guard let side, holdsTicket(side, call: call, ticket: ticket), let other = sides[1 - index] else { continue }
                    if isLastIndex(other, flow) {
                        evidence.append(facts.evidence(comparison, "the block drawing the last ticket finishes the reduction"))
                    }
                }
            }
        }
        return evidence
    }

    func holdsTicket(_ side: Node, call: Node, ticket: String?) -> Bool {
        if side.byteRange.overlaps(call.byteRange), side.preorder.contains(where: { $0 == call }) { return true }
        guard let ticket else { return false }
        return side.preorder.contains { $0.type == "identifier" && $0.text == ticket }
    }

    /// `gridDim.x - 1`, `gridDim.x * gridDim.y`, `num_blocks - 1`, or a variable holding one of them.
    func isLastIndex(_ node: Node, _ flow: KernelIndexFlow, depth: Int = 2) -> Bool {
        guard let value = flow.strip(node) else { return false }
        if flow.origin(value).dependsOnGridDim { return true }
        if value.type == "binary_expression", flow.operatorText(value) == "-", flow.literalValue(value.child(byField: "right")) == 1 { return true }
        if value.type == "identifier", depth > 0 {
            return flow.values(of: value.text, at: value).contains { isLastIndex($0, flow, depth: depth - 1) }
        }
        return false
    }
}
