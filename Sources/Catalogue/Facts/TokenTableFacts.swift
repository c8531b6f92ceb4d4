import Parsing
import TreeSitterKit

/// Following token-table lookups (`nn.Embedding` modules called on token ids, `F.embedding(ids, weight)`) to
/// where their results go: through locals, loop and comprehension variables, `chunk`/`split`/`view`-like
/// methods, indexing, list building (`ve + reversed(ve)`), iterators (`next(iter(chunks))`), queues and stacks
/// (`deque(chunks).popleft()`, `list(chunks).pop()`), tables keyed by layer (`dict(enumerate(chunks))[i]`), sequence objects of the
/// file (a `tuple` subclass built from the chunks, a class whose `__getitem__` reads a field; see `containerItems`),
/// arithmetic, the parameters of functions, lambdas and modules
/// of the file (matched to their callers, the output parameter of a forward hook to the calls of the hooked module, `forward` through instances of its class, a lambda through the name or
/// field it is set to or a `map` over sequences) and what those return; a call of a module with forward hooks also
/// gives what the hooks return. What a call returns is read with the
/// function's parameters taking that call's own arguments (`split = lambda t: t.view(...)` carries the lookup out of
/// `split(ve)`, not out of `split(q)` beside it); a parameter read from anywhere else takes what every caller passes.
/// Library calls other than reshaping ones stop the flow: a projection of an embedded tensor is not a lookup.
public final class TokenTableFlow {
    /// Unowned: the facts keep one flow for the whole file (`PythonFacts.tokenTables`), and a cycle would never be freed.
    public unowned let facts: PythonFacts
    public let flow: Dataflow
    let imports: ImportTable
    /// Which embedding constructors count as sources (all when nil).
    let accepts: ((Set<Node>) -> Bool)?
    /// What each node (in a context) is known to carry so far; final for every key in `evaluated` once no work is
    /// pending.
    private var memo: [Key: Set<Node>] = [:]
    private var evaluated = Set<Key>()
    /// For each key, the keys whose value was computed from it (recomputed when it grows).
    private var dependents: [Key: Set<Key>] = [:]
    /// Keys waiting to be (re)computed, and the one being computed.
    private var pending: [Key] = []
    private var queued = Set<Key>()
    private var current: Key?

    /// A call followed into a function it runs, to read what that function returns for this call: the function's
    /// parameters take the call's own arguments. `offset` is the call site's offset (1 for a method's `self`).
    private struct Frame: Hashable {
        let call: Node
        let function: Node
        let offset: Int
    }

    /// A node read inside the followed calls it lies in (innermost first; empty: read for every caller).
    private struct Key: Hashable {
        let node: Node
        let context: [Frame]
    }

    /// How many followed calls a context keeps (the innermost ones); deeper calls are read for every caller of the
    /// outer functions, as before contexts, so the work stays bounded through recursion and long chains.
    static let contextDepth = 3

    public init(_ facts: PythonFacts, _ flow: Dataflow, accepting: ((Set<Node>) -> Bool)? = nil) {
        self.facts = facts
        self.flow = flow
        imports = facts.fullImports
        accepts = accepting
    }

    static let reshaping: Set<String> = [
        "chunk", "split", "tensor_split", "unbind", "view", "view_as", "reshape", "transpose", "permute", "contiguous",
        "to", "type_as", "bfloat16", "float", "half", "squeeze", "unsqueeze", "narrow", "flatten", "unflatten",
        "expand", "expand_as", "clone", "detach", "mul", "__getitem__",
    ]
    static let combining: Set<String> = [
        "reversed", "list", "tuple", "torch.stack", "torch.cat", "torch.concat", "sorted",
        "torch.lerp", "torch.add", "torch.addcmul", "torch.sub",
        // `itertools.chain(ve, reversed(ve))`: the lists joined, as `ve + list(reversed(ve))`.
        "itertools.chain", "itertools.chain.from_iterable",
        // `layers = iter(ve.chunk(n))`, then `next(layers)` per block: the items one at a time.
        "iter", "next",
        // `lanes = deque(ve.chunk(n))`, then `lanes.popleft()` per block (see `takingMethods`).
        "deque", "collections.deque",
        // `per_layer = dict(enumerate(ve.chunk(n)))` (or `dict(zip(range(n), chunks))`), then `per_layer[i]` per
        // block: the items, keyed by layer.
        "dict", "enumerate", "zip",
    ]
    /// Container methods that hand out one of the receiver's items (`lanes.popleft()`, `stack.pop()`).
    static let takingMethods: Set<String> = ["pop", "popleft"]
    /// Tensor methods that mix their arguments into the receiver.
    static let mixingMethods: Set<String> = ["lerp", "lerp_", "add", "add_", "addcmul", "addcmul_", "sub", "sub_"]
    /// Library functions that reshape their first argument.
    static let reshapingFunctions: Set<String> = [
        "einops.rearrange", "einops.repeat", "torch.reshape", "torch.transpose", "torch.permute", "torch.flatten",
        "torch.unflatten", "torch.squeeze", "torch.unsqueeze", "torch.chunk", "torch.split", "torch.unbind",
        "torch.narrow", "torch.movedim",
    ]

