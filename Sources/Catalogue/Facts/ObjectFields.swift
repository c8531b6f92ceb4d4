import TreeSitterKit

/// Configuration objects followed to where they are built, so that a field read through nested objects reads the
/// value that particular object holds: `oc.embed.lr` with `oc = self.optim_cfg`, `self.optim_cfg` given an
/// `OptimizerSettings()` whose `embed` field defaults to `field(default_factory=lambda: GroupSpec(lr=0.3))` reads
/// 0.3, not every `lr` the file sets.
extension PythonFacts {
    /// The expressions a name-like expression may stand for, followed to where they are set: a local to its latest
    /// value, a parameter to what its callers pass and its default, a module name set once to that value,
    /// a module name set several times by straight-line module code to its latest value, a module moved in place
    /// (`model.cuda()`, `model.to(device)`, `torch.compile(model)`) to that module,
    /// `self.<name>` to what the class's methods assign to it (also from a tuple, `self.lo, self.hi = lo, hi`), a
    /// field of an object to what the objects it may be hold for it (see `fieldExpression`), and `getattr(obj, "name",
    /// default)` to the field, or to the default when the object holds none (`getattr(torch, "bfloat16")`, on an imported
    /// module without a default, is its own origin). Anything else (a call,
    /// a literal, a class name, a dotted name of an imported module such as `torch.bfloat16`) is its own origin, except
    /// a class method called on its class (`Config.default()`) and a method called on an object the file builds
    /// (`plan.build(net)`), which stand for what they return (the object itself for a method returning `self`); an entry
    /// read by a string key (`optimizers["matrix"]`) stands for that entry of the dictionaries the container comes from,
    /// and a wrapper's `.module` for the module it wraps; `self.<name>` and `cls.<name>` that no method assigns read the
    /// class attribute (`dispatchedClassAttribute`); a name updated in place before the read (`V += -V % 128`) is its own
    /// origin.
    /// Empty when a step cannot be followed. A step that asks again for the origins of an expression whose origins are
    /// being followed (a field of an object that a parameter holds, whose callers pass that field's object) gets none
    /// for it: each hop bounds its own depth, and the questions such steps start anew would otherwise nest without end.
    public func origins(of node: Node) -> [Node] {
        if let known = originsMemo[node] { return known }
        originsMemo[node] = []
        var seen = Set<Node>()
        let found = origins(of: node, depth: 0, seen: &seen)
        originsMemo[node] = found
        return found
    }

    /// Whether some run of a function may leave its parameter at the default: unless the function is a plain function
    /// of the module every call of which (self-checks aside) passes the parameter, by position or keyword, without
    /// unpacking (`set_mixed_precision(model, activation_dtype=torch.bfloat16)` as its only training call).
    func mayTakeDefault(_ parameter: String, of function: Function) -> Bool {
        guard enclosingClass(function.node) == nil, function.passedOffset == 0, let index = function.parameters.firstIndex(of: parameter),
              (identifiersByName[function.name] ?? []).allSatisfy({ use in
                  use.parent?.type == "call" && use.parent?.child(byField: "function") == use
                      || (use.parent?.type == "function_definition" && use.parent?.child(byField: "name") == use)
              }) else { return true }
        let sites = outsideSelfChecks(calls(withCallee: function.name), at: \.node)
        return sites.isEmpty || sites.contains { $0.hasSplat || $0.argument(parameter, position: index) == nil }
    }

    /// The constructions of classes of the file (`Cfg(...)` calls, `cls(...)` in a class method, a factory of the file
    /// called with its choice, or a class named as a dataclass field's `default_factory`, built with no arguments; see
    /// `builtObject`) among an expression's origins.
    public func constructions(of node: Node) -> [Node] {
        origins(of: node).filter { origin in
            if origin.type == "call" { return builtObject(origin) != nil }
            return origin.type == "identifier" && boundClass(named: origin.text) != nil
        }
    }

