import TreeSitterKit

/// Hyperparameters changed after an optimizer is built: `for g in opt.param_groups: g["betas"] = (0.8, 0.95)`,
/// entries scaled once in place (`g["lr"] *= 2`, `g["lr"] = g["lr"] / 2`, outside any training loop),
/// `opt.param_groups[0]["lr"] = 0.05`, the same over a list of optimizers (`for o in [opt1, opt2]: for g in
/// o.param_groups: ...`), a group updated from a mapping (`g.update(eps=1e-10)`, `g.update(kv)`, `g.update(**kv)`,
/// `for k, v in kv.items(): g[k] = v`), and groups added with `opt.add_param_group(dict(params=..., lr=0.3))`. An
/// agent that leaves the construction alone and re-tunes the optimizer afterwards writes it this way, also from
/// outside the training code: a callback built with the optimizer and its overrides (`OptimizerOverrides(adam,
/// eps=1e-10)` keeping `self.optimizer` and `**overrides`, or a list of `(optimizer, dict(...))` pairs it loops over)
/// patches each optimizer with its own entries.
///
/// Only values that are constants of the file count (`g["lr"] = base * schedule(step)` is a schedule, read by
/// `ScheduleFacts`).
public struct OptimizerPatches {
    /// Entries set on every group (a loop over `param_groups`), or on group 0 of an optimizer built over one
    /// iterable of parameters (`Adam(model.parameters(), ...)`).
    public var everyGroup: [String: [Node]] = [:]
    /// Entries set on one group by index, when the optimizer may have several.
    public var oneGroup: [String: [Node]] = [:]
    /// Groups added with `add_param_group`.
    public var addedGroups: [Node] = []
    /// Entries scaled in place once after construction (`for g in opt.param_groups: g["lr"] *= 2`), on every group
    /// (see `everyGroup`), applied after the entries set.
    public var everyGroupScales: [String: [Scale]] = [:]

    /// A constant factor an entry is multiplied by (or divided by, `g["lr"] /= 2`).
    public struct Scale {
        public let factor: Node
        public let divides: Bool
    }

    /// `value` with every scale of entry `key` applied; nil when a factor is not a number.
    public func scaled(_ key: String, _ value: Double, in facts: PythonFacts) -> Double? {
        var result = value
        for scale in everyGroupScales[key] ?? [] {
            guard let factor = facts.values(of: scale.factor).first?.double, !scale.divides || factor != 0 else { return nil }
            result = scale.divides ? result / factor : result * factor
        }
        return result
    }
}

extension PythonFacts {
    /// One write into an optimizer's groups, before it is matched to a construction.
    private struct GroupWrite {
        /// How the optimizer is named where it is patched (`opt`, `self.opt`; for a loop variable over a list
        /// written out, the list's element it holds in that run, see `PatchRun`).
        let owner: Node
        /// The constructions the optimizer may be, followed from where it is patched (see `heldOptimizers`).
        let optimizers: [Node]
        /// The statement or call that patches it.
        let site: Node
        /// `nil`: every group; otherwise the index written; `-1`: a group added.
        let group: Int?
        let key: String?
        let value: Node
        /// For an entry scaled in place (`g["lr"] *= 2`), whether it is divided (`/=`); nil for an entry set.
        var divides: Bool? = nil
    }

    /// The patches of the optimizer a use builds: writes whose optimizer is followed back to the construction
    /// (through names, fields, parameters and loops, see `heldOptimizers`), and writes through the name the
    /// construction is assigned to, made after it and while that name still holds it (see `namesConstruction`).
    public func patches(of use: OptimizerUse) -> OptimizerPatches {
        let construction = use.call.node
        var name: Node?
        if let assignment = construction.parent, assignment.type == "assignment", assignment.child(byField: "right") == construction,
           let left = assignment.child(byField: "left"), left.type == "identifier" || left.type == "attribute" {
            name = left
        }
        var result = OptimizerPatches()
        let single = buildsOneGroup(use)
        for write in optimizerGroupWrites {
            guard write.optimizers.contains(construction) || name.map({ namesConstruction(write, construction, as: $0) }) == true else { continue }
            if let divides = write.divides {
                // Only scales of every group (or of the one group there is) are kept.
                if write.group == nil || (write.group == 0 && single) {
                    result.everyGroupScales[write.key!, default: []].append(OptimizerPatches.Scale(factor: write.value, divides: divides))
                }
                continue
            }
            switch write.group {
            case .some(-1): result.addedGroups.append(write.value)
            case nil: result.everyGroup[write.key!, default: []].append(write.value)
            case .some(0) where single: result.everyGroup[write.key!, default: []].append(write.value)
            default: result.oneGroup[write.key!, default: []].append(write.value)
            }
        }
        return result
    }

