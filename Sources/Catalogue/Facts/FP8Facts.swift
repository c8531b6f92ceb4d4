import Foundation
import Parsing
import TreeSitterKit

/// The output head's matrix product run in FP8: where it is invoked and the scale factors that reach it.
public struct FP8HeadUse {
    /// The invocation (a call of an FP8 function), or the head's construction when a flag of its linear class
    /// routes its forward to FP8.
    public let node: Node
    /// Numbers reaching the FP8 product for the head: scale arguments, the class's scale attributes.
    public let scales: [Double]
    public let note: String
}

extension PythonFacts {
    /// Whether a node names a float8 dtype (`torch.float8_e4m3fn`, or a name set to one), also one chosen by name
    /// (`F8 = getattr(torch, fmt["fwd"])` with the format read from a configuration, an embedded JSON document or an
    /// environment default; see `dtypeName`).
    func isFloat8(_ node: Node) -> Bool {
        if let name = imports.qualifiedName(of: node), name.contains("float8") { return true }
        guard node.type == "identifier" || node.type == "attribute" else { return false }
        if node.type == "identifier",
           allSettings.settings(node.text).contains(where: { imports.qualifiedName(of: $0.value)?.contains("float8") == true }) { return true }
        return dtypeName(of: node)?.hasPrefix("float8") == true
    }

    /// Functions whose body (nested functions included) multiplies float8 operands with `torch._scaled_mm`.
    public var fp8LeafFunctions: [Function] {
        functions.filter { f in
            !calls(named: "_scaled_mm", inside: f.node).isEmpty
                && descendants(of: f.node).contains { ($0.type == "attribute" || $0.type == "identifier") && isFloat8($0) }
        }
    }

    /// The FP8 function a call runs: a function of the file, a custom op (`torch.ops.ns.name`), an autograd
    /// function's `apply`, or the `__call__` of a callable object (see `callableObjectTargets`), when it is one of `fp8`.
    func fp8Target(_ call: CallSite, _ fp8: [Function], _ ops: [String: Function]) -> Function? {
        var candidates: [Function] = []
        if let f = calledFunction(call) { candidates.append(f) }
        if let op = ops[call.callee] { candidates.append(op) }
        candidates += autogradForwards(call)
        if fp8.contains(where: { $0.name == "__call__" }) { candidates += callableObjectTargets(call) }
        return candidates.first { c in fp8.contains { $0.node == c.node } }
    }

    /// The `__call__` of the classes of the file whose instances a called name or `self.<name>` may hold: a
    /// strategy object (`self.train_matmul(x, w)` with `self.train_matmul = ScaledFp8Matmul(...)`, or a local picked
    /// from such attributes, `matmul = self.train_matmul if self.training else self.eval_matmul`).
    func callableObjectTargets(_ call: CallSite) -> [Function] {
        guard let callee = call.function.map(unparenthesized),
              callee.type == "identifier" || callee.type == "attribute" && callee.child(byField: "object")?.text == "self" else { return [] }
        return dataflow.instanceClasses(of: callee).sorted().compactMap { name in
            boundClass(named: name).flatMap { method("__call__", of: $0) }
        }
    }

    /// Whether an expression holds an object whose `__call__` runs FP8 (`ScaledFp8Matmul(...)`, or what a factory of
    /// the file returns: `MatmulPolicy.fp8(2.0, 2.0 ** 9, 2.0 ** 19)`).
    func holdsFP8Object(_ expression: Node, _ fp8: [Function]) -> Bool {
        dataflow.instanceClasses(of: expression).contains { name in
            guard let entry = boundClass(named: name).flatMap({ method("__call__", of: $0) }) else { return false }
            return fp8.contains { $0.node == entry.node }
        }
    }

