import Parsing
import TreeSitterKit

/// Tensors rescaled by the reciprocal of their own norm in CUDA kernels a compiled extension runs (a gradient
/// normalized per parameter), the sum of squares taken in the same kernel or by an earlier launch of the same host
/// function into a buffer.
extension PythonFacts {
    /// The Python arguments a compiled-extension call divides by their own norm: a kernel the call's host function
    /// launches stores `g[k] * inv` (or `g[k] / n`) into the tensor it reads, with `inv` or `n` computed from a square
    /// root (`1.f / (sqrtf(*sumsq) + eps)`) of a sum of squares of that same tensor: accumulated in the kernel itself,
    /// or by another launch of the host function into a buffer (`acc += v * v` reduced by warp shuffles, then
    /// `atomicAdd(out, acc)`) that the launch reads (`sumsq`, the same host tensor). A tensor scaled by the norm of
    /// another tensor is not one.
    func extensionNormalizedArguments(_ call: CallSite) -> [Node] {
        let launches = extensionLaunches(call)
        // Sums of squares per launch: the host tensor squared and the host tensor the sum is stored into.
        var sums: [(source: String, sink: String)] = []
        var scaled: [(launch: ExtensionLaunch, target: String, hostTarget: String, rootReads: Set<String>, localSources: Set<String>)] = []
        for launch in launches {
            let kernel = CUDAKernelFlow(launch.kernel.node)
            func host(_ parameter: String) -> String? { launch.launchArguments[parameter].flatMap(hostTensor) }
            var localSources = Set<String>()  // kernel parameters whose squares this kernel sums
            var squareNames = Set<String>()
            for assignment in kernel.assignments where Self.accumulatesSquare(assignment) {
                guard let source = squaredSource(assignment, kernel: kernel.body) else { continue }
                let reached = kernel.dependents(of: [assignment.target])
                squareNames.formUnion(reached)
                localSources.insert(source)
                for store in kernel.stores where reached.contains(store.target) && launch.kernel.parameters.contains(store.target) {
                    if let from = host(source), let to = host(store.target) { sums.append((from, to)) }
                }
            }
            let roots = kernel.calls(named: CUDAKernelFlow.squareRoots)
            guard !roots.isEmpty else { continue }
            let rootDependents = kernel.dependents(of: Set(kernel.assignments.compactMap { a in
                roots.contains { a.value.byteRange.contains($0.startByte) } ? a.target : nil
            }))
            for store in kernel.stores where ["=", "*=", "/="].contains(store.operator) && launch.kernel.parameters.contains(store.target) {
                func fromRoot(_ n: Node) -> Bool {
                    kernel.mentions(n, anyOf: rootDependents) || roots.contains { n.byteRange.contains($0.startByte) }
                }
                let rescales = store.operator != "=" ? fromRoot(store.value) : store.value.preorder.contains { n in
                    n.type == "binary_expression" && ["*", "/"].contains(n.child(byField: "operator")?.type ?? "") && n.namedChildren.contains(where: fromRoot)
                }
                let readsItself = store.operator != "=" || store.value.preorder.contains { Self.readsElement(of: store.target, $0) }
                guard rescales, readsItself, let hostTarget = host(store.target) else { continue }
                // What the roots read: kernel parameters (a buffer of sums) and, when local, this kernel's squares.
                let read = Set(roots.flatMap { root -> [String] in
                    guard let arguments = root.child(byField: "arguments") else { return [] }
                    return arguments.preorder.filter { $0.type == "identifier" }.map(\.text)
                })
                let rootReads = Set(read.filter { launch.kernel.parameters.contains($0) }.compactMap(host))
                let local = read.contains { squareNames.contains($0) }
                scaled.append((launch, store.target, hostTarget, rootReads, local ? localSources : []))
            }
        }
        var normalized: [Node] = []
        for entry in scaled {
            let own = entry.localSources.contains(entry.target)
                || sums.contains { $0.source == entry.hostTarget && entry.rootReads.contains($0.sink) }
            guard own, let argument = entry.launch.launchArguments[entry.target], let passed = passedTensor(argument, entry.launch) else { continue }
            normalized.append(passed)
        }
        return normalized
    }

    /// The kernel parameter whose elements an accumulation of squares squares (`acc += v * v` with `const float v =
    /// g[k]`, or `acc += g[k] * g[k]`).
    private func squaredSource(_ assignment: CUDAKernelFlow.Assignment, kernel: Node) -> String? {
        var operand = Self.cudaStripped(assignment.value)
        if operand.type == "call_expression", let first = operand.child(byField: "arguments")?.namedChildren.first { operand = first }
        if operand.type == "binary_expression", operand.child(byField: "operator")?.type == "+" {
            // `acc = acc + v * v`: the product.
            operand = [operand.child(byField: "left"), operand.child(byField: "right")].compactMap { $0 }.map(Self.cudaStripped)
                .first { $0.type == "binary_expression" } ?? operand
        }
        if operand.type == "binary_expression", let left = operand.child(byField: "left") { operand = Self.cudaStripped(left) }
        for _ in 0..<3 where operand.type == "identifier" {
            guard let value = Self.cudaLocalValue(operand, in: kernel) else { break }
            operand = Self.cudaStripped(value)
        }
        guard operand.type == "subscript_expression" || operand.type == "pointer_expression" else { return nil }
        return CUDAKernelFlow.baseName(operand)
    }
}
