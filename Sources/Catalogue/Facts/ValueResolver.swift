import Foundation
import Parsing
import SourceModel
import TreeSitterKit

/// Resolves expressions to numbers: constants are folded, and a name is followed to where it is set (a module
/// constant, a dataclass field, an argparse default, a dictionary entry, a parameter's argument at the call
/// sites of its function). Bounded: at most `maxDepth` hops, and no setting is followed twice in one chain.
public final class ValueResolver {
    unowned let facts: PythonFacts
    static let maxDepth = 8
    private var active = Set<Int>()
    private var depth = 0

    init(facts: PythonFacts) { self.facts = facts }

    public func value(of node: Node) -> NumericValue? { values(of: node).first }

    /// Answers to outermost questions. Only those are kept: an answer found inside a chain may be cut short by
    /// the chain's own cycle and depth guards, an outermost one never is.
    private var answers: [Node: [NumericValue]] = [:]

    /// Answers found inside the current outermost question, cleared when it is answered. Without it a name set in
    /// many places (a script that repeats its model code) fans out at every hop: n settings, `maxDepth` hops deep.
    private var chainAnswers: [Node: [NumericValue]] = [:]

    public func values(of node: Node) -> [NumericValue] {
        // Names bound for one helper call or one comprehension entry (see `Bindings`) hold only inside the code
        // they belong to: there an answer depends on them and is not kept; anywhere else the question is read
        // without them, and cached as usual.
        if let scope = bindings.scope {
            if node.tree === scope.tree, scope.byteRange.contains(node.startByte) { return resolve(node) }
            let saved = bindings
            bindings = Bindings()
            defer { bindings = saved }
            return values(of: node)
        }
        guard depth == 0 else {
            if let known = chainAnswers[node] { return known }
            let result = resolve(node)
            chainAnswers[node] = result
            return result
        }
        if let known = answers[node] { return known }
        let result = resolve(node)
        chainAnswers.removeAll(keepingCapacity: true)
        answers[node] = result
        return result
    }

    private func resolve(_ node: Node) -> [NumericValue] {
        guard depth < Self.maxDepth, !active.contains(node.startByte * 31 + node.endByte) else { return [] }
        let key = node.startByte * 31 + node.endByte
        active.insert(key)
        depth += 1
        defer {
            active.remove(key)
            depth -= 1
        }
        // A parameter a gin binding sets (`build_optimizer.learning_rate = 0.0018`, see `EmbeddedConfigDocuments`):
        // what the callers pass, and the binding in place of the default.
        if node.type == "identifier", facts.hasGinBindings, let owner = facts.parameterOwner(of: node) {
            let bindings = facts.ginBindings(of: node.text, in: owner.node)
            if !bindings.isEmpty {
                let passed = facts.callerArguments(of: node).flatMap { values(of: $0) }
                return dedup(passed + bindings.flatMap { values(of: $0.value) })
            }
        }
        // The launcher's world size (`int(os.environ["WORLD_SIZE"])`, `dist.get_world_size()`, a helper returning it):
        // the benchmark runs on 8 GPUs, as the script interpreter reads it too.
        if node.type == "call", node.tree === facts.tree, facts.readsWorldSize(node) {
            return [.int(Int(PythonFacts.benchmarkWorldSize))]
        }
        // `Fp8Scale.WEIGHT.value`: what the enumeration's class body gives the member (never a setting named `value`).
        if node.type == "attribute", node.child(byField: "attribute")?.text == "value",
           let member = node.child(byField: "object").flatMap(facts.enumerationMemberValue) {
            return values(of: member)
        }
        // `HEAD_MODE.bound` (a property returning `self.value[0]`) or `HEAD_MODE.value[0]` of an enumeration member
        // whose value is a tuple of settings: that element of the class body's tuple (see `enumerationMemberRead`).
        if ["attribute", "subscript"].contains(node.type), let element = facts.enumerationMemberRead(node) {
            return values(of: element)
        }
        // A field read on a copy with changes (`hp.lr` after `hp = cfg.embed._replace(betas=b)`): the changed value or
        // the copied object's field (see `FieldCopies`), never every setting of the field's name.
        if node.type == "attribute", let fields = facts.copiedField(node) { return dedup(fields.flatMap { values(of: $0) }) }
        // A field of a nested configuration object: what that object holds, before any reading by name.
        if let fields = nestedFieldValues(node) { return fields }
        // A local name last bound, before this use in its function, by unpacking a computed value (`x_s, w_s, grad_s =
        // SCALES` with `SCALES = tuple(2.0 ** e for e in (1, 9, 19))`): its element of that value, which shadows any
        // setting of the same name elsewhere (a layer's `self.x_s = x_s`, read by name, would give its default).
        if node.type == "identifier", bindings.parameters[node.text] == nil, let element = unpackedElement(node) {
            return [element]
        }
        // A parameter its callers give (`lr` of a builder's `with_matrix_lr(self, lr)`): what they pass first, not the
        // first setting of its name that folding would take.
        if node.type == "identifier", facts.parameterOwner(of: node) != nil || isLambdaParameter(node), !facts.callerArguments(of: node).isEmpty {
            return dedup(referenceValues(node))
        }
        // Resolving names inside a folded expression: every name takes its first (strongest) value.
        let folder = ConstantFolder(imports: facts.imports, resolve: { [unowned self] name in
            self.callerValue(of: name, in: node) ?? self.nameValues(name, at: node, excluding: self.exclusion(for: node, name: name, groupEntries: false)).first
        }, resolveEntry: { [unowned self] entry in
            entry == node ? nil : self.values(of: entry).first
        }, resolveField: { [unowned self] read in
            read == node ? nil : self.facts.copiedField(read).flatMap { fields in self.dedup(fields.flatMap { self.values(of: $0) }).first }
        })
        if let value = folder.evaluate(node) { return [value] }
        // A number made a tensor keeps its value: torch.tensor(15.0), torch.as_tensor(cap).
        if node.type == "call", let function = node.child(byField: "function"),
           ["torch.tensor", "torch.as_tensor", "torch.scalar_tensor"].contains(facts.imports.qualifiedName(of: function) ?? ""),
           let argument = facts.callSite(node).positional.first {
            return values(of: argument)
        }
        if ["identifier", "attribute", "subscript"].contains(node.type) {
            return dedup(referenceValues(node))
        }
        // `a if switch else b`: the side the script's configuration selects, both when it depends on the run.
        if node.type == "conditional_expression" { return dedup(facts.liveBranches(of: node).flatMap { values(of: $0) }) }
        // `A or B`, the fallback idiom of configuration (`os.environ.get("LR") or 0.04`, `args.lr or 0.04` with the flag
        // defaulting to None): see `fallbackSides`.
        if let sides = fallbackSides(node) {
            let first = sides.unset ? [] : values(of: sides.value)
            if !first.isEmpty, first.allSatisfy({ $0.double != 0 }) { return first }
            return dedup(first.filter { $0.double != 0 } + values(of: sides.fallback))
        }
        // `getattr(obj, "name", default)`: the attribute as the file sets it, and the default. In a helper read for one
        // call (`def flag(hp, name): return bool(getattr(hp, name))`, see `Bindings`), the name that call passes.
        if node.type == "call", case let call = facts.callSite(node), call.callee == "getattr", call.positional.count >= 2,
           let name = SettingsTable.stringValue(call.positional[1]) ?? boundString(call.positional[1]) {
            let set = nameValues(name, at: call.positional[1], scopedAsName: true)
            return dedup(set + (call.positional.count >= 3 ? values(of: call.positional[2]) : []))
        }
        if node.type == "call" {
            // An environment knob with a default (`os.environ.get("SEQ", 48 * 1024)`): the default, a string one
            // read as the number it spells.
            if let fallback = facts.environmentDefault(node) {
                if let text = SettingsTable.stringValue(fallback)?.trimmingCharacters(in: .whitespaces) {
                    return (Int(text).map { NumericValue.int($0) } ?? Double(text).map { NumericValue.float($0) }).map { [$0] } ?? []
                }
                return values(of: fallback)
            }
            let call = facts.callSite(node)
            let callee = call.callee
            // `len(STREAMS)` of a sequence or string written out (see `lengthValues`).
            if call.callee == "len", call.positional.count == 1, call.keywords.isEmpty, !call.hasSplat {
                let lengths = lengthValues(call.positional[0])
                if !lengths.isEmpty { return lengths }
            }
            // `bool(x)` of something only the resolver can follow: 1 or 0 for each value x may have.
            if callee == "bool", call.positional.count == 1, call.keywords.isEmpty, !call.hasSplat {
                let truths = values(of: call.positional[0]).map { NumericValue.int($0.double != 0 ? 1 : 0) }
                if !truths.isEmpty { return dedup(truths) }
            }
            // int(...) / float(...) around something only the resolver can follow (the fold failed on it); also
            // a converter handed to a helper as a parameter (`cast(...)` with `cast` bound to `int`).
            var converter = callee
            if let function = call.function, function.type == "identifier", let bound = bindings.parameters[function.text],
               bound.type == "identifier", ["int", "float"].contains(bound.text) {
                converter = bound.text
            }
            if ["int", "float"].contains(converter), call.positional.count == 1, call.keywords.isEmpty {
                let converted: [NumericValue] = values(of: call.positional[0]).compactMap { v in
                    guard converter == "int" else { return .float(v.double) }
                    return v.double.isFinite && Swift.abs(v.double) < 1e15 ? .int(Int(v.double.rounded(.towardZero))) : nil
                }
                if !converted.isEmpty { return converted }
                // A string spelling the number (`float(args.muon_lr)` with `add_argument("--muon_lr", type=str,
                // default="5e-2")`, `float(cfg["lr"])` of a string entry, `int("64")`), see `string(of:)`: what the
                // conversion gives; `int` takes integer spellings only, as Python's does.
                guard let text = string(of: call.positional[0])?.trimmingCharacters(in: .whitespaces) else { return [] }
                if converter == "int" { return Int(text).map { [NumericValue.int($0)] } ?? [] }
                return Double(text).map { [NumericValue.float($0)] } ?? []
            }
            if let inlined = helperValues(call) { return inlined }
            if let key = facts.configKeyRead(call) {
                // `kw.get("lr", 1e-3)` on the function's own `**kw`: what its callers pass, else the fallback.
                if let receiver = call.receiver, receiver.type == "identifier",
                   let entry = facts.keywordsParameterEntry(key.name, name: receiver.text, at: node) {
                    guard case let .known(passed, absent) = entry else { return [] }
                    let fallback = absent || passed.isEmpty ? key.fallback.map { values(of: $0) } ?? [] : []
                    return dedup(passed.flatMap { values(of: $0.value) } + fallback)
                }
                // `section.getfloat("softcap")`, `cfg.get("lr", 1e-3)`: the settings of that key (never another
                // function's local variable), else the fallback.
                // On a copy of a configuration, an entry of an optimizer's parameter group (`{"params": ps,
                // "weight_decay": 0.0}`) is not what the key reads: the group goes to the optimizer.
                let copy = call.receiver.map { facts.readsConfigurationCopy($0, at: node) } ?? false
                let named = nameValues(key.name, at: node, scopedAsName: true, excluding: copy ? facts.isParameterGroupEntry : nil)
                return named.isEmpty ? key.fallback.map { values(of: $0) } ?? [] : named
            }
        }
        return []
    }


