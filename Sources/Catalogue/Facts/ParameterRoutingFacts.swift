import Parsing
import TreeSitterKit

/// What kind of parameters an optimizer (or one of its parameter groups) receives.
public enum ParameterKind: Hashable, Sendable {
    /// The token-embedding table.
    case embedding
    /// The output head's weight.
    case head
    /// Parameters selected as matrices by a dimensionality test (`p.ndim == 2`, `p.ndim >= 2`), or named one by one
    /// and built as matrices (a linear layer's weight; see `PythonFacts.constructedKind`).
    case matrices
    /// Parameters selected as scalars or vectors by a dimensionality test (`p.ndim < 2`), or named one by one and
    /// built with fewer than two dimensions (`nn.Parameter(torch.tensor([1.0, 0.5]))`).
    case scalars
    /// Anything else (a module's parameters, an unknown list).
    case other
}

/// One place an optimizer gets parameters with a learning rate: a whole optimizer, or one of its parameter groups.
public struct OptimizerSlot {
    public let optimizer: OptimizerUse
    /// The parameters expression (`[model.wte.weight]`, `matrix_params`, a group's `params` entry).
    public let params: Node?
    /// The learning rate of this slot (the group's own `lr`, else the optimizer's).
    public let learningRates: [Double]
    public let kinds: Set<ParameterKind>
    /// The group dictionary, or the optimizer call.
    public let site: Node
}

/// Parameter routing: which parameters each optimizer receives, recognized by what they are (the embedding
/// table, the output head, a dimensionality-filtered list) rather than by their names.
extension PythonFacts {
    /// 1 when the model keeps its per-layer weights stacked (`self.w_fc = nn.Parameter(torch.empty(L, 4 * d, d))`, one
    /// tensor per kind of weight with the layers on a leading dimension), so that the blocks' matrices are 3-D and
    /// their scalars 1-D or 2-D; 0 otherwise. Stacked means at least two parameters made from a tensor of three sizes
    /// that lead with the same size, which is not a small number (a `(3, d, d)` merged QKV weight is no stack of
    /// layers), in a file that builds at most two linear layers as modules (the head, say; a mixture of experts with
    /// `(E, m, n)` expert stacks beside linear attention layers is no layer stack).
    var stackedLayerDimensions: Int {
        memoized("stackedLayerDimensions") { () -> Int in
            var leading: [String: Int] = [:]
            for call in calls where call.torchCallee == "torch.nn.Parameter" {
                guard var tensor = call.positional.first.map(unwrapped) else { continue }
                // `torch.randn(L, m, n) * 0.02`: the factory scaled.
                while tensor.type == "binary_operator", let left = tensor.child(byField: "left").map(unwrapped) { tensor = left }
                guard tensor.type == "call",
                      case let factory = callSite(tensor), PythonFacts.weightFactories.contains(factory.torchCallee) else { continue }
                var sizes = factory.positional
                if sizes.count == 1, let only = sizes.first.map(unwrapped), ["tuple", "list"].contains(only.type) {
                    sizes = only.namedChildren.filter { $0.type != "comment" }
                }
                guard sizes.count == 3 else { continue }
                if let v = value(of: sizes[0])?.double, v <= 4 { continue }
                leading[compact(unwrapped(sizes[0])), default: 0] += 1
            }
            // The blocks' matrices are the stacks, not layers: at most the head and one more linear layer are built as
            // modules (a mixture of experts keeps (E, m, n) expert stacks beside linear attention layers).
            let linearModules = calls.filter { $0.torchCallee == "torch.nn.Linear" || $0.name.hasSuffix("Linear") }.count
            return leading.values.contains { $0 >= 2 } && linearModules <= 2 ? 1 : 0
        }
    }

    /// For a comparison of a parameter's dimensionality with a constant (`p.ndim == 2`, `len(p.shape) < 2`,
    /// `p.dim() >= 2`), the side it selects; searched inside a condition (`and`, `not` included). With per-layer
    /// weights stacked (see `stackedLayerDimensions`) the constant is read one lower (`p.ndim == 3` selects matrices,
    /// `p.ndim < 3` scalars).
    public func dimensionSide(of condition: Node) -> ParameterKind? {
        for comparison in descendants(of: condition) where comparison.type == "comparison_operator" {
            let operands = comparison.namedChildren
            let operators = comparison.children.filter { !$0.isNamed }.map(\.type)
            guard operands.count == 2, operators.count == 1 else { continue }
            var op = operators[0]
            var constant: Double?
            if isDimensionality(operands[0]), let k = evaluate(operands[1]) {
                constant = k
            } else if isDimensionality(operands[1]), let k = evaluate(operands[0]) {
                constant = k
                op = ["<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="][op] ?? op
            }
            guard var k = constant else { continue }
            // With per-layer weights stacked into 3-D parameters, a block's matrices have one dimension more.
            k -= Double(stackedLayerDimensions)
            var matrices: Bool
            switch op {
            case "==": matrices = k >= 2
            case "!=": matrices = k < 2
            case ">=": matrices = k >= 2
            case ">": matrices = k >= 1
            case "<": matrices = k > 2
            case "<=": matrices = k >= 2
            default: continue
            }
            if ancestors(of: comparison).prefix(while: { $0 != condition.parent }).contains(where: { $0.type == "not_operator" }) {
                matrices.toggle()
            }
            return matrices ? .matrices : .scalars
        }
        return nil
    }

    /// The side a predicate on a parameter selects: a lambda with a dimensionality test, a function of the file
    /// returning one (`def is_matrix(p): return p.ndim == 2`), or a parameter of a helper
    /// (`def partition(pred, ps)`) that every caller gives such a predicate; the test may be another predicate's,
    /// possibly negated (`lambda p: not pred(p)`, see `predicateResultSide`).
    func predicateSide(_ node: Node, depth: Int) -> ParameterKind? {
        guard depth < 8 else { return nil }
        let node = unparenthesized(node)
        switch node.type {
        case "lambda":
            // A step into the lambda's own body is free: only steps to other code (a name's binding, a helper's callers)
            // count against `depth`.
            return node.child(byField: "body").flatMap { predicateResultSide($0, depth: depth) }
        case "identifier":
            if parameterOwner(of: node) != nil {
                let sides = callerArguments(of: node).map { predicateSide($0, depth: depth + 1) }
                guard let first = sides.first ?? nil, sides.allSatisfy({ $0 == first }) else { return nil }
                return first
            }
            let definitions = function(named: node.text).filter { enclosingClass($0.node) == nil }
            if definitions.isEmpty {
                // `is_matrix = lambda p: p.ndim == 2`
                var values = localValues(of: node.text, around: node) + allSettings.settings(node.text).map(\.value)
                // Read inside a lambda or a helper (`lambda p: not is_matrix(p)`): the module's own binding.
                if values.isEmpty { values = moduleBindings(of: node.text).compactMap(\.value) }
                let sides = values.filter { $0 != node }.map { predicateSide($0, depth: depth + 1) }
                guard let first = sides.first ?? nil, sides.allSatisfy({ $0 == first }) else { return nil }
                return first
            }
            guard definitions.count == 1 else { return nil }
            let sides = returnedValues(definitions[0]).map { predicateResultSide($0, depth: depth + 1) }
            guard let first = sides.first ?? nil, sides.allSatisfy({ $0 == first }) else { return nil }
            return first
        default:
            return nil
        }
    }

    /// The side the result of a predicate selects: a dimensionality test (`p.ndim == 2`, see `dimensionSide`), a call
    /// of another predicate on one argument (`is_matrix(p)`, `pred(p)` with `pred` a helper's parameter; see
    /// `predicateSide`), or the negation of either (`not pred(p)` selects the other side).
    func predicateResultSide(_ expression: Node, depth: Int) -> ParameterKind? {
        guard depth < 8 else { return nil }
        if let side = dimensionSide(of: expression) { return side }
        let e = unparenthesized(expression)
        switch e.type {
        case "not_operator":
            guard let side = e.child(byField: "argument").flatMap({ predicateResultSide($0, depth: depth) }) else { return nil }
            return side == .matrices ? .scalars : .matrices
        case "call":
            let call = callSite(e)
            guard !call.hasSplat, !call.positional.isEmpty, call.keywords.isEmpty,
                  let function = call.function.map(unparenthesized), function.type == "identifier" else { return nil }
            return predicateSide(function, depth: depth + 1)
        default:
            return nil
        }
    }

    /// The side an `if` condition selects: a dimensionality test (`dimensionSide`), else a predicate's result
    /// (`predicateResultSide`: `pred(p)`, `is_matrix(p)`, a helper's parameter its callers give `lambda name, p: p.ndim
    /// < 2`), also behind a guard that the predicate was given (`cond is not None and cond(name, p)`, `cond and
    /// cond(p)`).
    func conditionSide(of condition: Node) -> ParameterKind? {
        if let side = dimensionSide(of: condition) { return side }
        let c = unparenthesized(condition)
        guard c.type == "boolean_operator", c.child(byField: "operator")?.type == "and",
              let left = c.child(byField: "left").map(unparenthesized), let right = c.child(byField: "right").map(unparenthesized),
              right.type == "call", let predicate = callSite(right).function.map(unparenthesized), predicate.type == "identifier"
        else { return predicateResultSide(c, depth: 0) }
        // The guard: the predicate's own name, or `name is not None`.
        let guarded = left.text == predicate.text || noneTest(left).map { $0.subject.text == predicate.text && !$0.isNone } == true
        return guarded ? predicateResultSide(right, depth: 0) : nil
    }

