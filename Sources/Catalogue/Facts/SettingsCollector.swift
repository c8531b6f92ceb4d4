import Foundation
import Parsing
import TreeSitterKit

/// Finds every setting of a file (see `Setting`).
enum SettingsCollector {
    /// The node types a setting can come from.
    /// The default a class field declares through a field specifier: `field(default=100)` (dataclasses),
    /// `Field(100)` / `Field(default=100)` (pydantic), `attr.ib(default=100)` / `attrs.field(default=100)` (see
    /// `ContainerFields.specifiedDefault`).
    static func fieldDefault(_ value: Node, _ facts: PythonFacts) -> Node? {
        guard value.type == "call" else { return nil }
        return ContainerFields.specifiedDefault(facts.callSite(value))
    }

    static let settingTypes: Set<String> = ["assignment", "default_parameter", "typed_default_parameter", "dictionary", "call"]

    static func collect(_ facts: PythonFacts) -> SettingsTable {
        var found: [Setting] = []
        // `xs, ws, gs = SCALES`: read once the settings are known (see `unpackedSettings`).
        var unpackings: [(targets: [Node], source: Node, kind: Setting.Source, site: Node)] = []
        // Config classes: their keyword arguments at construction override the field defaults. An optimizer
        // or module class (Muon(lr=...)) is not one: its keywords are arguments, not settings.
        // Classes a call makes (`Shape = namedtuple(...)`, `make_dataclass(...)`) are built the same way.
        let classNames = Set(facts.classes.filter { isConfigClass($0, facts) }.map(\.name))
            .union(ContainerFields.declaredTypeNames(facts))
        let keywordStores = keywordStoringFunctions(facts)
        for node in facts.nodes(ofType: settingTypes) {
            switch node.type {
            case "assignment":
                guard let left = node.child(byField: "left"), let right = node.child(byField: "right") else { continue }
                let source: Setting.Source
                if let owner = ownerKind(node) {
                    source = owner == "class_definition" ? .classField : .localAssignment
                } else {
                    source = .moduleAssignment
                }
                if left.type == "pattern_list" || left.type == "tuple_pattern", right.type == "tuple" || right.type == "expression_list" {
                    // a, b = 1, 2
                    for (target, value) in zip(left.namedChildren, right.namedChildren) {
                        if let name = SettingsTable.bareName(of: target) {
                            found.append(Setting(name: name, written: target.text, value: value, source: source, site: node))
                        }
                    }
                } else if left.type == "pattern_list" || left.type == "tuple_pattern",
                          right.type == "generator_expression" || right.type == "list_comprehension",
                          let element = right.namedChildren.first {
                    // self.q, self.k, self.v = (nn.Linear(d, d) for _ in range(3)): each is set to the element.
                    for target in left.namedChildren {
                        if let name = SettingsTable.bareName(of: target) {
                            found.append(Setting(name: name, written: target.text, value: element, source: source, site: node))
                        }
                    }
                } else if left.type == "pattern_list" || left.type == "tuple_pattern", right.type == "identifier" || right.type == "attribute" {
                    unpackings.append((targets: left.namedChildren, source: right, kind: source, site: node))
                } else if let name = SettingsTable.bareName(of: left) {
                    // A descriptor of the file (`lr = Hyper(0.0018)`, its class defining `__get__`) is read as the value its
                    // `__get__` gives an instance (see `PythonFacts.descriptorValue`).
                    let value = source == .classField ? fieldDefault(right, facts) ?? facts.descriptorValue(right) ?? right : right
                    found.append(Setting(name: name, written: left.text, value: value, source: source, site: node))
                }
            case "default_parameter", "typed_default_parameter":
                guard let name = node.child(byField: "name")?.text, let declared = node.child(byField: "value") else { continue }
                let value = CommandLineFlags.optionDefault(declared, facts) ?? declared
                found.append(Setting(name: name, written: name, value: value, source: .parameterDefault, site: node))
            case "dictionary":
                // `{**base, "T": 48 * 1024}`: an entry after a spread dictionary replaces that dictionary's entry of
                // the same key, so it is read before it (as an override).
                var spread = false
                for pair in node.namedChildren {
                    if pair.type == "dictionary_splat" { spread = true }
                    guard pair.type == "pair", let key = pair.child(byField: "key"), let value = pair.child(byField: "value"),
                          let name = SettingsTable.stringValue(key) else { continue }
                    found.append(Setting(name: name, written: key.text, value: value, source: spread ? .override : .dictionaryEntry, site: pair))
                }
            case "call":
                // Most calls are neither `add_argument`, `dict` nor a config class: skip them before resolving.
                guard let function = node.child(byField: "function") else { continue }
                let last = function.type == "attribute" ? function.child(byField: "attribute")?.text : function.text
                // `cls(...)` in a class method of a config class (`def default(cls): return cls(vocab_size=...)`) builds it.
                let buildsConfig = last == "cls" && facts.classBuiltByCls(node).map { classNames.contains($0.name) } == true
                if last == "namedtuple" || last == "make_dataclass" {
                    // `namedtuple("Shape", ["rows", "cols"], defaults=(3, 0.5))`: each defaulted field is a setting
                    // (also as the base of a class: `class Shape(namedtuple(...))`).
                    let call = facts.callSite(node)
                    let typeName = call.positional.first.flatMap(SettingsTable.stringValue) ?? call.name
                    for field in ContainerFields.declaredDefaults(call, facts) {
                        found.append(Setting(name: field.name, written: "\(typeName).\(field.name)", value: field.value, source: .classField, site: node))
                    }
                    continue
                }
                guard let last, last == "add_argument" || last == "dict" || last == "register_buffer" || last == "setattr"
                        || last == "__setattr__"
                        || classNames.contains(last) || buildsConfig
                        || last == "option" || last.hasPrefix("DEFINE_")
                        || Self.namespaces.contains(last) || last == "replace" || last == "update" || keywordStores.contains(last)
                        || (function.type == "identifier" && facts.imports.bindings[last] != nil) else { continue }
                let call = facts.callSite(node)
                if call.callee == "setattr" || call.callee == "object.__setattr__" {
                    // `setattr(self, "vocab", n)`, and the frozen dataclass's `object.__setattr__(self, "vocab", n)` in
                    // `__post_init__`: read back as `self.vocab`.
                    if call.positional.count == 3, let owner = call.positional.first, owner.type == "identifier",
                       let name = SettingsTable.stringValue(call.positional[1]) {
                        found.append(Setting(name: name, written: "\(owner.text).\(name)", value: call.positional[2],
                                             source: ownerKind(node) == nil ? .moduleAssignment : .localAssignment, site: node))
                        continue
                    }
                    found += overrideListSettings(call, facts)
                    continue
                }
                if call.name == "register_buffer", let receiver = call.receiver, let key = call.positional.first,
                   let name = SettingsTable.stringValue(key), let value = call.argument("tensor", position: 1) {
                    // self.register_buffer("cap", torch.tensor(15.0)) is read back as self.cap.
                    found.append(Setting(name: name, written: "\(receiver.text).\(name)", value: value, source: .localAssignment, site: node))
                    continue
                }
                if let option = CommandLineFlags.declaredOption(call) {
                    found.append(Setting(name: option.name, written: option.written, value: option.value, source: .argparseDefault, site: node))
                    continue
                }
                if call.name == "add_argument", let flag = call.positional.first(where: { $0.type == "string" }),
                   let spelled = SettingsTable.stringValue(flag), let value = call.keywords["default"] {
                    // parser.add_argument("--peak-lr", default=...) is read back as args.peak_lr.
                    var name = spelled
                    while name.hasPrefix("-") { name.removeFirst() }
                    name = name.replacingOccurrences(of: "-", with: "_")
                    if let dest = call.keywords["dest"].flatMap(SettingsTable.stringValue) { name = dest }
                    found.append(Setting(name: name, written: spelled, value: value, source: .argparseDefault, site: node))
                } else if call.callee == "dict" || classNames.contains(call.name) || buildsConfig || Self.namespaceCallees.contains(call.callee)
                            || isModuleDictEntries(call, facts)
                            || isConfigUpdate(call) || isDictionaryUpdate(call, facts) || keywordStores.contains(call.name) {
                    // dict(lr=...), Config(n_head=6), SimpleNamespace(lr=...): the keyword names a setting.
                    // `dict(base, T=...)`: the keywords replace the base's entries (`dict(**base, T=...)` cannot
                    // repeat a key of `base`, so it replaces nothing).
                    let merges = call.callee == "dict" && !call.positional.isEmpty
                    for (key, value) in call.keywords {
                        found.append(Setting(name: key, written: key, value: value,
                                          source: call.callee == "dict" && !merges ? .dictionaryEntry : .override, site: node))
                    }
                } else if case let pairs = moduleDictPairs(call, facts), !pairs.isEmpty {
                    // `nn.Sequential(OrderedDict([("wte", ...), ("norm", ...)]))`: each pair names a module.
                    for (key, value) in pairs {
                        found.append(Setting(name: key, written: key, value: value, source: .dictionaryEntry, site: node))
                    }
                }
            default:
                continue
            }
        }
        found = droppingOverwritten(found, facts)
        found += unpackedSettings(unpackings, from: found)
        // A read-only property of a class that returns one expression (`@property def learning_rate(self): return
        // self.base_lr * self.lr_multiplier`): reading the attribute gives that expression.
        for function in facts.functions where function.decorators.contains(where: { ["property", "functools.cached_property", "cached_property"].contains($0) }) {
            guard let owner = facts.enclosingClass(function.node), let body = function.body,
                  let statement = body.namedChildren.last(where: { $0.type != "comment" }),
                  statement.type == "return_statement", let value = statement.namedChildren.first else { continue }
            found.append(Setting(name: function.name, written: "\(owner.name).\(function.name)", value: value, source: .classField, site: function.node))
        }
        // Entries of configuration documents the script loads from strings (TOML, YAML, JSON).
        found += EmbeddedConfigDocuments.settings(facts)
        return SettingsTable(found)
    }

