import TreeSitterKit

/// Shared by `warp_per_row` and `block_per_row`: a loop whose lanes (or threads) stride across one row with a
/// run-time length, and an access in its body that combines the loop variable with a row index of the right
/// kind.
enum RowMapping {
    /// A stride that is the warp size or a compile-time multiple of it (`32`, `warpSize`, `WARP_SIZE * 4`,
    /// `tile.size()`).
    static func isWarpMultiple(_ node: Node?, _ flow: KernelIndexFlow) -> Bool {
        guard let node = flow.strip(node) else { return false }
        if flow.isWarpSize(node) { return true }
        if let value = flow.literalValue(node) { return value > 0 && value % 32 == 0 }
        if node.type == "binary_expression", flow.operatorText(node) == "*" {
            let left = node.child(byField: "left"), right = node.child(byField: "right")
            return (isWarpMultiple(left, flow) && flow.isCompileTime(right)) || (isWarpMultiple(right, flow) && flow.isCompileTime(left))
        }
        if node.type == "identifier", case .values(let values) = flow.resolve(node.text, at: node), values.count == 1 {
            return isWarpMultiple(values[0], flow)
        }
        return false
    }

    /// An element index in `body` written as a multiple of the stride that grows with `variable`, plus the
    /// thread's own index: `it * 32 + lane`, `(it + p) * WARP + lane`, `it * kThreads + threadIdx.x`. This is
    /// the unrolled spelling of a strided loop (`for (i = lane; ...; i += 32)`), with the loop counting
    /// strides instead of elements. `isThread` accepts the thread operand's origin (a lane, a thread of the
    /// block), `isStride` the width it is multiplied by; the multiplier must not itself depend on a thread or
    /// the block index (`(blockIdx.x * 4 + it) * blockDim.x + threadIdx.x` is a coarsened element index).
    static func hasStridedIndex(in body: Node?, variable: String, _ flow: KernelIndexFlow,
                                isThread: (Set<String>) -> Bool, isStride: (Node) -> Bool) -> Bool {
        guard let body else { return false }
        for node in body.preorder where node.type == "binary_expression" && flow.operatorText(node) == "+" {
            let operands = [node.child(byField: "left"), node.child(byField: "right")].compactMap { flow.strip($0) }
            guard operands.count == 2 else { continue }
            for (thread, scaled) in [(operands[0], operands[1]), (operands[1], operands[0])] {
                guard isThread(flow.origin(thread)), scaled.type == "binary_expression", flow.operatorText(scaled) == "*" else { continue }
                let factors = [scaled.child(byField: "left"), scaled.child(byField: "right")].compactMap { flow.strip($0) }
                guard factors.count == 2 else { continue }
                for (count, stride) in [(factors[0], factors[1]), (factors[1], factors[0])] where isStride(stride) {
                    let origin = flow.origin(count)
                    if flow.references(count, variable), !origin.dependsOnThread, !origin.dependsOnBlockIndex { return true }
                }
            }
        }
        return false
    }

    /// A global-memory access in `body` that uses the loop variable and a component whose origin satisfies
    /// `isRow` (a row pointer or row index).
    static func rowAccess(in body: Node?, variable: String, _ flow: KernelIndexFlow,
                          isRow: (Set<String>) -> Bool) -> Node? {
        guard let body else { return nil }
        for node in body.preorder {
            let candidate: Bool
            switch node.type {
            case "subscript_expression":
                candidate = node.parent?.type != "subscript_expression" && flow.sharedAccess(node) == nil
            case "pointer_expression":
                candidate = node.text.hasPrefix("*") && flow.sharedAccess(node) == nil
            case "binary_expression":
                candidate = flow.operatorText(node) == "+" && node.parent?.type == "argument_list"
            default:
                candidate = false
            }
            guard candidate, flow.references(node, variable) else { continue }
            let hasRow = node.preorder.contains { part in
                (part.type == "identifier" || part.type == "field_expression") && part.text != variable && isRow(flow.origin(part))
            }
            if hasRow { return node }
        }
        return nil
    }
}