    /// The side a comprehension keeps when its filter is a mask zipped with the parameters it lists (`[p for p, m in
    /// zip(leaves, is_matrix) if m]`, `if not m` for the other side), the mask being a comprehension of a
    /// dimensionality test over those same parameters (`is_matrix = [p.ndim == 2 for p in leaves]`, also written in
    /// the `zip`); nil otherwise (a mask of another list, or of another test).
    func zippedMaskSide(_ comprehension: Node, clause: Node) -> ParameterKind? {
        guard var test = clause.namedChildren.first(where: { $0.type != "comment" }).map(unparenthesized) else { return nil }
        var negated = false
        while test.type == "not_operator", let inner = test.child(byField: "argument").map(unparenthesized) {
            negated.toggle()
            test = inner
        }
        guard test.type == "identifier", let loop = comprehension.namedChildren.first(where: { $0.type == "for_in_clause" }),
              let pattern = loop.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(pattern.type),
              let source = loop.child(byField: "right").map(unparenthesized), source.type == "call" else { return nil }
        let zipped = callSite(source)
        let names = pattern.namedChildren.filter { $0.type != "comment" }
        guard zipped.callee == "zip", !zipped.hasSplat, zipped.keywords.isEmpty, names.count == zipped.positional.count,
              let maskIndex = names.firstIndex(where: { $0.type == "identifier" && $0.text == test.text }),
              let body = comprehension.child(byField: "body").map(unparenthesized), body.type == "identifier",
              let itemIndex = names.firstIndex(where: { $0.type == "identifier" && $0.text == body.text }), itemIndex != maskIndex
        else { return nil }
        let items = compact(unparenthesized(zipped.positional[itemIndex]))
        // The mask's side: a comprehension (unfiltered) of a dimensionality test over the listed parameters.
        func side(of mask: Node) -> ParameterKind? {
            guard ["list_comprehension", "generator_expression"].contains(mask.type), let maskBody = mask.child(byField: "body"),
                  let maskLoop = mask.namedChildren.first(where: { $0.type == "for_in_clause" }),
                  let maskSource = maskLoop.child(byField: "right"), !mask.namedChildren.contains(where: { $0.type == "if_clause" }),
                  compact(unparenthesized(maskSource)) == items else { return nil }
            return dimensionSide(of: maskBody)
        }
        let written = unparenthesized(zipped.positional[maskIndex])
        var masks = [written]
        if written.type == "identifier" {
            // Every value the name is given (a local, or a module-level setting).
            masks = (localValues(of: written.text, around: written)
                + allSettings.settings(written.text).filter { $0.source != .parameterDefault }.map(\.value)).map(unparenthesized)
        }
        let sides = masks.map { side(of: $0) }
        guard let first = sides.first ?? nil, sides.allSatisfy({ $0 == first }) else { return nil }
        return negated ? (first == .matrices ? .scalars : .matrices) : first
    }

    /// `p.ndim`, `p.dim()`, `len(p.shape)`, `len(p.size())`, `p.squeeze().ndim`.
    func isDimensionality(_ node: Node) -> Bool {
        if node.type == "attribute", node.child(byField: "attribute")?.text == "ndim" { return true }
        guard node.type == "call" else { return false }
        let call = callSite(node)
        if call.name == "dim", call.receiver != nil, call.positional.isEmpty { return true }
        if call.callee == "len", let argument = call.positional.first {
            if argument.type == "attribute", argument.child(byField: "attribute")?.text == "shape" { return true }
            if argument.type == "call", callSite(argument).name == "size" { return true }
        }
        return false
    }

    /// The kinds of parameters an expression holds: lists, `+`, `*splat`, `.parameters()`, weights of the
    /// embedding or the head, comprehensions and `filter` with a dimensionality test, names assigned or appended
    /// to (a loop that appends under `if p.dim() == 2: ... else: ...`).
    public func parameterKinds(_ node: Node, model: ModelView, depth: Int = 0) -> Set<ParameterKind> {
        guard depth < 8 else { return [.other] }
        let next = depth + 1
        let node = unparenthesized(node)
        switch node.type {
        case "list", "tuple", "set", "expression_list":
            return node.namedChildren.reduce(into: Set<ParameterKind>()) { $0.formUnion(parameterKinds($1, model: model, depth: next)) }
        case "list_splat", "dictionary_splat":
            return node.namedChild(0).map { parameterKinds($0, model: model, depth: next) } ?? [.other]
        case "binary_operator":
            guard node.child(byField: "operator")?.type == "+" else { return [.other] }
            return addends(node).reduce(into: Set<ParameterKind>()) { $0.formUnion(parameterKinds($1, model: model, depth: next)) }
        case "list_comprehension", "generator_expression":
            if let clause = node.namedChildren.first(where: { $0.type == "if_clause" }) {
                if let kind = namedMatrixKind(clause, model: model) { return [kind] }
                if let side = dimensionSide(of: clause) ?? zippedMaskSide(node, clause: clause) ?? labelComparisonSide(clause) { return [side] }
                if let kind = nameFilterKind(clause, model: model) { return [kind] }
            }
            if let source = node.namedChildren.first(where: { $0.type == "for_in_clause" })?.child(byField: "right") {
                return parameterKinds(source, model: model, depth: next)
            }
            return [.other]
        case "call":
            let call = callSite(node)
            switch call.name {
            case "list", "tuple", "set":
                return call.positional.first.map { parameterKinds($0, model: model, depth: next) } ?? [.other]
            case "filter", "filterfalse":
                // `filter(lambda p: p.ndim >= 2, ps)`, `filter(is_matrix, ps)`; `itertools.filterfalse` keeps the
                // other side.
                if call.positional.count == 2, let side = predicateSide(call.positional[0], depth: next) {
                    return [call.name == "filter" ? side : (side == .matrices ? .scalars : .matrices)]
                }
                return call.positional.last.map { parameterKinds($0, model: model, depth: next) } ?? [.other]
            case "parameters", "named_parameters":
                return call.receiver.map { kind(ofModule: $0, model: model) } ?? [.other]
            default:
                // A helper of the file that filters parameters by a name pattern it is given (`def pick(pattern):
                // return [p for n, p in named.items() if fnmatch.fnmatch(n, pattern)]`, called `pick("lm_head.*")`).
                if let function = calledFunction(call), case let returned = returnedValues(function), returned.count == 1,
                   case let comprehension = unparenthesized(returned[0]),
                   ["list_comprehension", "generator_expression"].contains(comprehension.type),
                   let clause = comprehension.namedChildren.first(where: { $0.type == "if_clause" }) {
                    var given: [String: Node] = [:]
                    for (index, parameter) in function.passedParameters.enumerated() {
                        if let argument = call.argument(parameter, position: index) { given[parameter] = argument }
                    }
                    if let kind = nameFilterKind(clause, model: model, given: given) { return [kind] }
                }
                // A function or method of the file returning one selection of parameters with a dimensionality test
                // (`def matrix_params(self): return [p for p in self.parameters() if p.ndim == 2]`).
                if let function = calledFunction(call) ?? targets(of: call).first, case let returned = returnedValues(function),
                   returned.count == 1, case let comprehension = unparenthesized(returned[0]),
                   ["list_comprehension", "generator_expression"].contains(comprehension.type),
                   let clause = comprehension.namedChildren.first(where: { $0.type == "if_clause" }), let side = dimensionSide(of: clause) {
                    return [side]
                }
                // A helper of the file that only regroups the parameters it is given, with no test on them (`def
                // size_groups(ps): by = {}; for p in ps: by.setdefault(p.numel(), []).append(p); return ...`): the kinds
                // of what it is given.
                if let function = calledFunction(call), let body = function.body,
                   !descendants(of: body).contains(where: { ["if_statement", "if_clause", "conditional_expression"].contains($0.type) }) {
                    let iterated = function.passedParameters.enumerated().filter { _, name in
                        descendants(of: body).contains { n in
                            ["for_statement", "for_in_clause"].contains(n.type)
                                && n.child(byField: "right").map { unparenthesized($0).type == "identifier" && unparenthesized($0).text == name } == true
                        }
                    }
                    if iterated.count == 1, let argument = call.argument(iterated[0].element, position: iterated[0].offset) {
                        return parameterKinds(argument, model: model, depth: next)
                    }
                }
                return [.other]
            }
        case "attribute":
            let owned = kind(ofModule: node, model: model)
            if owned == [.other], let built = constructedKind(node, model: model) { return [built] }
            // A property of a class of the file (`model.matrix_params` returning `[p for p in self.parameters() if
            // p.ndim == 2]`, or delegating to another such property): what its getter returns.
            if owned == [.other], let getter = propertyGetter(node) {
                let kinds = returnedValues(getter).reduce(into: Set<ParameterKind>()) { $0.formUnion(parameterKinds($1, model: model, depth: next)) }
                if !kinds.isEmpty, kinds != [.other] { return kinds }
            }
            return owned
        case "subscript":
            // buckets["matrix"], filled by `buckets["matrix" if p.ndim >= 2 else "vector"].append(p)`; also under a
            // constant key of another type (`by_rank[2]`, see `bucketKey`).
            if let table = node.child(byField: "value"), table.type == "identifier",
               let key = node.child(byField: "subscript").map(unwrapped).flatMap(PythonFacts.bucketKey) {
                let kinds = appendedKinds(table.text, key: key, model: model)
                if !kinds.isEmpty { return kinds }
                // routed["scalar"], grouped on a label a dimensionality test picks (see `groupedLabelSide`).
                let grouped = localValues(of: table.text, around: node).compactMap { groupedLabelSide($0, key: key) }
                if let side = grouped.first, grouped.allSatisfy({ $0 == side }) { return [side] }
                // groups["embed"], with `groups` a dictionary or what a function of the file returns as one
                // (`groups = model.param_groups_by_role()` returning `dict(embed=[...], ...)`).
                let entries = localValues(of: table.text, around: node).flatMap { dictionaryEntries(of: $0, key: key) }
                if !entries.isEmpty {
                    let kinds = entries.reduce(into: Set<ParameterKind>()) { $0.formUnion(parameterKinds($1, model: model, depth: next)) }
                    // An entry made as a plain tensor (`"embed": torch.randn(V, D)` in a functional model's parameter
                    // dictionary) is what the model reads it as (`F.embedding(idx, params["embed"])`), below.
                    if kinds != [.other] { return kinds }
                }
                let filled = helperFilledKinds(table.text, key: key, around: node, model: model)
                if !filled.isEmpty { return filled }
            }
            return kind(ofModule: node, model: model)
        case "identifier":
            let direct = kind(ofModule: node, model: model)
            if direct != [.other] { return direct }
            var result = Set<ParameterKind>()
            for value in localValues(of: node.text, around: node) + allSettings.settings(node.text).filter({ $0.source != .parameterDefault }).map(\.value)
            where value != node {
                result.formUnion(parameterKinds(value, model: model, depth: next))
            }
            result.formUnion(appendedKinds(node.text, model: model))
            // A list grown with `+=` in the same function (`embed_params += list(m.tok_embeddings.parameters())` in a loop
            // over model parts): what it is grown with.
            let scope = enclosingFunction(node)?.node
            for growth in nodes(ofType: "augmented_assignment") where growth.child(byField: "operator")?.type == "+=" {
                guard let left = growth.child(byField: "left"), left.type == "identifier", left.text == node.text,
                      enclosingFunction(growth)?.node == scope, let value = growth.child(byField: "right") else { continue }
                result.formUnion(parameterKinds(value, model: model, depth: next))
            }
            for value in unpackedReturns(of: node) { result.formUnion(parameterKinds(value, model: model, depth: next)) }
            return result.isEmpty ? [.other] : result
        default:
            return [.other]
        }
    }

