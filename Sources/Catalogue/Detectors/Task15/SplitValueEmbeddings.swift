import Parsing
import TreeSitterKit

/// `split_value_embeddings`: value embeddings are several ordinary `nn.Embedding(vocab, dim)` tables instead of
/// one wide table chunked per layer.
///
/// Requires at least two model-width embedding tables (`nn.Embedding` or another table class, a subclass of it such as
/// `VocabParallelEmbedding`, see `PythonFacts.isEmbeddingConstructor`; a ModuleList/ModuleDict built over `range(n)`, list
/// entries, a list made empty and filled by `append` in a loop, counted by running it, separate attributes, or an
/// attribute family set in a loop, `setattr(self, f"ve_{i}", ...)`, read by `getattr(self, f"ve_{i}")`; a
/// table whose width is a product, `dim * n`, is one wide table) whose
/// lookups on the token ids (followed with `TokenTableFlow`, also into nested loop targets such as
/// `for i, (block, ve) in enumerate(zip(blocks, values))`; a functional lookup `F.embedding(ids, w)` counts for
/// the table whose `.weight` it is given, also through a list of weights a caller hands in; also through a sequence
/// object of the file holding them, `Mirrored(...)` read as `vi[i]` through its `__getitem__`; a module of the file
/// built through a class attribute or field naming its class, `self.value_tables_cls(...)`; a functional model's
/// weight matrices made by a tensor factory and looked up with `F.embedding`, also held as a list entry of a parameter
/// dictionary, `"value_embeds": [torch.randn(V, d) for _ in range(6)]`, see `TokenTableFlow.weightTables`) are handed to a layer or mixing function of the file
/// as an extra input (an argument after the first), never as the residual stream (first argument; filling a
/// container, `mirrored.appendleft(ve)`, hands it to no layer); a helper of the file that only reshapes what it is
/// given (`split = lambda t: t.view(B, T, H, D).transpose(1, 2)` applied to `ve` as to `q`, `k`, `v`; see
/// `TokenTableFlow.isReshapingHelper`) is not such a layer, and its call on `q` does not carry the lookup it carries
/// when called on `ve` (see `TokenTableFlow`). Rejects one
/// wide table split with `chunk`/`split`/`view` however it is wrapped or named, and separate token tables added
/// to the residual stream. Examples: `queries/python/split_value_embeddings/examples/`.
struct SplitValueEmbeddings: Detector {
    let id = "split_value_embeddings"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let imports = facts.fullImports
        let lookups = facts.tokenTables
        // Each table: the node lookups trace back to, and the constructor that gives its shape and count.
        var constructors: [(node: Node, call: CallSite)] = facts.calls.filter { call in
            let callee = facts.resolvedCallee(call, imports: imports)
            return callee == "torch.nn.Embedding" || call.name == "Embedding" || facts.isEmbeddingConstructor(call)
        }.map { (node: $0.node, call: $0) }
        // A functional model's tables: weight matrices made by a tensor factory that `F.embedding(ids, w)` looks
        // tokens up in (`torch.randn(V, d)`, also entries of a parameter tree; see `TokenTableFlow.weightTables`).
        var seen = Set(constructors.map { $0.node })
        for call in facts.calls where ["torch.nn.functional.embedding", "torch.embedding"].contains(call.callee) {
            for table in lookups.lookupTables(call) where facts.isMatrixTensor(table) && seen.insert(table).inserted {
                if let factory = facts.constructorCall(table) ?? binaryFactor(table, facts) { constructors.append((node: table, call: factory)) }
            }
        }
        let narrow = Set(constructors.filter { !isWide($0.call, facts) }.map { $0.node })
        guard narrow.count >= 1 else { return [] }
        // Where each table's lookups go: an extra input of a layer, or the residual stream (first argument).
        var extra = Set<Node>(), residual = Set<Node>()
        for call in facts.calls where isLayerCall(call, facts, lookups) {
            let arguments = call.positional + Array(call.keywords.values)
            var found: [(Int, Set<Node>)] = []
            for (index, argument) in arguments.enumerated() {
                let tables = lookups.sources(argument).intersection(narrow)
                if !tables.isEmpty { found.append((index, tables)) }
            }
            guard !found.isEmpty, lookups.lookupTables(call).isEmpty else { continue }
            for (index, tables) in found {
                if index == 0 && !call.positional.isEmpty { residual.formUnion(tables) } else { extra.formUnion(tables) }
            }
        }
        // Where the file's own attention is visible, the tables must reach its values (not only q or k).
        var inValues = Set<Node>(), inAttention = Set<Node>()
        for (call, value) in facts.attentionValueInputs() {
            inValues.formUnion(lookups.sources(value).intersection(narrow))
            for argument in call.positional + Array(call.keywords.values) { inAttention.formUnion(lookups.sources(argument).intersection(narrow)) }
        }
        let valueTables = constructors.filter { table in
            extra.contains(table.node) && !residual.contains(table.node) && (!inAttention.contains(table.node) || inValues.contains(table.node))
        }
        let count = valueTables.reduce(0) { $0 + copies(of: $1.call, facts) }
        guard count >= 2, let site = valueTables.first?.node else { return [] }
        return [facts.evidence(site, "\(count) separate value-embedding tables")]
    }

    /// The tensor factory of a scaled matrix (`torch.randn(V, d) * 0.02`: `torch.randn(V, d)`).
    func binaryFactor(_ node: Node, _ facts: PythonFacts) -> CallSite? {
        guard node.type == "binary_operator" else { return nil }
        return [node.child(byField: "left"), node.child(byField: "right")].compactMap { $0 }
            .first(where: { facts.isMatrixTensor($0) }).flatMap { facts.constructorCall(facts.unwrapped($0)) ?? binaryFactor(facts.unwrapped($0), facts) }
    }

    /// `nn.Embedding(vocab, dim * n)` (or a factory's matrix, `torch.randn(vocab, dim * n)`): one table as wide as several.
    func isWide(_ constructor: CallSite, _ facts: PythonFacts) -> Bool {
        guard let width = constructor.argument("embedding_dim", position: 1).map(facts.unwrapped) else { return false }
        return width.type == "binary_operator" && width.child(byField: "operator")?.type == "*"
    }

    /// How many tables a constructor makes: the size of the `range` of the comprehension around it (2 when that is
    /// not known); for one appended to a list made empty inside a loop (`while left: tables.append(nn.Embedding(V,
    /// d))`), see `appendedCopies`; else 1.
    func copies(of constructor: CallSite, _ facts: PythonFacts) -> Int {
        var current = constructor.node.parent
        while let c = current, c.type != "function_definition" {
            if ["list_comprehension", "generator_expression", "dictionary_comprehension"].contains(c.type) {
                for clause in c.namedChildren where clause.type == "for_in_clause" {
                    guard let iterable = clause.child(byField: "right").map(facts.unwrapped), iterable.type == "call" else { continue }
                    let call = facts.callSite(iterable)
                    if call.callee == "range", let stop = call.positional.last, let n = facts.value(of: stop)?.double.asBoundedInt { return max(1, Swift.min(n, 4096)) }
                }
                return 2
            }
            current = c.parent
        }
        return appendedCopies(of: constructor, facts) ?? familyCopies(of: constructor, facts) ?? 1
    }

    /// For a constructor that is the value of an attribute-family write inside a `for` loop (`for i in range(n):
    /// setattr(self, f"ve_{i}", nn.Embedding(V, d))`, see `PythonFacts.attributeFamilyWrites`): the size of the loop's
    /// `range` when it is known, else 2 (each pass sets another member). Nil for any other constructor.
    func familyCopies(of constructor: CallSite, _ facts: PythonFacts) -> Int? {
        guard facts.attributeFamilyWrites.contains(where: { facts.unwrapped($0.value) == constructor.node }),
              let loop = facts.ancestors(of: constructor.node).prefix(while: { $0.type != "function_definition" })
                  .first(where: { $0.type == "for_statement" }) else { return nil }
        if let iterable = loop.child(byField: "right").map(facts.unwrapped), iterable.type == "call" {
            let call = facts.callSite(iterable)
            if call.callee == "range", let stop = call.positional.last, let n = facts.value(of: stop)?.double.asBoundedInt {
                return max(1, Swift.min(n, 4096))
            }
        }
        return 2
    }

    /// For a constructor that is the item of `tables.append(...)` / `appendleft` / `insert` inside a `for` or `while`
    /// loop, `tables` a list made empty (see `PythonFacts.grownListItems`): the length the list has once its block has
    /// run (`ScriptInterpreter.finalList`), or 2 when the interpreter cannot run it. Nil for any other constructor.
    func appendedCopies(of constructor: CallSite, _ facts: PythonFacts) -> Int? {
        guard let arguments = constructor.node.parent, arguments.type == "argument_list",
              let outer = arguments.parent, outer.type == "call" else { return nil }
        let append = facts.callSite(outer)
        guard ["append", "appendleft", "insert"].contains(append.name), append.positional.last == constructor.node,
              let receiver = append.receiver.map(facts.unwrapped), receiver.type == "identifier",
              let empty = facts.latestValue(of: receiver.text, before: outer),
              facts.grownListItems(receiver.text, madeEmptyBy: empty) != nil,
              facts.ancestors(of: outer).prefix(while: { $0.type != "function_definition" })
                  .contains(where: { ["for_statement", "while_statement"].contains($0.type) }) else { return nil }
        if let assignment = facts.unwrapped(empty).parent, assignment.type == "assignment",
           let statement = assignment.parent, statement.type == "expression_statement",
           case .tuple(let items)? = ScriptInterpreter(facts).finalList(receiver.text, assignedBy: statement), !items.isEmpty {
            return Swift.min(items.count, 4096)
        }
        return 2
    }

    /// A call of a function or module of the file, or of a module passed in (not a library function, a builtin,
    /// a reshaping method, a helper of the file that only reshapes its argument, or the construction of a sequence
    /// object of the file that holds the lookups, `Bank([...])`).
    func isLayerCall(_ call: CallSite, _ facts: PythonFacts, _ lookups: TokenTableFlow) -> Bool {
        if TokenTableFlow.reshaping.contains(call.name) || TokenTableFlow.combining.contains(call.callee)
            || TokenTableFlow.reshapingFunctions.contains(call.callee) { return false }
        // A test of what it is handed (`if exists(value_emb):`): its result decides a branch, it makes no stream.
        if let parent = call.node.parent, (parent.type == "if_statement" && parent.child(byField: "condition") == call.node)
            || parent.type == "not_operator" || parent.type == "boolean_operator" { return false }
        if facts.sequenceClass(constructedBy: call) != nil { return false }
        if call.callee.hasPrefix("torch.") || call.callee.hasPrefix("numpy.") || call.callee.hasPrefix("math.") { return false }
        if ["print", "zip", "enumerate", "len", "list", "tuple", "dict", "range", "isinstance", "sum", "min", "max", "append", "extend",
            "appendleft", "extendleft", "insert", "items", "values", "keys", "pop", "popleft", "format", "str", "int", "float"].contains(call.name) { return false }
        let functions = lookups.functionsCalled(by: call)
        return functions.isEmpty || !functions.allSatisfy(lookups.isReshapingHelper)
    }
}
