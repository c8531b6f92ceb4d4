import TreeSitterKit

/// `deterministic_reduction`: a reduction kernel whose summation order is fixed, decided from code only (comments
/// and identifier spellings play no part): it reduces (block or warp level), uses no floating-point atomics
/// anywhere (integer tickets are fine), and is built for a fixed order: it is launched as a single block, or it
/// writes per-block partials (`partial[blockIdx.x] = ...`) that are summed in a fixed order, either by a kernel
/// launched next on the same buffer (a single reducing block, or threads looping over the partials) or by the
/// last block to finish (the partial made visible with `__threadfence()` before an integer ticket is taken
/// with an atomic: `atomicAdd` on an integer, or `atomicInc`).
/// A reducing kernel that is itself the second stage counts as well: threads of a block share a loop (from their
/// index, by the block size or a fixed step, never by the grid size) that adds up a buffer a reducing kernel
/// launched earlier in the same host function filled with per-block partials, then reduce across the block
/// (`for (c = first + threadIdx.x; c < last; c += blockDim.x) p += part[c].x`, LAMB's per-tensor norm fold).
/// Partials read through a local (`float2 s = part[c]; sum += s.x`) count as read from the buffer.
/// The second stage of such a scheme counts on its own too: a kernel without float atomics whose threads each add
/// up the slices of a buffer in a loop over a runtime count (`for (s = 0; s < splits; ++s) sum += ws[s * plane + i]`,
/// the split-K reduce), where the buffer was handed, earlier in the launching host function, to another kernel (a
/// launch, a call passing a kernel, or a call of a host function that launches one).
/// Kernels that finish with a float `atomicAdd`, ordinary reductions without the two-stage / single-block /
/// ticket shape, and slice-summing loops over inputs no earlier kernel produced (or that multiply by a second
/// buffer, as a matrix-vector product does) do not count.
struct DeterministicReduction: TechniqueDetector {
    let id = "deterministic_reduction"

