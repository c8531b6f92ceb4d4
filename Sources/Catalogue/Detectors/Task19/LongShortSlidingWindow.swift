import TreeSitterKit

/// `long_short_sliding_window`: layers mix two sliding windows, a long one and a short one (half of it), chosen
/// per layer. Local attention mixed with global (unwindowed) layers, Gemma-2's pattern, is not it: the catalogue's
/// idea keeps both spans windowed.
///
/// Requires one of: (a) two masks built by the same mask builder with arguments that differ in one or two places (or
/// two dense boolean masks written inline that differ only in one distance bound, see `inlineMaskPairs`)
/// (the window: `build_bm(w)` and `build_bm(w // 2)`, `create_block_mask(windowed(w))` and `...(windowed(w //
/// 2))`, inline `from_kv_blocks` clamps), bound to two names (directly, or through a function returning both),
/// and both names placed in one per-layer structure (a list indexed by layer, a dict looked up by a pattern, a
/// conditional on the layer, or layers held as numbered attributes and called one statement each, `x = self.layer0(x,
/// long_mask)` ... `x = self.layer1(x, short_mask)`, passing both in one place), or both held as values of one dict read with a varying key (`masks = dict(L=...,
/// S=...)`, `[masks[c] for c in "LSSSLS"]`, also once handed on under a keyword and read out of the receiver's keyword
/// arguments, `kwargs.pop("masks")[self.span]`, see `keywordEntryRead`), or made by one builder call in a comprehension over a table of
/// windows whose sizes are known or derived one from another (`{k: build(w) for k, w in windows.items()}`, the
/// short one computed as the long one's half where the run makes them, through parameters, `*` spreads and a
/// generator's `yield`; or computed in the builder's argument from the comprehension's own factor, `{k: build(w // d) for
/// k, d in DIVISORS.items()}`, also a factor read off each enumeration member walked, `{s: build(w // s.divisor) for s
/// in (Span.LONG, Span.SHORT)}`), or made by one builder keyed by the window it builds (`__getitem__(self, span)` reading
/// `self.windows[span]`, `windows = dict(long=w, short=w // 2)`) asked with a per-layer key (`masks[self.span]`, also in
/// a `forward` the layer subclasses inherit, see `Dataflow.callSites`), or made in a loop over window factors and
/// returned as a list that callers unpack into names the layers mix (see `loopBuiltMaskLists`);
/// (b) a per-layer window chosen by a condition on the layer index (`(-1, -1) if
/// is_global else (w - 1, 0)`) and passed to the attention call as its window; or (c) a per-layer list of two
/// window sizes (one twice the other) read by the layer index and handed to the layers; or (d) the windows, or masks
/// made from them, stacked into one tensor that each layer's mask is picked from (see `stackedWindowMasks`); or (e) a
/// layer given its window from a table of windows by a per-layer key (see `perLayerWindowTables`). A
/// mask builder reaches `BlockMask.from_kv_blocks`, `create_block_mask` or a `tril` / `triu` mask. Rejects a windowed mask paired with an unwindowed one (`None`, `-1`, `(-1, -1)`), one mask for every layer, two masks of which one is never given to a
/// layer, two masks chosen between by the run's mode (`short if self.training else long`, see `isModeTest`), a layout string whose last module-level value sends every layer to one mask (see `PythonFacts.comprehensionBranchOutcomes`), and windows that change only over training steps. Examples:
/// `queries/python/long_short_sliding_window/examples/`.
struct LongShortSlidingWindow: Detector {
    let id = "long_short_sliding_window"
    static let maskCalls: Set<String> = ["from_kv_blocks", "create_block_mask", "BlockMask", "tril", "triu"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for (first, second) in maskPairs(facts) + inlineMaskPairs(facts) {
            for (a, b) in boundNames(first, second, facts) where mixed(a, b, around: first, facts) {
                evidence.append(facts.evidence(first, "layers mix two masks of different windows (`\(a)`, `\(b)`)"))
            }
            if let table = sharedTable(first, second, facts) {
                evidence.append(facts.evidence(first, "layers pick one of two masks of different windows from `\(table)` by a per-layer key"))
            }
        }
        evidence += perLayerWindows(facts)
        evidence += windowLists(facts)
        evidence += comprehendedMaskTables(facts)
        evidence += loopBuiltMaskLists(facts)
        evidence += keyedMaskBuilders(facts)
        if evidence.isEmpty { evidence += stackedWindowMasks(facts) }
        if evidence.isEmpty { evidence += perLayerWindowTables(facts) }
        return evidence
    }

    /// A mask builder keyed by the window it builds (`def __getitem__(self, span)`, `def mask(self, kind)`): it reads a
    /// table of two or more windows of different finite sizes (see `windowSizes`: `self.windows = dict(long=w,
    /// short=w // 2)`) with its key parameter, the mask constructor it calls is built from that read (`w =
    /// self.windows[span]`, then `BlockMask.from_kv_blocks(torch.clamp_max(n, w - 1), ...)`), and it is reached with a
    /// key that varies (see `reachedWithVaryingKey`). A table that pairs a window with none (`None`, `-1`), windows all
    /// equal, or a builder only ever asked for one key written as a constant are not two sliding windows by layer.
    func keyedMaskBuilders(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        var evidence: [Evidence] = []
        for function in facts.functions {
            let keys = Set(function.passedParameters)
            guard !keys.isEmpty else { continue }
            let constructors = facts.descendants(of: function.node).filter { n in
                n.type == "call" && Self.maskCalls.contains(facts.callSite(n).name) && facts.enclosingFunction(n)?.node == function.node
            }
            guard !constructors.isEmpty else { continue }
            let built = Set(flow.closure(of: constructors.flatMap { node -> [Node] in
                let call = facts.callSite(node)
                return call.positional + Array(call.keywords.values)
            }))
            let read = facts.descendants(of: function.node).first { n in
                guard n.type == "subscript", built.contains(n), let key = n.child(byField: "subscript").map(facts.unwrapped),
                      key.type == "identifier", keys.contains(key.text), let table = n.child(byField: "value") else { return false }
                let sizes = Set(windowSizes(table, facts, depth: 0))
                return sizes.count >= 2 && sizes.allSatisfy { $0.isFinite && $0 > 0 }
            }
            guard let read, reachedWithVaryingKey(function, facts) else { continue }
            evidence.append(facts.evidence(read, "one mask builder makes masks of different windows, picked by a per-layer key"))
        }
        return evidence
    }

