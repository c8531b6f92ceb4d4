import Parsing
import TreeSitterKit

/// Tensors set to zero, in the spellings training scripts use at init.
extension PythonFacts {
    /// The tensor a call sets to zero: the receiver of `w.zero_()`, `w.fill_(0)`, `w.mul_(0)`,
    /// `w.copy_(torch.zeros_like(w))`; the first argument of `nn.init.zeros_(w)`, `nn.init.constant_(w, 0)`; the
    /// module of a `register_parametrization(m, "weight", P())` whose `right_inverse` returns zeros.
    public func zeroedTensor(_ call: CallSite) -> Node? {
        switch call.name {
        case "zeros_":
            return call.positional.first
        case "register_parametrization":
            // Registering a parametrization stores `right_inverse(weight)` as the tensor kept: one returning zeros
            // (`def right_inverse(self, W): return torch.zeros_like(W)`) zeroes the module's weight there, when its
            // forward hands the stored tensor back as it is (or cast). The module stands for its weight.
            guard call.argument("tensor_name", position: 1).flatMap(SettingsTable.stringValue) == "weight",
                  let module = call.argument("module", position: 0), let built = call.argument("parametrization", position: 2),
                  case let held = unwrapped(built), held.type == "call", let owner = boundClass(named: callSite(held).callee),
                  let inverse = method("right_inverse", of: owner), let forward = method("forward", of: owner),
                  let stored = forward.passedParameters.first,
                  case let inverted = returnedValues(inverse), !inverted.isEmpty, inverted.allSatisfy(isZeroTensor),
                  returnedValues(forward).allSatisfy({ withoutCasts($0).type == "identifier" && withoutCasts($0).text == stored })
            else { return nil }
            return module
        case "constant_":
            return call.argument("val", position: 1).flatMap { value(of: $0) }?.double == 0 ? call.positional.first : nil
        default:
            break
        }
        guard let receiver = call.receiver else { return zeroingCallTarget(call) }
        switch call.name {
        case "zero_":
            return receiver
        case "fill_", "mul_":
            return call.positional.first.flatMap { value(of: $0) }?.double == 0 ? receiver : nil
        case "copy_":
            return call.positional.first.map(isZeroTensor) == true ? receiver : nil
        default:
            return nil
        }
    }

    /// The tensor a call hands first to a function of the file that zeroes it: a function or a lambda named by the callee
    /// (`zero_weight(w)` with `def zero_weight(t): t.data.zero_()`, `_zero = lambda t: t.zero_()`), or the entry of a
    /// table of init functions that the key selects, the key resolved where it is set (`INITS[spec["head"]["init"]](w)`
    /// with `INITS = {"zeros": lambda w: w.data.zero_(), "default": lambda w: None}` and the spec's `"init": "zeros"`).
    /// Nil when the call runs anything else, or a key the file does not resolve.
    func zeroingCallTarget(_ call: CallSite) -> Node? {
        guard let first = call.positional.first, !call.hasSplat, let function = call.function.map(unparenthesized) else { return nil }
        if function.type == "identifier", isZeroingFunction(function) { return first }
        guard let entries = keyedCallees(call, keys: [:]), !entries.isEmpty, entries.allSatisfy(isZeroingFunction) else { return nil }
        return first
    }

    /// A tensor of zeros made fresh: `torch.zeros(...)`, `torch.zeros_like(x)`, `torch.full(shape, 0)`,
    /// `torch.full_like(x, 0.0)`, `x.new_zeros(...)`.
    public func isZeroTensor(_ node: Node) -> Bool {
        let node = unparenthesized(node)
        guard node.type == "call" else { return false }
        let call = callSite(node)
        switch call.callee {
        case "torch.zeros", "torch.zeros_like":
            return true
        case "torch.full", "torch.full_like":
            return call.argument("fill_value", position: 1).flatMap { value(of: $0) }?.double == 0
        default:
            return call.name == "new_zeros" && call.receiver != nil
        }
    }

