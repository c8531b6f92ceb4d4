import Parsing
import TreeSitterKit

/// Norms computed inside kernels: a tensor rescaled in place by the reciprocal of its own L2 norm, the norm summed in
/// the same kernel or accumulated by another launch into a buffer the rescaling kernel reads.
extension PythonFacts {
    /// The tensors a launch rescales in place by the reciprocal of their own L2 norm (see `kernelNormalizations`).
    public func kernelNormalizedTensors(_ launch: KernelLaunch) -> [Node] {
        kernelNormalizations(launch).filter { compact($0.source) == compact($0.destination) }.map(\.source)
    }

    /// What a launch normalizes: the kernel stores to a pointer (`tl.store(dst + offs, v * inv)`) a value loaded from a
    /// pointer (`v = tl.load(src + offs)`, the same one when in place) times a factor with a square root of that
    /// tensor's sum of squares (`inv = 1.0 / (tl.sqrt(ss) + eps)`, `tl.rsqrt(ss)`, or a division by `tl.sqrt(ss) + eps`),
    /// where the sum of squares is `tl.sum(v * v)` in the kernel itself (also accumulated first, `acc += v * v` then
    /// `tl.sum(acc)`; `inKernel`), or read from a buffer (`ss = tl.load(acc_ptr)`) that another launch in the same
    /// function fills with it (`tl.atomic_add(acc_ptr, tl.sum(x * x))`, or a `tl.store` of it) for the same tensor, in the
    /// same loop iteration, into a buffer made in that iteration (a buffer filled for every tensor holds their global
    /// norm). Returns the launch arguments (Python expressions) read and written.
    public func kernelNormalizations(_ launch: KernelLaunch) -> [(source: Node, destination: Node, inKernel: Bool)] {
        var result: [(source: Node, destination: Node, inKernel: Bool)] = []
        for (body, _) in kernelBodies(launch) {
            for n in descendants(of: body) where n.type == "call" {
                let store = callSite(n)
                guard store.name == "store", store.positional.count >= 2,
                      let pointer = kernelPointer(store.positional[0], launch), let destination = launch.arguments[pointer] else { continue }
                let value = kernelValue(store.positional[1], launch)
                guard value.type == "binary_operator", let op = value.child(byField: "operator")?.type, ["*", "/"].contains(op),
                      let left = value.child(byField: "left"), let right = value.child(byField: "right") else { continue }
                let pairs = op == "*" ? [(left, right), (right, left)] : [(left, right)]
                for (own, factor) in pairs {
                    guard let load = kernelLoad(own, in: launch), load.element == nil else { continue }
                    let roots = squareRoots(in: factor, launch)
                    if roots.contains(where: { isSquaredSum(kernelValue($0, launch), of: load.argument, launch) }) {
                        result.append((load.argument, destination, true))
                    } else if roots.contains(where: { sumOfSquares($0, of: load.argument, launch) }) {
                        result.append((load.argument, destination, false))
                    }
                }
            }
        }
        return result
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

    /// `tl.sum(x * x)` (any axis) or `tl.sum(x ** 2)` with `x` the tensor loaded element by element; also `tl.sum(acc)`
    /// of an accumulator the kernel adds such squares to (`acc += x * x`, over chunks of a row).
    private func isSquaredSum(_ node: Node, of tensor: Node, _ launch: KernelLaunch) -> Bool {
        guard node.type == "call", callSite(node).name == "sum", let operand = callSite(node).positional.first else { return false }
        let summed = unwrapped(operand)
        if summed.type == "identifier", !launch.kernel.parameters.contains(summed.text) {
            let added = descendants(of: launch.kernel.node).filter { n in
                n.type == "augmented_assignment" && n.child(byField: "operator")?.type == "+=" && n.child(byField: "left")?.text == summed.text
            }
            if !added.isEmpty {
                return added.allSatisfy { n in n.child(byField: "right").map { isSquare(kernelValue($0, launch), of: tensor, launch) } == true }
            }
        }
        return isSquare(kernelValue(operand, launch), of: tensor, launch)
    }

    /// `x * x` or `x ** 2` with `x` the tensor loaded element by element.
    private func isSquare(_ square: Node, of tensor: Node, _ launch: KernelLaunch) -> Bool {
        guard square.type == "binary_operator", let op = square.child(byField: "operator")?.type,
              let left = square.child(byField: "left"), let right = square.child(byField: "right") else { return false }
        switch op {
        case "*": return compact(left) == compact(right) && loadsWhole(left, from: tensor, launch)
        case "**": return evaluate(right) == 2 && loadsWhole(left, from: tensor, launch)
        default: return false
        }
    }
}
