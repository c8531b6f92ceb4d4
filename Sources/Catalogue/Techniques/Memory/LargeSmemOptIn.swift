import TreeSitterKit

/// `large_smem_opt_in`: host code raises the kernel's dynamic shared-memory limit with
/// `cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes)` (or the driver API's
/// `CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES`), where `bytes` is above the default 48 KiB or not a
/// compile-time constant. Calls wrapped in an error-checking macro, template kernels, `(void*)kernel`
/// arguments, and a local or a lambda/function parameter holding the kernel (`auto run = [&](auto k) {
/// cudaFuncSetAttribute(k, ...); }; run(kern<Cfg>);`) are recognised. Setting another attribute (the carveout), a limit of at most 48 KiB, or the
/// attribute for a different kernel does not count.
struct LargeSmemOptIn: TechniqueDetector {
    let id = "large_smem_opt_in"

    static let setters: Set<String> = ["cudaFuncSetAttribute", "cuFuncSetAttribute"]
    static let attributes: Set<String> = ["cudaFuncAttributeMaxDynamicSharedMemorySize", "CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES"]
    static let defaultLimit = 48 * 1024

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for function in facts.functions where function.role == .host {
            guard let body = function.body else { continue }
            for call in body.preorder where call.type == "call_expression" {
                guard let callee = call.child(byField: "function"),
                      !facts.expansion(of: MemSupport.calleeSpelling(callee)).isDisjoint(with: Self.setters),
                      let arguments = call.child(byField: "arguments")?.namedChildren, arguments.count >= 3 else { continue }
                guard names(kernel, arguments[0], facts) else { continue }
                let attribute = arguments[1].preorder.filter { $0.type == "identifier" }.map(\.text)
                guard attribute.contains(where: { !facts.expansion(of: $0).isDisjoint(with: Self.attributes) }) else { continue }
                if let bytes = value(arguments[2], in: body, before: call, facts), bytes <= Self.defaultLimit { continue }
                evidence.append(facts.evidence(call, "dynamic shared memory limit raised for `\(kernel.name)`"))
            }
        }
        return evidence
    }

    /// Whether the first argument designates `kernel`: `k`, `k<T>`, `&k`, `(void*)k`, `ns::k`, or a local or a
    /// lambda/function parameter holding it (`KernelIndexFlow.designates`, the reading launches use too).
    func names(_ kernel: CUDAFacts.Function, _ argument: Node, _ facts: CUDAFacts) -> Bool {
        let flow = KernelIndexFlow(kernel, in: facts, reach: false)
        if flow.spellsKernel(kernel, argument) { return true }
        return argument.preorder.contains { $0.type == "identifier" && flow.designates(kernel, $0.text, at: argument) }
    }

    /// The byte count when it can be folded: a constant expression, or a local initialised with one.
    func value(_ node: Node, in body: Node, before call: Node, _ facts: CUDAFacts) -> Int? {
        if let v = MemSupport.evaluate(node, facts) { return v }
        guard node.type == "identifier" else { return nil }
        let inits = body.preorder.filter { $0.type == "init_declarator" && $0.startByte < call.startByte &&
            MemSupport.declaredIdentifier($0.child(byField: "declarator") ?? $0) == node.text }
        return inits.last?.child(byField: "value").flatMap { MemSupport.evaluate($0, facts) }
    }
}