    // MARK: Embedding modules

    /// The `nn.Embedding(...)` constructor calls (or those of another table class, see
    /// `PythonFacts.isEmbeddingConstructor`) an expression may denote (a module, a container of modules,
    /// an element or iteration of one, a list made empty and filled by `append`/`extend`/`insert`, a method returning
    /// one, a parameter its callers fill with one, a member of an attribute family read by `getattr(self, f"ve_{i}")`
    /// and set by `setattr`/`add_module` in a loop, see `PythonFacts.attributeFamilyValues`). A call through
    /// a name bound to the constructor (`make_emb()` with `make_emb = functools.partial(nn.Embedding, V, d)`, see
    /// `CallableAlias`) is one.
    public func embeddingConstructors(_ expression: Node, depth: Int = 0) -> Set<Node> {
        let node = facts.unwrapped(expression)
        guard depth < 8 else { return [] }
        switch node.type {
        case "call":
            let call = CallSite(node: node, imports: imports, aliases: facts.callableAliases)
            // `nn.Embedding(...)`, or a table class of the file or of a library (`VocabParallelEmbedding(V, d)`
            // subclassing `nn.Embedding`, see `PythonFacts.isEmbeddingConstructor`).
            if call.callee == "torch.nn.Embedding" || call.name == "Embedding" || facts.isEmbeddingConstructor(call) { return [node] }
            // `getattr(self, f"ve_{i}")`: the members of that attribute family (see `attributeFamilyValues`).
            let family = facts.attributeFamilyValues(call)
            if !family.isEmpty {
                return family.reduce(into: Set<Node>()) { $0.formUnion(embeddingConstructors($1, depth: depth + 1)) }
            }
            if ["ModuleList", "ModuleDict", "Sequential", "list", "tuple", "dict"].contains(call.name) {
                return facts.callArguments(call).reduce(into: Set<Node>()) {
                    $0.formUnion(embeddingConstructors($1, depth: depth + 1))
                }
            }
            if ["values", "items"].contains(call.name), let receiver = call.receiver {
                return embeddingConstructors(receiver, depth: depth + 1)
            }
            // A method of the file returning a module: `tables.table_for(layer)`.
            return functionsCalled(by: call).reduce(into: Set<Node>()) { result, function in
                for returned in flow.returns(of: function) { result.formUnion(embeddingConstructors(returned, depth: depth + 1)) }
            }
        case "conditional_expression":
            let parts = node.namedChildren
            return parts.count == 3 ? embeddingConstructors(parts[0], depth: depth + 1).union(embeddingConstructors(parts[2], depth: depth + 1)) : []
        case "list", "tuple", "list_comprehension", "generator_expression", "dictionary", "dictionary_comprehension", "pair", "set":
            let parts = node.namedChildren.filter { $0.type != "for_in_clause" && $0.type != "if_clause" }
            return parts.reduce(into: Set<Node>()) { $0.formUnion(embeddingConstructors($1, depth: depth + 1)) }
        case "subscript", "list_splat":
            return node.namedChildren.first.map { embeddingConstructors($0, depth: depth + 1) } ?? []
        case "identifier", "attribute":
            var result = Set<Node>()
            for binding in referenceBindings(node) {
                switch binding.kind {
                case .value, .iteration, .element:
                    result.formUnion(embeddingConstructors(flow.iterationSource(binding), depth: depth + 1))
                    // A container made empty and filled afterwards (`tables = []`, then `tables.append(nn.Embedding(V,
                    // d))` in a loop; `self.tables = nn.ModuleDict()`, then `self.tables[k] = nn.Embedding(V, d)`; see
                    // `PythonFacts.filledContainerItems`): what is put in.
                    if binding.kind == .value, let items = facts.filledContainerItems(madeEmptyBy: binding.node) {
                        for item in items { result.formUnion(embeddingConstructors(item, depth: depth + 1)) }
                    }
                case .parameter:
                    // A table handed to a function of the file (`def lookup(table, ids): return table(ids)`): the
                    // tables its callers pass.
                    guard node.type == "identifier" else { continue }
                    for argument in flow.passedArguments(binding, name: node.text) {
                        result.formUnion(embeddingConstructors(argument, depth: depth + 1))
                    }
                default:
                    continue
                }
            }
            return result
        default:
            return []
        }
    }

