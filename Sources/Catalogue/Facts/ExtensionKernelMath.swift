import Parsing
import TreeSitterKit

/// What a CUDA kernel a compiled extension runs computes, read from its syntax and the flow of values between its
/// variables: a root mean square that scales what the kernel stores, a logarithm of a sum of exponentials.
extension PythonFacts {
    /// Whether a launched CUDA kernel normalizes by a root mean square: a sum of squares of one value (`acc += v * v`,
    /// `acc = fmaf(v, v, acc)`) flows, through locals and shared-memory reductions, into a square root (`rsqrtf`,
    /// `sqrtf`, ...), and the root scales what the kernel stores (`y[i] = x[i] * r`, `y[i] = x[i] / r`). A kernel that
    /// takes the root of something else (an Adam denominator), or only reports the norm (a gradient-norm kernel), is not
    /// one.
    func cudaTakesRootMeanSquare(_ launch: ExtensionLaunch) -> Bool {
        let kernel = CUDAKernelFlow(launch.kernel.node)
        let squares = kernel.dependents(of: Set(kernel.assignments.compactMap { a in Self.accumulatesSquare(a) ? a.target : nil }))
        guard !squares.isEmpty else { return false }
        let roots = kernel.calls(named: CUDAKernelFlow.squareRoots).filter { root in
            kernel.mentions(root.child(byField: "arguments"), anyOf: squares)
        }
        guard !roots.isEmpty else { return false }
        let scaled = kernel.dependents(of: Set(kernel.assignments.compactMap { a in
            roots.contains { $0.byteRange.overlaps(a.value.byteRange) || a.value.byteRange.contains($0.startByte) } ? a.target : nil
        }))
        return kernel.stores.contains { store in
            store.value.preorder.contains { n in
                guard n.type == "binary_expression", ["*", "/"].contains(n.child(byField: "operator")?.type ?? "") else { return false }
                return n.namedChildren.contains { operand in
                    roots.contains { operand.byteRange.contains($0.startByte) } || kernel.mentions(operand, anyOf: scaled)
                }
            }
        }
    }

    /// Whether an assignment adds the square of one value to its target: `acc += v * v`, `acc = acc + v * v`,
    /// `acc = fmaf(v, v, acc)`.
    static func accumulatesSquare(_ assignment: CUDAKernelFlow.Assignment) -> Bool {
        let value = cudaStripped(assignment.value)
        func isSquare(_ node: Node) -> Bool {
            let n = cudaStripped(node)
            guard n.type == "binary_expression", n.child(byField: "operator")?.type == "*",
                  let a = n.child(byField: "left").map(cudaStripped), let b = n.child(byField: "right").map(cudaStripped) else { return false }
            return a.text == b.text
        }
        switch assignment.operator {
        case "+=":
            return isSquare(value)
        case "=":
            if value.type == "call_expression", ["fmaf", "fma", "__fmaf_rn"].contains(value.child(byField: "function")?.text ?? "") {
                let arguments = value.child(byField: "arguments")?.namedChildren ?? []
                return arguments.count == 3 && cudaStripped(arguments[0]).text == cudaStripped(arguments[1]).text
                    && cudaStripped(arguments[2]).text == assignment.target
            }
            guard value.type == "binary_expression", value.child(byField: "operator")?.type == "+",
                  let l = value.child(byField: "left"), let r = value.child(byField: "right") else { return false }
            return (cudaStripped(l).text == assignment.target && isSquare(r)) || (cudaStripped(r).text == assignment.target && isSquare(l))
        default:
            return false
        }
    }

