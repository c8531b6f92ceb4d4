import TreeSitterKit

/// `batched_launch`: one launch covers several independent tensors or slices through an extra grid
/// dimension: `blockIdx.y` / `blockIdx.z` (directly, through a variable or macro, or a block's
/// `group_index().y`) selects the slice that a global-memory access reads or writes (`ptrs[blockIdx.y]`,
/// `x + blockIdx.y * N`, `(b * NH + h) * T` with `h = blockIdx.y`). A second grid dimension that tiles one
/// matrix (`blockIdx.y * TILE + threadIdx.y`, `blockIdx.y * blockDim.x + threadIdx.x`), rows walked by a
/// grid-stride loop over `gridDim.y`, a y axis the kernel elsewhere combines with `threadIdx.y` (split-K
/// partial slots of one problem), a `blockIdx.y` that is only compared, and a loop over slices inside the kernel
/// do not count.
struct BatchedLaunch: TechniqueDetector {
    let id = "batched_launch"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence: [Evidence] = []
        let rowLoops = Set(GridStrideLoop.loops(flow).map(\.variable))
        let tiled = tilingAxes(flow)
        for access in flow.nodes(["subscript_expression", "binary_expression"]) {
            if access.type == "subscript_expression" {
                guard access.parent?.type != "subscript_expression", flow.sharedAccess(access) == nil else { continue }
            } else {
                // Pointer arithmetic: `x + blockIdx.y * N` assigned to a pointer or passed on.
                guard flow.operatorText(access) == "+", ["init_declarator", "argument_list", "assignment_expression"].contains(access.parent?.type ?? "") else { continue }
                guard access.preorder.contains(where: { $0.type == "identifier" && isPointer($0, flow) }) else { continue }
            }
            let origin = flow.origin(access)
            for axis in ["y", "z"] where origin.contains("blockIdx.\(axis)") && !tiled.contains(axis) {
                if origin.contains("threadIdx.\(axis)") || origin.contains("blockDim.\(axis)") { continue }
                guard selectsSlice(access, axis: axis, rowLoops: rowLoops, flow) else { continue }
                evidence.append(facts.evidence(access, "blockIdx.\(axis) selects the slice this block works on"))
                break
            }
        }
        return evidence
    }

    /// Grid axes the kernel uses as part of one problem's decomposition: somewhere `blockIdx.<axis>` is combined
    /// with `threadIdx.<axis>` / `blockDim.<axis>` (a thread coordinate), or a loop strides by `gridDim.<axis>`.
    func tilingAxes(_ flow: KernelIndexFlow) -> Set<String> {
        var axes: Set<String> = []
        let values = flow.nodes(["init_declarator", "assignment_expression"]).compactMap {
            $0.child(byField: $0.type == "init_declarator" ? "value" : "right")
        }
        for axis in ["y", "z"] {
            let combined = values.contains { value in
                let origin = flow.origin(value)
                return origin.contains("blockIdx.\(axis)") && (origin.contains("threadIdx.\(axis)") || origin.contains("blockDim.\(axis)"))
            }
            let strided = flow.loops().contains { flow.isGridStride($0) && flow.origin($0.stride).contains("gridDim.\(axis)") }
            if combined || strided { axes.insert(axis) }
        }
        return axes
    }

    /// Whether `blockIdx.<axis>` reaches the access as a slice number: not scaled by a block width
    /// (`blockIdx.y * blockDim.x + threadIdx.x` is a thread coordinate) and not only through the variable of a
    /// grid-stride loop over rows (`for (row = blockIdx.y; ...; row += gridDim.y)` walks one matrix).
    func selectsSlice(_ access: Node, axis: String, rowLoops: Set<String>, _ flow: KernelIndexFlow) -> Bool {
        let token = "blockIdx.\(axis)"
        for part in access.preorder where part.type == "identifier" || part.type == "field_expression" {
            guard part.type != "identifier" || part.parent?.type != "field_expression" else { continue }
            if part.type == "identifier", rowLoops.contains(part.text) { continue }
            guard flow.origin(part).contains(token) else { continue }
            if !scaledByBlockWidth(part, token: token, flow) { return true }
        }
        return false
    }

    /// `blockIdx.y * blockDim.x` (directly or in the variable's definition).
    func scaledByBlockWidth(_ part: Node, token: String, _ flow: KernelIndexFlow, depth: Int = 2) -> Bool {
        var expressions: [Node] = []
        if part.type == "identifier" { expressions = flow.values(of: part.text, at: part) } else {
            var current = part
            while let parent = current.parent, ["binary_expression", "parenthesized_expression"].contains(parent.type) { current = parent }
            expressions = [current]
        }
        guard !expressions.isEmpty else { return false }
        return expressions.allSatisfy { expression in
            expression.preorder.contains { node in
                guard node.type == "binary_expression", flow.operatorText(node) == "*" else { return false }
                let left = flow.origin(node.child(byField: "left")), right = flow.origin(node.child(byField: "right"))
                return (left.contains(token) && right.dependsOnBlockDim) || (right.contains(token) && left.dependsOnBlockDim)
            }
        }
    }

    func isPointer(_ identifier: Node, _ flow: KernelIndexFlow) -> Bool {
        if case .parameter(let isPointer, _) = flow.resolve(identifier.text, at: identifier) { return isPointer }
        return false
    }
}
