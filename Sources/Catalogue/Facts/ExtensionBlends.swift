import Parsing
import TreeSitterKit

/// Weighted sums of two tensors computed by CUDA kernels a compiled extension runs (see `ExtensionLaunch`).
extension PythonFacts {
    /// The Python arguments a compiled-extension call blends: a kernel it launches stores `w0 * x[i] + w1 * y[i]` (dtype
    /// casts aside, also through locals of the kernel) with `x` and `y` pointer parameters read element by element and
    /// the weights not (`a[0]`, a scalar parameter), and the launch passes for them the data of two host tensors that
    /// the Python call gives (`x.data_ptr<scalar_t>()`). Nil when the call runs no such kernel.
    func extensionBlendedArguments(_ call: CallSite) -> [Node]? {
        for launch in extensionLaunches(call) {
            for node in launch.kernel.node.preorder where node.type == "assignment_expression" {
                guard let left = node.child(byField: "left"), left.type == "subscript_expression",
                      let right = node.child(byField: "right").map(Self.cudaStripped), right.type == "binary_expression",
                      right.child(byField: "operator")?.type == "+",
                      let a = weightedPointer(right.child(byField: "left"), launch),
                      let b = weightedPointer(right.child(byField: "right"), launch), a != b else { continue }
                let passed = [a, b].compactMap { pointer -> Node? in
                    launch.launchArguments[pointer].flatMap { passedTensor($0, launch) }
                }
                if passed.count == 2 { return passed }
            }
        }
        return nil
    }

    /// For `w * p[i]` in a kernel (either order, casts and kernel locals followed) with `p` a parameter read at a
    /// varying index and `w` not such a read: the parameter `p`.
    private func weightedPointer(_ node: Node?, _ launch: ExtensionLaunch) -> String? {
        guard let node else { return nil }
        let n = Self.cudaStripped(node)
        guard n.type == "binary_expression", n.child(byField: "operator")?.type == "*",
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return nil }
        for (weight, tensor) in [(l, r), (r, l)] {
            guard let pointer = elementRead(tensor, launch), elementRead(weight, launch) == nil else { continue }
            return pointer
        }
        return nil
    }

    /// The kernel parameter an element read `p[i]` reads at a non-constant index (casts and kernel locals followed).
    private func elementRead(_ node: Node, _ launch: ExtensionLaunch, depth: Int = 0) -> String? {
        let n = Self.cudaStripped(node)
        if n.type == "identifier", depth < 3, launch.launchArguments[n.text] == nil, let local = Self.cudaLocalValue(n, in: launch.kernel.node) {
            return elementRead(local, launch, depth: depth + 1)
        }
        guard n.type == "subscript_expression", let array = n.namedChildren.first, array.type == "identifier",
              launch.kernel.parameters.contains(array.text), let index = n.namedChildren.dropFirst().first,
              index.type != "number_literal", !(index.namedChildren.count == 1 && index.namedChildren[0].type == "number_literal")
        else { return nil }
        return array.text
    }

    /// The Python argument whose data a launch argument passes: the host tensor it reads (see `hostTensor`), followed
    /// through host locals made from another tensor (`auto src = w.contiguous();`) to a host parameter, and from there
    /// to what the Python call gives.
    func passedTensor(_ argument: Node, _ launch: ExtensionLaunch) -> Node? {
        var name = hostTensor(argument)
        for _ in 0..<4 {
            guard let current = name else { return nil }
            if let passed = launch.pythonArguments[current] { return passed }
            guard let local = Self.cudaLocalValue(current, in: launch.host.node, before: argument) else { return nil }
            name = hostTensor(local)
        }
        return nil
    }

    /// The host tensor a launch argument passes the data of: `x.data_ptr<T>()`, `x.data_ptr()`, or `x` itself.
    func hostTensor(_ argument: Node) -> String? {
        var n = Self.cudaStripped(argument)
        if n.type == "call_expression", let function = n.child(byField: "function") {
            n = function
            while n.type != "field_expression", let inner = n.namedChildren.first, n.type != "identifier" { n = inner }
            if n.type == "field_expression", let object = n.child(byField: "argument") { n = object }
        }
        return n.type == "identifier" ? n.text : nil
    }
}