    /// Whether a keyed builder is asked for a key not written as a constant: for `__getitem__`, a subscript with such a
    /// key of an object of its class (`masks[self.span]`, see `PythonFacts.holdsInstance`); otherwise a call of it
    /// (see `Dataflow.callSites`) passing such a key for its first parameter after the receiver.
    func reachedWithVaryingKey(_ function: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        func varies(_ key: Node) -> Bool {
            !["string", "integer", "float", "concatenated_string", "none"].contains(facts.unwrapped(key).type)
        }
        if function.name == "__getitem__" {
            guard let owner = facts.enclosingClass(function.node) else { return false }
            return facts.nodes(ofType: "subscript").contains { n in
                guard !facts.isInside(n, function.node), let object = n.child(byField: "value"),
                      let key = n.child(byField: "subscript"), varies(key) else { return false }
                return facts.holdsInstance(object, of: owner)
            }
        }
        guard let name = function.passedParameters.first, let index = function.parameters.firstIndex(of: name) else { return false }
        return facts.dataflow.callSites(of: function.node).contains { site in
            facts.dataflow.argument(site, name: name, index: index).map(varies) == true
        }
    }

    /// A table of masks one builder call makes in a comprehension, one mask per window of a sequence of two or more
    /// different windows (`{kind: build(n) for kind, n in zip(KINDS, blocks)}` with `blocks = tuple(max(1, int(w *
    /// f)) for f in FRACTIONS.values())`, `FRACTIONS = {"L": 1.0, "S": 0.5}`; `{k: build(w) for k, w in
    /// windows.items()}` with `windows = dict(long=a, short=b)` and `b` derived from `a` as its half, see
    /// `entrySizes`), read with a key that varies (`masks[self.window_kind]`). Windows that are all equal, or that are not all finite numbers (`None`: a global
    /// layer), are not two sliding windows. The builder's argument may also compute the window from the comprehension's
    /// own factor (`{kind: build(torch.clamp_min(w // d, 1)) for kind, d in DIVISORS.items()}` with `DIVISORS = dict(L=1,
    /// S=2)`, see `factorWindows`).
    func comprehendedMaskTables(_ facts: PythonFacts) -> [Evidence] {
        let builders = Set(maskBuilders(facts).map(\.name)).union(Self.maskCalls)
        var evidence: [Evidence] = []
        for table in facts.nodes(ofType: ["dictionary_comprehension", "list_comprehension"]) {
            guard var value = table.child(byField: "body") else { continue }
            if value.type == "pair", let held = value.child(byField: "value") { value = held }
            value = facts.unparenthesized(value)
            guard value.type == "call", case let call = facts.callSite(value), builders.contains(call.name), !call.hasSplat else { continue }
            // The windows the builder's argument runs over: a variable of this comprehension.
            var windows: [Double] = []
            for argument in call.positional + Array(call.keywords.values) where argument.type == "identifier" {
                for binding in facts.dataflow.bindings(of: argument.text, at: argument) {
                    guard case .iteration = binding.kind, facts.isInside(binding.site, table) else { continue }
                    windows += windowSizes(facts.dataflow.iterationSource(binding), facts, depth: 0)
                }
            }
            // A window the builder's argument computes from the comprehension's own factor (`build(torch.clamp_min(w //
            // d, 1)) for kind, d in DIVISORS.items()`), see `factorWindows`.
            if windows.isEmpty, let clause = table.namedChildren.first(where: { $0.type == "for_in_clause" }) {
                for argument in call.positional + Array(call.keywords.values) where argument.type != "identifier" {
                    windows += factorWindows(of: argument, over: clause, facts)
                }
            }
            let distinct = Set(windows)
            guard distinct.count >= 2, distinct.allSatisfy({ $0.isFinite && $0 > 0 }) else { continue }
            let readPerLayer = tableNames(table, facts).first { name in
                facts.nodes.contains { n in
                    guard n.type == "subscript", n.child(byField: "value")?.text == name, let key = n.child(byField: "subscript") else { return false }
                    return !["string", "integer", "float", "concatenated_string"].contains(key.type)
                }
            }
            if let readPerLayer {
                evidence.append(facts.evidence(table, "layers pick one of masks of \(distinct.count) different windows from `\(readPerLayer)` by a per-layer key"))
            }
        }
        return evidence
    }

    /// A function that builds one mask per factor of a sequence of two or more different window factors in a loop and
    /// returns the list (`for s in scales: w = window // s; out.append(BlockMask.from_kv_blocks(...))`, `return out`,
    /// `scales=(1, 2)`), unpacked by its callers into names that layers mix (`long_bm, short_bm = block_masks(...)`,
    /// then `long_bm if kind == "L" else short_bm` per layer, see `mixed`). Factors that are all equal, or a loop
    /// variable the mask's arguments never read, are not two windows.
    func loopBuiltMaskLists(_ facts: PythonFacts) -> [Evidence] {
        let builders = Set(maskBuilders(facts).map(\.name)).union(Self.maskCalls)
        var evidence: [Evidence] = []
        for loop in facts.nodes(ofType: "for_statement") {
            guard let variable = loop.child(byField: "left"), variable.type == "identifier",
                  let iterable = loop.child(byField: "right"), let body = loop.child(byField: "body"),
                  let function = facts.enclosingFunction(loop) else { continue }
            // `out.append(<mask call>)` in the loop, `out` being what the function returns.
            let returned = Set(facts.dataflow.returns(of: function.node).map(facts.unwrapped).filter { $0.type == "identifier" }.map(\.text))
            let appended = facts.descendants(of: body).first { n in
                guard n.type == "call", case let call = facts.callSite(n), call.name == "append", let list = call.receiver,
                      returned.contains(facts.unwrapped(list).text), let item = call.positional.first.map(facts.unwrapped),
                      item.type == "call" else { return false }
                return builders.contains(facts.callSite(item).name)
            }
            guard let appended, let mask = facts.callSite(appended).positional.first.map(facts.unwrapped) else { continue }
            // The mask's arguments read the loop variable (directly or through a local computed from it).
            let read = facts.dataflow.closure(of: [mask])
            guard read.contains(where: { $0.type == "identifier" && $0.text == variable.text && facts.isInside($0, body) }) else { continue }
            let factors = Set(windowSizes(iterable, facts, depth: 0))
            guard factors.count >= 2, factors.allSatisfy({ $0.isFinite && $0 > 0 }) else { continue }
            // The callers' unpacking into names the layers mix.
            for call in facts.calls(named: function.name) where facts.calledFunction(call)?.node == function.node {
                guard let assignment = call.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == call.node,
                      let left = assignment.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(left.type) else { continue }
                let names = left.namedChildren.filter { $0.type == "identifier" }.map(\.text)
                guard names.count >= 2 else { continue }
                if names.indices.contains(where: { i in names.indices.contains { j in i < j && mixed(names[i], names[j], around: call.node, facts) } }) {
                    evidence.append(facts.evidence(mask, "layers mix masks a loop builds for \(factors.count) window factors (`\(names.joined(separator: "`, `"))`)"))
                }
            }
        }
        return evidence
    }