    /// Each expression is followed once (`seen`), at most 12 hops from the read.
    private func origins(of node: Node, depth: Int, seen: inout Set<Node>) -> [Node] {
        let e = unwrapped(node)
        guard depth < 12, seen.insert(e).inserted else { return [] }
        switch e.type {
        case "identifier":
            if let function = parameterOwner(of: e) {
                var found = callerArguments(of: e).flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
                if let fallback = parameterDefault(function, e.text), mayTakeDefault(e.text, of: function) {
                    found += origins(of: fallback, depth: depth + 1, seen: &seen)
                }
                return found
            }
            // A name updated in place before the read (`V = 50257; V += -V % 128`) is computed here: its own origin.
            if straightLineUpdates[e.text] != nil, resolver.updatedInPlace(e.text, at: e) != nil { return [e] }
            if enclosingFunction(e) != nil, let value = latestValue(of: e.text, before: e) {
                return origins(of: value, depth: depth + 1, seen: &seen)
            }
            if boundClass(named: e.text) != nil { return [e] }
            // A module name set once (`CFG = TrainConfig(...)`).
            let values = moduleBindings(of: e.text)
            // Set several times by the module's straight-line code (`model = GPT(cfg)`, then `model =
            // prepare(model.cuda())`): a read outside loops holds the latest value before it.
            if values.count > 1, enclosingFunction(e) == nil, enclosingLoops(e).isEmpty, let value = latestValue(of: e.text, before: e) {
                return origins(of: value, depth: depth + 1, seen: &seen)
            }
            guard values.count == 1, let value = values[0].value else { return [] }
            return origins(of: value, depth: depth + 1, seen: &seen)
        case "attribute":
            guard let object = e.child(byField: "object"), let name = e.child(byField: "attribute")?.text else { return [] }
            if object.text == "self", let owner = enclosingClass(e) {
                // What the class's methods assign to `self.<name>`.
                let values = selfAssignedValues(name, in: owner)
                if !values.isEmpty { return values.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) } }
                // A field of a dataclass (or NamedTuple) without an `__init__` of its own (`scheduler: Scheduler` of a
                // `Trainer` built as `Trainer(cfg=cfg, scheduler=scheduler)`): what each construction gives it, or the
                // field's default (see `fieldExpression`), when every construction is read.
                if initializer(of: owner) == nil, annotatedFields(of: owner).contains(where: { $0.child(byField: "left")?.text == name }) {
                    let built = constructions(of: owner)
                    let given = built.compactMap { fieldExpression($0.node, name) }
                    if !built.isEmpty, given.count == built.count { return given.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) } }
                }
                // Else a class attribute (`activation_dtype = torch.bfloat16` in the class body or a base's; a mixin's of the
                // built class first, see `dispatchedClassAttribute`).
                if let attribute = dispatchedClassAttribute(name, in: owner) { return origins(of: attribute, depth: depth + 1, seen: &seen) }
                // Else what the subclasses the script builds set it to (`class TunedNet(Net): body_cls = Ortho`, read in
                // `Net.optimizers`): the class itself leaves it to them.
                return classes.filter { c in
                    c.node != owner.node && c.bases.contains { $0.lastDottedComponent == owner.name } && isBuiltByScript(c)
                }.compactMap { classAttribute(name, of: $0) }.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
            }
            // `cls.<name>` in a class method: the class attribute.
            if object.text == "cls", enclosingFunction(e)?.parameters.first == "cls", let owner = enclosingClass(e) {
                return classAttribute(name, of: owner).map { origins(of: $0, depth: depth + 1, seen: &seen) } ?? []
            }
            // `ActDType.BF16.value`: what the enumeration's class body gives the member.
            if name == "value", let member = enumerationMemberValue(object) { return origins(of: member, depth: depth + 1, seen: &seen) }
            // `NUMERICS.flow`: a property of an enumeration returning an element of the member's tuple value.
            if let element = enumerationMemberRead(e) { return origins(of: element, depth: depth + 1, seen: &seen) }
            // The module a wrapper holds (`model.module` of `DDP(model)`, `_orig_mod` of `torch.compile(model)`).
            if Self.wrappedModuleFields.contains(name) {
                let wrapped = origins(of: object, depth: depth + 1, seen: &seen).compactMap { held -> Node? in
                    let h = unwrapped(held)
                    guard h.type == "call", Self.moduleWrappers.contains(callSite(h).callee.lastDottedComponent) else { return nil }
                    return callSite(h).argument("module", position: 0) ?? callSite(h).argument("model", position: 0)
                }
                if !wrapped.isEmpty { return wrapped.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) } }
            }
            // A copy with some fields changed (`hp._replace(betas=b)`, `dataclasses.replace(hp, lr=x)`): the changed
            // value, else the copied object's field (see `FieldCopies`).
            if let fields = copiedField(e) { return fields.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) } }
            let holders = constructions(of: object)
            if holders.isEmpty {
                // An object of a class made by a call (`namedtuple`, `make_dataclass`; see `ContainerFields.madeField`).
                let made = origins(of: object).compactMap { ContainerFields.madeField($0, name, self) }
                if !made.isEmpty { return made.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) } }
                return imports.qualifiedName(of: e) != nil ? [e] : []
            }
            return holders.compactMap { fieldExpression($0, name) }.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
        case "call":
            let call = callSite(e)
            // A module moved or switched in place is the same object (`model.cuda()`, `model.to(device)`,
            // `model.train()`), and `torch.compile(model)` reads its fields through to it.
            if Self.sameObjectMethods.contains(call.name), let receiver = call.receiver, !call.hasSplat {
                return origins(of: receiver, depth: depth + 1, seen: &seen)
            }
            if call.callee == "torch.compile", let compiled = call.argument("model", position: 0) {
                return origins(of: compiled, depth: depth + 1, seen: &seen)
            }
            // A method of the file called on an object the file builds (`plan.build(net)` with `plan = Plan(...)`): what
            // it returns; the object itself for one that hands back its own instance (`Trainer(args, model).build()`,
            // `build` ending in `return self`).
            if let receiver = call.receiver, !call.hasSplat, let called = builtObjectMethods(call) {
                if called.allSatisfy(returnsOwnInstance) { return origins(of: receiver, depth: depth + 1, seen: &seen) }
                // A method returning the field its caller names (`def dtype_of(self, role): return getattr(self, role)`,
                // called `policy.dtype_of("embeddings")`): that field of the object.
                if let name = namedField(returnedBy: called, at: call) {
                    let holders = constructions(of: receiver)
                    let fields = holders.compactMap { fieldExpression($0, name) }
                    if !holders.isEmpty, fields.count == holders.count { return fields.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) } }
                }
                if called.allSatisfy({ !returnsOwnInstance($0) && !isPropertyGetter($0) }) {
                    let returned = called.flatMap(returnedValues)
                    if !returned.isEmpty { return returned.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) } }
                }
            }
            // A class method called on its class (`GPTConfig.default()`, returning `cls(vocab_size=...)`): what it returns.
            // (A factory whose return `builtObject` reads, `cls._registry[kind](**kw)`, is the construction itself.)
            if let owner = receiverClass(call), let found = method(call.name, of: owner), found.isClassLevel, builtObject(e) == nil {
                return returnedValues(found).flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
            }
            // `getattr(obj, "name", default)`: the field as the object holds it, else the default.
            guard call.callee == "getattr", call.positional.count >= 2, let name = SettingsTable.stringValue(call.positional[1]) else { return [e] }
            let object = unwrapped(call.positional[0])
            var held: [Node] = []
            if object.text == "self", let owner = enclosingClass(e) {
                held = selfAssignedValues(name, in: owner)
            } else {
                let holders = constructions(of: object)
                // `getattr(torch, "bfloat16")`: a name looked up on an imported module, with no default, is its own
                // origin (see `dtypeName`).
                if holders.isEmpty, call.positional.count == 2, imports.qualifiedName(of: object) != nil { return [e] }
                let fields = holders.compactMap { fieldExpression($0, name) }
                if !holders.isEmpty, fields.count == holders.count { held = fields }
            }
            if held.isEmpty, call.positional.count >= 3 { held = [call.positional[2]] }
            return held.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
        case "subscript":
            // An entry read by a string key from a dictionary the expression comes from (`optimizers["matrix"]` with
            // `optimizers` a parameter its callers give `dict(matrix=muon, ...)`, a method's returned dictionary, or the
            // one a module-level helper builds and returns, `groups = param_groups(model)`, see `returnedDictionary`).
            guard let container = e.child(byField: "value"), let key = e.child(byField: "subscript").flatMap(SettingsTable.stringValue) else { return [e] }
            let entries = origins(of: container, depth: depth + 1, seen: &seen).map(unwrapped).compactMap { origin -> Node? in
                let held = origin.type == "call" ? returnedDictionary(callSite(origin)) ?? origin : origin
                guard held.type == "dictionary" || (held.type == "call" && callSite(held).callee == "dict") else { return nil }
                return OptimizerUse.entry(key, in: held)
            }
            return entries.isEmpty ? [e] : entries.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
        default:
            return [e]
        }
    }

    /// For a call of methods that each return only `getattr(self, p)` with `p` one of their parameters, the string the
    /// call passes for `p` (`"embeddings"` in `policy.dtype_of("embeddings")`); nil otherwise.
    func namedField(returnedBy methods: [Function], at call: CallSite) -> String? {
        let names = methods.map { method -> String? in
            let returned = returnedValues(method)
            guard returned.count == 1, case let read = unwrapped(returned[0]), read.type == "call", case let lookup = callSite(read),
                  lookup.callee == "getattr", lookup.positional.count == 2, let instance = method.receiver,
                  unwrapped(lookup.positional[0]).text == instance, case let key = unwrapped(lookup.positional[1]), key.type == "identifier",
                  let index = method.passedParameters.firstIndex(of: key.text),
                  let argument = call.argument(key.text, position: index) else { return nil }
            return SettingsTable.stringValue(argument)
        }
        guard let first = names.first, let name = first, names.allSatisfy({ $0 == name }) else { return nil }
        return name
    }

    /// The methods a call `obj.name(...)` runs when `obj` comes from constructions of the file's classes (`plan.build(net)`
    /// with `plan = Plan(lr)`): the method each construction's class finds. Nil when the receiver is a class itself, when
    /// it does not come only from constructions, or when one of their classes has no such method.
    func builtObjectMethods(_ call: CallSite) -> [Function]? {
        guard let receiver = call.receiver, instanceMethodNames.contains(call.name), receiverClass(call) == nil,
              case let built = constructions(of: receiver), !built.isEmpty, built.allSatisfy({ unwrapped($0).type == "call" })
        else { return nil }
        let methods = built.compactMap { builtObject($0)?.owner }.map { method(call.name, of: $0) }
        guard methods.count == built.count, methods.allSatisfy({ $0 != nil }) else { return nil }
        var found: [Function] = []
        for m in methods.compactMap({ $0 }) where !found.contains(where: { $0.node == m.node }) { found.append(m) }
        return found
    }

    /// Names of the methods of the file's classes (a call `obj.name(...)` can only run one of these).
    var instanceMethodNames: Set<String> {
        memoized("instanceMethodNames") { Set(functions.filter { enclosingClass($0.node) != nil }.map(\.name)) }
    }

    /// Whether every `return` of a method gives its own instance (`return self`), and there is one.
    func returnsOwnInstance(_ method: Function) -> Bool {
        let me = method.receiver ?? "self"
        let returned = returnedValues(method)
        return !returned.isEmpty && returned.allSatisfy { unwrapped($0).type == "identifier" && unwrapped($0).text == me }
    }

    /// Fields through which a wrapper (see `moduleWrappers`) hands out the module it wraps.
    static let wrappedModuleFields: Set<String> = ["module", "_orig_mod"]

    /// Methods that hand back the module they are called on.
    static let sameObjectMethods: Set<String> = ["cuda", "cpu", "to", "train", "eval", "requires_grad_"]

    /// The values a class's methods assign to `self.<name>` (see `selfAssignments`, `setattrAssignments`), in document order.
    func selfAssignedValues(_ name: String, in owner: Class) -> [Node] {
        func collect() -> [String: [Node]] {
            var values: [String: [Node]] = [:]
            for node in descendants(of: owner.node) where node.type == "assignment" || node.type == "call" {
                if node.type == "call" {
                    for write in setattrAssignments(callSite(node)) { values[write.name, default: []].append(write.value) }
                    continue
                }
                for (field, value) in selfAssignments(node) { if let value { values[field, default: []].append(value) } }
            }
            return values
        }
        guard owner.node.tree === tree else { return collect()[name] ?? [] }
        return memoized("selfAssignedValues/\(owner.node.startByte)", collect)[name] ?? []
    }

    /// A field of `self` set by name: `setattr(self, "name", value)` (or a module registered as `self.add_module("name",
    /// module)`, see `namedFieldWrite`), or, in a loop over a table, `setattr(self, key, value)` once per key of the table
    /// (`for name, n in self.STACKS.items(): setattr(self, name, nn.Parameter(torch.empty(n, d, d)))` with `STACKS =
    /// {"qkv_w": 3}` sets `qkv_w`; also a `dict(qkv_w=3)` table). `entry` binds the loop's value variable to that key's
    /// entry (`n` is the `3` of `"qkv_w"`), for reading the value per key.
    public struct SetattrWrite {
        public let name: String
        public let value: Node
        public let entry: (variable: String, value: Node)?
    }

    public func setattrAssignments(_ call: CallSite) -> [SetattrWrite] {
        guard let (key, value) = namedFieldWrite(call) else { return [] }
        if let name = SettingsTable.stringValue(key) { return [SetattrWrite(name: name, value: value, entry: nil)] }
        // `for key in T`, `for key in T.keys()`, `for key, v in T.items()` around the call (see `loopedEntries`).
        return loopedEntries(key).compactMap { looped in
            looped.name.map { name in
                SetattrWrite(name: name, value: value, entry: looped.valueVariable.map { (variable: $0, value: looped.value) })
            }
        }
    }

    /// The name expression and the value of a field a call sets on `self` by name: `setattr(self, name, value)`, or a
    /// module registered as `self.add_module(name, module)` / `self.register_module(name, module)`. Nil for any other
    /// call.
    func namedFieldWrite(_ call: CallSite) -> (key: Node, value: Node)? {
        guard !call.hasSplat else { return nil }
        if call.callee == "setattr", call.positional.count == 3, call.positional[0].type == "identifier", call.positional[0].text == "self" {
            return (unwrapped(call.positional[1]), call.positional[2])
        }
        guard ["add_module", "register_module"].contains(call.name), call.positional.count == 2,
              let receiver = call.receiver, receiver.type == "identifier", receiver.text == "self" else { return nil }
        return (unwrapped(call.positional[0]), call.positional[1])
    }

    /// A module or field a class sets on itself by name in its methods (see `namedFieldWrite`), with the name when it is
    /// decided (see `setattrAssignments`), else nil: a name computed at run time (`self.add_module(kind,
    /// BRANCHES[kind](cfg))` in a loop over a layout the code parses).
    public struct RegisteredField {
        public let name: String?
        public let value: Node
    }

    /// The fields a class sets on itself by name (`setattr`, `add_module`; see `RegisteredField`), in document order.
    public func registeredFields(in owner: Class) -> [RegisteredField] {
        func collect() -> [RegisteredField] {
            var fields: [RegisteredField] = []
            for call in calls where isInside(call.node, owner.node) {
                guard let write = namedFieldWrite(call) else { continue }
                let named = setattrAssignments(call)
                if named.isEmpty { fields.append(RegisteredField(name: nil, value: write.value)) }
                for field in named { fields.append(RegisteredField(name: field.name, value: field.value)) }
            }
            return fields
        }
        guard owner.node.tree === tree else { return collect() }
        return memoized("registeredFields/\(owner.node.startByte)", collect)
    }

    /// The attributes of `self` an assignment sets, each with its value (nil when unpacked from one value):
    /// `self.x = v`, `self.lo, self.hi = lo, hi`.
    func selfAssignments(_ assignment: Node) -> [(name: String, value: Node?)] {
        guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right") else { return [] }
        func attribute(_ target: Node) -> String? {
            target.type == "attribute" && target.child(byField: "object")?.text == "self" ? target.child(byField: "attribute")?.text : nil
        }
        if let name = attribute(left) { return [(name, right)] }
        guard ["pattern_list", "tuple_pattern"].contains(left.type) else { return [] }
        let targets = left.namedChildren
        let values = ["expression_list", "tuple"].contains(right.type) ? right.namedChildren : []
        return targets.enumerated().compactMap { index, target in
            attribute(target).map { ($0, values.count == targets.count ? values[index] : nil) }
        }
    }

    /// The expression a construction gives its field `name`: the argument passed for it (by keyword, or by position
    /// in the order of a dataclass's fields or of `__init__`'s parameters), else the class's default for it (a
    /// `default_factory` lambda's body, `field(default=...)`'s value, or the field's own default), else a plain class
    /// attribute of that name (`loss_dtype = torch.float32`, see `classAttribute`). Nil when the class has no such
    /// field. `cls(...)` in a class method builds the class.
    public func fieldExpression(_ construction: Node, _ name: String) -> Node? {
        // A class named as a default factory stands for an instance built with no arguments.
        guard let built = builtObject(construction), built.factoryCall != nil || built.call?.hasSplat != true else { return nil }
        let owner = built.owner
        if let initializer = initializer(of: owner) {
            var arguments: [String: Node] = [:]
            for (index, parameter) in initializer.passedParameters.enumerated() {
                if let given = initArgument(of: built, parameter, position: index) { arguments[parameter] = given }
            }
            return initializedField(owner, name, arguments: arguments) ?? classAttribute(name, of: owner)
        }
        let fields = annotatedFields(of: owner)
        guard let index = fields.firstIndex(where: { $0.child(byField: "left")?.text == name }) else { return classAttribute(name, of: owner) }
        if let given = initArgument(of: built, name, position: index) { return given }
        guard let fallback = fields[index].child(byField: "right").map(unwrapped) else { return nil }
        if fallback.type == "call", ContainerFields.specifierNames.contains(callSite(fallback).name),
           ContainerFields.specifiedDefault(callSite(fallback)) == nil, ContainerFields.specifiedFactory(callSite(fallback)) == nil { return nil }
        return unwrappedFieldDefault(fallback)
    }

    /// Annotated class-body fields, in order (a dataclass, a NamedTuple): their assignments (`rows: int`, `lr: float =
    /// 0.02`).
    func annotatedFields(of owner: Class) -> [Node] {
        (owner.body?.namedChildren ?? []).compactMap { statement -> Node? in
            guard statement.type == "expression_statement", let a = statement.namedChildren.first, a.type == "assignment",
                  a.child(byField: "type") != nil, a.child(byField: "left")?.type == "identifier" else { return nil }
            return a
        }
    }

    /// A field of a tuple-like class read on `self` (`self.rows` in a method of `class MatrixShape(NamedTuple)` with
    /// fields `rows: int`, `cols: int`, or of a dataclass with no `__init__` of its own): its place among the annotated
    /// fields and the constructions of the class (`MatrixShape(m, n)`, `cls(*t.shape)` in a class method), each of
    /// which fills that place. Nil for any other read, or when nothing in the file builds the class.
    public func positionalField(_ read: Node) -> (index: Int, constructions: [CallSite])? {
        guard read.type == "attribute", read.child(byField: "object")?.text == "self", let name = read.child(byField: "attribute")?.text,
              let owner = enclosingClass(read), initializer(of: owner) == nil,
              let index = annotatedFields(of: owner).firstIndex(where: { $0.child(byField: "left")?.text == name }) else { return nil }
        let built = calls.filter { call in
            boundClass(named: call.callee)?.node == owner.node || classBuiltByCls(call.node)?.node == owner.node
        }
        return built.isEmpty ? nil : (index, built)
    }

    /// The value a field's default stands for: `field(default=v)` is `v` (also attrs' `attr.ib(default=v)` /
    /// `attrs.field(default=v)` and pydantic's `Field(default=v)` / `Field(v)`, see `ContainerFields`),
    /// `field(default_factory=lambda: e)` (attrs: `factory=`) is `e`, `field(default_factory=Cls)` is `Cls` (an
    /// instance built with no arguments); anything else is itself.
    public func unwrappedFieldDefault(_ value: Node) -> Node {
        let value = unwrapped(value)
        guard value.type == "call", ContainerFields.specifierNames.contains(callSite(value).name) else { return value }
        let options = callSite(value)
        if let fallback = ContainerFields.specifiedDefault(options) { return fallback }
        guard let factory = ContainerFields.specifiedFactory(options).map(unwrapped) else { return value }
        return factory.type == "lambda" ? factory.child(byField: "body") ?? factory : factory
    }
}

