import TreeSitterKit

/// Products of a matrix with itself computed by a Triton kernel of the file: `X @ X.T` written as a kernel that loads
/// two blocks through the same pointer and multiplies them with `tl.dot` (`a = tl.load(a_ptrs)`, `at =
/// tl.load(at_ptrs)`, both pointers built from `A_ptr`; `acc = tl.dot(a, at, acc)`), launched from a small wrapper
/// (`def XXT(A, out): XXT_kernel[grid](A_ptr=A, C_ptr=out, ...)`). A Newton-Schulz loop that calls such a wrapper on
/// its matrix (`XXT(X, out=A)`) forms the Gram matrix as `X @ X.mT` does (see `PythonFacts.isNewtonSchulzLoop`).
extension PythonFacts {
    /// The parameters of a function of the file that a kernel it launches multiplies by itself: for each launch in its
    /// body whose kernel has a `tl.dot` of two values both loaded through the pointer a launch argument gives, that
    /// argument when it is one of the function's parameters.
    public func selfProductParameters(of function: Function) -> Set<String> {
        memoized("selfProductParameters/\(function.node.startByte)") {
            var found = Set<String>()
            for launch in kernelLaunches(in: function.node) {
                for body in kernelBodies(launch) {
                    for n in descendants(of: body.node) where n.type == "call" {
                        let call = callSite(n)
                        guard call.name == "dot", call.positional.count >= 2,
                              let a = kernelLoad(call.positional[0], in: launch), let b = kernelLoad(call.positional[1], in: launch),
                              a.element == nil, b.element == nil else { continue }
                        let left = unwrapped(a.argument), right = unwrapped(b.argument)
                        guard left.type == "identifier", left.text == right.text, function.parameters.contains(left.text) else { continue }
                        found.insert(left.text)
                    }
                }
            }
            return found
        }
    }

    /// Whether a call hands the name `argument` to a function of the file that multiplies it by itself in a kernel
    /// (see `selfProductParameters`), by position or by keyword.
    public func computesSelfProduct(of argument: String, in call: CallSite) -> Bool {
        for function in targets(of: call) {
            let products = selfProductParameters(of: function)
            guard !products.isEmpty else { continue }
            for (index, parameter) in filledParameters(function, by: call).enumerated() where products.contains(parameter) {
                if let given = call.argument(parameter, position: index), unwrapped(given).text == argument { return true }
            }
        }
        return false
    }
}