    /// The call that creates the tensor a value starts as, when that tensor starts at all zeros: a fresh zero tensor
    /// (`torch.zeros(V, d)`, see `isZeroTensor`), a tensor zeroed in place and handed on (`torch.empty(V, d).zero_()`,
    /// `w.zero_()` with `w = torch.empty(o, i)` before it: the creation of `w`), either wrapped as a parameter or moved
    /// (`nn.Parameter(...)`, `.requires_grad_()`, `.to(device)`, `.cuda()`, `.float()`, `.bfloat16()`), or a call of a
    /// helper of the file every return of which that call selects is such (`zeros(d, d)` with `def zeros(o, i): return
    /// torch.zeros(o, i)`, `lin(d, V, zero=True)` with `if zero: return nn.Parameter(w.zero_())`, see
    /// `selectedReturns`), as a functional model's parameter dictionary builds its weights. Callers read the shape from
    /// the creation (`positional.count == 2`: a matrix). Nil for anything else, a helper called with a mode whose
    /// return draws the tensor at random included.
    public func zeroCreation(_ node: Node, depth: Int = 0) -> CallSite? {
        let value = unparenthesized(node)
        guard depth < 6, value.type == "call" else { return nil }
        let call = callSite(value)
        if isZeroTensor(value) { return call }
        if call.callee == "torch.nn.Parameter" || call.torchCallee == "torch.nn.Parameter" {
            return call.argument("data", position: 0).flatMap { zeroCreation($0, depth: depth + 1) }
        }
        if let receiver = call.receiver {
            if ["requires_grad_", "to", "cuda", "float", "bfloat16", "half", "contiguous"].contains(call.name) {
                return zeroCreation(receiver, depth: depth + 1)
            }
            // Zeroed in place: the method hands back the tensor it zeroed, whatever it was made as.
            if let zeroed = zeroedTensor(call), unparenthesized(zeroed) == unparenthesized(receiver) {
                var made = unparenthesized(receiver)
                if made.type == "identifier", let held = latestValue(of: made.text, before: value) { made = unparenthesized(held) }
                guard made.type == "call" else { return nil }
                return constructorCall(made)
            }
        }
        // A helper of the file: every return this call selects starts at zero.
        guard call.receiver == nil, let helper = calledFunction(call) else { return nil }
        let returned = selectedReturns(of: helper, at: call)
        let made = returned.map { zeroCreation($0, depth: depth + 1) }
        guard !made.isEmpty, made.allSatisfy({ $0 != nil }) else { return nil }
        return made[0]
    }

    /// Whether a construction of a linear class of the file leaves its weight at zero because the class's
    /// `__init__` (its own or a base class's) applies an init function given as a parameter to the weight
    /// (`init_method(self.weight)`, `(init_method or nn.init.xavier_uniform_)(self.weight)`) and the construction
    /// passes a zeroing function for it (`RowParallelLinear(h, h, init_method=zeros_init_)`, also a configuration field set
    /// to one, `init_method=config.output_layer_init_method`), or its default is one.
    public func zeroesWeightWhenBuilt(_ construction: CallSite) -> Bool {
        // The class's `__init__`, its own or inherited from a base class of the file.
        guard let owner = boundClass(named: construction.callee), let initializer = initializer(of: owner) else { return false }
        let parameters = initializer.parameters
        for call in calls where isInside(call.node, initializer.node) {
            guard let weight = call.positional.first, weight.text.hasPrefix("self.weight"),
                  let function = call.function.map(unparenthesized) else { continue }
            let names = function.type == "boolean_operator"
                ? [function.child(byField: "left"), function.child(byField: "right")].compactMap { $0 } : [function]
            for name in names where name.type == "identifier" {
                guard let index = parameters.firstIndex(of: name.text) else { continue }
                let offset = parameters.first == "self" ? 1 : 0
                let passed = construction.argument(name.text, position: index - offset)
                if let passed, isZeroingFunction(passed) { return true }
                // Through a configuration object's field (`init_method=config.output_layer_init_method`, set to
                // `nn.init.zeros_` where the configuration is built).
                if let passed, case let held = origins(of: passed).filter({ $0 != passed }), !held.isEmpty, held.allSatisfy(isZeroingFunction) {
                    return true
                }
                if passed == nil, let value = parameterDefault(initializer, name.text), isZeroingFunction(value) { return true }
            }
        }
        return false
    }