    /// The `nn.Embedding(...)` constructors whose `.weight` an expression denotes: `table.weight`, an element or an
    /// iteration of a list of them, a local holding one, or a function's parameter its callers pass one to. A
    /// functional model's table is the weight matrix itself: a tensor factory's matrix (`torch.randn(V, d)`, scaled or
    /// cast, see `PythonFacts.isMatrixTensor`) stands for its table, also as the entry of a parameter tree it is read
    /// from (`params["value_embeds"]` with `"value_embeds": [torch.randn(V, d) for _ in range(6)]`, see
    /// `PythonFacts.parameterTreeValues`).
    public func weightTables(_ expression: Node, depth: Int = 0) -> Set<Node> {
        let node = facts.unwrapped(expression)
        guard depth < 8 else { return [] }
        if node.type == "subscript", let key = SettingsTable.bareName(of: node), let values = facts.parameterTreeValues(key) {
            return values.reduce(into: Set<Node>()) { $0.formUnion(weightTables($1, depth: depth + 1)) }
        }
        if ["call", "binary_operator"].contains(node.type), facts.isMatrixTensor(node) { return [node] }
        switch node.type {
        case "attribute":
            guard node.child(byField: "attribute")?.text == "weight", let object = node.child(byField: "object") else { return [] }
            return embeddingConstructors(object)
        case "list", "tuple", "list_comprehension", "generator_expression":
            let parts = node.namedChildren.filter { $0.type != "for_in_clause" && $0.type != "if_clause" }
            return parts.reduce(into: Set<Node>()) { $0.formUnion(weightTables($1, depth: depth + 1)) }
        case "subscript", "list_splat":
            return node.namedChildren.first.map { weightTables($0, depth: depth + 1) } ?? []
        case "call":
            // `tuple(t.weight for t in tables)`, `list(...)`.
            // A generator as the only argument is the call's `arguments` node itself.
            let call = CallSite(node: node, imports: imports)
            guard ["tuple", "list"].contains(call.callee) else { return [] }
            if let generator = node.child(byField: "arguments"), generator.type == "generator_expression" {
                return weightTables(generator, depth: depth + 1)
            }
            guard call.positional.count == 1 else { return [] }
            return weightTables(call.positional[0], depth: depth + 1)
        case "identifier":
            var result = Set<Node>()
            for binding in flow.bindings(of: node.text, at: node) {
                switch binding.kind {
                case .value, .iteration, .element:
                    if ["function_definition", "class_definition"].contains(binding.node.type) { continue }
                    result.formUnion(weightTables(flow.iterationSource(binding), depth: depth + 1))
                case .parameter:
                    for argument in flow.passedArguments(binding, name: node.text) {
                        result.formUnion(weightTables(argument, depth: depth + 1))
                    }
                default:
                    continue
                }
            }
            return result
        default:
            return []
        }
    }

    /// Bindings of a name or attribute, attributes also through keyword settings (`dict(vte=nn.Embedding(...))`)
    /// and entries written into a dictionary of modules (`modules["vte"] = nn.Embedding(...)` before
    /// `nn.ModuleDict(modules)`).
    func referenceBindings(_ node: Node) -> [NameBinding] {
        flow.bindings(ofReference: node) + flow.entryBindings(of: node)
    }