    /// The key a constant subscript or dictionary key spells, so that a bucket read matches the writes that fill it
    /// (`buckets["matrix"]`, `by_rank[2]`, `{2: [], "low": []}`): a string's text, or the literal text of an integer,
    /// `True`, `False` or `None`, marked so that it never equals a string's (`2` is not `"2"`). Nil for anything else.
    static func bucketKey(_ node: Node) -> String? {
        if let text = SettingsTable.stringValue(node) { return text }
        switch node.type {
        case "integer": return Int(node.text.replacingOccurrences(of: "_", with: "")).map { bucketLiteralMark + String($0) }
        case "true", "false", "none": return bucketLiteralMark + node.text
        default: return nil
        }
    }

    private static let bucketLiteralMark = "\u{1}"

    /// The integer a bucket key spells (`by_rank[2]`), nil for any other key.
    static func integer(ofBucketKey key: String) -> Int? {
        key.hasPrefix(bucketLiteralMark) ? Int(key.dropFirst(bucketLiteralMark.count)) : nil
    }

    /// The truth value a bucket key spells (`by_rank[True]`), nil for any other key.
    static func truth(ofBucketKey key: String) -> Bool? {
        switch key {
        case bucketLiteralMark + "True": true
        case bucketLiteralMark + "False": false
        default: nil
        }
    }

    /// The entries under `key` (see `bucketKey`) of a dictionary an expression gives: a literal (`{"embed": [...]}`,
    /// `{2: [...], "low": [...]}`), `dict(key=...)`, or the dictionaries a function of the file returns when it is
    /// called here (a method found by its name, when one class has it), or a property of the file reads them.
    func dictionaryEntries(of value: Node, key: String, depth: Int = 0) -> [Node] {
        var value = unparenthesized(value)
        // `groups = {...}; return groups`: the dictionary the name was set to.
        if value.type == "identifier", depth > 0, let bound = latestValue(of: value.text, before: value) { value = unparenthesized(bound) }
        if value.type == "dictionary" {
            return value.namedChildren.compactMap { pair in
                guard pair.type == "pair", pair.child(byField: "key").map(unwrapped).flatMap(PythonFacts.bucketKey) == key else { return nil }
                return pair.child(byField: "value")
            }
        }
        // A property of the file returning the dictionary (`model.param_families` with `@property def param_families`).
        if value.type == "attribute", depth == 0, let name = value.child(byField: "attribute")?.text {
            let properties = function(named: name).filter { $0.decorators.contains { $0.lastDottedComponent == "property" || $0.hasSuffix("cached_property") } }
            if properties.count == 1 { return returnedValues(properties[0]).flatMap { dictionaryEntries(of: $0, key: key, depth: 1) } }
        }
        guard value.type == "call" else { return [] }
        let call = callSite(value)
        if call.callee == "dict" { return call.keywords[key].map { [$0] } ?? [] }
        guard depth == 0 else { return [] }
        let candidates = function(named: call.name)
        guard let function = calledFunction(call) ?? (candidates.count == 1 ? candidates[0] : nil) else { return [] }
        return returnedValues(function).flatMap { dictionaryEntries(of: $0, key: key, depth: 1) }
    }

    /// The kinds the entry `key` (see `bucketKey`) of a dictionary gets when a function of the file fills it and returns
    /// it by name, `name` holding what a call of that function returns (`groups = param_groups(model, rules=[("embed",
    /// "transformer.wte."), ("head", "lm_head.")])`, the helper doing `out = {g: [] for g, _ in rules}; for n, p in
    /// model.named_parameters(): for g, prefix in rules: if n.startswith(prefix): out[g].append(p); return out`): the
    /// kinds of the appends to the returned name's entries made inside that function (see `appendedKinds`, which reads
    /// a name test against the rows of a table the function is given through `matchedRowKinds` and `listItems`). A
    /// method is found by its name when one function of the file has it. Empty when `name` holds no such call.
    func helperFilledKinds(_ name: String, key: String, around use: Node, model: ModelView) -> Set<ParameterKind> {
        var result = Set<ParameterKind>()
        for value in localValues(of: name, around: use) {
            let made = unparenthesized(value)
            guard made.type == "call" else { continue }
            let call = callSite(made)
            let candidates = function(named: call.name)
            guard let function = calledFunction(call) ?? (candidates.count == 1 ? candidates[0] : nil) else { continue }
            for returned in returnedValues(function).map(unparenthesized) where returned.type == "identifier" {
                result.formUnion(appendedKinds(returned.text, key: key, model: model, within: function.node))
            }
        }
        return result
    }

    func kind(ofModule node: Node, model: ModelView) -> Set<ParameterKind> {
        guard let owner = ownerName(of: node) else { return [.other] }
        if model.embeddingNames.contains(owner) { return [.embedding] }
        if model.outputHeads.contains(where: { $0.name == owner && !$0.usesEmbeddingWeight }) { return [.head] }
        return [.other]
    }

    /// A filter that asks for a matrix and for a name both (`p.dim() >= 2 and n.startswith("transformer.wte.")`, the
    /// tests joined by `and`): the embedding table or the head the name picks, which is a matrix. Nil when the tests
    /// are not joined by `and` alone, when the dimensionality test keeps the scalars, or when the name picks neither.
    func namedMatrixKind(_ clause: Node, model: ModelView) -> ParameterKind? {
        guard let test = clause.namedChildren.first.map(unparenthesized), test.type == "boolean_operator",
              conjuncts(test).count >= 2, dimensionSide(of: test) == .matrices,
              let kind = nameFilterKind(test, model: model), [.embedding, .head].contains(kind) else { return nil }
        return kind
    }

    /// The operands of a chain of `and` (`a and b and c`), each unparenthesized; empty when any link is an `or`.
    func conjuncts(_ node: Node) -> [Node] {
        let node = unparenthesized(node)
        guard node.type == "boolean_operator" else { return [node] }
        guard node.child(byField: "operator")?.type == "and", let left = node.child(byField: "left"),
              let right = node.child(byField: "right") else { return [] }
        let l = conjuncts(left), r = conjuncts(right)
        return l.isEmpty || r.isEmpty ? [] : l + r
    }

    /// A test of a parameter's name over `named_parameters()`: `"embed" in n`, the parameters of an embedding whose
    /// name contains the string; or a match against a name pattern (`fnmatch.fnmatch(n, "transformer.wte.*")`,
    /// `re.search(r"^lm_head\.", n)`, `re.match`/`fullmatch`, `n.startswith("lm_head")`, `n.endswith(...)`), the
    /// parameters of the module the pattern names (see `namePatternKind`). A pattern that is a parameter of the
    /// enclosing helper is read from `given` (the argument a call of the helper passes, see `parameterKinds`).
    func nameFilterKind(_ clause: Node, model: ModelView, given: [String: Node] = [:]) -> ParameterKind? {
        for comparison in descendants(of: clause) where comparison.type == "comparison_operator" {
            let operators = comparison.children.filter { !$0.isNamed }.map(\.type)
            // `n not in outside` with `outside = set(get_parameter_names(model, [nn.Embedding]))`: the names inside
            // embedding tables (also `n in inside` with a helper that keeps the children of those types).
            if operators == ["not in"] || operators == ["in"], comparison.namedChildCount == 2,
               let split = layerTypeSplit(of: comparison.namedChildren[1], at: comparison), split.types == ["torch.nn.Embedding"],
               split.outside == (operators == ["not in"]) {
                return .embedding
            }
            guard operators == ["in"], let key = comparison.namedChildren.first.flatMap(SettingsTable.stringValue), !key.isEmpty else { continue }
            if model.embeddingNames.contains(where: { $0.contains(key) }) { return .embedding }
            if model.outputHeads.contains(where: { $0.name.contains(key) && !$0.usesEmbeddingWeight }) { return .head }
        }
        for test in descendants(of: clause) where test.type == "call" {
            guard var held = namePatternArgument(callSite(test)).map(unwrapped) else { continue }
            if held.type == "identifier", let argument = given[held.text] { held = unwrapped(argument) }
            if let text = foldedString(held), let kind = namePatternKind(text, model: model) { return kind }
        }
        return nil
    }

