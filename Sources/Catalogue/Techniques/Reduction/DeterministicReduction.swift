import TreeSitterKit

/// `deterministic_reduction`: a reduction kernel whose summation order is fixed: it reduces (block or warp
/// level), uses no floating-point atomics anywhere (integer tickets are fine), and either says so (a comment in
/// the kernel, its helpers, right above it, or at its launch site speaks of determinism, reproducibility or
/// avoiding atomics), or is built for it: it is launched as a single block, or it writes per-block partials
/// (`partial[blockIdx.x] = ...`) that a kernel launched next on the same buffer sums in a fixed order (a single
/// reducing block, or threads looping over the partials).
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
        } else if let store = perBlockPartial(flow), let next = secondStage(after: kernel, partials: store, flow) {
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

    /// A store to global memory at a slot of this block: `partial[blockIdx.x] = v`,
    /// `buf[c + blockIdx.y * OC] = a`.
    func perBlockPartial(_ flow: KernelIndexFlow) -> Node? {
        flow.nodes(["assignment_expression"]).first { assignment in
            guard flow.operatorText(assignment) == "=", let left = flow.strip(assignment.child(byField: "left")),
                  left.type == "subscript_expression", flow.sharedAccess(left) == nil,
                  let index = left.child(byField: "indices") else { return false }
            return flow.origin(index).dependsOnBlockIndex
        }
    }

    /// The kernel that sums the partials in a fixed order: launched after this kernel from the same host
    /// function with the partials buffer this kernel stored into, and either a reducing kernel launched as a
    /// single block or a kernel whose threads add that buffer up in a loop (`for (k = 0; k < m; k++)
    /// sum += part[i + k * n]`).
    func secondStage(after kernel: CUDAFacts.Function, partials store: Node, _ flow: KernelIndexFlow) -> String? {
        let facts = flow.facts
        // The parameter the partials are stored through, and its position.
        guard let base = flow.strip(store.child(byField: "left"))?.child(byField: "argument"), base.type == "identifier",
              let position = flow.parameters(of: kernel.node).firstIndex(where: { $0.name == base.text }) else { return nil }
        for first in flow.launchSites(of: kernel) {
            let firstArguments = first.call.child(byField: "arguments")?.namedChildren ?? []
            guard position < firstArguments.count, firstArguments[position].type == "identifier" else { continue }
            let buffer = firstArguments[position].text
            let host = hostFunction(first.call)
            // Kernels launched later in the same host function with the buffer among their arguments.
            let later = Set(host?.preorder.filter { node in
                node.type == "call_expression" && node.startByte > first.call.startByte
                    && node.namedChildren.contains { $0.type == "kernel_call_syntax" }
                    && (node.child(byField: "arguments")?.namedChildren.contains { $0.type == "identifier" && $0.text == buffer } ?? false)
            }.map { flow.bareCallee($0) } ?? [])
            for other in facts.kernels where other.name != kernel.name && later.contains(other.name) {
                let otherFlow = KernelIndexFlow(other, in: facts)
                let parameters = otherFlow.parameters(of: other.node)
                for second in otherFlow.launchSites(of: other)
                where hostFunction(second.call) == host && first.call.startByte < second.call.startByte {
                    let arguments = second.call.child(byField: "arguments")?.namedChildren ?? []
                    guard let at = arguments.firstIndex(where: { $0.type == "identifier" && $0.text == buffer }), at < parameters.count else { continue }
                    if isSingleBlock(second.configuration.first, otherFlow) && reduces(other, facts) { return other.name }
                    if sumsInLoop(otherFlow, over: parameters[at].name) { return other.name }
                }
            }
        }
        return nil
    }

    /// A loop whose body adds elements of `buffer` chosen by the loop variable into a local accumulator.
    func sumsInLoop(_ flow: KernelIndexFlow, over buffer: String) -> Bool {
        flow.loops().contains { loop in
            guard let body = loop.body, let bound = loop.bound, !flow.isCompileTime(bound) else { return false }
            return body.preorder.contains { node in
                guard node.type == "assignment_expression", flow.operatorText(node) == "+=",
                      flow.strip(node.child(byField: "left"))?.type == "identifier", let right = node.child(byField: "right") else { return false }
                return right.preorder.contains { read in
                    read.type == "subscript_expression" && flow.strip(read.child(byField: "argument"))?.text == buffer
                        && flow.references(read, loop.variable)
                }
            }
        }
    }

    func hostFunction(_ node: Node) -> Node? {
        var current = node.parent
        while let c = current, c.type != "function_definition" { current = c.parent }
        return current
    }
}
