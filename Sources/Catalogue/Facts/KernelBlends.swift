import Parsing
import TreeSitterKit

/// Weighted sums of two tensors computed inside kernels: a call of a function of the file (a wrapper, an autograd
/// function's `apply`, a custom op) that launches a Triton kernel storing `w0 * a + w1 * b`, or runs a compiled CUDA
/// extension's function whose kernel does (see `extensionBlendedArguments`).
extension PythonFacts {
    /// The arguments of `call` that a kernel it runs blends: a launch (in a function the call runs, or one level
    /// further through calls those functions return, `def blend2(a, b, w): return Blend2.apply(a, b, w)`, two levels) stores
    /// `w0 * a + w1 * b` where `a` and `b` are loaded element by element from launch arguments that stand for two of the
    /// function's parameters (also through locals set from them, `a = a.contiguous()`), and the weights are not loaded
    /// element by element (scalars, or single elements of a weight tensor). Returns what `call` passes for those two
    /// parameters; nil when it runs no such kernel.
    public func kernelBlendedArguments(_ call: CallSite, depth: Int = 0) -> [Node]? {
        guard depth < 3, !call.hasSplat, !kernelLaunches.isEmpty || !extensionModuleNames.isEmpty else { return nil }
        // A compiled CUDA extension's function (`_ext.mix2_fwd(x, y, a, b)`, see `extensionBlendedArguments`).
        if let blended = extensionBlendedArguments(call) { return blended }
        for function in flowTargets(call) {
            let parameters = filledParameters(function, by: call)
            func passed(_ name: String) -> Node? {
                parameters.firstIndex(of: name).flatMap { call.argument(name, position: $0) }
            }
            for launch in kernelLaunches(in: function.node) {
                for (a, b) in kernelWeightedSums(launch) {
                    guard let pa = parameterBehind(a, in: function), let pb = parameterBehind(b, in: function), pa != pb,
                          let x = passed(pa), let y = passed(pb) else { continue }
                    return [x, y]
                }
            }
            // A call the function returns, made with its own parameters (also through a local it returns).
            for var returned in returnedValues(function).map(unwrapped) {
                if returned.type == "identifier", let local = latestValue(of: returned.text, before: returned), isInside(local, function.node) {
                    returned = unwrapped(local)
                }
                guard returned.type == "call" else { continue }
                guard let inner = kernelBlendedArguments(callSite(returned), depth: depth + 1) else { continue }
                let outer = inner.compactMap { parameterBehind($0, in: function).flatMap(passed) }
                if outer.count == 2 { return outer }
            }
        }
        return nil
    }

    /// The launch arguments of the tensors a kernel stores a weighted sum of (`tl.store(out + offs, c0 * a + c1 * b)`,
    /// with `a`, `b` loaded element by element and the weights not).
    private func kernelWeightedSums(_ launch: KernelLaunch) -> [(Node, Node)] {
        var sums: [(Node, Node)] = []
        for store in descendants(of: launch.kernel.node) where store.type == "call" && callSite(store).name == "store" {
            guard var stored = callSite(store).positional.dropFirst().first.map(withoutDtypeCasts) else { continue }
            if stored.type == "identifier", let value = latestValue(of: stored.text, before: store) { stored = withoutDtypeCasts(value) }
            guard stored.type == "binary_operator", stored.child(byField: "operator")?.type == "+",
                  let left = stored.child(byField: "left"), let right = stored.child(byField: "right"),
                  let a = weightedTensor(left, launch), let b = weightedTensor(right, launch) else { continue }
            sums.append((a, b))
        }
        return sums
    }

    /// For `w * t` in a kernel with `t` loaded element by element and `w` not: the launch argument `t` is loaded from.
    private func weightedTensor(_ node: Node, _ launch: KernelLaunch) -> Node? {
        let n = unwrapped(node)
        guard n.type == "binary_operator", n.child(byField: "operator")?.type == "*",
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return nil }
        for (weight, tensor) in [(l, r), (r, l)] {
            guard let load = kernelLoad(tensor, in: launch), load.element == nil else { continue }
            if let weightLoad = kernelLoad(weight, in: launch), weightLoad.element == nil { continue }
            return load.argument
        }
        return nil
    }

    /// The parameter of `function` an expression stands for: the parameter itself, a method chain on it
    /// (`a.contiguous()`), or a local last set from one of those.
    private func parameterBehind(_ node: Node, in function: Function, depth: Int = 0) -> String? {
        guard let root = tensorRoot(node) ?? (unwrapped(node).type == "identifier" ? unwrapped(node) : nil), root.type == "identifier" else { return nil }
        if function.parameters.contains(root.text), latestValue(of: root.text, before: node).map({ !isInside($0, function.node) }) ?? true {
            return root.text
        }
        guard depth < 3, let value = latestValue(of: root.text, before: node), isInside(value, function.node) else {
            return function.parameters.contains(root.text) ? root.text : nil
        }
        return parameterBehind(value, in: function, depth: depth + 1)
    }
}
