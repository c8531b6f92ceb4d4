import TreeSitterKit

/// The methods of each class of the file, indexed once: detectors ask "the `__init__` of this class", "its `step`",
/// "its `__call__`" many times per file, and each such question was a scan of every function.
///
/// A class's methods are the functions whose innermost enclosing class it is: its `def`s, and functions nested in
/// them (a helper defined inside `__init__`); the methods of a class nested in it belong to that class.
extension PythonFacts {
    private var methodsByClass: [Node: [Function]] {
        memoized("methodsByClass") {
            var index: [Node: [Function]] = [:]
            for function in functions {
                guard let owner = enclosingClass(function.node) else { continue }
                index[owner.node, default: []].append(function)
            }
            return index
        }
    }

    /// Module-level functions bound to a class after its definition (`GPT.configure_optimizers = configure_muon`,
    /// `Block.forward = block_forward`, at module level or in a patch function the file calls), per class: the class of that name defined last before the binding, the
    /// function of that name defined last before it; then the functions a class decorator of the file binds on the
    /// classes it decorates (`cls.forward = forward`, see `decoratorMethodBindings`).
    private var reboundMethods: [Node: [(name: String, function: Function, site: Int)]] {
        memoized("reboundMethods") {
            var index: [Node: [(name: String, function: Function, site: Int)]] = [:]
            let moduleFunctions = functions.filter { enclosingClass($0.node) == nil && enclosingFunction($0.node.parent ?? $0.node) == nil }
            // Module statements bind the class and the function of those names defined last before them. A module
            // function the file calls (named outside its definition; `mayRun` would ask for the forward methods, which
            // read these bindings) binds the module's class and function of those names, when it binds neither name
            // itself (`def apply_patches(model): Block.forward = _block_forward`).
            let patchers = moduleFunctions.filter { f in f.body != nil && isReferenced(f.name, outside: f.node) }
            let statements: [(statement: Node, inPatcher: Bool)] = root.namedChildren.map { ($0, false) }
                + patchers.flatMap { f in (f.body?.namedChildren ?? []).map { ($0, true) } }
            for (statement, inPatcher) in statements where statement.type == "expression_statement" {
                guard let assignment = statement.namedChildren.first, assignment.type == "assignment",
                      let left = assignment.child(byField: "left"), left.type == "attribute",
                      let object = left.child(byField: "object"), object.type == "identifier",
                      let right = assignment.child(byField: "right"), right.type == "identifier",
                      let name = left.child(byField: "attribute")?.text,
                      !inPatcher || !isLocallyBound(object) && !isLocallyBound(right) else { continue }
                func visible(_ definition: Node) -> Bool { inPatcher || definition.endByte <= statement.startByte }
                guard let owner = classes.last(where: { $0.name == object.text && visible($0.node) }),
                      let function = moduleFunctions.last(where: { $0.name == right.text && visible($0.node) })
                else { continue }
                index[owner.node, default: []].append((name, function, statement.startByte))
            }
            for (owner, bindings) in decoratorMethodBindings { index[owner, default: []] += bindings }
            return index
        }
    }

    /// Methods a class body binds again under another name (`__call__ = lr_at`, `forward = _forward`), per class: the
    /// alias and the method of that class body (a `def` directly in it, the last of that name before the binding).
    private var aliasedMethods: [Node: [(name: String, function: Function)]] {
        memoized("aliasedMethods") {
            var index: [Node: [(name: String, function: Function)]] = [:]
            for c in classes {
                guard let body = c.body else { continue }
                let own = (methodsByClass[c.node] ?? []).filter { f in
                    f.node.parent == body || (f.node.parent?.type == "decorated_definition" && f.node.parent?.parent == body)
                }
                for statement in body.namedChildren where statement.type == "expression_statement" {
                    guard let assignment = statement.namedChildren.first, assignment.type == "assignment",
                          let left = assignment.child(byField: "left"), left.type == "identifier",
                          let right = assignment.child(byField: "right"), right.type == "identifier",
                          let function = own.last(where: { $0.name == right.text && $0.node.endByte <= statement.startByte })
                    else { continue }
                    index[c.node, default: []].append((left.text, function))
                }
            }
            return index
        }
    }