    /// The two sides of `value or fallback`; `unset` when `value` is a lookup that gives None when nothing is set
    /// there (an environment read without a default, `os.environ.get("LR")`): the run the script configures has the
    /// fallback. Nil for any other expression.
    private func fallbackSides(_ node: Node) -> (value: Node, fallback: Node, unset: Bool)? {
        guard node.type == "boolean_operator", node.child(byField: "operator")?.type == "or",
              let value = node.child(byField: "left"), let fallback = node.child(byField: "right") else { return nil }
        let lookup = facts.unwrapped(value)
        var unset = lookup.type == "none"
        if lookup.type == "call", facts.environmentDefault(lookup) == nil,
           facts.isEnvironmentLookup(facts.callSite(lookup), ["os.environ.get", "os.getenv"]) {
            unset = true
        }
        return (value, fallback, unset)
    }

    /// What `len(x)` gives when `x` is written out: the number of items of a tuple or list literal, itself or what a
    /// name or entry denotes (see `literalContainer`), or what a field of that name is set to (`STREAMS = ("q", "k",
    /// "v")` in a class body, read as `len(self.STREAMS)`); the length of a string expression that folds (`len("qk" +
    /// "v")`, see `PythonFacts.foldedString`). A list some call changes in place (`append`, `extend`, `insert`, `pop`,
    /// `remove`, `clear` on a receiver of that name) or that `+=` grows is not counted, nor a sequence with a `*`
    /// spread. Empty when unknown.
    private func lengthValues(_ argument: Node) -> [NumericValue] {
        let n = facts.unwrapped(argument)
        // A name is read as the container it is set to, never as any string setting that shares its name.
        if !["identifier", "attribute", "subscript"].contains(n.type), let text = facts.foldedString(n) { return [.int(text.count)] }
        var containers: [Node] = []
        if let literal = literalContainer(n, depth: 0) {
            containers = [literal]
        } else if n.type == "attribute", let name = SettingsTable.bareName(of: n) {
            containers = facts.allSettings.settings(name).map { facts.unwrapped($0.value) }
        }
        let name = SettingsTable.bareName(of: n)
        let mutated = name.map { name in
            facts.calls.contains { call in
                ["append", "extend", "insert", "pop", "remove", "clear"].contains(call.name)
                    && call.receiver.flatMap { SettingsTable.bareName(of: $0) } == name
            } || facts.nodes(ofType: "augmented_assignment").contains { assignment in
                assignment.child(byField: "left").flatMap { SettingsTable.bareName(of: $0) } == name
            }
        } ?? false
        var counts: [NumericValue] = []
        for container in containers where container.type == "tuple" || (container.type == "list" && !mutated) {
            let items = container.namedChildren.filter { $0.type != "comment" }
            guard !items.contains(where: { $0.type == "list_splat" }) else { return [] }
            counts.append(.int(items.count))
        }
        return dedup(counts)
    }