/// An object of a class of the file as one construction builds it (see `PythonFacts.builtObject`).
public struct BuiltObject {
    public let owner: PythonFacts.Class
    /// The call whose arguments `__init__` takes: the construction (`Cls(...)`), or the construction inside a factory
    /// (`cls._registry[kind](**kw)`); nil for a class named as a default factory, built with no arguments.
    public let call: CallSite?
    /// For a construction inside a factory: the factory call (`ScheduleFactory.create("attn_window", total=n)`) and
    /// the factory, through which the construction's arguments are read.
    let factoryCall: CallSite?
    let factory: PythonFacts.Function?
}

/// Objects built by factories, their fields, and the methods called on them.
extension PythonFacts {
    /// The object a construction builds: `Cls(...)`; a class named as a dataclass field's `default_factory`; or a call
    /// of a factory of the file (a function, or a static or class method called on its class:
    /// `ScheduleFactory.create("attn_window", total_steps=n)`) whose `return` taken for that call builds the object, as
    /// `Cls(...)`, as `cls(...)` in a class method (`Config.default()`), or as `table[kind](...)` over a dictionary of
    /// classes (`cls._registry`, a module dictionary) with `kind` given by the call. Returns under `if kind == "...":` are taken or passed over by what the call gives
    /// `kind`; a condition that cannot be judged leaves the object unknown (nil).
    public func builtObject(_ construction: Node) -> BuiltObject? {
        let node = unwrapped(construction)
        if node.type == "identifier" {
            return boundClass(named: node.text).map { BuiltObject(owner: $0, call: nil, factoryCall: nil, factory: nil) }
        }
        guard node.type == "call" else { return nil }
        let call = callSite(node)
        if let owner = boundClass(named: call.callee) ?? classBuiltByCls(node) {
            return BuiltObject(owner: owner, call: call, factoryCall: nil, factory: nil)
        }
        guard let factory = factoryFunction(call), let body = factory.body else { return nil }
        // The return the call takes: the first one the conditions around it do not pass over.
        var taken: Node?
        for statement in descendants(of: body) where statement.type == "return_statement" && enclosingFunction(statement)?.node == factory.node {
            guard let reached = branchTaken(statement, in: factory, call: call) else { return nil }
            if reached {
                taken = statement
                break
            }
        }
        guard let built = taken?.namedChild(0).map(unwrapped), built.type == "call",
              let function = callSite(built).function.map(unwrapped) else { return nil }
        var owner: Class?
        if function.type == "identifier", function.text == "cls" {
            // `cls(...)` in a class method builds the class it is called on (`Config.default()`).
            let named = call.function.flatMap { $0.child(byField: "object") }.flatMap { boundClass(named: $0.text) }
            owner = named ?? enclosingClass(factory.node)
        } else if function.type == "identifier" {
            owner = boundClass(named: function.text)
        } else if function.type == "subscript" {
            owner = registryClass(function, in: factory, call: call)
        }
        return owner.map { BuiltObject(owner: $0, call: callSite(built), factoryCall: call, factory: factory) }
    }