    /// A function that zeroes the tensor it is given: `nn.init.zeros_`, a function of the file or a lambda whose
    /// body zeroes its first parameter.
    public func isZeroingFunction(_ node: Node) -> Bool {
        let n = unparenthesized(node)
        switch n.type {
        case "identifier", "attribute":
            if imports.qualifiedName(of: n) == "torch.nn.init.zeros_" { return true }
            guard n.type == "identifier" else { return false }
            if let f = function(named: n.text).first {
                return f.parameters.first.map { zeroes($0, inside: f.node) } ?? false
            }
            // A name set once to a lambda (`_zero = lambda t: t.zero_()`, see `lambdaBody`).
            guard lambdaBody(n.text) != nil, let bound = boundLambdas(named: n.text).first else { return false }
            return isZeroingFunction(bound.lambda)
        case "lambda":
            guard let p = n.child(byField: "parameters")?.namedChildren.first?.text, let body = n.child(byField: "body") else { return false }
            return zeroes(p, inside: body)
        default:
            return false
        }
    }

    /// Whether code zeroes the tensor a name holds (`t.zero_()`, `t.data.zero_()`, also through a zeroing function it
    /// calls). Kept per
    /// code; a function that reaches itself while this is asked (through a table of builders that call it back) does
    /// not zero for that inner question.
    private func zeroes(_ name: String, inside code: Node) -> Bool {
        memoized("zeroes \(name) \(code.startByte) \(code.endByte)", provisional: false) {
            descendants(of: code).contains { node in
                guard node.type == "call", let zeroed = zeroedTensor(callSite(node)) else { return false }
                return zeroed.text == name || zeroed.text == "\(name).data"
            }
        }
    }

    /// Whether a construction is wrapped by a helper of the file that zeroes the weight of what it is given and hands
    /// it back: `def zeroed(m): m.weight.data.zero_(); return m` called as `zeroed(nn.Linear(d, V))`, possibly
    /// several wrappers deep; also a helper with modes that zeroes through the entry of its table of init functions
    /// this call's mode selects (`init_linear(nn.Linear(d, d), scheme="zeros")`, see `tableActionEntries`); also a
    /// factory that builds the layer itself and zeroes it (`zeroed_linear(d, V)`, see `factoryZeroesWeight`). `node` is
    /// the wrapped expression (the value assigned to a module attribute, or a layer of an `nn.Sequential`).
    public func wrapperZeroesWeight(_ node: Node) -> Bool {
        var current = unparenthesized(node)
        if factoryZeroesWeight(current) { return true }
        while let inner = passedThrough(current) {
            if let name = current.child(byField: "function")?.text, let helper = function(named: name).first,
               let parameter = helper.parameters.first, zeroesWeight(of: parameter, inside: helper, at: callSite(current)) {
                return true
            }
            current = unparenthesized(inner)
        }
        return false
    }

    /// Whether a call of a factory of the file returns a module whose weight the factory zeroed: every return is a
    /// local it built (`lin = nn.Linear(d_in, d_out); lin.weight.data.zero_(); return lin`), zeroed before the return
    /// (under a branch the call selects, see `zeroesWeight`).
    func factoryZeroesWeight(_ node: Node) -> Bool {
        guard node.type == "call", case let call = callSite(node), call.receiver == nil, let factory = calledFunction(call),
              enclosingClass(factory.node) == nil else { return false }
        let returned = returnedValues(factory).map(unparenthesized)
        guard !returned.isEmpty, returned.allSatisfy({ $0.type == "identifier" && !factory.parameters.contains($0.text) }),
              Set(returned.map(\.text)).count == 1 else { return false }
        return zeroesWeight(of: returned[0].text, inside: factory, at: call)
    }