    /// For a module-level function bound to a class after its definition, the class and the name it is bound under
    /// (the first binding in the file, when there are several).
    public func classBinding(of function: Node) -> (owner: Class, name: String)? {
        var found: (owner: Class, name: String, at: Int)?
        for c in classes {
            for binding in reboundMethods[c.node] ?? [] where binding.function.node == function {
                if found == nil || binding.site < found!.at { found = (c, binding.name, binding.site) }
            }
        }
        return found.map { ($0.owner, $0.name) }
    }

    /// For a module-level function bound as a method of a class the file imports (`GPT2Attention._attn = _patched_attn`,
    /// the library class patched in place), the name it is bound under; nil for functions bound to classes of the file
    /// (see `classBinding`) or not bound at all.
    public func libraryMethodBinding(of function: Node) -> String? {
        let bindings: [Node: String] = memoized("libraryMethodBindings") {
            var index: [Node: String] = [:]
            let moduleFunctions = functions.filter { enclosingClass($0.node) == nil && enclosingFunction($0.node.parent ?? $0.node) == nil }
            for statement in root.namedChildren where statement.type == "expression_statement" {
                guard let assignment = statement.namedChildren.first, assignment.type == "assignment",
                      let left = assignment.child(byField: "left"), left.type == "attribute",
                      let object = left.child(byField: "object"), ["identifier", "attribute"].contains(object.type),
                      imports.qualifiedName(of: object) != nil, boundClass(named: object.text) == nil,
                      let right = assignment.child(byField: "right"), right.type == "identifier",
                      let function = moduleFunctions.last(where: { $0.name == right.text && $0.node.endByte <= statement.startByte }),
                      let name = left.child(byField: "attribute")?.text, index[function.node] == nil
                else { continue }
                index[function.node] = name
            }
            return index
        }
        return bindings[function]
    }

    /// The name a function is bound under in a class: its own name, or the attribute a module-level binding gives
    /// it (`configure_muon` bound as `configure_optimizers`).
    public func boundName(of function: Function, in owner: Class) -> String {
        reboundMethods[owner.node]?.first { $0.function.node == function.node }?.name ?? function.name
    }

    /// Whether a method written in a class body never runs because the module binds another function to the class
    /// under its name after the definition (`Block.forward = _block_forward`, see `reboundMethods`; Python looks the
    /// method up on the class when it is called), and nothing keeps the original to call it: no read of the method
    /// through a name other than `self` (`plain = Block.forward`, `cls.forward` in a decorator that wraps it).
    public func isReplacedMethod(_ function: Function) -> Bool {
        guard let owner = enclosingClass(function.node), (methodsByClass[owner.node] ?? []).contains(where: { $0.node == function.node }),
              (reboundMethods[owner.node] ?? []).contains(where: { $0.name == function.name && $0.function.node != function.node })
        else { return false }
        return !nodes(ofType: ["attribute"]).contains { read in
            guard read.child(byField: "attribute")?.text == function.name, let object = read.child(byField: "object"),
                  object.type == "identifier", object.text != "self" else { return false }
            guard let parent = read.parent, parent.type == "assignment" else { return true }
            return parent.child(byField: "left") != read
        }
    }

    /// A class's methods, in document order, then the functions bound to it after its definition (see
    /// `reboundMethods`).
    public func methods(of owner: Class) -> [Function] {
        (methodsByClass[owner.node] ?? []) + (reboundMethods[owner.node] ?? []).map(\.function)
    }

    /// A class's method of that name (the first, when a name is defined twice; a function bound to the class under
    /// that name after its definition; a method its body binds under that name, `__call__ = lr_at`), or the one it
    /// inherits from a base class of the file.
    public func method(_ name: String, of owner: Class) -> Function? {
        for c in lineage(of: owner) {
            if let found = methodsByClass[c.node]?.first(where: { $0.name == name }) { return found }
            if let found = reboundMethods[c.node]?.first(where: { $0.name == name }) { return found.function }
            if let found = aliasedMethods[c.node]?.last(where: { $0.name == name }) { return found.function }
        }
        return nil
    }