    static let floatAtomics: Set<String> = ["atomicAdd", "atomicSub", "atomicExch", "atomicCAS", "atomicMax", "atomicMin",
                                            "atomicAdd_block", "atomicAdd_system"]
    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        let atomics = flow.nodes(["call_expression"]).filter { flow.calls($0, anyOf: Self.floatAtomics) }
        guard atomics.allSatisfy({ targetsInteger($0, flow) }) else { return [] }
        guard reduces(kernel, facts) else {
            guard let sum = partialsSum(kernel, flow) else { return [] }
            return [facts.evidence(sum, "adds up the slices another kernel wrote, in a fixed order")]
        }
        var evidence: [Evidence] = []
        let singleBlockLaunches = flow.launchSites(of: kernel).filter { isSingleBlock($0.configuration.first, flow) }
        if let launch = singleBlockLaunches.first {
            evidence.append(facts.evidence(launch.call, "reduced by a single block in a fixed order"))
        } else if let found = perBlockPartials(flow).lazy
                    .compactMap({ store in secondStage(after: kernel, partials: store, flow).map { (store: store, next: $0) } }).first {
            evidence.append(facts.evidence(found.store, "per-block partial, reduced by `\(found.next)` in a fixed order"))
        } else if let store = perBlockPartial(flow), let ticket = ticket(after: store, atomics + counterAtomics(flow), flow) {
            evidence.append(facts.evidence(store, "per-block partial"))
            evidence.append(facts.evidence(ticket, "published with a fence and an integer ticket: the last block sums the partials in order"))
        } else if let sum = partialsSum(kernel, flow, cooperative: true) {
            evidence.append(facts.evidence(sum, "adds up the partials another kernel wrote, then reduces them across the block in a fixed order"))
        }
        return evidence
    }

    func reduces(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> Bool {
        facts.memo("DeterministicReduction.reduces:\(kernel.name)") { computeReduces(kernel, facts) }
    }

    func computeReduces(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> Bool {
        !BlockReduction().detect(kernel: kernel, in: facts).isEmpty || !WarpShuffleReduction().detect(kernel: kernel, in: facts).isEmpty
    }

    /// The atomics that only ever take integers (`atomicInc(&count, n - 1)`, a ticket that wraps itself), which the
    /// float-atomic list leaves out.
    static let counterAtomics: Set<String> = ["atomicInc", "atomicDec"]

    func counterAtomics(_ flow: KernelIndexFlow) -> [Node] {
        flow.nodes(["call_expression"]).filter { flow.calls($0, anyOf: Self.counterAtomics) }
    }

    /// An integer atomic taken after `store`, with a `__threadfence()` between them (the last-block ticket).
    func ticket(after store: Node, _ atomics: [Node], _ flow: KernelIndexFlow) -> Node? {
        let fences = flow.nodes(["call_expression"]).filter { flow.calls($0, anyOf: ["__threadfence"]) }
        return atomics.first { atomic in
            atomic.startByte > store.endByte && fences.contains { $0.startByte > store.endByte && $0.endByte < atomic.startByte }
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
        perBlockPartials(flow).first
    }

    /// Every such store, in source order (an optimizer kernel writes its updated elements at slots of its block
    /// before it stores the block's norm partial).
    func perBlockPartials(_ flow: KernelIndexFlow) -> [Node] {
        flow.nodes(["assignment_expression"]).filter { assignment in
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
                // One flow per second-stage kernel for the whole source: every first-stage kernel asks about it.
                let otherFlow = facts.memo("DeterministicReduction.flow:\(other.name)") { KernelIndexFlow(other, in: facts) }
                let parameters = facts.memo("DeterministicReduction.parameters:\(other.name)") { otherFlow.parameters(of: other.node) }
                for second in otherFlow.launchSites(of: other)
                where hostFunction(second.call) == host && first.call.startByte < second.call.startByte {
                    let arguments = second.call.child(byField: "arguments")?.namedChildren ?? []
                    guard let at = arguments.firstIndex(where: { $0.type == "identifier" && $0.text == buffer }), at < parameters.count else { continue }
                    let single = facts.memo("DeterministicReduction.singleBlock:\(other.name):\(second.call.startByte)") {
                        isSingleBlock(second.configuration.first, otherFlow)
                    }
                    if single && reduces(other, facts) { return other.name }
                    let name = parameters[at].name
                    if facts.memo("DeterministicReduction.sumsInLoop:\(other.name):\(name)", { sumsInLoop(otherFlow, over: name) }) {
                        return other.name
                    }
                }
            }
        }
        return nil
    }

    /// A loop whose body adds elements of `buffer` chosen by the loop variable into a local accumulator
    /// (`sum += part[k * n + i]`, or `p += s.x` with `s` loaded from `part[c]`).
    func sumsInLoop(_ flow: KernelIndexFlow, over buffer: String) -> Bool {
        flow.loops().contains { loop in
            guard let body = loop.body, let bound = loop.bound, !flow.isCompileTime(bound) else { return false }
            return body.preorder.contains { node in
                guard node.type == "assignment_expression", flow.operatorText(node) == "+=",
                      isLocalAccumulator(node.child(byField: "left"), flow), let right = node.child(byField: "right") else { return false }
                return summedBuffers(right, [buffer], flow).contains(buffer) && flow.references(right, loop.variable)
            }
        }
    }

    /// The second stage on its own: an accumulation (`sum += part[s * n + i]`, `acc.x += v.x` with `v` loaded from
    /// `ws + s * plane + i`) inside a loop over a runtime count that starts at a fixed value and steps by a fixed
    /// amount, reading one pointer parameter (and no other) through the loop variable, where that parameter's
    /// buffer was given to another kernel earlier in the host function that launches this one.
    func partialsSum(_ kernel: CUDAFacts.Function, _ flow: KernelIndexFlow, cooperative: Bool = false) -> Node? {
        let pointers = Set(flow.parameters(of: kernel.node).filter(\.isPointer).map(\.name))
        for loop in flow.loops() {
            guard let body = loop.body, let bound = loop.bound, !flow.isCompileTime(bound), loop.start != nil,
                  cooperative ? isBlockSliceLoop(loop, flow) : isFixedLoop(loop, flow) else { continue }
            for node in body.preorder where node.type == "assignment_expression" && flow.operatorText(node) == "+=" {
                guard isLocalAccumulator(node.child(byField: "left"), flow), let right = node.child(byField: "right"),
                      flow.references(right, loop.variable) else { continue }
                let read = summedBuffers(right, pointers, flow)
                guard read.count == 1, let buffer = read.first,
                      cooperative ? partialsFromReduction(kernel, parameter: buffer, flow) : filledEarlier(kernel, parameter: buffer, flow)
                else { continue }
                return node
            }
        }
        return nil
    }

    /// A loop from a fixed first value by a fixed step (`for (s = 0; s < splits; ++s)`).
    func isFixedLoop(_ loop: KernelIndexFlow.Loop, _ flow: KernelIndexFlow) -> Bool {
        flow.isCompileTime(loop.start)
            && (["++", "--"].contains(loop.strideOperator)
                || (["+=", "-="].contains(loop.strideOperator) && flow.isCompileTime(loop.stride)))
    }

    /// A loop that the threads of one block share, in a reducing kernel: it may start at the thread's index and
    /// step by the block size or a fixed amount (`for (p = threadIdx.y; p < parts; p += 8)`,
    /// `for (c = first + threadIdx.x; c < last; c += blockDim.x)`), but neither its start nor its step comes from
    /// the grid size (a grid-stride loop over the input is an ordinary reduction).
    func isBlockSliceLoop(_ loop: KernelIndexFlow.Loop, _ flow: KernelIndexFlow) -> Bool {
        guard ["++", "+="].contains(loop.strideOperator) else { return false }
        return !flow.origin(loop.start).dependsOnGridDim && !flow.origin(loop.stride).dependsOnGridDim
    }

    /// The pointer parameters (of `pointers`) whose elements `node` adds in: the array of a subscript or of pointer
    /// arithmetic (`part[k]`, `ws + s * plane + i`), directly or through a local loaded from one
    /// (`float2 s = part[c]; sum += s.x`). A pointer that only feeds an index (`part[offsets[t] + c]`'s `offsets`)
    /// is not summed.
    func summedBuffers(_ node: Node, _ pointers: Set<String>, _ flow: KernelIndexFlow, depth: Int = 3) -> Set<String> {
        var result: Set<String> = []
        for identifier in node.preorder where identifier.type == "identifier" && !isInIndex(identifier, below: node) {
            if pointers.contains(identifier.text) { result.insert(identifier.text); continue }
            guard depth > 0 else { continue }
            for value in flow.values(of: identifier.text, at: identifier) where !value.byteRange.overlaps(node.byteRange) {
                result.formUnion(summedBuffers(value, pointers, flow, depth: depth - 1))
            }
        }
        return result
    }

    /// Whether `node` sits in the index of a subscript inside `root` (`i` in `a[i]`).
    func isInIndex(_ node: Node, below root: Node) -> Bool {
        var current = node.parent
        while let c = current, c.byteRange != root.byteRange || c.type != root.type {
            if c.type == "subscript_expression", let index = c.child(byField: "indices"),
               index.startByte <= node.startByte, node.endByte <= index.endByte { return true }
            current = c.parent
        }
        return false
    }

    /// `sum` or `sum.x`: a local accumulator, not an element of memory.
    func isLocalAccumulator(_ left: Node?, _ flow: KernelIndexFlow) -> Bool {
        guard let left = flow.strip(left) else { return false }
        if left.type == "identifier" { return true }
        return left.type == "field_expression" && flow.strip(left.child(byField: "argument"))?.type == "identifier"
            && left.child(byField: "operator")?.type != "->"
    }

    /// Whether a launch of `kernel` passes, for `parameter`, a buffer that an earlier call of the same host function
    /// gave to another kernel: a launch of another kernel, a call passing another kernel (`run(gemm<Cfg>, ws)`), or
    /// a call of a host function of this source that launches kernels (`launch_gemv(x, ws, n)`).
    func filledEarlier(_ kernel: CUDAFacts.Function, parameter: String, _ flow: KernelIndexFlow) -> Bool {
        let facts = flow.facts
        guard let position = flow.parameters(of: kernel.node).firstIndex(where: { $0.name == parameter }) else { return false }
        let others = facts.kernels.filter { $0.name != kernel.name }
        for launch in flow.launchSites(of: kernel) {
            let arguments = launch.call.child(byField: "arguments")?.namedChildren ?? []
            guard position < arguments.count, let argument = flow.strip(arguments[position]), argument.type == "identifier",
                  let host = hostFunction(launch.call) else { continue }
            let earlier = host.preorder.filter { call in
                call.type == "call_expression" && call.endByte <= launch.call.startByte
                    && (call.child(byField: "arguments")?.namedChildren.contains { flow.strip($0)?.text == argument.text } ?? false)
            }
            for call in earlier {
                let name = flow.bareCallee(call)
                if call.namedChildren.contains(where: { $0.type == "kernel_call_syntax" }), name != kernel.name { return true }
                let passed = call.child(byField: "arguments")?.namedChildren ?? []
                if passed.contains(where: { value in others.contains { flow.spellsKernel($0, value) } }) { return true }
                if launchesKernels(name, facts) { return true }
            }
        }
        return false
    }

    /// Whether a launch of `kernel` passes, for `parameter`, a buffer that a launch of another, reducing kernel earlier
    /// in the same host function filled with per-block partials (its store at a slot of its block goes through the
    /// parameter that receives the buffer). A reducing kernel that reads an ordinary earlier output (a softmax over
    /// a GEMM's logits) is not a second stage.
    func partialsFromReduction(_ kernel: CUDAFacts.Function, parameter: String, _ flow: KernelIndexFlow) -> Bool {
        let facts = flow.facts
        guard let position = flow.parameters(of: kernel.node).firstIndex(where: { $0.name == parameter }) else { return false }
        for launch in flow.launchSites(of: kernel) {
            let arguments = launch.call.child(byField: "arguments")?.namedChildren ?? []
            guard position < arguments.count, let argument = flow.strip(arguments[position]), argument.type == "identifier",
                  let host = hostFunction(launch.call) else { continue }
            for other in facts.kernels where other.name != kernel.name {
                let otherFlow = facts.memo("DeterministicReduction.flow:\(other.name)") { KernelIndexFlow(other, in: facts) }
                guard reduces(other, facts) else { continue }
                for store in perBlockPartials(otherFlow) {
                    guard let base = otherFlow.strip(store.child(byField: "left"))?.child(byField: "argument"), base.type == "identifier",
                          let at = otherFlow.parameters(of: other.node).firstIndex(where: { $0.name == base.text }) else { continue }
                    for earlier in otherFlow.launchSites(of: other)
                    where earlier.call.endByte <= launch.call.startByte && hostFunction(earlier.call) == host {
                        let passed = earlier.call.child(byField: "arguments")?.namedChildren ?? []
                        if at < passed.count, flow.strip(passed[at])?.text == argument.text { return true }
                    }
                }
            }
        }
        return false
    }

    /// Whether a host function of this source named `name` launches a kernel.
    func launchesKernels(_ name: String, _ facts: CUDAFacts) -> Bool {
        facts.memo("DeterministicReduction.launchesKernels:\(name)") {
            facts.hostFunctions.contains { function in
                function.name == name && function.body?.preorder.contains { $0.type == "kernel_call_syntax" } == true
            }
        }
    }

    func hostFunction(_ node: Node) -> Node? {
        var current = node.parent
        while let c = current, c.type != "function_definition" { current = c.parent }
        return current
    }
}