    /// The relative sizes of a finite sequence of windows: the entries of a literal list, tuple or dictionary
    /// (`dict(long=a, short=b)` too, also held by an attribute of `self`; see `entrySizes`), or, for one expression computed per entry of a table of
    /// factors (`tuple(max(1, int(w * f)) for f in FRACTIONS.values())`), the factors. Followed through locals, the
    /// arguments a parameter is given, and what a function of the file returns. Empty when unknown.
    func windowSizes(_ node: Node, _ facts: PythonFacts, depth: Int) -> [Double] {
        guard depth < 8 else { return [] }
        let n = facts.unwrapped(node)
        let flow = facts.dataflow
        switch n.type {
        case "identifier":
            return flow.bindings(of: n.text, at: n).flatMap { binding -> [Double] in
                switch binding.kind {
                case .value: return binding.node == n ? [] : windowSizes(binding.node, facts, depth: depth + 1)
                case .parameter: return flow.passedArguments(binding, name: n.text).flatMap { windowSizes($0, facts, depth: depth + 1) }
                default: return []
                }
            }
        case "list", "tuple":
            return entrySizes(n.namedChildren.filter { $0.type != "comment" }, facts)
        case "attribute":
            // `self.windows`: what the class's methods assign to it, when they all assign one table.
            guard let object = n.child(byField: "object"), object.text == "self", let name = n.child(byField: "attribute")?.text,
                  let owner = facts.enclosingClass(n), case let values = facts.selfAssignedValues(name, in: owner), values.count == 1
            else { return [] }
            return windowSizes(values[0], facts, depth: depth + 1)
        case "dictionary":
            // `{"long": w, "short": w // 2}` iterated by `.items()` / `.values()`: its values.
            return entrySizes(n.namedChildren.compactMap { $0.type == "pair" ? $0.child(byField: "value") : nil }, facts)
        case "call":
            let call = facts.callSite(n)
            if ["tuple", "list"].contains(call.callee) {
                // `tuple(e for f in fs)`: the generator is the call's whole argument list.
                if let generator = n.child(byField: "arguments"), generator.type == "generator_expression" { return windowSizes(generator, facts, depth: depth + 1) }
                if call.positional.count == 1 { return windowSizes(call.positional[0], facts, depth: depth + 1) }
            }
            // `dict(long=long_blocks, short=short_blocks)`: its keyword values, in written order.
            if call.callee == "dict", call.positional.isEmpty, !call.hasSplat, let arguments = n.child(byField: "arguments") {
                return entrySizes(arguments.namedChildren.compactMap { $0.type == "keyword_argument" ? $0.child(byField: "value") : nil }, facts)
            }
            guard let function = facts.calledFunction(call) else { return [] }
            return facts.returnedValues(function).flatMap { windowSizes($0, facts, depth: depth + 1) }
        case "generator_expression", "list_comprehension":
            // One window expression per factor: the loop variable multiplies it (`w * f`), or divides it (`w // d`).
            guard let element = n.child(byField: "body"), let clause = n.namedChildren.first(where: { $0.type == "for_in_clause" }) else { return [] }
            return factorWindows(of: element, over: clause, facts)
        default:
            return []
        }
    }

    /// The relative windows one expression makes per entry of a table of factors a comprehension clause walks: the
    /// loop variable multiplies it (`w * f`) or divides it (`w // d`, read as the factor `1 / d`), and the clause walks a
    /// list or tuple of known numbers (`for f in (1.0, 0.5)`), a table's `.values()` (`for f in FRACTIONS.values()`), or
    /// its `.items()` with the variable as the entry's value (`for kind, d in DIVISORS.items()`); the table is a
    /// dictionary literal or `dict(...)` (`DIVISORS = dict(L=1, S=2)`, also a name or class field set to one, see
    /// `PythonFacts.dictionaries` and `mappingEntries`). The factor may also be read off an enumeration member the
    /// variable holds, once per member the clause walks (`w // span.divisor for span in (Span.LONG, Span.SHORT)`, see
    /// `PythonFacts.perMemberReads`). Empty when some factor is unknown or the variable does not scale it.
    func factorWindows(of element: Node, over clause: Node, _ facts: PythonFacts) -> [Double] {
        guard let target = clause.child(byField: "left"), var source = clause.child(byField: "right").map(facts.unwrapped) else { return [] }
        var walked: String?
        if source.type == "call", let f = source.child(byField: "function"), f.type == "attribute",
           let method = f.child(byField: "attribute")?.text, ["values", "items"].contains(method),
           facts.callSite(source).positional.isEmpty, let object = f.child(byField: "object") {
            walked = method
            source = object
        }
        let names = target.type == "identifier" ? [target] : target.namedChildren
        guard names.allSatisfy({ $0.type == "identifier" }), names.count == (walked == "items" ? 2 : 1),
              let variable = names.last?.text else { return [] }
        var divides = false
        // The factor read per row off a member the variable holds (`w // span.divisor`), see `PythonFacts.perMemberReads`.
        var memberRead: Node?
        /// Whether an operand is the factor: the variable itself, or a read of the member it holds.
        func isFactor(_ operand: Node) -> Bool {
            let o = facts.unwrapped(operand)
            if o.type == "identifier" { return o.text == variable }
            let read: Node? = o.type == "subscript" ? o.child(byField: "value").map(facts.unwrapped) : o
            guard walked == nil, let read, read.type == "attribute",
                  read.child(byField: "object").map(facts.unwrapped)?.text == variable else { return false }
            memberRead = o
            return true
        }
        let scales = facts.descendants(of: element).contains { op in
            guard op.type == "binary_operator", let kind = op.child(byField: "operator")?.type,
                  let left = op.child(byField: "left"), let right = op.child(byField: "right") else { return false }
            if kind == "*" { return isFactor(left) || isFactor(right) }
            if kind == "/" || kind == "//", isFactor(right) { divides = true; return true }
            return false
        }
        guard scales else { return [] }
        var entries: [Node] = []
        if let memberRead {
            entries = facts.perMemberReads(memberRead) ?? []
        } else if walked != nil {
            entries = facts.dictionaries(source).flatMap { d in
                facts.mappingEntries(d)?.map { $0.value } ?? d.namedChildren.compactMap { $0.child(byField: "value") }
            }
        } else if source.type == "list" || source.type == "tuple" {
            entries = source.namedChildren.filter { $0.type != "comment" }
        }
        let factors = entries.map { facts.value(of: $0)?.double }
        guard !factors.isEmpty, !factors.contains(where: { $0 == nil }) else { return [] }
        return factors.compactMap { $0 }.map { divides ? 1 / $0 : $0 }
    }