    /// For a set of parameter names split by the type of the module holding them, as Hugging Face's
    /// `get_parameter_names(model, forbidden_layer_types)` makes it (the names of the parameters outside every module
    /// of those types), also read through a name it was last assigned and a `set(...)` / `list(...)` copy: the
    /// qualified names of the types, and whether the set holds the names outside them. The function is the library's
    /// (imported from `transformers`, outside) or one of the file that walks `named_children()` and tests each child
    /// by `isinstance` against its second parameter: outside when the test is negated (`if not isinstance(child,
    /// types)`), inside otherwise. Nil for anything else.
    func layerTypeSplit(of node: Node, at use: Node) -> (types: Set<String>, outside: Bool)? {
        var value = unwrapped(node)
        if value.type == "identifier" {
            guard let set = heldValue(of: value.text, at: use) else { return nil }
            value = unwrapped(set)
        }
        while value.type == "call", case let copy = callSite(value), ["set", "frozenset", "list"].contains(copy.callee),
              copy.positional.count == 1 {
            value = unwrapped(copy.positional[0])
        }
        guard value.type == "call", case let call = callSite(value) else { return nil }
        var outside = true
        if call.callee.hasPrefix("transformers.") {
            guard call.name == "get_parameter_names" else { return nil }
        } else {
            guard let function = calledFunction(call), function.parameters.count >= 2 else { return nil }
            let types = function.parameters[1]
            let body = descendants(of: function.node)
            guard body.contains(where: { $0.type == "call" && callSite($0).name == "named_children" }) else { return nil }
            let tests = body.filter { n in
                guard n.type == "call", case let test = callSite(n), test.callee == "isinstance", test.positional.count == 2 else { return false }
                return mentions(test.positional[1], types)
            }
            let negated = tests.map { unwrapped($0).parent.map(unparenthesized)?.type == "not_operator" || $0.parent?.type == "not_operator" }
            guard let first = negated.first, negated.allSatisfy({ $0 == first }) else { return nil }
            outside = first
        }
        guard let forbidden = call.argument("forbidden_layer_types", position: 1).map(unwrapped),
              ["list", "tuple", "set"].contains(forbidden.type) else { return nil }
        let names = forbidden.namedChildren.compactMap { imports.qualifiedName(of: $0) }
        return names.count == forbidden.namedChildCount && !names.isEmpty ? (Set(names), outside) : nil
    }

    /// The kind of parameters a name pattern selects (a glob, a regular expression or a prefix such as
    /// `transformer.wte.*`, `^lm_head\.`): the embedding when one of its identifier pieces is an embedding table's
    /// name, the output head when one is an untied head's name; nil when it names both or neither (`transformer.h.*`,
    /// `*`).
    func namePatternKind(_ pattern: String, model: ModelView) -> ParameterKind? {
        let pieces = Set(pattern.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
        let embedding = !pieces.isDisjoint(with: model.embeddingNames)
        let head = model.outputHeads.contains { pieces.contains($0.name) && !$0.usesEmbeddingWeight }
        if embedding == head { return nil }
        return embedding ? .embedding : .head
    }

    /// For `a, b = split(module)` with `split` a function of the file, the expression it returns in `a`'s place.
    func unpackedReturns(of use: Node) -> [Node] {
        var result: [Node] = []
        for assignment in assignments(around: use) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(left.type),
                  let index = left.namedChildren.firstIndex(where: { $0.type == "identifier" && $0.text == use.text }),
                  let right = assignment.child(byField: "right").map(unparenthesized), right.type == "call",
                  let function = calledFunction(callSite(right)) else { continue }
            for value in returnedValues(function) {
                let items = ["expression_list", "tuple"].contains(value.type) ? value.namedChildren : []
                if items.count == left.namedChildren.count { result.append(items[index]) }
            }
        }
        return result
    }

    /// The side of a dimensionality test that sends a value to `target` in `target_a if test else target_b`.
    func conditionalSide(_ conditional: Node, selects matches: (Node) -> Bool) -> ParameterKind? {
        let parts = conditional.namedChildren
        guard parts.count == 3, let side = dimensionSide(of: parts[1]) else { return nil }
        if matches(unparenthesized(parts[0])) { return side }
        if matches(unparenthesized(parts[2])) { return side == .matrices ? .scalars : .matrices }
        return nil
    }

    /// Kinds a list gets by `.append(p)` / `.extend(...)` under a dimensionality test (`else` branches flipped), also
    /// when the list is chosen by a conditional (`(mats if p.dim() == 2 else vecs).append(p)`) or is the entry `key`
    /// (see `bucketKey`) of a dictionary named `name` (`buckets["matrix" if p.ndim >= 2 else "vector"].append(p)`,
    /// `by_rank[2 if p.ndim == 2 else "low"].append(p)`), also under a key
    /// chosen by matching the parameter's name against a table's rows (see `matchedRowKinds`). With `scope`, only the
    /// appends inside that node (a helper filling a dictionary it returns, see `helperFilledKinds`).
    func appendedKinds(_ name: String, key: String? = nil, model: ModelView, within scope: Node? = nil) -> Set<ParameterKind> {
        var result = Set<ParameterKind>()
        for call in calls where ["append", "extend"].contains(call.name) {
            if let scope, !isInside(call.node, scope) { continue }
            guard let receiver = call.receiver.map(unparenthesized) else { continue }
            if receiver.type == "conditional_expression", key == nil {
                if let side = conditionalSide(receiver, selects: { $0.type == "identifier" && $0.text == name }) { result.insert(side) }
                continue
            }
            if let key {
                guard receiver.type == "subscript", receiver.child(byField: "value").map({ $0.type == "identifier" && $0.text == name }) == true,
                      let index = receiver.child(byField: "subscript").map(unparenthesized) else { continue }
                if index.type == "conditional_expression" {
                    if let side = conditionalSide(index, selects: { PythonFacts.bucketKey($0) == key }) { result.insert(side) }
                    continue
                }
                // `buckets[g].append(p)` with `g` the row whose name pattern the parameter's name matched.
                if index.type == "identifier", let kinds = matchedRowKinds(index, key: key, at: call.node, model: model) {
                    result.formUnion(kinds)
                    continue
                }
                // A bucket keyed by the dimensionality test itself (`by_rank[p.ndim >= 2].append(p)` read back as
                // `by_rank[True]`), or by the dimensionality (`by_rank[p.ndim]` read back as `by_rank[2]`).
                if index.type == "comparison_operator", let side = dimensionSide(of: index) {
                    if let truth = Self.truth(ofBucketKey: key) { result.insert(truth ? side : side == .matrices ? .scalars : .matrices) }
                    continue
                }
                if isDimensionality(index) {
                    if let rank = Self.integer(ofBucketKey: key) { result.insert(rank >= 2 ? .matrices : .scalars) }
                    continue
                }
                guard PythonFacts.bucketKey(index) == key else { continue }
            } else {
                guard receiver.type == "identifier", receiver.text == name else { continue }
            }
            var side: ParameterKind?
            var child = call.node
            for ancestor in ancestors(of: call.node) {
                if ancestor.type == "if_statement", let s = branchSide(ancestor, branch: child, model: model) {
                    side = s
                    break
                }
                if ancestor.type == "function_definition" { break }
                child = ancestor
            }
            if let side { result.insert(side) } else { result.formUnion(listedKinds(call, model: model)) }
        }
        return result
    }

    /// The kind a branch of an `if` statement (`branch`: its consequence block, an `elif` clause or the `else`) keeps: an
    /// `elif`'s own dimensionality test (also one side of an `and`, `name.startswith("h.") and p.ndim == 2`) or name
    /// filter (`elif name.startswith("lm_head.")`, see `nameFilterKind`), else the opposite of the `if`'s
    /// dimensionality test; the consequence's test or name filter; for the `else`, the opposite of the `if`'s
    /// dimensionality test. Nil when none of these decides it.
    func branchSide(_ statement: Node, branch: Node, model: ModelView) -> ParameterKind? {
        func flipped(_ side: ParameterKind) -> ParameterKind { side == .matrices ? .scalars : .matrices }
        func own(_ condition: Node) -> ParameterKind? {
            if let side = conditionSide(of: condition) { return side }
            let c = unparenthesized(condition)
            if c.type == "boolean_operator", c.child(byField: "operator")?.type == "and",
               let side = [c.child(byField: "left"), c.child(byField: "right")].compactMap({ $0 }).lazy.compactMap(conditionSide(of:)).first {
                return side
            }
            return nameFilterKind(condition, model: model)
        }
        let first = statement.child(byField: "condition")
        let negatedFirst = first.flatMap(conditionSide(of:)).map(flipped)
        switch branch.type {
        case "elif_clause": return branch.child(byField: "condition").flatMap(own) ?? negatedFirst
        case "else_clause": return negatedFirst
        default: return first.flatMap(own)
        }
    }

    /// The kinds an `append` or `extend` adds when no dimensionality test decides it: for parameters named attribute
    /// by attribute (`ps.append(model.h0.attn.c_q.weight)`, `ps.extend([m.c_fc.weight, m.c_proj.weight, m.lambdas])`),
    /// each one's kind (the embedding, the head, or how the file builds it, see `constructedKind`); `.other` for
    /// anything else (a loop variable, a list held by a name).
    func listedKinds(_ call: CallSite, model: ModelView) -> Set<ParameterKind> {
        guard call.positional.count == 1, call.keywords.isEmpty, !call.hasSplat else { return [.other] }
        let item = unparenthesized(call.positional[0])
        let items: [Node]
        switch call.name {
        case "append": items = [item]
        case "extend" where ["list", "tuple"].contains(item.type): items = item.namedChildren.filter { $0.type != "comment" }
        default: return [.other]
        }
        guard !items.isEmpty else { return [.other] }
        return items.reduce(into: Set<ParameterKind>()) { result, item in
            let item = unparenthesized(item)
            guard item.type == "attribute" else { result.insert(.other); return }
            let owned = kind(ofModule: item, model: model)
            if owned == [.other] { result.insert(constructedKind(item, model: model) ?? .other) } else { result.formUnion(owned) }
        }
    }

    /// The kind of a parameter named by an attribute, by how the file builds it: `<m>.weight` of a linear layer
    /// (`self.c_q = CastedLinear(d, d)`, `nn.Linear(d, 4 * d)`; `ModelView.isLinearConstructor`) is a matrix and its
    /// `<m>.bias` a vector; a parameter built as a tensor (`self.lambdas = nn.Parameter(torch.tensor([1.0, 0.5]))`,
    /// `nn.Parameter(torch.ones(n) * 0.5)`, `nn.Parameter(torch.zeros(d, d))`) is a matrix with two or more dimensions and a
    /// scalar or vector with fewer (see `builtRank`). Every value the file gives the attribute's name (the reading class's
    /// own when it sets it, `Dataflow.bindings(ofReference:)`) must agree; nil when they do not, or none is known.
    func constructedKind(_ node: Node, model: ModelView) -> ParameterKind? {
        let node = unparenthesized(node)
        guard node.type == "attribute", let last = node.child(byField: "attribute")?.text,
              let object = node.child(byField: "object").map(unparenthesized) else { return nil }
        if ["weight", "bias"].contains(last), object.type == "attribute" || object.type == "identifier" {
            let modules = dataflow.bindings(ofReference: object).filter { $0.kind == .value }.map { unparenthesized($0.node) }
            if !modules.isEmpty, modules.allSatisfy({ value in constructorCall(value).map { model.isLinearConstructor($0) } == true }) {
                return last == "weight" ? .matrices : .scalars
            }
        }
        let values = dataflow.bindings(ofReference: node).filter { $0.kind == .value }.map(\.node)
        let ranks = values.map { builtRank($0) }
        guard let first = ranks.first, let rank = first, ranks.allSatisfy({ $0 == rank }) else { return nil }
        return rank >= 2 ? .matrices : .scalars
    }