    /// The `self.<name>` attributes holding the object an FP8 call of a method runs (`self.train_matmul(x, w)`, or
    /// `matmul(x, w)` with `matmul = self.train_matmul if self.training else self.eval_matmul`), but not one read only
    /// outside training; empty when the call runs a function, an op or an autograd function itself.
    func callableHolders(_ site: Node, _ fp8: [Function], _ ops: [String: Function]) -> [String] {
        guard site.type == "call" else { return [] }
        let call = callSite(site)
        guard calledFunction(call) == nil, ops[call.callee] == nil, autogradForwards(call).isEmpty,
              let callee = call.function.map(unparenthesized) else { return [] }
        var read = callee
        if callee.type == "identifier", let value = dataflow.latestValue(of: callee.text, before: site) { read = unparenthesized(value) }
        let names = descendants(of: read).filter { $0.type == "attribute" && !runsOnlyInEval($0) }.compactMap { instanceAttribute($0) }
        return Set(names).subtracting(["training", "weight"]).sorted()
    }

    /// Scales an FP8 object reaches its product with: the FP8 calls of its class's `__call__`, read with the attributes
    /// the object's construction sets (`ScaledFp8Matmul(x_s, w_s, grad_s)`, also the one a factory of the file
    /// returns, `MatmulPolicy.fp8(...)`, or a name set to one).
    func objectScales(_ object: Node, fp8: [Function], ops: [String: Function], depth: Int = 0) -> [Double] {
        guard depth < 4 else { return [] }
        let e = unparenthesized(object)
        guard e.type == "call" else {
            return origins(of: e).filter { $0 != e }.flatMap { objectScales($0, fp8: fp8, ops: ops, depth: depth + 1) }
        }
        let call = callSite(e)
        guard let c = boundClass(named: call.callee) else {
            guard let factory = calledFunction(call) else { return [] }
            return returnedValues(factory).flatMap { objectScales($0, fp8: fp8, ops: ops, depth: depth + 1) }
        }
        guard let entry = method("__call__", of: c) else { return [] }
        var result: [Double] = []
        for n in descendants(of: entry.node) where n.type == "call" {
            let inner = callSite(n)
            if let target = fp8Target(inner, fp8, ops) {
                result += scaleValues(inner, target, fp8: fp8, ops: ops, construction: (c, call), depth: 1)
            }
        }
        return result
    }

    /// FP8 functions: the leaves and every function that calls one (a wrapper such as `lm_head_fp8`).
    public var fp8Functions: [Function] {
        var result = fp8LeafFunctions
        let ops = customOps
        for _ in 0..<4 {
            let added = functions.filter { f in
                !result.contains { $0.node == f.node } && descendants(of: f.node).contains { n in
                    n.type == "call" && fp8Target(callSite(n), result, ops) != nil
                }
            }
            if added.isEmpty { break }
            result += added
        }
        return result
    }

    /// Whether an expression refers to the output head (`self.lm_head.weight`, `model.lm_head`): a head the model
    /// view recognizes, or a module named as one.
    func isHeadReference(_ node: Node, _ model: ModelView) -> Bool {
        if model.isHead(node) { return true }
        guard let owner = ownerName(of: node)?.lowercased() else { return false }
        return owner.contains("head") || owner.contains("unembed")
    }