    /// The classes of the file a call may build: the class its callee names (`CastedLinear(d, d)`), or the classes a
    /// callee that holds a class stands for, followed by `origins`: a class attribute or field (`self.linear_cls(d, d)`
    /// with `linear_cls = CastedLinear` in the class body or a base's, `cls.block_cls(cfg)`), a parameter (`attn_cls(config)`
    /// with `attn_cls=LowPrecisionAttention` as its default or what the callers pass), a local or module name set to a
    /// class (`model_cls = GPTv2`, then `model_cls(cfg)`). Empty when the callee may hold anything but classes of the
    /// file (a module, a function, a value left undecided such as `A if flag else B`).
    public func constructedClasses(_ call: CallSite) -> [Class] {
        guard let function = call.function.map(unwrapped) else { return [] }
        if function.type == "identifier", let named = boundClass(named: function.text), !isLocallyBound(function) { return [named] }
        // Only a bare name or a member of the instance or class may hold a class (`self.head(x)` holds a module).
        let holder = function.type == "identifier"
            || (function.type == "attribute" && ["self", "cls"].contains(function.child(byField: "object")?.text ?? ""))
        guard holder else { return [] }
        let found = origins(of: function)
        var owners: [Class] = []
        for origin in found {
            guard origin.type == "identifier", let c = boundClass(named: origin.text) else { return [] }
            if !owners.contains(where: { $0.node == c.node }) { owners.append(c) }
        }
        return owners
    }