    /// Whether a patch names an optimizer as its construction is assigned (`opt`, `self.opt`), after it and while
    /// that name still holds it (the same binding: `latestValue` before the patch is the construction; an attribute
    /// of `self` is matched by name).
    private func namesConstruction(_ write: GroupWrite, _ construction: Node, as name: Node) -> Bool {
        guard write.owner.text == name.text, write.site.startByte > construction.endByte else { return false }
        return name.type != "identifier" || latestValue(of: name.text, before: write.site).map(unwrapped) == construction
    }

    /// Whether an optimizer is built over one iterable of parameters (`model.parameters()`, a list of tensors), so
    /// that its group 0 is its only group.
    private func buildsOneGroup(_ use: OptimizerUse) -> Bool {
        guard use.groups.isEmpty, let params = use.call.argument("params", position: 0).map(unwrapped) else { return false }
        if params.type == "call" { return ["parameters", "named_parameters"].contains(callSite(params).name) }
        guard params.type == "list" || params.type == "list_comprehension" else { return false }
        return !params.namedChildren.contains { $0.type == "dictionary" || ($0.type == "call" && callSite($0).callee == "dict") }
    }

    private var optimizerGroupWrites: [GroupWrite] {
        memoized("optimizerGroupWrites") {
            var result: [GroupWrite] = []
            for call in calls where call.name == "add_param_group" {
                guard let receiver = call.receiver, let group = call.positional.first.map(unwrapped),
                      group.type == "dictionary" || group.type == "call" else { continue }
                for run in patchRuns(around: call.node, reading: [receiver]) {
                    result.append(GroupWrite(owner: run.written(receiver), optimizers: heldOptimizers(receiver, in: run),
                                             site: call.node, group: -1, key: nil, value: group))
                }
            }
            for assignment in nodes(ofType: "assignment") {
                guard let left = assignment.child(byField: "left"), left.type == "subscript",
                      let keyNode = left.child(byField: "subscript").map(unwrapped), let right = assignment.child(byField: "right"),
                      let group = left.child(byField: "value"), let target = groupTarget(group, around: assignment) else { continue }
                if let key = SettingsTable.stringValue(keyNode), let scale = selfScale(right, of: left), runsOnceAsPatch(assignment) {
                    // g["lr"] = g["lr"] * 2 (or 2 * g["lr"], g["lr"] / 2): a scale, as `*=` writes it below.
                    result += constantWrites(target, site: assignment, key: key, value: scale.factor, divides: scale.divides)
                } else if let key = SettingsTable.stringValue(keyNode) {
                    // g["betas"] = (0.8, 0.95); opt.param_groups[0]["lr"] = 0.05; the value as the run gives it (`for
                    // opt, lr in [(muon, 0.05), (adam, 0.008)]: ... g["lr"] = lr`).
                    result += constantWrites(target, site: assignment, key: key, value: right, divides: nil, entry: left)
                } else if let mapping = copiedMapping(key: keyNode, value: right, around: assignment) {
                    // for k, v in overrides.items(): g[k] = v
                    result += updateWrites(target, site: assignment, mappings: [mapping], keywords: [:])
                }
            }
            for assignment in nodes(ofType: "augmented_assignment") {
                // g["lr"] *= 2 (or /= 2), made once after construction: a factor applied to what the entry holds.
                guard let op = assignment.child(byField: "operator")?.type, op == "*=" || op == "/=",
                      let left = assignment.child(byField: "left"), left.type == "subscript",
                      let key = left.child(byField: "subscript").map(unwrapped).flatMap(SettingsTable.stringValue),
                      let right = assignment.child(byField: "right"), let group = left.child(byField: "value"),
                      let target = groupTarget(group, around: assignment), runsOnceAsPatch(assignment) else { continue }
                result += constantWrites(target, site: assignment, key: key, value: right, divides: op == "/=")
            }
            for call in calls where call.name == "update" {
                // g.update(eps=1e-10), g.update(kv), g.update(**kv)
                guard let receiver = call.receiver, let target = groupTarget(receiver, around: call.node),
                      let arguments = call.node.child(byField: "arguments") else { continue }
                let items = arguments.namedChildren.filter { $0.type != "comment" && $0.type != "keyword_argument" }
                guard !items.contains(where: { $0.type == "list_splat" }), call.positional.count <= 1 else { continue }
                let mappings = items.map { item -> Node in
                    guard item.type == "dictionary_splat", let inner = item.namedChildren.first(where: { $0.type != "comment" }) else { return item }
                    return inner
                }
                result += updateWrites(target, site: call.node, mappings: mappings, keywords: call.keywords)
            }
            return result
        }
    }