    /// Where the output head's product runs in FP8 (see `FP8HeadUse`).
    public var fp8HeadUses: [FP8HeadUse] {
        memoized("fp8HeadUses") {
            let fp8 = fp8Functions
            guard !fp8.isEmpty else { return torchaoHeadUses + transformerEngineHeadUses }
            let ops = customOps
            let model = self.model()
            let flow = logitsFlow(throughModules: false).expressions
            var uses: [FP8HeadUse] = []
            let invocations = calls.compactMap { call -> (CallSite, Function)? in fp8Target(call, fp8, ops).map { (call, $0) } }
            for (call, target) in invocations where !runsOnlyInEval(call.node) {
                let onFlow = flow.contains { isInside(call.node, $0) }
                let headArgument = descendants(of: call.node.child(byField: "arguments") ?? call.node).contains { isHeadReference($0, model) }
                guard onFlow || headArgument else { continue }
                let scales = scaleValues(call, target, fp8: fp8, ops: ops, construction: nil, depth: 0)
                uses.append(FP8HeadUse(node: call.node, scales: scales, note: "output head computed by FP8 `\(target.name)`"))
            }
            // A linear class whose forward runs FP8 (under its own flags), constructed as the head with the flags on.
            for c in classes {
                guard let forward = forwardMethods(of: c).first,
                      fp8.contains(where: { $0.node == forward.node }) else { continue }
                let site = descendants(of: forward.node).first { n in
                    guard n.type == "call" else { return false }
                    let call = callSite(n)
                    return call.name == "_scaled_mm" || fp8Target(call, fp8, ops) != nil
                }
                // FP8 only outside training (`if not self.training:`, `if self._path() == "bf16":`) is no training product.
                if let site, runsOnlyInEval(site) { continue }
                let flags = site.map { guardFlags($0, in: forward) } ?? []
                // A product handed to an object the layer holds (a strategy): the attributes holding it.
                let holders = site.map { callableHolders($0, fp8, ops) } ?? []
                // The head switched to the class after it is built (`model.lm_head.__class__ = FP8Head`): the class's
                // forward runs for the head, reading the class's own fields (no construction gives it flags or scales).
                if flags.isEmpty, holders.isEmpty {
                    for swap in classSwaps(to: c) where isHeadReference(swap.object, model) {
                        let scales = descendants(of: forward.node).filter { n in instanceAttribute(n).map { $0 != "weight" } == true }
                            .flatMap { values(of: $0).map(\.double) }
                        uses.append(FP8HeadUse(node: swap.site, scales: scales, note: "output head switched to `\(c.name)`, whose forward runs FP8"))
                    }
                }
                for head in headConstructions(of: c, model) where flags.allSatisfy({ flag in
                    // A true value; for `self.scales is not None`, also anything surely not None (`scales.as_tuple()`);
                    // for `self.precision == "fp8"`, a string the run decides that is one of the modes compared with.
                    attributeArguments(flag.name, of: c, head.call).contains { argument in
                        if let modes = flag.modes { return decidedString(argument).map { modes.contains($0) } == true }
                        return isTruthy(argument) || flag.againstNone && isNone(argument) == false
                    }
                }) {
                    let construction = head.call
                    // The FP8 objects this construction gives those attributes; none: the head keeps a plain product.
                    let objects = holders.flatMap { attributeArguments($0, of: c, construction) }.filter { holdsFP8Object($0, fp8) }
                    guard holders.isEmpty || !objects.isEmpty else { continue }
                    var scales: [Double] = []
                    for n in descendants(of: forward.node) where n.type == "attribute" {
                        guard let name = instanceAttribute(n), name != "weight", !flags.contains(where: { $0.name == name }) else { continue }
                        for argument in attributeArguments(name, of: c, construction) { scales += values(of: argument).map(\.double) }
                    }
                    if objects.isEmpty, let site, site.type == "call", let target = fp8Target(callSite(site), fp8, ops) {
                        scales += scaleValues(callSite(site), target, fp8: fp8, ops: ops, construction: (c, construction), depth: 0)
                    }
                    for object in objects { scales += objectScales(object, fp8: fp8, ops: ops) }
                    uses.append(FP8HeadUse(node: head.site, scales: scales, note: "output head is a `\(c.name)` whose forward runs FP8"))
                }
            }
            // Invocations from model code first, those inside the FP8 functions themselves last.
            let invoked = invocations.map(\.1.node)
            let inner = uses.filter { use in invoked.contains { isInside(use.node, $0) } }
            let outer = uses.filter { use in !invoked.contains { isInside(use.node, $0) } }
            return outer + inner + torchaoHeadUses + transformerEngineHeadUses
        }
    }

    /// Assignments that switch an object built elsewhere to class `c` (`model.lm_head.__class__ = FP8Head`), in code
    /// that may run, with the object switched.
    func classSwaps(to c: Class) -> [(object: Node, site: Node)] {
        nodes(ofType: "assignment").compactMap { assignment in
            guard let left = assignment.child(byField: "left"), left.type == "attribute",
                  left.child(byField: "attribute")?.text == "__class__", let object = left.child(byField: "object"),
                  let right = assignment.child(byField: "right").map(unwrapped), right.type == "identifier", right.text == c.name,
                  !isLocallyBound(right), boundClass(named: right.text)?.node == c.node, mayRun(assignment)
            else { return nil }
            return (object, assignment)
        }
    }

    /// A `self.<flag>` attribute a guard tests: by its truth, against None (`againstNone`: `self.scales is not None`),
    /// or against string modes (`modes`: `self.precision == "fp8"`, `self.precision in ("fp8", "float8")`, see
    /// `comparedModes`), when it holds for a construction that gives the attribute one of them.
    typealias GuardFlag = (name: String, againstNone: Bool, modes: [String]?)