    /// Settings that a later assignment of the same target overwrites before anything can read them (`lr_floor =
    /// 0.0` followed by `lr_floor = 0.1`, `self.cap = LOGIT_CAP` followed by `self.cap = 30.0`): both are assignment
    /// statements of one block, and neither the statements between them nor the second one's value read the target
    /// (its name, or for `obj.attr` / `obj[k]` the object handed to a call or a method of it called) or call a
    /// function or class of the file (which could read a module name). Only the later value holds at any read, so the
    /// earlier one is no setting. An assignment in a branch or a loop body is never the overwriting one of a statement
    /// outside it (it may not run).
    static func droppingOverwritten(_ settings: [Setting], _ facts: PythonFacts) -> [Setting] {
        func statement(_ s: Setting) -> Node? {
            guard s.site.type == "assignment", let parent = s.site.parent, parent.type == "expression_statement" else { return nil }
            return parent
        }
        let candidates = settings.indices.filter { statement(settings[$0]) != nil }
        let byTarget = Dictionary(grouping: candidates, by: { settings[$0].written })
        guard byTarget.values.contains(where: { $0.count > 1 }) else { return settings }
        let fileNames = Set(facts.functions.map(\.name)).union(facts.classes.map(\.name))
        var dropped = Set<Int>()
        for (written, indices) in byTarget where indices.count > 1 {
            for i in indices {
                guard let first = statement(settings[i]), let block = first.parent else { continue }
                // The next assignment statement of the same target in the same block.
                let nextWrite = indices.compactMap { j -> (Setting, Node)? in
                    guard let s = statement(settings[j]), s.parent == block, s.startByte >= first.endByte else { return nil }
                    return (settings[j], s)
                }.min { $0.1.startByte < $1.1.startByte }
                guard let write = nextWrite, let value = write.0.site.child(byField: "right") else { continue }
                let second = write.1
                let between = block.namedChildren.filter { $0.startByte >= first.endByte && $0.endByte <= second.startByte }
                if !(between + [value]).contains(where: { mayRead(written, in: $0, fileNames: fileNames, facts) }) { dropped.insert(i) }
            }
        }
        return dropped.isEmpty ? settings : settings.indices.filter { !dropped.contains($0) }.map { settings[$0] }
    }

