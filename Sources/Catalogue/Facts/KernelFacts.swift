import Parsing
import TreeSitterKit

/// A Triton (or any `name[grid](...)`-launched) kernel of the file and one place that launches it.
public struct KernelLaunch {
    public let kernel: PythonFacts.Function
    /// The launch call `kernel[grid](...)`.
    public let call: CallSite
    /// The argument passed for each kernel parameter (by position or keyword).
    public let arguments: [String: Node]
}

extension PythonFacts {
    /// Every launch `kernel[grid](args...)` of a function defined in this file, with its parameters bound.
    public var kernelLaunches: [KernelLaunch] {
        memoized("kernelLaunches") {
            calls.compactMap { call -> KernelLaunch? in
                guard let function = call.function, function.type == "subscript",
                      let value = function.child(byField: "value"), value.type == "identifier",
                      let kernel = self.function(named: value.text).first else { return nil }
                var arguments: [String: Node] = [:]
                for (index, argument) in call.positional.enumerated() where index < kernel.parameters.count {
                    arguments[kernel.parameters[index]] = argument
                }
                for (name, argument) in call.keywords { arguments[name] = argument }
                return KernelLaunch(kernel: kernel, call: call, arguments: arguments)
            }
        }
    }

    /// Launches whose call lies inside `node`.
    public func kernelLaunches(in node: Node) -> [KernelLaunch] {
        kernelLaunches.filter { isInside($0.call.node, node) }
    }

    /// The code a launch runs, each part with the numbers bound to its parameters: the kernel's body (bound as
    /// `numericBindings` gives), and the body of each `@triton.jit` helper of the file the kernel calls (bound to
    /// what the kernel passes: `_capped(z, CAP)` binds the helper's cap to the kernel's), and so on for helpers those
    /// helpers call.
    public func kernelBodies(_ launch: KernelLaunch) -> [(node: Node, bindings: [String: Double])] {
        var result = [(node: launch.kernel.node, bindings: numericBindings(launch))]
        // Helpers calling helpers, breadth first, three levels at most.
        var index = 0
        while index < result.count, result.count < 16 {
            let (body, bindings) = result[index]
            index += 1
            guard index <= 8 else { break }
            for n in descendants(of: body) where n.type == "call" {
                let call = callSite(n)
                guard call.receiver == nil, !call.hasSplat,
                      let helper = function(named: call.callee).first(where: { $0.isTritonKernel }),
                      !result.contains(where: { $0.node == helper.node }) else { continue }
                var bound: [String: Double] = [:]
                for (position, parameter) in helper.parameters.enumerated() {
                    if let argument = call.argument(parameter, position: position), let v = evaluate(argument, bindings: bindings) { bound[parameter] = v }
                }
                result.append((helper.node, bound))
            }
        }
        return result
    }

    /// What a kernel value was loaded from: the launch argument behind the pointer of its `tl.load` and the element
    /// it reads when that is a constant (`tl.load(w_ptr + 1)`: element 1; `tl.load(x_ptr + offs)`: nil, element by
    /// element). Follows a local to its value and steps over dtype casts (`tl.load(p).to(tl.float32)`).
    public func kernelLoad(_ node: Node, in launch: KernelLaunch, depth: Int = 0) -> (argument: Node, element: Int?)? {
        let n = withoutDtypeCasts(node)
        if n.type == "identifier", depth < 3, !launch.kernel.parameters.contains(n.text), let value = latestValue(of: n.text, before: n) {
            return kernelLoad(value, in: launch, depth: depth + 1)
        }
        guard n.type == "call", callSite(n).name == "load", let address = callSite(n).positional.first.map(unwrapped) else { return nil }
        // `p`, `p + k` or `k + p` with a pointer parameter `p`.
        var pointer = address, offset: Node?
        if address.type == "binary_operator", address.child(byField: "operator")?.type == "+",
           let l = address.child(byField: "left").map(unwrapped), let r = address.child(byField: "right").map(unwrapped) {
            (pointer, offset) = launch.kernel.parameters.contains(l.text) ? (l, r) : (r, l)
        }
        guard pointer.type == "identifier", let argument = launch.arguments[pointer.text] else {
            // A pointer made in the kernel first (`row = x_ptr + pid * stride`, then `tl.load(row + cols)`): the parameter
            // it starts from, read element by element.
            return kernelPointer(address, launch).flatMap { launch.arguments[$0] }.map { ($0, nil) }
        }
        guard let offset else { return (argument, 0) }
        guard let k = evaluate(offset), k == k.rounded(), abs(k) < 1_000_000 else { return (argument, nil) }
        return (argument, Int(k))
    }

    /// The kernel parameter a pointer expression starts from: `p`, `p + offs`, `offs + p`, or a local of the kernel set
    /// to such an expression (`row_ptr = x_ptr + row * stride`, then `row_ptr + cols`), a few hops at most.
    public func kernelPointer(_ address: Node, _ launch: KernelLaunch, depth: Int = 0) -> String? {
        let n = unwrapped(address)
        if n.type == "identifier" {
            if launch.kernel.parameters.contains(n.text) { return n.text }
            guard depth < 4, let value = latestValue(of: n.text, before: n), isInside(value, launch.kernel.node) else { return nil }
            return kernelPointer(value, launch, depth: depth + 1)
        }
        guard n.type == "binary_operator", n.child(byField: "operator")?.type == "+" else { return nil }
        let sides = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0 }
        // A side that is a parameter given a tensor (not a number: `n_elem + k` is an offset) first.
        for side in sides.map(unwrapped) where side.type == "identifier" && launch.kernel.parameters.contains(side.text) {
            if let argument = launch.arguments[side.text], value(of: argument) == nil { return side.text }
        }
        for side in sides {
            if let found = kernelPointer(side, launch, depth: depth + 1) { return found }
        }
        return nil
    }

    /// The copies a launch makes: stores of a value loaded element by element from another launch argument (dtype casts
    /// aside, `tl.store(dst + offs, tl.load(src + offs).to(dst.dtype.element_ty))`), as (source, destination) launch
    /// arguments. A copy into a tensor of another dtype converts it.
    public func kernelCopies(_ launch: KernelLaunch) -> [(source: Node, destination: Node)] {
        descendants(of: launch.kernel.node).compactMap { n -> (source: Node, destination: Node)? in
            guard n.type == "call", case let store = callSite(n), store.name == "store", store.positional.count >= 2,
                  let pointer = kernelPointer(store.positional[0], launch), let destination = launch.arguments[pointer],
                  let load = kernelLoad(store.positional[1], in: launch), load.element == nil,
                  compact(load.argument) != compact(destination) else { return nil }
            return (load.argument, destination)
        }
    }

    /// A kernel value without its dtype casts (`(a * w).to(out_ptr.dtype.element_ty)`, `x.cast(tl.float32)`).
    public func withoutDtypeCasts(_ node: Node) -> Node {
        var n = unwrapped(node)
        while n.type == "call", let function = n.child(byField: "function"), function.type == "attribute",
              ["to", "cast"].contains(function.child(byField: "attribute")?.text ?? ""), let object = function.child(byField: "object") {
            n = unwrapped(object)
        }
        return n
    }

    /// The numeric values a launch passes to its kernel's parameters (constexpr scales, caps, sizes).
    public func numericBindings(_ launch: KernelLaunch) -> [String: Double] {
        var result: [String: Double] = [:]
        for (name, argument) in launch.arguments {
            if let v = value(of: argument)?.double { result[name] = v }
        }
        return result
    }
}
