import Parsing
import TreeSitterKit

/// `embed_skip_x0`: every block re-mixes the initial embedding x0 into its input.
///
/// Requires a tensor x0 computed from a token-embedding lookup outside the block loop and never reassigned inside
/// it, and, per block, a mix of the residual stream with it: in the loop itself (`h = keep[i] * h + inject[i] *
/// e0`, `torch.lerp(h, e0, w)`, `h.mul(w[0]).add(e0.mul(w[1]))`, also as the block's argument `h = block(mix)`),
/// or in the blocks, which receive x0 in the loop (`block(x, v1, x0)`, also through
/// `checkpoint(block, x, x0)`; the loop may be a fold, `functools.reduce(lambda c, block: block(c[0], c[1], x0),
/// self.blocks, (x0, None))`, see `PythonFacts.folds`; or the loop may be written out, numbered blocks called one by
/// one, `self.layer0(x, v1, x0)` ... `self.layer11(x, v1, x0)`, each handed x0 at the same place, see
/// `PythonFacts.numberedLayerCalls`) and start their
/// forward with a mix of their input and that parameter (`x = lambdas[0] * x + lambdas[1] * x0`, also computed by a
/// helper of the file: `x, h = mix_and_norm(x, x0, self.lambdas)`, or handed by the `forward` a class decorator binds on
/// the block to the block's own forward: `plain_forward(self, lambdas[0] * x + lambdas[1] * x0, v1, x0)`). Rejects U-Net
/// skips (mirrored encoder outputs), value mixing, x0 added once outside the loop, and x0 handed to blocks that do
/// not mix it. Examples: `queries/python/embed_skip_x0/examples/`.
struct EmbedSkipX0: Detector {
    let id = "embed_skip_x0"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        var scopes: [Node?] = []
        for lookup in model.embeddingLookupNodes {
            let scope = facts.enclosingFunction(lookup)?.node
            if !scopes.contains(where: { $0 == scope }) { scopes.append(scope) }
        }
        for scope in scopes {
            let lookups = model.embeddingLookupNodes.filter { facts.enclosingFunction($0)?.node == scope }
            let region = scope ?? facts.root
            // A fold over the blocks (`functools.reduce(step, self.blocks, (x0, None))`) runs its function per block,
            // as a loop runs its body.
            let folds = facts.folds(in: scope)
            let embeddings = initialEmbeddings(lookups, in: region, folds: folds.map { $0.call }, facts)
            guard !embeddings.isEmpty else { continue }
            let loops = facts.descendants(of: region).filter {
                ($0.type == "for_statement" || $0.type == "while_statement") && facts.enclosingFunction($0)?.node == scope
            } + folds.map { $0.function }
            for loop in loops {
                // The mix in the loop.
                for mix in facts.mixAssignments(in: loop) where embeddings.contains(mix.partner.text) {
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
                    }
                    for (key, argument) in call.keywords where embeddings.contains(argument.text) {
                        if let mix = blockMix(position: nil, keyword: key, called: call, facts) {
                            return [facts.evidence(call.node, "x0 passed to every block"), facts.evidence(mix, "block mixes x0 into its input")]
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
    func initialEmbeddings(_ lookups: [Node], in region: Node, folds: [Node], _ facts: PythonFacts) -> Set<String> {
        // Assignments of this function (or of module level), not of nested functions.
        let owner = region == facts.root ? nil : region
        let assignments = facts.descendants(of: region).filter { $0.type == "assignment" && facts.enclosingFunction($0)?.node == owner }
        var names = Set<String>()
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

    /// A block `forward` whose parameter at `position` (after `self`) or named `keyword` is mixed into another of its
    /// parameters: `x = l0 * x + l1 * x0`; also the function the loop's call runs, when it is a pure function of the
    /// file rather than a module (`x = block_apply(params[i], x, x0)`).
    func blockMix(position: Int?, keyword: String?, called call: CallSite, _ facts: PythonFacts) -> Node? {
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
}