    /// Whether code may read the target `written` (`lr`, `self.cap`, `cfg["lr"]`): it names the target, calls a
    /// function or class of the file, or, for an attribute or entry of an object, hands the object to a call or
    /// calls a method of it. Comments never read anything.
    static func mayRead(_ written: String, in code: Node, fileNames: Set<String>, _ facts: PythonFacts) -> Bool {
        let root = String(written.prefix { $0 != "." && $0 != "[" })
        let plain = root == written
        for n in facts.descendants(of: code) {
            switch n.type {
            case "identifier":
                if plain && n.text == written { return true }
                // The object itself, anywhere but as the object of an attribute read (`self.lm_head`).
                if !plain, n.text == root, !(n.parent?.type == "attribute" && n.parent?.child(byField: "object") == n) { return true }
            case "attribute", "subscript":
                if !plain && n.text == written { return true }
            case "call":
                guard let function = n.child(byField: "function") else { continue }
                let name = function.type == "attribute" ? function.child(byField: "attribute")?.text ?? "" : function.text
                if fileNames.contains(name) { return true }
                // A method of the object (`self.setup()`) may read its attributes.
                if !plain, function.type == "attribute", function.child(byField: "object")?.text == root { return true }
            default:
                continue
            }
        }
        return false
    }

    /// Settings an override list applies by name: `for k, v in OVERRIDES: setattr(args, k, v)` where `OVERRIDES` is a
    /// list or tuple literal of `(name, value)` pairs (`("warmup_iters", 0)`), or `{...}.items()` of a dictionary
    /// literal, written in the loop header or held by a name assigned once before the loop. Each pair whose name is a
    /// string constant sets `args.<name>` as the assignment `args.<name> = value` written at the `setattr` would
    /// (a module or local assignment by where the loop is), with the pair as its site. A `setattr` that is not handed both loop names in order, a pair that is not a
    /// two-element literal, and a list built any other way give nothing.
    static func overrideListSettings(_ call: CallSite, _ facts: PythonFacts) -> [Setting] {
        guard call.positional.count == 3, let object = call.positional.first,
              let loop = facts.ancestors(of: call.node).first(where: { $0.type == "for_statement" || $0.type == "function_definition" }),
              loop.type == "for_statement", let left = loop.child(byField: "left"), var source = loop.child(byField: "right") else { return [] }
        let names = left.namedChildren.map(\.text)
        guard ["pattern_list", "tuple_pattern"].contains(left.type), names.count == 2,
              facts.unparenthesized(call.positional[1]).text == names[0],
              facts.unparenthesized(call.positional[2]).text == names[1] else { return [] }
        source = facts.unparenthesized(source)
        // `OVERRIDES.items()` / `{...}.items()`: the dictionary's pairs.
        var items = false
        if source.type == "call", let function = source.child(byField: "function"), function.type == "attribute",
           function.child(byField: "attribute")?.text == "items", source.child(byField: "arguments")?.namedChildren.isEmpty == true,
           let receiver = function.child(byField: "object") {
            items = true
            source = facts.unparenthesized(receiver)
        }
        // A name assigned exactly once in the file, before the loop.
        if source.type == "identifier" {
            let assignments = facts.nodes(ofType: "assignment").filter { $0.child(byField: "left")?.text == source.text }
            guard assignments.count == 1, let only = assignments.first, only.endByte <= loop.startByte,
                  let value = only.child(byField: "right") else { return [] }
            source = facts.unparenthesized(value)
        }
        var pairs: [(pair: Node, key: Node, value: Node)] = []
        if items {
            guard source.type == "dictionary" else { return [] }
            for pair in source.namedChildren where pair.type == "pair" {
                guard let key = pair.child(byField: "key"), let value = pair.child(byField: "value") else { continue }
                pairs.append((pair, key, value))
            }
        } else {
            guard ["list", "tuple"].contains(source.type) else { return [] }
            for entry in source.namedChildren.map(facts.unparenthesized) where ["tuple", "list"].contains(entry.type) {
                let parts = entry.namedChildren.filter { $0.type != "comment" }
                guard parts.count == 2 else { continue }
                pairs.append((entry, parts[0], parts[1]))
            }
        }
        let kind: Setting.Source = ownerKind(call.node) == nil ? .moduleAssignment : .localAssignment
        return pairs.compactMap { entry -> Setting? in
            guard let name = SettingsTable.stringValue(entry.key), !entry.key.namedChildren.contains(where: { $0.type == "interpolation" }) else { return nil }
            return Setting(name: name, written: "\(object.text).\(name)", value: entry.value, source: kind, site: entry.pair)
        }
    }

