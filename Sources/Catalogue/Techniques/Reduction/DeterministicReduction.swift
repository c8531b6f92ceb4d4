import TreeSitterKit

/// `deterministic_reduction`: a reduction kernel whose summation order is fixed: it reduces (block or warp
/// level), uses no floating-point atomics anywhere (integer tickets are fine), and either says so (a comment in
/// the kernel, its helpers, right above it, or at its launch site speaks of determinism, reproducibility or
/// avoiding atomics), or is built for it: it is launched as a single block, or it writes per-block partials
/// (`partial[blockIdx.x] = ...`) that another kernel launched as a single block reduces in a fixed order.
/// Kernels that finish with a float `atomicAdd`, and ordinary reductions that neither state the goal nor have
/// the two-stage / single-block shape, do not count.
struct DeterministicReduction: TechniqueDetector {
    let id = "deterministic_reduction"

    static let floatAtomics: Set<String> = ["atomicAdd", "atomicSub", "atomicExch", "atomicCAS", "atomicMax", "atomicMin",
                                            "atomicAdd_block", "atomicAdd_system"]
    static let statements = ["determinis", "reproducib", "bitwise", "bit-exact", "bit exact", "run-to-run", "run to run",
                             "fixed order", "same order"]
    static let atomicAvoidance = ["avoid", "without", "no atomic", "instead of", "atomic-free", "not use", "n't use",
                                  "do not use", "no float atomic"]