    /// `self.<flag>` attributes tested by the conditions around a node inside a method (`self.training` aside), each
    /// with how the test reads it (see `GuardFlag`).
    func guardFlags(_ node: Node, in method: Function) -> [GuardFlag] {
        var flags: [GuardFlag] = []
        for ancestor in ancestors(of: node) where isInside(ancestor, method.node) && ancestor != method.node {
            guard ancestor.type == "if_statement" || ancestor.type == "conditional_expression" else { continue }
            let condition = ancestor.type == "if_statement" ? ancestor.child(byField: "condition") : ancestor.namedChildren.dropFirst().first
            guard let condition, condition.parent?.type != "not_operator" else { continue }
            flags += conditionFlags(condition, depth: 0)
        }
        return flags
    }

    /// The `self.<flag>` attributes a condition reads; a method of the class it calls without arguments
    /// (`self._path() == "fp8"`) or a property it reads stands for the attributes of what it returns
    /// (`"fp8" if self.scales is not None and self.training else "bf16"`).
    private func conditionFlags(_ condition: Node, depth: Int) -> [GuardFlag] {
        var flags: [GuardFlag] = []
        for n in descendants(of: condition) where n.type == "attribute" {
            guard let name = instanceAttribute(n), name != "training", n.parent?.type != "not_operator" else { continue }
            let read = n.parent.map { $0.type == "call" && $0.child(byField: "function") == n ? $0 : n } ?? n
            if depth < 3, let result = instanceMethodResult(read) {
                flags += conditionFlags(result, depth: depth + 1)
                continue
            }
            let test = n.parent.flatMap(noneTest)
            flags.append((name: name, againstNone: test.map { $0.subject == n && !$0.isNone } ?? false, modes: comparedModes(n)))
        }
        return flags
    }

    /// The strings an attribute is compared with where it is one side of an equality or the tested side of a
    /// membership: `self.precision == "fp8"` (either way round), `self.precision in ("fp8", "float8")`, each string
    /// a literal or a name set to one (see `string(of:)`). Nil for any other use, a negated test (`!=`, `not in`)
    /// included: it selects every other mode.
    func comparedModes(_ attribute: Node) -> [String]? {
        guard let comparison = attribute.parent, comparison.type == "comparison_operator" else { return nil }
        let operands = comparison.namedChildren.filter { $0.type != "comment" }
        let op = comparison.children.filter { !$0.isNamed }.map(\.type).joined(separator: " ")
        guard operands.count == 2, let index = operands.firstIndex(of: attribute) else { return nil }
        let other = unwrapped(operands[1 - index])
        if op == "==" { return string(of: other).map { [$0] } }
        guard op == "in", index == 0, ["tuple", "list", "set"].contains(other.type) else { return nil }
        let items = other.namedChildren.filter { $0.type != "comment" }
        let strings = items.compactMap { string(of: $0) }
        return !items.isEmpty && strings.count == items.count ? strings : nil
    }

    /// `x is None` / `x is not None` (either side): the tested expression, and whether the test is for None.
    func noneTest(_ comparison: Node) -> (subject: Node, isNone: Bool)? {
        guard comparison.type == "comparison_operator" else { return nil }
        let operands = comparison.namedChildren.filter { $0.type != "comment" }.map(unwrapped)
        let op = comparison.children.filter { !$0.isNamed }.map(\.type).joined(separator: " ")
        guard operands.count == 2, op == "is" || op == "is not", let index = operands.firstIndex(where: { $0.type == "none" }) else { return nil }
        return (operands[1 - index], op == "is")
    }

    /// Whether an expression is None in every run (true), in none (false: each of its origins is something else), or
    /// either (nil: origins of both kinds, or none found).
    func isNone(_ node: Node) -> Bool? {
        let found = origins(of: node).map(unwrapped)
        guard !found.isEmpty else { return nil }
        if found.allSatisfy({ $0.type == "none" }) { return true }
        return found.contains { $0.type == "none" } ? nil : false
    }