    /// Whether a call looks a token up in an embedding table that the source filter accepts.
    public func isLookup(_ call: CallSite) -> Bool {
        let tables = lookupTables(call)
        guard !tables.isEmpty else { return false }
        return accepts?(tables) ?? true
    }

    // MARK: Functions called

    /// The functions of the file a call runs: a local or module function, `self.method` (the class's own, or the one
    /// it inherits from a base class or mixin of the file), the `forward` of a module instance of a file class, a
    /// lambda the called name or field is set to (`self.mix = lambda v, ve: ...` called as `self.mix(v, ve)`); for a
    /// callee that is a parameter nobody passes, the `forward` of every file class taking as many arguments (duck
    /// typing).
    public func functionsCalled(by call: CallSite) -> [Node] {
        guard let function = call.function else { return [] }
        let callee = facts.unwrapped(function)
        var result: [Node] = lambdas(denotedBy: callee)
        if callee.type == "identifier" {
            let bindings = flow.bindings(of: callee.text, at: callee)
            result += bindings.filter { $0.kind == .value && $0.node.type == "function_definition" }.map(\.node)
            if !bindings.isEmpty, bindings.allSatisfy({ if case .parameter = $0.kind { return flow.callSites(of: $0.node).isEmpty }; return false }) {
                let arity = call.positional.count + call.keywords.count
                result += facts.classes.compactMap { c -> Node? in
                    guard let forward = forwardMethod(of: c) else { return nil }
                    return flow.parameters(of: forward).filter { $0 != "self" }.count == arity ? forward : nil
                }
            }
        }
        if callee.type == "attribute", let object = callee.child(byField: "object"), object.type == "identifier", object.text == "self",
           let owner = facts.enclosingClass(call.node) {
            let own = facts.methods(of: owner).filter { $0.name == call.name }.map(\.node)
            // `self.blend_values(v, ve)` defined in a mixin the class inherits.
            result += own.isEmpty ? facts.method(call.name, of: owner).map { [$0.node] } ?? [] : own
        } else if callee.type == "attribute", let name = callee.child(byField: "attribute")?.text {
            // obj.method(...) where obj is an instance of a file class.
            if let object = callee.child(byField: "object") {
                for className in flow.instanceClasses(of: object) {
                    result += facts.function(named: name).filter { facts.enclosingClass($0.node)?.name == className }.map(\.node)
                }
            }
        }
        for className in flow.instanceClasses(of: callee) {
            if let c = facts.boundClass(named: className), let forward = forwardMethod(of: c) { result.append(forward) }
        }
        // A function the file's decorators wrap runs their wrappers (`@mirrored def value_embeddings(...)`), and a
        // wrapper's call of the function it was handed runs that function (see `Decorators.swift`).
        result += result.flatMap { facts.decoratorWrappers(ofDefinition: $0).map(\.node) }
        result += facts.decoratedTargets(of: call).map(\.node)
        return result
    }

    /// The lambdas a name or field is set to (`mix = lambda ...`, `self.mix = lambda ...`).
    func lambdas(denotedBy reference: Node) -> [Node] {
        guard ["identifier", "attribute"].contains(reference.type) else { return [] }
        return flow.bindings(ofReference: reference).filter { $0.kind == .value }.map { facts.unwrapped($0.node) }
            .filter { $0.type == "lambda" }
    }

    /// The functions of the file a `map` applies: a lambda written there, a function or lambda a name is set to, or the
    /// function of a `functools.partial` of one.
    func mappedFunctions(_ expression: Node) -> [Node] {
        let node = facts.unwrapped(expression)
        switch node.type {
        case "lambda":
            return [node]
        case "identifier":
            return flow.bindings(of: node.text, at: node).filter { $0.kind == .value && $0.node.type == "function_definition" }.map(\.node)
                + lambdas(denotedBy: node)
        case "call":
            let call = CallSite(node: node, imports: imports)
            guard ["functools.partial", "partial"].contains(call.callee), let first = call.positional.first else { return [] }
            return mappedFunctions(first)
        default:
            return []
        }
    }

    func forwardMethod(of c: PythonFacts.Class) -> Node? {
        facts.forwardMethods(of: c).first?.node
    }

    // MARK: Taint

    /// Whether an expression carries the result of an accepted token-table lookup.
    public func carries(_ expression: Node) -> Bool {
        let found = sources(expression)
        guard !found.isEmpty else { return false }
        return accepts?(found) ?? true
    }

