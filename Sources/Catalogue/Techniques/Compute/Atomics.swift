import TreeSitterKit

/// `atomics`: the kernel, or a device helper it calls, uses an atomic intrinsic (`atomicAdd`, `atomicCAS`,
/// `atomicInc`, `atomicMax`, ... and their `_block` / `_system` forms), directly or through a macro. The note says
/// whether the target is shared memory (a `__shared__` array or scalar, or a pointer into one) or global memory.
/// The name in a comment or string, a helper that is never called, and a non-atomic helper with an atomic-sounding
/// name do not count.
struct Atomics: TechniqueDetector {
    let id = "atomics"

    static let names: Set<String> = {
        let base = ["atomicAdd", "atomicSub", "atomicExch", "atomicMin", "atomicMax", "atomicInc", "atomicDec", "atomicCAS",
                    "atomicAnd", "atomicOr", "atomicXor"]
        return Set(base + base.map { $0 + "_block" } + base.map { $0 + "_system" })
    }()

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        return flow.nodes(["call_expression"]).filter { flow.calls($0, anyOf: Self.names) }.map { call in
            let name = flow.facts.expansion(of: flow.bareCallee(call)).intersection(Self.names).sorted().first ?? flow.bareCallee(call)
            let space = targetsShared(call, flow).map { "shared memory (`\($0)`)" } ?? "global memory"
            return facts.evidence(call, "\(name) on \(space)")
        }
    }

    /// The shared array or variable an atomic updates, if it updates shared memory.
    func targetsShared(_ call: Node, _ flow: KernelIndexFlow) -> String? {
        guard var target = flow.strip(call.child(byField: "arguments")?.namedChild(0)) else { return nil }
        if target.type == "pointer_expression", target.text.hasPrefix("&"), let inner = flow.strip(target.child(byField: "argument")) {
            target = inner
        }
        if let array = flow.sharedAccess(target) { return array }
        while target.type == "binary_expression", let left = flow.strip(target.child(byField: "left")) { target = left }
        if target.type == "identifier", flow.sharedArrays().contains(target.text) { return target.text }
        return nil
    }
}