    /// The writes of one entry of a group (`key`) with a value that is constant in each run of the code around the
    /// patch (see `patchRuns`): set (`divides` nil) or scaled by it (`divides` false for `*`, true for `/`).
    /// `entry`: the entry written (`g["betas"]`), whose own elements a tuple written into it may keep.
    private func constantWrites(_ target: (owner: Node, index: Int?), site: Node, key: String, value: Node, divides: Bool?,
                                entry: Node? = nil) -> [GroupWrite] {
        var writes: [GroupWrite] = []
        for run in patchRuns(around: site, reading: [target.owner, value]) {
            for held in held(value, in: run).expressions where isConstant(held, keeping: entry) {
                writes.append(GroupWrite(owner: run.written(target.owner), optimizers: heldOptimizers(target.owner, in: run),
                                         site: site, group: target.index, key: key, value: held, divides: divides))
            }
        }
        return writes
    }

    /// The optimizer whose group an expression is, and which group: a loop variable over its groups (`for g in
    /// opt.param_groups`; every group, nil index), or one group by index (`opt.param_groups[0]`).
    private func groupTarget(_ node: Node, around site: Node) -> (owner: Node, index: Int?)? {
        let group = unwrapped(node)
        if group.type == "subscript", let groups = group.child(byField: "value").map(unwrapped), groups.type == "attribute",
           groups.child(byField: "attribute")?.text == "param_groups", let owner = groups.child(byField: "object"),
           let index = group.child(byField: "subscript").flatMap({ value(of: $0)?.double.asBoundedInt }), index >= 0 {
            return (owner, index)
        }
        guard group.type == "identifier" else { return nil }
        for loop in enclosingLoops(site) where loopVariables(loop) == [group.text] {
            guard let iterable = loop.child(byField: "right").map(unwrapped), iterable.type == "attribute",
                  iterable.child(byField: "attribute")?.text == "param_groups", let owner = iterable.child(byField: "object") else { continue }
            return (owner, nil)
        }
        return nil
    }

    /// For `entry * k`, `k * entry` or `entry / k` whose `entry` is the same text as `target`: the factor `k`, and
    /// whether it divides.
    private func selfScale(_ value: Node, of target: Node) -> (factor: Node, divides: Bool)? {
        let product = unwrapped(value)
        guard product.type == "binary_operator", let op = product.child(byField: "operator")?.type, op == "*" || op == "/",
              let left = product.child(byField: "left"), let right = product.child(byField: "right") else { return nil }
        let same = { (n: Node) in self.unwrapped(n).text.filter { !$0.isWhitespace } == target.text.filter { !$0.isWhitespace } }
        if same(left) { return (right, op == "/") }
        if op == "*", same(right) { return (left, false) }
        return nil
    }