    /// Names bound while one helper call or one comprehension entry is read, and the code they hold in.
    struct Bindings {
        /// The helper's definition or the comprehension: the bindings apply to names inside it only.
        var scope: Node?
        /// A helper's parameters for one call (`_env("n_head", 6, int)`): each name to the argument passed.
        var parameters: [String: Node] = [:]
        /// A comprehension's key variable to the key asked for (`{k: base[k] * 2 for k in base}` read as
        /// `lrs["head"]` binds `k` to `"head"`).
        var keys: [String: String] = [:]
        /// In `for k, v in base.items()`, the value variable to that entry's values.
        var entries: [String: [NumericValue]] = [:]
    }
    private var bindings = Bindings()

    /// The value a small module-level helper returns for this call: its one `return` expression read with the
    /// parameters bound to this call's arguments (or their defaults). Settings helpers such as
    /// `def env(name, default, cast): return cast(os.environ.get(name, default))` then give `default`.
    func helperValues(_ call: CallSite) -> [NumericValue]? {
        guard bindings.scope == nil, call.receiver == nil, !call.hasSplat,
              let function = facts.moduleFunctions[call.callee],
              let body = function.body else { return nil }
        let returns = facts.descendants(of: body).filter { $0.type == "return_statement" }
        guard returns.count == 1, body.namedChildren.filter({ $0.type != "comment" }).count <= 4,
              let expression = returns[0].namedChildren.first else { return nil }
        var parameters: [String: Node] = [:]
        for (index, name) in function.parameters.enumerated() {
            if let argument = call.argument(name, position: index) ?? facts.parameterDefault(function, name) { parameters[name] = argument }
        }
        bindings = Bindings(scope: function.node, parameters: parameters)
        defer { bindings = Bindings() }
        return values(of: expression)
    }

    /// A parameter of the function around `expression` that its callers give, read inside arithmetic (`base_lr *
    /// rule["scale"]`): the first value they pass, as the parameter alone is read (see `resolve`). Nil for any other
    /// name, and for a name bound for one helper call or comprehension entry (`nameValues` reads those).
    private func callerValue(of name: String, in expression: Node) -> NumericValue? {
        guard expression.tree === facts.tree, bindings.parameters[name] == nil, bindings.entries[name] == nil, !name.contains("."),
              let use = facts.descendants(of: expression).first(where: { n in
                  n.type == "identifier" && n.text == name
                      && !(n.parent?.type == "attribute" && n.parent?.child(byField: "attribute") == n)
              }),
              facts.parameterOwner(of: use) != nil else { return nil }
        return facts.callerArguments(of: use).lazy.compactMap { self.values(of: $0).first }.first
    }

    /// A name last set, before `node` in its scope, by unpacking a value that is no literal tuple (`x_s, w_s, grad_s =
    /// SCALES` with `SCALES = tuple(2.0 ** e for e in (1, 9, 19))`, or `= [lo * 2 ** i for i in range(3)]`): its element
    /// of what `ScriptInterpreter` computes for that value. Nil when the latest setting is no such unpacking, or the value
    /// is not a tuple of as many entries with a number in the name's place, and when the unpacking is read as settings
    /// (a name set to literal tuples, see `SettingsCollector.unpackedSettings`). `resolve` asks this before reading the
    /// name's settings, so the local binding wins over settings of the same name in other scopes (another class's
    /// `self.x_s`).
    func unpackedElement(_ node: Node) -> NumericValue? {
        guard node.type == "identifier", unpackedNames.contains(node.text) else { return nil }
        var latest: (assignment: Node, target: Node, value: Node?)?
        for assignment in facts.assignments(around: node) where assignment.type == "assignment" && assignment.endByte <= node.startByte {
            for bound in facts.assignedNames(assignment) where bound.name == node.text {
                if latest == nil || assignment.startByte >= latest!.assignment.startByte { latest = (assignment, bound.target, bound.value) }
            }
        }
        guard let latest, latest.value == nil, let pattern = latest.target.parent,
              ["pattern_list", "tuple_pattern"].contains(pattern.type),
              let right = latest.assignment.child(byField: "right"), right.type != "assignment" else { return nil }
        // Unpacked from a name set to literal tuples: read as settings of the targets (`SettingsCollector.unpackedSettings`,
        // which also drops a tuple overwritten before use), never by the interpreter here.
        let assignment = latest.assignment
        guard !facts.allSettings.settings(node.text).contains(where: { setting in
            setting.site.tree === facts.tree && (facts.isInside(setting.site, assignment) || facts.isInside(assignment, setting.site))
        }) else { return nil }
        let parts = pattern.namedChildren.filter { $0.type != "comment" }
        guard !parts.contains(where: { $0.type == "list_splat_pattern" }),
              let index = parts.firstIndex(where: { $0 == latest.target }),
              case .tuple(let items)? = ScriptInterpreter(facts).value(of: right), items.count == parts.count,
              let number = items[index].number else { return nil }
        return .float(number)
    }

    /// Names some assignment of the file binds by unpacking one value (`a, b = pair`), computed once: `unpackedElement`
    /// looks for the binding of no other name, so most names cost one set lookup.
    private lazy var unpackedNames: Set<String> = Set(facts.assignmentNodes.flatMap { a in
        facts.assignedNames(a).filter { $0.value == nil }.map(\.name)
    })

    /// What the callers of a parameter's function pass for it (see `PythonFacts.callerArguments`), each with the keys to
    /// read it under: a call of an entry of a table made once per key of a loop, the key choosing the entry (`{n:
    /// builders[kinds[n]](g, rates[n]) for n, g in groups.items()}`), gives the argument once for each key that chooses
    /// this function, with the loop variable bound to it (`scope`: the loop, where the binding holds).
    private func keyedArguments(of parameter: Node) -> [(argument: Node, scope: Node?, keys: [String: String])] {
        let owner = facts.parameterHolder(of: parameter)
        var result: [(argument: Node, scope: Node?, keys: [String: String])] = []
        for (call, argument) in facts.callerBindings(of: parameter) {
            guard let owner, let runs = facts.keyedRuns(of: call, selecting: owner) else {
                result.append((argument, nil, [:]))
                continue
            }
            for run in runs where onlyRun.map({ $0.call == call.node && $0.key == run.key }) ?? true {
                // The loop's value variable handed on whole (`make[spec["kind"]](ps, spec)`): the entry it holds.
                let given = facts.unwrapped(argument)
                let handed = run.value.flatMap { given.type == "identifier" && given.text == $0.variable ? $0.entry : nil } ?? argument
                result.append((handed, run.scope, [run.variable: run.key]))
            }
        }
        return result + facts.propertyAssignments(of: parameter).map { ($0, nil, [:]) }
    }

    /// While set, a keyed call is read in one run only (see `values(of:inRun:)`).
    private var onlyRun: (call: Node, key: String)?

    /// The values of an expression inside a function called from a table once per key of a loop (see
    /// `PythonFacts.keyedRuns`), in the run of `call` with its loop variable at `key` only: `c["lr"]` in `lambda ps, c:
    /// Muon(ps, lr=c["lr"])` for the key whose entry chooses that lambda. Not cached.
    public func values(of node: Node, inRun call: Node, key: String) -> [NumericValue] {
        let saved = (onlyRun, answers, chainAnswers)
        onlyRun = (call, key)
        answers = [:]
        chainAnswers = [:]
        defer { (onlyRun, answers, chainAnswers) = saved }
        return values(of: node)
    }

