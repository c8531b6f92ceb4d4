import TreeSitterKit

/// `block_scheduling_order`: the mapping from block to work is deliberately permuted. In a kernel: the work
/// index is the block index reversed (`gridDim.x - 1 - blockIdx.x`, `num_rows - blockIdx.x - 1`) so the
/// heaviest blocks start first or the next kernel finds recent data in cache. On the host: work is sorted largest
/// first (a `sort` whose comparator orders by `>`, or `std::greater`) in a function that then launches a
/// kernel. A last-block test (`blockIdx.x == gridDim.x - 1`), a remaining-element count
/// (`n - blockIdx.x * BLOCK`), a reversed thread index, and an ascending sort do not count.
struct BlockSchedulingOrder: TechniqueDetector {
    let id = "block_scheduling_order"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence: [Evidence] = []
        for node in flow.nodes(["binary_expression"]) where flow.operatorText(node) == "-" {
            let left = flow.origin(node.child(byField: "left"))
            guard isBlockIndex(node.child(byField: "right"), flow), !left.isEmpty, !left.dependsOnBlockIndex,
                  !left.dependsOnThread, !isCompared(node, flow) else { continue }
            evidence.append(facts.evidence(node, "blocks take their work in reverse order"))
        }
        return evidence
    }

    /// The block index itself (not an offset such as `blockIdx.x * 256`): `blockIdx.x`, a macro or a variable
    /// holding it, a grid group's `block_rank()`.
    func isBlockIndex(_ node: Node?, _ flow: KernelIndexFlow, depth: Int = 2) -> Bool {
        guard let value = flow.strip(node) else { return false }
        switch value.type {
        case "field_expression", "call_expression":
            let origin = flow.origin(value)
            return origin.count == 1 && origin.dependsOnBlockIndex
        case "binary_expression":
            // `gridDim.x - (blockIdx.x + 1)`
            guard flow.operatorText(value) == "+" else { return false }
            let left = value.child(byField: "left"), right = value.child(byField: "right")
            return (isBlockIndex(left, flow, depth: depth) && flow.isCompileTime(right))
                || (isBlockIndex(right, flow, depth: depth) && flow.isCompileTime(left))
        case "identifier":
            guard depth > 0 else { return false }
            if flow.facts.macros[value.text] != nil { return isBlockIndex(flow.macroExpression(value.text), flow, depth: depth - 1) }
            let values = flow.values(of: value.text, at: value)
            return !values.isEmpty && values.allSatisfy { isBlockIndex($0, flow, depth: depth - 1) }
        default:
            return false
        }
    }

    /// Whether the expression (through `- 1` and parentheses) is an operand of a comparison.
    func isCompared(_ node: Node, _ flow: KernelIndexFlow) -> Bool {
        var current = node.parent
        while let c = current, c.type == "parenthesized_expression" || (c.type == "binary_expression" && ["-", "+"].contains(flow.operatorText(c))) {
            current = c.parent
        }
        guard let parent = current else { return false }
        if parent.type == "binary_expression", ["==", "!=", "<", ">", "<=", ">="].contains(flow.operatorText(parent)) { return true }
        return parent.type == "condition_clause"
    }

    static let sorts: Set<String> = ["sort", "stable_sort", "partial_sort"]

    func detectHost(_ facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for function in facts.hostFunctions {
            guard let body = function.body,
                  body.preorder.contains(where: { $0.type == "kernel_call_syntax" }) else { continue }
            let flow = KernelIndexFlow(function, in: facts, reach: false)
            for call in body.preorder where call.type == "call_expression" && Self.sorts.contains(flow.bareCallee(call)) {
                if let comparator = call.child(byField: "arguments")?.namedChildren.last, isDescending(comparator, flow) {
                    evidence.append(facts.evidence(call, "work is ordered largest first before the launch"))
                }
            }
        }
        return evidence
    }

    /// A comparator that orders by `>`: a lambda (or a function of this source) returning `a... > b...`, or
    /// `std::greater`.
    func isDescending(_ comparator: Node, _ flow: KernelIndexFlow) -> Bool {
        if comparator.text.contains("greater"), comparator.type == "call_expression" || comparator.type == "compound_literal_expression" {
            return comparator.preorder.contains { $0.type == "type_identifier" && $0.text == "greater" || $0.type == "identifier" && $0.text == "greater" }
        }
        var body: Node?
        if comparator.type == "lambda_expression" {
            body = comparator.child(byField: "body")
        } else if comparator.type == "identifier" {
            body = flow.facts.functions.first { $0.name == comparator.text }?.body
        }
        guard let body else { return false }
        return body.preorder.contains { node in
            guard node.type == "return_statement", let value = flow.strip(node.namedChild(0)), value.type == "binary_expression" else { return false }
            return flow.operatorText(value) == ">"
        }
    }
}
