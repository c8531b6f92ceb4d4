import Catalogue
import TreeSitterKit

/// `validation-changed`: the validation loss is computed as in the base.
///
/// - it is still accumulated batch by batch (`val_loss += ...`), each batch's loss unscaled;
/// - the validation loop runs as many batches as the base's: `val_tokens` divided by the tokens of one batch
///   (no extra constant in the divisor, nothing halved afterwards, no new `break` out of the loop); in records
///   that count batches otherwise (`val_max_steps`), the same count;
/// - the batches come from a loader built on the validation files, and the model is evaluated on them (not on
///   a training batch);
/// - the loss is averaged as in the base (the same divisions, the same all-reduce operation across processes)
///   and nothing else rescales or replaces it.
///
/// Every check reads the script by roles, not names: the accumulator may be renamed or live in a helper
/// function whose result is assigned to the validation loss, and the count may be computed anywhere.
struct ValidationLoss: Rule {
    let id = "validation-changed"
    let severity = Severity.error
    let summary = "Compute the validation loss as the base does: as many batches as val_tokens implies, from the validation files, averaged the same way."

    static let valFiles: Set<String> = ["val_files", "input_val_bin", "val_bin", "val_filename_pattern"]

    enum Count {
        /// `val_tokens // divisor` (possibly through names).
        case valTokens(divisor: Node, site: Node)
        /// Another count (a setting, a literal): its canonical text.
        case other(String, site: Node)
        /// The loop iterates a loader (or something else) directly.
        case iterates(Node)

        var site: Node {
            switch self {
            case .valTokens(_, let site), .other(_, let site), .iterates(let site): return site
            }
        }
    }