    /// The tables whose lookups an expression carries: their `nn.Embedding(...)` constructor calls (or the
    /// `F.embedding(...)` call itself).
    public func sources(_ expression: Node) -> Set<Node> {
        // Cycles (a value passed through layers and back) and long chains are solved with a worklist: computing a
        // node reads what its inputs are known to carry so far and notes that it depends on them; an input not yet
        // computed is queued; a node whose value grows queues the nodes computed from it again. Values only grow
        // and are sets of constructors, so this stops, at the least fixed point, whatever the order or the depth.
        // Each node is read in a context (the calls followed into the functions it lies in, see `Frame`); a node
        // asked about from outside is read for every caller.
        let node = facts.unwrapped(expression)
        if current != nil { return inner(node) }
        let key = Key(node: node, context: [])
        if evaluated.contains(key) { return memo[key] ?? [] }
        enqueue(key)
        while let next = pending.popLast() {
            queued.remove(next)
            current = next
            let old = memo[next] ?? []
            let value = compute(next.node).union(old)
            current = nil
            evaluated.insert(next)
            guard value != old else { continue }
            memo[next] = value
            for dependent in dependents[next] ?? [] { enqueue(dependent) }
        }
        return memo[key] ?? []
    }

    private func enqueue(_ key: Key) {
        if queued.insert(key).inserted { pending.append(key) }
    }

    /// What an input of the node being computed is known to carry; the input is queued when not yet computed. It is
    /// read in `context` (by default the context of the node being computed), less the followed calls whose
    /// functions it does not lie in: an input outside every followed function is read for every caller.
    private func inner(_ expression: Node, in context: [Frame]? = nil) -> Set<Node> {
        let node = facts.unwrapped(expression)
        var frames = context ?? current?.context ?? []
        while let innermost = frames.first, !facts.isInside(node, innermost.function) { frames.removeFirst() }
        let key = Key(node: node, context: frames)
        if let current { dependents[key, default: []].insert(current) }
        if !evaluated.contains(key) { enqueue(key) }
        return memo[key] ?? []
    }

    private func union(_ nodes: [Node]) -> Set<Node> {
        nodes.reduce(into: Set<Node>()) { $0.formUnion(inner($1)) }
    }

    /// The context in which to read what `function` returns for `call` (the node being computed): the current
    /// context with this call in front, when the call is one of the function's call sites (`Dataflow.callSites`), so
    /// that its parameters take this call's arguments; nil (read for every caller) otherwise.
    private func followedContext(_ call: CallSite, into function: Node) -> [Frame]? {
        guard let site = flow.callSites(of: function).first(where: { $0.call.node == call.node }) else { return nil }
        let frame = Frame(call: call.node, function: function, offset: site.offset)
        return Array(([frame] + (current?.context ?? [])).prefix(Self.contextDepth))
    }

    /// What the functions of the file a call runs return, each read for this call (see `followedContext`);
    /// `pick` chooses the returned parts to read (all of each returned value by default).
    private func returned(by call: CallSite, _ pick: (Node) -> [Node] = { [$0] }) -> Set<Node> {
        var result = Set<Node>()
        for function in functionsCalled(by: call) {
            let frames = followedContext(call, into: function)
            for value in flow.returns(of: function) {
                for part in pick(value) {
                    if let frames { result.formUnion(inner(part, in: frames)) } else { result.formUnion(inner(part)) }
                }
            }
        }
        return result
    }

    /// The tables a call looks tokens up in (empty when it is not a lookup).
    /// A functional lookup (`F.embedding(ids, w)`) reads the table whose weight it is given when that can be told
    /// (`w` is `table.weight`, also through a list of weights a caller hands in: `lookup([e.weight for e in
    /// self.tables], ids)`), else the call itself stands for its table.
    public func lookupTables(_ call: CallSite) -> Set<Node> {
        if call.callee == "torch.nn.functional.embedding" || call.callee == "torch.embedding" {
            let weight = call.callee == "torch.embedding" ? call.argument("weight", position: 0) : call.argument("weight", position: 1)
            if let weight {
                let tables = weightTables(weight)
                if !tables.isEmpty { return tables }
            }
            return [call.node]
        }
        guard let function = call.function else { return [] }
        return embeddingConstructors(function)
    }