    /// Whether a launched CUDA kernel takes a log-sum-exp: a logarithm (`logf`, `__logf`, `log`) of a value that a sum
    /// of exponentials flows into (`s += expf(v - m)`, the online form `s = s * expf(m - m2) + expf(v - m2)`, and their
    /// shared-memory reductions). A kernel with an exponential and a logarithm of something else (a softplus
    /// `logf(1 + expf(x))`) is not one.
    func cudaTakesLogSumExp(_ launch: ExtensionLaunch) -> Bool {
        let kernel = CUDAKernelFlow(launch.kernel.node)
        let exps: Set<String> = ["expf", "__expf", "exp", "exp2f", "__exp2f"]
        func hasExp(_ node: Node) -> Bool {
            node.preorder.contains { $0.type == "call_expression" && exps.contains($0.child(byField: "function")?.text ?? "") }
        }
        let sums = kernel.dependents(of: Set(kernel.assignments.compactMap { a -> String? in
            guard hasExp(a.value) else { return nil }
            if a.operator == "+=" { return a.target }
            // `s = s * expf(m - m2) + expf(v - m2)`; an element rewritten in place (`y[i] = logf(1 + expf(y[i]))`) is no sum.
            return a.operator == "=" && !a.isStore && kernel.mentions(a.value, anyOf: [a.target]) ? a.target : nil
        }))
        guard !sums.isEmpty else { return false }
        return kernel.calls(named: ["logf", "__logf", "log", "log2f", "__log2f"]).contains { log in
            kernel.mentions(log.child(byField: "arguments"), anyOf: sums)
        }
    }
}

/// The assignments of a CUDA kernel by the variable they write, and which variables a set of them flows into: enough
/// data flow to follow an accumulator through locals, shared-memory arrays and reductions.
struct CUDAKernelFlow {
    struct Assignment {
        /// The variable written: a local, or the array an element of which is written (`partial` of `partial[i] = v`).
        let target: String
        /// `=`, `+=`, ... (`=` for a declaration with a value).
        let `operator`: String
        let value: Node
        /// Whether the target is an array element or a pointer's target (`y[i] = ...`, `*out = ...`).
        let isStore: Bool
    }

    let body: Node
    let assignments: [Assignment]

    init(_ kernel: Node) {
        body = kernel
        var found: [Assignment] = []
        for node in kernel.preorder {
            switch node.type {
            case "init_declarator":
                guard let declarator = node.child(byField: "declarator"), let value = node.child(byField: "value"),
                      let name = Self.baseName(declarator) else { continue }
                found.append(Assignment(target: name, operator: "=", value: value, isStore: false))
            case "assignment_expression":
                guard let left = node.child(byField: "left"), let value = node.child(byField: "right"),
                      let op = node.child(byField: "operator")?.type, let name = Self.baseName(left) else { continue }
                let stripped = PythonFacts.cudaStripped(left)
                found.append(Assignment(target: name, operator: op, value: value,
                                        isStore: ["subscript_expression", "pointer_expression"].contains(stripped.type)))
            case "call_expression":
                // `atomicAdd(out, v)`, `atomicAdd(&out[i], v)`: a store adding to memory.
                guard ["atomicAdd", "atomicAdd_block", "atomicAdd_system"].contains(node.child(byField: "function")?.text ?? ""),
                      let arguments = node.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }),
                      arguments.count == 2, let name = Self.baseName(arguments[0]) else { continue }
                found.append(Assignment(target: name, operator: "+=", value: arguments[1], isStore: true))
            default:
                continue
            }
        }
        assignments = found
    }

    /// The CUDA square-root functions, plain and reciprocal.
    static let squareRoots: Set<String> = ["sqrtf", "sqrt", "rsqrtf", "rsqrt", "__fsqrt_rn", "__frsqrt_rn"]

    /// Stores to memory (array elements and pointer targets), where a kernel's result goes.
    var stores: [Assignment] { assignments.filter(\.isStore) }

    /// The calls of any of `names`.
    func calls(named names: Set<String>) -> [Node] {
        body.preorder.filter { $0.type == "call_expression" && names.contains($0.child(byField: "function")?.text ?? "") }
    }

    /// `seeds` and every variable assigned from an expression that mentions one of them, to a fixed point.
    func dependents(of seeds: Set<String>) -> Set<String> {
        namesReached(from: seeds, through: assignments.map { ($0.target, $0.value) }) { mentions($0, anyOf: $1) }
    }

    /// Whether an expression reads one of `names`.
    func mentions(_ node: Node?, anyOf names: Set<String>) -> Bool {
        guard let node, !names.isEmpty else { return false }
        return node.preorder.contains { $0.type == "identifier" && names.contains($0.text) }
    }

    /// The variable a declarator or an assignment's left side writes: `acc`, `partial` of `partial[tid]`, `out` of
    /// `*out`, `s` of `float s[256]`.
    static func baseName(_ node: Node) -> String? {
        var n = PythonFacts.cudaStripped(node)
        while n.type != "identifier" {
            switch n.type {
            case "subscript_expression", "pointer_expression", "field_expression":
                guard let inner = n.child(byField: "argument") ?? n.namedChildren.first else { return nil }
                n = PythonFacts.cudaStripped(inner)
            case "array_declarator", "pointer_declarator", "reference_declarator", "init_declarator":
                guard let inner = n.child(byField: "declarator") ?? n.namedChildren.first else { return nil }
                n = inner
            default:
                return nil
            }
        }
        return n.text
    }
}