    /// A method `c` itself defines (or has bound to it after its definition, or binds again in its body under that
    /// name), not one it inherits.
    func ownMethod(_ name: String, of c: Class) -> Function? {
        methodsByClass[c.node]?.first(where: { $0.name == name }) ?? reboundMethods[c.node]?.first(where: { $0.name == name })?.function
            ?? aliasedMethods[c.node]?.last(where: { $0.name == name })?.function
    }

    /// The method `self.name` finds in a mixin that neither defines nor inherits it: the one the file's classes that
    /// mix `owner` in have, own or inherited from another of their bases (`self.direction(p, group)` in
    /// `ShardedStepMixin.step`, with `class Muon(ShardedStepMixin, OrthogonalMomentum, Optimizer)`, runs
    /// `OrthogonalMomentum.direction`). Nil when no class of the file inheriting from `owner` has one, or when they
    /// find different ones.
    public func mixedInMethod(_ name: String, of owner: Class) -> Function? {
        var found: Function?
        for c in classes where c.node != owner.node && lineage(of: c).dropFirst().contains(where: { $0.node == owner.node }) {
            guard let m = method(name, of: c) else { continue }
            if let f = found, f.node != m.node { return nil }
            found = m
        }
        return found
    }

    /// The method `super().name(...)` written in a method of `owner` runs: the nearest one after `owner` in its own
    /// bases (see `lineage`); for a mixin whose bases have none, the next one after `owner` in the lineage of the
    /// file's classes that mix it in (`super().transform_qk(q, k)` in `QKNormMixin`, with `class
    /// Attention(QKNormMixin, RotaryMixin, QKHooks)`, runs `RotaryMixin.transform_qk`). Nil when none has it, or when
    /// those classes find different ones.
    public func superMethod(_ name: String, after owner: Class) -> Function? {
        if let inherited = lineage(of: owner).dropFirst().lazy.compactMap({ self.ownMethod(name, of: $0) }).first { return inherited }
        var found: Function?
        for c in classes where c.node != owner.node {
            let order = lineage(of: c)
            guard let position = order.firstIndex(where: { $0.node == owner.node }), position > 0,
                  let next = order[(position + 1)...].lazy.compactMap({ self.ownMethod(name, of: $0) }).first else { continue }
            if let f = found, f.node != next.node { return nil }
            found = next
        }
        return found
    }