    private func compute(_ node: Node) -> Set<Node> {
        switch node.type {
        case "call":
            let call = CallSite(node: node, imports: imports)
            let tables = lookupTables(call)
            // A module name the file binds more than once (a subclass, `class GPT(GPT)`, putting its own module where
            // the base had an `nn.Embedding`) may run either: what the file's module returns counts too.
            if !tables.isEmpty { return tables.union(returned(by: call)) }
            // v.lerp(ve, w), v.add(ve), v.addcmul(w, ve): the receiver and what is mixed into it.
            if let receiver = call.receiver, Self.mixingMethods.contains(call.name) { return union([receiver] + facts.callArguments(call)) }
            if let receiver = call.receiver, Self.reshaping.contains(call.name) || Self.takingMethods.contains(call.name) { return inner(receiver) }
            if Self.reshapingFunctions.contains(call.callee), let first = call.positional.first { return inner(first) }
            // map(f, items): the items (f is taken to keep what it is given), and what f returns when it is a function
            // or lambda of the file (`map(lambda table: table(idx), self.tables)`; its parameters take the items, see
            // `Dataflow.callSites`).
            if call.callee == "map", call.positional.count >= 2 {
                return union(Array(call.positional.dropFirst()) + mappedFunctions(call.positional[0]).flatMap { flow.returns(of: $0) })
            }
            if Self.combining.contains(call.callee) || Self.combining.contains(call.name) && call.receiver == nil {
                return union(facts.callArguments(call))
            }
            if let items = containerItems(call) { return union(items) }
            // A weighted sum a kernel of the file computes (`mix(v, ve, lam)` launching a kernel storing `(1 - lam) * v +
            // lam * ve`, see `PythonFacts.kernelBlendedArguments`): what the blended arguments carry.
            if let blended = facts.kernelBlendedArguments(call) { return union(blended).union(returned(by: call)) }
            // A forward hook on the called module replaces its result (`attn.c_v.register_forward_hook(blend)` returning
            // `(1 - l) * out + l * self.pieces[i]`): what the hooks return too (their output parameter takes what the
            // call gives, see `PythonFacts.hookedCalls`).
            let hooked = facts.hookResults(on: call, kind: .output)
            return hooked.isEmpty ? returned(by: call) : returned(by: call).union(union(hooked))
        case "identifier":
            // `v = f(v, ...)` reads the value v had before this assignment.
            var result = Set<Node>()
            for binding in flow.bindings(of: node.text, at: node) {
                if ["assignment", "augmented_assignment"].contains(binding.site.type),
                   binding.site.child(byField: "right").map({ facts.isInside(node, $0) }) == true { continue }
                result.formUnion(sources(binding: binding, name: node.text))
            }
            return result
        case "attribute":
            guard let object = node.child(byField: "object"), object.type == "identifier", object.text == "self" else {
                // A field of a record object handed in (`args.ve`, `args: AttnArgs`): what its constructions put there.
                return union(facts.constructedFieldValues(node))
            }
            return union(flow.bindings(ofReference: node).filter { $0.kind == .value }.map(\.node))
        case "subscript":
            // The container, and what is written under the keys the read may take before it (`heads["v"] = (1 - l) *
            // heads["v"] + l * ve` read as `heads[r]` with `r` over ("q", "k", "v"), see `PythonFacts.keyedWrites`).
            guard let container = node.child(byField: "value") else { return [] }
            var result = inner(container)
            let index = node.child(byField: "subscript").map { facts.unwrapped($0) }
            let keys = index.flatMap { i in SettingsTable.stringValue(i).map { [$0] } ?? (i.type == "identifier" ? facts.iteratedKeys(i, flow: flow) : nil) } ?? []
            for key in keys {
                result.formUnion(union(facts.keyedWrites(key, into: container, before: node).map(\.node)))
            }
            return result
        case "list_splat", "parenthesized_expression", "list_comprehension", "generator_expression",
             "dictionary_comprehension", "set_comprehension":
            return node.namedChildren.first.map { inner($0) } ?? []
        case "binary_operator":
            // A matrix product is a projection (`x @ w.T` in a linear layer of the file's own): what it multiplies
            // is not carried through, as a library projection's input is not.
            if node.child(byField: "operator")?.type == "@" { return [] }
            return union([node.child(byField: "left"), node.child(byField: "right")].compactMap { $0 })
        case "list", "tuple", "set", "expression_list", "dictionary":
            return union(node.namedChildren)
        case "pair":
            return node.child(byField: "value").map { inner($0) } ?? []
        case "conditional_expression":
            let parts = node.namedChildren
            return parts.count == 3 ? union([parts[0], parts[2]]) : []
        default:
            return []
        }
    }