    /// Constructions of a class assigned to the output head: the call assigned (`site`) and the call that builds the
    /// object (`call`), the same one (also through a member holding the class) or the `cls(...)` a class method of the class returns (`CastedLinear.fp8(d, v,
    /// **scales)` with `return cls(d, v, matmul=...)`; its arguments are read through the class method's parameters).
    func headConstructions(of c: Class, _ model: ModelView) -> [(site: Node, call: CallSite)] {
        nodes(ofType: "assignment").compactMap { assignment -> (site: Node, call: CallSite)? in
            guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right"),
                  let call = constructorCall(unparenthesized(right)), isHeadReference(left, model) else { return nil }
            // Also a member holding the class (`self.lm_head = self.head_cls(...)` with `head_cls = FP8Linear`, see
            // `heldClassConstructions`).
            if call.callee == c.name || heldClassConstructions[call.node]?.contains(where: { $0.node == c.node }) == true { return (call.node, call) }
            guard call.receiver?.text == c.name, let factory = calledFunction(call), factory.decorators.contains("classmethod") else { return nil }
            let built = returnedValues(factory).map(unparenthesized).filter { $0.type == "call" && callSite($0).callee == "cls" }
            return built.count == 1 ? (call.node, callSite(built[0])) : nil
        }
    }