    /// The relative sizes of the windows a table holds: their numbers when all are known; else each entry's size
    /// relative to the first as the run computes them (`relativeScale`), so a table of two windows the run derives
    /// one from the other (`dict(long=long_blocks, short=short_blocks)` with both traced to `yield w, max(w // 2,
    /// 128)`) reads as [1, 0.5]. Empty when some entry cannot be related to the first (`None`, `-1`, a length of its
    /// own: a global layer is no second window).
    func entrySizes(_ entries: [Node], _ facts: PythonFacts) -> [Double] {
        let numbers = entries.map { facts.value(of: $0)?.double }
        if !numbers.contains(where: { $0 == nil }) { return numbers.compactMap { $0 } }
        guard entries.count >= 2, let first = entries.first else { return [] }
        let scales = entries.map { relativeScale($0, of: first, facts, depth: 0) }
        return scales.contains { $0 == nil } ? [] : scales.compactMap { $0 }
    }

    /// How many times `a` the expression `b` is, read symbolically: the same expression in the same function is 1; a
    /// product or quotient by a literal number (`w // 2`, `w * 0.5`, `w >> 1`) scales it; a clamp by a constant
    /// (`max(w // 2, BLOCK)`, `min(...)`) and a number conversion (`int`, `round`, `math.floor` / `ceil`) keep it;
    /// the same function called on both with one argument differing (`blocks(long_w)` and
    /// `blocks(short_w)`) relates those arguments; names are followed to the one expression they stand for
    /// (`followedName`). Nil when the two are not related so.
    func relativeScale(_ b: Node, of a: Node, _ facts: PythonFacts, depth: Int) -> Double? {
        guard depth < 16 else { return nil }
        let a = facts.unwrapped(a), b = facts.unwrapped(b)
        if facts.compact(a) == facts.compact(b), facts.enclosingFunction(a)?.node == facts.enclosingFunction(b)?.node { return 1 }
        if let (inner, factor) = scaledOperand(b, facts) {
            return relativeScale(inner, of: a, facts, depth: depth + 1).map { $0 * factor }
        }
        if let (inner, factor) = scaledOperand(a, facts) {
            return relativeScale(b, of: inner, facts, depth: depth + 1).map { $0 / factor }
        }
        if let inner = keptOperand(b, facts) { return relativeScale(inner, of: a, facts, depth: depth + 1) }
        if let inner = keptOperand(a, facts) { return relativeScale(b, of: inner, facts, depth: depth + 1) }
        if a.type == "call", b.type == "call" {
            let ca = facts.callSite(a), cb = facts.callSite(b)
            guard ca.callee == cb.callee, !ca.hasSplat, !cb.hasSplat, ca.positional.count == cb.positional.count,
                  Set(ca.keywords.keys) == Set(cb.keywords.keys) else { return nil }
            var differing = zip(ca.positional, cb.positional).filter { facts.compact($0) != facts.compact($1) }
            differing += ca.keywords.keys.sorted().compactMap { key -> (Node, Node)? in
                guard let x = ca.keywords[key], let y = cb.keywords[key], facts.compact(x) != facts.compact(y) else { return nil }
                return (x, y)
            }
            guard differing.count == 1 else { return nil }
            return relativeScale(differing[0].1, of: differing[0].0, facts, depth: depth + 1)
        }
        let na = a.type == "identifier" ? followedName(a, facts) : nil
        let nb = b.type == "identifier" ? followedName(b, facts) : nil
        guard na != nil || nb != nil else { return nil }
        return relativeScale(nb ?? b, of: na ?? a, facts, depth: depth + 1)
    }

    /// For `x // k`, `x / k`, `x * k`, `k * x`, `x >> k` with `k` a literal number: `x` and the factor it is scaled by.
    func scaledOperand(_ node: Node, _ facts: PythonFacts) -> (Node, Double)? {
        guard node.type == "binary_operator", let op = node.child(byField: "operator")?.type,
              let left = node.child(byField: "left"), let right = node.child(byField: "right") else { return nil }
        func literal(_ n: Node) -> Double? {
            let u = facts.unwrapped(n)
            return ["integer", "float"].contains(u.type) ? facts.value(of: u)?.double : nil
        }
        switch op {
        case "*":
            if let k = literal(right), literal(left) == nil { return (left, k) }
            if let k = literal(left), literal(right) == nil { return (right, k) }
        case "/", "//":
            if let k = literal(right), k != 0, literal(left) == nil { return (left, 1 / k) }
        case ">>":
            if let k = literal(right), k >= 0, k < 32, literal(left) == nil { return (left, 1 / Double(1 << Int(k))) }
        default:
            break
        }
        return nil
    }

