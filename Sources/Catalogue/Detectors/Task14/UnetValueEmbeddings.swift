import Parsing
import TreeSitterKit

/// `unet_value_embeddings`: value-embedding tables are shared by mirrored layers (layer i and layer L-1-i use the
/// same table), following the U-net pairing.
///
/// Reads the layer -> table mapping of token-table lookups (`TokenTableFlow`) in any of three forms: a list of
/// them built as `ve + reversed(ve)` / `ve + ve[::-1]` / `ve += reversed(ve)` (either side possibly a copy,
/// `list(ve) + list(reversed(ve))`, the reversal possibly cut to the decoder's length, `ve + ve[::-1][:n_dec]`), or
/// chained, `itertools.chain(ve, reversed(ve))` / an
/// explicit palindrome of
/// constant indices; loops over `range(n)` that pass `tables[f(i)]` to `blocks[g(i)]`, evaluated for every
/// iteration (a table index read from a list such as `slot = enc + enc[::-1]` included) and checked for
/// `table(l) == table(L-1-l)`, or, when the loop's count cannot be told (a depth parsed from a spec string), a table
/// index read from a per-layer route with the layer's own index (`layers[j](x, tables[route[j]])`, `route = [int(ch)
/// for ch in "012345543210"]`), the route being the mapping; or an index function of one variable that is symmetric
/// (`min(i, L-1-i)`, also a helper of the file run with the layer, `self.table_of(i)` with `L = len(self.layers)` read
/// through `StepFunction`) into a container of embedding tables, or a choice between reads of one container that is
/// (`tables[i] if i < n else tables[2 * n - 1 - i]`, the test run with the same variable; `tables[i - n]` in the
/// else branch is the same order and rejected). Rejects one table per layer, tables reused in the same
/// order (`ve + ve`, `012...012`), and mirrored skip connections alone. A container object of the file read as
/// `vi[layer]` (a `tuple` subclass, a class holding the tables in a field) gives the table its `__getitem__` reads
/// (`PythonFacts.itemPosition`), so `MirrorBank.__getitem__` mapping layer i >= n to 2n-1-i is the mirroring. Loops
/// that index a name set to a reordering of the tables (`mirrored = ves[::-1]`, then `blocks[n + i](x, mirrored[i])`)
/// read the tables at the places it gives them (`reorderedPlaces`). Loops that walk the layers and the tables side by
/// side (`zip(self.blocks[:n], ve)`, then `enumerate(zip(self.blocks[n:], ve[::-1]))`) give their pairs as places in
/// both containers (`zippedPairs`). Layers held as numbered attributes and called one statement each
/// (`PythonFacts.numberedLayerCalls`: `x = self.layer0(x, tv0, ...)` ... `x = self.layer11(x, tv0, ...)`) give the
/// lookup each passes in one place, told apart by the text of the value a passed name was last given (`tv0 = vrow[:, :,
/// 0 * d:1 * d]`, `ve0 = self.vtab0(ids)`), and are checked for the same mirroring (`unrolledLayers`). A decorator's
/// wrapper may build the list around the method returning the encoder's chunks: lookups reach it through its call of
/// the wrapped method (`TokenTableFlow.functionsCalled`). Examples:
/// `queries/python/unet_value_embeddings/examples/`.
struct UnetValueEmbeddings: Detector {
    let id = "unet_value_embeddings"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        let tables = facts.tokenTables
        if let site = mirroredList(facts, tables) { return [facts.evidence(site, "value embeddings listed as ve + reversed(ve)")] }
        if let site = mirroredLoops(facts, flow, tables) { return [facts.evidence(site, "decoder layers reuse the encoder tables in mirrored order")] }
        if let site = symmetricIndex(facts, flow, tables) { return [facts.evidence(site, "table index symmetric in the layer")] }
        if let site = unrolledLayers(facts, tables) { return [facts.evidence(site, "layers called one by one reuse the encoder tables in mirrored order")] }
        return []
    }

    // MARK: layers called one by one

    /// Layers held as numbered attributes and called one statement each (`PythonFacts.numberedLayerCalls`): in one
    /// place of the calls every layer passes a token-table lookup (`TokenTableFlow.carries`), each known by the text of
    /// what it passes (`PythonFacts.passedValue`: `tv5` with `tv5 = vrow[:, :, 5 * d:6 * d]`); layer l and layer L-1-l
    /// pass the same one, and at least two differ. The last call, the site. Nil for a layer passing no lookup (`None`),
    /// one table per layer, or tables reused in the same order.
    func unrolledLayers(_ facts: PythonFacts, _ tables: TokenTableFlow) -> Node? {
        for group in facts.numberedLayerCalls {
            for column in group.columns {
                var keys: [String] = []
                for argument in column {
                    guard let argument, tables.carries(argument) else { break }
                    keys.append(facts.compact(facts.passedValue(argument)))
                }
                let n = keys.count
                guard n == group.calls.count, n >= 4, Set(keys).count >= 2,
                      (0..<n).allSatisfy({ keys[$0] == keys[n - 1 - $0] }) else { continue }
                return group.calls[n - 1].node
            }
        }
        return nil
    }

    // MARK: ve + reversed(ve)

    func mirroredList(_ facts: PythonFacts, _ tables: TokenTableFlow) -> Node? {
        for node in facts.nodes {
            switch node.type {
            case "binary_operator" where node.child(byField: "operator")?.type == "+":
                guard let left = node.child(byField: "left"), let right = node.child(byField: "right") else { continue }
                if let reversed = reversedOperand(right, facts), sameSequence(reversed, left, facts), tables.carries(left) { return node }
                if isPalindrome(node, facts, tables) { return node }
            case "augmented_assignment" where node.child(byField: "operator")?.type == "+=":
                guard let left = node.child(byField: "left"), let right = node.child(byField: "right"),
                      let reversed = reversedOperand(right, facts), sameSequence(reversed, left, facts), tables.carries(left) else { continue }
                return node
            case "call":
                let call = facts.callSite(node)
                if call.name == "extend", let receiver = call.receiver, let argument = call.positional.first,
                   let reversed = reversedOperand(argument, facts), sameSequence(reversed, receiver, facts), tables.carries(receiver) {
                    return node
                }
                // itertools.chain(ve, reversed(ve)), also inside tuple(...) / list(...).
                if call.callee == "itertools.chain", !call.hasSplat, call.keywords.isEmpty, call.positional.count == 2,
                   let reversed = reversedOperand(call.positional[1], facts), sameSequence(reversed, call.positional[0], facts),
                   tables.carries(call.positional[0]) {
                    return node
                }
            case "list", "tuple":
                // [*ve, *reversed(ve)], also as a tuple: (*ve, *reversed(ve))
                let items = node.namedChildren
                if items.count == 2, items.allSatisfy({ $0.type == "list_splat" }), let a = items[0].namedChildren.first,
                   let b = items[1].namedChildren.first, let reversed = reversedOperand(b, facts),
                   sameSequence(reversed, a, facts), tables.carries(a) {
                    return node
                }
                if isPalindrome(node, facts, tables) { return node }
            default:
                continue
            }
        }
        return nil
    }

    /// `reversed(x)`, `list(reversed(x))`, `x[::-1]`, `x.flip(0)`: the x. Also a prefix of a reversal
    /// (`x[::-1][:n_dec]`): decoder layer i still shares the table of the encoder layer as far from the middle.
    func reversedOperand(_ node: Node, _ facts: PythonFacts) -> Node? {
        let n = facts.unwrapped(node)
        if n.type == "subscript", let value = n.child(byField: "value"), let slice = n.namedChildren.dropFirst().first,
           slice.type == "slice", slice.children.filter({ $0.type == ":" }).count == 1,
           slice.children.first?.type == ":", slice.namedChildren.count == 1 {
            return reversedOperand(value, facts)
        }
        if n.type == "call" {
            let call = facts.callSite(n)
            if call.callee == "reversed" { return call.positional.first }
            if ["list", "tuple"].contains(call.callee), let inner = call.positional.first { return reversedOperand(inner, facts) }
            return nil
        }
        if n.type == "subscript", let slice = n.namedChildren.dropFirst().first, slice.type == "slice",
           slice.namedChildren.count == 1, facts.value(of: slice.namedChildren[0])?.double == -1,
           slice.children.filter({ $0.type == ":" }).count == 2 {
            return n.namedChildren.first
        }
        return nil
    }

    /// Whether two operands hold the same sequence, a copy made with `list(x)`, `tuple(x)` or `[*x]` being its x
    /// (`list(ve) + list(reversed(ve))` with `ve` a tuple of chunks).
    func sameSequence(_ a: Node, _ b: Node, _ facts: PythonFacts) -> Bool {
        func copied(_ node: Node) -> Node {
            let n = facts.unwrapped(node)
            if n.type == "call", case let call = facts.callSite(n), ["list", "tuple"].contains(call.callee), call.positional.count == 1,
               call.keywords.isEmpty, let inner = call.positional.first {
                return copied(inner)
            }
            if ["list", "tuple"].contains(n.type), n.namedChildCount == 1, n.namedChildren[0].type == "list_splat",
               let inner = n.namedChildren[0].namedChildren.first {
                return copied(inner)
            }
            return n
        }
        return facts.compact(copied(a)) == facts.compact(copied(b))
    }

    /// A list (or `+` of lists) of `tables[k]` with constant k that reads the same backwards, with at least
    /// two tables; a `[None] * n` gap breaks it.
    func isPalindrome(_ node: Node, _ facts: PythonFacts, _ tables: TokenTableFlow) -> Bool {
        guard node.parent.map({ !($0.type == "binary_operator" && $0.child(byField: "operator")?.type == "+") }) ?? true else { return false }
        var items: [String] = []
        var base: String?
        func collect(_ n: Node) -> Bool {
            let n = facts.unwrapped(n)
            if n.type == "binary_operator", n.child(byField: "operator")?.type == "+",
               let l = n.child(byField: "left"), let r = n.child(byField: "right") { return collect(l) && collect(r) }
            guard n.type == "list" || n.type == "tuple" else { items.append("?"); return true }
            for item in n.namedChildren {
                guard item.type == "subscript", let b = item.namedChildren.first, let k = item.namedChildren.dropFirst().first,
                      let index = facts.value(of: k)?.double.asBoundedInt else { items.append("?"); continue }
                if base == nil { base = facts.compact(b) }
                guard base == facts.compact(b), tables.carries(b) else { return false }
                items.append(String(index))
            }
            return true
        }
        guard collect(node), items.count >= 4, !items.contains("?"), Set(items).count >= 2 else { return false }
        return items == items.reversed()
    }

    // MARK: loops

    func mirroredLoops(_ facts: PythonFacts, _ flow: Dataflow, _ tables: TokenTableFlow) -> Node? {
        // Layer calls `blocks[g(i)](..., tables[f(i)], ...)` inside `for i in range(n)`, grouped by function.
        var mappings: [Node: (mapping: [Int: (String, Double)], site: Node)] = [:]
        for loop in facts.nodes(ofType: "for_statement") {
            // Layers and tables walked side by side (`for block, vi in zip(self.blocks[n:], ve[::-1])`).
            if let zipped = zippedPairs(loop, facts, flow, tables) {
                let scope = flow.scopeChain(of: loop).first ?? facts.root
                var entry = mappings[scope] ?? ([:], zipped.site)
                for pair in zipped.pairs { entry.mapping[pair.layer] = (zipped.container, pair.table) }
                mappings[scope] = entry
                continue
            }
            guard let body = loop.child(byField: "body"), let variable = facts.loopTargets(loop).first else { continue }
            let candidates = facts.descendants(body).filter { node in
                node.type == "call" && node.child(byField: "function").map(facts.unwrapped)?.type == "subscript"
            }
            guard !candidates.isEmpty else { continue }
            // The loop's count, when it can be told (a depth parsed from a spec string cannot; a route then may serve).
            let count = facts.iterationCount(loop)?.asBoundedInt.flatMap { (1...64).contains($0) ? $0 : nil }
            let owner = flow.scopeChain(of: loop).first ?? facts.root
            let evaluator = StepFunction(facts, flow)
            let interpreter = ScriptInterpreter(facts)
            for node in candidates {
                guard let layerIndex = node.child(byField: "function").map(facts.unwrapped)?.namedChildren.dropFirst().first else { continue }
                let call = facts.callSite(node)
                var arguments = Array(call.positional.dropFirst()) + Array(call.keywords.values)
                // A record of the layer's inputs built for the call (`self.inputs_for(i, ve[i])`, `LayerArgs(ve=ve[i])`):
                // what its construction or builder is given.
                for argument in arguments where facts.unwrapped(argument).type == "call" {
                    let inner = facts.callSite(facts.unwrapped(argument))
                    guard facts.boundClass(named: inner.callee) != nil || !facts.targets(of: inner).isEmpty else { continue }
                    arguments += inner.positional + Array(inner.keywords.values)
                }
                for argument in arguments {
                    let a = tableRead(argument, in: body, facts, flow)
                    guard a.type == "subscript", let container = a.namedChildren.first, let tableIndex = a.namedChildren.dropFirst().first
                    else { continue }
                    // A name set to a reordering of the tables (`mirrored = ves[::-1]`, then `mirrored[i]`) reads the
                    // tables themselves, at the places `reorderedPlaces` tells.
                    let reordered = reorderedPlaces(container, facts, interpreter)
                    let source = reordered?.root ?? container
                    guard tables.carries(container) || tables.carries(source) || !tables.embeddingConstructors(source).isEmpty
                    else { continue }
                    // A sequence object of the file whose `__getitem__` moves the index (`MirrorBank`, layer i >= n reading
                    // table 2n-1-i): the table is the place it reads (`itemPosition`); unknown when it cannot be run.
                    let holders = flow.instanceClasses(of: container).compactMap { facts.boundClass(named: $0) }
                        .filter { facts.method("__getitem__", of: $0) != nil }
                    guard holders.count <= 1 else { continue }
                    func place(_ index: Double) -> Double? {
                        var position = index
                        if let holder = holders.first {
                            guard let held = facts.itemPosition(index, in: holder) else { return nil }
                            position = held
                        }
                        guard let reordered else { return position }
                        guard let i = position.asBoundedInt, reordered.places.indices.contains(i) else { return nil }
                        return reordered.places[i]
                    }
                    guard let count else {
                        // No count: a route read with the layer's own index still tells every layer's table.
                        guard let route = routeMapping(layerIndex, tableIndex, facts, interpreter) else { continue }
                        let placed = route.compactMap(place)
                        guard placed.count == route.count else { continue }
                        var entry = mappings[owner] ?? ([:], node)
                        for (layer, table) in placed.enumerated() { entry.mapping[layer] = (facts.compact(source), table) }
                        mappings[owner] = entry
                        continue
                    }
                    var entry = mappings[owner] ?? ([:], node)
                    for i in 0..<count {
                        // A table index read from a list (`slot_of_layer[i]` with `slot_of_layer = enc + enc[::-1]`)
                        // is evaluated by the interpreter, which knows lists.
                        guard let layer = evaluator.value(layerIndex, [variable: Double(i)])?.asBoundedInt,
                              let index = evaluator.value(tableIndex, [variable: Double(i)])
                                ?? interpreter.number(tableIndex, bindings: [variable: Double(i)]),
                              let table = place(index) else { break }
                        entry.mapping[layer] = (facts.compact(source), table)
                    }
                    mappings[owner] = entry
                }
            }
        }
        for (_, entry) in mappings {
            let mapping = entry.mapping
            guard mapping.count >= 4 else { continue }
            let layers = mapping.keys.sorted()
            guard layers.first == 0, layers.last == layers.count - 1, Set(mapping.values.map(\.0)).count == 1 else { continue }
            let n = layers.count
            let tableOf = layers.map { mapping[$0]!.1 }
            if Set(tableOf).count >= 2, (0..<n).allSatisfy({ tableOf[$0] == tableOf[n - 1 - $0] }) { return entry.site }
        }
        return nil
    }

    /// A loop that walks the layers and the tables side by side and calls each layer with its table (`for block, vi
    /// in zip(self.blocks[:n], ve): block(x, vi)`, `for i, (block, vi) in enumerate(zip(self.blocks[n:], ve[::-1]))`):
    /// the (layer, table) pairs it makes, as places in the layer container and in the table sequence. Both `zip`
    /// arguments are run by the interpreter with their containers (`sequenceRoot`) bound to their places 0..<count
    /// (`PythonFacts.itemCount`), so slices and reversals written there or in names set before (`ve_enc, ve_dec = ve,
    /// ve[::-1]`) place every pair; `zip` stops at the shorter. Nil when the loop is no such walk, the table side
    /// carries no token-table lookups, or a count is unknown.
    func zippedPairs(_ loop: Node, _ facts: PythonFacts, _ flow: Dataflow, _ tables: TokenTableFlow)
        -> (container: String, pairs: [(layer: Int, table: Double)], site: Node)? {
        guard let left = loop.child(byField: "left").map(facts.unwrapped), let body = loop.child(byField: "body"),
              var iterable = loop.child(byField: "right").map(facts.unwrapped), iterable.type == "call" else { return nil }
        var targets = left.namedChildren.filter { $0.type != "comment" }
        // `enumerate(zip(...))`: the zipped items fill the second place of the target.
        if facts.callSite(iterable).callee == "enumerate" {
            guard targets.count == 2, let inner = facts.callSite(iterable).positional.first.map(facts.unwrapped), inner.type == "call" else { return nil }
            iterable = inner
            targets = facts.unwrapped(targets[1]).namedChildren.filter { $0.type != "comment" }
        }
        let zipped = facts.callSite(iterable)
        guard zipped.callee == "zip", !zipped.hasSplat, zipped.positional.count == targets.count, targets.count >= 2,
              targets.allSatisfy({ $0.type == "identifier" }) else { return nil }
        let names = targets.map(\.text)
        let interpreter = ScriptInterpreter(facts)
        func places(_ n: Int) -> ScriptValue { .tuple((0..<n).map { ScriptValue.number(Double($0)) }) }
        // The layer call: a target called with another target (or that target called on the ids) as an argument.
        for node in facts.descendants(body) where node.type == "call" {
            guard let function = node.child(byField: "function").map(facts.unwrapped), function.type == "identifier",
                  let layerPlace = names.firstIndex(of: function.text) else { continue }
            let call = facts.callSite(node)
            for argument in call.positional.dropFirst() + Array(call.keywords.values) {
                let read = tableRead(argument, in: body, facts, flow)
                guard read.type == "identifier", let tablePlace = names.firstIndex(of: read.text), tablePlace != layerPlace else { continue }
                let layerSource = zipped.positional[layerPlace], tableSource = zipped.positional[tablePlace]
                let layerRoot = sequenceRoot(layerSource, facts), tableRoot = sequenceRoot(tableSource, facts)
                guard ["identifier", "attribute"].contains(layerRoot.type), ["identifier", "attribute"].contains(tableRoot.type),
                      layerRoot.text != tableRoot.text,
                      tables.carries(tableRoot) || !tables.embeddingConstructors(tableRoot).isEmpty,
                      let layerCount = facts.itemCount(layerRoot), let tableCount = facts.itemCount(tableRoot),
                      (1...64).contains(layerCount), (1...64).contains(tableCount) else { continue }
                let env = [layerRoot.text: places(layerCount), tableRoot.text: places(tableCount)]
                guard case .tuple(let layers)? = interpreter.value(of: layerSource, env: env),
                      case .tuple(let placed)? = interpreter.value(of: tableSource, env: env) else { continue }
                var pairs: [(layer: Int, table: Double)] = []
                for (layer, table) in zip(layers, placed) {
                    guard let l = layer.number?.asBoundedInt, let t = table.number else { return nil }
                    pairs.append((layer: l, table: t))
                }
                return pairs.isEmpty ? nil : (container: facts.compact(tableRoot), pairs: pairs, site: node)
            }
        }
        return nil
    }

    /// The container a sequence expression takes its items from, through slices, reversals, copies and names set to
    /// them: `self.blocks` for `self.blocks[n:]`, `ve` for `ve_dec` with `ve_enc, ve_dec = ve, ve[::-1]`. A name set to
    /// anything else (`ve = [emb(idx) for emb in self.tables]`) is its own container.
    func sequenceRoot(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Node {
        let n = facts.unwrapped(node)
        guard depth < 6 else { return n }
        if let inner = reversedOperand(n, facts) { return sequenceRoot(inner, facts, depth: depth + 1) }
        if n.type == "subscript", n.child(byField: "subscript")?.type == "slice", let value = n.child(byField: "value") {
            return sequenceRoot(value, facts, depth: depth + 1)
        }
        if n.type == "call", case let call = facts.callSite(n), ["list", "tuple"].contains(call.callee), call.positional.count == 1,
           call.keywords.isEmpty {
            return sequenceRoot(call.positional[0], facts, depth: depth + 1)
        }
        if n.type == "identifier", let value = facts.latestValue(of: n.text, before: n).map(facts.unwrapped), value != n {
            let root = sequenceRoot(value, facts, depth: depth + 1)
            // (A copy of the chunks themselves, `ve = list(t.chunk(n))`, leaves the name the sequence.)
            if value.type == "identifier" || (root != value && ["identifier", "attribute"].contains(root.type)) { return root }
        }
        return n
    }

    /// The places in the sequence it reorders of the items of a container read by index (`mirrored` with `mirrored =
    /// ves[::-1]`, `dec = list(reversed(ves))`, `tail = ves[n:]`): that sequence (`sequenceRoot`) and, item by item,
    /// its place there, run by the interpreter with the sequence bound to its places 0..<count
    /// (`PythonFacts.itemCount`), as `zippedPairs` does. Nil when the container is its own sequence or a count or a
    /// place is unknown.
    func reorderedPlaces(_ container: Node, _ facts: PythonFacts, _ interpreter: ScriptInterpreter) -> (root: Node, places: [Double])? {
        let root = sequenceRoot(container, facts)
        guard ["identifier", "attribute"].contains(root.type), facts.compact(root) != facts.compact(container),
              let count = facts.itemCount(root), (1...64).contains(count) else { return nil }
        let env = [root.text: ScriptValue.tuple((0..<count).map { ScriptValue.number(Double($0)) })]
        guard case .tuple(let items)? = interpreter.value(of: container, env: env) else { return nil }
        let places = items.compactMap(\.number)
        return places.count == items.count ? (root: root, places: places) : nil
    }

    /// The tables of a per-layer route read with the layer's own index (`layers[j](x, tables[route[j]])`, `route =
    /// [int(ch) for ch in "012345543210"]`): layer l uses table route[l] wherever the loops go. Nil when the table
    /// index is no such read or the route is not a list of 4 to 64 numbers.
    func routeMapping(_ layerIndex: Node, _ tableIndex: Node, _ facts: PythonFacts, _ interpreter: ScriptInterpreter) -> [Double]? {
        let read = facts.unwrapped(tableIndex)
        guard read.type == "subscript", let route = read.child(byField: "value"), let index = read.child(byField: "subscript"),
              facts.compact(index) == facts.compact(layerIndex), case .tuple(let items)? = interpreter.value(of: route),
              (4...64).contains(items.count) else { return nil }
        let tables = items.compactMap(\.number)
        return tables.count == items.count ? tables : nil
    }

    /// The argument, or the subscript a name passed as the argument was set to in the loop body
    /// (`mirrored = ve[n - 1 - j]`, then `blocks[n + j](x, mirrored)`); for a table module called on the ids, the
    /// subscript it is read from.
    func tableRead(_ argument: Node, in body: Node, _ facts: PythonFacts, _ flow: Dataflow) -> Node {
        var a = facts.unwrapped(argument)
        // A table module called on the ids (`tables[n - 1 - j](idx)`, or `shared(idx)` with `shared = tables[...]`):
        // the table it is read from.
        if a.type == "call", let function = a.child(byField: "function").map(facts.unwrapped),
           function.type == "subscript" || function.type == "identifier" {
            a = function
        }
        guard a.type == "identifier" else { return a }
        let bindings = flow.bindings(of: a.text, at: a)
        guard bindings.count == 1, let binding = bindings.first, case .value = binding.kind, facts.isInside(binding.site, body) else { return a }
        let value = facts.unwrapped(binding.node)
        return value.type == "subscript" ? value : a
    }

    // MARK: symmetric index

    func symmetricIndex(_ facts: PythonFacts, _ flow: Dataflow, _ tables: TokenTableFlow) -> Node? {
        let evaluator = StepFunction(facts, flow)
        let choices = facts.nodes(ofType: "conditional_expression").filter { $0.parent?.type != "conditional_expression" }
        for node in facts.nodes(ofType: "subscript") + choices {
            // A read `tables[f(i)]`, or a choice between reads of one container (`tables[i] if i < n else tables[2 * n - 1
            // - i]`), whose index is the chosen read's, the tests evaluated with the same variable.
            guard let choice = tableChoice(node, facts), let container = choice.reads.first?.namedChildren.first,
                  choice.reads.allSatisfy({ $0.namedChildren.first.map(facts.compact) == facts.compact(container) }) else { continue }
            let parts = choice.reads.compactMap { $0.namedChildren.dropFirst().first } + choice.tests
            guard parts.count == choice.reads.count + choice.tests.count,
                  !(node.type == "subscript" && ["slice", "integer", "string", "unary_operator"].contains(parts[0].type)) else { continue }
            let free = Set(parts.flatMap { facts.descendants($0) }.filter { n in
                n.type == "identifier" && n.parent?.type != "attribute"
                    && flow.bindings(of: n.text, at: n).contains { binding in
                        switch binding.kind {
                        case .parameter, .iteration: return true
                        default: return false
                        }
                    }
            }.map(\.text))
            guard free.count == 1, let variable = free.first,
                  tables.carries(container) || !tables.embeddingConstructors(container).isEmpty else { continue }
            for length in 2...32 {
                let values = (0..<length).map { chosenIndex(node, [variable: Double($0)], evaluator, facts) }
                guard !values.contains(where: { $0 == nil }) else { break }
                let v = values.map { $0! }
                if Set(v).count >= 2, v.allSatisfy({ $0 >= 0 }), (0..<length).allSatisfy({ v[$0] == v[length - 1 - $0] }) { return node }
            }
        }
        return nil
    }

    /// The reads of one place a table index expression may take (`tables[k]`, or every branch of `a if test else b`
    /// when each is such a read, nested choices included) and the tests that choose; nil when a branch is no read.
    func tableChoice(_ node: Node, _ facts: PythonFacts) -> (reads: [Node], tests: [Node])? {
        let n = facts.unwrapped(node)
        if n.type == "subscript" { return ([n], []) }
        guard let parts = facts.conditionalParts(n), let value = tableChoice(parts.value, facts),
              let alternative = tableChoice(parts.alternative, facts) else { return nil }
        return (value.reads + alternative.reads, [parts.test] + value.tests + alternative.tests)
    }

    /// The index a read or a choice of reads (`tableChoice`) takes with the names in `env` bound: the chosen read's.
    func chosenIndex(_ node: Node, _ env: [String: Double], _ evaluator: StepFunction, _ facts: PythonFacts) -> Double? {
        let n = facts.unwrapped(node)
        if n.type == "subscript" { return n.namedChildren.dropFirst().first.flatMap { evaluator.value($0, env) } }
        guard let parts = facts.conditionalParts(n), let test = evaluator.value(parts.test, env) else { return nil }
        return chosenIndex(test != 0 ? parts.value : parts.alternative, env, evaluator, facts)
    }
}