    /// Settings of names unpacked from a name set to a tuple or list literal of as many elements (`xs, ws, gs = Q8`
    /// with `Q8 = (2.0, 2.0**9, 2.0**19)`; `a, b = self.pair`): each target is set to its element. Every such
    /// literal the source is set to (after `droppingOverwritten`) gives one setting per target.
    static func unpackedSettings(_ unpackings: [(targets: [Node], source: Node, kind: Setting.Source, site: Node)],
                                 from settings: [Setting]) -> [Setting] {
        var result: [Setting] = []
        for unpacking in unpackings {
            let targets = unpacking.targets.filter { $0.type != "comment" }
            guard !targets.contains(where: { $0.type == "list_splat_pattern" }) else { continue }
            for setting in settings where setting.written == unpacking.source.text && setting.site != unpacking.site {
                var literal = setting.value
                while literal.type == "parenthesized_expression", let inner = literal.namedChild(0) { literal = inner }
                guard ["tuple", "list"].contains(literal.type) else { continue }
                let elements = literal.namedChildren.filter { $0.type != "comment" }
                guard elements.count == targets.count, !elements.contains(where: { $0.type == "list_splat" }) else { continue }
                for (target, element) in zip(targets, elements) {
                    if let name = SettingsTable.bareName(of: target) {
                        result.append(Setting(name: name, written: target.text, value: element, source: unpacking.kind, site: unpacking.site))
                    }
                }
            }
        }
        return result
    }