    /// The operand a number conversion keeps (`int(x)`, `round(x)`, `math.floor(x)`, `math.ceil(x)`), or that a clamp
    /// by a constant keeps (`max(x, BLOCK)`, `min(x, 64)`: the argument that is not a known number; a tensor clamp whose
    /// bounds are known numbers, `torch.clamp_min(x, 1)`, `torch.clamp(x, min=1)`, `x.clamp_min(1)`, `x.clip(max=64)`:
    /// `x`).
    func keptOperand(_ node: Node, _ facts: PythonFacts) -> Node? {
        guard node.type == "call" else { return nil }
        let call = facts.callSite(node)
        guard !call.hasSplat else { return nil }
        if ["clamp", "clamp_min", "clamp_max", "clip"].contains(call.name) {
            // The clamped value: the receiver of the method, or the first argument of the `torch.` function.
            let isMethod = call.receiver != nil
            guard isMethod || call.callee.hasPrefix("torch."),
                  let value = isMethod ? call.receiver : call.positional.first else { return nil }
            let bounds = Array(call.positional.dropFirst(isMethod ? 0 : 1)) + Array(call.keywords.values)
            guard !bounds.isEmpty, bounds.allSatisfy({ facts.value(of: $0) != nil }) else { return nil }
            return value
        }
        guard call.keywords.isEmpty else { return nil }
        if ["int", "round", "math.floor", "math.ceil"].contains(call.callee), call.positional.count == 1 { return call.positional[0] }
        guard ["max", "min"].contains(call.callee), call.positional.count == 2 else { return nil }
        let known = call.positional.map { facts.value(of: $0) != nil }
        if known[0] != known[1] { return known[0] ? call.positional[1] : call.positional[0] }
        return nil
    }

    /// The one expression a name stands for where it is read: its latest local value; the element it takes of an
    /// unpacked value (`long, short = next(window_gen)`: the element of what the generator yields, see
    /// `PythonFacts.advancedValues`; of a literal tuple); for a parameter, the argument every call of its function
    /// passes, counted through `*` spreads (`model(x, y, *windows)` with `windows = (a, b)`) and the same in all of
    /// them. Nil when it stands for none, or for several that differ.
    func followedName(_ name: Node, _ facts: PythonFacts) -> Node? {
        let flow = facts.dataflow
        let bindings = flow.bindings(of: name.text, at: name)
        if let binding = bindings.first(where: { if case .parameter = $0.kind { return true }; return false }) {
            guard bindings.count == 1, case .parameter(let index) = binding.kind, binding.node.type == "function_definition" else { return nil }
            let passed = flow.callSites(of: binding.node).compactMap { site -> Node? in
                let position = index - site.offset
                return position >= 0 ? facts.argument(of: site.call, name.text, position: position) : nil
            }
            guard let first = passed.first, passed.allSatisfy({ facts.compact($0) == facts.compact(first) }) else { return nil }
            return first
        }
        if let value = facts.latestValue(of: name.text, before: name) { return value }
        let unpacked = bindings.filter { if case .element = $0.kind { return true }; return false }
        guard unpacked.count == 1, case .element(let index) = unpacked[0].kind, unpacked[0].site.endByte <= name.startByte else { return nil }
        let source = facts.unwrapped(unpacked[0].node)
        let wholes = facts.advancedValues(source) ?? [source]
        let parts = wholes.compactMap { whole -> Node? in
            let w = facts.unwrapped(whole)
            let items = ["tuple", "expression_list", "list"].contains(w.type) ? w.namedChildren.filter { $0.type != "comment" } : []
            return index < items.count && !items.contains(where: { $0.type == "list_splat" }) ? items[index] : nil
        }
        guard let first = parts.first, parts.count == wholes.count, parts.allSatisfy({ facts.compact($0) == facts.compact(first) }) else { return nil }
        return first
    }

    /// A per-layer list of two window sizes (`[1024, 512, 512, 512, 1024, 512]`) read by the
    /// layer index and handed to the layers.
    func windowLists(_ facts: PythonFacts) -> [Evidence] {
        facts.nodes.compactMap { list -> Evidence? in
            guard list.type == "list", list.namedChildCount >= 3 else { return nil }
            let values = list.namedChildren.compactMap { facts.value(of: $0)?.double }
            guard values.count == list.namedChildCount else { return nil }
            let distinct = Set(values).sorted()
            guard distinct.count == 2, distinct[1] >= 64, distinct[1] == 2 * distinct[0] else { return nil }
            guard let assignment = list.parent, assignment.type == "assignment", let target = assignment.child(byField: "left") else { return nil }
            let readByLayer = facts.nodes.contains { n in
                guard n.type == "subscript", n.child(byField: "value")?.text == target.text,
                      let index = n.child(byField: "subscript") else { return false }
                let loops = facts.enclosingLoops(n).flatMap(facts.loopVariables)
                return loops.contains { facts.mentions(index, $0) } && n.parent.map { ["argument_list", "keyword_argument"].contains($0.type) } == true
            }
            return readByLayer ? facts.evidence(list, "per-layer attention windows of two sizes") : nil
        }
    }

    /// Functions that build a mask: they call a mask constructor, directly or through the functions they call.
    func maskBuilders(_ facts: PythonFacts) -> [PythonFacts.Function] {
        // The mask calls from the call index; whether a function holds one is decided once per function.
        facts.memoized("LongShortSlidingWindow.maskBuilders") {
            let maskCalls = Self.maskCalls.flatMap { facts.calls(named: $0) }.map(\.node)
            guard !maskCalls.isEmpty else { return [] }
            var holdsMaskCall: [Node: Bool] = [:]
            return facts.functions.filter { f in
                facts.reachableFunctions(from: f).contains { g in
                    if let known = holdsMaskCall[g.node] { return known }
                    let holds = maskCalls.contains { facts.isInside($0, g.node) }
                    holdsMaskCall[g.node] = holds
                    return holds
                }
            }
        }
    }

