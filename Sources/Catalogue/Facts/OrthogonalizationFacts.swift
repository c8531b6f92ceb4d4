import Parsing
import TreeSitterKit

/// An optimizer whose update is an orthogonalized matrix (Muon and its relatives), recognized by what its step
/// computes, not by its name.
public struct OrthogonalizingOptimizer {
    /// The class (whose `step` orthogonalizes, itself or through the hooks registered on it) or the function that
    /// applies orthogonalized updates; for a library optimizer made to orthogonalize by a step hook
    /// (`torch.optim.SGD(...)` with `register_step_pre_hook`), the hook's function; nil for a library Muon
    /// (`torch.optim.Muon`, `from muon import Muon`).
    public let scope: Node?
    /// The class name, for a class of the file or a library class.
    public let className: String?
    /// Where it is created (class instances, library constructions) or called (a functional update).
    public let uses: [CallSite]
    /// The functions that make up its update: the class's methods or the function, and everything they call, with the
    /// code of the hooks registered on it (see `hooks`).
    public let functions: [PythonFacts.Function]
    /// The step hooks and hook-point registrations on its constructions whose code takes part in its update (see
    /// `PythonFacts.optimizerHooks`).
    public var hooks: [OptimizerHook] = []
}

extension PythonFacts {
    static let libraryMuons: Set<String> = ["Muon", "MuonWithAuxAdam", "SingleDeviceMuon", "SingleDeviceMuonWithAuxAdam"]
    static let inPlaceUpdates: Set<String> = ["add_", "sub_", "copy_", "mul_", "addcmul_", "addcdiv_", "lerp_", "data"]

    /// Whether a loop is a Newton-Schulz iteration: its body multiplies a matrix by its own transpose
    /// (`X @ X.T`, `X @ X.mT`, `torch.mm(X, X.t())`, `X.T @ X`) and then gives that matrix a new value, so the next
    /// pass works on the result (`X = a * X + B @ X`). A loop over parameters that only accumulates Gram statistics
    /// of each gradient (Shampoo's `L += G @ G.T`) is no iteration.
    public func isNewtonSchulzLoop(_ loop: Node) -> Bool {
        let inside = descendants(of: loop)
        let loopVariables = Set(loop.type == "for_statement" ? loopVariables(loop) : [])
        return inside.contains { n in
            guard n.type == "binary_operator" || n.type == "call" else { return false }
            var name: String?
            if let (a, b) = matmulOperands(n) {
                var gram: Node?
                if let t = transposedFactor(n, b), compact(t) == compact(unparenthesized(a)) { gram = t }
                if let t = transposedFactor(n, a), compact(t) == compact(unparenthesized(b)) { gram = t }
                name = gram.flatMap { rootName(unparenthesized($0)) }
            } else if n.type == "call", case let call = callSite(n), let first = call.positional.first.map(unparenthesized),
                      first.type == "identifier", computesSelfProduct(of: first.text, in: call) {
                // A kernel wrapper of the file forming the Gram matrix into a buffer (`XXT(X, out=A)`, see
                // `selfProductParameters`).
                name = first.text
            }
            guard let name, !loopVariables.contains(name) else { return false }
            return inside.contains { m in
                // After the product, or the statement that computes it (`Y = 1.5 * Y - 0.5 * (Y @ Y.mT) @ Y`).
                guard m.startByte > n.startByte || m.byteRange.contains(n.startByte) else { return false }
                switch m.type {
                case "assignment":
                    return assignedNames(m).contains { $0.name == name }
                case "augmented_assignment":
                    return m.child(byField: "left").map { $0.type == "identifier" && $0.text == name } == true
                case "call":
                    let call = callSite(m)
                    return call.name.hasSuffix("_") && call.receiver.map { rootName($0) == name } == true
                default:
                    return false
                }
            }
        }
    }