    /// A configuration object changed after it is made: `args = dataclasses.replace(args, lr=...)`, `vars(args).update(lr=...)`,
    /// `args.__dict__.update(lr=...)`. Its keywords override the fields like a config class's construction does.
    static func isConfigUpdate(_ call: CallSite) -> Bool {
        if call.callee == "dataclasses.replace" {
            // Only when the copy replaces the original (`args = replace(args, ...)`); a copy kept under another name
            // (`eval_args = replace(args, ...)`) leaves `args` as it was.
            guard let assignment = call.node.parent, assignment.type == "assignment",
                  let left = assignment.child(byField: "left"), let first = call.positional.first else { return false }
            return left.text == first.text
        }
        guard call.name == "update", let receiver = call.receiver else { return false }
        if receiver.type == "attribute" { return receiver.child(byField: "attribute")?.text == "__dict__" }
        return receiver.type == "call" && receiver.child(byField: "function")?.text == "vars"
    }

    /// `OrderedDict(wte=..., h=...)` handed to `nn.ModuleDict` or `nn.Sequential`: its keywords name the modules, as
    /// `dict(...)`'s would.
    static func isModuleDictEntries(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard call.callee == "collections.OrderedDict", call.positional.isEmpty, !call.hasSplat else { return false }
        return holdsModules(call, facts)
    }

    /// Whether an `OrderedDict(...)` is handed to `nn.ModuleDict` or `nn.Sequential`, whose modules it names.
    static func holdsModules(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard let holder = call.node.parent?.parent, holder.type == "call",
              let function = holder.child(byField: "function") else { return false }
        var callee = facts.imports.qualifiedName(of: function) ?? function.text
        if callee.hasPrefix("nn.") { callee = "torch." + callee }
        return callee == "torch.nn.ModuleDict" || callee == "torch.nn.Sequential"
    }

    /// `OrderedDict([("wte", nn.Embedding(...)), ("norm", Norm())])` handed to `nn.Sequential` or `nn.ModuleDict`:
    /// each pair names a module, as a keyword would. Empty for any other call.
    static func moduleDictPairs(_ call: CallSite, _ facts: PythonFacts) -> [(key: String, value: Node)] {
        guard call.callee == "collections.OrderedDict", call.positional.count == 1, call.keywords.isEmpty,
              case let list = facts.unwrapped(call.positional[0]), ["list", "tuple"].contains(list.type),
              holdsModules(call, facts) else { return [] }
        var pairs: [(key: String, value: Node)] = []
        for item in list.namedChildren where item.type != "comment" {
            let pair = facts.unwrapped(item)
            let parts = pair.namedChildren.filter { $0.type != "comment" }
            guard pair.type == "tuple", parts.count == 2, let key = SettingsTable.stringValue(parts[0]) else { return [] }
            pairs.append((key, parts[1]))
        }
        return pairs
    }

    /// `hp.update(k=v)` on a name whose every assignment in its scope is a dictionary (a literal, `dict(...)`, a
    /// comprehension): its keywords are entries of that dictionary, read back by their string keys (`hp["k"]`).
    /// Updates of other objects (`pbar.update(n=1)`) set nothing.
    static func isDictionaryUpdate(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard call.name == "update", call.positional.isEmpty, !call.keywords.isEmpty, let receiver = call.receiver,
              receiver.type == "identifier" else { return false }
        let values = facts.localValues(of: receiver.text, around: call.node).map(facts.unwrapped)
        return !values.isEmpty && values.allSatisfy { v in
            ["dictionary", "dictionary_comprehension"].contains(v.type) || (v.type == "call" && facts.callSite(v).callee == "dict")
        }
    }