    /// Whether a statement runs once when the optimizers are set up, not once per step: the loops around it walk
    /// optimizer groups (`opt.param_groups`) or lists written out (`for opt in [adam, muon]`, also through a name set to
    /// one, or `zip` of such lists), and it is at module level, in an `__init__`, or in a function whose calls are all outside loops.
    private func runsOnceAsPatch(_ site: Node) -> Bool {
        for loop in enclosingLoops(site) {
            guard loop.type == "for_statement", let iterable = loop.child(byField: "right").map(unwrapped) else { return false }
            if iterable.type == "attribute", iterable.child(byField: "attribute")?.text == "param_groups" { continue }
            // `zip(optimizers, (2, 4, 2, 2))` of lists written out.
            if iterable.type == "call", case let zipped = callSite(iterable), zipped.callee == "zip", !zipped.positional.isEmpty,
               zipped.positional.allSatisfy({ argument in
                   let lists = origins(of: unwrapped(argument))
                   return !lists.isEmpty && lists.allSatisfy { ["list", "tuple"].contains($0.type) }
               }) { continue }
            let lists = origins(of: iterable)
            guard !lists.isEmpty, lists.allSatisfy({ ["list", "tuple"].contains($0.type) }) else { return false }
        }
        guard let function = enclosingFunction(site) else { return true }
        if function.receiver != nil { return function.name == "__init__" }
        let callers = calls(named: function.name).filter { calledFunction($0)?.node == function.node }
        return !callers.isEmpty && callers.allSatisfy { enclosingLoops($0.node).isEmpty && enclosingFunction($0.node)?.node != function.node }
    }

    /// The mapping a loop over its items copies into a group entry by entry: `for k, v in kv.items(): g[k] = v` gives
    /// `kv`. Nil for any other write.
    private func copiedMapping(key: Node, value: Node, around site: Node) -> Node? {
        let value = unwrapped(value)
        guard key.type == "identifier", value.type == "identifier" else { return nil }
        for loop in enclosingLoops(site) where loop.type == "for_statement" && loopVariables(loop) == [key.text, value.text] {
            guard let items = loop.child(byField: "right").map(unwrapped), items.type == "call", case let call = callSite(items),
                  call.name == "items", call.positional.isEmpty, !call.hasSplat, let mapping = call.receiver else { return nil }
            return mapping
        }
        return nil
    }

    /// The writes of a group updated from mappings (`g.update(kv)`, `g.update(**kv)`, `for k, v in kv.items(): g[k] =
    /// v`) and keywords (`g.update(eps=1e-10)`, each value as the run gives it, see `held`): one per entry whose value
    /// is a constant (see `isConstant`), in each run of the code around it (see `patchRuns`), so that each mapping goes
    /// with the optimizer it is paired with.
    private func updateWrites(_ target: (owner: Node, index: Int?), site: Node, mappings: [Node], keywords: [String: Node]) -> [GroupWrite] {
        var writes: [GroupWrite] = []
        for run in patchRuns(around: site, reading: [target.owner] + mappings + Array(keywords.values)) {
            var entries: [(key: String, value: Node)] = mappings.flatMap { heldEntries($0, in: run) }
            for (key, value) in keywords { entries += held(value, in: run).expressions.map { (key: key, value: $0) } }
            let owner = run.written(target.owner)
            let optimizers = heldOptimizers(target.owner, in: run)
            for entry in entries where isConstant(entry.value) {
                writes.append(GroupWrite(owner: owner, optimizers: optimizers, site: site, group: target.index, key: entry.key, value: entry.value))
            }
        }
        return writes
    }

    /// One way the code around a patch runs, binding what the patch reads (see `patchRuns`).
    private struct PatchRun {
        /// The call that runs the code: a construction of the class whose method holds the patch (its `__init__` sets
        /// the fields the patch reads), or a call of the function that holds it; nil when unknown.
        var call: CallSite? = nil
        /// The function `call` runs (`__init__` for a construction).
        var function: Function? = nil
        /// Loop variables around the patch, each bound to one element of a list written out (`opt` and `kv` of `for
        /// opt, kv in [(adam, dict(eps=1e-10)), ...]`).
        var elements: [String: Node] = [:]
        /// False for a method nothing in the file names (see `mayRun`): its patches are never made.
        var reached = true

        /// How the patch names an optimizer in this run: the list element a loop variable holds, else the name itself.
        func written(_ owner: Node) -> Node { owner.type == "identifier" ? elements[owner.text] ?? owner : owner }
    }