    /// Pairs of calls of one mask builder, in one function, whose arguments differ in exactly one place. A builder is
    /// called by name (a function of the file, or a lambda bound to a name), or as an object whose method builds the mask (`make = WindowMask(docs)`, then `make(w)` runs
    /// the class's `__call__`; see `PythonFacts.objectCalls`).
    func maskPairs(_ facts: PythonFacts) -> [(Node, Node)] {
        let functions = maskBuilders(facts)
        // Also a lambda bound to a name whose body builds the mask (`mk = lambda w: BlockMask.from_kv_blocks(...)`).
        let lambdaBuilders = Self.maskCalls.flatMap { facts.calls(named: $0) }.compactMap { call -> String? in
            facts.ancestors(of: call.node).first(where: { $0.type == "lambda" }).flatMap(facts.binding(ofLambda:))?.name
        }
        let builders = Set(functions.map(\.name)).union(Self.maskCalls).union(lambdaBuilders)
        let methods = Set(functions.map(\.node))
        // Only a callee called twice in one function can pair: the objects called are looked up for those alone.
        func key(_ call: CallSite) -> String { "\(facts.enclosingFunction(call.node)?.node.startByte ?? -1)/\(call.callee)" }
        var repeated: [String: Int] = [:]
        for call in facts.calls where !call.hasSplat { repeated[key(call), default: 0] += 1 }
        // The method a call on an object can run: one of that name (`masks.build(w)`), or, for a call of the object
        // itself (`make(w)`, `self.make(w)`), its `__call__` or `forward`; calls of imported names are never looked up.
        let methodNames = Set(functions.filter { facts.enclosingClass($0.node) != nil }.map(\.name))
        let objectsCallable = !methodNames.isDisjoint(with: ["__call__", "forward"])
        func mayRunMethod(_ call: CallSite) -> Bool {
            guard let function = call.function.map(facts.unwrapped), !facts.isImportedName(function) else { return false }
            return function.type == "identifier" ? objectsCallable : methodNames.contains(call.name) || objectsCallable
        }
        let candidates = facts.calls.filter { call in
            guard !call.hasSplat else { return false }
            if builders.contains(call.name) { return true }
            return repeated[key(call), default: 0] >= 2 && mayRunMethod(call) && facts.objectCalls(call).contains { methods.contains($0.method.node) }
        }
        var pairs: [(Node, Node)] = []
        for (i, a) in candidates.enumerated() {
            for b in candidates[(i + 1)...] where a.callee == b.callee && facts.enclosingFunction(a.node)?.node == facts.enclosingFunction(b.node)?.node {
                guard !facts.isInside(a.node, b.node), !facts.isInside(b.node, a.node),
                      a.positional.count == b.positional.count, Set(a.keywords.keys) == Set(b.keywords.keys) else { continue }
                var differing = zip(a.positional, b.positional).filter { facts.compact($0) != facts.compact($1) }
                differing += a.keywords.keys.filter { facts.compact(a.keywords[$0]!) != facts.compact(b.keywords[$0]!) }
                    .map { (a.keywords[$0]!, b.keywords[$0]!) }
                // One differing argument (the window), or two when a window clamps both block counts inline. A
                // mask without a window (`make(None)`, `-1`: global attention) pairs a window with none: not two
                // sliding windows.
                guard differing.count == 1 || differing.count == 2,
                      !differing.contains(where: { isGlobal($0.0, facts) || isGlobal($0.1, facts) }),
                      !differing.contains(where: { unwindowedMaskFunction($0.0, facts) || unwindowedMaskFunction($0.1, facts) }),
                      !differing.allSatisfy({ sameWindow($0.0, $0.1, facts) })
                else { continue }
                pairs.append((a.node, b.node))
            }
        }
        return pairs
    }

    /// Dense boolean masks written inline and bound to names in one function, the same conjunction but for the bound
    /// of one distance comparison (`wide = same & (dist < w)`, `narrow = same & (dist < w // 2)`): a pair of masks of
    /// two windows, as two calls of one mask builder are (`maskPairs`). Bounds that are one window written twice
    /// (`sameWindow`) or no window (`isGlobal`) do not pair.
    func inlineMaskPairs(_ facts: PythonFacts) -> [(Node, Node)] {
        let masks = facts.nodes(ofType: "binary_operator").filter { n in
            guard n.child(byField: "operator")?.type == "&", let assignment = n.parent, assignment.type == "assignment",
                  assignment.child(byField: "right") == n, assignment.child(byField: "left")?.type == "identifier" else { return false }
            return true
        }
        func comparison(_ n: Node) -> (op: String, left: Node, right: Node)? {
            let c = facts.unparenthesized(n)
            let operands = c.namedChildren.filter { $0.type != "comment" }
            guard c.type == "comparison_operator", operands.count == 2,
                  let op = c.children.first(where: { !$0.isNamed })?.type, ["<", "<=", ">", ">="].contains(op) else { return nil }
            return (op, operands[0], operands[1])
        }
        /// The differing bounds when `a` and `b` are one conjunction but for the bound of one comparison.
        func differingBounds(_ a: Node, _ b: Node) -> (Node, Node)? {
            guard let al = a.child(byField: "left"), let ar = a.child(byField: "right"),
                  let bl = b.child(byField: "left"), let br = b.child(byField: "right") else { return nil }
            for (sameA, sameB, cmpA, cmpB) in [(al, bl, ar, br), (ar, br, al, bl)] where facts.compact(sameA) == facts.compact(sameB) {
                guard let x = comparison(cmpA), let y = comparison(cmpB), x.op == y.op else { continue }
                if facts.compact(x.left) == facts.compact(y.left), facts.compact(x.right) != facts.compact(y.right) { return (x.right, y.right) }
                if facts.compact(x.right) == facts.compact(y.right), facts.compact(x.left) != facts.compact(y.left) { return (x.left, y.left) }
            }
            return nil
        }
        var pairs: [(Node, Node)] = []
        for (i, a) in masks.enumerated() {
            for b in masks[(i + 1)...] where facts.enclosingFunction(a)?.node == facts.enclosingFunction(b)?.node {
                guard let (wa, wb) = differingBounds(a, b), !isGlobal(wa, facts), !isGlobal(wb, facts), !sameWindow(wa, wb, facts) else { continue }
                pairs.append((a, b))
            }
        }
        return pairs
    }

    /// Whether two window arguments are one window written twice: one is the other divided or multiplied by a value
    /// known to be 1 (`short = long // SHORT_DIVISOR` with the divisor 1), also through a local each is held in.
    func sameWindow(_ a: Node, _ b: Node, _ facts: PythonFacts) -> Bool {
        func held(_ n: Node) -> Node {
            let u = facts.unparenthesized(n)
            guard u.type == "identifier", let value = facts.latestValue(of: u.text, before: u) else { return u }
            return facts.unparenthesized(value)
        }
        let (x, y) = (held(a), held(b))
        for (base, scaled) in [(x, y), (y, x)] {
            guard scaled.type == "binary_operator", ["//", "/", "*"].contains(scaled.child(byField: "operator")?.type ?? ""),
                  let left = scaled.child(byField: "left"), let right = scaled.child(byField: "right") else { continue }
            let sides = [(left, right), (right, left)].filter { scaled.child(byField: "operator")?.type == "*" || $0.0 == left }
            for (kept, factor) in sides where facts.compact(kept) == facts.compact(base) || facts.compact(kept) == facts.compact(a) || facts.compact(kept) == facts.compact(b) {
                if facts.evaluate(factor) == 1 { return true }
            }
        }
        return false
    }

