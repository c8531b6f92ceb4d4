import Parsing
import TreeSitterKit

/// `ns_iteration_restructure`: the Newton-Schulz step forms a polynomial of the Gram matrix, then one product with X.
///
/// Requires, in a loop of a function that something uses, `A = X @ X^T` (any transpose spelling), a polynomial of
/// A alone with a linear term and an `A @ A` term (`b * A + c * A @ A`, `torch.add(b * A, A @ A, alpha=c)`, or
/// `torch.addmm(A, A, A, beta=b, alpha=c)` / `baddbmm`, also `A.mul(b).addmm_(A, A, alpha=c)`, or a weighted sum a kernel
/// of the file computes, `lincomb(A, A @ A, b, c)`), and an update of X with a single product of that polynomial (by name or inline) with X
/// (`a * X + B @ X`, `torch.addmm(X, B, X, beta=a)`, `X.mul(a).addmm_(B, X)`; a choice between two such spellings by
/// shape, `torch.baddbmm(...) if X.ndim > 2 else torch.addmm(...)`, when both are). The three may instead make up a step
/// function the loop gives X to (`X = ns_step(X)`, `X = QUINTIC(X)` running `Quintic.__call__`; see
/// `receivingParameters`), on the parameter receiving X, the update assigned to it or returned. The loop may be a fold
/// (`functools.reduce(step, range(5), X)`, the folded function's accumulator being X, or a lambda handing the accumulator
/// to a step function, also one the items are: `reduce(lambda acc, f: f(acc), [ns_step] * 5, X)`), or be written out:
/// the rounds repeated as straight-line statements, the regrouped update of the same X at least twice. Coefficients may be anything. Rejects the older `B = A @ X;
/// X = a*X + b*B + c*A@B`, the expanded form with two products by X, the cubic iteration, and a regrouped form in
/// a function nothing calls. Examples: `queries/python/ns_iteration_restructure/examples/`.
struct NsIterationRestructure: Detector {
    let id = "ns_iteration_restructure"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        for loop in facts.nodes(ofType: ["for_statement", "while_statement"]) {
            if let function = facts.enclosingFunction(loop), !facts.forwardMethodNames.contains(function.name),
               !facts.isReferenced(function.name, outside: function.node) {
                continue
            }
            let assignments = facts.descendants(of: loop).filter { $0.type == "assignment" }
            if let update = regroupedUpdate(in: assignments, facts) {
                return [facts.evidence(update, "X updated with one product of a polynomial in the Gram matrix")]
            }
            // The step written as a function the loop hands X to and takes X back from (`X = QUINTIC(X)`).
            for assignment in assignments {
                guard let left = assignment.child(byField: "left"), left.type == "identifier",
                      let right = assignment.child(byField: "right").map(facts.unparenthesized), right.type == "call" else { continue }
                for (function, parameter) in facts.receivingParameters(of: left.text, in: facts.callSite(right)) {
                    let body = facts.descendants(of: function.node).filter { $0.type == "assignment" }
                    if let update = regroupedUpdate(in: body, of: parameter, results: facts.returnedValues(function), facts) {
                        return [facts.evidence(update, "X updated with one product of a polynomial in the Gram matrix (step run by the loop)")]
                    }
                }
            }
        }
        // A fold runs its function once per item, as a loop runs its body, on the accumulator (`functools.reduce(body,
        // range(5), X)` with `def body(X, _)` forming the step and returning the update, or `functools.reduce(lambda
        // acc, step: step(acc), [ns_step] * 5, X)` handing it to a step function; see `PythonFacts.fold(running:)`).
        for (call, folded) in facts.allFolds {
            if let function = facts.enclosingFunction(call), !facts.forwardMethodNames.contains(function.name),
               !facts.isReferenced(function.name, outside: function.node) {
                continue
            }
            guard let fold = facts.fold(running: folded) else { continue }
            let assignments = facts.descendants(of: folded).filter { $0.type == "assignment" }
            let results = facts.functions.first(where: { $0.node == folded }).map(facts.returnedValues) ?? []
            if let update = regroupedUpdate(in: assignments, of: fold.accumulator, results: results, facts) {
                return [facts.evidence(update, "X updated with one product of a polynomial in the Gram matrix (step folded over the iterations)")]
            }
            for n in facts.descendants(of: folded) where n.type == "call" {
                for (function, parameter) in facts.receivingParameters(of: fold.accumulator, in: facts.callSite(n)) {
                    let body = facts.descendants(of: function.node).filter { $0.type == "assignment" }
                    if let update = regroupedUpdate(in: body, of: parameter, results: facts.returnedValues(function), facts) {
                        return [facts.evidence(update, "X updated with one product of a polynomial in the Gram matrix (step run by a fold)")]
                    }
                }
            }
        }
        // The rounds written out one after another with no loop (`A = X @ X.T; B = b * A + c * (A @ A); X = a * X + B @ X`
        // five times): an unrolled loop, read as one when the regrouped step updates the same X at least twice.
        for function in facts.functions {
            if !facts.forwardMethodNames.contains(function.name), !facts.isReferenced(function.name, outside: function.node) {
                continue
            }
            let straight = facts.descendants(of: function.node).filter {
                $0.type == "assignment" && facts.enclosingFunction($0)?.node == function.node && facts.enclosingLoops($0).isEmpty
            }
            guard let first = regroupedUpdate(in: straight, facts), let x = first.child(byField: "left")?.text else { continue }
            let later = straight.filter { $0.startByte >= first.endByte }
            if let again = regroupedUpdate(in: later, of: x, facts), again.child(byField: "left")?.text == x {
                return [facts.evidence(first, "X updated with one product of a polynomial in the Gram matrix (rounds written out)")]
            }
        }
        return []
    }

    /// Among `assignments` (of a loop body, or of a step function's body): `A = X @ X^T`, then a regrouped update of X
    /// (`isRegroupedUpdate`) assigned to X or, in a step function, one of its returned values (`results`). `of`: the
    /// name X must be (the step's parameter receiving the loop's matrix); any when nil. The update node, or nil.
    func regroupedUpdate(in assignments: [Node], of required: String? = nil, results: [Node] = [], _ facts: PythonFacts) -> Node? {
        for gram in assignments {
            guard let left = gram.child(byField: "left"), left.type == "identifier", let right = gram.child(byField: "right"),
                  let x = gramOperand(right, facts), required == nil || required == x else { continue }
            let a = left.text
            let polynomials = Set(assignments.compactMap { p -> String? in
                guard p.startByte > gram.startByte, let l = p.child(byField: "left"), l.type == "identifier",
                      let r = p.child(byField: "right"), isPolynomial(r, of: a, not: x, facts) else { return nil }
                return l.text
            })
            for update in assignments where update.startByte > gram.startByte {
                guard let l = update.child(byField: "left"), l.type == "identifier", l.text == x,
                      let r = update.child(byField: "right"), isRegroupedUpdate(r, x: x, a: a, polynomials: polynomials, facts) else { continue }
                return update
            }
            for value in results where value.startByte > gram.startByte && isRegroupedUpdate(value, x: x, a: a, polynomials: polynomials, facts) {
                return value
            }
        }
        return nil
    }

    /// For `X @ X.T` (and spellings), the name `X`.
    func gramOperand(_ node: Node, _ facts: PythonFacts) -> String? {
        let product = facts.unparenthesized(node)
        guard let (l, r) = facts.matmulOperands(product) else { return nil }
        if let t = facts.transposedFactor(product, r), let x = facts.tensorRoot(l), facts.tensorRoot(t)?.text == x.text { return x.text }
        if let t = facts.transposedFactor(product, l), let x = facts.tensorRoot(r), facts.tensorRoot(t)?.text == x.text { return x.text }
        return nil
    }

    /// A polynomial of `a` with a linear term and a quadratic term (`b*A + c*A@A`, `torch.addmm(A, A, A, ...)`),
    /// not mentioning `x`.
    func isPolynomial(_ node: Node, of a: String, not x: String, _ facts: PythonFacts) -> Bool {
        let node = facts.unparenthesized(node)
        // One spelling per shape (`torch.baddbmm(...) if X.ndim > 2 else torch.addmm(...)`): both must be one.
        if let parts = facts.conditionalParts(node) {
            return isPolynomial(parts.value, of: a, not: x, facts) && isPolynomial(parts.alternative, of: a, not: x, facts)
        }
        guard facts.mentions(node, a), !facts.mentions(node, x) else { return false }
        if node.type == "call" {
            let call = facts.callSite(node)
            if let (input, m1, m2) = addmmOperands(call) {
                // The input may carry its coefficient (`A.mul(b).addmm_(A, A, alpha=c)`).
                return facts.mixTerm(input).contains { $0.text == a } && [m1, m2].allSatisfy { facts.tensorRoot($0)?.text == a }
            }
            // A polynomial scaled by a coefficient (`torch.add(A, A @ A, alpha=c / b).mul_(b)`) is one.
            if ["mul", "mul_"].contains(call.name), let receiver = call.receiver, call.positional.count == 1,
               !facts.mentions(call.positional[0], a), isPolynomial(receiver, of: a, not: x, facts) {
                return true
            }
            // torch.add(b * A, A @ A, alpha=c), A.add(A @ A, alpha=c / b).mul_(b): a sum written as a call; or a weighted
            // sum a kernel computes (`lincomb(A, A @ A, b, c)`, see `PythonFacts.kernelBlendedArguments`).
            let blended = facts.kernelBlendedArguments(call)
            guard blended != nil || ["add", "add_", "mul", "mul_"].contains(call.name) else { return false }
            let terms = blended ?? facts.callArguments(call).filter { $0.type != "keyword_argument" } + (call.receiver.map { [$0] } ?? [])
            let linear = terms.contains { t in facts.mentions(t, a) && !containsMatmul(t, facts) }
            let quadratic = terms.contains { t in
                facts.descendants(of: t).contains { n in
                    guard let (l, r) = facts.matmulOperands(n) else { return false }
                    return facts.mentions(l, a) && facts.mentions(r, a)
                }
            }
            return linear && quadratic
        }
        let terms = facts.addends(node)
        guard terms.count >= 2 else { return false }
        let linear = terms.contains { t in facts.mentions(t, a) && !containsMatmul(t, facts) }
        let quadratic = terms.contains { t in
            facts.descendants(of: t).contains { n in
                guard let (l, r) = facts.matmulOperands(n) else { return false }
                return facts.mentions(l, a) && facts.mentions(r, a)
            }
        }
        return linear && quadratic
    }

    /// The input and the two factors of `torch.addmm(M, A, B, ...)` / `baddbmm`, or of the method forms
    /// `M.addmm(A, B, ...)` / `M.addmm_(A, B, ...)` (`A.mul(b).addmm_(A, A, alpha=c)` is b*A + c*A@A).
    func addmmOperands(_ call: CallSite) -> (Node, Node, Node)? {
        guard ["addmm", "addmm_", "baddbmm", "baddbmm_"].contains(call.name) else { return nil }
        if call.positional.count >= 3 { return (call.positional[0], call.positional[1], call.positional[2]) }
        if call.positional.count == 2, let receiver = call.receiver, !call.callee.hasPrefix("torch.") {
            return (receiver, call.positional[0], call.positional[1])
        }
        return nil
    }

    func containsMatmul(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: node).contains { facts.matmulOperands($0) != nil }
    }

    /// `a*X + B @ X` or `torch.addmm(X, B, X, beta=a)` with B a polynomial of the Gram matrix: exactly one
    /// product involving X.
    func isRegroupedUpdate(_ node: Node, x: String, a: String, polynomials: Set<String>, _ facts: PythonFacts) -> Bool {
        let node = facts.unparenthesized(node)
        if let parts = facts.conditionalParts(node) {
            return isRegroupedUpdate(parts.value, x: x, a: a, polynomials: polynomials, facts)
                && isRegroupedUpdate(parts.alternative, x: x, a: a, polynomials: polynomials, facts)
        }
        func isPoly(_ n: Node) -> Bool {
            if let root = facts.tensorRoot(n), polynomials.contains(root.text) { return true }
            return isPolynomial(n, of: a, not: x, facts)
        }
        var terms = facts.addends(node)
        if node.type == "call" {
            let call = facts.callSite(node)
            if let (input, m1, m2) = addmmOperands(call) {
                return facts.mixTerm(input).contains { $0.text == x } && isPoly(m1) && facts.tensorRoot(m2)?.text == x
            }
            // A weighted sum a kernel computes (`lincomb(X, B @ X, a, 1.0)`).
            guard let blended = facts.kernelBlendedArguments(call) else { return false }
            terms = blended
        }
        let products = terms.flatMap { facts.descendants(of: $0) }.compactMap { facts.matmulOperands($0) }
        let withX = products.filter { facts.mentions($0.0, x) || facts.mentions($0.1, x) }
        guard withX.count == 1, let (l, r) = withX.first, facts.tensorRoot(r)?.text == x, isPoly(l) else { return false }
        return terms.count == 2 && terms.contains { facts.mentions($0, x) && !containsMatmul($0, facts) }
    }
}