    /// For a construction of a sequence class of the file, what its items are read from (nil for any other call): the
    /// sequence a subclass of `tuple`/`list` with no `__init__`/`__new__` of its own is built from (`MirrorBank(ve.chunk(6))`),
    /// and what its `__getitem__` (own or inherited) returns (`self.half[2 * n - 1 - i]`, the field following the
    /// constructions' arguments). The object then carries its items, as a list does; `obj[i]` and iterations read them.
    func containerItems(_ call: CallSite) -> [Node]? {
        guard let owner = facts.sequenceClass(constructedBy: call) else { return nil }
        var items: [Node] = []
        if facts.isSequenceSubclass(owner), let first = facts.callArguments(call).first { items.append(first) }
        if let getter = facts.method("__getitem__", of: owner) { items += flow.returns(of: getter.node) }
        return items.isEmpty ? nil : items
    }

    private func sources(binding: NameBinding, name: String) -> Set<Node> {
        switch binding.kind {
        case .value, .augmented:
            if ["function_definition", "class_definition"].contains(binding.node.type) { return [] }
            return inner(binding.node)
        case .element(let index):
            let value = facts.unwrapped(binding.node)
            // q, k, v = map(f, (q, k, v)): element `index` of the mapped tuple.
            if value.type == "call", CallSite(node: value, imports: imports).callee == "map",
               let items = CallSite(node: value, imports: imports).positional.dropFirst().first.map({ facts.unwrapped($0) }),
               ["tuple", "list"].contains(items.type), items.namedChildCount > index {
                return inner(items.namedChildren[index])
            }
            // q, k, v = (f(z) for z in (q, k, v)): element `index` of the iterated tuple.
            if ["generator_expression", "list_comprehension"].contains(value.type) {
                let clauses = value.namedChildren.filter { $0.type == "for_in_clause" }
                if clauses.count == 1, let items = clauses[0].child(byField: "right").map({ facts.unwrapped($0) }),
                   ["tuple", "list"].contains(items.type), items.namedChildCount > index {
                    // Over keys (`(heads[r].transpose(1, 2) for r in ("q", "k", "v"))`): the entry of that key the body
                    // reads, and what is written under it before (see `PythonFacts.keyedWrites`).
                    if let key = SettingsTable.stringValue(items.namedChildren[index]), let body = value.child(byField: "body"),
                       let variable = clauses[0].child(byField: "left"), variable.type == "identifier" {
                        let reads = ([body] + facts.descendants(of: body)).filter { n in
                            n.type == "subscript" && n.child(byField: "subscript").map { facts.unwrapped($0).text } == variable.text
                        }
                        guard let read = reads.first, let container = read.child(byField: "value") else { return inner(body) }
                        return inner(container).union(union(facts.keyedWrites(key, into: container, before: value).map(\.node)))
                    }
                    return inner(items.namedChildren[index])
                }
            }
            // a, b = f(...): element `index` of what f returns when it returns tuples (read for this call).
            if value.type == "call" {
                let call = CallSite(node: value, imports: imports)
                let returns = functionsCalled(by: call).flatMap { flow.returns(of: $0) }.map { facts.unwrapped($0) }
                if !returns.isEmpty, returns.allSatisfy({ $0.type == "tuple" || $0.type == "expression_list" }) {
                    return returned(by: call) { returnedValue in
                        let tuple = self.facts.unwrapped(returnedValue)
                        return index < tuple.namedChildCount ? [tuple.namedChildren[index]] : []
                    }
                }
            }
            return inner(value)
        case .iteration:
            return inner(flow.iterationSource(binding))
        case .parameter(let index):
            guard ["function_definition", "lambda"].contains(binding.node.type) else { return [] }
            // Inside a call followed into this function: that call's argument, read in the context around the call.
            let context = current?.context ?? []
            if let position = context.firstIndex(where: { $0.function == binding.node }) {
                let frame = context[position]
                let site = (call: CallSite(node: frame.call, imports: imports), offset: frame.offset)
                guard let argument = flow.argument(site, name: name, index: index) else { return [] }
                return inner(argument, in: Array(context[(position + 1)...]))
            }
            // The output parameter of a forward hook (`def mirror(module, args, out)` on the table): what the calls
            // of the hooked module give (`PythonFacts.hookedCalls`), as PyTorch hands their result in.
            return union(flow.callSites(of: binding.node).compactMap { flow.argument($0, name: name, index: index) }
                + facts.hookedCalls(outputParameter: name, of: binding.node))
        }
    }

