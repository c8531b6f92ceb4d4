import Parsing
import TreeSitterKit

/// `embed_skip_x0`: every block re-mixes the initial embedding x0 into its input.
///
/// Requires a tensor x0 computed from a token-embedding lookup (also the output of an embedding module of the file, see
/// `wrappedLookups`) outside the block loop and never reassigned inside
/// it (also the parameter of a stack module's forward the embedding is handed to, see `embeddingHandedOn`), and, per block, a mix of the residual stream with it: in the loop itself (`h = keep[i] * h + inject[i] *
/// e0`, also with more terms, `+ c[i] * other`, `torch.lerp(h, e0, w)`, `h.mul(w[0]).add(e0.mul(w[1]))`, also as the block's argument `h = block(mix)`),
/// or in the blocks, which receive x0 in the loop (`block(x, v1, x0)`, also through
/// `checkpoint(block, x, x0)`; the loop may be a fold, `functools.reduce(lambda c, block: block(c[0], c[1], x0),
/// self.blocks, (x0, None))`, see `PythonFacts.folds`; or the loop may be written out, numbered blocks called one by
/// one, `self.layer0(x, v1, x0)` ... `self.layer11(x, v1, x0)`, each handed x0 at the same place, see
/// `PythonFacts.numberedLayerCalls`) and start their
/// forward with a mix of their input and that parameter (`x = lambdas[0] * x + lambdas[1] * x0`, also computed by a
/// helper of the file: `x, h = mix_and_norm(x, x0, self.lambdas)`, or handed by the `forward` a class decorator binds on
/// the block to the block's own forward: `plain_forward(self, lambdas[0] * x + lambdas[1] * x0, v1, x0)`); or in a
/// forward pre-hook on the blocks the loop calls (`blk.register_forward_pre_hook(block_in)` for every `blk` of the
/// container, see `ForwardHook.elements`), whose returned input mixes the block's first input with a field the
/// pre-hook keeps from its input on the first call only (`if first: stash.x0 = x`, see
/// `PythonFacts.firstCallCaptures`), or with a field or shared-dictionary entry a forward hook on the embedding table
/// fills from its output (`memo["x0"] = out`, see `embeddingOutputStashes`), when the loop starts from the embedding
/// (the first block's input is x0); or in a
/// `with_kwargs=True` pre-hook on the blocks that takes the x0 the loop passes by keyword (`block(x, x0=x0)`, `x0 =
/// kwargs.pop("x0")`) and mixes it with the block's first input (see `preHookKeywordMix`). Rejects U-Net
/// skips (mirrored encoder outputs), value mixing, x0 added once outside the loop, a mix in the loop guarded to run
/// on its first pass only (`if i == 0:`, see `onlyFirstPass`), and x0 handed to blocks that do
/// not mix it, and a pre-hook field set on every call (the block's own input). x0 may also reach the blocks as a field
/// of a record the loop builds for each (`args = LayerArgs(x0=x0, ...)`), mixed in by the block (`x = args.keep * x +
/// args.x0_gain * args.x0`). Examples: `queries/python/embed_skip_x0/examples/`.
struct EmbedSkipX0: Detector {
    let id = "embed_skip_x0"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let allLookups = model.embeddingLookupNodes + wrappedLookups(model, facts)
        var scopes: [Node?] = []
        for lookup in allLookups {
            let scope = facts.enclosingFunction(lookup)?.node
            if !scopes.contains(where: { $0 == scope }) { scopes.append(scope) }
        }
        // A stack of blocks handed the embedding by the function that looks it up (`x = self.layers(self.emb(idx))` with
        // `AttentionLayers.forward(self, x)` keeping `x0 = x`): its forward, with the parameter as the embedding.
        var seeds: [Node: Set<String>] = [:]
        for scope in scopes {
            let lookups = allLookups.filter { facts.enclosingFunction($0)?.node == scope }
            let region = scope ?? facts.root
            let held = initialEmbeddings(lookups, in: region, folds: [], facts)
            for (target, parameter) in embeddingHandedOn(held, in: scope, facts) where !scopes.contains(where: { $0 == target.node }) {
                seeds[target.node, default: []].insert(parameter)
            }
        }
        scopes += seeds.keys.sorted { $0.startByte < $1.startByte }.map { Optional($0) }
        for scope in scopes {
            let lookups = allLookups.filter { facts.enclosingFunction($0)?.node == scope }
            let region = scope ?? facts.root
            // A fold over the blocks (`functools.reduce(step, self.blocks, (x0, None))`) runs its function per block,
            // as a loop runs its body.
            let folds = facts.folds(in: scope)
            let embeddings = initialEmbeddings(lookups, in: region, folds: folds.map { $0.call }, facts, seeds: scope.flatMap { seeds[$0] } ?? [])
            let loops = facts.descendants(of: region).filter {
                ($0.type == "for_statement" || $0.type == "while_statement") && facts.enclosingFunction($0)?.node == scope
            } + folds.map { $0.function }
            // The mix a forward pre-hook on the blocks hands each block (the stream itself is reassigned in the loop,
            // so x0 is no name of this function).
            for loop in loops {
                if let found = preHookMix(in: loop, lookups: lookups, embeddings: embeddings, facts) { return found }
            }
            guard !embeddings.isEmpty else { continue }
            for loop in loops {
                // The mix in the loop.
                for mix in facts.mixAssignments(in: loop) where embeddings.contains(mix.partner.text) && !onlyFirstPass(mix.assignment, loop, facts) {
                    return [facts.evidence(mix.assignment, "initial embedding \(mix.partner.text) mixed into the stream each block")]
                }
                // The mix written as the block's input: `x = block(w[0] * x + w[1] * x0)`.
                for assignment in facts.descendants(of: loop) where assignment.type == "assignment" {
                    guard let left = assignment.child(byField: "left"), left.type == "identifier",
                          let right = assignment.child(byField: "right").map(facts.unparenthesized), right.type == "call" else { continue }
                    for argument in facts.callSite(right).positional {
                        if let partner = facts.mixPartner(argument, own: left.text) ?? lambdaMixPartner(argument, own: left.text, facts),
                           embeddings.contains(partner.text) {
                            return [facts.evidence(argument, "initial embedding \(partner.text) mixed into each block's input")]
                        }
                    }
                }
                // x0 handed to the blocks, which mix it.
                for call in facts.calls where facts.isInside(call.node, loop) {
                    // `checkpoint(block, x, x0)` runs the block on the arguments after it.
                    let shift = call.name == "checkpoint" ? 1 : 0
                    for (index, argument) in call.positional.enumerated() where index >= shift && embeddings.contains(argument.text) {
                        if let mix = blockMix(position: index - shift, keyword: nil, called: call, facts) {
                            return [facts.evidence(call.node, "x0 passed to every block"), facts.evidence(mix, "block mixes x0 into its input")]
                        }
                        if shift == 0, let mix = returnedMix(position: index, called: call, facts),
                           let statement = call.node.parent, !onlyFirstPass(statement, loop, facts) {
                            return [facts.evidence(call.node, "the stream and x0 mixed by a module of the file each block"),
                                    facts.evidence(mix, "module returns the mix")]
                        }
                    }
                    for (key, argument) in call.keywords where embeddings.contains(argument.text) {
                        if let mix = blockMix(position: nil, keyword: key, called: call, facts) {
                            return [facts.evidence(call.node, "x0 passed to every block"), facts.evidence(mix, "block mixes x0 into its input")]
                        }
                    }
                    // x0 put in a record the loop builds for each block (`args = LayerArgs(x0=x0, ...)`), whose field
                    // the block mixes in (`x = args.keep * x + args.x0_gain * args.x0`).
                    if let record = facts.boundClass(named: call.callee) {
                        for argument in call.positional + Array(call.keywords.values) where embeddings.contains(argument.text) {
                            guard let field = recordField(of: argument, in: call, record, facts),
                                  let mix = recordFieldMix(field, facts) else { continue }
                            return [facts.evidence(call.node, "x0 handed to every block in a record"), facts.evidence(mix, "block mixes the record's x0 into its input")]
                        }
                    }
                }
            }
            // The blocks called one by one (`x = self.layer0(x, x0)`, ..., `x = self.layer11(x, x0)`; see
            // `numberedLayerCalls`), the loop written out: every call hands x0 at the same place, x0 not reassigned from
            // the first call to the last, and the blocks mix it.
            for group in facts.numberedLayerCalls where group.function == scope {
                guard let first = group.calls.first, let last = group.calls.last else { continue }
                let reassigned = Set(facts.descendants(of: region).filter {
                    $0.type == "assignment" && $0.endByte > first.node.startByte && $0.startByte <= last.node.endByte
                }.flatMap { facts.assignedNames($0).map(\.name) })
                let held = embeddings.subtracting(reassigned)
                let positional = group.calls.map(\.positional.count).max() ?? 0
                for (place, column) in group.columns.enumerated()
                where column.allSatisfy({ $0.map { held.contains(facts.unwrapped($0).text) } ?? false }) {
                    // Places after the positional ones are keywords, by name in sorted order (see `columns`).
                    let keyword = place < positional ? nil : Set(group.calls.flatMap(\.keywords.keys)).sorted()[place - positional]
                    let position = place < positional ? place : nil
                    if let mix = blockMix(position: position, keyword: keyword, called: first, facts) {
                        return [facts.evidence(first.node, "x0 passed to every block (calls written out)"), facts.evidence(mix, "block mixes x0 into its input")]
                    }
                }
            }
        }
        return []
    }

    /// Calls of an embedding module of the file: a module whose `forward` returns its own lookup, also transformed
    /// (`class EmbeddingPipe(nn.Module): def forward(self, ids): return rms_norm(self.word_embeddings(ids))`, called
    /// as `h = self.embed(ids)`), so that what such a call gives is the embedding.
    func wrappedLookups(_ model: ModelView, _ facts: PythonFacts) -> [Node] {
        let lookups = model.embeddingLookupNodes
        guard !lookups.isEmpty else { return [] }
        // The embedding modules first (cheap), so that files without one ask nothing of their calls.
        let modules = Set(facts.classes.filter { owner in
            let forwards = facts.forwardMethods(of: owner)
            return !forwards.isEmpty && forwards.allSatisfy { forward in
                let returned = facts.returnedValues(forward)
                return !returned.isEmpty && returned.allSatisfy { value in lookups.contains { facts.isInside($0, value) } }
            }
        }.map(\.name))
        guard !modules.isEmpty else { return [] }
        return facts.calls.compactMap { call -> Node? in
            guard let callee = call.function, facts.isReferenceChain(callee), !lookups.contains(call.node),
                  case let classes = facts.dataflow.instanceClasses(of: callee), !classes.isEmpty, classes.isSubset(of: modules) else { return nil }
            return call.node
        }
    }

    /// Whether a statement of a `for` loop runs on its first pass only: an `if` holding it tests the loop's counter
    /// against that pass (`i == 0`, `0 == i`, `i < 1`, `i <= 0`, `not i`), the counter being the index of
    /// `enumerate(...)` (no start) or the variable of `range(n)` / `range(0, n)`. There the stream still is x0, so a
    /// mix with x0 changes nothing block after block.
    func onlyFirstPass(_ statement: Node, _ loop: Node, _ facts: PythonFacts) -> Bool {
        guard loop.type == "for_statement", let left = loop.child(byField: "left"),
              let source = loop.child(byField: "right").map(facts.unwrapped), source.type == "call" else { return false }
        let call = facts.callSite(source)
        var counter: String?
        if call.callee == "enumerate", call.positional.count == 1, call.keywords["start"] == nil,
           ["pattern_list", "tuple_pattern", "tuple"].contains(left.type), let first = left.namedChildren.first, first.type == "identifier" {
            counter = first.text
        } else if call.callee == "range", left.type == "identifier",
                  call.positional.count == 1 || (call.positional.count == 2 && facts.value(of: call.positional[0])?.double == 0) {
            counter = left.text
        }
        guard let counter else { return false }
        return facts.holdingConditions(statement).contains { test in
            guard facts.isInside(test, loop) else { return false }
            let t = facts.unwrapped(test)
            if t.type == "not_operator", let argument = t.child(byField: "argument").map(facts.unwrapped) { return argument.text == counter }
            guard t.type == "comparison_operator" else { return false }
            let parts = t.namedChildren.filter { $0.type != "comment" }.map(facts.unwrapped)
            let operators = t.children.filter { !$0.isNamed }.map(\.type)
            guard parts.count == 2, operators.count == 1 else { return false }
            let bound: Double?, op: String
            if parts[0].text == counter { bound = facts.value(of: parts[1])?.double; op = operators[0] }
            else if parts[1].text == counter {
                bound = facts.value(of: parts[0])?.double
                op = ["<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="][operators[0]] ?? ""
            } else { return false }
            switch (op, bound) {
            case ("==", 0?), ("<", 1?), ("<=", 0?): return true
            default: return false
            }
        }
    }

    /// The mix of x0 into each block's input made by forward pre-hooks on the blocks a loop calls (`x = block(x)` with
    /// `blk.register_forward_pre_hook(block_in)` on the blocks, see `PythonFacts.forwardHooks(on:kind:)`): a hook
    /// function returns, as the first input (`(mixed,)`, or the value itself), a mix of the block's first input (see
    /// `PythonFacts.firstInputNames`) with a field that a pre-hook on those blocks sets from that input on the first call
    /// only (`if first: stash.x0 = x`, `PythonFacts.firstCallCaptures`): the first block's input, which is the
    /// embedding when the loop hands the blocks a name holding a lookup on entering (`enteringEmbedding`). Nil when
    /// there is none.
    func preHookMix(in loop: Node, lookups: [Node], embeddings: Set<String>, _ facts: PythonFacts) -> [Evidence]? {
        let stashes = embeddingOutputStashes(facts)
        for call in facts.calls where facts.isInside(call.node, loop) {
            let hooks = facts.forwardHooks(on: call, kind: .input)
            guard !hooks.isEmpty, let first = call.positional.first,
                  enteringEmbedding(first, loop: loop, lookups: lookups, embeddings: embeddings, facts) else { continue }
            var kept = Set<String>()
            for hook in hooks {
                for code in hook.functions {
                    let inputs = facts.firstInputNames(of: code)
                    for capture in facts.firstCallCaptures(of: code) where inputs.contains(capture.from) { kept.insert(capture.field) }
                }
            }
            // A place a forward hook on the embedding table fills from its output on every forward (`shared["x0"] =
            // out` in a hook on `tok_embed`): the embedding of this forward.
            kept.formUnion(stashes)
            guard !kept.isEmpty else { continue }
            for hook in hooks {
                for code in hook.functions {
                    let inputs = facts.firstInputNames(of: code).sorted()
                    for returned in facts.returnedValues(code) {
                        var given = facts.unwrapped(returned)
                        if ["tuple", "expression_list"].contains(given.type), let head = given.namedChildren.first(where: { $0.type != "comment" }) {
                            given = facts.unwrapped(head)
                        }
                        for own in inputs where facts.fieldMixPartners(given, own: own).contains(where: { kept.contains(facts.compact($0)) }) {
                            return [facts.evidence(call.node, "blocks run a forward pre-hook"),
                                    facts.evidence(returned, "pre-hook mixes the first block's input x0 (the embedding) into each block's input")]
                        }
                    }
                }
            }
        }
        return nil
    }

    /// The fields and shared-dictionary entries (compacted) that a forward hook on a token-embedding table sets from the
    /// table's output, also once normalized in the hook (`out = F.rms_norm(out, ...)`, then `shared["x0"] = out`).
    func embeddingOutputStashes(_ facts: PythonFacts) -> Set<String> {
        let tables = facts.model().embeddingNames
        var stashes = Set<String>()
        for hook in facts.forwardHooks where hook.kind == .output && tables.contains(hook.module) {
            for code in hook.functions {
                guard let output = facts.outputParameter(of: code, in: hook) else { continue }
                for assignment in facts.descendants(of: code.node) where assignment.type == "assignment" {
                    guard facts.enclosingFunction(assignment)?.node == code.node,
                          let left = assignment.child(byField: "left").map(facts.unwrapped), left.type == "attribute" || left.type == "subscript",
                          let field = facts.tensorOrFieldRoot(left), field == left,
                          let right = assignment.child(byField: "right"), facts.tensorRoot(right)?.text == output else { continue }
                    stashes.insert(facts.compact(left))
                }
            }
        }
        return stashes
    }

    /// Whether the tensor a loop hands a block (`x` in `x = block(x)`) holds the embedding on entering the loop: its
    /// last value before the loop is computed from a token lookup or from a name holding one, also through earlier
    /// values of the same name (`x = F.rms_norm(x)` after `x = self.wte(idx)`).
    func enteringEmbedding(_ argument: Node, loop: Node, lookups: [Node], embeddings: Set<String>, _ facts: PythonFacts) -> Bool {
        guard let name = facts.tensorRoot(argument)?.text else { return false }
        var anchor = loop
        for _ in 0..<6 {
            guard let value = facts.latestValue(of: name, before: anchor) else { return false }
            if lookups.contains(where: { facts.isInside($0, value) }) { return true }
            if embeddings.contains(where: { $0 != name && facts.mentions(value, $0) }) { return true }
            guard facts.mentions(value, name) else { return false }
            anchor = value
        }
        return false
    }

    /// For a call of a local lambda that mixes (`inject = lambda h, s: s[0] * h + s[1] * x0`, called as
    /// `inject(x, w)`), the tensor it mixes `own` with: the lambda's partner of the parameter `own` is passed to.
    func lambdaMixPartner(_ argument: Node, own: String, _ facts: PythonFacts) -> Node? {
        let argument = facts.unparenthesized(argument)
        guard argument.type == "call", let function = argument.child(byField: "function"), function.type == "identifier",
              let body = facts.lambdaBody(function.text),
              let lambda = facts.ancestors(of: body).first(where: { $0.type != "parenthesized_expression" }), lambda.type == "lambda"
        else { return nil }
        let parameters = lambda.child(byField: "parameters")?.namedChildren.filter { $0.type == "identifier" }.map(\.text) ?? []
        let call = facts.callSite(argument)
        guard let index = call.positional.firstIndex(where: { facts.tensorRoot($0)?.text == own }), index < parameters.count,
              let partner = facts.mixPartner(body, own: parameters[index]), !parameters.contains(partner.text) else { return nil }
        return partner
    }

    /// Names holding the (normalized) embedding: assigned outside loops from a lookup or from such a name, and
    /// never reassigned inside a loop nor given the result of a fold (`x, _ = functools.reduce(step, blocks, (x0,
    /// None))`, `folds`: the fold calls), which is what the blocks made of it.
    func initialEmbeddings(_ lookups: [Node], in region: Node, folds: [Node], _ facts: PythonFacts, seeds: Set<String> = []) -> Set<String> {
        // Assignments of this function (or of module level), not of nested functions.
        let owner = region == facts.root ? nil : region
        let assignments = facts.descendants(of: region).filter { $0.type == "assignment" && facts.enclosingFunction($0)?.node == owner }
        var names = seeds
        var changed = true
        while changed {
            changed = false
            for assignment in assignments where facts.enclosingLoops(assignment).isEmpty {
                for bound in facts.assignedNames(assignment) where !names.contains(bound.name) {
                    guard let value = bound.value else { continue }
                    let fromLookup = lookups.contains { facts.isInside($0, value) }
                    let fromName = facts.descendants(of: value).contains { $0.type == "identifier" && names.contains($0.text) }
                    if fromLookup || fromName {
                        names.insert(bound.name)
                        changed = true
                    }
                }
            }
        }
        let reassigned = Set(assignments.filter { assignment in
            !facts.enclosingLoops(assignment).isEmpty || folds.contains { facts.isInside($0, assignment) }
        }.flatMap { facts.assignedNames($0).map(\.name) })
        return names.subtracting(reassigned)
    }

    /// The functions of the file a scope hands the embedding to, outside any loop (`x = self.attn_layers(x)` with `x`
    /// holding the lookup), with the parameter that receives it: a module's `forward` or a function. An argument set
    /// from another stack's output (`h = self.stack1(emb)`, then `self.stack2(h)`) is no embedding.
    func embeddingHandedOn(_ held: Set<String>, in scope: Node?, _ facts: PythonFacts) -> [(PythonFacts.Function, String)] {
        guard let scope, !held.isEmpty else { return [] }
        var found: [(PythonFacts.Function, String)] = []
        for call in facts.calls where facts.isInside(call.node, scope) && facts.enclosingLoops(call.node).isEmpty && facts.enclosingFunction(call.node)?.node == scope {
            for (index, argument) in call.positional.enumerated() {
                let a = facts.unwrapped(argument)
                guard a.type == "identifier", held.contains(a.text) else { continue }
                // What the name holds there must not come out of a module whose forward loops over blocks.
                if let value = facts.latestValue(of: a.text, before: call.node),
                   facts.descendants(of: value).contains(where: { n in
                       n.type == "call" && facts.targets(of: facts.callSite(n)).contains { f in
                           facts.descendants(of: f.node).contains { $0.type == "for_statement" }
                       }
                   }) { continue }
                for target in facts.targets(of: call) where index < target.passedParameters.count {
                    found.append((target, target.passedParameters[index]))
                }
            }
        }
        return found
    }

    /// A block `forward` whose parameter at `position` (after `self`) or named `keyword` is mixed into another of its
    /// parameters: `x = l0 * x + l1 * x0`; also the function the loop's call runs, when it is a pure function of the
    /// file rather than a module (`x = block_apply(params[i], x, x0)`).
    /// The field of a record construction an argument fills: its keyword, or the field at its place.
    func recordField(of argument: Node, in call: CallSite, _ record: PythonFacts.Class, _ facts: PythonFacts) -> String? {
        if let (key, _) = call.keywords.first(where: { $0.value == argument }) { return key }
        guard let index = call.positional.firstIndex(of: argument) else { return nil }
        let fields = facts.annotatedFields(of: record).compactMap { $0.child(byField: "left")?.text }
        return index < fields.count ? fields[index] : nil
    }

    /// A mix, in a forward method of the file, of the method's own input with field `field` read off another of its
    /// parameters (`x = args.keep * x + args.x0_gain * args.x0`).
    func recordFieldMix(_ field: String, _ facts: PythonFacts) -> Node? {
        for function in facts.functions where facts.forwardMethodNames.contains(function.name) {
            let parameters = function.passedParameters
            for assignment in facts.descendants(of: function.node) where assignment.type == "assignment" {
                guard facts.enclosingFunction(assignment)?.node == function.node,
                      let left = assignment.child(byField: "left"), left.type == "identifier", parameters.contains(left.text),
                      let right = assignment.child(byField: "right") else { continue }
                let partners = facts.fieldMixPartners(right, own: left.text)
                if partners.contains(where: { partner in
                    partner.type == "attribute" && partner.child(byField: "attribute")?.text == field
                        && partner.child(byField: "object").map { parameters.contains($0.text) } == true
                }) {
                    return assignment
                }
            }
        }
        return nil
    }

    func blockMix(position: Int?, keyword: String?, called call: CallSite, _ facts: PythonFacts) -> Node? {
        if let keyword, let mix = preHookKeywordMix(keyword, called: call, facts) { return mix }
        let forwards = facts.functions.filter { facts.forwardMethodNames.contains($0.name) }
        let called = facts.targets(of: call).filter { target in !forwards.contains { $0.node == target.node } }
        for function in forwards + called {
            let parameters = function.passedParameters
            let name: String
            if let keyword {
                name = keyword
            } else if let position, position < parameters.count {
                name = parameters[position]
            } else {
                continue
            }
            guard parameters.contains(name) else { continue }
            for assignment in facts.descendants(of: function.node) where assignment.type == "assignment" {
                guard facts.enclosingFunction(assignment)?.node == function.node,
                      facts.mixBindings(assignment).contains(where: { own, partners in
                          parameters.contains(own) && partners.contains { $0.text == name }
                      }) else { continue }
                return assignment
            }
            // The mix handed to the forward a decorator wraps (`return plain_forward(self, self.lambdas[0] * x +
            // self.lambdas[1] * x0, v1, x0)` in the `forward` a class decorator binds on the block): the block runs on it.
            for inner in facts.calls where facts.enclosingFunction(inner.node)?.node == function.node && !facts.decoratedTargets(of: inner).isEmpty {
                for argument in inner.positional + Array(inner.keywords.values) {
                    if parameters.contains(where: { own in own != name && facts.mixPartners(argument, own: own).contains { $0.text == name } }) {
                        return argument
                    }
                }
            }
        }
        return nil
    }

    /// A mixing module or function of the file the loop calls on the stream and x0 and whose result becomes the stream
    /// (`x = self.shortcuts[i](x, x0)` with `def forward(self, x, x0): a, b = self.weights; return a * x + b * x0`,
    /// x-transformers' style of a small module per layer): the returned mix of the parameter given the stream (the
    /// assignment's own name) and the one given x0 at `position`. Nil otherwise.
    func returnedMix(position: Int, called call: CallSite, _ facts: PythonFacts) -> Node? {
        guard let assignment = call.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == call.node,
              let stream = assignment.child(byField: "left"), stream.type == "identifier",
              let own = call.positional.firstIndex(where: { facts.unwrapped($0).text == stream.text }), own != position else { return nil }
        // What the call runs: a function of the file, or the forward of the modules the callee may hold (an element of a
        // module list, `self.shortcuts[i]`, see `Dataflow.instanceClasses`).
        let modules = call.function.map { facts.dataflow.instanceClasses(of: $0) } ?? []
        let forwards = modules.sorted().compactMap { facts.boundClass(named: $0) }.flatMap { facts.forwardMethods(of: $0) }
        for function in facts.targets(of: call) + forwards {
            let parameters = function.passedParameters
            guard position < parameters.count, own < parameters.count else { continue }
            for returned in facts.returnedValues(function)
            where facts.mixPartners(returned, own: parameters[own]).contains(where: { $0.text == parameters[position] }) {
                return returned
            }
        }
        return nil
    }

    /// A keyword the block call passes (`block(x, x0=x0)`) taken by a `with_kwargs=True` forward pre-hook on the
    /// block (registered on its instances, `self.register_forward_pre_hook(inject, with_kwargs=True)`, or on the
    /// loop's blocks): the hook reads the entry off its keywords (`x0 = kwargs.pop("x0")`, `kwargs["x0"]`,
    /// `kwargs.get("x0")`) and mixes it with the block's first input (`(x,) = args`, see `PythonFacts.firstInputNames`),
    /// `x = block.lambdas[0] * x + block.lambdas[1] * x0`. The mix assignment, or nil.
    func preHookKeywordMix(_ keyword: String, called call: CallSite, _ facts: PythonFacts) -> Node? {
        for hook in facts.forwardHooks(on: call, kind: .input) where hook.registration.keywords["with_kwargs"]?.text == "True" {
            for code in hook.functions where code.passedParameters.count >= 3 {
                let keywords = code.passedParameters[2]
                let inputs = facts.firstInputNames(of: code)
                // Locals taking the keyword's entry.
                var taken = Set<String>()
                for assignment in facts.descendants(of: code.node) where assignment.type == "assignment" {
                    guard facts.enclosingFunction(assignment)?.node == code.node, let left = assignment.child(byField: "left"),
                          left.type == "identifier", let right = assignment.child(byField: "right").map(facts.unwrapped) else { continue }
                    var read: (container: Node, key: Node)?
                    if right.type == "subscript", let container = right.child(byField: "value"), let key = right.child(byField: "subscript") {
                        read = (container, key)
                    } else if right.type == "call", case let lookup = facts.callSite(right), ["pop", "get"].contains(lookup.name),
                              let container = lookup.receiver, let key = lookup.positional.first {
                        read = (container, key)
                    }
                    if let read, facts.unwrapped(read.container).text == keywords, SettingsTable.stringValue(facts.unwrapped(read.key)) == keyword {
                        taken.insert(left.text)
                    }
                }
                guard !taken.isEmpty else { continue }
                for assignment in facts.descendants(of: code.node) where assignment.type == "assignment" {
                    guard facts.enclosingFunction(assignment)?.node == code.node,
                          facts.mixBindings(assignment).contains(where: { own, partners in
                              inputs.contains(own) && partners.contains { taken.contains($0.text) }
                          }) else { continue }
                    return assignment
                }
            }
        }
        return nil
    }
}