    /// The key a loop variable stands for while one run of a keyed call is read (see `keyedArguments`).
    private func boundKey(_ node: Node) -> String? {
        let n = facts.unwrapped(node)
        guard n.type == "identifier", let scope = bindings.scope, n.tree === scope.tree, scope.byteRange.contains(n.startByte) else { return nil }
        return bindings.keys[n.text]
    }

    /// Whether a name is a parameter of the lambda it is read in (`lambda params, lr: Muon(params, lr=lr)`): its
    /// callers' arguments give it, never a setting of the same name elsewhere in the file.
    private func isLambdaParameter(_ node: Node) -> Bool {
        node.tree === facts.tree && facts.parameterHolder(of: node)?.type == "lambda"
    }

    /// The string a name holds while one call of its helper is read (see `Bindings`): the call's argument for that
    /// parameter, when it is a string literal.
    private func boundString(_ node: Node) -> String? {
        let n = facts.unwrapped(node)
        guard n.type == "identifier", let scope = bindings.scope, n.tree === scope.tree, scope.byteRange.contains(n.startByte),
              let bound = bindings.parameters[n.text] else { return nil }
        return SettingsTable.stringValue(facts.unwrapped(bound))
    }

    /// Values a reference (`lr`, `args.lr`, `cfg["lr"]`) may have.
    func referenceValues(_ node: Node) -> [NumericValue] {
        // A helper's parameter while one call of it is read: what that call passes, read where the call is.
        if node.type == "identifier", let bound = bindings.parameters[node.text] {
            // The argument is read where the call is (outside the helper: `values(of:)` drops the bindings there).
            return values(of: bound)
        }
        // A field of one record of a table (`RULES[2]["hp"]["lr"]`): the entry the list index picks, never the same
        // key of every record (reading by the key's name alone would).
        if let entry = indexedRecordEntry(node) { return values(of: entry) }
        if let entry = dictionaryEntryValues(node) { return entry }
        var result: [NumericValue] = []
        // A parameter of the enclosing function (or of an outer one a nested function captures it from): the
        // arguments its callers pass. A call of an entry of a table made once per key of a loop, the key selecting the
        // entry (`{n: builders[kinds[n]](g, rates[n]) for n, g in groups.items()}`): the argument for the keys that
        // select this function, read with the loop variable bound to each.
        for run in keyedArguments(of: node) {
            let saved = bindings
            if let scope = run.scope { var keyed = Bindings(scope: scope); keyed.keys = run.keys; bindings = keyed }
            result += values(of: run.argument)
            bindings = saved
        }
        if let name = SettingsTable.bareName(of: node) {
            // `p["weight_decay"]` on a copy of a configuration: not the entries of parameter groups (see
            // `readsConfigurationCopy`).
            // An attribute read (`hp.weight_decay`) never reads a dictionary entry of a parameter group either.
            let copy = node.type == "subscript" && node.child(byField: "value").map { facts.readsConfigurationCopy($0, at: node) } == true
            result += nameValues(name, at: node, excluding: exclusion(for: node, name: name, groupEntries: copy || node.type == "attribute"))
        }
        return result
    }


    /// The settings a read by name leaves out: parameter groups' entries (`groupEntries`; see `readsConfigurationCopy`),
    /// and, for a read through a path whose last step before the name is a constant (`cfg.optimizer.groups["head"].lr`,
    /// `hp["head"]["lr"]`), the dictionary entries of that name under another key than that step, when the file writes
    /// some under it (`"head": {"lr": 0.002}` is read, never `"embed": {"lr": 0.3}` of a sibling table; see
    /// `NestedReadPaths.swift`).
    private func exclusion(for node: Node, name: String, groupEntries: Bool) -> ((Setting) -> Bool)? {
        let facts = self.facts
        let nested = facts.nestedReadKey(node, name: name)
        guard groupEntries || nested != nil else { return nil }
        return { setting in
            if groupEntries, facts.isParameterGroupEntry(setting) { return true }
            return nested.map { facts.isSiblingEntry(setting, of: $0) } ?? false
        }
    }

    /// A field read through a nested configuration object (`oc.embed.lr`): the values the objects it may be hold
    /// for that field (see `PythonFacts.constructions(of:)`), when every one of them is found and nothing in the file
    /// writes a field of that name on another object (`spec.lr = ...`). Nil otherwise, so the reference is read by
    /// name.
    func nestedFieldValues(_ node: Node) -> [NumericValue]? {
        guard node.type == "attribute", let object = node.child(byField: "object"), object.type == "attribute",
              object.child(byField: "object")?.text != "self", let name = node.child(byField: "attribute")?.text else { return nil }
        guard !writtenFieldNames.contains(name) else { return nil }
        let built = facts.constructions(of: object)
        let fields = built.compactMap { facts.fieldExpression($0, name) }
        guard !built.isEmpty, fields.count == built.count else { return nil }
        let result = dedup(fields.flatMap { values(of: $0) })
        return result.isEmpty ? nil : result
    }

    /// Field names the file assigns on an object other than `self` (`spec.lr = 0.1`), computed once.
    private lazy var writtenFieldNames: Set<String> = Set(facts.assignmentNodes.compactMap { a in
        guard let left = a.child(byField: "left"), left.type == "attribute", left.child(byField: "object")?.text != "self" else { return nil }
        return left.child(byField: "attribute")?.text
    })

    /// `RULES[2]["hp"]["lr"]`, `RULES[0]["lr"]`: a read by a string key through a chain of subscripts with literal keys,
    /// one of them a list index, from a name (see `literalContainer`): the entry the chain reaches. Nil when it is no
    /// such chain or cannot be walked (then it is read by the key's name).
    func indexedRecordEntry(_ node: Node) -> Node? {
        guard node.type == "subscript", let key = node.child(byField: "subscript"), SettingsTable.stringValue(key) != nil
        else { return nil }
        var indexed = false
        var inner = node.child(byField: "value").map(facts.unwrapped)
        while let read = inner, read.type == "subscript" {
            if read.child(byField: "subscript").map({ listIndex($0) != nil }) == true { indexed = true }
            inner = read.child(byField: "value").map(facts.unwrapped)
        }
        guard indexed, inner?.type == "identifier" else { return nil }
        return literalEntry(node, depth: 0)
    }

    /// The expression a subscript with a literal key reads (see `literalEntry`): `torch.zeros(n)` for
    /// `parts["frozen"]` after `parts = dict(spin=..., frozen=torch.zeros(n))`. Nil for any other node.
    public func literalSubscriptEntry(_ read: Node) -> Node? {
        let n = facts.unwrapped(read)
        return n.type == "subscript" ? literalEntry(n, depth: 0) : nil
    }