    /// The number of dimensions of the tensor a value builds: `torch.tensor` (`torch.as_tensor`, `torch.Tensor`) of a
    /// number literal (0), of a list of them (1, also `[1.0] * n`), of a list of such lists (2); a factory
    /// (`torch.ones(n)`, `torch.zeros(d, d)`, `torch.randn((d, d))`, `torch.full((n,), 0.5)`, `size=`) by its sizes, each a
    /// number or an arithmetic expression (a size held by a name counts only when it evaluates to a number); a range
    /// (`torch.arange`, `torch.linspace`) 1; through `nn.Parameter`, call chains (`constructorCall`) and a product or
    /// quotient with a number. Nil when unknown.
    func builtRank(_ value: Node) -> Int? {
        let n = unparenthesized(value)
        if n.type == "binary_operator", ["*", "/"].contains(n.child(byField: "operator")?.type ?? "") {
            let sides = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0 }.compactMap { builtRank($0) }
            return sides.count == 1 ? sides[0] : nil
        }
        guard let call = constructorCall(n) else { return nil }
        // One size: a number literal, arithmetic, or a name or field that evaluates to a number.
        func isSize(_ size: Node) -> Bool {
            let size = unparenthesized(size)
            return ["integer", "binary_operator"].contains(size.type) || evaluate(size) != nil
        }
        // The sizes a factory is given: a tuple or list of them, or one per argument.
        func rank(ofSizes sizes: [Node]) -> Int? {
            if sizes.count == 1, case let only = unparenthesized(sizes[0]), ["tuple", "list"].contains(only.type) {
                let items = only.namedChildren.filter { $0.type != "comment" }
                return items.allSatisfy(isSize) ? items.count : nil
            }
            return !sizes.isEmpty && sizes.allSatisfy(isSize) ? sizes.count : nil
        }
        switch call.torchCallee {
        case "torch.nn.Parameter", "torch.nn.parameter.Parameter":
            return call.argument("data", position: 0).flatMap { builtRank($0) }
        case "torch.tensor", "torch.as_tensor", "torch.Tensor":
            guard call.positional.count >= 1 else { return nil }
            var data = unparenthesized(call.positional[0])
            var depth = 0
            while true {
                // `[1.0] * n`: a list repeated.
                if data.type == "binary_operator", data.child(byField: "operator")?.type == "*",
                   let list = [data.child(byField: "left"), data.child(byField: "right")].compactMap({ $0.map(unparenthesized) })
                    .first(where: { ["list", "tuple"].contains($0.type) }) {
                    data = list
                }
                guard ["list", "tuple"].contains(data.type) else { break }
                guard let item = data.namedChildren.first(where: { $0.type != "comment" }) else { return nil }
                depth += 1
                data = unparenthesized(item)
            }
            return ["integer", "float"].contains(data.type) || evaluate(data) != nil ? depth : nil
        case "torch.ones", "torch.zeros", "torch.empty", "torch.randn", "torch.rand":
            if let size = call.keywords["size"] { return rank(ofSizes: [size]) }
            return rank(ofSizes: call.positional)
        case "torch.full":
            return (call.keywords["size"] ?? call.positional.first).flatMap { rank(ofSizes: [$0]) }
        case "torch.arange", "torch.linspace", "torch.logspace":
            return 1
        default:
            return nil
        }
    }

    /// For a bucket key chosen by matching a parameter's name against the rows of a literal table, the kinds the
    /// bucket `key` receives: the kind of the name pattern (see `namePatternKind`; `.other` when it names neither the
    /// embedding nor the head, or does not fold) of each row whose key is `key`. The key is a loop variable and the
    /// append sits under the loop's name test (`for g, rx, _ in ROUTES: if re.search(rx, n): buckets[g].append(p)`) or
    /// under a call of the row's predicate lambda (`for g, pred in rules: if pred(n, p): buckets[g].append(p)`),
    /// or a name set to the first row that passes the test (`k = next(k for k, spec in T.items() if
    /// fnmatch.fnmatch(n, spec["glob"]))`, the generator bare or parenthesized before a default, see `callArguments`),
    /// the pattern a loop variable or a field of the row's record. Nil when the key is chosen otherwise, or no row with
    /// that key has a name test.
    func matchedRowKinds(_ index: Node, key: String, at append: Node, model: ModelView) -> Set<ParameterKind>? {
        var loop: Node?
        var test: Node?
        var keyName = index.text
        if let site = bindingLoop(of: index.text, at: append) {
            loop = site
            var child = append
            for ancestor in ancestors(of: append) {
                if ancestor == site { break }
                if ancestor.type == "if_statement", ancestor.child(byField: "consequence") == child {
                    test = ancestor.child(byField: "condition")
                    break
                }
                child = ancestor
            }
        } else if let chosen = latestValue(of: index.text, before: append).map(unwrapped), chosen.type == "call",
                  case let next = callSite(chosen), next.callee == "next", let generator = callArguments(next).first.map(unwrapped),
                  generator.type == "generator_expression", let body = generator.child(byField: "body").map(unwrapped),
                  body.type == "identifier" {
            loop = generator.namedChildren.first { $0.type == "for_in_clause" }
            test = generator.namedChildren.first { $0.type == "if_clause" }
            keyName = body.text
        }
        guard let loop, let test, let rows = loopRows(loop) else { return nil }
        var kinds = Set<ParameterKind>()
        var tested = false
        for row in rows where row.names[keyName].map(unwrapped).flatMap(PythonFacts.bucketKey) == key {
            for candidate in descendants(of: test) where candidate.type == "call" {
                // A predicate the row holds, called on the name and the parameter (`if pred(n, p):` over `rules =
                // [("scalar", lambda n, p: p.ndim < 2), ...]`): the side its dimensionality test picks, or the module
                // its name test names.
                if let function = candidate.child(byField: "function").map(unwrapped), function.type == "identifier",
                   let held = row.names[function.text].map(unwrapped), held.type == "lambda" {
                    tested = true
                    kinds.insert(dimensionSide(of: held) ?? nameFilterKind(held, model: model) ?? .other)
                    continue
                }
                guard let pattern = namePatternArgument(callSite(candidate)) else { continue }
                tested = true
                let held = rowEntry(pattern, in: row) ?? unwrapped(pattern)
                kinds.insert(foldedString(held).flatMap { namePatternKind($0, model: model) } ?? .other)
            }
        }
        return tested ? kinds : nil
    }

    /// Every (optimizer or parameter group, learning rate, parameter kinds) of the file's optimizers, read
    /// against the file's own model view; computed once, several detectors ask.
    public var optimizerSlots: [OptimizerSlot] {
        memoized("optimizerSlots") { optimizerSlots(model: modelView) }
    }

    /// Every (optimizer or parameter group, learning rate, parameter kinds) of the file's optimizers; a rate set or
    /// scaled in place on every group after construction (`for g in opt.param_groups: g["lr"] *= 2`, see
    /// `OptimizerPatches`) is read so, and a group added afterwards is a slot of its own.
    public func optimizerSlots(model: ModelView) -> [OptimizerSlot] {
        optimizers.flatMap { optimizer -> [OptimizerSlot] in
            let patches = patches(of: optimizer)
            var slots = unscaledSlots(optimizer, model: model)
            // A rate set afterwards on every group it has (`opt.param_groups[0]["lr"] = 0.002` on an optimizer of one
            // group), and groups added with their own parameters and rate (`opt.add_param_group(dict(params=[wte.weight],
            // lr=0.3))`, the optimizer's rate when the group gives none).
            if optimizer.labelRow == nil, let every = patches.everyGroup["lr"], case let rates = every.flatMap(learningRates), !rates.isEmpty {
                slots = slots.map { OptimizerSlot(optimizer: $0.optimizer, params: $0.params, learningRates: rates, kinds: $0.kinds, site: $0.site) }
            }
            for group in patches.addedGroups where optimizer.labelRow == nil {
                let params = OptimizerUse.entry("params", in: group)
                let rates = OptimizerUse.entry("lr", in: group).map(learningRates) ?? slots.first?.learningRates ?? []
                slots.append(OptimizerSlot(optimizer: optimizer, params: params, learningRates: rates,
                                           kinds: params.map { parameterKinds($0, model: model) } ?? [.other], site: group))
            }
            guard patches.everyGroupScales["lr"] != nil else { return slots }
            return slots.map { slot in
                OptimizerSlot(optimizer: slot.optimizer, params: slot.params,
                              learningRates: slot.learningRates.compactMap { patches.scaled("lr", $0, in: self) },
                              kinds: slot.kinds, site: slot.site)
            }
        }
    }

    private func unscaledSlots(_ optimizer: OptimizerUse, model: ModelView) -> [OptimizerSlot] {
        if let row = optimizer.labelRow { return [labelRowSlot(optimizer, row)] }
        let lrPosition = optimizer.groups.isEmpty ? 1 : nil
        // (A chain's rate is its scaling link's, see `TransformChain.learningRates`; its positional arguments are links.)
        var ownLR = optimizer.chain.map { $0.learningRates(in: self) }
            ?? learningRates(optimizer.stepFunction != nil ? optimizer.argument("lr", position: lrPosition, in: self)
                : optimizer.call.argument("lr", position: lrPosition))
        // A step function handed a scheduled rate every step (`update(..., lr_at(step))`), also torch's functional
        // update run every step (`torch.optim.adamw.adamw(..., lr=lr)`): the schedule's peak.
        let functional = optimizer.definition == nil && optimizer.call.callee.hasPrefix("torch.optim.") && optimizer.call.name.first?.isLowercase == true
        if ownLR.isEmpty, optimizer.stepFunction != nil || functional, let rate = optimizer.argument("lr", position: lrPosition, in: self) {
            ownLR = scheduledPeaks(of: rate, at: optimizer.call)
            // A rate computed as a base times a schedule multiplier (`head_lr = args.learning_rate * mult`), also handed
            // to the helper holding the update (`def adam_apply(..., lr)` called with `lr=head_lr`): the base (see
            // `scaledBaseRates`).
            if ownLR.isEmpty {
                var given = unwrapped(rate)
                // A rate applied negated (`alpha=-muon_lr`).
                if given.type == "unary_operator", given.child(byField: "operator")?.type == "-", let inner = given.child(byField: "argument") {
                    given = unwrapped(inner)
                }
                let passed = given.type == "identifier" && parameterOwner(of: given) != nil ? callerArguments(of: given).map(unwrapped) : [given]
                ownLR = passed.flatMap { argument -> [Double] in
                    let product = argument.type == "identifier" ? latestValue(of: argument.text, before: argument) ?? argument : argument
                    return scaledBaseRates(product)
                }
            }
        }
        if !optimizer.groups.isEmpty {
            return optimizer.groups.map { group in
                let params = OptimizerUse.entry("params", in: group)
                let lr = OptimizerUse.entry("lr", in: group).map(learningRates) ?? ownLR
                return OptimizerSlot(optimizer: optimizer, params: params, learningRates: lr.isEmpty ? defaultLR(optimizer) : lr,
                                     kinds: params.map { parameterKinds($0, model: model) } ?? [.other], site: group)
            }
        }
        let params = optimizer.parametersArgument(in: self)
        // An optimizer built once per row of a table (`for g, _, cls in ROUTES: ctor(buckets[g], lr=hp[g + ".lr"])`,
        // or per record, `REGISTRY[spec["cls"]](owned[k], **spec["kw"])`, see `OptimizerUse.record`): that row's
        // parameters and rate, the row being its site.
        if let record = optimizer.record, let row = recordRow(record, at: optimizer.call.node) {
            let rateNode = optimizer.call.argument("lr", position: lrPosition)
            // A rate spread from the row's own keywords (`cls(params, **kw)`) is read in that row (see `spreadKeyword`).
            let spread = rateNode == nil ? optimizer.spreadKeyword("lr", in: self).map(learningRates) : nil
            let rates = rateNode.flatMap { rowValues($0, in: row) } ?? spread ?? ownLR
            return [OptimizerSlot(optimizer: optimizer, params: params, learningRates: rates.isEmpty ? defaultLR(optimizer) : rates,
                                  kinds: params.map { rowParameterKinds($0, in: row, model: model) } ?? [.other], site: row.item)]
        }
        // An optimizer built once per entry or row of a table, each its own slot; the first reading that applies:
        // - per entry of a literal table (`[Adam(ps, lr=lr) for ps, lr in specs]`, see `tableEntrySlots`);
        // - per row of a table keyed by enumeration members, under tests of the member (`for family, params in
        //   FAMILIES.items(): if family.rule == "adam": Adam(params, **adam_spec(family))`, see `memberRowSlots`);
        // - per construction of a record class whose own method builds it from its fields (`def build(self): if
        //   self.kind == "adam": return Adam(self.params, lr=self.lr)`, see `recordMethodSlots`);
        // - per row of a table a loop walks (`for name, params in groups.items(): if name == "matrix": Muon(params,
        //   lr=lrs[name]) else: Adam(params, lr=lrs[name])`, see `loopRowSlots`);
        // - per row of a table a loop walks calling a factory of the file once (`for bucket, spec in RECIPE.items():
        //   make_optimizer(spec.pop("name"), buckets[bucket], **spec)`, see `loopRowFactorySlots`).
        if let params {
            let rate = optimizer.call.argument("lr", position: lrPosition)
            let readings: [() -> [OptimizerSlot]?] = [
                { self.tableEntrySlots(optimizer, params: params, rate: rate, ownLR: ownLR, model: model) },
                { self.memberRowSlots(optimizer, params: params, rate: rate, ownLR: ownLR, model: model) },
                { self.recordMethodSlots(optimizer, params: params, rate: rate, ownLR: ownLR, model: model) },
                { self.loopRowSlots(optimizer, params: params, rate: rate, ownLR: ownLR, model: model) },
                { self.loopRowFactorySlots(optimizer, params: params, rate: rate, ownLR: ownLR, model: model) },
            ]
            for reading in readings { if let slots = reading() { return slots } }
        }
        // An optimizer built by a factory (`def adam(ps, lr): return Adam(ps, lr=lr)`, or a lambda) that
        // receives its parameters: one slot per call of the factory, with that call's parameters and rate.
        if let params, params.type == "identifier" {
            let bindings = callerBindings(of: params)
            let rateNode = optimizer.call.argument("lr", position: 1)
            let rateBindings = rateNode.map { callerBindings(of: $0) } ?? []
            // A factory chosen from a table once per key of a loop (`{n: make[kind[n]](groups[n], cfg[n]) for n in ...}`):
            // one slot per key choosing it, with that key's parameters and rate.
            if bindings.count == 1, let factory = parameterHolder(of: params), let runs = keyedRuns(of: bindings[0].call, selecting: factory), !runs.isEmpty {
                return runs.map { run in
                    let entry = runParameters(bindings[0].argument, in: run)
                    let given = entry ?? bindings[0].argument
                    let rates = rateNode.map { resolver.values(of: $0, inRun: bindings[0].call.node, key: run.key).map(\.double) } ?? []
                    // Each run's site is what it reads for its key: its entry of the table walked, else its parameters' entry
                    // (one comprehension may make every key's parameters).
                    return OptimizerSlot(optimizer: optimizer, params: given,
                                         learningRates: rates.isEmpty ? (ownLR.isEmpty ? defaultLR(optimizer) : ownLR) : rates,
                                         kinds: runParameterKinds(given, in: run, model: model), site: run.value?.entry ?? entry ?? bindings[0].call.node)
                }
            }
            if bindings.count > 1 {
                let factory = parameterOwner(of: params)
                return bindings.compactMap { binding -> OptimizerSlot? in
                    // The factory's parameters as this call gives them (`role="head"`, also through a builder's list,
                    // see `appendedEntries`): a construction under a test of them (`if role == "matrix": return
                    // Muon(...)`, and the Adam after that return) is made only by the calls that take its path, and a
                    // rate computed from them (`lr = self.lr_for(role)`) is run for this call.
                    let given = factory.map { callEnvironment(binding.call, $0) } ?? [:]
                    if let factory, !given.isEmpty, reaches(optimizer.call.node, in: factory, given: { name in
                        if case .string(let text)? = given[name] { return text }
                        return nil
                    }) == false {
                        return nil
                    }
                    var rate = rateBindings.first { $0.call.node == binding.call.node }.map { learningRates($0.argument) }
                    // A rate read by key from the factory's `**kw` (`lr=kw["lr"]`, `kw.get("lr", 1e-3)`): what this
                    // call passes for that key (see `keywordsEntry`).
                    if rate == nil, let rateNode, let factory, let passed = keywordsEntry(rateNode, of: factory, passedBy: binding.call) {
                        let read = passed.flatMap { learningRates($0) }
                        if !read.isEmpty { rate = read }
                    }
                    if rate == nil, let rateNode, !given.isEmpty, reads(rateNode, given),
                       let v = ScriptInterpreter(self).value(of: rateNode, env: given)?.number {
                        rate = [v]
                    }
                    let rates = rate ?? ownLR
                    return OptimizerSlot(optimizer: optimizer, params: binding.argument,
                                         learningRates: rates.isEmpty ? defaultLR(optimizer) : rates,
                                         kinds: parameterKinds(binding.argument, model: model), site: binding.call.node)
                }
            }
        }
        return [OptimizerSlot(optimizer: optimizer, params: params, learningRates: ownLR.isEmpty ? defaultLR(optimizer) : ownLR,
                              kinds: params.map { parameterKinds($0, model: model) } ?? [.other], site: optimizer.call.node)]
    }

    /// The parameters an argument hands over in one run of a keyed call (see `keyedRuns`): the run's entry for the
    /// loop's value variable, the entry of a table written out read by the loop's key (`groups[n]`), also inside
    /// `list(...)` or `.values()`. Nil when the argument is none of these.
    func runParameters(_ argument: Node, in run: KeyedRun) -> Node? {
        var a = unwrapped(argument)
        while a.type == "call", case let call = callSite(a), (call.callee == "list" && call.positional.count == 1) || (call.name == "values" && call.positional.isEmpty) {
            guard let inner = call.callee == "list" ? call.positional.first : call.receiver else { break }
            a = unwrapped(inner)
        }
        if a.type == "identifier", a.text == run.value?.variable { return run.value?.entry }
        if a.type == "subscript", let table = a.child(byField: "value"), let index = a.child(byField: "subscript").map(unwrapped),
           index.type == "identifier", index.text == run.variable, let held = keyedEntries(table, key: run.key, depth: 0), held.count == 1 {
            return held[0]
        }
        return nil
    }

    /// The kinds of parameters a run's entry holds (see `runParameters`). An entry a comprehension builds per key with a
    /// filter taken from a table by the same key (`{k: [p for n, p in named if match(n, p)] for k, match in
    /// patterns.items()}`) is read with that key's predicate (`lambda n, p: n.startswith("lm_head.")`).
    func runParameterKinds(_ entry: Node, in run: KeyedRun, model: ModelView) -> Set<ParameterKind> {
        let list = unwrapped(entry)
        guard ["list_comprehension", "generator_expression"].contains(list.type),
              let clause = list.namedChildren.first(where: { $0.type == "if_clause" }),
              let test = clause.namedChildren.first.map(unwrapped), test.type == "call",
              let predicate = callSite(test).function.map(unwrapped), predicate.type == "identifier",
              let binding = dataflow.bindings(of: predicate.text, at: predicate).first(where: { b in
                  if case .iteration(1) = b.kind { return b.site.type == "for_in_clause" } else { return false }
              }),
              let iterable = binding.site.child(byField: "right").map(unwrapped), iterable.type == "call",
              callSite(iterable).name == "items", let patterns = callSite(iterable).receiver,
              let chosen = keyedEntries(patterns, key: run.key, depth: 0), chosen.count == 1,
              case let lambda = unwrapped(chosen[0]), lambda.type == "lambda" else { return parameterKinds(entry, model: model) }
        if let side = dimensionSide(of: lambda) { return [side] }
        if let kind = nameFilterKind(lambda, model: model) { return [kind] }
        return parameterKinds(entry, model: model)
    }

    /// The kinds of parameters an expression holds in one row of a table (see `loopRows`): the row's element or record
    /// entry it reads (`plist`, `spec["params"]`), or the bucket of a dictionary the row's key selects (`owned[k]`,
    /// `buckets[g]`, read as `buckets["embed"]`: see `appendedKinds` and `dictionaryEntries`); else as written.
    func rowParameterKinds(_ params: Node, in row: LoopRow, model: ModelView) -> Set<ParameterKind> {
        let p = unwrapped(params)
        if let entry = rowEntry(p, in: row) { return parameterKinds(entry, model: model) }
        // `getattr(model, params_attr)`, directly or through a local, with the attribute named by the row
        // (`("matrix", "matrix_params", ...)`): the property of that name on the object's classes.
        let fetched = p.type == "identifier" ? latestAssignedValue(of: p.text, before: p).map(unwrapped) : p
        if let fetched, fetched.type == "call", case let call = callSite(fetched), call.callee == "getattr", (2...3).contains(call.positional.count) {
            let key = unwrapped(call.positional[1])
            let name = SettingsTable.stringValue(key) ?? (key.type == "identifier" ? row.names[key.text].map(unwrapped).flatMap(SettingsTable.stringValue) : nil)
            if let name {
                let kinds = propertyKinds(of: call.positional[0], named: name, model: model)
                if !kinds.isEmpty { return kinds }
            }
        }
        // A selector picked from a table by the row (`PARAM_SELECTORS[entry["params_filter"]](model)`, directly or through
        // a local, with `"scalar": lambda m: [p for p in ... if p.ndim < 2]`): what the selected lambda or function returns.
        if let fetched, fetched.type == "call", let chooser = callSite(fetched).function.map(unwrapped), chooser.type == "subscript",
           let table = chooser.child(byField: "value"), let index = chooser.child(byField: "subscript").map(unwrapped),
           let key = (index.type == "identifier" ? row.names[index.text].map(unwrapped) : rowEntry(index, in: row)).flatMap(SettingsTable.stringValue) {
            let chosen = entries(key, in: table).map(unwrapped)
            let returned = chosen.flatMap { entry -> [Node] in
                if entry.type == "lambda" { return entry.child(byField: "body").map { [$0] } ?? [] }
                return functionsDenoted(by: entry, depth: 0).flatMap { returnedValues($0) }
            }
            let kinds = returned.reduce(into: Set<ParameterKind>()) { $0.formUnion(parameterKinds($1, model: model)) }
            if !kinds.isEmpty { return kinds }
        }
        if p.type == "subscript", let table = p.child(byField: "value").map(unwrapped), table.type == "identifier",
           let index = p.child(byField: "subscript").map(unwrapped),
           let key = (index.type == "identifier" ? row.names[index.text].map(unwrapped) : rowEntry(index, in: row)).flatMap(PythonFacts.bucketKey) {
            let kinds = appendedKinds(table.text, key: key, model: model)
            if !kinds.isEmpty { return kinds }
            let entries = localValues(of: table.text, around: p).flatMap { dictionaryEntries(of: $0, key: key) }
            if !entries.isEmpty {
                return entries.reduce(into: Set<ParameterKind>()) { $0.formUnion(parameterKinds($1, model: model)) }
            }
            let filled = helperFilledKinds(table.text, key: key, around: p, model: model)
            if !filled.isEmpty { return filled }
        }
        return parameterKinds(params, model: model)
    }

    /// The kinds of parameters a property of the object's classes returns, read by name (`getattr(model,
    /// "matrix_params")`); empty when no class of the object has such a property or what it returns is not told.
    func propertyKinds(of object: Node, named name: String, model: ModelView) -> Set<ParameterKind> {
        let owners = dataflow.instanceClasses(of: unwrapped(object)).sorted().compactMap { boundClass(named: $0) }
        for owner in owners {
            guard let getter = method(name, of: owner), isPropertyGetter(getter) else { continue }
            let kinds = returnedValues(getter).reduce(into: Set<ParameterKind>()) { $0.formUnion(parameterKinds($1, model: model)) }
            if !kinds.isEmpty, kinds != [.other] { return kinds }
        }
        return []
    }

    /// For an optimizer whose parameters are a loop or comprehension variable over a literal table (`[Adam(ps, lr=lr,
    /// ...) for ps, lr in specs]` with `specs = [(model.wte.parameters(), 0.3), (model.lm_head.parameters(), 0.002)]`,
    /// or a `for` loop over it appending), one slot per entry, the entry being its site: the entry's element in the
    /// variable's place as parameters, and as rate the element a rate variable of the same loop takes there, or a
    /// rate computed from the loop's other variables run with the entry's strings and numbers (`lr=hp[f"{gname}.lr"]`
    /// in `for gname, plist in specs`), else the optimizer's own rate. Nil when the parameters are no such variable, the table has fewer than two entries,
    /// or an entry does not have the element.
    func tableEntrySlots(_ optimizer: OptimizerUse, params: Node, rate: Node?, ownLR: [Double], model: ModelView) -> [OptimizerSlot]? {
        let variable = unwrapped(params)
        guard variable.type == "identifier",
              let binding = dataflow.bindings(of: variable.text, at: variable).first(where: {
                  if case .iteration = $0.kind { return true } else { return false }
              }),
              case .iteration(let index) = binding.kind,
              let items = listItems(binding.node), items.count > 1 else { return nil }
        // The rate read from the same loop (`lr` in `for ps, lr in specs`): its place in each entry.
        var rateIndex: Int?
        var rateFromEntry = false
        if let rate = rate.map(unwrapped), rate.type == "identifier",
           let rateBinding = dataflow.bindings(of: rate.text, at: rate).first(where: { $0.node == binding.node }),
           case .iteration(let i) = rateBinding.kind {
            rateIndex = i
            rateFromEntry = true
        }
        func element(_ item: Node, _ i: Int?) -> Node? {
            guard let i else { return item }
            guard let parts = listItems(item), i < parts.count else { return nil }
            return parts[i]
        }
        // The loop's other variables (`gname` in `for gname, cls_name, plist, kw in specs`), by their place in an entry: a
        // rate computed from them (`hp[f"{gname}.lr"]`) is run once per entry with the entry's strings and numbers.
        var others: [(name: String, index: Int?)] = []
        if !rateFromEntry, let rate, let loop = binding.node.parent,
           let left = loop.child(byField: "left") ?? loop.namedChildren.first(where: { $0.type == "pattern_list" || $0.type == "tuple_pattern" }) {
            let names = ["pattern_list", "tuple_pattern"].contains(left.type) ? left.namedChildren : [left]
            for (i, name) in names.enumerated() where name.type == "identifier" && name.text != variable.text {
                others.append((name.text, names.count == 1 ? nil : i))
            }
            others = others.filter { other in ([rate] + descendants(of: rate)).contains { $0.type == "identifier" && $0.text == other.name } }
        }
        let interpreter = ScriptInterpreter(self)
        var slots: [OptimizerSlot] = []
        for item in items {
            guard let held = element(item, index) else { return nil }
            var rates = ownLR
            if rateFromEntry {
                guard let given = element(item, rateIndex) else { return nil }
                rates = learningRates(given)
            } else if let rate, !others.isEmpty {
                var env: [String: ScriptValue] = [:]
                for other in others {
                    guard let part = element(item, other.index).map(unwrapped) else { continue }
                    if let text = SettingsTable.stringValue(part) { env[other.name] = .string(text) }
                    else if let v = evaluate(part) { env[other.name] = .number(v) }
                }
                if !env.isEmpty, let v = interpreter.value(of: rate, env: env)?.number { rates = [v] }
            }
            slots.append(OptimizerSlot(optimizer: optimizer, params: held, learningRates: rates.isEmpty ? defaultLR(optimizer) : rates,
                                       kinds: parameterKinds(held, model: model), site: item))
        }
        return slots
    }

    /// For an optimizer built in a loop over a table whose rows give a loop variable an enumeration member (`for family,
    /// params in {Family.EMBED: wte.parameters(), Family.HEAD: head.parameters()}.items(): if family.rule == "adam":
    /// Adam(params, lr=family.lr)`), one slot per row the tests around the construction keep (see `loopMemberRows`), the
    /// row's item being its site: the row's value of the parameters variable as parameters, and as rate what the
    /// row's member gives (see `memberRowRate`), else the optimizer's own rate. Nil when the parameters are no variable
    /// of such a loop, or no row reaches the construction.
    func memberRowSlots(_ optimizer: OptimizerUse, params: Node, rate: Node?, ownLR: [Double], model: ModelView) -> [OptimizerSlot]? {
        let variable = unwrapped(params)
        guard variable.type == "identifier", let loop = bindingLoop(of: variable.text, at: variable), let rows = loopRows(loop),
              let first = rows.first else { return nil }
        // The loop variable that holds a member in every row (`family`).
        let holders = first.names.keys.sorted().filter { name in
            name != variable.text && rows.allSatisfy { row in
                guard let held = row.names[name].map(unwrapped), held.type == "attribute" else { return false }
                return enumerationMember(held) != nil
            }
        }
        guard holders.count == 1, let kept = loopMemberRows(holders[0], at: optimizer.call.node, depth: 0), !kept.isEmpty else { return nil }
        return kept.compactMap { entry -> OptimizerSlot? in
            guard let held = entry.row.names[variable.text] else { return nil }
            let given = memberRowRate(optimizer, rate: rate, variable: holders[0], member: entry.member)
            let rates = given.isEmpty ? ownLR : given
            return OptimizerSlot(optimizer: optimizer, params: held, learningRates: rates.isEmpty ? defaultLR(optimizer) : rates,
                                 kinds: parameterKinds(held, model: model), site: entry.row.item)
        }
    }

    /// The rate a construction made once per row of a table of enumeration members (see `memberRowSlots`) takes in
    /// the row where loop variable `variable` holds `member`: its `lr` argument read off the member (`family.lr`,
    /// `family.value[1]`, see `memberRead`), else the `lr` entry of the dictionary a module-level helper returns that
    /// the call spreads, the helper's parameter given the loop variable (`**adam_spec(family)` with `def
    /// adam_spec(f): return AdamSpec(lr=f.lr, ...)`, a `TypedDict` or `dict(...)` or literal, see `dictionaries`),
    /// read off the member. Empty when neither reads the member.
    func memberRowRate(_ optimizer: OptimizerUse, rate: Node?, variable: String, member: (owner: Class, value: Node)) -> [Double] {
        if let rate { return memberRead(rate, variable: variable, member: member).map { learningRates($0) } ?? [] }
        guard optimizer.call.hasSplat, let arguments = optimizer.call.node.child(byField: "arguments") else { return [] }
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard let source = splat.namedChildren.first.map(unwrapped), source.type == "call" else { continue }
            let helperCall = callSite(source)
            guard helperCall.receiver == nil, !helperCall.hasSplat, let helper = moduleFunctions[helperCall.callee] else { continue }
            // The helper's parameters this call gives the loop variable.
            var bound: [String] = []
            for (i, parameter) in helper.passedParameters.enumerated() {
                guard let argument = helperCall.argument(parameter, position: i).map(unwrapped) else { continue }
                if argument.type == "identifier" && argument.text == variable { bound.append(parameter) }
            }
            guard !bound.isEmpty else { continue }
            for returned in returnedValues(helper) {
                for dictionary in dictionaries(returned) {
                    guard let entry = OptimizerUse.entry("lr", in: dictionary) else { continue }
                    for parameter in bound {
                        if let read = memberRead(entry, variable: parameter, member: member) { return learningRates(read) }
                    }
                }
            }
        }
        return []
    }

    /// The strings and numbers a factory's parameters hold for one of its calls (see `callerBindings`, which follows a
    /// call made per entry of a builder's list to the call that gave the entry), by name, for the script interpreter.
    /// Parameters given something else (a list of parameters, a module) are left out.
    func callEnvironment(_ call: CallSite, _ factory: Function) -> [String: ScriptValue] {
        let interpreter = ScriptInterpreter(self)
        var env: [String: ScriptValue] = [:]
        for parameter in factory.node.child(byField: "parameters")?.namedChildren ?? [] {
            var held: Node? = parameter
            if parameter.type != "identifier" {
                held = parameter.child(byField: "name") ?? parameter.namedChildren.first(where: { $0.type == "identifier" })
            }
            guard let name = held, name.type == "identifier", factory.passedParameters.contains(name.text),
                  let passed = callerBindings(of: name).first(where: { $0.call.node == call.node }) else { continue }
            let given = unwrapped(passed.argument)
            if let text = SettingsTable.stringValue(given) {
                env[name.text] = .string(text)
            } else if !["list", "tuple", "list_comprehension", "generator_expression"].contains(given.type),
                      case .number(let v)? = interpreter.value(of: given) {
                env[name.text] = .number(v)
            }
        }
        return env
    }

    /// Whether an expression, or the value a local it names holds there, reads one of the names `env` binds.
    func reads(_ node: Node, _ env: [String: ScriptValue]) -> Bool {
        var sources = [node]
        if unwrapped(node).type == "identifier", let local = latestValue(of: unwrapped(node).text, before: node) { sources.append(local) }
        return sources.contains { source in ([source] + descendants(of: source)).contains { $0.type == "identifier" && env[$0.text] != nil } }
    }

    func learningRates(_ node: Node?) -> [Double] {
        guard let node else { return [] }
        // A table read by its key through a name (`lrs["embed"]` with `lrs = active_lrs()` choosing between two tables
        // of rates) when one table it may name has the key: the table the run reads, not every table with that key.
        if case let read = unwrapped(node), read.type == "subscript", let table = read.child(byField: "value"), table.type == "identifier",
           let key = read.child(byField: "subscript").flatMap(SettingsTable.stringValue),
           dictionaries(table).filter({ OptimizerUse.entry(key, in: $0) != nil }).count == 1,
           let v = ScriptInterpreter(self).value(of: read, env: [:])?.number, v.isFinite, v > 0 {
            return [v]
        }
        let resolved = values(of: node).map(\.double)
        if !resolved.isEmpty { return resolved }
        if let value = evaluate(node) { return [value] }
        let scaled = scaledBaseRates(node)
        if !scaled.isEmpty { return scaled }
        // A call or keyed read the resolver cannot bind (a method handed a role's name, `hp.lr("embed")`, reading
        // tables by it): run where it stands.
        if ["call", "subscript"].contains(unwrapped(node).type), let v = ScriptInterpreter(self).value(of: node, env: [:])?.number,
           v.isFinite, v > 0 {
            return [v]
        }
        return []
    }

    /// The base rate of `base * factor` with a schedule multiplier (peaking at 1) as the factor, as a functional
    /// update is handed its rate every step (`adam_update(..., hp.embed_lr * scale)`, `scale` filled with
    /// `lr_factor(step)`; `muon_step(..., lr=args.matrix_lr * s)` with `s = lr_scale(step)` in a step function the
    /// training loop calls with its step, see `multiplierPeak`): the base is the peak rate, as the `lr` a
    /// `torch.optim` optimizer is built with is under a `LambdaLR`. Empty when the factor is no such multiplier (a
    /// constant, a schedule peaking elsewhere, or one not read).
    public func scaledBaseRates(_ node: Node) -> [Double] {
        let product = unparenthesized(node)
        guard product.type == "binary_operator", product.child(byField: "operator")?.type == "*",
              let left = product.child(byField: "left"), let right = product.child(byField: "right") else { return [] }
        for (base, factor) in [(left, right), (right, left)] {
            let rates = values(of: base).map(\.double)
            if !rates.isEmpty, let peak = multiplierPeak(factor), Swift.abs(peak - 1) < 1e-9 { return rates }
        }
        return []
    }

    /// The largest value a schedule factor takes over training: the expression (or, for a parameter, what its
    /// callers pass; for a local, the value it was last given, `mult = lr_multiplier(step)`) evaluated as a function of
    /// the enclosing `range` loop's variable, or of a parameter of its function that every call passes such a loop's
    /// variable (`def update(step): s = lr_scale(step)`, called `update(step)` in `for step in range(n)`); nil when it
    /// does not depend on the step or cannot be evaluated. The step may reach the expression through locals set before
    /// it; the run is sampled on a grid, refined around its best point (a warmup's end between grid points).
    func multiplierPeak(_ node: Node, depth: Int = 0) -> Double? {
        let n = unparenthesized(node)
        if n.type == "identifier", depth < 2, enclosingFunction(n)?.parameters.contains(n.text) == true {
            let peaks = callerArguments(of: n).map { multiplierPeak($0, depth: depth + 1) }
            guard !peaks.isEmpty, !peaks.contains(where: { $0 == nil }) else { return nil }
            return peaks.compactMap { $0 }.max()
        }
        // A local holding the factor: the value it was given (in the loop, or in the step function).
        if n.type == "identifier", depth < 3, !enclosingLoops(n).contains(where: { loopVariables($0).contains(n.text) }),
           let value = latestValue(of: n.text, before: n), value != n {
            return multiplierPeak(value, depth: depth + 1)
        }
        func sampledPeak(_ name: String, over loop: Node) -> Double? {
            let end = iterationCount(loop) ?? 5000
            let grid = (0...20).map { (end * Double($0) / 20).rounded(.down) }
            let samples = grid.map { evaluate(n, bindings: [name: $0]) }
            let known = samples.compactMap { $0 }
            guard known.count >= 15, Set(known).count >= 2, var best = known.max(),
                  var around = grid.indices.first(where: { samples[$0] == best }).map({ grid[$0] }) else { return nil }
            // A peak between two grid points (the end of a 200-step warmup sampled every 160 steps) is found by
            // sampling more finely around the best point, twice.
            var width = end / 20
            for _ in 0..<2 where width >= 2 {
                for i in -8...8 {
                    let step = (around + width * Double(i) / 8).rounded(.down)
                    guard step >= 0, step <= end, let v = evaluate(n, bindings: [name: step]), v > best else { continue }
                    best = v
                    around = step
                }
                width /= 8
            }
            return best
        }
        func isRangeLoop(_ loop: Node) -> Bool {
            guard let iterable = loop.child(byField: "right"), iterable.type == "call" else { return false }
            return callSite(iterable).callee == "range"
        }
        // The step may reach the factor through locals set before it (`frac = step / n`, `remaining = 1 - frac`,
        // `scale = min(remaining / cool, 1.0)`), which `evaluate` follows.
        for loop in enclosingLoops(n) where isRangeLoop(loop) {
            for step in loopVariables(loop) where mentions(n, step, throughLocals: 4) {
                if let peak = sampledPeak(step, over: loop) { return peak }
            }
        }
        // Computed from a parameter of a step function that every call hands a `range` loop's variable.
        if enclosingLoops(n).isEmpty, let function = enclosingFunction(n) {
            for parameter in function.parameters where mentions(n, parameter) {
                guard let reference = descendants(of: n).first(where: { $0.type == "identifier" && $0.text == parameter }) else { continue }
                let passed = callerArguments(of: reference).map(unparenthesized)
                let peaks = passed.map { argument -> Double? in
                    guard argument.type == "identifier",
                          let loop = enclosingLoops(argument).first(where: { isRangeLoop($0) && loopVariables($0).contains(argument.text) })
                    else { return nil }
                    return sampledPeak(parameter, over: loop)
                }
                if !peaks.isEmpty, !peaks.contains(where: { $0 == nil }) { return peaks.compactMap { $0 }.max() }
            }
        }
        return nil
    }

    /// The class default `lr` of an optimizer defined in the file.
    func defaultLR(_ optimizer: OptimizerUse) -> [Double] {
        optimizer.values("lr", in: self).map(\.double)
    }
}
