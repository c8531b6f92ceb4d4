import Parsing
import TreeSitterKit

/// Norms computed inside kernels: a tensor rescaled in place by the reciprocal of its own L2 norm, the norm summed in
/// the same kernel or accumulated by another launch into a buffer the rescaling kernel reads.
extension PythonFacts {
    /// The tensors a launch rescales in place by the reciprocal of their own L2 norm: the kernel stores to a pointer
    /// (`tl.store(g_ptr + offs, g * inv)`) a value loaded from that pointer times a factor with a square root of the
    /// tensor's sum of squares (`inv = 1.0 / (tl.sqrt(ss) + eps)`, `tl.rsqrt(ss)`, or a division by `tl.sqrt(ss) + eps`),
    /// where the sum of squares is `tl.sum(g * g)` of that tensor in the kernel itself, or read from a buffer
    /// (`ss = tl.load(acc_ptr)`) that another launch in the same function fills with it (`tl.atomic_add(acc_ptr,
    /// tl.sum(x * x))`, or a `tl.store` of it) for the same tensor. Returns the launch arguments (Python expressions).
    public func kernelNormalizedTensors(_ launch: KernelLaunch) -> [Node] {
        var result: [Node] = []
        for (body, _) in kernelBodies(launch) {
            for n in descendants(of: body) where n.type == "call" {
                let store = callSite(n)
                guard store.name == "store", store.positional.count >= 2,
                      let pointer = kernelPointer(store.positional[0], launch), let tensor = launch.arguments[pointer] else { continue }
                let value = kernelValue(store.positional[1], launch)
                guard value.type == "binary_operator", let op = value.child(byField: "operator")?.type, ["*", "/"].contains(op),
                      let left = value.child(byField: "left"), let right = value.child(byField: "right") else { continue }
                let pairs = op == "*" ? [(left, right), (right, left)] : [(left, right)]
                let rescaled = pairs.contains { own, factor in
                    guard loadsWhole(own, from: tensor, launch) else { return false }
                    return squareRoots(in: factor, launch).contains { sumOfSquares($0, of: tensor, launch) }
                }
                if rescaled { result.append(tensor) }
            }
        }
        return result
    }

    /// The kernel parameter a pointer expression addresses: `p`, `p + offs`, `offs + p`.
    private func kernelPointer(_ address: Node, _ launch: KernelLaunch) -> String? {
        let n = unwrapped(address)
        if n.type == "identifier", launch.kernel.parameters.contains(n.text) { return n.text }
        guard n.type == "binary_operator", n.child(byField: "operator")?.type == "+" else { return nil }
        for side in [n.child(byField: "left"), n.child(byField: "right")].compactMap({ $0 }) {
            if let found = kernelPointer(side, launch) { return found }
        }
        return nil
    }

    /// A kernel expression with its locals followed to their values (a few hops) and dtype casts removed.
    private func kernelValue(_ node: Node, _ launch: KernelLaunch, depth: Int = 0) -> Node {
        let n = withoutDtypeCasts(node)
        guard depth < 4, n.type == "identifier", !launch.kernel.parameters.contains(n.text),
              let value = latestValue(of: n.text, before: n) else { return n }
        return kernelValue(value, launch, depth: depth + 1)
    }

    /// Whether a kernel expression is the tensor `tensor` loaded element by element.
    private func loadsWhole(_ node: Node, from tensor: Node, _ launch: KernelLaunch) -> Bool {
        guard let load = kernelLoad(node, in: launch), load.element == nil else { return false }
        return compact(load.argument) == compact(tensor)
    }

    /// The operands of the square roots (`tl.sqrt(x)`, `tl.rsqrt(x)`, `libdevice.rsqrt(x)`) inside a kernel expression,
    /// its locals followed; an epsilon added inside the root is stepped over (`tl.sqrt(ss + eps)`).
    private func squareRoots(in node: Node, _ launch: KernelLaunch, depth: Int = 0) -> [Node] {
        guard depth < 4 else { return [] }
        var roots: [Node] = []
        for n in [node] + descendants(of: node) {
            if n.type == "identifier", n.parent?.type != "attribute" || n.parent?.child(byField: "object") == n {
                let followed = kernelValue(n, launch)
                if followed != n { roots += squareRoots(in: followed, launch, depth: depth + 1) }
            }
            guard n.type == "call", ["sqrt", "rsqrt", "sqrt_rn"].contains(callSite(n).name),
                  let operand = callSite(n).positional.first else { continue }
            var inside = kernelValue(operand, launch)
            if inside.type == "binary_operator", inside.child(byField: "operator")?.type == "+",
               let left = inside.child(byField: "left") { inside = kernelValue(left, launch) }
            roots.append(inside)
        }
        return roots
    }

    /// Whether a kernel expression is the sum of squares of `tensor`: `tl.sum(x * x)` with `x` loaded from it, or a
    /// buffer element another launch in the same function fills with that sum (see `kernelNormalizedTensors`).
    private func sumOfSquares(_ node: Node, of tensor: Node, _ launch: KernelLaunch) -> Bool {
        let n = kernelValue(node, launch)
        if isSquaredSum(n, of: tensor, launch) { return true }
        guard let buffer = kernelLoad(n, in: launch), let function = enclosingFunction(launch.call.node) else { return false }
        // One tensor's sum: filled in the same loop iteration as the rescaling, into a buffer made in that iteration. A
        // buffer made once and filled for every tensor holds the norm of them all (global clipping).
        let loop = enclosingLoops(launch.call.node).first
        if let loop {
            let made = unwrapped(buffer.argument)
            guard made.type == "identifier", let value = latestValue(of: made.text, before: launch.call.node), isInside(value, loop) else { return false }
        }
        return kernelLaunches(in: function.node).contains { filler in
            guard enclosingLoops(filler.call.node).first == loop else { return false }
            return kernelBodies(filler).contains { body, _ in
                descendants(of: body).contains { c in
                    guard c.type == "call", case let write = callSite(c), ["atomic_add", "store"].contains(write.name),
                          write.positional.count >= 2, let target = kernelPointer(write.positional[0], filler),
                          let argument = filler.arguments[target], compact(argument) == compact(buffer.argument) else { return false }
                    return isSquaredSum(kernelValue(write.positional[1], filler), of: tensor, filler)
                }
            }
        }
    }

    /// `tl.sum(x * x)` (any axis) or `tl.sum(x ** 2)` with `x` the tensor loaded element by element.
    private func isSquaredSum(_ node: Node, of tensor: Node, _ launch: KernelLaunch) -> Bool {
        guard node.type == "call", callSite(node).name == "sum", let operand = callSite(node).positional.first else { return false }
        let square = kernelValue(operand, launch)
        guard square.type == "binary_operator", let op = square.child(byField: "operator")?.type,
              let left = square.child(byField: "left"), let right = square.child(byField: "right") else { return false }
        switch op {
        case "*": return compact(left) == compact(right) && loadsWhole(left, from: tensor, launch)
        case "**": return evaluate(right) == 2 && loadsWhole(left, from: tensor, launch)
        default: return false
        }
    }
}