    /// The expressions an attribute `self.<name>` of a class takes for one construction: `__init__` assigns it
    /// from a parameter, which the construction passes (by keyword or position) or leaves at its default; a
    /// conditional on a parameter (`scales if use_fp8 else None`) gives the side the construction selects (itself when
    /// the construction's flag is not known).
    func attributeArguments(_ name: String, of c: Class, _ construction: CallSite?) -> [Node] {
        guard let initializer = initializer(of: c) else { return [] }
        var sources: [Node] = []
        for assignment in descendants(of: initializer.node) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right") else { continue }
            let targets = ["pattern_list", "tuple_pattern"].contains(left.type) ? left.namedChildren : [left]
            let values = targets.count > 1 && ["expression_list", "tuple"].contains(right.type) ? right.namedChildren : [right]
            for (index, target) in targets.enumerated() where instanceAttribute(target) == name && index < values.count {
                sources.append(values[index])
            }
        }
        var result: [Node] = []
        let parameters = initializer.passedParameters
        func resolve(_ source: Node, depth: Int) {
            // `scales if use_fp8 else None`: the side the construction's flag selects (both when it is not known).
            if source.type == "conditional_expression", depth < 3 {
                let parts = source.namedChildren.filter { $0.type != "comment" }
                guard parts.count == 3 else { result.append(source); return }
                var flag = unparenthesized(parts[1]), negated = false
                if flag.type == "not_operator", let inner = flag.child(byField: "argument") { flag = unparenthesized(inner); negated = true }
                var holds: Bool?
                if flag.type == "identifier", let index = parameters.firstIndex(of: flag.text), let construction,
                   let argument = construction.argument(flag.text, position: index) ?? parameterDefault(initializer, flag.text) {
                    let a = unparenthesized(argument)
                    holds = isTruthy(a) ? true : (a.type == "false" || a.type == "none" || evaluate(a) == 0) ? false : nil
                }
                // `None if scales is None else scales.as_tuple()`: whether the construction leaves the parameter None.
                if let test = noneTest(flag), test.subject.type == "identifier", let index = parameters.firstIndex(of: test.subject.text),
                   let construction, let argument = construction.argument(test.subject.text, position: index) ?? parameterDefault(initializer, test.subject.text),
                   let none = isNone(argument) {
                    holds = none == test.isNone
                }
                guard let h = holds else { result.append(source); return }  // undecided: the conditional itself
                resolve(h != negated ? parts[0] : parts[2], depth: depth + 1)
                return
            }
            // `matmul or MatmulPolicy.dense()`: what the construction passes, and the fallback.
            if source.type == "boolean_operator", source.child(byField: "operator")?.type == "or", depth < 3,
               let left = source.child(byField: "left"), let right = source.child(byField: "right") {
                resolve(unparenthesized(left), depth: depth + 1)
                resolve(unparenthesized(right), depth: depth + 1)
                return
            }
            guard source.type == "identifier", let index = parameters.firstIndex(of: source.text) else { result.append(source); return }
            if let construction, let argument = construction.argument(source.text, position: index) ?? splattedEntry(construction, key: source.text) {
                result.append(argument)
            } else if let value = parameterDefault(initializer, source.text) {
                result.append(value)
            } else if construction == nil {
                // Every construction of the class in the file.
                for call in calls where call.callee == c.name || heldClassConstructions[call.node]?.contains(where: { $0.node == c.node }) == true {
                    if let argument = call.argument(source.text, position: index) ?? splattedEntry(call, key: source.text) { result.append(argument) }
                }
            }
        }
        for source in sources { resolve(source, depth: 0) }
        return result
    }

    /// Numbers passed to an FP8 invocation (and, through wrappers, to the FP8 calls inside them): literals,
    /// constants, `self.<scale>` attributes of the enclosing class, `**asdict(config)` dataclass fields, and the
    /// fields spread by `*astuple(config)` (also through an attribute or a name set to it: `self.fp8_args =
    /// dataclasses.astuple(scales)` in `__init__`, then `fp8_mm(x, w, *self.fp8_args)`), or a sequence `__init__`
    /// computes from what the construction passes (`*self.fp8_scales` with `self.fp8_scales = tuple(2.0 ** e for e in
    /// fp8_log2_scales)`, see `computedScales`).
    func scaleValues(_ call: CallSite, _ target: Function, fp8: [Function], ops: [String: Function],
                     construction: (Class, CallSite)?, depth: Int) -> [Double] {
        guard depth < 4 else { return [] }
        var result: [Double] = []
        let owner = construction?.0 ?? enclosingClass(call.node)
        for argument in call.positional + Array(call.keywords.values) {
            if let owner, let name = instanceAttribute(argument) {
                for source in attributeArguments(name, of: owner, construction?.1) { result += values(of: source).map(\.double) }
            } else {
                result += values(of: argument).map(\.double)
            }
        }
        if let arguments = call.node.child(byField: "arguments") {
            for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
                guard let inner = splat.namedChild(0) else { continue }
                result += dataclassFieldValues(inner, owner: owner, construction: construction?.1, depth: 0)
            }
            // fp8_mm(x, w, *cfg.fp8_scales) with `fp8_scales = (2.0, 512.0, 2.0 ** 19)` set somewhere.
            for splat in arguments.namedChildren where splat.type == "list_splat" {
                guard let inner = splat.namedChild(0).map(unparenthesized) else { continue }
                // `*astuple(cfg)` spreads a dataclass's fields: kept with the tuples, read by `dataclassFieldValues`.
                let spread: (Node) -> Bool = { ["tuple", "list"].contains($0.type) || self.isAstupleCall($0) }
                var tuples = spread(inner) ? [inner] : []
                if tuples.isEmpty, let owner, let name = instanceAttribute(inner) {
                    // `*self.scales`, set in `__init__` from what the construction passes.
                    let sources = attributeArguments(name, of: owner, construction?.1).map(unparenthesized)
                    tuples = sources.filter(spread)
                    // Passed by a name or an entry that holds the tuple (`scales=cfg["fp8_scales"]`, `scales=FP8_SCALES`).
                    if tuples.isEmpty {
                        for source in sources where ["identifier", "attribute", "subscript"].contains(source.type) {
                            if let entry = keyedElement(source).map(unparenthesized), spread(entry) {
                                tuples.append(entry)
                            } else if let held = SettingsTable.bareName(of: source) {
                                tuples += allSettings.settings(held).map { unparenthesized($0.value) }.filter(spread)
                            }
                        }
                    }
                    // Computed there from what is passed (`tuple(2.0 ** e for e in log2_scales)`): the numbers it makes.
                    if tuples.isEmpty, let built = sources.lazy.map({ self.computedScales($0, of: owner, construction?.1) })
                        .first(where: { !$0.isEmpty }) {
                        result += built
                        continue
                    }
                }
                if tuples.isEmpty, let name = SettingsTable.bareName(of: inner) {
                    tuples = allSettings.settings(name).map { unparenthesized($0.value) }.filter(spread)
                }
                for tuple in tuples.prefix(1) {
                    if isAstupleCall(tuple) {
                        result += dataclassFieldValues(tuple, owner: owner, construction: construction?.1, depth: 0)
                        continue
                    }
                    for element in tuple.namedChildren { result += values(of: element).map(\.double) }
                }
            }
        }
        // A wrapper: the FP8 calls inside it.
        for n in descendants(of: target.node) where n.type == "call" && n != call.node {
            let inner = callSite(n)
            if let next = fp8Target(inner, fp8, ops), next.node != target.node {
                result += scaleValues(inner, next, fp8: fp8, ops: ops, construction: nil, depth: depth + 1)
            }
        }
        return result
    }

    /// The numbers of a sequence `__init__` computes from its parameters (`self.fp8_scales = tuple(2.0 ** e for e in
    /// fp8_log2_scales)` or `[2.0 ** e for e in exps]`), run by `ScriptInterpreter` with each parameter it reads bound to
    /// what the construction passes, or else to the parameter's default. Empty without a construction, or when the
    /// value does not compute to a tuple of numbers.
    func computedScales(_ source: Node, of owner: Class, _ construction: CallSite?) -> [Double] {
        guard let construction, let initializer = initializer(of: owner), !["tuple", "list"].contains(source.type) else { return [] }
        let read = Set(descendants(of: source).filter { $0.type == "identifier" }.map(\.text))
        let interpreter = ScriptInterpreter(self)
        var env: [String: ScriptValue] = [:]
        for (index, name) in initializer.passedParameters.enumerated() where read.contains(name) {
            guard let argument = construction.argument(name, position: index) ?? splattedEntry(construction, key: name)
                    ?? parameterDefault(initializer, name),
                  let value = interpreter.value(of: argument) else { return [] }
            env[name] = value
        }
        guard !env.isEmpty, case .tuple(let items)? = interpreter.value(of: source, env: env) else { return [] }
        let numbers = items.compactMap(\.number)
        return numbers.count == items.count ? numbers : []
    }

    /// Whether a call is `astuple(x)` / `dataclasses.astuple(x)`: a dataclass instance's fields as a tuple.
    func isAstupleCall(_ node: Node) -> Bool {
        node.type == "call" && callSite(node).name == "astuple" && callSite(node).positional.count == 1
    }

    /// Field values of the dataclass instance behind `asdict(x)`, `astuple(x)`, `vars(x)` or `x`, or the entries of a
    /// dictionary `x` is set to (`dict(x_s=2.0, ...)`, `{"x_s": 2.0}`, or one a helper returns). With the construction
    /// of `owner` the values are read for (`construction`), `self.<attribute>` and a parameter of `owner`'s `__init__`
    /// (`self.fp8_args = astuple(scales)`) are what that construction passes, or the parameter's default.
    /// What they give may itself be a name set to the dictionary or instance elsewhere (`fp8_scales=HEAD_FP8_SCALES`
    /// with `HEAD_FP8_SCALES = dict(x_s=2.0, w_s=2.0**9, grad_s=2.0**19)` at module level): its value is read.
    func dataclassFieldValues(_ node: Node, owner: Class?, construction: CallSite? = nil, depth: Int) -> [Double] {
        guard depth < 4 else { return [] }
        var node = unparenthesized(node)
        if node.type == "call", ["asdict", "astuple", "vars"].contains(callSite(node).name),
           let inner = callSite(node).positional.first {
            node = inner
        }
        var instances: [Node] = []
        if node.type == "call" {
            instances = [node]
        } else if let owner, let name = instanceAttribute(node) {
            instances = attributeArguments(name, of: owner, construction)
        } else if let owner, let construction, node.type == "identifier", let initializer = initializer(of: owner),
                  isInside(node, initializer.node), let index = initializer.passedParameters.firstIndex(of: node.text) {
            // A parameter of `__init__`: what the construction passes, or else its default.
            instances = [construction.argument(node.text, position: index) ?? splattedEntry(construction, key: node.text)
                         ?? parameterDefault(initializer, node.text)].compactMap { $0 }
        } else if let annotated = annotatedClass(ofParameter: node) {
            // A parameter typed with a dataclass of the file (`scales: FP8Scales`): the one instance the file makes
            // (with several, which one reaches the head is not followed).
            let made = calls(withCallee: annotated.name).map(\.node)
            instances = made.count == 1 ? made : []
        } else if let name = SettingsTable.bareName(of: node) {
            instances = allSettings.settings(name).map(\.value)
        }
        var result: [Double] = []
        for instance in instances {
            // A dictionary of the scales: `dict(x_s=2.0, w_s=512.0, grad_s=2.0 ** 19)` or a literal `{"x_s": 2.0, ...}`,
            // possibly built by a helper (`**scales_from(cfg)`).
            var table = unparenthesized(instance)
            // A name (or entry) set to the scales once, elsewhere: what the construction (or `__init__`'s default) hands
            // over is `HEAD_FP8_SCALES`, with `HEAD_FP8_SCALES = dict(x_s=2.0, ...)` at module level (see
            // `dictionaries`), or a name set to a dataclass instance (`SCALES = FP8Scales(...)`).
            if table.type == "identifier" || table.type == "attribute" {
                if let held = dictionaries(table).first {
                    table = held
                } else if let name = SettingsTable.bareName(of: table),
                          let built = allSettings.settings(name).map({ unparenthesized($0.value) }).first(where: { constructorCall($0) != nil }) {
                    table = built
                }
            }
            if table.type == "call", let returned = returnedDictionary(callSite(table)) { table = returned }
            if table.type == "dictionary" {
                for pair in table.namedChildren where pair.type == "pair" {
                    if let value = pair.child(byField: "value") { result += values(of: value).map(\.double) }
                }
                continue
            }
            if table.type == "call", callSite(table).callee == "dict" {
                for value in callSite(table).keywords.values { result += values(of: value).map(\.double) }
                continue
            }
            guard let call = constructorCall(table), let c = boundClass(named: call.callee),
                  let body = c.body else { continue }
            for statement in body.namedChildren {
                guard let expression = statement.namedChild(0), expression.type == "assignment",
                      let field = expression.child(byField: "left")?.text else { continue }
                let value = call.keywords[field] ?? expression.child(byField: "right")
                if let value { result += values(of: value).map(\.double) }
            }
        }
        return result
    }

    /// Whether a torchao configuration only emulates FP8: `Float8LinearConfig(..., emulate=True)`, written in place or
    /// held by a name set to it.
    func emulatesFloat8(_ config: Node, at use: Node) -> Bool {
        var value = unwrapped(config)
        if value.type == "identifier", let held = latestValue(of: value.text, before: use) ?? allSettings.settings(value.text).first?.value {
            value = unwrapped(held)
        }
        guard value.type == "call", callSite(value).name == "Float8LinearConfig", let emulate = callSite(value).keywords["emulate"] else { return false }
        return truth(of: emulate) == true
    }

    /// `convert_to_float8_training(model, module_filter_fn=...)` whose filter keeps the head (or no filter), unless its
    /// configuration only emulates FP8 (`Float8LinearConfig(emulate=True)`).
    var torchaoHeadUses: [FP8HeadUse] {
        memoized("torchaoHeadUses") {
            calls(named: "convert_to_float8_training").compactMap { call -> FP8HeadUse? in
                // `Float8LinearConfig(emulate=True)`: the casts are simulated in higher precision, no FP8 matmul runs.
                if let config = call.keywords["config"], emulatesFloat8(config, at: call.node) { return nil }
                guard let filter = call.argument("module_filter_fn", position: 2) else {
                    return FP8HeadUse(node: call.node, scales: [], note: "every linear layer, the head included, trained in FP8 (torchao)")
                }
                var bodies: [Node] = []
                if filter.type == "lambda" { bodies = [filter] }
                if let f = function(named: filter.text).first { bodies.append(f.node) }
                let keepsHead = bodies.contains { body in
                    descendants(of: body).contains { n in
                        if n.type == "comparison_operator", n.children.contains(where: { ["==", "in"].contains($0.type) }) {
                            return n.namedChildren.contains { foldedString($0)?.contains("head") == true }
                        }
                        if n.type == "call", ["endswith", "startswith"].contains(callSite(n).name) {
                            return callSite(n).positional.contains { foldedString($0)?.contains("head") == true }
                        }
                        return false
                    }
                }
                return keepsHead ? FP8HeadUse(node: call.node, scales: [], note: "output head converted to FP8 training (torchao)") : nil
            }
        }
    }
}
