import TreeSitterKit

/// `fp32_scalar_params`: the model stays in float32 and only its embedding tables are cast to bfloat16.
///
/// Requires a 16-bit cast (`.bfloat16()`, `.half()`, `.to(torch.bfloat16)`, `.to(dtype=...)`, `.type(...)`)
/// applied to embeddings only: under an `isinstance(m, nn.Embedding)` test (also after a guard leaving for other modules,
/// or read from a policy table, `for kind, dtype in {nn.Embedding: torch.bfloat16}.items(): if isinstance(m, kind):
/// m.to(dtype)`, see `policyRows`,
/// `if not isinstance(m, nn.Embedding): continue`) or a `case nn.Embedding():` (a `model.modules()` loop or a
/// function given to `model.apply`), with a dtype looked up by the module's class name in a table whose 16-bit entries
/// are all for embedding classes (`m.to(dtype=getattr(torch, SPEC["dtypes"].get(type(m).__name__)))` with an embedded
/// `{"Embedding": "bfloat16"}`, see `PythonFacts.computedKeyLookup`), in a `functools.singledispatch` overload registered for `nn.Embedding` on the
/// parameter it dispatches on (the generic function read somewhere, as by `model.apply`; see
/// `PythonFacts.singledispatchOverload`), on a reference to an embedding table, or on the variable of a loop over
/// embedding tables, or embeddings created with a 16-bit `dtype`; or, for a functional model, a cast (or a tensor made
/// with a 16-bit `dtype`) whose value becomes the embedding entries of a parameter dictionary (`"embed": emb()`,
/// `"value_embeds": [emb() for _ in range(3)]` with `def emb(): return torch.randn(V, D).to(torch.bfloat16)`, the keys
/// those a lookup reads, see `embeddingEntryKeys`) while no cast covers the whole dictionary (`map_tree(lambda t:
/// t.bfloat16(), params)`, see `castsWholeTree`); and no 16-bit cast of the whole model anywhere (a cast whose receiver is an instance of a
/// model class of the file, before or after, unless that model is thrown away before anything keeps it, see `isDiscarded`,
/// or is the fallback branch of an `if` nothing decides whose first branch casts the embeddings). Rejects the whole-model bf16 cast with linears restored to fp32,
/// the embedding loop combined with a whole-model cast, a class-name table that also gives linears (or any class, as
/// its fallback) a 16-bit dtype, and an all-fp32 model with no embedding-only cast.
/// Examples: `queries/python/fp32_scalar_params/examples/`.
struct Fp32ScalarParams: Detector {
    let id = "fp32_scalar_params"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let casts = facts.calls.filter { isHalfCast($0, facts) }
        let modelClasses = Set(facts.classes.filter { c in
            c.bases.contains { $0.hasSuffix("Module") } || !facts.forwardMethods(of: c).isEmpty
        }.map(\.name)).subtracting(facts.classes.filter { $0.bases.contains("torch.nn.Embedding") }.map(\.name))
        // A model cast whole and then thrown away (a notebook's first attempt, deleted and rebuilt) is not the one trained.
        let wholeCasts = casts.filter { cast in
            receiver(cast).map { isModel($0, modelClasses, facts, depth: 0) } == true && !facts.isDiscardedAtModuleLevel(cast)
        }
        // A whole-model cast rules out every embedding-only cast that can run with it. One in the other branch of an
        // `if` nothing decides (`if embeddings_only_supported(): <embedding loop> else: model.bfloat16()`) is a
        // fallback: the first branch is the path the script means to take.
        func isPreferredAlternative(_ site: Node, to whole: Node) -> Bool {
            guard facts.inExclusiveBranches(site, whole),
                  let statement = facts.ancestors(of: site).first(where: { $0.type == "if_statement" && facts.isInside(whole, $0) }),
                  let body = statement.child(byField: "consequence") else { return false }
            return facts.isInside(site, body) && !facts.isInside(whole, body)
        }
        if !wholeCasts.isEmpty, !casts.contains(where: { cast in wholeCasts.allSatisfy { isPreferredAlternative(cast.node, to: $0.node) } }) {
            return []
        }
        var evidence = casts.compactMap { cast -> Evidence? in
            guard wholeCasts.allSatisfy({ isPreferredAlternative(cast.node, to: $0.node) }) else { return nil }
            guard let receiver = receiver(cast), castsEmbeddings(cast, receiver, model, facts) else { return nil }
            return facts.evidence(cast.node, "only embedding tables are cast to 16-bit; the rest of the model stays fp32")
        }
        // A functional model's tables made 16-bit where they are created: a cast, or a tensor made with a 16-bit
        // dtype, whose value becomes the embedding entries of a parameter dictionary (`"embed": emb()` with `def emb():
        // return torch.randn(V, D).to(torch.bfloat16)`), unless the whole dictionary is cast.
        let keys = embeddingEntryKeys(model, facts)
        var made: [(call: CallSite, trees: [Node])] = []
        for call in facts.calls where isHalfCast(call, facts) || isHalfCreation(call, facts) {
            guard !evidence.contains(where: { $0.range == facts.evidence(call.node, "").range }),
                  let trees = embeddingDictionaries(holding: call.node, keys: keys, facts), !trees.isEmpty else { continue }
            made.append((call, trees))
        }
        if !made.isEmpty, !castsWholeTree(made.flatMap { $0.trees }, casts, facts) {
            evidence += made.map { facts.evidence($0.call.node, "embedding tables of the parameter dictionary made in 16-bit; the rest stays fp32") }
        }
        // nn.Embedding(..., dtype=torch.bfloat16): created in 16-bit.
        for call in facts.calls where facts.isEmbeddingConstructor(call) {
            if let dtype = call.keywords["dtype"], isHalfDtype(dtype, facts) {
                evidence.append(facts.evidence(call.node, "embedding tables created in 16-bit; the rest of the model stays fp32"))
            }
        }
        return evidence
    }

    /// A tensor made by a torch factory (`torch.randn`, `torch.empty`, `torch.zeros`, ...) with a 16-bit `dtype=`.
    func isHalfCreation(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        let factories: Set<String> = ["randn", "empty", "zeros", "ones", "rand", "normal", "full", "tensor"]
        guard call.callee.hasPrefix("torch."), factories.contains(call.name), let dtype = call.keywords["dtype"] else { return false }
        return isHalfDtype(dtype, facts)
    }

    /// The keys under which a functional model keeps its embedding tables: the names of the model's embedding tables
    /// (`params["embed"]` read by `F.embedding`), and the entry a lookup's loop walks (`[F.embedding(idx, w) for w in
    /// params["value_embeds"]]`).
    func embeddingEntryKeys(_ model: ModelView, _ facts: PythonFacts) -> Set<String> {
        var keys = model.embeddingNames
        for lookup in model.embeddingLookups where lookup.torchCallee == "torch.nn.functional.embedding" {
            guard let weight = lookup.argument("weight", position: 1).map(facts.unparenthesized), weight.type == "identifier" else { continue }
            for ancestor in facts.ancestors(of: weight) {
                let loops: [Node]
                switch ancestor.type {
                case "for_statement": loops = [ancestor]
                case "list_comprehension", "generator_expression", "set_comprehension", "dictionary_comprehension":
                    loops = ancestor.namedChildren.filter { $0.type == "for_in_clause" }
                default: continue
                }
                for loop in loops {
                    guard let left = loop.child(byField: "left"), left.type == "identifier", left.text == weight.text,
                          let source = loop.child(byField: "right").map(facts.unparenthesized),
                          let name = SettingsTable.bareName(of: source) else { continue }
                    keys.insert(name)
                }
            }
        }
        return keys
    }

    /// The dictionaries whose embedding entries (`keys`) a value becomes (see `PythonFacts.treeEntries(holding:)`);
    /// nil when it goes anywhere else, or also into an entry of another key.
    func embeddingDictionaries(holding value: Node, keys: Set<String>, _ facts: PythonFacts) -> [Node]? {
        guard let entries = facts.treeEntries(holding: value), entries.allSatisfy({ keys.contains($0.key) }) else { return nil }
        return entries.map(\.dictionary)
    }

    /// Whether a 16-bit cast applies to every tensor of a parameter dictionary (`trees`): a cast of a lambda's
    /// parameter where the lambda is handed to a call given the dictionary (`map_tree(lambda t: t.bfloat16(),
    /// params)`), or of the variable of a loop or comprehension over it (`for t in tree_leaves(params): t.data =
    /// t.data.bfloat16()`). The dictionary is followed to the names holding it: the name it is assigned to, and the
    /// names the calls of a function returning it (or something built from that name) are assigned to; a helper's
    /// parameter reads its callers' arguments.
    func castsWholeTree(_ trees: [Node], _ casts: [CallSite], _ facts: PythonFacts) -> Bool {
        var names = Set<String>()
        for tree in trees {
            if let assignment = tree.parent, assignment.type == "assignment", assignment.child(byField: "right") == tree,
               let left = assignment.child(byField: "left"), left.type == "identifier" {
                names.insert(left.text)
            }
        }
        for function in facts.functions {
            let returns = facts.returnedValues(function)
            guard returns.contains(where: { r in
                trees.contains { facts.isInside($0, r) } || names.contains { facts.mentions(r, $0) }
            }) else { continue }
            for use in facts.calls where use.name == function.name && facts.calledFunction(use)?.node == function.node {
                if let assignment = use.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == use.node,
                   let left = assignment.child(byField: "left"), left.type == "identifier" {
                    names.insert(left.text)
                }
            }
        }
        guard !names.isEmpty else { return false }
        // An expression reading the dictionary (a parameter: what its callers pass).
        func readsTree(_ node: Node) -> Bool {
            if names.contains(where: { facts.mentions(node, $0) }) { return true }
            return facts.descendants(of: node).contains { n in
                n.type == "identifier" && facts.parameterOwner(of: n) != nil
                    && facts.callerArguments(of: n).contains { argument in names.contains { facts.mentions(argument, $0) } }
            }
        }
        return casts.contains { cast in
            guard let root = receiver(cast).flatMap(PythonFacts.rootIdentifier) else { return false }
            for ancestor in facts.ancestors(of: cast.node) {
                switch ancestor.type {
                case "lambda":
                    guard facts.lambdaParameters(ancestor).contains(root) else { continue }
                    var holder = ancestor
                    while let up = holder.parent, up.type == "parenthesized_expression" { holder = up }
                    guard let arguments = holder.parent, arguments.type == "argument_list" else { return false }
                    return arguments.namedChildren.contains { $0 != holder && readsTree($0) }
                case "for_statement", "list_comprehension", "generator_expression", "dictionary_comprehension":
                    let loops = ancestor.type == "for_statement" ? [ancestor] : ancestor.namedChildren.filter { $0.type == "for_in_clause" }
                    for loop in loops {
                        guard let left = loop.child(byField: "left"), facts.mentions(left, root),
                              let source = loop.child(byField: "right") else { continue }
                        return readsTree(source)
                    }
                case "function_definition", "class_definition":
                    return false
                default:
                    continue
                }
            }
            return false
        }
    }

    /// The value a method call is made on (`m` in `m.bfloat16()`), also when its head is an imported name.
    func receiver(_ call: CallSite) -> Node? {
        guard let function = call.function, function.type == "attribute" else { return nil }
        return function.child(byField: "object")
    }

    func isHalfDtype(_ node: Node, _ facts: PythonFacts) -> Bool {
        let halves: Set<String> = ["torch.bfloat16", "torch.float16", "torch.half"]
        if let name = facts.imports.qualifiedName(of: node), halves.contains(name) { return true }
        // A dtype chosen elsewhere (`getattr(torch, cfg.embedding_dtype)`, a field set to `torch.bfloat16`).
        if ["bfloat16", "float16"].contains(facts.dtypeName(of: node) ?? "") { return true }
        guard let bare = SettingsTable.bareName(of: node) else { return false }
        return facts.allSettings.settings(bare).contains { facts.imports.qualifiedName(of: $0.value).map(halves.contains) == true }
    }

    func isHalfCast(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard receiver(call) != nil else { return false }
        // A cast to the dtype a row of a policy table gives (`for kind, dtype in policy.items(): if isinstance(m, kind):
        // m.to(dtype)`): 16-bit when some row's dtype is.
        if let rows = policyRows(call, facts) { return rows.contains { isHalfDtype($0.dtype, facts) } }
        switch call.name {
        case "bfloat16", "half":
            return call.positional.isEmpty
        case "to", "type":
            if let root = receiver(call).flatMap(PythonFacts.rootIdentifier), let classes = halfClassesByType(call, module: root, facts), !classes.isEmpty {
                return true
            }
            return (call.keywords["dtype"].map { isHalfDtype($0, facts) } ?? false) || call.positional.contains { isHalfDtype($0, facts) }
        default:
            return false
        }
    }

    /// For a `.to(...)` / `.type(...)` cast whose dtype is read from a table by the class name of the module it casts
    /// (`m.to(dtype=getattr(torch, DTYPES.get(type(m).__name__)))`, `DTYPES[m.__class__.__name__]`, `{nn.Embedding:
    /// torch.bfloat16}.get(type(m))`, see `PythonFacts.computedKeyLookup`): the keys whose entry is a 16-bit dtype, as
    /// written. Nil when the dtype is not read so, or when a class the table leaves out gets a 16-bit fallback.
    func halfClassesByType(_ cast: CallSite, module root: String, _ facts: PythonFacts) -> [String]? {
        guard let dtype = cast.keywords["dtype"] ?? cast.positional.last else { return nil }
        var read = facts.unwrapped(dtype)
        // `getattr(torch, name)`: the table spells the dtypes' names.
        var spelled = false
        let call = read.type == "call" ? facts.callSite(read) : nil
        if let call, call.callee == "getattr", call.positional.count == 2, facts.imports.qualifiedName(of: call.positional[0]) == "torch" {
            read = call.positional[1]
            spelled = true
        }
        let origins = facts.origins(of: read)
        let lookups = origins.compactMap { facts.computedKeyLookup($0) }
        guard !lookups.isEmpty, lookups.count == origins.count, lookups.allSatisfy({ namesClass($0.key, of: root, facts) }) else { return nil }
        func isHalf(_ value: Node, _ text: String?) -> Bool {
            spelled ? ["bfloat16", "float16", "half"].contains(text ?? "") : isHalfDtype(value, facts)
        }
        var classes: [String] = []
        for lookup in lookups {
            if let fallback = lookup.fallback, isHalf(fallback, SettingsTable.stringValue(fallback)) { return nil }
            classes += lookup.entries.filter { isHalf($0.value, $0.text) }.map { $0.key }
        }
        return classes
    }

    /// Whether a table key is the class (or class name) of module `root`: `type(m).__name__`, `m.__class__.__name__`
    /// (or `__qualname__`), `m._get_name()`, `type(m)`, `m.__class__`.
    func namesClass(_ key: Node, of root: String, _ facts: PythonFacts) -> Bool {
        var subject = facts.unwrapped(key)
        if subject.type == "call", case let call = facts.callSite(subject), call.name == "_get_name", call.positional.isEmpty {
            return call.receiver.map { facts.unwrapped($0).type == "identifier" && facts.unwrapped($0).text == root } == true
        }
        if subject.type == "attribute", let attribute = subject.child(byField: "attribute")?.text, ["__name__", "__qualname__"].contains(attribute),
           let object = subject.child(byField: "object") {
            subject = facts.unwrapped(object)
        }
        if subject.type == "call", case let call = facts.callSite(subject), call.callee == "type", call.positional.count == 1 {
            return facts.unwrapped(call.positional[0]).type == "identifier" && facts.unwrapped(call.positional[0]).text == root
        }
        return subject.type == "attribute" && subject.child(byField: "attribute")?.text == "__class__"
            && subject.child(byField: "object").map { facts.unwrapped($0).type == "identifier" && facts.unwrapped($0).text == root } == true
    }

    /// Whether an expression is an instance of a model class of the file (through `.cuda()`, `.to(device)`,
    /// `torch.compile(...)`, names set to such values, and a helper's parameter its callers give one).
    func isModel(_ node: Node, _ classes: Set<String>, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 6 else { return false }
        let node = facts.unparenthesized(node)
        switch node.type {
        case "call":
            let call = facts.callSite(node)
            if call.receiver == nil, !call.callee.contains("." as Character), classes.contains(call.callee) { return true }
            if call.name == "compile", let inner = call.positional.first { return isModel(inner, classes, facts, depth: depth + 1) }
            if ["cuda", "to", "cpu", "train", "eval", "bfloat16", "half", "float"].contains(call.name), let inner = receiver(call) {
                return isModel(inner, classes, facts, depth: depth + 1)
            }
            return false
        case "identifier":
            // A helper's parameter (a precision plugin's `convert(net)`): the models its callers pass.
            if facts.parameterOwner(of: node) != nil,
               facts.callerArguments(of: node).contains(where: { isModel($0, classes, facts, depth: depth + 1) }) { return true }
            return facts.assignments(around: node).filter { $0.type == "assignment" }.flatMap { facts.assignedNames($0) }
                .contains { $0.name == node.text && $0.value.map { v in v != node && isModel(v, classes, facts, depth: depth + 1) } == true }
        default:
            return false
        }
    }

    func castsEmbeddings(_ cast: CallSite, _ receiver: Node, _ model: ModelView, _ facts: PythonFacts) -> Bool {
        guard let root = PythonFacts.rootIdentifier(receiver) else { return isEmbedding(receiver, model, facts) }
        // A policy table's rows: every row that casts to 16 bits names an embedding class.
        if let rows = policyRows(cast, facts) {
            let halves = rows.filter { isHalfDtype($0.dtype, facts) }
            return !halves.isEmpty && halves.allSatisfy { row in
                let qualified = facts.imports.qualifiedName(of: row.kind) ?? row.kind.text
                return qualified == "torch.nn.Embedding" || isEmbeddingClass(qualified.lastDottedComponent, facts)
            }
        }
        // A dtype looked up by the module's class name: only the classes whose entry is 16-bit are cast.
        if let classes = halfClassesByType(cast, module: root, facts), !classes.isEmpty,
           classes.allSatisfy({ isEmbeddingClass($0.lastDottedComponent, facts) }) {
            return true
        }
        // Under isinstance(root, nn.Embedding).
        for ancestor in facts.ancestors(of: cast.node) {
            if ancestor.type == "function_definition" || ancestor.type == "class_definition" {
                // `@to_storage.register` over `def _(m: nn.Embedding): return m.bfloat16()`: the overload of a
                // `functools.singledispatch` function runs only for embeddings (`model.apply(to_storage)`).
                if let overload = facts.singledispatchOverload(ancestor), overload.parameter == root,
                   !overload.classes.isEmpty, overload.classes.allSatisfy({ isEmbeddingClass($0.name, facts) }) {
                    return true
                }
                break
            }
            // match root: case nn.Embedding(): root.bfloat16()
            if ancestor.type == "case_clause", let statement = ancestor.parent?.parent, statement.type == "match_statement",
               statement.child(byField: "subject").flatMap(PythonFacts.rootIdentifier) == root {
                let tested = MatchStatement.classesTested(by: ancestor)
                if !tested.isEmpty, tested.allSatisfy({ $0.lastDottedComponent == "Embedding" }) { return true }
            }
            // `isinstance(m, nn.Embedding) and m.bfloat16()`: the cast runs only when the left side holds.
            if ancestor.type == "boolean_operator", ancestor.child(byField: "operator")?.type == "and",
               let left = ancestor.child(byField: "left"), let right = ancestor.child(byField: "right"), facts.isInside(cast.node, right),
               testsEmbedding(left, root, facts) {
                return true
            }
            guard ancestor.type == "if_statement" || ancestor.type == "conditional_expression" else { continue }
            let condition = ancestor.type == "if_statement" ? ancestor.child(byField: "condition") : ancestor.namedChildren.dropFirst().first
            if let condition, testsEmbedding(condition, root, facts) { return true }
        }
        // After a guard leaving for other modules (`if not isinstance(m, nn.Embedding): continue`, then `m.bfloat16()`).
        if facts.conditionsHeld(at: cast.node).contains(where: { testsEmbedding($0, root, facts) }) { return true }
        if isEmbedding(receiver, model, facts) { return true }
        // for table in (model.embed, *model.value_embeds): ...
        for loop in facts.enclosingLoops(cast.node) where facts.loopVariables(loop) == [root] {
            guard let iterable = loop.child(byField: "right") else { continue }
            let items = ["tuple", "list"].contains(facts.unparenthesized(iterable).type) ? facts.unparenthesized(iterable).namedChildren : [iterable]
            if !items.isEmpty, items.allSatisfy({ isEmbedding($0.type == "list_splat" ? ($0.namedChild(0) ?? $0) : $0, model, facts) }) {
                return true
            }
        }
        return false
    }

    /// The rows of a policy table a module cast reads: the cast's dtype is a variable of a loop over a table's
    /// `.items()` (`for kind, dtype in policy.items():`, the table written out or handed to the helper by its callers,
    /// see `PythonFacts.loopRows`) and the cast runs under `isinstance(m, kind)` with the loop's other variable:
    /// each row's class and dtype. Nil for any other cast.
    func policyRows(_ cast: CallSite, _ facts: PythonFacts) -> [(kind: Node, dtype: Node)]? {
        guard let given = (cast.keywords["dtype"] ?? cast.positional.last).map(facts.unwrapped), given.type == "identifier",
              let target = receiver(cast).flatMap(PythonFacts.rootIdentifier),
              let loop = facts.bindingLoop(of: given.text, at: given), let rows = facts.loopRows(loop) else { return nil }
        let variables = facts.loopVariables(loop)
        // The class variable an `isinstance(m, kind)` test around the cast reads.
        var kindVariable: String?
        for test in facts.holdingConditions(cast.node) where facts.isInside(test, loop) {
            for n in [test] + facts.descendants(of: test) where n.type == "call" {
                let check = facts.callSite(n)
                guard check.callee == "isinstance", check.positional.count == 2, check.positional[0].text == target,
                      case let kind = facts.unwrapped(check.positional[1]), kind.type == "identifier", variables.contains(kind.text),
                      kind.text != given.text else { continue }
                kindVariable = kind.text
            }
        }
        guard let kindVariable else { return nil }
        let read = rows.compactMap { row -> (kind: Node, dtype: Node)? in
            guard let kind = row.names[kindVariable], let dtype = row.names[given.text] else { return nil }
            return (facts.unwrapped(kind), facts.unwrapped(dtype))
        }
        return read.count == rows.count ? read : nil
    }

    /// `isinstance(name, nn.Embedding)` (or a tuple of embedding classes, also one a setting holds) inside a condition, not negated (the
    /// condition may be the test itself, as a guard's negated test is, see `PythonFacts.conditionsHeld`).
    func testsEmbedding(_ condition: Node, _ name: String, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: condition).contains { n in
            guard n.type == "call", n == condition || n.parent?.type != "not_operator" else { return false }
            let call = facts.callSite(n)
            guard call.callee == "isinstance", call.positional.count == 2, call.positional[0].text == name else { return false }
            // The classes written in the test, or held by what it reads (`isinstance(m, POLICY.kinds)` with the field's
            // default `(nn.Embedding,)`, see `PythonFacts.origins`).
            let written = facts.unwrapped(call.positional[1])
            let held = written.type == "tuple" ? [written] : facts.origins(of: written).map(facts.unwrapped)
            let kinds = (held.isEmpty ? [written] : held).flatMap { $0.type == "tuple" ? $0.namedChildren.filter { $0.type != "comment" } : [$0] }
            return !kinds.isEmpty && kinds.allSatisfy { kind in
                let qualified = facts.imports.qualifiedName(of: kind) ?? kind.text
                return qualified == "torch.nn.Embedding" || facts.classes.contains { $0.name == qualified && $0.bases.contains("torch.nn.Embedding") }
            }
        }
    }

    /// `Embedding`, or a class of the file derived from `torch.nn.Embedding`.
    func isEmbeddingClass(_ name: String, _ facts: PythonFacts) -> Bool {
        name == "Embedding" || facts.classes.contains { $0.name == name && $0.bases.contains("torch.nn.Embedding") }
    }

    /// Whether a reference is an embedding table or a container of embedding tables.
    func isEmbedding(_ node: Node, _ model: ModelView, _ facts: PythonFacts) -> Bool {
        guard let name = facts.ownerName(of: node) else { return false }
        if model.embeddingNames.contains(name) { return true }
        return facts.allSettings.settings(name).contains { setting in
            guard setting.source != .parameterDefault, let container = facts.constructorCall(setting.value),
                  ["ModuleList", "ModuleDict", "Sequential"].contains(container.name) else { return false }
            let inner = facts.descendants(of: setting.value).filter { $0.type == "call" }.map { facts.callSite($0) }
            return inner.contains(where: facts.isEmbeddingConstructor)
        }
    }
}