    /// Functions of the file that keep the keywords they are called with as attributes of an object: their `**kw` is
    /// handed whole to a namespace (`self.hparams = SimpleNamespace(**kw)`, as Lightning's `save_hyperparameters`
    /// does), to `self.__dict__.update(kw)` / `vars(self).update(kw)`, or to another such function
    /// (`self.hparams = save_hyperparameters(**hparams)`). A class whose `__init__` is one counts by its name
    /// (`LitGPT(muon_lr=0.05, ...)`). Their calls' keywords are settings, like a config class's construction.
    static func keywordStoringFunctions(_ facts: PythonFacts) -> Set<String> {
        var candidates: [(function: PythonFacts.Function, kw: String)] = []
        for function in facts.functions {
            guard let parameters = function.node.child(byField: "parameters"),
                  let splat = parameters.namedChildren.first(where: { $0.type == "dictionary_splat_pattern" }),
                  let kw = splat.namedChildren.first(where: { $0.type == "identifier" })?.text else { continue }
            candidates.append((function, kw))
        }
        var names: Set<String> = []
        var storing: Set<Node> = []
        // Until no function is added: one that hands its `**kw` to a storing function stores too.
        var changed = true
        while changed {
            changed = false
            for (function, kw) in candidates where !storing.contains(function.node) {
                let stores = facts.descendants(of: function.node).contains { node in
                    guard node.type == "call" else { return false }
                    let call = facts.callSite(node)
                    if namespaces.contains(call.name) || namespaceCallees.contains(call.callee) || names.contains(call.name) {
                        return node.child(byField: "arguments")?.namedChildren.contains { argument in
                            argument.type == "dictionary_splat" && argument.namedChildren.first?.text == kw
                        } == true
                    }
                    return isConfigUpdate(call) && call.positional.count == 1 && call.positional[0].text == kw
                }
                guard stores else { continue }
                storing.insert(function.node)
                changed = true
                if function.name == "__init__" {
                    if let owner = facts.enclosingClass(function.node) { names.insert(owner.name) }
                } else {
                    names.insert(function.name)
                }
            }
        }
        return names
    }

    /// Library classes that hold the keywords they are built with as attributes.
    static let namespaces: Set<String> = ["SimpleNamespace", "Namespace"]
    static let namespaceCallees: Set<String> = ["types.SimpleNamespace", "argparse.Namespace"]

    /// A dataclass, an attrs class (`@attr.s`, `@attrs.define`), a NamedTuple, a pydantic model, a class whose body assigns fields (and defines no methods but `__init__`-less
    /// helpers), or an attribute bag whose `__init__` stores its `**kwargs` (`self.__dict__.update(kwargs)`,
    /// `setattr(self, k, v)`, as yacs' `CfgNode`): what a script uses to hold its hyperparameters.
    static func isConfigClass(_ c: PythonFacts.Class, _ facts: PythonFacts) -> Bool {
        if let initializer = facts.initializer(of: c),
           initializer.node.child(byField: "parameters")?.namedChildren.contains(where: { $0.type == "dictionary_splat_pattern" }) == true,
           facts.descendants(of: initializer.node).contains(where: { n in
               guard n.type == "call" else { return false }
               let call = facts.callSite(n)
               if call.name == "update", call.receiver?.text == "self.__dict__" { return true }
               return call.callee == "setattr" && call.positional.first?.text == "self"
           }) {
            return true
        }
        if let parent = c.node.parent, parent.type == "decorated_definition",
           parent.namedChildren.contains(where: { $0.type == "decorator" && ($0.text.contains("dataclass") || ContainerFields.isAttrsDecorator($0)) }) {
            return true
        }
        if c.bases.contains(where: { $0.hasSuffix("NamedTuple") || $0.hasSuffix("BaseModel") || $0.hasSuffix("BaseSettings") }) { return true }
        guard let body = c.body else { return false }
        let statements = body.namedChildren
        let fields = statements.filter { $0.type == "expression_statement" && $0.namedChild(0)?.type == "assignment" }.count
        let methods = statements.filter { $0.type == "function_definition" || $0.type == "decorated_definition" }.count
        return fields > 0 && methods == 0
    }

    /// The type of the nearest function or class around a node, nil at module level (conditionals and
    /// `if __name__ == "__main__":` blocks count as module level).
    static func ownerKind(_ node: Node) -> String? {
        var current = node.parent
        while let c = current {
            if c.type == "function_definition" || c.type == "class_definition" { return c.type }
            current = c.parent
        }
        return nil
    }
}