    /// The entry a subscript with a literal key reads from the literal container its value denotes: a dictionary's
    /// entry for a string key (`{"lr": 0.6}["lr"]`), a list's or tuple's element for an integer (`[a, b][-1]`).
    private func literalEntry(_ read: Node, depth: Int) -> Node? {
        guard let value = read.child(byField: "value"), let key = read.child(byField: "subscript"),
              let container = literalContainer(value, depth: depth) else { return nil }
        if container.type == "dictionary" || container.type == "call" {
            return SettingsTable.stringValue(key).flatMap { OptimizerUse.entry($0, in: container) }
        }
        guard let i = listIndex(key) else { return nil }
        let items = container.namedChildren.filter { $0.type != "comment" }
        guard !items.contains(where: { $0.type == "list_splat" }) else { return nil }
        let k = i < 0 ? items.count + i : i
        return k >= 0 && k < items.count ? items[k] : nil
    }

    /// The list, tuple or dictionary literal (or `dict(...)`) an expression denotes: itself (through a view of one
    /// mapping, `MappingProxyType({...})`), what a name was last
    /// given (a local before the read, else the one module assignment of a name no function binds), or an entry
    /// reached by literal keys (`TABLE["optim_rules"]`). Nil for anything else.
    private func literalContainer(_ node: Node, depth: Int) -> Node? {
        let n = facts.unwrapped(node)
        guard depth < 8 else { return nil }
        switch n.type {
        case "list", "tuple", "dictionary":
            return n
        case "call":
            if facts.callSite(n).callee == "dict" { return n }
            // A view of one mapping (`types.MappingProxyType({...})`, a one-layer `ChainMap`): that mapping.
            if let layers = facts.mappingLayers(n), layers.count == 1 { return literalContainer(layers[0], depth: depth + 1) }
            return nil
        case "identifier":
            if let local = facts.latestValue(of: n.text, before: n) { return literalContainer(local, depth: depth + 1) }
            guard !facts.isLocallyBound(n) else { return nil }
            let module = facts.allSettings.settings(n.text).filter { $0.source == .moduleAssignment && $0.written == n.text }
            return module.count == 1 ? literalContainer(module[0].value, depth: depth + 1) : nil
        case "subscript":
            return literalEntry(n, depth: depth + 1).flatMap { literalContainer($0, depth: depth + 1) }
        default:
            return nil
        }
    }

    /// A list index written as a number (`2`, `-1`).
    private func listIndex(_ key: Node) -> Int? {
        let k = facts.unwrapped(key)
        let literal = k.type == "integer" || (k.type == "unary_operator" && k.child(byField: "argument")?.type == "integer")
        return literal ? ConstantFolder(imports: facts.imports).evaluate(k)?.double.asBoundedInt : nil
    }

    /// `table["key"]` where `table` is set to a dictionary (a literal, `dict(...)`, or a comprehension over the
    /// keys or items of one): the value of that entry. Nil when `table` is no dictionary the file sets, so the
    /// caller falls back to every setting named `key` (a config object read by subscript).
    func dictionaryEntryValues(_ node: Node) -> [NumericValue]? {
        guard node.type == "subscript", let table = node.child(byField: "value"),
              let keyNode = node.child(byField: "subscript") else { return nil }
        let key: String
        if let literal = SettingsTable.stringValue(keyNode) {
            key = literal
        } else if keyNode.type == "identifier", let bound = bindings.keys[keyNode.text] {
            key = bound
        } else {
            return nil
        }
        // A parameter holding a table its callers pass (`lambda ps, c: Muon(ps, lr=c["lr"])` called with `cfg["optim"][n]`):
        // the entry of each argument (per key of a loop choosing the callee, see `keyedArguments`).
        if table.type == "identifier", facts.parameterOwner(of: table) != nil || isLambdaParameter(table) {
            var result: [NumericValue] = []
            var sawDictionary = false
            for run in keyedArguments(of: table) {
                let saved = bindings
                if let scope = run.scope { var keyed = Bindings(scope: scope); keyed.keys = run.keys; bindings = keyed }
                if case .value(let value)? = dictionaryEntry(facts.unwrapped(run.argument), key: key) {
                    sawDictionary = true
                    result += values(of: value)
                }
                bindings = saved
            }
            if sawDictionary { return dedup(result) }
        }
        guard let tableName = SettingsTable.bareName(of: table) else { return nil }
        // A module dictionary a later module statement changes before the read runs (a notebook cell's
        // `CFG.update(seq_len=...)`): that write (see `PythonFacts.latestModuleEntryWrite`).
        if let written = facts.latestModuleEntryWrite(key, of: table, before: node) {
            return dedup(values(of: written))
        }
        var result: [NumericValue] = []
        var sawDictionary = false
        for setting in facts.allSettings.settings(tableName) where !setting.value.byteRange.contains(node.startByte) {
            guard let entry = dictionaryEntry(setting.value, key: key) else { continue }
            sawDictionary = true
            switch entry {
            case .value(let value):
                result += values(of: value)
            case .computed(let value, let keyVariable, let valueVariable, let source):
                let saved = bindings
                var entry = Bindings(scope: value)
                if let valueVariable { entry.entries[valueVariable] = entryValues(source, key: key) }
                entry.keys[keyVariable] = key
                bindings = entry
                result += values(of: value)
                bindings = saved
            }
        }
        return sawDictionary ? dedup(result) : nil
    }

    enum DictionaryEntry {
        /// The entry's expression.
        case value(Node)
        /// A comprehension's value expression, computed with `keyVariable` bound to the key and `valueVariable`
        /// (when the comprehension walks `source.items()`) to the source's entry.
        case computed(Node, keyVariable: String, valueVariable: String?, source: Node)
    }

    /// The values of entry `key` of the dictionaries a name (or expression) `source` is set to.
    private func entryValues(_ source: Node, key: String) -> [NumericValue] {
        guard let name = SettingsTable.bareName(of: source) else { return [] }
        var result: [NumericValue] = []
        for setting in facts.allSettings.settings(name) {
            if case .value(let value)? = dictionaryEntry(setting.value, key: key) { result += values(of: value) }
        }
        return result
    }