    /// Whether code runs a Newton-Schulz iteration written out without a loop: two or more rounds on one matrix, each
    /// multiplying it by its own transpose (`A = X @ X.T`, as `isNewtonSchulzLoop` reads the product) and then giving
    /// it a new value computed from it (`X = a * X + b * B + c * A @ B`, `X += ...`, `X.mul_(...)`) before the next
    /// round's product, so each round works on the one before; or two or more calls giving a name what a one-pass
    /// step function returns on it (`X = ns_step(X)` twice, see `isNewtonSchulzStep`). A single pass (one Gram
    /// product, even with several products in the statement that updates the matrix), Gram statistics of a value
    /// that is never given a new value from itself (`L = L + G @ G.T` twice), and a product whose matrix is only
    /// updated before it are none.
    public func isUnrolledNewtonSchulz(in scope: Node) -> Bool {
        var grams: [String: [Int]] = [:]     // where each matrix's Gram products start
        var updates: [String: [Int]] = [:]   // where each new value computed from the matrix ends
        var steps: [String: Int] = [:]       // `X = step(X)` calls of a one-pass step function
        for n in descendants(of: scope) {
            if n.type == "binary_operator" || n.type == "call", let (a, b) = matmulOperands(n) {
                var gram: Node?
                if let t = transposedFactor(n, b), compact(t) == compact(unparenthesized(a)) { gram = t }
                if let t = transposedFactor(n, a), compact(t) == compact(unparenthesized(b)) { gram = t }
                if let gram, let name = rootName(unparenthesized(gram)) { grams[name, default: []].append(n.startByte) }
            }
            switch n.type {
            case "assignment":
                guard let left = n.child(byField: "left"), left.type == "identifier",
                      let right = n.child(byField: "right").map(unparenthesized), mentions(right, left.text) else { break }
                updates[left.text, default: []].append(n.endByte)
                if right.type == "call",
                   receivingParameters(of: left.text, in: callSite(right)).contains(where: { isNewtonSchulzStep($0.function, parameter: $0.parameter) }) {
                    steps[left.text, default: 0] += 1
                }
            case "augmented_assignment":
                if let left = n.child(byField: "left"), left.type == "identifier" { updates[left.text, default: []].append(n.endByte) }
            case "call":
                let call = callSite(n)
                if call.name.hasSuffix("_"), let receiver = call.receiver, let name = rootName(receiver) { updates[name, default: []].append(n.endByte) }
            default:
                break
            }
        }
        if steps.values.contains(where: { $0 >= 2 }) { return true }
        return grams.contains { name, starts in
            let sorted = starts.sorted(), ends = updates[name] ?? []
            // A round: a Gram product followed by a new value of the matrix before its next Gram product.
            let rounds = sorted.indices.filter { i in
                let next = i + 1 < sorted.count ? sorted[i + 1] : Int.max
                return ends.contains { $0 > sorted[i] && $0 <= next }
            }
            return rounds.count >= 2
        }
    }

    /// Whether a function is one pass of a Newton-Schulz iteration on its parameter `parameter`: it multiplies that
    /// parameter by its own transpose (`A = X @ X.T`) and returns a new matrix that reads it (`return a * X + b * A @ X
    /// + c * A @ A @ X`).
    func isNewtonSchulzStep(_ function: Function, parameter: String) -> Bool {
        let gram = descendants(of: function.node).contains { n in
            guard n.type == "binary_operator" || n.type == "call", let (a, b) = matmulOperands(n) else { return false }
            if let t = transposedFactor(n, b), compact(t) == compact(unparenthesized(a)), rootName(unparenthesized(t)) == parameter { return true }
            if let t = transposedFactor(n, a), compact(t) == compact(unparenthesized(b)), rootName(unparenthesized(t)) == parameter { return true }
            return false
        }
        return gram && returnedValues(function).contains { value in
            descendants(of: value).contains { $0.type == "identifier" && $0.text == parameter }
        }
    }

    /// The functions of the file a call runs, each with the parameter that receives the name `argument` it passes by
    /// position: positions fill the parameters a call passes that no keyword names, after the positions a
    /// `functools.partial` held by the called name binds (`step = partial(self._ns_step, a=a, b=b, c=c)`; `step(X)`
    /// passes `X` to the step's first parameter).
    func receivingParameters(of argument: String, in call: CallSite) -> [(function: Function, parameter: String)] {
        guard let position = call.positional.firstIndex(where: { unparenthesized($0).text == argument }) else { return [] }
        var bound = Set(call.keywords.keys), leading = 0
        var candidates: [Function]
        if let function = call.function, function.type == "identifier",
           let value = latestValue(of: function.text, before: call.node).map(unwrapped), value.type == "call",
           Self.partialWrappers.contains(callSite(value).callee) {
            // The partial first: a bare name never reaches a method, though one may share the local's name (`step`).
            let partial = callSite(value)
            bound.formUnion(partial.keywords.keys)
            if call.callee == function.text { leading = max(partial.positional.count - 1, 0) }
            candidates = functionsDenoted(by: value, depth: 0)
        } else {
            candidates = targets(of: call)
        }
        return candidates.compactMap { f in
            let free = f.passedParameters.filter { !bound.contains($0) }
            return leading + position < free.count ? (function: f, parameter: free[leading + position]) : nil
        }
    }

    /// Whether a loop runs a Newton-Schulz step written as a function: it gives a name what a call passing that name
    /// returns (`X = self._ns_step(X, a, b, c)`, `X = step(X)`), the function being one pass of the iteration on the
    /// parameter that receives it (`isNewtonSchulzStep`). A loop over gradients accumulating `L = stat(L, G)` with
    /// `stat` returning `L + G @ G.T` is none: the Gram product is of `G`.
    public func appliesNewtonSchulzStep(_ loop: Node) -> Bool {
        let loopVariables = Set(loop.type == "for_statement" ? loopVariables(loop) : [])
        return descendants(of: loop).contains { n in
            guard n.type == "assignment", let left = n.child(byField: "left"), left.type == "identifier", !loopVariables.contains(left.text),
                  let right = n.child(byField: "right").map(unparenthesized), right.type == "call" else { return false }
            return receivingParameters(of: left.text, in: callSite(right)).contains { isNewtonSchulzStep($0.function, parameter: $0.parameter) }
        }
    }