    /// The names that may hold a class of the file: targets of assignments whose value names one (`body_opt_cls =
    /// BlockwiseNesterov` in a class body, `self.head_cls = FP8Head`, `model_cls = GPTv2`; the last part of a dotted
    /// target), parameters defaulting to one (`def build(opt_cls=Muon)`), and keywords passing one (`Trainer(opt_cls=Muon)`).
    var classHoldingNames: Set<String> {
        memoized("classHoldingNames") {
            let own = Set(classes.map(\.name))
            var names: Set<String> = []
            for node in nodes(ofType: ["assignment", "default_parameter", "typed_default_parameter", "keyword_argument"]) {
                let (target, value): (Node?, Node?) = node.type == "assignment"
                    ? (node.child(byField: "left"), node.child(byField: "right"))
                    : (node.child(byField: "name"), node.child(byField: "value"))
                guard let target, let value = value.map(unwrapped), value.type == "identifier", own.contains(value.text) else { continue }
                if target.type == "identifier" { names.insert(target.text) }
                if target.type == "attribute", let last = target.child(byField: "attribute") { names.insert(last.text) }
            }
            return names
        }
    }

    /// Calls through a name or member that holds a class of the file (see `classHoldingNames`: `self.body_opt_cls(params,
    /// lr=...)`), each with the classes it may build (see `constructedClasses`), keyed by the call node. A call made in a
    /// class that the script never builds, nor any class derived from it, is left out: its methods never run.
    public var heldClassConstructions: [Node: [Class]] {
        memoized("heldClassConstructions") {
            let holding = classHoldingNames
            guard !holding.isEmpty else { return [:] }
            let own = Set(classes.map(\.name))
            var found: [Node: [Class]] = [:]
            for call in calls where !own.contains(call.name) && holding.contains(call.name) {
                guard enclosingClass(call.node).map(isBuiltByScript) ?? true else { continue }
                let built = constructedClasses(call)
                if !built.isEmpty { found[call.node] = built }
            }
            return found
        }
    }

