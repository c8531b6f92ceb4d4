import Parsing
import TreeSitterKit

/// Weight decay applied inside a CUDA kernel that a compiled extension runs (an optimizer's update kernel).
extension PythonFacts {
    /// Whether a call of a compiled extension runs a kernel that decays what it updates: it stores to `p[i]` an
    /// expression that scales `p[i]` by `1 - x` (`p[i] = p[i] * (1.f - lr * wd) - lr * u[i]`, the factor also held by a
    /// local, `p[i] *= keep`) or subtracts a multiple of it (`p[i] -= lr * wd * p[i]`), with `x` not known to be 0.
    /// The amount is followed through the kernel's locals and parameters, the launch and the host function to the
    /// Python arguments (see `cudaValue`); unresolved, it decays unless one of its factors is known to be 0.
    func extensionDecays(_ call: CallSite) -> Bool {
        for launch in extensionLaunches(call) {
            let kernel = CUDAKernelFlow(launch.kernel.node)
            for store in kernel.stores {
                let target = store.target
                var amounts: [[Node]] = []  // each amount as the factors of its product
                let terms = Self.cudaTerms(store.value)
                if store.operator == "*=" { amounts += decayAmount(ofFactor: store.value, launch).map(Self.cudaFactors) }
                for (term, negative) in terms {
                    let factors = Self.cudaFactors(term)
                    guard let own = factors.firstIndex(where: { Self.readsElement(of: target, $0) }) else { continue }
                    let others = factors.enumerated().filter { $0.offset != own }.map(\.element)
                    // `p[i] * (1 - x)`, for a store `p[i] = ...` or `p[i] *= ...`.
                    if store.operator == "=" { amounts += others.flatMap { decayAmount(ofFactor: $0, launch) }.map(Self.cudaFactors) }
                    // `p[i] -= x * p[i]`, `p[i] = p[i] - x * p[i] - ...`.
                    let subtracted = (store.operator == "-=" && !negative) || (store.operator == "=" && negative)
                    if subtracted, !others.isEmpty { amounts.append(others) }
                }
                for amount in amounts where !isZeroAmount(amount, launch) { return true }
            }
        }
        return false
    }

    /// For a factor `1 - x` (through kernel locals): `x`.
    private func decayAmount(ofFactor node: Node, _ launch: ExtensionLaunch, depth: Int = 0) -> [Node] {
        let n = Self.cudaStripped(node)
        if n.type == "identifier", depth < 3, launch.launchArguments[n.text] == nil, let local = Self.cudaLocalValue(n, in: launch.kernel.node) {
            return decayAmount(ofFactor: local, launch, depth: depth + 1)
        }
        guard n.type == "binary_expression", n.child(byField: "operator")?.type == "-",
              let one = n.child(byField: "left"), cudaValue(one, in: launch) == 1, let amount = n.child(byField: "right") else { return [] }
        return [amount]
    }

    /// Whether a decay amount (the factors of its product) is 0: one of its factors is known to be 0, and no Python argument that zero comes
    /// from may hold anything else (`group['decay']` of an optimizer whose default is 0 but which is built with 0.01).
    private func isZeroAmount(_ factors: [Node], _ launch: ExtensionLaunch) -> Bool {
        func isZero(_ node: Node) -> Bool {
            guard cudaValue(node, in: launch) == 0 else { return false }
            let passed = node.preorder.filter { $0.type == "identifier" }.compactMap { pythonArgument(for: $0, launch) }
            return !passed.contains { argument in values(of: argument).contains { $0.double != 0 } }
        }
        return factors.contains(where: isZero)
    }

    /// The Python argument a kernel identifier stands for: a kernel parameter, followed to the launch's argument in the
    /// host function and from a host parameter (casts aside) to what the Python call passes.
    private func pythonArgument(for identifier: Node, _ launch: ExtensionLaunch) -> Node? {
        guard let argument = launch.launchArguments[identifier.text] else { return nil }
        let host = Self.cudaStripped(argument)
        guard host.type == "identifier" else { return nil }
        return launch.pythonArguments[host.text]
    }

    /// The terms of a sum, each with whether it is subtracted (`a - b * c + d`: a, b * c subtracted, d).
    static func cudaTerms(_ node: Node, negative: Bool = false) -> [(Node, Bool)] {
        let n = cudaStripped(node)
        guard n.type == "binary_expression", let op = n.child(byField: "operator")?.type, op == "+" || op == "-",
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return [(n, negative)] }
        return cudaTerms(l, negative: negative) + cudaTerms(r, negative: op == "-" ? !negative : negative)
    }

    /// The factors of a product (`lr * wd * p[i]`: lr, wd, p[i]).
    static func cudaFactors(_ node: Node) -> [Node] {
        let n = cudaStripped(node)
        guard n.type == "binary_expression", n.child(byField: "operator")?.type == "*",
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return [n] }
        return cudaFactors(l) + cudaFactors(r)
    }

    /// Whether an expression reads an element of `pointer` (`p[i]`, `*p`, casts aside).
    static func readsElement(of pointer: String, _ node: Node) -> Bool {
        var n = cudaStripped(node)
        // A conversion call around the read (`__bfloat162float(p[i])`).
        if n.type == "call_expression", let arguments = n.child(byField: "arguments")?.namedChildren, arguments.count == 1 { n = cudaStripped(arguments[0]) }
        guard ["subscript_expression", "pointer_expression"].contains(n.type) else { return false }
        return CUDAKernelFlow.baseName(n) == pointer
    }
}