    /// Whether a call folds a Newton-Schulz step (`functools.reduce(lambda acc, _: step(acc), range(5), X)`,
    /// `reduce(partial(ns_step, a=a, b=b, c=c), range(5), X)`): the folded function, or a call its lambda makes on
    /// its accumulator, is one pass of the iteration on the accumulator (`isNewtonSchulzStep`).
    public func isNewtonSchulzFold(_ node: Node) -> Bool {
        guard node.type == "call" else { return false }
        let call = callSite(node)
        guard call.callee == "functools.reduce", call.positional.count == 3 else { return false }
        let folded = unparenthesized(call.positional[0])
        if folded.type == "lambda" {
            guard let accumulator = lambdaParameters(folded).first, let body = folded.child(byField: "body") else { return false }
            return descendants(of: body).contains { n in
                n.type == "call" && receivingParameters(of: accumulator, in: callSite(n)).contains { isNewtonSchulzStep($0.function, parameter: $0.parameter) }
            }
        }
        return functionsDenoted(by: folded, depth: 0).contains { f in
            f.passedParameters.first.map { isNewtonSchulzStep(f, parameter: $0) } == true
        }
    }

    /// Whether a function is a Newton-Schulz iteration written as recursion: it is one pass of the iteration on a
    /// parameter (`isNewtonSchulzStep`) and calls itself with a new value for that parameter computed from it
    /// (`return ns_rounds(a * X + B @ X, left - 1)`, or a local set to such a value), so each level works on the
    /// result of the one before. Passing the parameter on unchanged (`f(X, n - 1)`) is no iteration, nor is a
    /// recursion whose Gram product is of another value (`stat(L + G @ G.T, rest)` accumulates `G`'s statistics).
    public func isRecursiveNewtonSchulz(_ function: Function) -> Bool {
        let parameters = function.passedParameters
        return descendants(of: function.node).contains { n in
            guard n.type == "call", enclosingFunction(n)?.node == function.node else { return false }
            // A recursion calls the function by its own name (`f(...)`, `self.f(...)`).
            let call = callSite(n)
            guard call.name == function.name, targets(of: call).contains(where: { $0.node == function.node }) else { return false }
            return parameters.enumerated().contains { index, parameter in
                guard let passed = argument(of: call, parameter, position: index).map(unparenthesized),
                      !(passed.type == "identifier" && passed.text == parameter) else { return false }
                let value: Node? = passed.type == "identifier" ? latestValue(of: passed.text, before: n) : passed
                return value.map { mentions($0, parameter) } == true && isNewtonSchulzStep(function, parameter: parameter)
            }
        }
    }