    /// The entry `key` of a dictionary expression, when it is one and holds that key; also of the table a decided key
    /// picks out of a table of tables (`LR_PRESETS[preset]`); of a view or layering of mappings, the entry of the
    /// first layer holding the key (`ChainMap(overrides, defaults)`, `MappingProxyType({...})`, see
    /// `PythonFacts.mappingLayers`); of a `TypedDict` construction, its keyword.
    func dictionaryEntry(_ expression: Node, key: String, depth: Int = 0) -> DictionaryEntry? {
        guard depth < 4 else { return nil }
        if let layers = facts.mappingLayers(expression) {
            for layer in layers {
                for table in facts.dictionaries(layer) {
                    if let entry = dictionaryEntry(facts.unwrapped(table), key: key, depth: depth + 1) { return entry }
                }
            }
            if facts.callSite(facts.unwrapped(expression)).callee != "dict" { return nil }
        }
        if facts.isTypedDictConstruction(expression) {
            return facts.callSite(facts.unwrapped(expression)).keywords[key].map { DictionaryEntry.value($0) }
        }
        switch expression.type {
        case "dictionary":
            for pair in expression.namedChildren where pair.type == "pair" {
                if let k = pair.child(byField: "key"), SettingsTable.stringValue(k) == key, let v = pair.child(byField: "value") {
                    return .value(v)
                }
            }
        case "call" where facts.callSite(expression).callee == "dict":
            if let v = facts.callSite(expression).keywords[key] { return .value(v) }
        case "subscript":
            // One table of a table of tables, picked by a key the configuration decides (`lrs = LR_PRESETS[preset]`
            // with `preset = "hot"`, or `LR_PRESETS["hot"]`): that table's entry. An undecided key picks none here, so
            // the read falls back to the key's name.
            guard let outer = expression.child(byField: "value"), let picked = expression.child(byField: "subscript"),
                  let table = literalContainer(outer, depth: depth), table.type == "dictionary" || table.type == "call",
                  let name = boundKey(picked) ?? facts.decidedString(picked), let inner = OptimizerUse.entry(name, in: table) else { return nil }
            return dictionaryEntry(facts.unwrapped(inner), key: key, depth: depth + 1)
        case "call":
            // A helper that builds the table (`scales_from(cfg)` returning `dict(x_s=..., w_s=...)`): its entry.
            if let table = facts.returnedDictionary(facts.callSite(expression)) {
                return dictionaryEntry(table, key: key, depth: depth + 1)
            }
        case "dictionary_comprehension":
            // `{k: expr for k in source}` (or `.keys()`), `{k: expr for k, v in source.items()}`: the entry exists
            // when `source` names a dictionary holding `key`.
            guard let pair = expression.child(byField: "body"), pair.type == "pair",
                  let k = pair.child(byField: "key"), k.type == "identifier", let v = pair.child(byField: "value"),
                  let clause = expression.namedChildren.first(where: { $0.type == "for_in_clause" }),
                  let left = clause.child(byField: "left"), var source = clause.child(byField: "right") else { return nil }
            let targets = left.type == "identifier" ? [left.text] : left.namedChildren.filter { $0.type == "identifier" }.map(\.text)
            var method: String?
            if source.type == "call", let f = source.child(byField: "function"), f.type == "attribute",
               let object = f.child(byField: "object") {
                method = f.child(byField: "attribute")?.text
                source = object
            }
            let keysOnly = targets == [k.text] && (method == nil || method == "keys")
            let items = targets.count == 2 && targets[0] == k.text && method == "items"
            guard keysOnly || items, let sourceName = SettingsTable.bareName(of: source),
                  facts.allSettings.settings(sourceName).contains(where: {
                      $0.value != expression && dictionaryEntry($0.value, key: key, depth: depth + 1) != nil
                  })
            else { return nil }
            return .computed(v, keyVariable: k.text, valueVariable: items ? targets[1] : nil, source: source)
        default:
            break
        }
        return nil
    }

    /// `excluding`: settings not to read here.
    func nameValues(_ name: String, at use: Node, scopedAsName: Bool = false, excluding: ((Setting) -> Bool)? = nil) -> [NumericValue] {
        if let scope = bindings.scope, use.tree === scope.tree, scope.byteRange.contains(use.startByte) {
            if let bound = bindings.entries[name] { return bound }
            if let bound = bindings.parameters[name] { return values(of: bound) }
        }
        // A plain name updated in place before the read (`V = 50257; V += -V % 128`): the value the updates leave.
        if !scopedAsName, !name.contains("."), let updated = updatedInPlace(name, at: use) { return updated }
        let table = nameTable(name.lastDottedComponent)
        let classes = table.ownerClasses(at: use, name: name.lastDottedComponent, self)
        let offset = use.startByte
        var result: [NumericValue] = []
        let plainName = (use.type == "identifier" || scopedAsName) && use.tree === facts.tree
        let instanceClasses = selfFieldClasses(name, at: use, table)
        // A module-level write a later module statement rewrites before this read (`lr = 0.3`, then `lr = 2 * lr` in a
        // later cell): the read sees only the later one (see `PythonFacts.rewrittenModuleWrites`).
        let rewritten = table.entries.count > 1 ? facts.rewrittenModuleWrites(table.entries.map(\.setting), before: use) : []
        for (index, entry) in table.entries.enumerated() {
            if rewritten.contains(index) || excluding?(entry.setting) == true { continue }
            if let classes, let owner = entry.owner, !classes.contains(owner) { continue }
            // `self.name` in a class that sets the field reads that field: never a dictionary entry, keyword or
            // plain name of the same key elsewhere (`"scale": 30.0` of a logit head is not the attention's
            // `self.scale`), nor another class's `self.name = ...` (a trainer's `self.world_size` is not the one an
            // optimizer's `__init__` defaults to 1); writes to other objects' attributes (`model.attn.scale = ...`)
            // and keywords building the class stay.
            let writesOtherSelf = entry.written.hasPrefix("self.") && entry.fieldClass != nil
            if let instanceClasses, !entry.writesAttribute || writesOtherSelf,
               (entry.fieldClass ?? entry.owner).map(instanceClasses.contains) != true { continue }
            // A plain name never reads a local variable of another function (`c` of a Newton-Schulz helper is not
            // the `c` parameter of a soft-cap helper); nested functions read their enclosing function's locals.
            if plainName, let scope = entry.localScope, !scope.contains(offset) { continue }
            // Nor a field a method of another class sets on its instances (`world_size` in `main()` is not the
            // `self.world_size = world_size` of `Muon.__init__`, whose parameter defaults to 1).
            if plainName, writesOtherSelf, let fieldClass = entry.fieldClass, facts.enclosingClass(use)?.name != fieldClass { continue }
            // The module's own statements set a config object's value after its declaration gave the default.
            if table.overridden, entry.isDeclaration { continue }
            // A module statement writing the same path again before this use replaces the value (a notebook's trial
            // cell `hp.seq_len = 32 * 1024` overwritten by `hp.seq_len = 48 * 1024`, see `NameTable.isReplaced`).
            if use.tree === facts.tree, table.isReplaced(entry, at: use, facts) { continue }
            // A setting is not read at a use inside its own value (`x = x + 1`).
            if entry.valueRange.contains(offset) || entry.value == use { continue }
            if let number = entry.argparseNumber {
                result.append(number)
            } else {
                result += values(of: entry.value)
            }
        }
        return dedup(result)
    }

    /// For a read of `self.<name>` (`use` itself, or `name` written so inside a folded expression) in a class that
    /// sets that field (`self.name = ...` in one of its methods, or a class-level field), own or inherited: the
    /// names of the classes whose settings it can read. `self` is an instance of the classes the file may build that
    /// inherit the method (see `PythonFacts.dispatchClasses`; the enclosing class when it builds none), so their
    /// method resolution orders are searched: fields their methods assign in any class of the order, and the
    /// class-level field of the first class of the order that has one (a mixin's `adam_betas = (0.8, 0.95)` before
    /// the base's `(0.9, 0.95)`, read in the base's method). Nil for any other read, or when no class of those orders
    /// sets the field.
    private func selfFieldClasses(_ name: String, at use: Node, _ table: NameTable) -> Set<String>? {
        let readsSelf = name.hasPrefix("self.") && name.split(separator: ".").count == 2
            || (use.type == "attribute" && use.child(byField: "object")?.text == "self" && use.child(byField: "attribute")?.text == name)
        guard readsSelf, use.tree === facts.tree, let owner = facts.enclosingClass(use) else { return nil }
        let dispatch = facts.dispatchClasses(of: owner)
        let orders = dispatch.isEmpty ? [facts.lineage(of: owner)] : dispatch.map { facts.lineage(of: $0) }
        let classLevel = Set(table.entries.filter { $0.setting.source == .classField }.compactMap(\.fieldClass))
        let assigned = Set(table.entries.filter { $0.setting.source != .classField }.compactMap(\.fieldClass))
        var names: Set<String> = []
        for order in orders {
            names.formUnion(order.map(\.name).filter(assigned.contains))
            if let first = order.first(where: { classLevel.contains($0.name) }) { names.insert(first.name) }
        }
        return names.isEmpty ? nil : names
    }