    /// Whether a function zeroes the weight of the module named `parameter` (`nn.init.zeros_(m.weight)`,
    /// `m.weight.data.zero_()`), itself, through a table of init functions (`_schemes[scheme](m.weight)` whose
    /// selected entries all zero, read at `site`, a call of the function, see `tableActionEntries`), or by handing
    /// the module on to a helper that does (`zero_init_(m)`, see `moduleWeightZeroed`; `depth` bounds that chain).
    private func zeroesWeight(of parameter: String, inside helper: Function, at site: CallSite? = nil, depth: Int = 0) -> Bool {
        calls.contains { zeroing in
            guard isInside(zeroing.node, helper.node) else { return false }
            if let tensor = zeroedTensor(zeroing) {
                let (owner, isWeight) = weightOwner(tensor)
                guard isWeight && owner?.type == "identifier" && owner?.text == parameter else { return false }
                // A helper called with different modes at different places zeroes only where the call selects its
                // zeroing branch (`if scheme == "zeros":`); a test that cannot be judged for the call admits.
                return site.map { branchTaken(zeroing.node, in: helper, call: $0) != false } ?? true
            }
            if let entries = tableActionEntries(zeroing, inside: helper, at: site), !entries.isEmpty,
               entries.allSatisfy({ isZeroingFunction($0) }), let tensor = zeroing.positional.first {
                let (owner, isWeight) = weightOwner(tensor)
                return isWeight && owner?.type == "identifier" && owner?.text == parameter
            }
            guard let module = moduleWeightZeroed(by: zeroing, depth: depth + 1) else { return false }
            return module.type == "identifier" && module.text == parameter
        }
    }

    /// The entries a call through a table of functions may run (`_schemes[scheme](layer.weight)`, `INIT[kind](w)`,
    /// the table a registry, see `registryDictionary`): when the key is a parameter of `helper` and `site` is a call
    /// of it, the entry of the string that call passes for it (or the parameter's default), so that a helper called
    /// with different modes at different places is read per call; otherwise the entries the key selects in every
    /// run (see `selectedTableEntries`). Nil when the call reads no registry or the key is not known.
    func tableActionEntries(_ call: CallSite, inside helper: Function, at site: CallSite?) -> [Node]? {
        guard let read = call.function.map(unwrapped), read.type == "subscript", let table = read.child(byField: "value"),
              let key = read.child(byField: "subscript").map(unwrapped) else { return nil }
        if let site, key.type == "identifier", helper.passedParameters.contains(key.text), !isReassigned(key.text, in: helper) {
            guard let dictionary = registryDictionary(table) else { return nil }
            guard let given = boundArgument(key.text, of: helper, at: site), let mode = decidedString(given) else { return nil }
            return registryPairs(dictionary).filter { $0.key == mode }.map { $0.value }
        }
        return selectedTableEntries(read)
    }

    /// The module a call hands to a function of the file that zeroes its weight, whether the call uses what the function
    /// returns or not: `self.to_logits` for `zero_init_(self.to_logits)` with `def zero_init_(m): nn.init.zeros_(m.weight);
    /// return m` (any parameter, by position or keyword; a method on `self` too, see `calledFunction`; also a function
    /// that hands it on to another such function; a mode it zeroes by, read at this call, see `tableActionEntries`).
    /// Nil when the call runs no such function, or passes it no argument for that parameter.
    public func moduleWeightZeroed(by call: CallSite, depth: Int = 0) -> Node? {
        guard depth < 4, let helper = calledFunction(call) else { return nil }
        for (index, parameter) in helper.passedParameters.enumerated() {
            guard let passed = call.argument(parameter, position: index),
                  zeroesWeight(of: parameter, inside: helper, at: call, depth: depth) else { continue }
            return unwrapped(passed)
        }
        return nil
    }