extension PythonFacts {
    /// Whether a launched CUDA kernel applies an elementwise nonlinearity to what it stores: a rectifier (`v > 0.f ? v :
    /// 0.f`, `fmaxf(v, 0.f)`), a squashing or smooth gate (`tanhf`, `erff`, `normcdff`, `v / (1.f + expf(-v))`), read
    /// in the values the kernel stores (through its locals). A kernel that only copies, scales or normalizes is not one.
    func cudaAppliesActivation(_ launch: ExtensionLaunch) -> Bool {
        let kernel = CUDAKernelFlow(launch.kernel.node)
        let nonlinear = kernel.body.preorder.filter { n in
            switch n.type {
            case "conditional_expression":
                guard let condition = n.child(byField: "condition").map(Self.cudaStripped), condition.type == "binary_expression",
                      [">", ">=", "<", "<="].contains(condition.child(byField: "operator")?.type ?? "") else { return false }
                return condition.namedChildren.contains { cudaValue($0, in: launch) == 0 }
            case "call_expression":
                let name = n.child(byField: "function")?.text ?? ""
                if ["tanhf", "tanh", "erff", "erf", "normcdff", "normcdf"].contains(name) { return true }
                guard ["fmaxf", "fmax", "max"].contains(name) else { return false }
                return (n.child(byField: "arguments")?.namedChildren ?? []).contains { cudaValue($0, in: launch) == 0 }
            case "binary_expression":
                guard n.child(byField: "operator")?.type == "/", let denominator = n.child(byField: "right") else { return false }
                return denominator.preorder.contains { d in
                    d.type == "call_expression" && ["expf", "__expf", "exp"].contains(d.child(byField: "function")?.text ?? "")
                }
            default:
                return false
            }
        }
        guard !nonlinear.isEmpty else { return false }
        let shaped = kernel.dependents(of: Set(kernel.assignments.compactMap { a in
            nonlinear.contains { a.value.byteRange.contains($0.startByte) } ? a.target : nil
        }))
        return kernel.stores.contains { store in
            nonlinear.contains { store.value.byteRange.contains($0.startByte) } || kernel.mentions(store.value, anyOf: shaped)
        }
    }
}

extension PythonFacts {
    /// Whether a launched CUDA kernel rotates pairs of values: two sums of two products over the same four factors,
    /// signs aside (`x1 * c + x2 * s` and `-x1 * s + x2 * c`, also `x1 * c - x2 * s` with `x1 * s + x2 * c`), the
    /// rotation of RoPE written out.
    func cudaRotatesPairs(_ launch: ExtensionLaunch) -> Bool {
        var seen: [(text: String, leaves: [String])] = []
        for n in launch.kernel.node.preorder where n.type == "binary_expression" && ["+", "-"].contains(n.child(byField: "operator")?.type ?? "") {
            // A whole sum, not a part of a longer one.
            if let parent = n.parent.map(Self.cudaStripped), parent.type == "binary_expression",
               ["+", "-"].contains(parent.child(byField: "operator")?.type ?? "") { continue }
            let terms = Self.cudaTerms(n)
            guard terms.count == 2 else { continue }
            let factors = terms.map { Self.cudaFactors($0.0).map(Self.unsigned) }
            guard factors.allSatisfy({ $0.count == 2 }) else { continue }
            let leaves = factors.flatMap { $0.map(\.text) }.sorted()
            guard Set(leaves).count == 4 else { continue }
            let text = n.text.filter { !$0.isWhitespace }
            if seen.contains(where: { $0.leaves == leaves && $0.text != text }) { return true }
            seen.append((text, leaves))
        }
        return false
    }

    /// An operand without a leading minus and without casts (`-x1` is `x1`).
    static func unsigned(_ node: Node) -> Node {
        var n = cudaStripped(node)
        while n.type == "unary_expression", n.child(byField: "operator")?.type == "-", let inner = n.child(byField: "argument") { n = cudaStripped(inner) }
        return n
    }
}