    /// The ways the code around a patch runs (see `PatchRun`): once per construction of the class whose method holds
    /// it, or once per call of the function that holds it (once, unbound, when there is none or outside functions);
    /// each taken once per element of a list written out (also through a name or field set to one; for `zip` of such
    /// lists, once per place) that a loop around the patch walks with variables the expressions `reading` mention,
    /// outer loops first.
    private func patchRuns(around site: Node, reading: [Node]) -> [PatchRun] {
        var runs = [PatchRun()]
        if let function = enclosingFunction(site) {
            if function.receiver != nil, let owner = enclosingClass(function.node) {
                if !mayRun(function) { return [PatchRun(reached: false)] }
                if let initializer = initializer(of: owner) {
                    let sites = (calls(named: owner.name) + calls(named: "cls")).filter { constructs($0, owner.name) }
                    if !sites.isEmpty { runs = sites.map { PatchRun(call: $0, function: initializer) } }
                }
            } else if !function.passedParameters.isEmpty {
                let sites = calls(named: function.name).filter { calledFunction($0)?.node == function.node }
                if !sites.isEmpty { runs = sites.map { PatchRun(call: $0, function: function) } }
            }
        }
        for loop in enclosingLoops(site).reversed() where loop.type == "for_statement" {
            guard let targets = loop.child(byField: "left"), let iterable = loop.child(byField: "right"),
                  loopVariables(loop).contains(where: { name in reading.contains { mentions($0, name) } }) else { continue }
            runs = runs.flatMap { run -> [PatchRun] in
                // `for opt, factor in zip(optimizers, (2, 4, 2, 2))`: each name its list's element at the same place.
                if let zipped = zippedElements(iterable, names: targets, in: run) {
                    return zipped.map { elements in
                        var bound = run
                        for (name, element) in elements { bound.elements[name] = element }
                        return bound
                    }
                }
                let lists = held(iterable, in: run).expressions.flatMap { origins(of: $0) }.filter { ["list", "tuple"].contains($0.type) }
                guard !lists.isEmpty else { return [run] }
                return lists.flatMap { list in
                    list.namedChildren.filter { $0.type != "comment" }.map { item -> PatchRun in
                        var bound = run
                        if targets.type == "identifier" {
                            bound.elements[targets.text] = item
                            return bound
                        }
                        // `for opt, kv in [(adam, dict(eps=1e-10)), ...]`: each name its part of the element (an element
                        // that does not unpack so binds nothing).
                        let names = targets.namedChildren.filter { $0.type != "comment" }
                        let pair = unwrapped(item)
                        let parts = pair.namedChildren.filter { $0.type != "comment" }
                        guard ["tuple", "list"].contains(pair.type), parts.count == names.count,
                              names.allSatisfy({ $0.type == "identifier" }) else { return run }
                        for (name, part) in zip(names, parts) { bound.elements[name.text] = part }
                        return bound
                    }
                }
            }
        }
        return runs
    }