    /// Whether the script builds an object of a class of the file or of a class derived from it (by name, through bases
    /// of the file, at most four levels down): a class nothing builds runs none of its methods.
    public func isBuiltByScript(_ owner: Class) -> Bool {
        memoized("isBuiltByScript:\(owner.name)") {
            var names: Set<String> = [owner.name]
            var frontier: Set<String> = [owner.name]
            for _ in 0..<4 where !frontier.isEmpty {
                frontier = Set(classes.filter { c in !names.contains(c.name) && c.bases.contains { frontier.contains($0.lastDottedComponent) } }.map(\.name))
                names.formUnion(frontier)
            }
            return calls.contains { names.contains($0.name) && $0.receiver == nil }
        }
    }

    /// What a construction gives the `__init__` parameter `name` (by keyword, or at `position` among the parameters a
    /// call fills). Through a factory: an argument that is a parameter of the factory is what the factory call gives
    /// it (or its default), and the factory's `**kw` passed on gives the factory call's keywords.
    public func initArgument(of built: BuiltObject, _ name: String, position: Int) -> Node? {
        guard let call = built.call else { return nil }
        guard let factoryCall = built.factoryCall, let factory = built.factory else { return call.argument(name, position: position) }
        if let given = call.argument(name, position: position) {
            let value = unwrapped(given)
            guard value.type == "identifier", factory.passedParameters.contains(value.text) else { return given }
            return boundArgument(value.text, of: factory, at: factoryCall)
        }
        let keywords = factory.node.child(byField: "parameters")?.namedChildren
            .first { $0.type == "dictionary_splat_pattern" }?.namedChildren.first?.text
        let spread = call.node.child(byField: "arguments")?.namedChildren.contains { argument in
            argument.type == "dictionary_splat" && argument.namedChildren.first?.text == keywords
        } ?? false
        return keywords != nil && spread ? factoryCall.keywords[name] : nil
    }

    /// What `__init__` of `owner` (own or inherited) gives field `name`, its parameters bound to `arguments` (by
    /// name): `self.<name> = <parameter>` is the argument (else the parameter's default), another value is itself
    /// (also from a tuple, `self.lo, self.hi = lo, hi`); a field a base class's `__init__` sets, called from this one
    /// (`super().__init__(total)`, `Base.__init__(self, total)`), is read there with that call's arguments. Nil when
    /// no `__init__` on the way sets the field.
    func initializedField(_ owner: Class, _ name: String, arguments: [String: Node], depth: Int = 0) -> Node? {
        guard depth < 4, let own = initializer(of: owner) else { return nil }
        let parameters = own.passedParameters
        func bound(_ value: Node?) -> Node? {
            guard let value else { return nil }
            let v = unwrapped(value)
            guard v.type == "identifier", parameters.contains(v.text) else { return value }
            return arguments[v.text] ?? parameterDefault(own, v.text)
        }
        for a in descendants(of: own.node) where a.type == "assignment" {
            for (field, assigned) in selfAssignments(a) where field == name {
                return bound(assigned)
            }
        }
        guard let defining = enclosingClass(own.node) else { return nil }
        for n in descendants(of: own.node) where n.type == "call" {
            let call = callSite(n)
            guard call.name == "__init__", let receiver = call.receiver.map(unwrapped) else { continue }
            // `Base.__init__(self, x)` names the base and passes `self`; `super().__init__(x)` runs the next one.
            let named = receiver.type == "identifier" ? baseClass(named: receiver.text, of: defining) : nil
            let viaSuper = receiver.type == "call" && callSite(receiver).callee == "super"
            guard let base = named ?? (viaSuper ? lineage(of: defining).dropFirst().first : nil),
                  let baseInitializer = initializer(of: base) else { continue }
            let passed = named != nil ? Array(call.positional.dropFirst()) : call.positional
            var inner: [String: Node] = [:]
            for (index, parameter) in baseInitializer.passedParameters.enumerated() {
                if let given = bound(call.keywords[parameter] ?? (index < passed.count ? passed[index] : nil)) { inner[parameter] = given }
            }
            return initializedField(base, name, arguments: inner, depth: depth + 1)
        }
        return nil
    }

    /// The numbers the fields of an object hold once `construction` builds it (see `fieldExpression`; a field the
    /// class body sets is read there), as bindings of `self.<field>` for reading its class's methods: `SoftCap(30.0)`
    /// with `self.cap = cap` binds `self.cap` to 30. Only the fields the class's methods (own and inherited) read; a
    /// field computed in `__init__` (`self.cap = float(cap)`) is read with `__init__`'s parameters bound to what the
    /// construction passes. A read-only property they read (`@property def cooldown_start(self): return
    /// self.total_steps - self.cooldown_steps`) is its expression with those fields bound.
    public func fieldBindings(of construction: Node) -> [String: Double] {
        memoized("fieldBindings/\(construction.startByte)/\(construction.endByte)") {
            guard let built = builtObject(construction) else { return [:] }
            var parameters: [String: Double] = [:]
            if let initializer = initializer(of: built.owner) {
                for (index, parameter) in initializer.passedParameters.enumerated() {
                    guard let given = initArgument(of: built, parameter, position: index) ?? parameterDefault(initializer, parameter),
                          let value = evaluate(given) else { continue }
                    parameters[parameter] = value
                }
            }
            var result: [String: Double] = [:]
            let read = Set(lineage(of: built.owner).flatMap { attributesRead(by: $0) })
            for name in read {
                guard let expression = fieldExpression(construction, name) ?? classAttribute(name, of: built.owner),
                      let value = evaluate(expression, bindings: parameters) else { continue }
                result["self.\(name)"] = value
            }
            for name in read.sorted() where result["self.\(name)"] == nil {
                guard let getter = method(name, of: built.owner),
                      getter.decorators.contains(where: { ["property", "cached_property", "functools.cached_property"].contains($0) }),
                      case let returned = returnedValues(getter), returned.count == 1,
                      let value = evaluate(returned[0], bindings: result) else { continue }
                result["self.\(name)"] = value
            }
            return result
        }
    }