    /// The names two calls' results are bound to: `x = f(...)` (also in `x, y = f(w), f(w // 2)`), or, when a
    /// function returns both, the names its callers unpack them into.
    func boundNames(_ a: Node, _ b: Node, _ facts: PythonFacts) -> [(String, String)] {
        if let x = boundName(a, facts), let y = boundName(b, facts), x != y { return [(x, y)] }
        // return f(w), f(w // 2)
        guard let ra = a.parent, ra == b.parent, ["expression_list", "tuple"].contains(ra.type),
              ra.parent?.type == "return_statement", let function = facts.enclosingFunction(a),
              let i = ra.namedChildren.firstIndex(of: a), let j = ra.namedChildren.firstIndex(of: b) else { return [] }
        var result: [(String, String)] = []
        for call in facts.calls where call.name == function.name {
            guard let assignment = call.node.parent, assignment.type == "assignment",
                  let left = assignment.child(byField: "left") else { continue }
            // The pair held whole (`block_masks = self.create_block_masks(...)`) and unpacked later, where it is held or in
            // a function it is handed to (`long_mask, short_mask = block_masks` in the layer stack's forward).
            let patterns = ["pattern_list", "tuple_pattern"].contains(left.type) ? [left]
                : left.type == "identifier" ? unpackings(of: left.text, in: facts.enclosingFunction(assignment)?.node ?? facts.root, facts, depth: 0) : []
            for pattern in patterns {
                let targets = pattern.namedChildren
                if i < targets.count, j < targets.count { result.append((targets[i].text, targets[j].text)) }
            }
        }
        return result
    }

