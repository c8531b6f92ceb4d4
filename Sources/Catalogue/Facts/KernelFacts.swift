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
                      let kernel = functions.first(where: { $0.name == value.text }) else { return nil }
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

    /// The numeric values a launch passes to its kernel's parameters (constexpr scales, caps, sizes).
    public func numericBindings(_ launch: KernelLaunch) -> [String: Double] {
        var result: [String: Double] = [:]
        for (name, argument) in launch.arguments {
            if let v = value(of: argument)?.double { result[name] = v }
        }
        return result
    }
}