    /// The module of `module.weight`, through `.data` and `.detach()` around the weight and parentheses anywhere in
    /// the chain (`(module.weight).data`, as `ConstantAttributes` respells `getattr(module, "weight").data`). `isWeight`
    /// tells whether the expression is a weight (or a bare name, which may hold one). The module a `register_parametrization(m,
    /// "weight", ...)` call is given is its own weight's owner.
    public func weightOwner(_ node: Node) -> (module: Node?, isWeight: Bool) {
        // The module a weight parametrization is registered on stands for its weight (see `zeroedTensor`).
        if let list = node.parent, list.type == "argument_list", let registration = list.parent, registration.type == "call",
           callSite(registration).name == "register_parametrization", callSite(registration).positional.first == node {
            return (unparenthesized(node), true)
        }
        var current = unparenthesized(node)
        while true {
            if current.type == "attribute", current.child(byField: "attribute")?.text == "data", let o = current.child(byField: "object") {
                current = unparenthesized(o)
                continue
            }
            if current.type == "call", let f = current.child(byField: "function").map(unparenthesized), f.type == "attribute",
               f.child(byField: "attribute")?.text == "detach", let o = f.child(byField: "object") {
                current = unparenthesized(o)
                continue
            }
            break
        }
        if current.type == "attribute", current.child(byField: "attribute")?.text == "weight" {
            return (current.child(byField: "object").map(unparenthesized), true)
        }
        return (nil, current.type == "identifier")
    }

    // MARK: Rule tables

    /// One element of a row of a rule table, with the variables of the comprehensions that computed it bound to the
    /// elements of the rows they read (`INIT[kind]` of `[(re.compile(p), INIT[kind]) for p, kind in rules]`, with `kind`
    /// bound to the source row's `"zeros"`).
    struct RuleElement {
        let expression: Node
        let bound: [String: RuleElement]
    }

    /// A zeroing applied through a rule table in a loop over `named_parameters()`: `for rx, fn in rules: if
    /// rx.search(name): fn(p)` (also `if re.search(pat, name): INIT[kind](p)`, `if name.endswith(suffix): ...`, the
    /// pattern from the same row as the action), the rows a literal list of tuples (`[(r"\.attn\.out\.weight$",
    /// "zeros"), ...]`), possibly mapped by a comprehension (`[(re.compile(p), INIT[k]) for p, k in rules]`) and reached
    /// through names, parameters and dictionary entries (`SPEC["init_rules"]`, see `ruleRows`). The parameter names
    /// selected by the rows whose action zeroes (see `isZeroingAction`), as `literalPattern` reads them
    /// (`.attn.out.weight`; a pattern with other metacharacters is left out); a row an earlier one shadows counts too.
    /// Nil when the call is no rule table's action.
    public func ruleTableZeroedNames(_ call: CallSite) -> [String]? {
        guard let function = call.function.map(unwrapped), function.type == "identifier" || function.type == "subscript",
              var tensor = call.positional.first.map(unwrapped) else { return nil }
        let loops = enclosingLoops(call.node)
        guard !loops.isEmpty else { return nil }
        // The parameter the loop over `named_parameters()` binds (`fn(p)`, `fn(p.data)`).
        if tensor.type == "attribute", tensor.child(byField: "attribute")?.text == "data", let object = tensor.child(byField: "object") {
            tensor = unwrapped(object)
        }
        guard tensor.type == "identifier", loops.contains(where: { loop in
            guard let iterable = loop.child(byField: "right").map(unwrapped), iterable.type == "call",
                  callSite(iterable).name == "named_parameters" else { return false }
            return loopVariables(loop).contains(tensor.text)
        }) else { return nil }
        // The loop over the rows, binding the action (`for rx, fn in compiled`) or its key (`for pat, kind in rules`).
        let actionRead: Node? = function.type == "identifier" ? function : function.child(byField: "subscript").map(unwrapped)
        guard let read = actionRead, read.type == "identifier", let rowLoop = loops.first(where: { loopVariables($0).contains(read.text) }),
              let target = rowLoop.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(target.type),
              let iterable = rowLoop.child(byField: "right") else { return nil }
        let targets = target.namedChildren.filter { $0.type != "comment" }
        guard targets.allSatisfy({ $0.type == "identifier" }) else { return nil }
        let variables = targets.map(\.text)
        // The row's other elements the conditions around the call test (`rx` in `if rx.search(name):`).
        var conditions: [Node] = []
        var child = call.node
        for ancestor in ancestors(of: call.node) {
            if ancestor == rowLoop { break }
            if ["if_statement", "elif_clause"].contains(ancestor.type), ancestor.child(byField: "consequence") == child,
               let condition = ancestor.child(byField: "condition") {
                conditions.append(condition)
            }
            child = ancestor
        }
        let tested = variables.indices.filter { i in variables[i] != read.text && conditions.contains { mentions($0, variables[i]) } }
        guard !tested.isEmpty else { return nil }
        var selected: [String] = []
        for row in ruleRows(iterable, depth: 0) where row.count == variables.count {
            let bound = Dictionary(zip(variables, row), uniquingKeysWith: { first, _ in first })
            guard isZeroingAction(RuleElement(expression: function, bound: bound), depth: 0) else { continue }
            for i in tested {
                if let pattern = ruleString(row[i], depth: 0).flatMap({ Self.literalPattern($0) }) { selected.append(pattern) }
            }
        }
        return selected
    }

