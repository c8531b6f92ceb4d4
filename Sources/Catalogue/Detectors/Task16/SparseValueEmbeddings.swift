import TreeSitterKit

/// `sparse_value_embeddings`: value embeddings feed only the first and the last layers; a contiguous middle run
/// of layers gets none.
///
/// Requires a layer-to-value-embedding mapping that gives something to both ends and nothing to a middle run:
/// a list literal `[ve0, ve1, ve2, None, ..., None, ve0, ve1, ve2]` (or `[*ve, *[None] * n, *ve]`), a
/// concatenation `ve + [None] * n + ve` (of tables or of table indices, `[0, 1, 2] + [None] * 6 + [0, 1, 2]`), a
/// dict from layer index to table whose keys skip a middle run (also built by dictionary comprehensions over ranges,
/// in one piece or with `.update(...)`), or `ve[i] if i < k or i >= n - k else None` (also as a chain, `ve[i] if i < k
/// else (ve[i - n + k] if i >= n - k else None)`), or a layout string
/// (`"012......012"`, or built from constants: `"012" + "." * 6 + "012"`) whose placeholder a comprehension reads as None
/// (`None if c == "." else ...`, or `tables.get(c)` on a dictionary keyed by the digits only), or a comprehension over the layers whose
/// element the interpreter computes as a table index or None (`[cfg.table_of(i) for i in range(n_layer)]`, also a walk of
/// per-layer slots choosing a lookup or None, `[looked_up[t] if t >= 0 else None for t in slots]`), or a
/// per-layer list filled by appends in a loop whose `None` entries make a middle run, or one made all None and
/// written by index or by slice (`slots = [None] * len(model.blocks)`, then `slots[k] = k` in a loop, or
/// `slots[:3] = lookups` and `slots[-3:] = lookups`, the interpreter keeping the list's length when the written items
/// are tensors it cannot compute; see `sparseFilledLayers`),
/// or layers held as numbered attributes
/// and called one statement each (`PythonFacts.numberedLayerCalls`) passing, in one place, a token-table lookup at both
/// ends and `None` in a middle run (`x = self.layer3(x, None, ...)`, see `sparseUnrolledLayers`);
/// the file must hold embedding tables (modules, or tensors a functional model looks tokens up in, `F.embedding(idx,
/// w)`), and test for the missing value (`is None` / `is not None`) so the
/// middle layers skip the mix. Rejects value embeddings in every layer (U-net mirrored, tiled), and `None`
/// entries replaced by zeros (`torch.zeros_like(...) if ve is None else ve`) that are still mixed. Examples:
/// `queries/python/sparse_value_embeddings/examples/`.
struct SparseValueEmbeddings: Detector {
    let id = "sparse_value_embeddings"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        // Embedding tables: built as modules, or a functional model's tensors looked up by token ids
        // (`F.embedding(idx, w)`, `params["wte"][idx]`).
        guard facts.calls.contains(where: facts.isEmbeddingConstructor) || !facts.model().embeddingLookupNodes.isEmpty,
              facts.nodes.contains(where: { isNoneTest($0) }),
              !facts.nodes.contains(where: { fillsZeros($0, facts) }) else { return [] }
        var evidence: [Evidence] = []
        for node in facts.nodes {
            let mapping: Bool
            switch node.type {
            case "list", "tuple": mapping = sparseList(node, facts)
            case "binary_operator": mapping = node.parent?.type != "binary_operator" && sparseConcatenation(node, facts)
            case "dictionary": mapping = sparseDictionary(node, facts)
            case "conditional_expression": mapping = sparseCondition(node) || sparseConditionChain(node, facts)
            default: mapping = false
            }
            if mapping { evidence.append(facts.evidence(node, "value embeddings at the first and last layers only, None in between")) }
        }
        // A layout string, one character per layer: a table's digit or a placeholder for none (`"012......012"`,
        // also built from constants, `"012" + "." * 6 + "012"`, see `PythonFacts.foldedString`), read by a
        // comprehension that maps the placeholder to None.
        for string in facts.nodes(ofType: ["string", "binary_operator"]) {
            guard string.type == "string" || string.parent?.type != "binary_operator",
                  let text = string.type == "string" ? SettingsTable.stringValue(string) : facts.foldedString(string),
                  isSparseLayout(text), readsPlaceholderAsNone(text, facts) else { continue }
            evidence.append(facts.evidence(string, "layer layout string with tables at both ends and none in between"))
        }
        if evidence.isEmpty, let built = sparseComprehensions(facts) {
            evidence.append(facts.evidence(built, "value embeddings at the first and last layers only (layer map built by comprehensions)"))
        }
        if evidence.isEmpty, let appended = sparseAppendedLayers(facts) {
            evidence.append(facts.evidence(appended, "per-layer list built by appends: tables at the first and last layers, None in between"))
        }
        if evidence.isEmpty, let filled = sparseFilledLayers(facts) {
            evidence.append(facts.evidence(filled, "per-layer list of None written by index: tables at the first and last layers, None in between"))
        }
        if evidence.isEmpty, let computed = sparseLayerSlots(facts) {
            evidence.append(facts.evidence(computed, "table index computed per layer: the first and last layers only, None in between"))
        }
        if evidence.isEmpty, let unrolled = sparseUnrolledLayers(facts) {
            evidence.append(facts.evidence(unrolled, "layers called one by one: tables at the first and last layers, None in between"))
        }
        return evidence
    }

    /// Layers held as numbered attributes and called one statement each (`PythonFacts.numberedLayerCalls`: `x =
    /// self.layer0(x, ve0, ...)`, `x = self.layer3(x, None, ...)`, ...): in one place of the calls each layer passes
    /// either a token-table lookup (`TokenTableFlow.carries`) or `None`, with lookups at both ends and `None` in a
    /// middle run. The first call passing `None`, the site. Nil when some layer passes anything else there.
    func sparseUnrolledLayers(_ facts: PythonFacts) -> Node? {
        let groups = facts.numberedLayerCalls
        guard !groups.isEmpty else { return nil }
        let tables = facts.tokenTables
        for group in groups {
            for column in group.columns {
                var present: [Bool] = []
                for argument in column {
                    guard let argument else { break }
                    if facts.unwrapped(argument).type == "none" {
                        present.append(false)
                    } else if tables.carries(argument) {
                        present.append(true)
                    } else {
                        break
                    }
                }
                guard present.count == group.calls.count, endsOnly(present), let gap = present.firstIndex(of: false) else { continue }
                return group.calls[gap].node
            }
        }
        return nil
    }

    /// A per-layer list of table indices computed by a comprehension over the layers (`[cfg.table_of(i) for i in
    /// range(cfg.n_layer)]`, the element a helper of the file with early returns, `return i if i < k else ...
    /// None`): the interpreter evaluates the element for every layer; each must be a table index or None, with
    /// indices at both ends and None in a middle run. The comprehension may also walk a per-layer list of slots
    /// and choose between a lookup and None (`[looked_up[t] if t >= 0 else None for t in self.layer_to_table]`, the
    /// slots `-1` in the middle): see `slotPresence`. A sentinel slot never mapped to None (`-1` read as
    /// `looked_up[-1]`, the last table) is no gap.
    func sparseLayerSlots(_ facts: PythonFacts) -> Node? {
        let interpreter = ScriptInterpreter(facts)
        let tables = facts.tokenTables
        for node in facts.nodes where ["list_comprehension", "generator_expression"].contains(node.type) {
            let clauses = node.namedChildren.filter { ["for_in_clause", "if_clause"].contains($0.type) }
            guard clauses.count == 1, clauses[0].type == "for_in_clause", let body = node.child(byField: "body"),
                  let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
                  let iterable = clauses[0].child(byField: "right"),
                  case .tuple(let items)? = interpreter.value(of: iterable), (4...256).contains(items.count) else { continue }
            var present: [Bool] = []
            for item in items {
                // A slot is a table index or None (a YAML layout's `null`, tested `slot is None`).
                guard item.number != nil || item == .none,
                      let entry = slotPresence(body, [variable.text: item], interpreter, tables, facts) else { break }
                present.append(entry)
            }
            if present.count == items.count, endsOnly(present) { return node }
        }
        return nil
    }

    /// Whether a comprehension's element gives a layer something, with the loop variable bound (`bindings`): false for
    /// None, true for a table index (a whole number >= 0) computed by the interpreter; for a choice it cannot compute
    /// as either (`looked_up[t] if t >= 0 else None`), the branch its test picks, a token-table lookup
    /// (`TokenTableFlow.carries`: `looked_up = [table(ids) for table in self.tables]`) counting as present. Nil when
    /// the element is anything else.
    func slotPresence(_ element: Node, _ bindings: [String: ScriptValue], _ interpreter: ScriptInterpreter,
                      _ tables: TokenTableFlow, _ facts: PythonFacts) -> Bool? {
        let node = facts.unwrapped(element)
        if node.type == "none" { return false }
        // Something computed other than None or a number (a tensor the interpreter only knows is there) is told by
        // the branch and the lookup below.
        if let entry = interpreter.value(of: node, env: bindings) {
            if case .none = entry { return false }
            if let k = entry.number { return k >= 0 && k == k.rounded() ? true : nil }
        }
        if let parts = facts.conditionalParts(node), let test = interpreter.value(of: parts.test, env: bindings) {
            return slotPresence(test.truthy ? parts.value : parts.alternative, bindings, interpreter, tables, facts)
        }
        return tables.carries(node) ? true : nil
    }

    /// A per-layer list filled by `append` in a loop over the layers, `None` for the layers that get no table
    /// (`for layer in range(n): if layer < k: out.append(ve[layer]) elif ...: ... else: out.append(None)`): the
    /// interpreter runs the block that fills it (appended tensors count as present) and the list must hold
    /// something at both ends and None in a middle run.
    func sparseAppendedLayers(_ facts: PythonFacts) -> Node? {
        let interpreter = ScriptInterpreter(facts)
        var tried = Set<Node>()
        for call in facts.calls where call.name == "append" && call.positional.count == 1 && call.positional[0].type == "none" {
            guard let receiver = call.receiver, receiver.type == "identifier",
                  let literal = facts.latestValue(of: receiver.text, before: call.node),
                  let statement = interpreter.grownList(receiver.text, from: literal, before: call.node),
                  tried.insert(statement).inserted,
                  case .tuple(let items)? = interpreter.finalList(receiver.text, assignedBy: statement),
                  (4...256).contains(items.count) else { continue }
            let present = items.map(layerPresence)
            if !present.contains(nil), endsOnly(present.map { $0! }) { return statement }
        }
        return nil
    }

    /// What an entry of a per-layer list the interpreter ran gives its layer: nothing for None, something for a
    /// table index (a whole number >= 0) or a value it cannot compute (a table, a lookup); nil for anything else.
    func layerPresence(_ item: ScriptValue) -> Bool? {
        switch item {
        case .none: return false
        case .opaque: return true
        case .number(let k): return k >= 0 && k == k.rounded() ? true : nil
        default: return nil
        }
    }

    /// A per-layer list made with every entry None and then written by index (`self.slot_of_layer = [None] * n` with
    /// `n = len(model.blocks)`, then `self.slot_of_layer[k] = k` and `self.slot_of_layer[n - 3 + k] = k` in a loop
    /// over the tables; also `[None for _ in range(n)]`, a name or a field): the interpreter runs the writes
    /// (`ScriptInterpreter.filledList`, the layer count read from the model's module list or the config) and the
    /// list must hold something at both ends and None in a middle run (`layerPresence`). A list written at every
    /// layer, or made of zeros, is no gap.
    func sparseFilledLayers(_ facts: PythonFacts) -> Node? {
        let interpreter = ScriptInterpreter(facts)
        for assignment in facts.nodes(ofType: "assignment") {
            guard let left = assignment.child(byField: "left"), left.type == "identifier" || left.type == "attribute",
                  let value = assignment.child(byField: "right"), isNoneFill(value, facts),
                  case .tuple(let items)? = interpreter.filledList(left.text, madeBy: value),
                  (4...256).contains(items.count) else { continue }
            let present = items.map(layerPresence)
            if !present.contains(nil), endsOnly(present.map { $0! }) { return assignment }
        }
        return nil
    }

    /// A list made with every entry None: `[None] * n` and the other forms of `isNoneSegment`, or `[None for _ in
    /// range(n)]`.
    func isNoneFill(_ value: Node, _ facts: PythonFacts) -> Bool {
        let node = facts.unparenthesized(value)
        if node.type == "list_comprehension" {
            return node.child(byField: "body").map { facts.unwrapped($0).type == "none" } == true
                && !node.namedChildren.contains { $0.type == "if_clause" }
        }
        return isNoneSegment(node, facts)
    }

    /// A layer -> table dictionary built from comprehensions over ranges, in one piece or with `.update(...)`
    /// (`m = {i: i for i in range(3)}; m.update({L - 3 + i: i for i in range(3)})`): the interpreter evaluates
    /// each key for every value of the loop variable, and the keys of one container must skip a middle run.
    func sparseComprehensions(_ facts: PythonFacts) -> Node? {
        let interpreter = ScriptInterpreter(facts)
        var keysByContainer: [String: (keys: [Int], site: Node)] = [:]
        for node in facts.nodes(ofType: "dictionary_comprehension") {
            // Which container the comprehension fills: `m = {...}` or `m.update({...})`.
            var container: Node?
            if let parent = node.parent, parent.type == "assignment", parent.child(byField: "right") == node {
                container = parent.child(byField: "left")
            } else if let list = node.parent, list.type == "argument_list", let call = list.parent, call.type == "call",
                      facts.callSite(call).name == "update" {
                container = facts.callSite(call).receiver
            }
            guard let container, let pair = node.namedChildren.first, pair.type == "pair", let key = pair.child(byField: "key"),
                  let value = pair.child(byField: "value"), value.type != "none",
                  let clause = node.namedChildren.first(where: { $0.type == "for_in_clause" }),
                  let variable = clause.child(byField: "left"), variable.type == "identifier",
                  let iterable = clause.child(byField: "right"),
                  case .tuple(let items)? = interpreter.value(of: iterable), items.count <= 256 else { continue }
            var keys: [Int] = []
            for item in items {
                guard let v = item.number, let k = interpreter.number(key, bindings: [variable.text: v]), k == k.rounded(), abs(k) < 1e6 else { keys = []; break }
                keys.append(Int(k))
            }
            guard !keys.isEmpty else { continue }
            let name = facts.compact(container)
            keysByContainer[name, default: ([], node)].keys += keys
        }
        for (_, entry) in keysByContainer {
            let sorted = Set(entry.keys).sorted()
            let gaps = zip(sorted, sorted.dropFirst()).filter { $1 - $0 > 1 }
            if sorted.count >= 2, sorted.first == 0, gaps.count == 1 { return entry.site }
        }
        return nil
    }

    /// `x is None` / `x is not None`.
    func isNoneTest(_ node: Node) -> Bool {
        guard node.type == "comparison_operator" else { return false }
        return node.children.contains { ["is", "is not"].contains($0.type) } && node.namedChildren.contains { $0.type == "none" }
    }

    /// `zeros if x is None else x` (or the reverse): a missing value replaced by zeros.
    func fillsZeros(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard node.type == "conditional_expression" else { return false }
        let parts = node.namedChildren
        guard parts.count == 3, isNoneTest(facts.unparenthesized(parts[1])) else { return false }
        return [parts[0], parts[2]].contains { part in
            part.type == "call" && ["zeros", "zeros_like", "new_zeros"].contains(facts.callSite(part).name)
        }
    }

    /// A value that is a table or tensor reference, not a constant.
    func isValue(_ node: Node) -> Bool {
        !["none", "integer", "float", "string", "true", "false", "list", "tuple", "dictionary"].contains(node.type)
    }

    /// An entry of a layer layout: a table (a name, an element) or a table's index (`[0, 1, 2] + [None] * 6 +
    /// [0, 1, 2]`, read as `tables[j] for j in layout`).
    func isEntry(_ node: Node) -> Bool { isValue(node) || node.type == "integer" }

    /// Digits at both ends and one placeholder character (not a digit) in a run between them, e.g. `012......012`.
    func isSparseLayout(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count >= 6, characters.allSatisfy({ !$0.isWhitespace }) else { return false }
        let placeholders = Set(characters.filter { !$0.isNumber })
        guard placeholders.count == 1 else { return false }
        return endsOnly(characters.map(\.isNumber))
    }

    /// Whether the file reads the placeholder of a layout as "no table": `None if c == "." else int(c)`, or a lookup
    /// that misses it, `tables.get(c)` (no default, or None) in a comprehension over `c`, on a dictionary whose keys
    /// leave the placeholder out (see `keysExclude`: `{k: ... for k in LAYOUT if k.isdigit()}`).
    func readsPlaceholderAsNone(_ layout: String, _ facts: PythonFacts) -> Bool {
        guard let placeholder = layout.first(where: { !$0.isNumber }) else { return false }
        let tested = facts.nodes(ofType: "conditional_expression").contains { conditional in
            let parts = conditional.namedChildren
            guard parts.count == 3, parts[0].type == "none" || parts[2].type == "none" else { return false }
            return facts.descendants(of: parts[1]).contains { SettingsTable.stringValue($0) == String(placeholder) }
        }
        if tested { return true }
        return facts.nodes(ofType: ["list_comprehension", "generator_expression"]).contains { comprehension in
            guard let body = comprehension.child(byField: "body").map(facts.unwrapped), body.type == "call",
                  let clause = comprehension.namedChildren.first(where: { $0.type == "for_in_clause" }),
                  let variable = clause.child(byField: "left"), variable.type == "identifier" else { return false }
            let call = facts.callSite(body)
            guard call.name == "get", let table = call.receiver, call.positional.first?.text == variable.text,
                  call.positional.count == 1 || (call.positional.count == 2 && call.positional[1].type == "none") else { return false }
            return keysExclude(String(placeholder), table, facts, depth: 0)
        }
    }

    /// Whether the keys of a dictionary leave out `placeholder`: a literal whose keys are other strings, or a
    /// comprehension keyed by its loop variable over items that leave it out (see `itemsExclude`). A name is followed
    /// to what it was last given, a field of the instance to what it is set to (every setting must qualify). `depth`
    /// counts the names and fields followed (up to 4; so does it in `itemsExclude` and `sourceExcludes`), not the
    /// expressions walked inside one definition, which end with the tree (`self.keys = sorted({c for c in LAYOUT if
    /// c.isdigit()})`, read through `{k: ... for k in self.keys}`, is several of those deep).
    func keysExclude(_ placeholder: String, _ table: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 4 else { return false }
        let n = facts.unwrapped(table)
        switch n.type {
        case "identifier", "attribute":
            let values = definitions(n, facts)
            return !values.isEmpty && values.allSatisfy { keysExclude(placeholder, $0, facts, depth: depth + 1) }
        case "dictionary":
            let entries = n.namedChildren.filter { $0.type != "comment" }
            return !entries.isEmpty && entries.allSatisfy { pair in
                pair.type == "pair" && pair.child(byField: "key").flatMap(SettingsTable.stringValue).map { $0 != placeholder } == true
            }
        case "dictionary_comprehension":
            guard let pair = n.namedChildren.first, pair.type == "pair", let key = pair.child(byField: "key"),
                  key.type == "identifier" else { return false }
            return itemsExclude(placeholder, n, variable: key.text, facts, depth: depth)
        default:
            return false
        }
    }

    /// Whether the values a comprehension's loop `variable` takes leave out `placeholder`: an `if` clause drops it
    /// (`c.isdigit()`, `c != "."`, `c not in "."`), or the loop walks a source that holds no placeholder (see
    /// `sourceExcludes`).
    func itemsExclude(_ placeholder: String, _ comprehension: Node, variable: String, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 4 else { return false }
        let clauses = comprehension.namedChildren.filter { $0.type == "for_in_clause" }
        guard clauses.count == 1, let left = clauses[0].child(byField: "left"), left.type == "identifier", left.text == variable,
              let source = clauses[0].child(byField: "right") else { return false }
        for filter in comprehension.namedChildren where filter.type == "if_clause" {
            guard let test = filter.namedChildren.first.map(facts.unwrapped) else { continue }
            if test.type == "call" {
                let call = facts.callSite(test)
                if ["isdigit", "isdecimal", "isnumeric"].contains(call.name), call.receiver?.text == variable { return true }
            } else if test.type == "comparison_operator" {
                let operands = test.namedChildren.filter { $0.type != "comment" }
                let operators = test.children.filter { ["!=", "not in"].contains($0.type) }
                guard operands.count == 2, operators.count == 1, operands.contains(where: { $0.text == variable }),
                      let excluded = operands.first(where: { $0.text != variable }).flatMap(SettingsTable.stringValue) else { continue }
                let dropped = operators[0].type == "!=" ? excluded == placeholder : excluded.contains(where: { String($0) == placeholder })
                if dropped { return true }
            }
        }
        return sourceExcludes(placeholder, source, facts, depth: depth)
    }

    /// Whether an iterable holds no `placeholder`: a literal list, tuple or set of other strings, `sorted` / `list` /
    /// `set` / `tuple` of such a source, or a comprehension that yields its own loop variable over items that leave
    /// it out; names and fields followed as in `keysExclude`.
    func sourceExcludes(_ placeholder: String, _ source: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 4 else { return false }
        let n = facts.unwrapped(source)
        switch n.type {
        case "identifier", "attribute":
            let values = definitions(n, facts)
            return !values.isEmpty && values.allSatisfy { sourceExcludes(placeholder, $0, facts, depth: depth + 1) }
        case "list", "tuple", "set":
            let items = n.namedChildren.filter { $0.type != "comment" }
            return !items.isEmpty && items.allSatisfy { SettingsTable.stringValue($0).map { $0 != placeholder } == true }
        case "call":
            let call = facts.callSite(n)
            guard ["sorted", "list", "set", "tuple", "frozenset"].contains(call.callee), let inner = call.positional.first else { return false }
            return sourceExcludes(placeholder, inner, facts, depth: depth)
        case "list_comprehension", "set_comprehension", "generator_expression":
            guard let body = n.child(byField: "body").map(facts.unwrapped), body.type == "identifier" else { return false }
            return itemsExclude(placeholder, n, variable: body.text, facts, depth: depth)
        default:
            return false
        }
    }

    /// What a name was last given before its read, or what a field of the instance is set to.
    func definitions(_ node: Node, _ facts: PythonFacts) -> [Node] {
        if node.type == "identifier" { return facts.latestValue(of: node.text, before: node).map { [$0] } ?? [] }
        guard let field = facts.instanceAttribute(node) else { return [] }
        return facts.allSettings.settings(field).map(\.value)
    }

    /// Whether a sequence of present/absent flags reads present+, absent+, present+.
    func endsOnly(_ present: [Bool]) -> Bool {
        guard let first = present.first, let last = present.last, first, last else { return false }
        guard let start = present.firstIndex(of: false), let end = present.lastIndex(of: false) else { return false }
        return present[start...end].allSatisfy { !$0 }
    }

    func sparseList(_ node: Node, _ facts: PythonFacts) -> Bool {
        let items = node.namedChildren.filter { $0.type != "comment" }
        guard items.count >= 3, items.allSatisfy({ $0.type == "none" || isEntry($0) }),
              items.contains(where: { $0.type == "none" || $0.type == "list_splat" }) else { return false }
        // `*([None] * 6)` spreads absent entries.
        let present = items.map { item in
            item.type != "none" && !(item.type == "list_splat" && item.namedChild(0).map { isNoneSegment($0, facts) } == true)
        }
        return (items.count >= 4 || items.contains { $0.type == "list_splat" }) && endsOnly(present)
    }

    /// `a + [None] * n + b` with value lists or tuples (or names) at both ends.
    func sparseConcatenation(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard node.child(byField: "operator")?.type == "+" else { return false }
        let parts = facts.addends(node)
        guard parts.count >= 3 else { return false }
        var present: [Bool] = []
        for part in parts {
            if isNoneSegment(part, facts) {
                present.append(false)
            } else if part.type == "list" || part.type == "tuple" {
                let items = part.namedChildren
                guard !items.isEmpty, items.allSatisfy(isEntry) else { return false }
                present.append(true)
            } else if ["identifier", "attribute", "subscript", "call"].contains(part.type) {
                present.append(true)
            } else {
                return false
            }
        }
        return endsOnly(present)
    }

    /// `[None] * n`, `n * [None]`, `[None, None, ...]`, also with tuples (`(None,) * n`).
    func isNoneSegment(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let node = facts.unparenthesized(node)
        if node.type == "identifier", depth < 3, let value = facts.latestValue(of: node.text, before: node) {
            return isNoneSegment(value, facts, depth: depth + 1)
        }
        if node.type == "list" || node.type == "tuple" { return !node.namedChildren.isEmpty && node.namedChildren.allSatisfy { $0.type == "none" } }
        guard node.type == "binary_operator", node.child(byField: "operator")?.type == "*",
              let left = node.child(byField: "left"), let right = node.child(byField: "right") else { return false }
        return isNoneSegment(left, facts, depth: depth + 1) || isNoneSegment(right, facts, depth: depth + 1)
    }

    /// `{0: 0, 1: 1, 2: 2, 9: 0, 10: 1, 11: 2}`: layer indices with a gap in the middle.
    func sparseDictionary(_ node: Node, _ facts: PythonFacts) -> Bool {
        let pairs = node.namedChildren.filter { $0.type == "pair" }
        guard pairs.count >= 2 else { return false }
        var keys: [Int] = []
        for pair in pairs {
            guard let key = pair.child(byField: "key"), let value = pair.child(byField: "value"), value.type != "none",
                  case .int(let k)? = facts.value(of: key) else { return false }
            keys.append(k)
        }
        let sorted = Set(keys).sorted()
        let gaps = zip(sorted, sorted.dropFirst()).filter { $1 - $0 > 1 }
        return sorted.first == 0 && gaps.count == 1
    }

    /// A chain `ve[i] if i < k else (ve[i - (n - k)] if i >= n - k else None)` (the two tests in either order): each
    /// branch a per-layer lookup whose index its test compares, one test a front bound on that index (`i < k`), the
    /// other a back bound (`i >= n - k`), and None when neither holds.
    func sparseConditionChain(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard let outer = facts.conditionalParts(node),
              let inner = facts.conditionalParts(facts.unwrapped(outer.alternative)), inner.alternative.type == "none" else { return false }
        // The layer variable: what the loops, comprehensions or lambda around the chain bind.
        var layer: Set<String> = []
        for a in facts.ancestors(of: node) {
            if ["function_definition", "class_definition"].contains(a.type) { break }
            if a.type == "lambda" {
                layer.formUnion(a.child(byField: "parameters").map { facts.descendants(of: $0).filter { $0.type == "identifier" }.map(\.text) } ?? [])
                break
            }
            if a.type == "for_statement" { layer.formUnion(facts.loopVariables(a)) }
            if ["list_comprehension", "generator_expression", "dictionary_comprehension", "set_comprehension"].contains(a.type) {
                for clause in a.namedChildren where clause.type == "for_in_clause" { layer.formUnion(facts.loopVariables(clause)) }
            }
        }
        var bounds: Set<String> = []
        for (value, test) in [(outer.value, outer.test), (inner.value, inner.test)] {
            let lookup = facts.unwrapped(value)
            guard lookup.type == "subscript", let index = lookup.child(byField: "subscript") else { return false }
            let indexNames = Set(index.preorder.filter { $0.type == "identifier" }.map(\.text))
            guard let bound = indexBound(facts.unwrapped(test), layer.isEmpty ? indexNames : indexNames.intersection(layer))
            else { return false }
            bounds.insert(bound)
        }
        return bounds == ["front", "back"]
    }

    /// `"front"` for `i < k` / `i <= k` / `k > i`, `"back"` for `i >= k` / `i > k` / `k <= i`, with `i` one of `names`.
    func indexBound(_ test: Node, _ names: Set<String>) -> String? {
        guard test.type == "comparison_operator" else { return nil }
        let operands = test.namedChildren.filter { $0.type != "comment" }
        let operators = test.children.filter { ["<", "<=", ">", ">="].contains($0.type) }
        guard operands.count == 2, operators.count == 1 else { return nil }
        let less = ["<", "<="].contains(operators[0].type)
        if operands[0].type == "identifier", names.contains(operands[0].text) { return less ? "front" : "back" }
        if operands[1].type == "identifier", names.contains(operands[1].text) { return less ? "back" : "front" }
        return nil
    }

    /// `x if i < a or i >= b else None`, `None if a <= i < b else x`.
    func sparseCondition(_ node: Node) -> Bool {
        let parts = node.namedChildren
        guard parts.count == 3 else { return false }
        let condition = parts[1]
        // The value is looked up per layer (`ve[i]`), with the index the condition tests.
        let lookup = parts[0].type == "none" ? parts[2] : parts[0]
        guard lookup.type == "subscript", let index = lookup.child(byField: "subscript") else { return false }
        let indexNames = Set(index.preorder.filter { $0.type == "identifier" }.map(\.text))
        guard condition.preorder.contains(where: { $0.type == "identifier" && indexNames.contains($0.text) }) else { return false }
        if parts[2].type == "none", isValue(parts[0]) {
            return condition.type == "boolean_operator" && condition.children.contains { $0.type == "or" }
                && condition.namedChildren.allSatisfy { $0.type == "comparison_operator" }
        }
        if parts[0].type == "none", isValue(parts[2]) {
            if condition.type == "comparison_operator" { return condition.namedChildren.count == 3 }
            return condition.type == "boolean_operator" && condition.children.contains { $0.type == "and" }
                && condition.namedChildren.allSatisfy { $0.type == "comparison_operator" }
        }
        return false
    }
}