    /// The patterns a name holding a tuple is unpacked into (`a, b = name`) in `scope`, and in the functions of the file
    /// that `scope` hands it to by position or keyword (their parameter's unpackings), two calls deep.
    func unpackings(of name: String, in scope: Node, _ facts: PythonFacts, depth: Int) -> [Node] {
        var found: [Node] = []
        for assignment in facts.descendants(of: scope) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(left.type),
                  let right = assignment.child(byField: "right").map(facts.unwrapped), right.type == "identifier", right.text == name
            else { continue }
            found.append(left)
        }
        guard depth < 2 else { return found }
        for call in facts.calls where facts.isInside(call.node, scope) {
            // The parameter that receives the name: by position (see `PythonFacts.receivingParameters`) or by keyword.
            var receiving = facts.receivingParameters(of: name, in: call)
            if let keyword = call.keywords.first(where: { facts.unwrapped($0.value).text == name })?.key {
                receiving += facts.targets(of: call).filter { $0.passedParameters.contains(keyword) }.map { ($0, keyword) }
            }
            for (function, parameter) in receiving where function.node != scope {
                guard let body = function.body else { continue }
                found += unpackings(of: parameter, in: body, facts, depth: depth + 1)
            }
        }
        return found
    }

    /// The name of a table holding both masks as values (`masks = dict(L=build(w), S=build(w // 2))`, or a dict
    /// literal), when the table is read with a key that varies (`[masks[c] for c in "LSSSLS"]`, `masks[kind[i]]`).
    func sharedTable(_ a: Node, _ b: Node, _ facts: PythonFacts) -> String? {
        func table(_ call: Node) -> Node? {
            guard let holder = call.parent else { return nil }
            if holder.type == "keyword_argument", let list = holder.parent, list.type == "argument_list", let dict = list.parent,
               dict.type == "call", facts.callSite(dict).callee == "dict" { return dict }
            if holder.type == "pair", let dict = holder.parent, dict.type == "dictionary" { return dict }
            return nil
        }
        guard let ta = table(a), let tb = table(b), ta == tb else { return nil }
        return tableNames(ta, facts).first { name in
            let keywords = forwardedKeywords(of: name, facts)
            return facts.nodes.contains { n in
                guard n.type == "subscript", let value = n.child(byField: "value").map(facts.unwrapped),
                      let key = n.child(byField: "subscript") else { return false }
                guard value.text == name || keywordEntryRead(value, keywords, facts) else { return false }
                // A key that is not written as a constant (a name bound per layer, `kinds[i]`, ...).
                return !["string", "integer", "float", "concatenated_string"].contains(key.type)
            }
        }
    }

    /// The keywords a name is handed on under (`block(x, masks=masks)` gives `masks`).
    func forwardedKeywords(of name: String, _ facts: PythonFacts) -> Set<String> {
        var keywords: Set<String> = []
        for call in facts.calls {
            for (keyword, value) in call.keywords where facts.unwrapped(value).type == "identifier" && facts.unwrapped(value).text == name {
                keywords.insert(keyword)
            }
        }
        return keywords
    }

    /// Whether `node` reads one of `keywords` out of a dictionary of keyword arguments: `kwargs["masks"]`,
    /// `kwargs.get("masks")`, `kwargs.pop("masks")` (a `**kwargs` parameter, or the keyword dictionary a forward
    /// pre-hook registered `with_kwargs=True` receives).
    func keywordEntryRead(_ node: Node, _ keywords: Set<String>, _ facts: PythonFacts) -> Bool {
        guard !keywords.isEmpty, let (object, key) = facts.entryRead(node), facts.unwrapped(object).type == "identifier" else { return false }
        return keywords.contains(key)
    }

    /// The names a table of masks is bound to: `masks = dict(...)`, and, when its function returns it (`return
    /// {...}`, `return masks`), the names the function's callers bind the result to (`masks = build_masks(...)`).
    func tableNames(_ table: Node, _ facts: PythonFacts) -> [String] {
        guard let holder = table.parent else { return [] }
        var names: [String] = []
        var returned = holder.type == "return_statement"
        if holder.type == "assignment", let name = holder.child(byField: "left"), name.type == "identifier" {
            names.append(name.text)
            returned = facts.enclosingFunction(table).map { function in
                facts.descendants(of: function.node).contains { $0.type == "return_statement" && $0.namedChild(0)?.text == name.text }
            } ?? false
        }
        guard returned, let function = facts.enclosingFunction(table) else { return names }
        for call in facts.calls where call.name == function.name {
            guard let assignment = call.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == call.node,
                  let name = assignment.child(byField: "left"), name.type == "identifier" else { continue }
            names.append(name.text)
        }
        return names
    }

    func boundName(_ call: Node, _ facts: PythonFacts) -> String? {
        var current = call
        if let parent = current.parent, ["expression_list", "tuple"].contains(parent.type) { current = parent }
        guard let assignment = current.parent, assignment.type == "assignment", assignment.child(byField: "right") == current,
              let left = assignment.child(byField: "left") else { return nil }
        if left.type == "identifier" { return left.text }
        if ["pattern_list", "tuple_pattern"].contains(left.type), current != call,
           let index = current.namedChildren.firstIndex(of: call), index < left.namedChildCount {
            return left.namedChildren[index].text
        }
        return nil
    }

    /// Whether both names go into one per-layer structure: a list or dict holding both (a literal or `dict(a=..., b=...)`),
    /// or a conditional
    /// choosing between them, in the scope where they are bound; or both passed in one place of layers called one
    /// statement each (`PythonFacts.numberedLayerCalls`).
    func mixed(_ a: String, _ b: String, around node: Node, _ facts: PythonFacts) -> Bool {
        // Layers held as numbered attributes and called one statement each (`x = self.layer0(x, ..., long_mask)`,
        // `x = self.layer1(x, ..., short_mask)`, see `PythonFacts.numberedLayerCalls`): both names passed in one place.
        if facts.numberedLayerCalls.contains(where: { group in
            group.columns.contains { column in
                let names = Set(column.compactMap { $0.map(facts.unwrapped) }.filter { $0.type == "identifier" }.map(\.text))
                return names.contains(a) && names.contains(b)
            }
        }) { return true }
        return facts.nodes.contains { n in
            switch n.type {
            case "list", "tuple", "dictionary":
                let items = n.type == "dictionary" ? n.namedChildren.compactMap { $0.child(byField: "value") } : n.namedChildren
                let names = Set(items.filter { $0.type == "identifier" }.map(\.text))
                return names.contains(a) && names.contains(b) && n.parent?.type != "return_statement"
                    || (n.type == "dictionary" && names.contains(a) && names.contains(b))
            case "conditional_expression":
                let parts = n.namedChildren
                return parts.count == 3 && Set([parts[0].text, parts[2].text]) == Set([a, b]) && facts.comprehensionBranchOutcomes(n)?.count != 1
                    && facts.indexedStringOutcomes(n)?.count != 1
                    && !isModeTest(parts[1], facts)
            case "call":
                // `dict(long=long_mask, short=short_mask)`, read like a dictionary literal.
                guard case let call = facts.callSite(n), ["dict", "OrderedDict", "collections.OrderedDict"].contains(call.callee),
                      call.positional.isEmpty else { return false }
                let names = Set(call.keywords.values.map(facts.unwrapped).filter { $0.type == "identifier" }.map(\.text))
                return names.contains(a) && names.contains(b)
            default:
                return false
            }
        }
    }

    /// A test of the run's mode rather than of the layer (`self.training`, `not model.training`, `is_training`,
    /// `torch.is_grad_enabled()`): every layer takes the same side of it at any moment.
    func isModeTest(_ condition: Node, _ facts: PythonFacts) -> Bool {
        var n = facts.unwrapped(condition)
        while n.type == "not_operator", let inner = n.child(byField: "argument") { n = facts.unwrapped(inner) }
        switch n.type {
        case "attribute": return ["training", "is_training", "eval_mode", "evaluating"].contains(n.child(byField: "attribute")?.text ?? "")
        case "identifier": return ["training", "is_training", "eval_mode", "evaluating", "is_eval"].contains(n.text)
        case "call": return ["torch.is_grad_enabled", "torch.is_inference_mode_enabled"].contains(facts.callSite(n).torchCallee)
        default: return false
        }
    }

    /// A window chosen per layer by a condition and passed to attention as its window.
    func perLayerWindows(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for n in facts.nodes(ofType: "assignment") {
            guard let left = n.child(byField: "left"), let right = n.child(byField: "right"),
                  facts.unparenthesized(right).type == "conditional_expression",
                  let function = facts.enclosingFunction(n) else { continue }
            let parts = facts.unparenthesized(right).namedChildren
            guard parts.count == 3, facts.compact(parts[0]) != facts.compact(parts[2]),
                  !isGlobal(parts[0], facts), !isGlobal(parts[2], facts),
                  function.parameters.dropFirst().contains(where: { facts.mentions(parts[1], $0) })
                    || conditionReadsConfiguredIndex(parts[1], function, facts) else { continue }
            let target = left.type == "attribute" ? left.text : (left.type == "identifier" ? left.text : nil)
            guard let target else { continue }
            let passed = facts.calls.contains { call in
                call.keywords.contains { key, value in key.lowercased().contains("window") && value.text == target }
            }
            if passed { evidence.append(facts.evidence(n, "attention window chosen per layer")) }
        }
        return evidence
    }

    /// A mask function that bounds no distance between positions (`causal`, beside `sliding`): global attention.
    func unwindowedMaskFunction(_ node: Node, _ facts: PythonFacts) -> Bool {
        let flow = facts.dataflow
        guard let mask = facts.maskMod(node, flow) else { return false }
        return facts.maskModBoundsDistance(mask, flow) == nil
    }

    /// A window meaning "no window": `None`, `-1`, or a tuple of `-1`s (flash-attn's `(-1, -1)`); or the whole span
    /// the mask indexes: the name whose `torch.arange(n)` gives the function its positions or blocks (`nb = ids.numel()
    /// // bs`, `blk = torch.arange(nb)`, then `build(nb)`), a window no distance reaches.
    func isGlobal(_ node: Node, _ facts: PythonFacts) -> Bool {
        let n = facts.unparenthesized(node)
        if n.type == "none" { return true }
        if n.type == "tuple" { return !n.namedChildren.isEmpty && n.namedChildren.allSatisfy { isGlobal($0, facts) } }
        if n.type == "identifier", let function = facts.enclosingFunction(n), let body = function.body,
           facts.descendants(of: body).contains(where: { call in
               guard call.type == "call", call.startByte < n.startByte, case let site = facts.callSite(call), site.name == "arange",
                     site.positional.count == 1 else { return false }
               return facts.unparenthesized(site.positional[0]).text == n.text
           }) {
            return true
        }
        return facts.value(of: n)?.double == -1
    }

    /// A condition reading a local computed from a parameter (`is_global = (idx + 1) % k == 0`).
    func conditionReadsConfiguredIndex(_ condition: Node, _ function: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: condition).contains { n in
            guard n.type == "identifier", let value = facts.latestValue(of: n.text, before: condition) else { return false }
            return function.parameters.dropFirst().contains { facts.mentions(value, $0) }
        }
    }
}