    /// Every rule table's zeroing in the file (see `ruleTableZeroedNames`), with the call applying it.
    public var ruleTableZeroings: [(call: CallSite, names: [String])] {
        memoized("ruleTableZeroings") {
            calls.compactMap { call -> (call: CallSite, names: [String])? in
                guard let names = ruleTableZeroedNames(call) else { return nil }
                return (call: call, names: names)
            }
        }
    }

    /// The rows of a rule table, each as its elements: a literal list or tuple of tuples (or lists); the entries of
    /// `TABLE.items()` as (key, value) rows; a comprehension over another table (`[(re.compile(p), INIT[k]) for p, k in
    /// rules]`, one `for` and no `if`), each row of its source mapped with the comprehension's variables bound to it; a
    /// dictionary's entry read by a string key (`SPEC["init_rules"]`); a name, a parameter or a field followed to where
    /// it is set (see `origins`). Empty when none can be read.
    func ruleRows(_ node: Node, depth: Int) -> [[RuleElement]] {
        guard depth < 8 else { return [] }
        let n = unwrapped(node)
        switch n.type {
        case "list", "tuple":
            return n.namedChildren.compactMap { row -> [RuleElement]? in
                let r = unwrapped(row)
                guard r.type == "tuple" || r.type == "list" else { return nil }
                return r.namedChildren.filter { $0.type != "comment" }.map { RuleElement(expression: $0, bound: [:]) }
            }
        case "list_comprehension", "generator_expression":
            let clauses = n.namedChildren.filter { $0.type == "for_in_clause" || $0.type == "if_clause" }
            guard clauses.count == 1, let clause = clauses.first, clause.type == "for_in_clause",
                  let body = n.namedChildren.first.map(unwrapped), body.type == "tuple",
                  let left = clause.child(byField: "left"), let source = clause.child(byField: "right") else { return [] }
            let targets = (left.type == "identifier" ? [left] : left.namedChildren).filter { $0.type != "comment" }
            guard targets.allSatisfy({ $0.type == "identifier" }) else { return [] }
            let elements = body.namedChildren.filter { $0.type != "comment" }
            return ruleRows(source, depth: depth + 1).compactMap { row -> [RuleElement]? in
                guard row.count == targets.count else { return nil }
                let bound = Dictionary(zip(targets.map(\.text), row), uniquingKeysWith: { first, _ in first })
                return elements.map { element -> RuleElement in
                    let e = unwrapped(element)
                    if e.type == "identifier", let whole = bound[e.text] { return whole }
                    return RuleElement(expression: e, bound: bound)
                }
            }
        case "call":
            let call = callSite(n)
            guard call.name == "items", call.positional.isEmpty, let receiver = call.receiver else { return [] }
            return dictionaries(receiver).filter { $0.type == "dictionary" }.flatMap { dictionary in
                dictionary.namedChildren.compactMap { pair -> [RuleElement]? in
                    guard pair.type == "pair", let key = pair.child(byField: "key"), let value = pair.child(byField: "value") else { return nil }
                    return [RuleElement(expression: key, bound: [:]), RuleElement(expression: value, bound: [:])]
                }
            }
        case "subscript":
            guard let table = n.child(byField: "value"),
                  let key = n.child(byField: "subscript").flatMap({ SettingsTable.stringValue($0) }) else { return [] }
            return entries(key, in: table).flatMap { ruleRows($0, depth: depth + 1) }
        case "identifier", "attribute":
            return origins(of: n).filter { unwrapped($0) != n }.flatMap { ruleRows($0, depth: depth + 1) }
        default:
            return []
        }
    }