    /// The class whose field a setting sets: the class of a class-level field, or of the method writing `self.<name>`.
    private func fieldClass(_ setting: Setting) -> String? {
        if setting.source == .classField { return facts.enclosingClass(setting.site)?.name }
        guard setting.written.hasPrefix("self."), setting.site.tree === facts.tree else { return nil }
        return facts.enclosingClass(setting.site)?.name
    }

    /// The function a plain local variable belongs to (see `NameTable.Entry.localScope`).
    private func localScope(of setting: Setting) -> Range<Int>? {
        // A parameter's default is local to its function too (`eps=1e-7` of a Newton-Schulz helper is not the `eps`
        // an optimizer factory passes on); attribute reads (`self.eps`) still see it.
        if setting.source == .parameterDefault, setting.written == setting.name, setting.site.tree === facts.tree,
           let function = facts.enclosingFunction(setting.site) {
            return function.node.byteRange
        }
        guard setting.source == .localAssignment, setting.written == setting.name, setting.site.tree === facts.tree,
              let function = facts.enclosingFunction(setting.site) else { return nil }
        // A Sacred config function's locals are the experiment's configuration, injected by name into the captured
        // functions' parameters (`@ex.config def cfg(): lr = 0.05`); a named config's only when it is selected, which
        // the script does not show, so those stay local.
        if function.decorators.contains(where: { $0.lastDottedComponent == "config" }) { return nil }
        // A function that hands its locals out as a configuration (`return dict(locals())`, `vars()`).
        let exportsLocals = facts.returnedValues(function).contains { value in
            ([value] + facts.descendants(of: value)).contains { $0.type == "call" && ["locals", "vars"].contains(facts.callSite($0).callee) && facts.callSite($0).positional.isEmpty }
        }
        if exportsLocals { return nil }
        // `global name` makes the assignment the module's.
        let declaredGlobal = facts.descendants(of: function.node).contains { n in
            (n.type == "global_statement" || n.type == "nonlocal_statement") && n.namedChildren.contains { $0.text == setting.name }
        }
        return declaredGlobal ? nil : function.node.byteRange
    }

    /// The settings of one bare name, read once with what every use of the name asks of them.
    final class NameTable {
        struct Entry {
            let value: Node
            let valueRange: Range<Int>
            let owner: String?
            let argparseNumber: NumericValue?
            /// A default a declaration gives (an argparse option, a class field).
            let isDeclaration: Bool
            /// A write to a config object (`args.wd = 0`, `cfg["wd"] = 0`) in a statement the module runs once.
            let overrides: Bool
            /// For a plain local variable of a function (`c = 2.0315` in a helper), that function's range in this
            /// file: only uses inside it can read the variable.
            let localScope: Range<Int>?
            /// The class whose field this sets (a class-level field, `self.<name> = ...` in a method), see `fieldClass`.
            let fieldClass: String?
            /// Whether it writes an attribute or an entry of an object (`self.x = `, `args.x = `, `cfg["x"] = `), not a
            /// bare name, a dictionary literal's key or a keyword.
            let writesAttribute: Bool
            /// The setting itself (where and as what name it is written, see `PythonFacts.rewrittenModuleWrites`).
            let setting: Setting
            /// The path as written (`hp.train_seq_len`).
            var written: String { setting.written }
            /// The writing statement's range, when it is in the file read (not a module of the bundle).
            let siteRange: Range<Int>?
        }
        let entries: [Entry]
        /// Whether the module's own statements write the value (then the declarations' defaults do not hold).
        let overridden: Bool
        /// Whether the settings belong to two classes or more (only then does `obj.name` pick among them).
        let ownedByClasses: Bool

        init(_ entries: [Entry]) {
            self.entries = entries
            ownedByClasses = Set(entries.compactMap(\.owner)).count >= 2
            overridden = entries.contains(where: \.overrides) && entries.contains(where: \.isDeclaration)
        }

        /// Whether a module override (see `Entry.overrides`) no longer holds at `use`: another module override of the
        /// same path (`hp.batch_size = ...` twice) lies between it and the use, which comes after in the file read. A
        /// notebook export's trial cell that a later cell overwrites before training is so never read by the code
        /// after the later cell; a use between the two writes (or before both, as in a function defined earlier,
        /// whose call time is unknown) still reads both.
        func isReplaced(_ entry: Entry, at use: Node, _ facts: PythonFacts) -> Bool {
            guard entry.overrides, entry.siteRange != nil else { return false }
            return entries.contains { other in
                other.overrides && other.siteRange != nil && facts.rewrites(other.setting, entry.setting, before: use)
            }
        }

        /// The classes whose settings `use` (a read of field `name`) can read (see `ownerScoped`), nil when it may
        /// read them all.
        func ownerClasses(at use: Node, name: String, _ resolver: ValueResolver) -> Set<String>? {
            guard ownedByClasses, use.type == "attribute", let object = use.child(byField: "object") else { return nil }
            let classes = resolver.instanceClassesWithBases(object).subtracting(resolver.shadowedFieldClasses(name, object: object))
            guard !classes.isEmpty, entries.contains(where: { $0.owner.map(classes.contains) ?? true }) else { return nil }
            return classes
        }
    }
    private var nameTables: [String: NameTable] = [:]

    private func nameTable(_ bare: String) -> NameTable {
        if let known = nameTables[bare] { return known }
        let settings = facts.allSettings.settings(bare)
        // A config builder's write that the entry point replaces after calling the builder is never read, nor is a
        // builder's `__init__` placeholder that a chained setter replaces (`self._ratio = 1.0`, then `.with_ratio(0.1)`).
        let read = settings.count > 1
            ? settings.filter { !facts.isSupersededByEntryPoint($0, among: settings) && !facts.isBuilderPlaceholder($0) } : settings
        let table = NameTable(read.map { setting in
            NameTable.Entry(value: setting.value, valueRange: setting.value.byteRange, owner: owner(setting),
                            argparseNumber: argparseNumber(setting),
                            isDeclaration: PythonFacts.isDeclaration(setting), overrides: facts.isModuleOverride(setting),
                            localScope: localScope(of: setting), fieldClass: fieldClass(setting),
                            writesAttribute: setting.written.contains(".") || setting.written.hasSuffix("]"), setting: setting,
                            siteRange: setting.site.tree === facts.tree ? setting.site.byteRange : nil)
        })
        nameTables[bare] = table
        return table
    }