    /// For a loop over `zip` of lists written out (also through names), one binding per place: each loop name the
    /// element of its list there. Nil unless the loop unpacks one name per list and the lists are as long.
    private func zippedElements(_ iterable: Node, names targets: Node, in run: PatchRun) -> [[String: Node]]? {
        let zipped = unwrapped(iterable)
        guard zipped.type == "call", case let call = callSite(zipped), call.callee == "zip", call.keywords.isEmpty,
              ["pattern_list", "tuple_pattern"].contains(targets.type) else { return nil }
        let names = targets.namedChildren.filter { $0.type != "comment" }
        guard names.count == call.positional.count, names.allSatisfy({ $0.type == "identifier" }) else { return nil }
        var lists: [[Node]] = []
        for argument in call.positional {
            guard let list = held(argument, in: run).expressions.flatMap({ origins(of: $0) }).first(where: { ["list", "tuple"].contains($0.type) })
            else { return nil }
            lists.append(list.namedChildren.filter { $0.type != "comment" })
        }
        guard let count = lists.first?.count, count > 0, lists.allSatisfy({ $0.count == count }) else { return nil }
        return (0..<count).map { i in Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1.text, lists[$0][i]) }) }
    }

    /// What an expression a patch reads holds in one run (see `PatchRun`), one step back to where it is given: a loop
    /// variable the list element it is bound to; a parameter of the function the run's call runs, what the call passes
    /// (or its default); `self.<field>` in a method of the class the run builds, what the class's methods assign to it,
    /// a parameter of `__init__` so assigned read as the call gives it. The `**` parameter gives `keywords`: those the
    /// call passes beyond the named parameters. The expression itself when no step applies.
    private func held(_ node: Node, in run: PatchRun) -> (expressions: [Node], keywords: [[String: Node]]) {
        let e = unwrapped(node)
        if e.type == "identifier", let element = run.elements[e.text] { return ([element], []) }
        guard let call = run.call, let function = run.function else { return ([e], []) }
        var expressions: [Node] = []
        var keywords: [[String: Node]] = []
        func bind(_ value: Node) -> Bool {
            let v = unwrapped(value)
            guard v.type == "identifier", parameterOwner(of: v)?.node == function.node, latestValue(of: v.text, before: v) == nil else { return false }
            if keywordsParameter(of: function) == v.text {
                keywords.append(call.keywords.filter { !function.parameters.contains($0.key) })
            } else if let argument = boundArgument(v.text, of: function, at: call) {
                expressions.append(argument)
            }
            return true
        }
        if bind(e) { return (expressions, keywords) }
        if e.type == "attribute", let object = e.child(byField: "object"), object.type == "identifier",
           enclosingFunction(e)?.receiver == object.text, let name = e.child(byField: "attribute")?.text,
           let owner = enclosingClass(e), enclosingClass(function.node)?.node == owner.node {
            for value in selfAssignedValues(name, in: owner) where !bind(value) { expressions.append(value) }
            return (expressions, keywords)
        }
        return ([e], [])
    }

    /// The constructions an optimizer named in a patch may be in one run (see `held`, then `origins`); none when the
    /// run is never made.
    private func heldOptimizers(_ owner: Node, in run: PatchRun) -> [Node] {
        guard run.reached else { return [] }
        return held(owner, in: run).expressions.flatMap { origins(of: $0) }.filter { $0.type == "call" }
    }

    /// The entries a mapping a patch reads holds in one run: the keywords a `**` parameter receives, else the entries
    /// written out where the mapping is made (see `mappingEntries`), also after following names and fields (`origins`).
    private func heldEntries(_ mapping: Node, in run: PatchRun) -> [(key: String, value: Node)] {
        let found = held(mapping, in: run)
        var entries: [(key: String, value: Node)] = found.keywords.flatMap { passed in passed.map { (key: $0.key, value: $0.value) } }
        for expression in found.expressions {
            if let written = mappingEntries(expression) {
                entries += written
                continue
            }
            for origin in origins(of: expression) where origin != unwrapped(expression) { entries += mappingEntries(origin) ?? [] }
        }
        return entries
    }

    /// Whether a value written into a group is a constant of the file: a number, or a tuple or list of them (`(0.8,
    /// 0.95)`). An element of the tuple may be the entry's own element kept as it was (`g["betas"] = (0.8,
    /// g["betas"][1])` changes beta1 alone), when `entry` is the entry written; at least one element is a number.
    private func isConstant(_ node: Node, keeping entry: Node? = nil) -> Bool {
        let node = unwrapped(node)
        if node.type == "tuple" || node.type == "list" {
            let items = node.namedChildren.filter { $0.type != "comment" }
            let known = items.filter { !values(of: $0).isEmpty }
            return !known.isEmpty && items.allSatisfy { known.contains($0) || keepsElement($0, of: entry) }
        }
        return !values(of: node).isEmpty
    }

    /// Whether an element written into a tuple is an element of `entry` itself (`g["betas"][1]`).
    private func keepsElement(_ item: Node, of entry: Node?) -> Bool {
        let item = unwrapped(item)
        guard let entry, item.type == "subscript", let read = item.child(byField: "value").map(unwrapped),
              let index = item.child(byField: "subscript"), !values(of: index).isEmpty else { return false }
        return compact(read) == compact(entry)
    }
}