    /// The string a rule table's element holds: a string literal, read through comprehension variables and
    /// `re.compile(...)`; for an element no comprehension computed, also a string the file decides for it (see
    /// `string(of:)`).
    func ruleString(_ element: RuleElement, depth: Int) -> String? {
        guard depth < 6 else { return nil }
        let e = unwrapped(element.expression)
        if e.type == "identifier", let whole = element.bound[e.text] { return ruleString(whole, depth: depth + 1) }
        if let text = SettingsTable.stringValue(e) { return text }
        if e.type == "call", callSite(e).callee == "re.compile", let pattern = callSite(e).argument("pattern", position: 0) {
            return ruleString(RuleElement(expression: pattern, bound: element.bound), depth: depth + 1)
        }
        return element.bound.isEmpty ? string(of: e) : nil
    }

    /// Whether a rule table's action zeroes the tensor it is given: a zeroing function (see `isZeroingFunction`), read
    /// through comprehension variables, or the entry of a table of functions a key of the row selects (`INIT["zeros"]`,
    /// `INIT[kind]` with `kind` bound to `"zeros"`, with `INIT = {"zeros": nn.init.zeros_, ...}`).
    func isZeroingAction(_ element: RuleElement, depth: Int) -> Bool {
        guard depth < 6 else { return false }
        let e = unwrapped(element.expression)
        if e.type == "identifier", let whole = element.bound[e.text] { return isZeroingAction(whole, depth: depth + 1) }
        if e.type == "subscript", let table = e.child(byField: "value"), let key = e.child(byField: "subscript") {
            guard let name = ruleString(RuleElement(expression: key, bound: element.bound), depth: depth + 1) else { return false }
            let entries = dictionaries(table).compactMap { OptimizerUse.entry(name, in: $0) }
            return !entries.isEmpty && entries.allSatisfy { isZeroingFunction($0) }
        }
        return isZeroingFunction(e)
    }

    /// The parameter name a pattern written for `re.search` or `endswith` names when it is a plain dotted name: `^` and
    /// `$` anchors and backslash escapes of punctuation dropped (`r"\.attn\.proj\.weight$"` -> `.attn.proj.weight`; an
    /// unescaped `.` is read as itself). Nil when another metacharacter is left (`(`, `|`, `*`, `+`, `?`, `[`, `{`,
    /// `\d`): an alternative or a wildcard names no one parameter.
    public static func literalPattern(_ pattern: String) -> String? {
        var text = Substring(pattern)
        if text.hasPrefix("^") { text = text.dropFirst() }
        if text.hasSuffix("$"), !text.hasSuffix("\\$") { text = text.dropLast() }
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                guard !character.isLetter, !character.isNumber else { return nil }
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if "()|*+?[]{}^$".contains(character) {
                return nil
            } else {
                result.append(character)
            }
        }
        return escaped ? nil : result
    }
}