    /// The objects of the file's classes a call runs a method of, each with that method: for `obj.m(x)` the method `m`
    /// of what `obj` holds, for `obj(x)` its class's `__call__` or `forward` (`self.logit_cap(z)` with `logit_cap =
    /// SoftCap(30.0)` runs `SoftCap.__call__` on that object; `self.window_schedule(step)` runs the `__call__` of what
    /// the trainer was handed, maybe made by a factory). The objects are the constructions among the origins of the
    /// called object (see `constructions(of:)`). Empty for a call on `self` or `cls`, a call of a class or of a
    /// function of the file, a library call, or an object the file does not build.
    public func objectCalls(_ call: CallSite) -> [(construction: Node, method: Function)] {
        memoized("objectCalls/\(call.node.startByte)/\(call.node.endByte)") {
            guard let function = call.function.map(unwrapped), function.type == "identifier" || function.type == "attribute" else { return [] }
            // A dotted name of an imported module (`F.relu`) has no receiver.
            if function.type == "attribute", call.receiver == nil { return [] }
            if function.type == "identifier", boundClass(named: function.text) != nil || calledFunction(call) != nil { return [] }
            var result: [(construction: Node, method: Function)] = []
            if function.type == "attribute", let object = function.child(byField: "object"), !["self", "cls"].contains(object.text) {
                for construction in constructions(of: object) {
                    guard let owner = builtObject(construction)?.owner, let m = method(call.name, of: owner) else { continue }
                    result.append((construction, m))
                }
                if !result.isEmpty { return result }
            }
            for construction in constructions(of: function) {
                guard let owner = builtObject(construction)?.owner, let m = forwardMethods(of: owner).first else { continue }
                result.append((construction, m))
            }
            return result
        }
    }

    /// The objects the file builds whose method around `node` a loop runs: a call inside a `for` or `while` loop of a
    /// method on an object the file builds (see `objectCalls`) that is the method around `node` or reaches it (see
    /// `reachableFunctions`), as the objects' constructions, once each, in document order. These are the readings of a
    /// scheduler-like helper stepped once per iteration, each with its own fields (`group[self.key] = self.get_value()`
    /// in `ParamGroupRamp.step`, read for `ramp = ParamGroupRamp(muon, "momentum", 0.85, 0.95, 300)` stepped as
    /// `ramp.step()` in the training loop; see `fieldExpression`, `fieldBindings(of:)`). A call on `self` (the
    /// `self.step()` of `__init__`) is no such loop. Empty outside a method of a class, or when no loop runs it.
    public func objectsSteppedInLoops(running node: Node) -> [Node] {
        guard let function = enclosingFunction(node), enclosingClass(function.node) != nil else { return [] }
        var result: [Node] = []
        for stepped in loopObjectCalls where stepped.reached.contains(function.node) && !result.contains(stepped.construction) {
            result.append(stepped.construction)
        }
        return result
    }

    /// The calls inside `for` and `while` loops of methods on objects the file builds (see `objectCalls`), each as the
    /// object's construction and the functions the call runs (the method and what it reaches, see
    /// `reachableFunctions`), in document order; computed once per file for `objectsSteppedInLoops`.
    private var loopObjectCalls: [(construction: Node, reached: Set<Node>)] {
        memoized("loopObjectCalls") {
            var result: [(construction: Node, reached: Set<Node>)] = []
            for call in calls where ancestors(of: call.node).contains(where: { $0.type == "for_statement" || $0.type == "while_statement" }) {
                for (construction, method) in objectCalls(call) {
                    result.append((construction, Set(reachableFunctions(from: method).map(\.node))))
                }
            }
            return result
        }
    }

    /// Whether an expression holds an object of `owner` or of a subclass: a construction of one of those classes, `self`
    /// (the method's receiver) in one of them, a call of a method of `owner` that hands its object back (`return self`)
    /// made on such an object (a fluent chain, `Builder(m).with_lr(x).with_ratio(0.1)`), or a name the data flow finds
    /// holding one.
    public func holdsInstance(_ expression: Node, of owner: Class, depth: Int = 0) -> Bool {
        func inherits(_ c: Class) -> Bool { lineage(of: c).contains { $0.node == owner.node } }
        let node = unwrapped(expression)
        guard depth < 16 else { return false }
        if node.type == "call" {
            let call = callSite(node)
            if let c = boundClass(named: call.callee) ?? classBuiltByCls(node) { return inherits(c) }
            guard call.function?.type == "attribute", let inner = call.receiver, let m = method(call.name, of: owner),
                  let receiver = m.receiver, case let returned = returnedValues(m), !returned.isEmpty,
                  returned.allSatisfy({ unwrapped($0).type == "identifier" && unwrapped($0).text == receiver }) else { return false }
            return holdsInstance(inner, of: owner, depth: depth + 1)
        }
        if node.type == "identifier", let function = enclosingFunction(node), function.receiver == node.text {
            return enclosingClass(function.node).map(inherits) == true
        }
        guard node.type == "identifier" || node.type == "attribute" else { return false }
        return dataflow.instanceClasses(of: node).contains { boundClass(named: $0).map(inherits) == true }
    }

    /// The function of the file a call runs as a factory: a function or a method on `self` (`calledFunction`), or a
    /// static or class method called on its class (`ScheduleFactory.create(...)`, `cls.create(...)`).
    func factoryFunction(_ call: CallSite) -> Function? {
        if let f = calledFunction(call) { return f }
        guard let function = call.function, function.type == "attribute",
              let object = function.child(byField: "object"), object.type == "identifier" else { return nil }
        let owner = object.text == "cls" ? enclosingClass(call.node) : boundClass(named: object.text)
        return owner.flatMap { method(call.name, of: $0) }
    }

    /// Whether a statement of a factory runs for a call, by the `if` / `elif` conditions around it that compare a
    /// parameter with strings (see `parameterTest`): false when one fails (wherever it stands, an outer test that
    /// cannot be judged does not hide it), else nil when one cannot be judged, true otherwise (an `else` counts as
    /// reached: the returns before it are judged first).
    func branchTaken(_ statement: Node, in factory: Function, call: CallSite) -> Bool? {
        branchTaken(statement, in: factory) { name in
            self.boundArgument(name, of: factory, at: call).flatMap { SettingsTable.stringValue(self.unwrapped($0)) ?? self.decidedString($0) }
        }
    }