    /// For `obj.name` where `obj` is an instance of a class of the file: the settings that can reach it. Fields of
    /// other classes and keywords building other classes are dropped (`args.cap` of a `Hyperparameters` instance
    /// is not `GPTConfig.cap`, nor what `GPTConfig(cap=...)` passes), and so are a base's fields that the
    /// instance's class sets again (see `shadowedFieldClasses`). When the instance's class is the one class whose
    /// fields or keywords set the name, the entries of optimizer parameter groups (`dict(params=..., weight_decay=0.0)`)
    /// are dropped, unless a construction of the class spreads a dictionary into it: an
    /// attribute of the object is its field, not a dictionary key. Unchanged
    /// when no setting belongs to a class, or when the instance's class is unknown.
    func ownerScoped(_ settings: [Setting], use: Node) -> [Setting] {
        guard settings.count > 1, use.type == "attribute", let object = use.child(byField: "object") else { return settings }
        let owners = settings.map(owner)
        let ownerNames = Set(owners.compactMap { $0 })
        if ownerNames.count == 1, let ownerName = ownerNames.first, settings.contains(where: { $0.source == .dictionaryEntry }) {
            // (Not when the class is built from a dictionary spread into it, `GPTConfig(**PRESETS[name])`: those
            // entries are its fields.)
            guard instanceClassesWithBases(object).contains(ownerName),
                  !facts.calls(named: ownerName).contains(where: \.hasSplat) else { return settings }
            return settings.filter { !($0.source == .dictionaryEntry && isParameterGroup($0.site)) }
        }
        guard ownerNames.count >= 2 else { return settings }
        let classes = instanceClassesWithBases(object).subtracting(shadowedFieldClasses(settings[0].name, object: object))
        guard !classes.isEmpty else { return settings }
        let kept = zip(settings, owners).filter { $0.1.map(classes.contains) ?? true }.map(\.0)
        return kept.isEmpty ? settings : kept
    }

    /// Whether a dictionary entry's dictionary is an optimizer's parameter group (it has a `params` key:
    /// `dict(params=decay, weight_decay=0.0)`, `{"params": ps, "lr": 0.6}`).
    private func isParameterGroup(_ site: Node) -> Bool {
        if site.type == "call" { return facts.callSite(site).keywords["params"] != nil }
        guard let dictionary = site.type == "pair" ? site.parent : site, dictionary.type == "dictionary" else { return false }
        return dictionary.namedChildren.contains { pair in
            pair.type == "pair" && pair.child(byField: "key").flatMap(SettingsTable.stringValue) == "params"
        }
    }

    /// The class a setting belongs to: the class of a field, the class a keyword override builds. Kept per
    /// setting: a script that repeats its model code asks for the same settings at every use of every copy.
    private func owner(_ setting: Setting) -> String? {
        guard setting.source == .classField || setting.source == .override else { return nil }
        if let known = owners[setting.site] { return known }
        var owner: String?
        if setting.source == .classField {
            owner = facts.enclosingClass(setting.site)?.name
        } else if setting.site.type == "call" {
            let callee = facts.classBuiltByCls(setting.site)?.name ?? facts.callSite(setting.site).name
            owner = facts.classNameSet.contains(callee) ? callee : nil
        }
        owners[setting.site] = .some(owner)
        return owner
    }
    private var owners: [Node: String?] = [:]

    /// The classes of the file `object` may be an instance of, with the bases they inherit fields from.
    fileprivate func instanceClassesWithBases(_ object: Node) -> Set<String> {
        if let known = instanceClassesMemo[object] { return known }
        var classes = fieldReadClasses(object)
        let classNames = facts.classNameSet
        var frontier = Array(classes)
        while let name = frontier.popLast() {
            for base in facts.boundClass(named: name)?.bases ?? [] {
                let bare = base.lastDottedComponent
                if classNames.contains(bare), classes.insert(bare).inserted { frontier.append(bare) }
            }
        }
        instanceClassesMemo[object] = classes
        return classes
    }
    private var instanceClassesMemo: [Node: Set<String>] = [:]

    /// The classes whose fields a read on `object` sees: the classes it may be an instance of, and the class itself
    /// when the object is a class used as a namespace of settings (`args = Run`, `cfg.lr` with `cfg` given `args`, or
    /// `Run.lr`): Python reads a class attribute through the class as it does through an instance.
    private func fieldReadClasses(_ object: Node) -> Set<String> {
        facts.dataflow.instanceClasses(of: object).union(facts.dataflow.heldClasses(object, depth: 0))
    }

    /// For a read of field `name` on `object`: the classes of the file whose class-level field `name` the object never
    /// reads because a subclass sets it again (`class RunSettings(Hyperparameters): warmup_iters = 0` hides
    /// `Hyperparameters.warmup_iters = 250` from `args = RunSettings()`). Python reads the field of the nearest class
    /// of the instance class's lineage that sets it; a class stays when that is so for any class the object may be an
    /// instance of (`Hyperparameters()` on one path reads the base's own field). Empty when fewer than two classes set
    /// the field or the object's class is unknown.
    func shadowedFieldClasses(_ name: String, object: Node) -> Set<String> {
        let definers = Set(facts.allSettings.settings(name).filter { $0.source == .classField && $0.site.tree === facts.tree }.compactMap { facts.enclosingClass($0.site)?.name })
        guard definers.count >= 2 else { return [] }
        var read = Set<String>()
        var hidden = Set<String>()
        for instanceClass in fieldReadClasses(object) {
            guard let definition = facts.boundClass(named: instanceClass) else { continue }
            var reached = false
            for cls in facts.lineage(of: definition) where definers.contains(cls.name) {
                if reached { hidden.insert(cls.name) } else { read.insert(cls.name) }
                reached = true
            }
        }
        return hidden.subtracting(read)
    }

    /// An argparse default written as a string and converted by its `type` (`type=float, default="1e-10"`):
    /// argparse converts a string default, so the option holds the number.
    func argparseNumber(_ setting: Setting) -> NumericValue? {
        guard setting.source == .argparseDefault, setting.value.type == "string", setting.site.type == "call",
              let text = SettingsTable.stringValue(setting.value)?.trimmingCharacters(in: .whitespaces) else { return nil }
        switch facts.callSite(setting.site).keywords["type"]?.text {
        case "float": return Double(text).map { .float($0) }
        case "int": return Int(text).map { .int($0) }
        default: return nil
        }
    }

    func dedup(_ values: [NumericValue]) -> [NumericValue] {
        var seen: [NumericValue] = []
        for v in values where !seen.contains(where: { $0.isClose(to: v) }) { seen.append(v) }
        return seen
    }

    /// A string literal, or a name set to one.
    public func string(of node: Node) -> String? {
        if let s = SettingsTable.stringValue(node) { return s }
        if let sides = fallbackSides(node) {
            if !sides.unset, let s = string(of: sides.value), !s.isEmpty { return s }
            return string(of: sides.fallback)
        }
        var name = SettingsTable.bareName(of: node)
        if node.type == "call", let key = facts.configKeyRead(facts.callSite(node)) { name = key.name }
        guard let name else { return nil }
        for setting in facts.allSettings.settings(name) {
            if let word = setting.bareWord { return word }
            if setting.value.type == "string" { return SettingsTable.stringValue(setting.value) }
        }
        return nil
    }
}