    func count(_ loop: Node, _ script: Script, valTokens: String) -> Count {
        guard loop.type == "for_statement", let right = loop.child(byField: "right").map(script.unwrapped), right.type == "call",
              right.child(byField: "function")?.text == "range",
              let arguments = right.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }), arguments.count == 1 else {
            if loop.type == "while_statement", let condition = loop.child(byField: "condition") {
                return .other(script.canonical(condition), site: loop)
            }
            return .iterates(loop)
        }
        var expression = arguments[0], site = loop
        for _ in 0..<6 {
            expression = stripIntCast(script.unwrapped(expression), script)
            guard expression.type == "identifier" else { break }
            // The definition in effect: the last one before the loop (a later `val_steps = 1` overrides).
            let definitions = script.definitions(of: expression.text, at: expression)
            guard let definition = definitions.filter({ $0.startByte < loop.startByte }).max(by: { $0.startByte < $1.startByte })
                    ?? (definitions.count == 1 ? definitions.first : nil) else { break }
            site = script.statement(of: definition)
            expression = definition
        }
        if expression.type == "binary_operator", let op = expression.child(byField: "operator")?.type, op == "//" || op == "/",
           let left = expression.child(byField: "left"), let divisor = expression.child(byField: "right"),
           isValTokens(stripIntCast(script.unwrapped(left), script), script, valTokens: valTokens) {
            return .valTokens(divisor: divisor, site: site)
        }
        return .other(script.canonical(expression), site: site)
    }

    func stripIntCast(_ node: Node, _ script: Script) -> Node {
        var n = node
        while n.type == "call", let f = n.child(byField: "function"), ["int", "math.floor", "math.ceil", "round"].contains(f.text),
              let argument = n.child(byField: "arguments")?.namedChildren.first {
            n = script.unwrapped(argument)
        }
        return n
    }

    /// `val_tokens`, `args.val_tokens`, or a local name set to one of those.
    func isValTokens(_ node: Node, _ script: Script, valTokens: String, depth: Int = 0) -> Bool {
        guard let name = SettingsTable.bareName(of: node) else { return false }
        if name == valTokens || name == "val_tokens" { return true }
        guard node.type == "identifier", depth < 4 else { return false }
        let definitions = script.definitions(of: name, at: node)
        return definitions.count == 1 && isValTokens(stripIntCast(script.unwrapped(definitions[0]), script), script, valTokens: valTokens, depth: depth + 1)
    }

    /// Numeric literals of a divisor, following local names.
    func literals(_ node: Node, _ script: Script, depth: Int = 0) -> [String] {
        var result: [String] = []
        for n in node.preorder {
            if n.type == "integer" || n.type == "float" { result.append(Script.number(n.text)) }
            // Follow local names (`val_bs = world_size * args.seq_len`), not attributes (`args.seq_len` is a
            // setting) and not named constants (`world_size = 8` is configuration, not a factor).
            if n.type == "identifier", script.isReference(n), depth < 3, n.parent?.type != "attribute" {
                let definitions = script.definitions(of: n.text, at: n)
                if definitions.count == 1, definitions[0] != node, !["integer", "float"].contains(script.unwrapped(definitions[0]).type) {
                    result += literals(definitions[0], script, depth: depth + 1)
                }
            }
        }
        return result.sorted()
    }

    // MARK: Data

    /// The loaders a validation loop reads batches from: `next(X)`, `X.next_batch()`, `for ... in X`.
    func reads(_ loop: Node, _ script: Script) -> [(call: Node, loader: Node)] {
        var result: [(Node, Node)] = []
        if loop.type == "for_statement", let right = loop.child(byField: "right"), !(right.type == "call" && right.child(byField: "function")?.text == "range") {
            result.append((right, right))
        }
        for call in script.facts.calls where loop.byteRange.contains(call.node.startByte) {
            if call.callee == "next", let loader = call.positional.first {
                result.append((call.node, loader))
            } else if ["next_batch", "__next__", "next"].contains(call.name), let receiver = call.receiver {
                result.append((call.node, receiver))
            }
        }
        return result
    }

    /// Whether a loader expression is built on the validation files (following local names and parameters).
    func fromValidationFiles(_ node: Node, _ script: Script, names: Set<String>, depth: Int = 0) -> Bool {
        if script.mentions(node, names) { return true }
        guard depth < 4 else { return false }
        let n = script.unwrapped(node)
        var targets: [Node] = []
        if n.type == "identifier" {
            targets = script.definitions(of: n.text, at: n)
        } else if n.type == "call" {
            // iter(val_loader), loader.iter(), ...
            targets = (n.child(byField: "arguments")?.namedChildren ?? []) + [n.child(byField: "function")].compactMap { $0 }
        } else if n.type == "attribute", let attribute = n.child(byField: "attribute")?.text {
            // self.val_loader = ...: any assignment to that attribute.
            targets = script.facts.nodes.filter { a in
                a.type == "assignment" && a.child(byField: "left").flatMap(SettingsTable.bareName(of:)) == attribute
            }.compactMap { $0.child(byField: "right") }
        }
        return targets.contains { fromValidationFiles($0, script, names: names, depth: depth + 1) }
    }

    /// Names bound in a loop from what it reads (`x_val, y_val = val_loader.next_batch()`, loop targets).
    func batchNames(_ loop: Node, _ script: Script, reads: [(call: Node, loader: Node)]) -> Set<String> {
        var names = Set<String>()
        if loop.type == "for_statement", let left = loop.child(byField: "left") {
            names.formUnion(left.preorder.filter { $0.type == "identifier" }.map(\.text))
        }
        for node in script.facts.nodes(ofType: "assignment") where loop.byteRange.contains(node.startByte) {
            guard let right = node.child(byField: "right"), reads.contains(where: { right.byteRange.contains($0.call.startByte) }),
                  let left = node.child(byField: "left") else { continue }
            names.formUnion(left.preorder.filter { $0.type == "identifier" }.map(\.text))
        }
        return names
    }

    /// The inputs of the model call an accumulation adds up (`val_loss += model(x, y)`, or through `loss`).
    func modelInputs(_ accumulation: Node, _ script: Script) -> Set<String>? {
        guard var value = accumulation.child(byField: "right").map(script.unwrapped) else { return nil }
        if accumulation.type == "assignment", value.type == "binary_operator", let r = value.child(byField: "right") { value = script.unwrapped(r) }
        if let receiver = script.castReceiver(value) { value = receiver }
        if let name = SettingsTable.bareName(of: value), value.type == "identifier", let loop = script.enclosingLoop(accumulation) {
            // The statement in the loop that binds the name, before the accumulation.
            guard let binding = script.facts.nodes.last(where: { node in
                node.type == "assignment" && loop.byteRange.contains(node.startByte) && node.startByte < accumulation.startByte
                    && node.child(byField: "left").map { $0.preorder.contains { $0.type == "identifier" && $0.text == name } } == true
            }), let right = binding.child(byField: "right") else { return nil }
            value = right
        }
        guard let call = value.preorder.first(where: { $0.type == "call" }), let arguments = call.child(byField: "arguments") else { return nil }
        let positional = arguments.namedChildren.filter { $0.type != "keyword_argument" && $0.type != "comment" }
        let names = Set(positional.flatMap { $0.preorder.filter { $0.type == "identifier" }.map(\.text) })
        return names.isEmpty ? nil : names
    }

    /// A slice of a batch given to the model (`x_val[:, :512]`), if any.
    func cutInputs(_ accumulation: Node, _ script: Script, batch: Set<String>) -> Node? {
        guard var value = accumulation.child(byField: "right").map(script.unwrapped) else { return nil }
        if let name = SettingsTable.bareName(of: value), value.type == "identifier", let loop = script.enclosingLoop(accumulation),
           let binding = script.facts.nodes.last(where: { node in
               node.type == "assignment" && loop.byteRange.contains(node.startByte) && node.startByte < accumulation.startByte
                   && node.child(byField: "left").map { $0.preorder.contains { $0.type == "identifier" && $0.text == name } } == true
           }), let right = binding.child(byField: "right") {
            value = right
        }
        guard let call = value.preorder.first(where: { $0.type == "call" }), let arguments = call.child(byField: "arguments") else { return nil }
        return arguments.preorder.first { node in
            node.type == "subscript" && node.child(byField: "value").map { $0.type == "identifier" && batch.contains($0.text) } == true
                && node.preorder.contains { $0.type == "slice" }
        }
    }

    // MARK: Check

    func check(_ context: RuleContext) -> [Finding] {
        let bs = context.baseScript, ss = context.submissionScript
        let base = bs.validationModel(lossName: "val_loss")
        guard !base.accumulations.isEmpty else { return [] }
        let submission = ss.validationModel(lossName: context.submissionValLoss)
        var findings: [Finding] = []
        func finding(_ message: String, _ node: Node?, _ note: String, base baseNodes: [Node], baseNote: String = "in the base") {
            findings.append(Finding(rule: id, severity: .error, message: message,
                                    submission: node.map { [context.submission.evidence($0, note)] } ?? [],
                                    base: baseNodes.map { context.base.evidence($0, baseNote) }))
        }
        guard !submission.accumulations.isEmpty else {
            finding("the validation loss is no longer accumulated over validation batches", nil, "", base: base.accumulations,
                    baseNote: "accumulated here in the base")
            return findings
        }
        let valTokens = ss.name("val_tokens")

        // How many batches.
        let baseCounts = base.loops.map { count($0, bs, valTokens: "val_tokens") }
        let counts = submission.loops.map { count($0, ss, valTokens: valTokens) }
        let baseByTokens = !baseCounts.isEmpty && baseCounts.allSatisfy { if case .valTokens = $0 { return true } else { return false } }
        let baseLiterals = Set(baseCounts.flatMap { c -> [String] in if case let .valTokens(d, _) = c { return literals(d, bs) } else { return [] } })
        let baseOther = Set(baseCounts.compactMap { c -> String? in if case let .other(text, _) = c { return text } else { return nil } })
        for c in counts {
            switch c {
            case .valTokens(let divisor, let site):
                let extra = literals(divisor, ss).filter { !baseLiterals.contains($0) }
                if baseByTokens, !extra.isEmpty {
                    finding("the number of validation batches is val_tokens divided by `\(context.submission.snippet(divisor))`: the extra factor \(extra.joined(separator: ", ")) changes how much validation data is used",
                            site, "validation batch count", base: baseCounts.map(\.site))
                }
            case .other(let text, let site):
                if baseByTokens {
                    finding("the number of validation batches is no longer val_tokens divided by the tokens of a batch", site,
                            "validation batch count", base: baseCounts.map(\.site))
                } else if !baseOther.isEmpty, !baseOther.contains(text) {
                    finding("the number of validation batches changed", site, "validation batch count", base: baseCounts.map(\.site))
                }
            case .iterates:
                continue
            }
        }
        // No new way out of a validation loop.
        let exits = { (script: Script, loops: [Node]) -> [Node] in
            loops.flatMap { loop in
                loop.preorder.filter { ($0.type == "break_statement" || $0.type == "return_statement") && script.enclosingLoop($0) == loop }
            }
        }
        for exit in exits(ss, submission.loops).dropFirst(exits(bs, base.loops).count) {
            let guardNode = ss.guards(exit).first.map { $0.condition.parent ?? exit } ?? exit
            finding("a new `\(context.submission.snippet(exit))` leaves the validation loop early: fewer batches than val_tokens implies",
                    guardNode, "early exit from validation", base: base.loops)
        }

        // Where the batches come from.
        let valNames = ss.names(Self.valFiles)
        let baseReads = base.loops.flatMap { reads($0, bs) }
        let baseFromVal = !baseReads.isEmpty && baseReads.allSatisfy { fromValidationFiles($0.loader, bs, names: Self.valFiles) }
        if baseFromVal {
            for loop in submission.loops {
                let loopReads = reads(loop, ss)
                if loopReads.isEmpty {
                    finding("the validation loop reads no batch: the loss is computed on data that is not the validation set", loop,
                            "validation loop", base: base.loops)
                }
                for read in loopReads where !fromValidationFiles(read.loader, ss, names: valNames) {
                    finding("the validation batches come from `\(context.submission.snippet(read.loader))`, which is not built on the validation files",
                            read.call, "not validation data", base: baseReads.map(\.call))
                }
            }
        }
        // The batches are as large as the count assumes: a factor added to the loader's batch arguments (and
        // not to the count's divisor) shrinks the data validated.
        let batchLiterals = { (script: Script, loops: [Node], names: Set<String>) -> [String] in
            loops.flatMap { loop in self.reads(loop, script) }.flatMap { read -> [String] in
                var arguments = read.call.type == "call" ? (read.call.child(byField: "arguments")?.namedChildren ?? []) : []
                if read.loader.type == "identifier" {
                    for definition in script.definitions(of: read.loader.text, at: read.loader) where definition.type == "call" {
                        arguments += definition.child(byField: "arguments")?.namedChildren ?? []
                    }
                }
                return arguments.filter { !script.mentions($0, names) }.flatMap { self.literals($0, script) }
            }
        }
        if baseFromVal {
            var baseBatch = batchLiterals(bs, base.loops, Self.valFiles)
            let divisors = counts.flatMap { c -> [String] in if case let .valTokens(d, _) = c { return literals(d, ss) } else { return [] } }
            var extra: [String] = []
            for literal in batchLiterals(ss, submission.loops, valNames) {
                if let index = baseBatch.firstIndex(of: literal) { baseBatch.remove(at: index) } else { extra.append(literal) }
            }
            extra = extra.filter { !divisors.contains($0) || baseLiterals.contains($0) }
            if !extra.isEmpty, let read = submission.loops.flatMap({ reads($0, ss) }).first {
                let definition = read.loader.type == "identifier" ? ss.definitions(of: read.loader.text, at: read.loader).first(where: { $0.type == "call" }) : nil
                finding("the validation batches are smaller than the batch count assumes (a factor \(extra.joined(separator: ", ")) in the loader's arguments): fewer tokens than val_tokens",
                        definition.map { ss.statement(of: $0) } ?? read.call, "validation batch shrunk", base: baseReads.map(\.call))
            }
        }
        // The model is evaluated on those batches.
        let baseInputsOK = base.accumulations.allSatisfy { accumulation in
            guard let loop = bs.enclosingLoop(accumulation), let inputs = modelInputs(accumulation, bs) else { return false }
            return !inputs.isDisjoint(with: batchNames(loop, bs, reads: reads(loop, bs)))
        }
        if baseInputsOK {
            let baseCuts = base.accumulations.contains { accumulation in
                bs.enclosingLoop(accumulation).map { cutInputs(accumulation, bs, batch: batchNames($0, bs, reads: reads($0, bs))) != nil } == true
            }
            for accumulation in submission.accumulations {
                guard let loop = ss.enclosingLoop(accumulation), let inputs = modelInputs(accumulation, ss) else { continue }
                let batch = batchNames(loop, ss, reads: reads(loop, ss))
                if inputs.isDisjoint(with: batch) {
                    finding("the validation loss is computed on `\(inputs.sorted().joined(separator: ", "))`, not on the batches read from the validation loader",
                            accumulation, "evaluated on other data", base: base.accumulations)
                } else if !baseCuts, let cut = cutInputs(accumulation, ss, batch: batch) {
                    finding("the model sees only `\(context.submission.snippet(cut))` of each validation batch: fewer tokens than val_tokens implies",
                            cut, "validation batch cut", base: base.accumulations)
                }
            }
        }

        // Averaging: the same updates, no others; each batch's loss unscaled.
        // A division by the loop's own batch count is "the average", whatever the count is called.
        let averageKeys = { (script: Script, model: ValidationModel) -> Set<String> in
            Set(model.loops.compactMap { self.rangeArgument($0, script) }.map { "/= " + script.resolvedCanonical($0) })
        }
        let baseAverages = averageKeys(bs, base), averages = averageKeys(ss, submission)
        var baseUpdates = (base.updates + base.returnedUpdates).map { ($0.node, key: baseAverages.contains($0.key) ? "/= <count>" : $0.key) }
        var updates = (submission.updates + submission.returnedUpdates).map { ($0.node, key: averages.contains($0.key) ? "/= <count>" : $0.key) }
        let arithmetic: Set<String> = ["*", "/", "//", "-", "+", "**", "%"]
        let baseScaled = Set(base.accumulations.compactMap { scaledTerm($0, bs, arithmetic) }.map { bs.canonical($0) })
        for accumulation in submission.accumulations {
            guard let term = scaledTerm(accumulation, ss, arithmetic), !baseScaled.contains(ss.canonical(term)) else { continue }
            // `val_loss += loss / val_steps` instead of `val_loss /= val_steps` afterwards: the same average.
            if term.child(byField: "operator")?.type == "/", let divisor = term.child(byField: "right"),
               let index = baseUpdates.firstIndex(where: { $0.key == "/= " + ss.resolvedCanonical(divisor) || ($0.key == "/= <count>" && averages.contains("/= " + ss.resolvedCanonical(divisor))) }),
               !updates.contains(where: { $0.key == baseUpdates[index].key }) {
                baseUpdates.remove(at: index)
                continue
            }
            finding("each validation batch's loss is rescaled before it is added: `\(context.submission.snippet(accumulation))`", accumulation,
                    "scaled validation loss", base: base.accumulations)
        }
        for update in updates {
            if let index = baseUpdates.firstIndex(where: { $0.key == update.key }) { baseUpdates.remove(at: index); continue }
            finding("the validation loss is rescaled or replaced: `\(context.submission.snippet(update.0))`", update.0,
                    "changes the validation loss", base: (base.updates + base.returnedUpdates).map(\.node))
        }
        updates.removeAll()
        for missing in baseUpdates {
            finding("the validation loss is no longer averaged as in the base: `\(context.base.snippet(missing.0))` is gone",
                    submission.accumulations.first, "the validation loss is computed here", base: [missing.0], baseNote: "missing from the submission")
        }
        // Reduction across processes.
        var baseReductions = base.reductions
        for reduction in submission.reductions {
            if let index = baseReductions.firstIndex(where: { $0.op == reduction.op }) { baseReductions.remove(at: index); continue }
            // Averaging across processes (again) leaves an average unchanged.
            if reduction.op == "AVG" { continue }
            finding("the validation loss is reduced across processes with `\(reduction.op)`\(base.reductions.first.map { " instead of `\($0.op)`" } ?? "")",
                    reduction.node, "changed reduction", base: base.reductions.map(\.node))
        }
        for missing in baseReductions where !submission.reductions.contains(where: { $0.op == missing.op }) {
            finding("the validation loss is no longer averaged across processes (`\(context.base.snippet(missing.node))` is gone): each process reports its own share",
                    submission.accumulations.first, "the validation loss is computed here", base: [missing.node], baseNote: "missing from the submission")
        }
        return findings
    }

    /// `N` of `for _ in range(N)`.
    func rangeArgument(_ loop: Node, _ script: Script) -> Node? {
        guard loop.type == "for_statement", let right = loop.child(byField: "right").map(script.unwrapped), right.type == "call",
              right.child(byField: "function")?.text == "range",
              let arguments = right.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }), arguments.count == 1 else { return nil }
        return arguments[0]
    }

    /// The added term of an accumulation when it is arithmetic (`loss * 0.5`), nil for a plain value.
    func scaledTerm(_ accumulation: Node, _ script: Script, _ arithmetic: Set<String>) -> Node? {
        guard var value = accumulation.child(byField: "right").map(script.unwrapped) else { return nil }
        if accumulation.type == "assignment", value.type == "binary_operator", let r = value.child(byField: "right") { value = script.unwrapped(r) }
        if let receiver = script.castReceiver(value) { value = receiver }
        guard value.type == "binary_operator", let op = value.child(byField: "operator")?.type, arithmetic.contains(op) else { return nil }
        return value
    }
}