    /// An SVD whose left and right singular vectors are multiplied (`U, S, V = G.svd(); U @ V.T`,
    /// `U, _, Vh = torch.linalg.svd(G); U @ Vh`) inside a node: the SVD call.
    public func svdOrthogonalization(in scope: Node) -> Node? {
        let inside = descendants(of: scope)
        for assignment in inside where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(left.type),
                  let right = assignment.child(byField: "right"), right.type == "call",
                  callSite(right).name == "svd" else { continue }
            let targets = left.namedChildren
            guard targets.count == 3, let u = targets.first?.text, let v = targets.last?.text else { continue }
            let multiplied = inside.contains { n in
                guard n.type == "binary_operator" || n.type == "call", let (a, b) = matmulOperands(n) else { return false }
                let roots = [a, b].map { rootName(unparenthesized($0)) }
                return roots.contains(u) && roots.contains(v)
            }
            if multiplied { return right }
        }
        return nil
    }

    /// The variable an expression reads through attributes, calls and subscripts (`V.T` -> `V`, `g.size(0)` -> `g`).
    func rootName(_ node: Node) -> String? {
        var current = node
        while true {
            switch current.type {
            case "identifier": return current.text
            case "attribute": guard let o = current.child(byField: "object") else { return nil }; current = o
            case "subscript": guard let o = current.child(byField: "value") else { return nil }; current = o
            case "parenthesized_expression": guard let o = current.namedChild(0) else { return nil }; current = o
            case "call":
                guard let f = current.child(byField: "function"), f.type == "attribute", let o = f.child(byField: "object") else { return nil }
                current = o
            default: return nil
            }
        }
    }

    /// Whether a function orthogonalizes in its own body: a Newton-Schulz loop (its step inline or a function it
    /// calls), the iteration's rounds written out one after another (`isUnrolledNewtonSchulz`), a fold of such a step,
    /// a recursion that is the iteration (`isRecursiveNewtonSchulz`), or an SVD turned into `U V^T`.
    public func orthogonalizesDirectly(_ function: Function) -> Bool {
        let loops = descendants(of: function.node).filter { ($0.type == "for_statement" || $0.type == "while_statement") }
        return loops.contains(where: isNewtonSchulzLoop) || svdOrthogonalization(in: function.node) != nil
            || loops.contains(where: appliesNewtonSchulzStep) || descendants(of: function.node).contains(where: isNewtonSchulzFold)
            || isRecursiveNewtonSchulz(function) || isUnrolledNewtonSchulz(in: function.node)
    }

    /// Functions of the file that orthogonalize a matrix themselves.
    public var orthogonalizerFunctions: [Function] { memoized("orthogonalizerFunctions") { functions.filter(orthogonalizesDirectly) } }

    /// The nodes of the file's functions, and of those that orthogonalize directly: whether a function of the
    /// file does is then a lookup.
    var orthogonalizerNodes: (all: Set<Node>, direct: Set<Node>) {
        memoized("orthogonalizerNodes") { (Set(functions.map(\.node)), Set(orthogonalizerFunctions.map(\.node))) }
    }

    /// Whether a call runs an orthogonalizer: by name (`zeropower(g)`, `self._polar(m)`), or through a name bound to
    /// one (`backend = backends[group["backend"]]`, `ns = torch.compile(zeropower)`), or a function of the file that
    /// returns an orthogonalized matrix at any depth (`self.direction(g, group)` whose mixin chain of `super()` calls
    /// ends in `ZeroPower[key](g, steps)`, see `returnsOrthogonalizedNodes`).
    public func isOrthogonalizationCall(_ call: CallSite, orthogonalizers: Set<String>) -> Bool {
        recognisedOrthogonalizationCall(call, orthogonalizers: orthogonalizers) || runsReturningOrthogonalizer(call)
    }

    /// Whether a call runs functions of the file that return an orthogonalized matrix (`returnsOrthogonalizedNodes`):
    /// one of its targets (`targets(of:)`) does; for a lookup by key (`ZeroPower[key](g)`, `table[name](g)`) every
    /// target that is written out (not an abstract stub) does, as the key may pick any of them.
    func runsReturningOrthogonalizer(_ call: CallSite) -> Bool {
        let returning = returnsOrthogonalizedNodes
        guard !returning.isEmpty else { return false }
        let found = targets(of: call).filter { !isAbstractStub($0) }
        guard !found.isEmpty else { return false }
        if call.function.map(unparenthesized)?.type == "subscript" { return found.allSatisfy { returning.contains($0.node) } }
        return found.contains { returning.contains($0.node) }
    }

    /// The functions of the file that return an orthogonalized matrix, at any depth: those that orthogonalize
    /// directly (`orthogonalizerFunctions`) and return a value, then, up to a fixed point (at most eight rounds), every function one
    /// of whose returned values (or the value a local it returns was last given, `out = super().direction(g, group);
    /// return out * scale`, followed back through up to three assignments, `u = zeropower(g); u = u * scale; return
    /// u, buf`) contains a recognised orthogonalization call (`recognisedOrthogonalizationCall`) or a call
    /// of a function already in the set (`self.ortho(blk)`, `super().direction(g)`, `NewtonSchulz5.__call__` run by
    /// `ZeroPower[key](g)`). A function that only calls one without returning its result (a training loop calling
    /// `opt.step()`) does not join: `orthogonalizes` follows such calls by `reachableFunctions`' depth.
    var returnsOrthogonalizedNodes: Set<Node> {
        memoized("returnsOrthogonalizedNodes") {
            // Direct ones that return something (an optimizer's `step` running its own Newton-Schulz loop returns
            // no matrix; `opt.step()` is no orthogonalization call).
            var result = Set(orthogonalizerFunctions.filter { !returnedValues($0).isEmpty }.map(\.node))
            guard !result.isEmpty else { return result }
            let orthogonalizers = orthogonalizerNames
            // Per function, the calls its returned values make, each with its targets, computed once.
            var returnedCalls: [(function: Function, calls: [(call: CallSite, targets: [Function])])] = []
            for f in functions where !orthogonalizerNodes.direct.contains(f.node) {
                // The returned values, and the values their locals were last given, followed back up to three
                // assignments (`u = zeropower(g); u = u * scale; return u, buf`).
                var values = returnedValues(f)
                var frontier = values
                for _ in 0..<3 where !frontier.isEmpty {
                    var next: [Node] = []
                    for value in frontier {
                        for n in [value] + descendants(of: value) where n.type == "identifier" {
                            if let held = latestValue(of: n.text, before: n), !values.contains(held) {
                                values.append(held)
                                next.append(held)
                            }
                        }
                    }
                    frontier = next
                }
                let made = values.flatMap { [$0] + descendants(of: $0) }.filter { $0.type == "call" }.map { callSite($0) }
                guard !made.isEmpty else { continue }
                if made.contains(where: { recognisedOrthogonalizationCall($0, orthogonalizers: orthogonalizers) }) {
                    result.insert(f.node)
                    continue
                }
                let resolved = made.map { (call: $0, targets: targets(of: $0).filter { !isAbstractStub($0) }) }.filter { !$0.targets.isEmpty }
                if !resolved.isEmpty { returnedCalls.append((function: f, calls: resolved)) }
            }
            var rounds = 0
            var changed = true
            while changed && rounds < 8 {
                changed = false
                rounds += 1
                for entry in returnedCalls where !result.contains(entry.function.node) {
                    let joins = entry.calls.contains { made in
                        made.call.function.map(unparenthesized)?.type == "subscript"
                            ? made.targets.allSatisfy { result.contains($0.node) } : made.targets.contains { result.contains($0.node) }
                    }
                    if joins {
                        result.insert(entry.function.node)
                        changed = true
                    }
                }
            }
            return result
        }
    }

    /// The forms of `isOrthogonalizationCall` read at the call itself: a name, a table of backends, a name bound to an
    /// orthogonalizer, a callable object of the file, a helper handed the orthogonalizer.
    func recognisedOrthogonalizationCall(_ call: CallSite, orthogonalizers: Set<String>) -> Bool {
        if orthogonalizers.contains(call.name) { return true }
        // A table of backends read with any key (`backends[hp.backend](g)`), when every function it holds is one.
        if let function = call.function.map(unparenthesized), function.type == "subscript",
           let table = function.child(byField: "value"), let held = tableFunctions(table), !held.isEmpty,
           held.allSatisfy({ orthogonalizers.contains($0) }) {
            return true
        }
        guard let function = call.function else { return false }
        // A module-level function looked up by name (`globals()[f"zeropower_via_{backend}"](g)`), when every one the
        // name may pick is one (see `globalsLookupNames`).
        if let held = globalsLookupNames(function), held.allSatisfy({ orthogonalizers.contains($0) }) { return true }
        if function.type == "identifier", mentionsFunction(function, orthogonalizers, depth: 0) { return true }
        // A callable object of a class of the file (`self.backend(g)` with `self.backend = Backends.create(name)`,
        // `zeropower(g)` with `zeropower = Factory.create(group["backend"])`): what calling it runs (its `__call__`,
        // own or inherited) orthogonalizes, in its own body or by calling an orthogonalizer (`self.orthogonalize(G)`).
        if function.type == "identifier" && !functionNameSet.contains(function.text) && !dataflow.bindings(of: function.text, at: function).isEmpty
            || function.type == "attribute" && function.child(byField: "object")?.text == "self" && calledFunction(call) == nil {
            let direct = orthogonalizerNodes.direct
            let entries = targets(of: call).filter { enclosingClass($0.node) != nil && forwardMethodNames.contains($0.name) }
            if entries.contains(where: { entry in
                direct.contains(entry.node) || descendants(of: entry.node).contains { $0.type == "call" && orthogonalizers.contains(callSite($0).name) }
            }) {
                return true
            }
        }
        // A helper of the file handed the orthogonalizer (`_scaled(g, backend, steps)`, or a method of the class,
        // `self._scaled(g, backend, steps)`, static or not, with `backend` one of them) that calls what it was handed.
        let handed: [(index: Int, name: String)]
        if function.type == "identifier" {
            handed = calledParameters[function.text] ?? []
        } else if call.callee.hasPrefix("self."), let method = calledFunction(call) {
            handed = calledParameters(of: method)
        } else {
            return false
        }
        for (index, parameter) in handed {
            guard let argument = call.argument(parameter, position: index) else { continue }
            let passed = unparenthesized(argument)
            if orthogonalizers.contains(passed.text) { return true }
            if passed.type == "identifier", mentionsFunction(passed, orthogonalizers, depth: 0) { return true }
        }
        return false
    }

    /// The function names a table of callables holds: the values of a dictionary (`{"ns": ns5, "svd": svd_polar}`,
    /// `dict(ns=ns5, svd=svd_polar)`) or the elements of a list or tuple, each a name or a `functools.partial` of one,
    /// the table given by a name set once; nil when it is not such a table.
    func tableFunctions(_ table: Node) -> [String]? {
        guard let entries = tableEntries(table, depth: 0) else { return nil }
        var names: [String] = []
        for entry in entries.map(unparenthesized) {
            if entry.type == "identifier" { names.append(entry.text); continue }
            guard entry.type == "call", Self.partialWrappers.contains(callSite(entry).callee),
                  let wrapped = callSite(entry).positional.first.map(unparenthesized), wrapped.type == "identifier" else { return nil }
            names.append(wrapped.text)
        }
        return names
    }

    /// Whether a name is bound (as a local or a setting) to an expression that mentions one of `names`.
    func mentionsFunction(_ reference: Node, _ names: Set<String>, depth: Int) -> Bool {
        guard depth < 3, let name = SettingsTable.bareName(of: reference) else { return false }
        // A plain name never reads a plain local of another function (the loop variable `b` of a model's `forward` is
        // not the momentum buffer `b = state.setdefault(...)` of an optimizer's `step`); nested functions read their
        // enclosing function's locals.
        let settings = allSettings.settings(name).filter { setting in
            guard reference.type == "identifier", setting.source == .localAssignment, setting.written == name,
                  setting.site.tree === tree, let owner = enclosingFunction(setting.site) else { return true }
            return owner.node.byteRange.contains(reference.startByte)
        }
        // A parameter holds what its callers pass (`orthogonal_update(g, ortho, steps)` called with the `ortho` its
        // caller picked from a table of backends): each argument is read in its caller's scope.
        if reference.type == "identifier", parameterOwner(of: reference) != nil {
            for argument in callerArguments(of: reference).map(unwrapped) where argument.type == "identifier" || argument.type == "attribute" {
                if names.contains(argument.text) || mentionsFunction(argument, names, depth: depth + 1) { return true }
            }
        }
        let values = localValues(of: name, around: reference) + settings.map(\.value)
        for value in values where !isInside(reference, value) {
            // `zeropower = globals()[f"zeropower_via_{group['backend']}"]`: every function the lookup may pick.
            for n in descendants(of: value) where n.type == "subscript" {
                if let held = globalsLookupNames(n), held.allSatisfy({ names.contains($0) }) { return true }
            }
            for n in descendants(of: value) where n.type == "identifier" {
                if names.contains(n.text) { return true }
                if n.text != name, depth < 2, mentionsFunction(n, names, depth: depth + 1) { return true }
            }
        }
        return false
    }

    /// The names of the file's orthogonalizer functions (`orthogonalizerFunctions`), which calls are recognised by.
    var orthogonalizerNames: Set<String> { memoized("orthogonalizerNames") { Set(orthogonalizerFunctions.map(\.name)) } }

    /// Whether any of `functions` orthogonalizes (itself, or through an orthogonalization call). Each function's
    /// answer is kept: optimizer classes, hooks and step functions ask about the same reachable functions.
    public func orthogonalizes(_ functions: [Function]) -> Bool {
        functions.contains { f in
            if let known = orthogonalizingFunctionMemo[f.node] { return known }
            let nodes = orthogonalizerNodes, names = orthogonalizerNames
            let answer = (nodes.all.contains(f.node) ? nodes.direct.contains(f.node) : orthogonalizesDirectly(f))
                || descendants(of: f.node).contains { n in n.type == "call" && isOrthogonalizationCall(callSite(n), orthogonalizers: names) }
            orthogonalizingFunctionMemo[f.node] = answer
            return answer
        }
    }

    /// Whether the code under `node` orthogonalizes (an inline Newton-Schulz loop, its rounds written out, or SVD, or
    /// an orthogonalizer call).
    public func orthogonalizes(_ node: Node) -> Bool {
        let orthogonalizers = orthogonalizerNames
        if descendants(of: node).contains(where: { ($0.type == "for_statement" || $0.type == "while_statement")
            && (isNewtonSchulzLoop($0) || appliesNewtonSchulzStep($0)) }) {
            return true
        }
        if isUnrolledNewtonSchulz(in: node) { return true }
        if descendants(of: node).contains(where: isNewtonSchulzFold) { return true }
        if svdOrthogonalization(in: node) != nil { return true }
        return descendants(of: node).contains { n in
            n.type == "call" && isOrthogonalizationCall(callSite(n), orthogonalizers: orthogonalizers)
        }
    }

    /// Classes with a `step` method that orthogonalizes (directly or through what it calls), whatever their name; the
    /// `step` may be inherited from a base class of the file (a mixin's: `class Muon(ShardedStepMixin,
    /// OrthogonalMomentum, Optimizer)`).
    public var orthogonalizingOptimizerClasses: [Class] {
        memoized("orthogonalizingOptimizerClasses") {
            classes.filter { c in
                guard !delegatesStep(c), let step = function(named: "step").first(where: { isInside($0.node, c.node) }) ?? method("step", of: c)
                else { return false }
                return orthogonalizes(reachableFunctions(from: step))
            }
        }
    }

    /// The orthogonalizing optimizers of the file: classes whose `step` (own, or inherited from a base class of the
    /// file), or a hook registered on their instances (see `optimizerHooks`), orthogonalizes (and that are
    /// instantiated, also through a lookup by name, see `calleesChosenByName`, or through a name or member holding
    /// the class, see `heldClassConstructions`), library optimizers whose step hooks orthogonalize and update in place,
    /// functions that orthogonalize and update parameters in place inside the training loop, and library Muon optimizers.
    public var orthogonalizingOptimizers: [OrthogonalizingOptimizer] {
        memoized("orthogonalizingOptimizers") {
            var result: [OrthogonalizingOptimizer] = []
            var classMethods = Set<Node>()
            for c in classes {
                let methods = functions.filter { isInside($0.node, c.node) }
                guard let step = methods.first(where: { $0.name == "step" }) ?? method("step", of: c) else { continue }
                methods.forEach { classMethods.insert($0.node) }
                var reach = reachableFunctions(from: step)
                for m in methods where !reach.contains(where: { $0.node == m.node }) { reach.append(m) }
                let ownStep = orthogonalizes(reachableFunctions(from: step))
                guard ownStep || !optimizerHooks.isEmpty, !delegatesStep(c) else { continue }
                // Constructions by name, and by a lookup that may pick the class (`cls(params)` with `cls =
                // globals().get(spec["cls"]) or getattr(torch.optim, spec["cls"])`, `REGISTRY[key](...)`; see
                // `namedChoices`).
                let held = heldClassConstructions
                let uses = calls.filter { call in
                    (call.name == c.name || calleesChosenByName(call).contains { $0.callee.lastDottedComponent == c.name }
                        || held[call.node]?.contains { $0.node == c.node } == true)
                        && !isInside(call.node, c.node)
                }
                guard !uses.isEmpty else { continue }
                // Hooks registered on its instances run in its step (`opt.register_step_pre_hook(h)`, a hook point of
                // the class, `opt.register_ortho_override(split_blocks)`; see `optimizerHooks`): their code is part of
                // its update, and a pre-hook that orthogonalizes the gradients a plain step applies makes it one.
                let hooks = optimizerHooks(on: uses)
                let hooked = hooks.flatMap(\.functions).flatMap { reachableFunctions(from: $0) }
                guard ownStep || orthogonalizes(hooked) && hooked.contains(where: updatesInPlace) else { continue }
                for f in hooked where !reach.contains(where: { $0.node == f.node }) { reach.append(f) }
                result.append(OrthogonalizingOptimizer(scope: c.node, className: c.name, uses: uses, functions: reach, hooks: hooks))
            }
            // A functional update: called in a loop that also runs backward, or in a function such a loop calls
            // (`functional_step(step, ...)` running every optimizer's update). It updates the parameters in place, or
            // is a pure update function whose result its caller applies to them (`u, buf = muon_update(g, buf, ...)`
            // then `torch._foreach_add_(leaves, updates, alpha=-lr)`, see `appliedUpdates(of:)`): then the calls
            // whose result is applied are its uses, except inside a function that updates in place itself (that
            // function is the optimizer: `def muon_step(ps): for p in ps: p.add_(ns(p.grad), alpha=-lr)`).
            for f in functions where !classMethods.contains(f.node) && f.parameters.first != "self" {
                let reach = reachableFunctions(from: f)
                guard orthogonalizes(reach) else { continue }
                let applied: Set<Node>? = updatesInPlace(f) ? nil : Set(appliedUpdates(of: f).map(\.call.node))
                if let applied, applied.isEmpty { continue }
                var uses = calls.filter { call in
                    (call.name == f.name || runsUnderAnotherName(call, f)) && runsInTrainingLoop(call.node, depth: 2)
                        && applied.map { $0.contains(call.node) && enclosingFunction(call.node).map(updatesInPlace) != true } != false
                }
                // A helper running the update rule each call hands it (`apply_updates(leaves, states, adam_update, ...)`
                // beside `apply_updates(..., ortho_update, ...)`, see `handedFunctions`) orthogonalizes only for the
                // calls handing it a rule that does, unless it orthogonalizes on its own.
                let handedByCall = uses.map { handedFunctions($0) }
                if handedByCall.contains(where: { !$0.isEmpty }) {
                    let handedReach = Set(handedByCall.flatMap { $0 }.flatMap { reachableFunctions(from: $0) }.map(\.node))
                    if !orthogonalizes(reach.filter { !handedReach.contains($0.node) }) {
                        uses = zip(uses, handedByCall).filter { _, handed in
                            handed.isEmpty || handed.contains { orthogonalizes(reachableFunctions(from: $0)) }
                        }.map(\.0)
                    }
                }
                guard !uses.isEmpty else { continue }
                result.append(OrthogonalizingOptimizer(scope: f.node, className: nil, uses: uses, functions: reach))
            }
            // A chain of transformations with an orthogonalizing link (see `TransformChain`): scoped at that link's
            // factory, its update the links from that one on.
            for chain in transformChains {
                let update = chain.orthogonalizedUpdate(in: self)
                guard let first = update.first else { continue }
                result.append(OrthogonalizingOptimizer(scope: first.node, className: nil, uses: [chain.call], functions: update))
            }
            // A library optimizer (`torch.optim.SGD(...)`) whose step hooks orthogonalize and write the gradients or
            // parameters in place (a pre-hook swapping each gradient for its orthogonalized momentum, which the plain
            // step then applies): scoped at the hook's first function.
            var hookedLibrary: [Node: [OptimizerHook]] = [:]
            for hook in optimizerStepHooks {
                for construction in hook.optimizers where construction.type == "call" && builtObject(construction) == nil
                    && !Self.libraryMuons.contains(callSite(construction).name) {
                    hookedLibrary[construction, default: []].append(hook)
                }
            }
            for (construction, hooks) in hookedLibrary.sorted(by: { $0.key.startByte < $1.key.startByte }) {
                var reach: [Function] = []
                for f in hooks.flatMap(\.functions).flatMap({ reachableFunctions(from: $0) }) where !reach.contains(where: { $0.node == f.node }) {
                    reach.append(f)
                }
                guard let first = hooks.first?.functions.first, orthogonalizes(reach),
                      reach.contains(where: updatesInPlace) else { continue }
                let call = callSite(construction)
                result.append(OrthogonalizingOptimizer(scope: first.node, className: call.name, uses: [call], functions: reach, hooks: hooks))
            }
            // Library implementations.
            let own = Set(classes.map(\.name))
            let library = calls.filter { call in
                call.callee.contains("." as Character) && !own.contains(call.name) && Self.libraryMuons.contains(call.name)
                    && (call.callee.hasPrefix("torch.optim.") || call.receiver == nil)
            }
            for call in library {
                result.append(OrthogonalizingOptimizer(scope: nil, className: call.name, uses: [call], functions: []))
            }
            return result
        }
    }

    /// The momentum each call of an orthogonalized update written as a function passes: the argument for its
    /// `momentum` (or `beta`, `mu`) parameter (`muon_update(grads, state, leaves, lr=..., momentum=ramp(step))`).
    public var functionalMomentumArguments: [(use: CallSite, value: Node)] {
        memoized("functionalMomentumArguments") {
            orthogonalizingOptimizers.filter { $0.className == nil }.flatMap { optimizer -> [(use: CallSite, value: Node)] in
                guard let scope = optimizer.scope, let function = functions.first(where: { $0.node == scope }),
                      let index = function.parameters.firstIndex(where: { ["momentum", "beta", "mu"].contains($0) }) else { return [] }
                return optimizer.uses.compactMap { use in use.argument(function.parameters[index], position: index).map { (use, $0) } }
            }
        }
    }

    /// Whether code runs inside a loop that also runs backward (or computes gradients otherwise, see
    /// `CallSite.computesGradients`), directly or in a function of the file such a loop calls (`depth` levels of callers).
    func runsInTrainingLoop(_ node: Node, depth: Int) -> Bool {
        if enclosingLoops(node).contains(where: { loop in descendants(of: loop).contains { $0.type == "call" && callSite($0).computesGradients } }) {
            return true
        }
        guard depth > 0, let function = enclosingFunction(node), function.parameters.first != "self" else { return false }
        // A step function that runs backward itself (`def train_step(...): loss.backward(); update(...)`) trains
        // wherever a loop calls it.
        let trains = descendants(of: function.node).contains { $0.type == "call" && callSite($0).computesGradients }
        return calls.contains { call in
            !isInside(call.node, function.node)
                && (call.name == function.name && calledFunction(call)?.node == function.node
                    || call.function?.type == "identifier" && targets(of: call).contains { $0.node == function.node })
                && (trains && !enclosingLoops(call.node).isEmpty || runsInTrainingLoop(call.node, depth: depth - 1))
        }
    }

    /// Whether a call runs `function` under another name: read out of a table of the file (`table[k][1](...)`,
    /// `for name, fn in routes: fn(...)`), or unpacked from what a factory returns (see `targets(of:)`).
    func runsUnderAnotherName(_ call: CallSite, _ function: Function) -> Bool {
        guard let callee = call.function, callee.type == "subscript" || callee.type == "identifier" && !functionNameSet.contains(callee.text)
        else { return false }
        return targets(of: call).contains { $0.node == function.node }
    }

    /// Whether a function changes parameters in place (`p.add_(...)`, `w.sub_(...)`, `p.data.copy_(...)`, `w -= ...`); a
    /// tensor it returns (a momentum buffer) is not one.
    func updatesInPlace(_ function: Function) -> Bool {
        // A tensor the function hands back (`return direction, buf` after `buf.mul_(m).add_(g)`) is state it returns,
        // not a parameter it updates.
        let returned = Set(returnedValues(function).flatMap { value -> [String] in
            let v = unwrapped(value)
            return (["tuple", "expression_list", "list"].contains(v.type) ? v.namedChildren : [v]).map { unwrapped($0).text }
        })
        return descendants(of: function.node).contains { n in
            if n.type == "augmented_assignment", let op = n.child(byField: "operator")?.type, ["-=", "+="].contains(op) { return true }
            guard n.type == "call" else { return false }
            // Multi-tensor forms too (`torch._foreach_add_(leaves, outs, alpha=-lr)`, see `methodView`).
            let call = methodView(callSite(n))
            guard let receiver = call.receiver, Self.inPlaceUpdates.contains(call.name) else { return false }
            return !returned.contains(chainRoot(receiver).text)
        }
    }

    /// The name a chain of method calls, attributes and subscripts starts from (`buf` of `buf.mul_(m)`, `state["m"]`).
    func chainRoot(_ node: Node) -> Node {
        var current = unwrapped(node)
        while true {
            switch current.type {
            case "call":
                guard let receiver = callSite(current).receiver else { return current }
                current = unwrapped(receiver)
            case "attribute":
                guard let object = current.child(byField: "object") else { return current }
                current = unwrapped(object)
            case "subscript":
                guard let value = current.child(byField: "value") else { return current }
                current = unwrapped(value)
            default:
                return current
            }
        }
    }
}