    /// A comment presenting determinism, or avoiding atomics, as the goal.
    static func statesGoal(_ comment: String) -> Bool {
        let text = comment.lowercased()
        if statements.contains(where: { text.contains($0) }) { return true }
        return text.contains("atomic") && atomicAvoidance.contains { text.contains($0) }
    }

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        guard reduces(kernel, facts) else { return [] }
        let flow = KernelIndexFlow(kernel, in: facts)
        let atomics = flow.nodes(["call_expression"]).filter { flow.calls($0, anyOf: Self.floatAtomics) }
        guard atomics.allSatisfy({ targetsInteger($0, flow) }) else { return [] }
        var evidence: [Evidence] = []
        for comment in flow.comments() + launchComments(kernel, flow) {
            if Self.statesGoal(comment.text) {
                evidence.append(facts.evidence(comment, "the reduction order is fixed on purpose"))
                break
            }
        }
        let singleBlockLaunches = flow.launchSites(of: kernel).filter { isSingleBlock($0.configuration.first, flow) }
        if let launch = singleBlockLaunches.first {
            evidence.append(facts.evidence(launch.call, "reduced by a single block in a fixed order"))
        } else if let store = perBlockPartial(flow), let next = secondStage(after: kernel, flow) {
            evidence.append(facts.evidence(store, "per-block partial, reduced by `\(next)` in a fixed order"))
        }
        return evidence
    }

    func reduces(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> Bool {
        if !BlockReduction().detect(kernel: kernel, in: facts).isEmpty || !WarpShuffleReduction().detect(kernel: kernel, in: facts).isEmpty {
            return true
        }
        // A warp-reduction helper from a shared header (`warpReduceSum`), not defined in this source.
        let defined = Set(facts.functions.map(\.name))
        return facts.callNodes(in: kernel).contains { name, _ in
            let bare = String(name.split(separator: ":").last ?? Substring(name))
            let lower = bare.lowercased()
            return !defined.contains(bare) && facts.macros[bare] == nil && (lower.hasPrefix("warpreduce") || lower.hasPrefix("warp_reduce"))
        }
    }

    /// Whether an atomic's target is an integer (a ticket or counter) rather than a floating-point value.
    func targetsInteger(_ call: Node, _ flow: KernelIndexFlow) -> Bool {
        guard var target = call.child(byField: "arguments")?.namedChild(0) else { return false }
        if target.type == "cast_expression" { return isIntegerType(target.child(byField: "type")?.text ?? "", flow) }
        while true {
            if target.type == "cast_expression", let type = target.child(byField: "type") { return isIntegerType(type.text, flow) }
            guard let next = target.child(byField: "argument") ?? target.namedChild(0) ?? nil,
                  ["pointer_expression", "subscript_expression", "parenthesized_expression", "binary_expression",
                   "field_expression", "cast_expression"].contains(target.type) else { break }
            target = target.type == "binary_expression" ? (target.child(byField: "left") ?? next) : next
        }
        guard target.type == "identifier" else { return false }
        for declaration in flow.declarationsVisible(target.text, at: target) {
            if let type = declaration.child(byField: "type") { return isIntegerType(type.text, flow) }
        }
        return false
    }

    func isIntegerType(_ type: String, _ flow: KernelIndexFlow, depth: Int = 2) -> Bool {
        let words = Set(CUDAFacts.identifiers(in: type))
        if !words.isDisjoint(with: ["float", "double", "half", "__half", "__half2", "__nv_bfloat16", "__nv_bfloat162",
                                    "nv_bfloat16", "half2", "floatX", "bf16"]) { return false }
        if !words.isDisjoint(with: ["int", "unsigned", "long", "short", "char", "size_t", "uint32_t", "int32_t", "uint64_t",
                                    "int64_t", "uint", "unsigned_int"]) { return true }
        // A typedef of this source: follow it.
        guard depth > 0 else { return false }
        for node in flow.facts.root.preorder where node.type == "type_definition" || node.type == "alias_declaration" {
            let declared = node.child(byField: "declarator")?.text ?? node.child(byField: "name")?.text
            if let declared, words.contains(declared), let aliased = node.child(byField: "type") {
                return isIntegerType(aliased.text, flow, depth: depth - 1)
            }
        }
        return false
    }

    /// Comments in the host functions that launch the kernel.
    func launchComments(_ kernel: CUDAFacts.Function, _ flow: KernelIndexFlow) -> [Node] {
        flow.launchSites(of: kernel).flatMap { site -> [Node] in
            var current = site.call.parent
            while let c = current, c.type != "function_definition" { current = c.parent }
            return current?.preorder.filter { $0.type == "comment" } ?? []
        }
    }

    func isSingleBlock(_ grid: Node?, _ flow: KernelIndexFlow) -> Bool {
        guard let grid = flow.strip(grid) else { return false }
        if flow.literalValue(grid) == 1 { return true }
        if grid.type == "call_expression", flow.bareCallee(grid) == "dim3" {
            return (grid.child(byField: "arguments")?.namedChildren ?? []).allSatisfy { flow.literalValue($0) == 1 }
        }
        return false
    }

    /// A store to global memory at an index made of the block index alone: `partial[blockIdx.x] = v`.
    func perBlockPartial(_ flow: KernelIndexFlow) -> Node? {
        flow.nodes(["assignment_expression"]).first { assignment in
            guard let left = flow.strip(assignment.child(byField: "left")), left.type == "subscript_expression",
                  flow.sharedAccess(left) == nil, let index = left.child(byField: "indices") else { return false }
            let origin = flow.origin(index)
            return origin.dependsOnBlockIndex && !origin.dependsOnThread
        }
    }

    /// Another reducing kernel of this source, launched as a single block from the same host function as this
    /// kernel and handed one of the same buffers (the partials).
    func secondStage(after kernel: CUDAFacts.Function, _ flow: KernelIndexFlow) -> String? {
        let facts = flow.facts
        let firstLaunches = flow.launchSites(of: kernel)
        guard !firstLaunches.isEmpty else { return nil }
        for other in facts.kernels where other.name != kernel.name && reduces(other, facts) {
            for second in flow.launchSites(of: other) where isSingleBlock(second.configuration.first, flow) {
                for first in firstLaunches where hostFunction(first.call) == hostFunction(second.call) {
                    if !arguments(first.call).isDisjoint(with: arguments(second.call)) { return other.name }
                }
            }
        }
        return nil
    }

    func hostFunction(_ node: Node) -> Node? {
        var current = node.parent
        while let c = current, c.type != "function_definition" { current = c.parent }
        return current
    }

    /// The plain variable names passed to a launch.
    func arguments(_ call: Node) -> Set<String> {
        Set((call.child(byField: "arguments")?.namedChildren ?? []).filter { $0.type == "identifier" }.map(\.text))
    }
}