    // MARK: Reshaping helpers

    /// Whether a function or lambda of the file only reshapes what it is given: every value it returns is one of its
    /// parameters through reshaping methods, reshaping library functions and indexing (`lambda t: t.view(B, T, H,
    /// D).transpose(1, 2)`, `def heads(t): return einops.rearrange(t, "b t (h d) -> b h t d", h=H)`), also through
    /// locals of the function set to such values. A call of one hands its argument on, reshaped; it is not a layer the
    /// argument runs through.
    public func isReshapingHelper(_ function: Node) -> Bool {
        guard ["function_definition", "lambda"].contains(function.type) else { return false }
        let returns = flow.returns(of: function)
        return !returns.isEmpty && returns.allSatisfy { reshapesParameter($0, of: function, depth: 0) }
    }

    /// Whether an expression is a parameter of `function` (not `self`), reshaped (see `isReshapingHelper`).
    private func reshapesParameter(_ expression: Node, of function: Node, depth: Int) -> Bool {
        let node = facts.unwrapped(expression)
        guard depth < 8 else { return false }
        switch node.type {
        case "identifier":
            guard node.text != "self" else { return false }
            let bindings = flow.bindings(of: node.text, at: node)
            return !bindings.isEmpty && bindings.allSatisfy { binding in
                switch binding.kind {
                case .parameter:
                    return binding.node == function
                case .value:
                    // A local of the function set to a reshaped parameter (`h = t.view(...)`; `return h.transpose(1, 2)`).
                    return facts.isInside(binding.site, function) && binding.node.type != "function_definition"
                        && reshapesParameter(binding.node, of: function, depth: depth + 1)
                default:
                    return false
                }
            }
        case "call":
            let call = CallSite(node: node, imports: imports)
            if let receiver = call.receiver, Self.reshaping.contains(call.name) {
                return reshapesParameter(receiver, of: function, depth: depth + 1)
            }
            if Self.reshapingFunctions.contains(call.callee), let first = call.positional.first {
                return reshapesParameter(first, of: function, depth: depth + 1)
            }
            return false
        case "subscript":
            return node.namedChildren.first.map { reshapesParameter($0, of: function, depth: depth + 1) } ?? false
        default:
            return false
        }
    }
}

extension PythonFacts {
    /// The value argument of an attention kernel call (SDPA, FlexAttention, flash-attn), or nil for other calls; also
    /// spread from a `*` argument (`flex_attention(*(t.transpose(1, 2) for t in (q, k, v)), block_mask=bm)`).
    public func attentionValueArgument(_ call: CallSite, flexCalls: Set<Node>) -> Node? {
        if call.callee == "torch.nn.functional.scaled_dot_product_attention" || flexCalls.contains(call.node) {
            return argument(of: call, "value", position: 2)
        }
        if call.name.hasPrefix("flash_attn") && !call.name.contains("qkvpacked") && !call.name.contains("kvpacked") {
            return argument(of: call, "v", position: 2)
        }
        return nil
    }

    /// Attention kernel calls with their value argument.
    public func attentionValueInputs() -> [(call: CallSite, value: Node)] {
        let flex = Set(flexAttentionCalls.map(\.node))
        return calls.compactMap { call in attentionValueArgument(call, flexCalls: flex).map { (call, $0) } }
    }

    /// Hand-written attention (`softmax(q @ k^T) @ v`, see `attentionSites`) with the values its probabilities multiply:
    /// the scores' product and `v`.
    public func manualAttentionValueInputs() -> [(scores: Node, value: Node)] {
        attentionSites.compactMap { site in
            guard site.valuesProduct != nil, let value = site.value else { return nil }
            return (site.node, value)
        }
    }
}