    /// `branchTaken(_:in:call:)` with the strings the factory's parameters hold given by name (`given`).
    func branchTaken(_ statement: Node, in factory: Function, given: (String) -> String?) -> Bool? {
        var child = statement
        var undecided = false
        for ancestor in ancestors(of: statement) {
            if ancestor == factory.node { break }
            if ancestor.type == "if_statement" || ancestor.type == "elif_clause", ancestor.child(byField: "consequence") == child,
               let condition = ancestor.child(byField: "condition") {
                switch parameterTest(condition, in: factory, given: given) {
                case false?: return false
                case nil: undecided = true
                case true?: break
                }
            }
            child = ancestor
        }
        return undecided ? nil : true
    }

    /// Whether one call of a factory, giving its parameters the strings `given` has for them, reaches a construction in
    /// it: the conditions around the construction hold (`branchTaken`), and no `return` of the factory before it is
    /// taken outside a loop (`if role == "matrix": return Muon(...)` keeps the Adam after it from the "matrix" call). Nil
    /// when a condition on the way cannot be judged.
    public func reaches(_ construction: Node, in factory: Function, given: (String) -> String?) -> Bool? {
        guard let own = branchTaken(construction, in: factory, given: given) else { return nil }
        if !own { return false }
        for statement in descendants(of: factory.node) where statement.type == "return_statement" && statement.endByte <= construction.startByte
            && enclosingFunction(statement)?.node == factory.node && enclosingLoops(statement).isEmpty {
            guard let taken = branchTaken(statement, in: factory, given: given) else { return nil }
            if taken { return false }
        }
        return true
    }

    /// `kind == "x"`, `"x" == kind`, `kind != "x"`, `kind in ("x", "y")` for a parameter `kind` of the factory: whether
    /// it holds for the string `given` has for it; nil for any other condition, a parameter with no string, or one the
    /// factory assigns again (then the test may not read what the call passed).
    func parameterTest(_ condition: Node, in factory: Function, given: (String) -> String?) -> Bool? {
        let c = unwrapped(condition)
        guard c.type == "comparison_operator" else { return truth(of: c) }
        let operands = c.namedChildren.filter { $0.type != "comment" }.map(unwrapped)
        let operators = c.children.filter { !$0.isNamed }.map(\.type)
        // A test that is no test of a factory parameter: decided when the configuration decides it (`s["name"] ==
        // "linear_with_floor"` with `s` an entry of the configuration dictionary every call hands over).
        guard operands.count == 2, operators.count == 1,
              let index = operands.firstIndex(where: { $0.type == "identifier" && factory.passedParameters.contains($0.text) }),
              !isReassigned(operands[index].text, in: factory), let given = given(operands[index].text) else {
            return originsTest(operands: operands, operators: operators) ?? truth(of: c)
        }
        let other = operands[1 - index]
        switch operators[0] {
        case "==": return SettingsTable.stringValue(other).map { $0 == given }
        case "!=": return SettingsTable.stringValue(other).map { $0 != given }
        case "in":
            guard index == 0, ["tuple", "list", "set"].contains(other.type) else { return nil }
            let options = other.namedChildren.compactMap { SettingsTable.stringValue($0) }
            return options.count == other.namedChildCount ? options.contains(given) : nil
        default:
            return nil
        }
    }

    /// `sched.name == SchedulerType.wsd` (or `!=`) with every origin of each side one and the same constant: a string
    /// written out, or an enumeration member of the file (by its string value when it has one; `sched` the
    /// configuration's `scheduler` field, built `SchedulerConfig(name=SchedulerType.wsd, ...)`, see `origins(of:)`).
    /// Decided where the global settings of a common field name (`name`) are not. Nil when a side has no single such
    /// origin.
    func originsTest(operands: [Node], operators: [String]) -> Bool? {
        guard operands.count == 2, operators.count == 1, operators[0] == "==" || operators[0] == "!=" else { return nil }
        // A member is read as its class-body value when that is a string (origins follow a member read to it too).
        func constant(_ origin: Node) -> String? {
            let o = unwrapped(origin)
            if let text = SettingsTable.stringValue(o) { return text }
            guard let value = enumerationMemberValue(o) else { return nil }
            return SettingsTable.stringValue(unwrapped(value)) ?? "member " + o.text
        }
        func side(_ node: Node) -> String? {
            if let direct = constant(node) { return direct }
            let found = origins(of: node).map(constant)
            guard let first = found.first, let value = first, found.allSatisfy({ $0 == value }) else { return nil }
            return value
        }
        guard let left = side(operands[0]), let right = side(operands[1]) else { return nil }
        return (left == right) == (operators[0] == "==")
    }

    /// The class `table[key]` picks in a factory: `table` a dictionary of classes that the factory's class body sets
    /// (`cls._registry`, `self._registry`, `Factory._registry`), that a module statement sets, or written in place
    /// (a literal or `dict(...)`); `key` a string, or a parameter the call gives one.
    func registryClass(_ read: Node, in factory: Function, call: CallSite) -> Class? {
        guard let table = read.child(byField: "value").map(unwrapped), let key = read.child(byField: "subscript").map(unwrapped) else { return nil }
        let chosen: String?
        if key.type == "identifier", factory.passedParameters.contains(key.text) {
            chosen = boundArgument(key.text, of: factory, at: call).flatMap { SettingsTable.stringValue(unwrapped($0)) ?? decidedString($0) }
        } else {
            chosen = SettingsTable.stringValue(key) ?? decidedString(key)
        }
        guard let chosen else { return nil }
        var dictionary: Node? = table
        if table.type == "attribute", let object = table.child(byField: "object"), let name = table.child(byField: "attribute")?.text {
            let owner = object.text == "self" || object.text == "cls" ? enclosingClass(factory.node) : boundClass(named: object.text)
            dictionary = owner.flatMap { classAttribute(name, of: $0) }
        } else if table.type == "identifier" {
            dictionary = moduleBindings(of: table.text).last?.value
        }
        guard let entries = dictionary.map(unwrapped) else { return nil }
        var entry: Node?
        if entries.type == "dictionary" {
            entry = entries.namedChildren.first { pair in
                pair.type == "pair" && pair.child(byField: "key").flatMap { SettingsTable.stringValue($0) } == chosen
            }?.child(byField: "value")
        } else if entries.type == "call", callSite(entries).callee == "dict" {
            entry = callSite(entries).keywords[chosen]
        }
        guard let value = entry.map(unwrapped), value.type == "identifier" else { return nil }
        return boundClass(named: value.text)
    }
}
