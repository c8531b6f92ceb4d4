import TreeSitterKit

/// `batched_muon`: the Newton-Schulz orthogonalization works on stacks of matrices (the last two dimensions).
///
/// Requires an orthogonalization routine (a function with a Newton-Schulz loop or an SVD) that transposes the
/// last two dimensions (`.mT`, `transpose(-2, -1)`, `swapaxes(-1, -2)`; dimensions 1 and 2 of a stack the routine folds
/// to three dimensions, `G.reshape(-1, rows, cols)`) and normalizes each matrix (`norm(dim=(-2, -1))`,
/// `vector_norm(dim=(-2, -1))`, a sum of squares over those two dimensions, `torch.linalg.matrix_norm`, or a helper normalizing one row per
/// matrix in a kernel, see `kernelPerMatrixNorm`), or a 2-D routine lifted with `torch.vmap`; and parameters
/// of more than two dimensions admitted (`p.ndim >= 2`, `p.dim() > 1`, skipping `p.ndim < 2`, or an explicit
/// `ndim == 3` branch). The routine may be split in two: a function that normalizes and transposes the stack and
/// hands it to a helper of the file running the iteration (a loop, or a recursion). Rejects 2-D-only routines (`.T`, a global `norm()`), 3-D gradients flattened to 2-D
/// first, and Python loops over slices. The `muon` package's `zeropower_via_newtonschulz5` (batched over leading
/// dimensions) counts where the file calls it. Examples: `queries/python/batched_muon/examples/`.
struct BatchedMuon: Detector {
    let id = "batched_muon"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        guard facts.nodes.contains(where: { admitsStacks($0, facts) }) else { return [] }
        var evidence: [Evidence] = []
        var orthogonalizers = facts.orthogonalizerFunctions
        orthogonalizers += facts.functions.filter { f in !orthogonalizers.contains { $0.node == f.node } && hasGramLoop(f, facts) }
        for f in orthogonalizers {
            let inside = facts.descendants(of: f.node)
            let dims = matrixDimensions(inside, facts)
            if inside.contains(where: { batchedTranspose($0, facts, dims) }), inside.contains(where: { perMatrixNorm($0, facts, dims) }) {
                evidence.append(facts.evidence(f.node, "orthogonalization over the last two dimensions of a stack of matrices"))
            }
        }
        // A routine that prepares the stack itself and hands it to a helper running the iteration.
        for f in facts.functions where !orthogonalizers.contains(where: { $0.node == f.node }) {
            let helpers = iterationHelpers(of: f, orthogonalizers, facts)
            guard !helpers.isEmpty else { continue }
            let inside = ([f] + helpers).flatMap { facts.descendants(of: $0.node) }
            let dims = matrixDimensions(inside, facts)
            if inside.contains(where: { batchedTranspose($0, facts, dims) }), inside.contains(where: { perMatrixNorm($0, facts, dims) }) {
                evidence.append(facts.evidence(f.node, "orthogonalization over the last two dimensions of a stack of matrices"))
            }
        }
        // The `muon` package's `zeropower_via_newtonschulz5` runs over the last two dimensions of any stack (`.mT`, a
        // norm per matrix): called on the updates, also through a name bound to it (`ns = torch.compile(muon.zeropower_via_newtonschulz5)`).
        for call in facts.calls where call.callee == Self.libraryNewtonSchulz {
            evidence.append(facts.evidence(call.node, "the muon package's batched Newton-Schulz over stacked matrices"))
        }
        let names = Set(orthogonalizers.map(\.name))
        for call in facts.calls where call.name == "vmap" {
            if let f = call.positional.first, names.contains(f.text) {
                evidence.append(facts.evidence(call.node, "orthogonalization vectorized over stacked matrices with vmap"))
            }
        }
        return evidence
    }

    /// The `muon` package's Newton-Schulz, also called through a name bound to it (compiled or scripted: calls of
    /// `ns = torch.compile(muon.zeropower_via_newtonschulz5)` have it as their callee, see `CallableAliases.swift`).
    static let libraryNewtonSchulz = "muon.zeropower_via_newtonschulz5"

    /// The orthogonalizers a function calls in its own body (`X = ns_rounds(X / X.norm(dim=(-2, -1), keepdim=True),
    /// steps)`): with them it is one orthogonalization routine, its preparation (per-matrix norm, `.mT`) in the caller
    /// and the Newton-Schulz iteration in the helper. A helper that transposes with the 2-D `.T` works on one matrix
    /// only, whatever its caller prepares, and is left out.
    func iterationHelpers(of f: PythonFacts.Function, _ orthogonalizers: [PythonFacts.Function], _ facts: PythonFacts) -> [PythonFacts.Function] {
        let names = Set(orthogonalizers.map(\.name))
        var helpers: [PythonFacts.Function] = []
        for n in facts.descendants(of: f.node) where n.type == "call" && facts.enclosingFunction(n)?.node == f.node {
            let call = facts.callSite(n)
            guard names.contains(call.name) else { continue }
            for target in facts.targets(of: call) where orthogonalizers.contains(where: { $0.node == target.node })
                && !helpers.contains(where: { $0.node == target.node })
                && !facts.descendants(of: target.node).contains(where: { $0.type == "attribute" && $0.child(byField: "attribute")?.text == "T" }) {
                helpers.append(target)
            }
        }
        return helpers
    }

    /// A loop multiplying a matrix by its own batched transpose (`X @ X.swapaxes(-1, -2)`, `X @ X.mT`): the
    /// Newton-Schulz step, in spellings the orthogonalizer facts may not know.
    func hasGramLoop(_ f: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: f.node).contains { loop in
            guard loop.type == "for_statement" || loop.type == "while_statement" else { return false }
            return facts.descendants(of: loop).contains { n in
                guard let (a, right) = facts.matmulOperands(n) else { return false }
                let b = facts.unparenthesized(right)
                guard batchedTranspose(b, facts) else { return false }
                let inner = b.type == "attribute" ? b.child(byField: "object") : b.child(byField: "function")?.child(byField: "object")
                return inner.map { facts.compact($0) == facts.compact(facts.unparenthesized(a)) } ?? false
            }
        }
    }

    /// The spellings of a matrix's two dimensions in a routine: the last two (`-2, -1`), and, when the routine folds
    /// every leading dimension into one batch dimension (`G.reshape(-1, rows, cols)`, `G.view(-1, m, n)`,
    /// `G.flatten(0, -3)`, `G.flatten(end_dim=-3)`), also `1, 2` of that three-dimensional stack.
    func matrixDimensions(_ inside: some Sequence<Node>, _ facts: PythonFacts) -> Set<Set<Double>> {
        let folds = inside.contains { n in
            guard n.type == "call" else { return false }
            let call = facts.callSite(n)
            if ["reshape", "view"].contains(call.name), call.positional.count == 3, call.receiver != nil {
                return facts.value(of: call.positional[0])?.double == -1
            }
            if call.name == "flatten", call.receiver != nil {
                let end = call.keywords["end_dim"] ?? (call.positional.count == 2 ? call.positional[1] : nil)
                return end.flatMap { facts.value(of: $0)?.double } == -3
            }
            return false
        }
        return folds ? [[-2, -1], [1, 2]] : [[-2, -1]]
    }

    /// The dimensions a tuple or list of two literal (or named) numbers spells, as a set; nil otherwise.
    func dimensionPair(_ nodes: [Node], _ facts: PythonFacts) -> Set<Double>? {
        let values = nodes.compactMap { facts.value(of: $0)?.double }
        return nodes.count == 2 && values.count == 2 ? Set(values) : nil
    }

    /// `.mT`, or a transpose / swap of a matrix's two dimensions (`dims`, see `matrixDimensions`).
    func batchedTranspose(_ node: Node, _ facts: PythonFacts, _ dims: Set<Set<Double>> = [[-2, -1]]) -> Bool {
        if node.type == "attribute" { return node.child(byField: "attribute")?.text == "mT" }
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        guard ["transpose", "swapaxes", "swapdims"].contains(call.name) else { return false }
        return dimensionPair(Array(call.positional.suffix(2)), facts).map(dims.contains) ?? false
    }

    /// `x.norm(dim=(-2, -1))`, `torch.linalg.norm(x, dim=(-2, -1))`, `torch.linalg.vector_norm(x, dim=(-2, -1))` (the
    /// Frobenius norm of each matrix), `torch.linalg.matrix_norm(x)`, or a sum of squares over a matrix's two
    /// dimensions (`x.square().sum(dim=(1, 2), keepdim=True)` of a folded stack, `(x * x).sum(dim=(-2, -1))`,
    /// `torch.sum(x ** 2, dim=...)`), whose root the routine then takes. `dims`: see `matrixDimensions`.
    func perMatrixNorm(_ node: Node, _ facts: PythonFacts, _ dims: Set<Set<Double>> = [[-2, -1]]) -> Bool {
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        if call.name == "matrix_norm" { return true }
        if kernelPerMatrixNorm(call, facts) { return true }
        let sumOfSquares = call.name == "sum" && (call.receiver.map { isSquare($0, facts) } ?? call.positional.first.map { isSquare($0, facts) } ?? false)
        guard call.name == "norm" || call.name == "vector_norm" || sumOfSquares else { return false }
        var dim = call.keywords["dim"] ?? (call.positional.count >= 2 ? call.positional[call.positional.count - 1] : nil)
        if sumOfSquares, call.receiver != nil, call.keywords["dim"] == nil { dim = call.positional.first }
        // A name set once to the axes (`MATRIX_AXES = (-2, -1)`).
        if let name = dim, name.type == "identifier", case let origins = facts.origins(of: name), origins.count == 1 { dim = origins[0] }
        guard let dim, ["tuple", "list"].contains(dim.type) else { return false }
        return dimensionPair(dim.namedChildren, facts).map(dims.contains) ?? false
    }

    /// `x.square()`, `x.pow(2)`, `x ** 2`, `x * x`, `torch.square(x)`.
    func isSquare(_ node: Node, _ facts: PythonFacts) -> Bool {
        let n = facts.unwrapped(node)
        if n.type == "binary_operator", let op = n.child(byField: "operator")?.type, let l = n.child(byField: "left"), let r = n.child(byField: "right") {
            if op == "**" { return facts.value(of: r)?.double == 2 }
            return op == "*" && facts.compact(facts.unwrapped(l)) == facts.compact(facts.unwrapped(r))
        }
        guard n.type == "call" else { return false }
        let call = facts.callSite(n)
        if call.name == "square" { return true }
        return call.name == "pow" && call.positional.last.flatMap { facts.value(of: $0)?.double } == 2
    }

    /// A helper of the file that normalizes each matrix of a stack in a kernel: it flattens the stack to one row per
    /// matrix (`G.reshape(-1, G.size(-2) * G.size(-1))`, `G.flatten(-2)`) and launches a kernel that divides each row by
    /// the square root of its own sum of squares, taken in the kernel (see `PythonFacts.kernelNormalizations`).
    func kernelPerMatrixNorm(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard let helper = facts.calledFunction(call) else { return false }
        return facts.kernelLaunches(in: helper.node).contains { launch in
            facts.kernelNormalizations(launch).contains { normalization in
                guard normalization.inKernel else { return false }
                var rows = facts.unwrapped(normalization.source)
                if rows.type == "identifier", let value = facts.latestValue(of: rows.text, before: launch.call.node) { rows = facts.unwrapped(value) }
                return onePerMatrix(rows, facts)
            }
        }
    }

    /// `x.reshape(-1, x.size(-2) * x.size(-1))` / `.view(...)` (the product of the last two sizes, any spelling of
    /// them: `shape[-2]`, `size(-1)`), or `x.flatten(-2)` / `x.flatten(start_dim=-2)`, also with `.contiguous()` after.
    func onePerMatrix(_ node: Node, _ facts: PythonFacts) -> Bool {
        var n = facts.unwrapped(node)
        while n.type == "call", facts.callSite(n).name == "contiguous", let receiver = facts.callSite(n).receiver { n = facts.unwrapped(receiver) }
        guard n.type == "call" else { return false }
        let call = facts.callSite(n)
        if call.name == "flatten", let start = call.keywords["start_dim"] ?? call.positional.first {
            return facts.value(of: start)?.double == -2 && call.positional.count <= 1
        }
        guard ["reshape", "view"].contains(call.name), call.positional.count == 2, let last = call.positional.last.map(facts.unwrapped),
              last.type == "binary_operator", last.child(byField: "operator")?.type == "*",
              let a = last.child(byField: "left"), let b = last.child(byField: "right") else { return false }
        func lastDimension(_ x: Node) -> Double? {
            let u = facts.unwrapped(x)
            if u.type == "call", ["size"].contains(facts.callSite(u).name), let d = facts.callSite(u).positional.first { return facts.value(of: d)?.double }
            if u.type == "subscript", u.child(byField: "value")?.child(byField: "attribute")?.text == "shape",
               let d = u.child(byField: "subscript") { return facts.value(of: d)?.double }
            return nil
        }
        return Set([lastDimension(a), lastDimension(b)]) == [-2, -1]
    }

    /// A test that lets tensors of more than two dimensions through: `p.ndim >= 2`, `p.ndim > 1`,
    /// `p.dim() >= 2`, `len(p.shape) >= 2`, `p.ndim < 2` (to skip the rest), `p.ndim == 3`, `p.ndim > 2`.
    func admitsStacks(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard node.type == "comparison_operator" else { return false }
        let operands = node.namedChildren
        let operators = node.children.filter { !$0.isNamed }.map(\.type)
        guard operands.count == 2, operators.count == 1 else { return false }
        var op = operators[0]
        var (rank, bound) = (operands[0], operands[1])
        if !isRank(rank, facts) {
            (rank, bound) = (operands[1], operands[0])
            let flipped = ["<": ">", "<=": ">=", ">": "<", ">=": "<="]
            op = flipped[op] ?? op
        }
        guard isRank(rank, facts), let n = facts.value(of: bound)?.double else { return false }
        switch (op, n) {
        case (">=", 2), (">", 1), ("<", 2), ("<=", 1), ("==", 3), (">=", 3), (">", 2): return true
        default: return false
        }
    }

    /// `p.ndim`, `p.dim()`, `len(p.shape)`, `len(p.size())`.
    func isRank(_ node: Node, _ facts: PythonFacts) -> Bool {
        if node.type == "attribute" { return node.child(byField: "attribute")?.text == "ndim" }
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        if call.name == "dim", call.positional.isEmpty { return true }
        if call.callee == "len", let inner = call.positional.first {
            return (inner.type == "attribute" && inner.child(byField: "attribute")?.text == "shape")
                || (inner.type == "call" && facts.callSite(inner).name == "size")
        }
        return false
    }
}