    /// The class a name stands for once the module has run: the last class the file defines under it (`class
    /// GPT(GPT): ...` written after the first `GPT` replaces it for every later construction).
    public func boundClass(named name: String) -> Class? {
        memoized("classesByName") { Dictionary(classes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }) }[name]
    }

    /// The class a base name of `owner` stands for: the last class of that name defined before `owner` (so the
    /// base of `class GPT(GPT)` is the earlier `GPT`).
    public func baseClass(named name: String, of owner: Class) -> Class? {
        let candidates = memoized("classListsByName") { Dictionary(grouping: classes, by: \.name) }[name] ?? []
        return candidates.last { $0.node.endByte <= owner.node.startByte }
    }

    /// The class of the file a call is made on, rather than on an instance: `Rotary.apply(q, cos, sin)`,
    /// `GPTConfig.default()`, `Factory.create("relu2")`, or `cls.helper(x)` inside a class method. Nil for calls on
    /// instances, modules and imported names.
    public func receiverClass(_ call: CallSite) -> Class? {
        guard let receiver = call.receiver.map(unwrapped), receiver.type == "identifier" else { return nil }
        if receiver.text == "cls" {
            guard enclosingFunction(call.node)?.parameters.first == "cls" else { return nil }
            return enclosingClass(call.node)
        }
        // A class of that name first (cheap), then that no local binding shadows it.
        guard let named = boundClass(named: receiver.text), !isLocallyBound(receiver) else { return nil }
        return named
    }

    /// The value a class body gives an attribute (`loss_dtype = torch.float32`, annotated or not; the last such
    /// statement), in the class or, failing that, in the nearest base class of the file that sets it: what
    /// `self.loss_dtype`, `cls.loss_dtype` and `Policy.loss_dtype` read when nothing assigns `self.loss_dtype`.
    public func classAttribute(_ name: String, of owner: Class) -> Node? {
        for c in lineage(of: owner) {
            var found: Node?
            for statement in c.body?.namedChildren ?? [] where statement.type == "expression_statement" {
                guard let a = statement.namedChildren.first, a.type == "assignment", let left = a.child(byField: "left"),
                      left.type == "identifier", left.text == name, let value = a.child(byField: "right") else { continue }
                found = descriptorValue(value) ?? unwrappedFieldDefault(value)
            }
            if let found { return found }
        }
        return nil
    }

    /// What reading a class attribute held by a descriptor of the file gives on an instance (`learning_rate =
    /// Hyper(0.0018)` in a class body, `class Hyper` defining `__get__`, own or inherited): the construction's argument
    /// (or the parameter's default) for the `__init__` parameter stored in a field (`self.default = default`, also
    /// unpacked, `self.default, self.cast = default, cast`) that
    /// `__get__` reads as it is, outside any arithmetic (`return ... else self.default`; a `__get__` returning
    /// `self.default * 2` gives no value). Nil for any other value.
    public func descriptorValue(_ value: Node) -> Node? {
        let value = unwrapped(value)
        guard value.type == "call", case let call = callSite(value), let owner = boundClass(named: call.callee),
              let getter = method("__get__", of: owner), let setup = initializer(of: owner), let body = setup.body
        else { return nil }
        let me = getter.receiver ?? "self"
        // The fields `__get__` reads unchanged.
        let read = Set(descendants(of: getter.node).compactMap { n -> String? in
            guard n.type == "attribute", n.child(byField: "object")?.text == me, let field = n.child(byField: "attribute")?.text else { return nil }
            var current = n.parent
            while let c = current, c != getter.node {
                if ["binary_operator", "unary_operator", "augmented_assignment"].contains(c.type) { return nil }
                current = c.parent
            }
            return field
        })
        let own = setup.receiver ?? "self"
        let parameters = setup.passedParameters
        for n in descendants(of: body) where n.type == "assignment" {
            guard let left = n.child(byField: "left"), let right = n.child(byField: "right") else { continue }
            // `self.default = default`, also unpacked: `self.default, self.cast = default, cast`.
            var pairs = [(left, right)]
            if ["pattern_list", "tuple_pattern"].contains(left.type), ["expression_list", "tuple"].contains(right.type),
               left.namedChildCount == right.namedChildCount {
                pairs = Array(zip(left.namedChildren, right.namedChildren))
            }
            for (target, source) in pairs {
                let value = unwrapped(source)
                guard target.type == "attribute", target.child(byField: "object")?.text == own,
                      let field = target.child(byField: "attribute")?.text, read.contains(field), value.type == "identifier",
                      let index = parameters.firstIndex(of: value.text) else { continue }
                return call.argument(value.text, position: index) ?? parameterDefault(setup, value.text)
            }
        }
        return nil
    }

    /// The value the class body of an enumeration of the file gives a member (`BF16 = torch.bfloat16` for
    /// `ActDType.BF16`, `WEIGHT = 32.0` for `Fp8Scale.WEIGHT`): what the member's `.value` reads. Nil when `node` is no
    /// member of such an enumeration.
    public func enumerationMemberValue(_ node: Node) -> Node? {
        let member = unwrapped(node)
        guard member.type == "attribute", let owner = member.child(byField: "object").map(unwrapped), owner.type == "identifier",
              let name = member.child(byField: "attribute")?.text, let c = boundClass(named: owner.text), !isLocallyBound(owner),
              isEnumeration(c)
        else { return nil }
        return classAttribute(name, of: c)
    }

    static let enumerationBases: Set<String> = ["Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"]

    /// The one expression a method of the instance returns, where a condition calls it without arguments
    /// (`self._path()`) or reads it as a property (`self.path`); nil when it is no such method or returns several.
    public func instanceMethodResult(_ node: Node) -> Node? {
        let n = unwrapped(node)
        var read = n
        if n.type == "call" {
            let call = callSite(n)
            guard call.positional.isEmpty, call.keywords.isEmpty, let function = call.function else { return nil }
            read = unwrapped(function)
        }
        guard let name = instanceAttribute(read), let owner = enclosingClass(read), let getter = method(name, of: owner) else { return nil }
        if n.type == "attribute", !getter.decorators.contains(where: { $0.lastDottedComponent.hasSuffix("property") }) { return nil }
        let returned = returnedValues(getter)
        return returned.count == 1 ? returned[0] : nil
    }

    /// The classes of the file that inherit `function` from the class defining it (a mixin's
    /// `reset_output_projection`) and run it when they are built: their `__init__` (own or inherited) reaches it.
    public func inheritingClassesRunning(_ function: Function) -> [Class] {
        guard let owner = enclosingClass(function.node) else { return [] }
        return classes.filter { c in
            c.node != owner.node && lineage(of: c).dropFirst().contains { $0.node == owner.node }
                && initializer(of: c).map { reachableFunctions(from: $0).contains { $0.node == function.node } } == true
        }
    }

    /// The classes of the file entered into `owner`'s class attribute `name` as they are defined: its subclasses, when
    /// its `__init_subclass__` stores the new class there (`Base.registry[key] = cls`); with a decided key, the
    /// subclass whose class statement passes that key (`class Svd(Base, key="svd")`) when one does. Empty otherwise.
    public func subclassRegistry(_ name: String, of owner: Class, key: String?) -> Set<String> {
        guard let hook = method("__init_subclass__", of: owner), let newClass = hook.parameters.first else { return [] }
        let fills = descendants(of: hook.node).contains { n in
            guard n.type == "assignment", let left = n.child(byField: "left"), left.type == "subscript",
                  let table = left.child(byField: "value"), table.type == "attribute", table.child(byField: "attribute")?.text == name,
                  let right = n.child(byField: "right") else { return false }
            return unparenthesized(right).text == newClass
        }
        guard fills else { return [] }
        let subclasses = classes.filter { c in c.node != owner.node && lineage(of: c).contains { $0.node == owner.node } }
        if let key {
            let chosen = subclasses.filter { c in
                (c.node.child(byField: "superclasses")?.namedChildren ?? []).contains { argument in
                    argument.type == "keyword_argument" && argument.child(byField: "value").flatMap { SettingsTable.stringValue($0) } == key
                }
            }
            if !chosen.isEmpty { return Set(chosen.map(\.name)) }
        }
        return Set(subclasses.map(\.name))
    }

    /// A class's `__init__`, its own or inherited.
    public func initializer(of owner: Class) -> Function? { method("__init__", of: owner) }

    /// Whether a class of the file is a plain sequence: it (or a base class of the file) subclasses `tuple` or `list`
    /// and none of them defines `__init__` or `__new__`, so `C(items)` holds the items it is given (`class
    /// MirrorBank(tuple)`; a `NamedTuple` has fields instead and is not one).
    public func isSequenceSubclass(_ owner: Class) -> Bool {
        lineage(of: owner).contains { c in c.bases.contains { ["tuple", "list", "builtins.tuple", "builtins.list"].contains($0) } }
            && method("__init__", of: owner) == nil && method("__new__", of: owner) == nil
    }

    /// The class a call builds when it is a sequence class of the file: `C(...)` (not shadowed locally) for a class that
    /// is a sequence subclass (`isSequenceSubclass`) or defines `__getitem__`, own or inherited (`Mirrored(...)`,
    /// `MirrorBank(...)`). Such an object holds what it is given; it is no layer. Nil for any other call.
    public func sequenceClass(constructedBy call: CallSite) -> Class? {
        guard let function = call.function.map({ unwrapped($0) }), function.type == "identifier", !isLocallyBound(function),
              let owner = boundClass(named: function.text), isSequenceSubclass(owner) || method("__getitem__", of: owner) != nil
        else { return nil }
        return owner
    }

    /// How many items a sequence expression holds, when it can be told: a list or tuple display, `x.chunk(k)` /
    /// `torch.chunk(x, k)` (k computed), `tuple(...)`/`list(...)`/`nn.ModuleList(...)` of a sequence, a comprehension
    /// over one (`[nn.Embedding(v, d) for _ in range(n)]`, `emb(x) for emb in self.embed`), anything the interpreter
    /// computes as a list (`range(n)`), a name or field set to one (a field also as the entry of a container that
    /// nothing assigns otherwise: `self.transformer.h` with `nn.ModuleDict(dict(h=nn.ModuleList(...)))`, see
    /// `Dataflow.entryBindings`), a parameter every caller fills with one of the same length. Nil otherwise, or when
    /// the ways in disagree.
    public func itemCount(_ expression: Node, depth: Int = 0) -> Int? {
        let node = unwrapped(expression)
        guard depth < 8 else { return nil }
        func agreed(_ counts: [Int?]) -> Int? {
            guard let first = counts.first, let n = first, counts.allSatisfy({ $0 == n }) else { return nil }
            return n
        }
        switch node.type {
        case "list", "tuple":
            let items = node.namedChildren.filter { $0.type != "comment" }
            return items.contains(where: { $0.type == "list_splat" }) ? nil : items.count
        case "list_comprehension", "generator_expression":
            let clauses = node.namedChildren.filter { $0.type == "for_in_clause" }
            guard clauses.count == 1, !node.namedChildren.contains(where: { $0.type == "if_clause" }),
                  let source = clauses[0].child(byField: "right") else { return nil }
            return itemCount(source, depth: depth + 1)
        case "call":
            let call = callSite(node)
            if call.name == "chunk" || call.callee == "torch.chunk" {
                let chunks = call.callee == "torch.chunk" ? call.argument("chunks", position: 1) : call.argument("chunks", position: 0)
                guard let k = chunks, let n = (ScriptInterpreter(self).number(k) ?? value(of: k)?.double)?.asBoundedInt, n > 0 else { return nil }
                return n
            }
            // An einops rearrangement iterated along its first output axis, named and sized by a keyword
            // (`rearrange(ve, "b t (n d) -> n b t d", n=6)`): that many items.
            if call.callee == "einops.rearrange" || call.callee == "rearrange", call.positional.count >= 2,
               case .axis(let leading)? = einopsPattern(call)?.output.first,
               let size = call.keywords[leading], let n = value(of: size)?.double.asBoundedInt, n > 0 {
                return n
            }
            if ["tuple", "list", "torch.nn.ModuleList", "torch.nn.ParameterList", "torch.nn.Sequential"].contains(call.callee) {
                let arguments = callArguments(call)
                return arguments.count == 1 ? itemCount(arguments[0], depth: depth + 1) : nil
            }
            if case .tuple(let items)? = ScriptInterpreter(self).value(of: node) { return items.count }
            return nil
        case "identifier", "attribute":
            var found = dataflow.bindings(ofReference: node)
            if found.isEmpty, node.type == "attribute" { found = dataflow.entryBindings(of: node) }
            guard !found.isEmpty else { return nil }
            var counts: [Int?] = []
            for binding in found {
                switch binding.kind {
                case .value:
                    guard !["function_definition", "class_definition"].contains(binding.node.type) else { return nil }
                    counts.append(itemCount(binding.node, depth: depth + 1))
                case .parameter:
                    guard node.type == "identifier" else { return nil }
                    let passed = dataflow.passedArguments(binding, name: node.text)
                    guard !passed.isEmpty else { return nil }
                    counts += passed.map { itemCount($0, depth: depth + 1) }
                default:
                    return nil
                }
            }
            return agreed(counts)
        default:
            return nil
        }
    }

    /// The place among its items that `obj[index]` reads on an instance of `owner`, when its `__getitem__` (own or
    /// inherited) reads a sequence it holds: itself, for a `tuple`/`list` subclass (`tuple.__getitem__(self, k)`,
    /// `super().__getitem__(k)`), or a field its `__init__` sets (`self.half = tuple(half)`). The getter is run by the
    /// interpreter with each such sequence bound to its positions 0..<count (counts from `itemCount`; the
    /// constructions of a sequence subclass must agree), so what it returns is the position it reads
    /// (`self.half[2 * n - 1 - i]` with `n = len(self.half)`, `layer if layer < n else 2 * n - 1 - layer`). Nil when
    /// the class has no `__getitem__`, a length is unknown, or the getter returns no position.
    public func itemPosition(_ index: Double, in owner: Class) -> Double? {
        guard let getter = method("__getitem__", of: owner) else { return nil }
        let me = getter.receiver ?? "self"
        func positions(_ n: Int) -> ScriptValue { .tuple((0..<n).map { ScriptValue.number(Double($0)) }) }
        var state: [String: ScriptValue] = [:]
        if isSequenceSubclass(owner) {
            let counts = calls(withCallee: owner.name).map { call in callArguments(call).first.flatMap { itemCount($0) } }
            guard let first = counts.first, let n = first, counts.allSatisfy({ $0 == n }), n <= 4096 else { return nil }
            state[me] = positions(n)
        }
        if let setup = initializer(of: owner), let body = setup.body {
            let own = setup.receiver ?? "self"
            for n in descendants(of: body) where n.type == "assignment" {
                guard let left = n.child(byField: "left"), left.type == "attribute", left.child(byField: "object")?.text == own,
                      let field = left.child(byField: "attribute")?.text, let right = n.child(byField: "right"),
                      let count = itemCount(right), count <= 4096 else { continue }
                state["\(me).\(field)"] = positions(count)
            }
        }
        guard !state.isEmpty, case .number(let position)? = ScriptInterpreter(self).call(getter, [index], state: state) else { return nil }
        return position
    }

    /// The methods a call `self.name(...)` written in a method of `owner` may run: the one `owner` has or inherits
    /// (see `method(_:of:)`), then the overrides written by the file's classes that inherit from `owner`, a base
    /// class's template method calling a hook each subclass fills in (`self.block_rules(...)` in
    /// `BlockMaskPolicy.__call__` runs `DocumentCausalBlockWindow.block_rules`).
    public func selfCallTargets(_ name: String, in owner: Class) -> [Function] {
        var result = method(name, of: owner).map { [$0] } ?? []
        for c in classes where c.node != owner.node && lineage(of: c).contains(where: { $0.node == owner.node }) {
            guard let own = methodsByClass[c.node]?.first(where: { $0.name == name }),
                  !result.contains(where: { $0.node == own.node }) else { continue }
            result.append(own)
        }
        return result
    }

    /// Whether a method is abstract: decorated `@abstractmethod` (`@abc.abstractmethod`), or with a body that only raises
    /// `NotImplementedError` (after a docstring). A hook left empty on purpose (`pass`, `...` undecorated) is not.
    public func isAbstractStub(_ function: Function) -> Bool {
        if function.decorators.contains(where: { $0.lastDottedComponent == "abstractmethod" }) { return true }
        // (Asked of every method `self.m()` finds: a longer body is no stub, and is not walked.)
        guard let body = function.body, body.namedChildCount <= 4 else { return false }
        let statements = body.namedChildren.filter { $0.type != "comment" }
        let code = statements.drop(while: { $0.type == "expression_statement" && $0.namedChildren.first?.type == "string" })
        return code.count == 1 && code.first?.type == "raise_statement" && code.first?.text.contains("NotImplementedError") == true
    }

    /// What `self.name(...)` runs when the method it finds in `owner` (own or inherited) is abstract (`isAbstractStub`):
    /// the one concrete override among the file's subclasses of `owner` (`selfCallTargets`), the hook a template method
    /// calls (`LrSchedule.__call__` returning `self.factor(step)`, with `TrapezoidSchedule.factor` the only one written).
    /// Nil for a concrete method, and when no subclass or several fill the hook in.
    public func concreteOverride(of function: Function, in owner: Class) -> Function? {
        guard isAbstractStub(function) else { return nil }
        let concrete = selfCallTargets(function.name, in: owner).filter { $0.node != function.node && !isAbstractStub($0) }
        return concrete.count == 1 ? concrete[0] : nil
    }

    /// Decorators that make a method a computed attribute: reading `obj.name` runs the method and gives what it returns.
    static let propertyDecorators: Set<String> = ["property", "cached_property"]

    /// Whether a method is the getter of a computed attribute (`@property`, `@functools.cached_property`).
    public func isPropertyGetter(_ function: Function) -> Bool {
        function.decorators.contains { Self.propertyDecorators.contains($0.lastDottedComponent) }
    }

    /// Whether a method is the setter of a computed attribute (`@lr_scale.setter def lr_scale(self, value)`): assigning
    /// `obj.lr_scale = v` runs it with `v`.
    public func isPropertySetter(_ function: Function) -> Bool {
        enclosingClass(function.node) != nil && function.decorators.contains { $0 == "\(function.name).setter" }
    }

    /// Names of the file's property getters (a read `obj.name` can only run one of these).
    var propertyNames: Set<String> {
        memoized("propertyNames") { Set(functions.filter { enclosingClass($0.node) != nil && isPropertyGetter($0) }.map(\.name)) }
    }

    /// The getter a read of an attribute runs when it names a `@property` or `@cached_property` of a class of the file,
    /// own or inherited: `self.gain` in a method of that class, `shape.gain` with `shape` an instance of it (see
    /// `instanceClasses`). Reading it runs the getter, so the getter is part of what the reading code computes. Nil for
    /// an assignment's target (a setter runs instead), a plain field, and a method.
    public func propertyGetter(_ read: Node) -> Function? {
        guard read.type == "attribute", let name = read.child(byField: "attribute")?.text, propertyNames.contains(name),
              let object = read.child(byField: "object") else { return nil }
        if let parent = read.parent, parent.type == "assignment", parent.child(byField: "left") == read { return nil }
        let owners: [Class]
        if object.type == "identifier", object.text == "self", let owner = enclosingClass(read) {
            owners = [owner]
        } else {
            owners = dataflow.instanceClasses(of: object).sorted().compactMap { boundClass(named: $0) }
        }
        for owner in owners {
            if let getter = method(name, of: owner), isPropertyGetter(getter) { return getter }
        }
        return nil
    }

    /// The reads of a property getter of the file (see `propertyGetter`): where what it returns is used.
    public func propertyReads(of getter: Function) -> [Node] {
        guard isPropertyGetter(getter) else { return [] }
        return nodes(ofType: "attribute").filter { read in
            read.child(byField: "attribute")?.text == getter.name && propertyGetter(read)?.node == getter.node
        }
    }

    /// The attributes of `self` a class's methods other than `__init__` read (`self.lr` in `step`), not counting the
    /// ones they only assign: what an object of the class uses after it is built, so that `opt.lr = ...` from outside
    /// changes what it does.
    public func attributesRead(by owner: Class) -> Set<String> {
        var read = Set<String>()
        for method in methods(of: owner) where method.name != "__init__" {
            for n in descendants(of: method.node) where n.type == "attribute" && n.child(byField: "object")?.text == "self" {
                guard let attribute = n.child(byField: "attribute")?.text else { continue }
                if let parent = n.parent, parent.type == "assignment", parent.child(byField: "left") == n { continue }
                read.insert(attribute)
            }
        }
        return read
    }
}
