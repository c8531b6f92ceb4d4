import Parsing
import TreeSitterKit

/// An optimizer constructed in a file: `torch.optim.AdamW(...)`, a Muon class, or any class of the file that
/// subclasses `torch.optim.Optimizer`, also one picked by name (`getattr(torch.optim, "AdamW")(...)`, a registry,
/// `globals()[name]`; see `PythonFacts.namedChoices`), with its hyperparameters resolved per parameter group.
public struct OptimizerUse {
    public enum Family: Equatable, Sendable {
        case adam, adamw, sgd
        /// Orthogonalized momentum (Muon, OrthogonalNesterov, or a file's own optimizer that calls a
        /// Newton-Schulz or SVD orthogonalization in its step).
        case muon
        /// Another optimizer (named).
        case other(String)

        public var isAdamFamily: Bool { self == .adam || self == .adamw }
    }

    public let call: CallSite
    public let family: Family
    /// Parameter-group dictionaries passed in the params argument (`[dict(params=..., lr=...), {...}]`), also those a
    /// builder collects into what it passes (see `PythonFacts.parameterGroups`).
    public let groups: [Node]
    /// The optimizer class's own `__init__` when the file defines it (for its defaults).
    public let definition: PythonFacts.Class?
    /// For an optimizer that is a plain function of the file (`adam_(params, grads, state, lr)`), that function.
    public let stepFunction: PythonFacts.Function?
    /// The hand-written Adam step the optimizer computes, when it computes one (`AdamUpdate`).
    public let update: AdamUpdate?
    /// For a pure update function of the file (one that returns the step), where this call's result is applied to
    /// parameters, with the tensors moved and the rate (see `PythonFacts.appliedUpdates(of:)`).
    public let application: AppliedUpdate?

    /// For a class looked up in a registry by a field of one record of a table (`REGISTRY[spec["cls"]](groups,
    /// **spec["kwargs"])`, see `PythonFacts.registrySelections`): the variable holding the record and the record that
    /// selects this optimizer. Dictionaries spread from the record are read in this record only.
    public let record: (variable: String, dictionary: Node)?
    /// For a class looked up in a registry by a name whose value is not decided (`OPTIMIZERS[kind](groups,
    /// **defaults[kind])` in a loop over the kinds a builder collected): that name and the registry key of the entry
    /// this use stands for. A dictionary spread from another table read by the same name is read at that key.
    public let keyed: (name: String, key: String)?
    /// For an optimizer that reads per-parameter settings from a table keyed by parameter labels (see `LabelRow`):
    /// the row this use stands for. Such an optimizer is read as one optimizer per row, with that row's settings.
    public let labelRow: LabelRow?
    /// For an optimizer written as a chain of transformations (see `TransformChain`), the chain: `call` is its
    /// combinator's call, and its settings are the arguments of its links.
    public let chain: TransformChain?

    init(call: CallSite, family: Family, groups: [Node], definition: PythonFacts.Class?,
         stepFunction: PythonFacts.Function? = nil, update: AdamUpdate? = nil, record: (variable: String, dictionary: Node)? = nil,
         keyed: (name: String, key: String)? = nil, application: AppliedUpdate? = nil, labelRow: LabelRow? = nil,
         chain: TransformChain? = nil) {
        self.keyed = keyed
        self.chain = chain
        self.call = call
        self.family = family
        self.groups = groups
        self.definition = definition
        self.stepFunction = stepFunction
        self.update = update
        self.record = record
        self.application = application
        self.labelRow = labelRow
    }

    /// Whether this optimizer orthogonalizes its updates: a Muon-family optimizer, or a class of the file that does
    /// (see `PythonFacts.orthogonalizingClassNames`) unless this use stands for a row of a label table, which has the
    /// row's kind.
    public func orthogonalizes(in facts: PythonFacts) -> Bool {
        family == .muon || (labelRow == nil && facts.orthogonalizingClassNames.contains(call.name))
    }

    /// This optimizer as it treats the parameters of one row of a label table, with the row's optimizer kind.
    /// `update`: the hand-written Adam step that treats the row, if any.
    func reading(_ row: LabelRow, as family: Family, update: AdamUpdate?) -> OptimizerUse {
        OptimizerUse(call: call, family: family, groups: [], definition: definition, stepFunction: stepFunction,
                     update: update, record: record, keyed: keyed, application: application, labelRow: row)
    }

    /// A keyword given through `**` (see `PythonFacts.keywordArgument`); for a construction made per record, only in
    /// the dictionaries spread from this record (`**spec["kwargs"]` reads this record's `"kwargs"`), or computed from
    /// the row of the table it comes from (`**EXTRA[cls_name]()` in `for g, rx, cls_name in ROUTES`, see
    /// `PythonFacts.recordRow` and `dictionaries(_:given:)`).
    func spreadKeyword(_ name: String, in facts: PythonFacts) -> Node? {
        guard let record else { return keyedSpread(name, in: facts) ?? facts.keywordArgument(name, of: call) }
        guard call.hasSplat, let arguments = call.node.child(byField: "arguments") else { return nil }
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard var source = splat.namedChildren.first.map(facts.unwrapped) else { continue }
            // A local copy of the record's field (`kwargs = dict(entry.get("params", {}))`, then `**kwargs`).
            if source.type == "identifier", source.text != record.variable, let local = facts.latestValue(of: source.text, before: source),
               let copied = copiedRecordField(local, in: facts) {
                source = copied
            }
            if let field = recordField(source, in: facts) {
                guard let spread = Self.entry(field, in: record.dictionary) else { continue }
                for dictionary in facts.dictionaries(spread) { if let entry = Self.entry(name, in: dictionary) { return entry } }
            } else if source.type == "identifier", source.text == record.variable {
                if let entry = Self.entry(name, in: record.dictionary) { return entry }
            } else if let row = facts.recordRow(record, at: call.node) {
                let spread = facts.rowEntry(source, in: row) ?? source
                for dictionary in facts.dictionaries(spread, given: facts.rowEnvironment(row)) {
                    if let entry = Self.entry(name, in: dictionary) { return entry }
                }
            }
        }
        return nil
    }

    /// For a use selected by an undecided key (`keyed`), entry `name` of a dictionary spread from a table read by the
    /// same name (`**defaults[kind]`, `defaults` holding `{"adam": dict(eps=1e-10), "muon": {...}}`) at this use's key.
    private func keyedSpread(_ name: String, in facts: PythonFacts) -> Node? {
        guard let keyed, call.hasSplat, let arguments = call.node.child(byField: "arguments") else { return nil }
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard let read = splat.namedChildren.first.map(facts.unwrapped), read.type == "subscript",
                  read.child(byField: "subscript").map(facts.unwrapped).map({ $0.type == "identifier" && $0.text == keyed.name }) == true,
                  let table = read.child(byField: "value") else { continue }
            for dictionary in facts.dictionaries(table) {
                guard let spread = Self.entry(keyed.key, in: dictionary) else { continue }
                for inner in facts.dictionaries(spread) { if let entry = Self.entry(name, in: inner) { return entry } }
            }
        }
        return nil
    }

    /// The field of this use's record an expression reads (`"params"` for `entry["params"]` or `entry.get("params", {})`,
    /// `entry` being the record's variable), or nil.
    func recordField(_ expression: Node, in facts: PythonFacts) -> String? {
        guard let record else { return nil }
        let n = facts.unwrapped(expression)
        if n.type == "subscript", n.child(byField: "value")?.text == record.variable {
            return n.child(byField: "subscript").flatMap(SettingsTable.stringValue)
        }
        guard n.type == "call", case let get = facts.callSite(n), get.name == "get", get.receiver?.text == record.variable,
              let key = get.positional.first else { return nil }
        return SettingsTable.stringValue(key)
    }

    /// The record field a local was set to, also as a copy (`dict(entry["params"])`, `entry.get("params", {}).copy()`,
    /// `copy.deepcopy(...)`), or nil.
    private func copiedRecordField(_ value: Node, in facts: PythonFacts) -> Node? {
        let n = facts.unwrapped(value)
        if recordField(n, in: facts) != nil { return n }
        guard n.type == "call" else { return nil }
        let call = facts.callSite(n)
        if ["dict", "copy.copy", "copy.deepcopy"].contains(call.callee), call.positional.count == 1, call.keywords.isEmpty,
           recordField(call.positional[0], in: facts) != nil {
            return facts.unwrapped(call.positional[0])
        }
        if call.name == "copy", call.positional.isEmpty, let receiver = call.receiver, recordField(receiver, in: facts) != nil {
            return facts.unwrapped(receiver)
        }
        return nil
    }

    /// The parameters the optimizer updates: the `params` argument, or for a step function of the file, the
    /// argument for the parameter whose tensors it changes in place (`leaves` in `def update(grads, state, leaves,
    /// lr): torch._foreach_add_(leaves, ...)`), see `PythonFacts.updatedParameterIndex`; for a pure update function,
    /// the tensors its caller applies the result to (`application`).
    public func parametersArgument(in facts: PythonFacts) -> Node? {
        // A chain's positional arguments are its links, not parameters (which parameters it updates is not read).
        if chain != nil { return nil }
        if let stepFunction, let index = facts.updatedParameterIndex(stepFunction) {
            return call.argument(stepFunction.parameters[index], position: index)
        }
        if let application { return application.parameters }
        // torch.optim's order (an optimizer class of the file may name its first parameter anything).
        return call.argument("params", position: 0)
    }

    /// The argument given for hyperparameter `name`: by keyword, or by position. The position is the parameter's
    /// in the file's own signature when the file defines the optimizer (its `__init__`, or the step function), and
    /// `position` (torch.optim's order) otherwise.
    public func argument(_ name: String, position: Int?, in facts: PythonFacts) -> Node? {
        // A chain's arguments are its links: its settings are what the links are given.
        if let chain { return chain.argument(name, in: facts) }
        if let keyword = call.keywords[name] { return keyword }
        if let stepFunction {
            // A pure update function takes no rate: its caller applies the result at one (`alpha=-lr`).
            if name == "lr", !stepFunction.parameters.contains(name), let rate = application?.rate { return rate }
            return stepFunction.parameters.firstIndex(of: name).flatMap { call.argument(name, position: $0) }
        }
        if let definition, let initializer = facts.initializer(of: definition) {
            let parameters = initializer.parameters.first == "self" ? Array(initializer.parameters.dropFirst()) : initializer.parameters
            // The signature may call the hyperparameter otherwise (`def __init__(self, params, rate=0.02)` storing
            // `dict(lr=rate)`): the argument given for that parameter.
            let parameter = facts.optimizerParameter(for: name, of: initializer) ?? name
            if let keyword = call.keywords[parameter] { return keyword }
            return parameters.firstIndex(of: parameter).flatMap { call.argument(parameter, position: $0) }
        }
        return call.argument(name, position: position)
    }

    /// Every value hyperparameter `name` takes: the keyword or positional argument, each parameter group's
    /// entry, and the default of the file's own signature (its `__init__` or step function) when the call gives none. For a hand-written Adam step, `eps` is also read
    /// where the step adds it (`v.sqrt() + self.eps`, `+ 1e-10`).
    ///
    /// For a step function called every step, a rate given as a base times a schedule multiplier peaking at 1
    /// (`lr=args.matrix_lr * lr_scale(step)`) reads as the base (`PythonFacts.scaledBaseRates`).
    ///
    /// Values set after construction (`OptimizerPatches`) replace what they override: an entry set on every group
    /// replaces the argument and the groups' entries; an entry set on one group of several, or a group added later,
    /// is one more value; an entry scaled in place on every group (`g["lr"] *= 2`) is read scaled.
    public func values(_ name: String, position: Int? = nil, in facts: PythonFacts) -> [NumericValue] {
        let patches = facts.patches(of: self)
        let found = unscaledValues(name, position: position, patches: patches, in: facts)
        // Entries scaled in place afterwards (`g["lr"] *= 2`) are read scaled.
        guard patches.everyGroupScales[name] != nil else { return found }
        return found.compactMap { value in patches.scaled(name, value.double, in: facts).map(NumericValue.float) }
    }

    private func unscaledValues(_ name: String, position: Int?, patches: OptimizerPatches, in facts: PythonFacts) -> [NumericValue] {
        if let chain, name == "lr" { return chain.learningRates(in: facts).map { NumericValue.float($0) } }
        if let labelRow, case let own = facts.labelRowValues(labelRow, name), !own.isEmpty { return own }
        let patchedGroups = patches.addedGroups.compactMap { Self.entry(name, in: $0) }.flatMap { facts.values(of: $0) }
        if let every = patches.everyGroup[name] {
            return every.flatMap { facts.values(of: $0) } + patchedGroups
        }
        var result: [NumericValue] = patchedGroups + (patches.oneGroup[name] ?? []).flatMap { facts.values(of: $0) }
        // The argument, also as an entry of a `**kwargs` dictionary unpacked into the call; for a construction made
        // per row of a table, computed from that row (`lr=hp[g + ".lr"]`, see `PythonFacts.rowValues`).
        if let argument = argument(name, position: position, in: facts) ?? spreadKeyword(name, in: facts) {
            if let record, let row = facts.recordRow(record, at: call.node), let perRow = facts.rowValues(argument, in: row) {
                result += perRow.map { NumericValue.float($0) }
            } else {
                let given = facts.values(of: argument)
                // A step function handed its rate every step as a base scaled by a schedule multiplier
                // (`muon_step(..., lr=args.matrix_lr * s)`, `s = lr_scale(step)`): the base, as `torch.optim` reads `lr`
                // under a `LambdaLR` (see `PythonFacts.scaledBaseRates`).
                if given.isEmpty, stepFunction != nil, name == "lr" {
                    result += facts.scaledBaseRates(argument).map { NumericValue.float($0) }
                } else {
                    result += given
                }
            }
        }
        for group in groups { if let entry = Self.entry(name, in: group) { result += facts.values(of: entry) } }
        if result.isEmpty, let signature = stepFunction ?? definition.flatMap({ facts.initializer(of: $0) }),
           let parameters = signature.node.child(byField: "parameters") {
            // An `__init__` parameter under another name that the defaults store as `name` (see `optimizerParameter`).
            let declared = stepFunction == nil ? facts.optimizerParameter(for: name, of: signature) ?? name : name
            for parameter in parameters.namedChildren where parameter.child(byField: "name")?.text == declared {
                if let value = parameter.child(byField: "value") { result += facts.values(of: value) }
            }
        }
        if result.isEmpty, name == "eps", let epsilon = update?.epsilon { result += facts.values(of: epsilon) }
        return result
    }

    /// The expressions that give hyperparameter `name`, patches applied (see `values`): the argument (nil when the
    /// construction gives none), each group's entry, and entries set or groups added afterwards; only the patched
    /// entries when a patch sets every group.
    public func settingNodes(_ name: String, position: Int?, in facts: PythonFacts) -> [Node?] {
        if let labelRow, let own = facts.labelRowSetting(labelRow, name) { return [own] }
        let patches = facts.patches(of: self)
        let added = patches.addedGroups.compactMap { Self.entry(name, in: $0) }
        if let every = patches.everyGroup[name] { return every + added }
        let entries: [Node] = groups.compactMap { Self.entry(name, in: $0) } + (patches.oneGroup[name] ?? []) + added
        return [spreadKeyword(name, in: facts) ?? argument(name, position: position, in: facts)] + entries.map(Optional.some)
    }

    /// The first-moment coefficients (beta1) a hand-written Adam step uses, read from its running average
    /// (`m.lerp_(g, 1 - b1)` gives 1 minus the weight); empty when the step is not hand-written or unread.
    public func handWrittenBeta1(in facts: PythonFacts) -> [Double] {
        guard let coefficient = update?.firstMoment else { return [] }
        // A parameter given at the call (`adam_step(..., beta1=0.8)`, `MyAdam(..., beta1=0.8)` kept as `self.b1`)
        // wins over the signature's default.
        var bindings: [String: Double] = [:]
        for n in facts.descendants(of: coefficient.node) where n.type == "identifier" || n.type == "attribute" {
            guard let parameter = signatureParameter(holding: n, in: facts),
                  let argument = argument(parameter, position: nil, in: facts),
                  let value = facts.evaluate(argument) else { continue }
            bindings[n.text] = value
        }
        let values = bindings.isEmpty ? facts.values(of: coefficient.node).map(\.double)
            : facts.evaluate(coefficient.node, bindings: bindings).map { [$0] } ?? []
        switch coefficient {
        case .decay: return values
        case .weight: return values.map { 1 - $0 }
        }
    }

    /// The parameter of the file's own signature a name stands for: a parameter of the step function, or the
    /// `__init__` parameter an attribute is set from (`self.b1 = beta1`).
    func signatureParameter(holding node: Node, in facts: PythonFacts) -> String? {
        if node.type == "identifier", let stepFunction, stepFunction.parameters.contains(node.text),
           facts.enclosingFunction(node)?.node == stepFunction.node {
            return node.text
        }
        guard node.type == "attribute", node.child(byField: "object")?.text == "self", let definition,
              let initializer = facts.initializer(of: definition) else { return nil }
        for assignment in facts.descendants(of: initializer.node) where assignment.type == "assignment" {
            guard assignment.child(byField: "left")?.text == node.text, let right = assignment.child(byField: "right"),
                  right.type == "identifier", initializer.parameters.contains(right.text) else { continue }
            return right.text
        }
        return nil
    }

    /// The node of a group's entry `name` (`{"lr": x}` or `dict(lr=x)`).
    static func entry(_ name: String, in group: Node) -> Node? {
        if group.type == "dictionary" {
            for pair in group.namedChildren where pair.type == "pair" {
                if let key = pair.child(byField: "key"), SettingsTable.stringValue(key) == name { return pair.child(byField: "value") }
            }
        } else if group.type == "call", let arguments = group.child(byField: "arguments") {
            for argument in arguments.namedChildren where argument.type == "keyword_argument" {
                if argument.child(byField: "name")?.text == name { return argument.child(byField: "value") }
            }
        }
        return nil
    }
}

extension PythonFacts {
    /// The parameter of an optimizer class's `__init__` that hyperparameter `name` (a key of the class's parameter
    /// groups, `lr`, `momentum`) is taken from: the parameter of that name, else the parameter the defaults dictionary
    /// handed on to the base class (`super().__init__(params, defaults)`, `Base.__init__(self, params, defaults)`)
    /// stores under key `name`, the dictionary written there or held by a local (`defaults = dict(lr=rate,
    /// momentum=beta)`, `{"lr": rate}`). A signature in any language thus names the rate by what it does: `def
    /// __init__(self, params, rate=0.02)` with `dict(lr=rate)` gives `rate` for `lr`. Nil when neither is found.
    func optimizerParameter(for name: String, of initializer: Function) -> String? {
        if initializer.parameters.contains(name) { return name }
        for call in calls where call.name == "__init__" && isInside(call.node, initializer.node) {
            for argument in call.positional + Array(call.keywords.values) {
                var dictionary = unparenthesized(argument)
                if dictionary.type == "identifier", let local = latestValue(of: dictionary.text, before: argument) {
                    dictionary = unparenthesized(local)
                }
                guard dictionary.type == "dictionary" || (dictionary.type == "call" && callSite(dictionary).callee == "dict"),
                      let entry = OptimizerUse.entry(name, in: dictionary).map(unparenthesized), entry.type == "identifier",
                      initializer.parameters.contains(entry.text) else { continue }
                return entry.text
            }
        }
        return nil
    }

    static let muonNames: Set<String> = [
        "Muon", "OrthogonalNesterov", "DistributedMuon", "MuonWithAuxAdam", "SingleDeviceMuon", "SingleDeviceMuonWithAuxAdam",
    ]

    /// Adam classes of other libraries, by qualified name (those named `Adam` / `AdamW` are read by their name):
    /// multi-tensor and fused kernels (apex, DeepSpeed, Transformer Engine) and low-precision states (bitsandbytes,
    /// torchao). Each takes `lr`, `betas`, `eps` and `weight_decay` as torch's Adam does.
    static let libraryAdamClasses: Set<String> = [
        "apex.optimizers.FusedAdam", "apex.optimizers.fused_adam.FusedAdam",
        "deepspeed.ops.adam.FusedAdam", "deepspeed.ops.adam.DeepSpeedCPUAdam",
        "transformer_engine.pytorch.optimizers.FusedAdam",
        "bitsandbytes.optim.Adam8bit", "bitsandbytes.optim.AdamW8bit", "bitsandbytes.optim.PagedAdamW",
        "bitsandbytes.optim.PagedAdamW8bit", "bitsandbytes.optim.Adam32bit", "bitsandbytes.optim.AdamW32bit",
        "torchao.optim.AdamW8bit", "torchao.optim.AdamW4bit", "torchao.optim.AdamWFp8",
    ]
    static let orthogonalizers = ["zeropower", "newton", "newtonschulz", "orthogonal", "svd"]

    /// Whether an optimizer's parameters are those of a library layer built on the spot in a function
    /// (`probe = nn.Linear(...)`, `AdamW(probe.parameters(), ...)`): a probe or a helper fitted beside the model,
    /// not the model's training.
    func trainsAuxiliaryLayer(_ params: Node) -> Bool {
        let params = unwrapped(params)
        guard params.type == "call", enclosingFunction(params) != nil else { return false }
        let call = callSite(params)
        guard ["parameters", "named_parameters"].contains(call.name), let receiver = call.receiver.map(unwrapped),
              receiver.type == "identifier", let value = latestValue(of: receiver.text, before: params),
              let layer = constructorCall(unwrapped(value)) else { return false }
        // A container (`nn.Sequential(...)`, `nn.TransformerEncoder`) may be the whole model of a small script.
        let containers: Set<String> = ["torch.nn.Module", "torch.nn.ModuleList", "torch.nn.ModuleDict", "torch.nn.Sequential"]
        return layer.callee.hasPrefix("torch.nn.") && !containers.contains(layer.callee) && !layer.callee.contains("Transformer")
    }

    /// For a class of the file that subclasses torch's `Adam`, `AdamW` or `SGD` (directly or through other classes of
    /// the file) and writes no `step` of its own, the family of that library optimizer; nil otherwise.
    func libraryOptimizerBase(of name: String) -> OptimizerUse.Family? {
        guard let owner = boundClass(named: name) else { return nil }
        if let step = method("step", of: owner), !runsBaseStep(step) { return nil }
        for c in lineage(of: owner) {
            for base in c.bases {
                switch base {
                case "torch.optim.Adam", "torch.optim.adam.Adam": return .adam
                case "torch.optim.AdamW", "torch.optim.adamw.AdamW": return .adamw
                case "torch.optim.SGD", "torch.optim.sgd.SGD": return .sgd
                default: continue
                }
            }
        }
        return nil
    }

    /// Optimizers constructed in this file that train the model: a probe's (`trainsAuxiliaryLayer`) is left out
    /// when another optimizer trains something else.
    public var optimizers: [OptimizerUse] {
        memoized("optimizers") {
            // The file's own optimizer classes: subclasses of an optimizer, Muon by name, and classes with a `step`
            // that orthogonalizes or computes an Adam step (a ZeRO-style sharded Adam needs no base class).
            let ownOptimizers = classes.filter { c in
                c.bases.contains { $0.hasSuffix("Optimizer") } || Self.muonNames.contains(c.name)
                    || orthogonalizingOptimizerClasses.contains { $0.node == c.node }
                    || (method("step", of: c).map(isOptimizerStep) == true && adamUpdate(of: c) != nil)
            }
            // `callee`: the class constructed (the call's callee, or the registry entry it looks up).
            func use(_ call: CallSite, callee: String, record: (variable: String, dictionary: Node)? = nil,
                     keyed: (name: String, key: String)? = nil) -> OptimizerUse? {
                let name = callee.lastDottedComponent
                let definition = ownOptimizers.first { $0.name == name }
                let family: OptimizerUse.Family
                var update: AdamUpdate?
                switch name {
                case "Adam" where definition == nil: family = .adam
                case "AdamW" where definition == nil: family = .adamw
                // torch's functional forms, run every step on lists of tensors (`torch.optim.adamw.adamw(params, grads,
                // exp_avgs, ..., lr=lr, fused=True)`, also `torch.optim._functional.adam`).
                // Not inside an optimizer class of the file, whose construction is the optimizer.
                case "adam" where definition == nil && callee.hasPrefix("torch.optim.") && !ownOptimizers.contains(where: { isInside(call.node, $0.node) }):
                    family = .adam
                case "adamw" where definition == nil && callee.hasPrefix("torch.optim.") && !ownOptimizers.contains(where: { isInside(call.node, $0.node) }):
                    family = .adamw
                case "SGD" where definition == nil: family = .sgd
                case _ where definition == nil && Self.libraryAdamClasses.contains(callee):
                    // apex's and DeepSpeed's fused Adams decouple weight decay unless told not to.
                    let decoupled = (call.keywords["adam_w_mode"] ?? call.keywords["adamw_mode"]).map { truth(of: $0) != false } ?? true
                    family = decoupled ? .adamw : .adam
                default:
                    if Self.muonNames.contains(name) || definition.map(isOrthogonalizing) == true {
                        family = .muon
                    } else if let definition, let step = adamUpdate(of: definition) {
                        family = .adam
                        update = step
                    } else if let definition {
                        family = .other(definition.name)
                    } else if let inherited = libraryOptimizerBase(of: name) {
                        // A subclass of torch's Adam, AdamW or SGD that keeps its step (`class ScaledAdam(torch.optim.Adam)`
                        // adding a property): that optimizer.
                        family = inherited
                    } else if callee.hasPrefix("torch.optim.") {
                        family = .other(name)
                    } else {
                        return nil
                    }
                }
                let groups = call.argument("params", position: 0).map { parameterGroups($0) } ?? []
                return OptimizerUse(call: call, family: family, groups: groups, definition: definition, update: update, record: record,
                                    keyed: keyed)
            }
            var all = calls.flatMap { call -> [OptimizerUse] in
                // A class looked up in a registry (`OPTIMIZER_CLASSES[spec["cls"]](groups, **spec["kwargs"])` in a loop
                // over optimizer specs): a construction of each class the lookup may select.
                if let function = call.function.map(unwrapped), function.type == "subscript", globalsKey(function) == nil {
                    return registrySelections(function).compactMap { selection in
                        use(call, callee: imports.qualifiedName(of: selection.entry) ?? selection.entry.text, record: selection.record,
                            keyed: selection.keyed)
                    }
                }
                // A class picked by its name (`getattr(torch.optim, spec["cls"])(...)`, `cls(params)` with `cls =
                // globals().get(name) or getattr(torch.optim, name)`, see `namedChoices`): a construction of each class
                // it may pick that is known (the file's own, or torch's Adam, AdamW, SGD): a name guessed from the
                // file's strings may name no class at all.
                let chosen = calleesChosenByName(call)
                if !chosen.isEmpty {
                    return chosen.compactMap { choice -> OptimizerUse? in
                        guard let made = use(call, callee: choice.callee, record: choice.record) else { return nil }
                        if case .other = made.family, made.definition == nil { return nil }
                        return made
                    }
                }
                // A class held by a loop variable over a table written out (`[cls(params, **kw) for cls, params, kw in
                // specs]` with rows `(torch.optim.Adam, [wte.weight], dict(lr=0.3))`): a construction of each row's class,
                // read with that row (see `recordRow`).
                if let function = call.function.map(unwrapped), function.type == "identifier",
                   let loop = bindingLoop(of: function.text, at: function), let rows = loopRows(loop) {
                    let made = rows.compactMap { row -> OptimizerUse? in
                        guard let held = row.names[function.text].map(unwrapped), held.type == "identifier" || held.type == "attribute" else { return nil }
                        return use(call, callee: imports.qualifiedName(of: held) ?? held.text, record: (variable: function.text, dictionary: held))
                    }
                    if !made.isEmpty { return made }
                }
                if let made = use(call, callee: call.callee) { return [made] }
                // A class handed in through a parameter and called (`make_optimizer(groups)` in `def configure(self,
                // make_optimizer)`, its callers passing `torch.optim.AdamW` or `partial(torch.optim.AdamW, lr=...)`, also
                // by a name bound to one): a construction of what each caller passes, with the arguments it binds.
                if let function = call.function.map(unwrapped), function.type == "identifier", parameterOwner(of: function) != nil {
                    let made = callerBindings(of: function).compactMap { _, argument -> OptimizerUse? in
                        guard let passed = passedCallable(argument) else { return nil }
                        let through = CallSite(node: call.node, imports: imports, aliases: [function.text: passed])
                        return use(through, callee: through.callee)
                    }
                    if !made.isEmpty { return made }
                }
                // A class held by a name or a member and called (`self.body_opt_cls(params, ...)` with `body_opt_cls =
                // BlockwiseNesterov` in the class body, see `heldClassConstructions`): a construction of each
                // optimizer class of the file it may hold.
                let held = heldClassConstructions[call.node] ?? []
                return held.filter { c in ownOptimizers.contains { $0.node == c.node } }.compactMap { use(call, callee: $0.name) }
            }
            // Adam steps written as plain functions (`adam_(params, grads, state, lr)`), by their calls.
            // A call inside an optimizer class of the file is that class's own step (`AdamLite.step` handing its
            // groups to `adam_lite(...)`): the class's construction is the optimizer use.
            // Also through a table of updates read by a key (`table[k][1](grads[k], ...)` with `table = {"readout":
            // (adam_init, partial(adam_update, hp=adam_hp)), ...}`, see `targets(of:)`).
            let tableCalls = adamUpdates.isEmpty ? [] : calls.filter { $0.function.map(unwrapped)?.type == "subscript" }
            for update in adamUpdates where !classes.contains(where: { isInside(update.function.node, $0.node) }) {
                let direct = calls(named: update.function.name).filter { $0.receiver == nil && calledFunction($0)?.node == update.function.node }
                let throughTables = tableCalls.filter { call in targets(of: call).contains { $0.node == update.function.node } }
                // Also a helper of the file handed the step to run (`apply_updates(leaves, states, adam_update, hp, lr)`,
                // see `handedFunctions`): that call is the optimizer.
                let handing = callsHanding(update.function)
                for call in direct + throughTables + handing where !isInside(call.node, update.function.node)
                    && !ownOptimizers.contains(where: { isInside(call.node, $0.node) }) {
                    // A helper running the step over the tensors and at the rate it is given (`def adam_step(leaves,
                    // states, hp, lr): ... adam_update(p, p.grad, s, hp, lr)`, called once per parameter family): each of
                    // its calls is an optimizer of its own, the helper its step function.
                    if let helper = rateForwardingHelper(around: call, of: update.function) {
                        for outer in calls(named: helper.name) where outer.receiver == nil && !isInside(outer.node, helper.node)
                            && calledFunction(outer)?.node == helper.node {
                            all.append(OptimizerUse(call: outer, family: .adam, groups: [], definition: nil,
                                                    stepFunction: helper, update: update, application: nil))
                        }
                        continue
                    }
                    let applied = appliedUpdates(of: update.function).first { $0.call.node == call.node }
                    all.append(OptimizerUse(call: call, family: .adam, groups: [], definition: nil,
                                            stepFunction: update.function, update: update, application: applied))
                }
            }
            // Chains of transformations (see `TransformChain`): an orthogonalizing one is Muon, one with an Adam step
            // Adam (AdamW when a decay link follows the Adam link).
            for chain in transformChains {
                guard let family = chain.family(in: self) else { continue }
                all.append(OptimizerUse(call: chain.call, family: family, groups: [], definition: nil, update: chain.adamUpdate(in: self),
                                        chain: chain))
            }
            // Orthogonalized updates written as plain functions (`muon_update(grads, state, leaves, hp, lr, momentum)`),
            // by the calls a training loop runs (see `orthogonalizingOptimizers`).
            for functional in orthogonalizingOptimizers where functional.className == nil {
                guard let scope = functional.scope, let step = functions.first(where: { $0.node == scope }) else { continue }
                let applied = updatesInPlace(step) ? [] : appliedUpdates(of: step)
                for use in functional.uses where !all.contains(where: { $0.call.node == use.node }) {
                    all.append(OptimizerUse(call: use, family: .muon, groups: [], definition: nil, stepFunction: step,
                                            application: applied.first { $0.call.node == use.node }))
                }
            }
            // An optimizer built in code that never runs (a builder nothing calls, kept beside its replacement: `def
            // build_optimizers_legacy(...)`, see `mayRun`) is no optimizer of the run, unless none runs at all (a
            // builder called through a name the file computes would look so).
            let running = all.filter { mayRun($0.call.node) }
            if !running.isEmpty { all = running }
            // A probe's optimizer beside the model's (a lone `nn.Linear` trained alone is a toy script's model).
            // A library Muon with an Adam inside (`MuonWithAuxAdam`) is two optimizers over its groups.
            all = all.flatMap(splitByUseMuon)
            all = expandedByLabelRows(all)
            let auxiliary = all.filter { $0.call.argument("params", position: 0).map(trainsAuxiliaryLayer) == true }
            return auxiliary.count < all.count ? all.filter { o in !auxiliary.contains { $0.call.node == o.call.node } } : all
        }
    }

    /// The parameter-group dictionaries an optimizer's params argument holds: the dictionaries (and calls) of a list
    /// written in the call, or of the list literal a name is set to (`param_groups = [dict(...), ...]`); else, for a
    /// name of a builder, the groups it collects (see `collectedGroups`).
    func parameterGroups(_ params: Node) -> [Node] {
        if params.type == "list" || params.type == "tuple" {
            return params.namedChildren.compactMap { element in
                if element.type == "dictionary" || element.type == "call" { return element }
                return element.type == "subscript" ? keyedGroup(element) : nil
            }
        }
        guard params.type == "identifier" else { return [] }
        var groups: [Node] = []
        for setting in allSettings.settings(params.text) where setting.value.type == "list" {
            groups += setting.value.namedChildren.filter { $0.type == "dictionary" || $0.type == "call" }
        }
        return groups.isEmpty ? collectedGroups(params) : groups
    }

    /// A group read by its role from a dictionary of groups (`[groups["hidden_scalar"]]` with `groups =
    /// param_groups(model, args)`, the helper returning `dict(hidden_scalar=dict(params=..., lr=...), ...)`, or the
    /// dictionary written in place): the entry under that key (see `origins(of:)`) when it is the one dictionary
    /// literal or `dict(...)` it can be, else nil.
    func keyedGroup(_ element: Node) -> Node? {
        let entries = origins(of: element).map(unwrapped)
        guard entries.count == 1, entries[0].type == "dictionary" || ConfigurationDocument.isMapping(entries[0]) else { return nil }
        return entries[0]
    }

    /// The group dictionaries a builder's name holds, in the function that binds it: the items of a list it is set to
    /// (`[group]`), or appended to it once it is made empty (`groups = []`, `groups.append(group)`), or, for a loop
    /// variable over a dictionary of lists (`for kind, groups in per_opt.items()`, `for groups in per_opt.values()`),
    /// the items appended to any of its lists (`per_opt.setdefault(rule["opt"], []).append(group)`,
    /// `per_opt[kind].append(group)`). An item is a dictionary literal or `dict(...)`, or a local name last given one
    /// (`group = {"params": ps, "lr": base_lr * rule["scale"]}`).
    func collectedGroups(_ name: Node) -> [Node] {
        let scope = enclosingFunction(name)?.node
        // The first argument of each `.append(...)` in the same function whose receiver `matches`.
        func appended(_ matches: (Node) -> Bool) -> [Node] {
            calls(named: "append").compactMap { call -> Node? in
                guard let receiver = call.receiver.map(unwrapped), matches(receiver), enclosingFunction(call.node)?.node == scope
                else { return nil }
                return call.positional.first
            }
        }
        func isEmptyContainer(_ value: Node) -> Bool {
            let v = unwrapped(value)
            if ["list", "dictionary"].contains(v.type) { return v.namedChildren.allSatisfy { $0.type == "comment" } }
            guard v.type == "call" else { return false }
            let made = callSite(v)
            return ["list", "dict"].contains(made.callee) && made.positional.isEmpty && made.keywords.isEmpty
                || made.callee.lastDottedComponent == "defaultdict"
        }
        var items: [Node] = []
        for binding in dataflow.bindings(of: name.text, at: name) {
            let source = unwrapped(binding.node)
            switch binding.kind {
            case .value where isEmptyContainer(source):
                items += appended { $0.type == "identifier" && $0.text == name.text }
            case .value where source.type == "list" || source.type == "tuple":
                items += source.namedChildren.filter { $0.type != "comment" }
            case .iteration(let index):
                guard source.type == "call", let method = source.child(byField: "function"), method.type == "attribute",
                      let table = method.child(byField: "object").map(unwrapped), table.type == "identifier",
                      method.child(byField: "attribute")?.text == "items" && index == 1
                          || method.child(byField: "attribute")?.text == "values" && index == nil else { continue }
                let made = dataflow.bindings(of: table.text, at: table)
                guard !made.isEmpty, made.allSatisfy({ $0.kind == .value && isEmptyContainer($0.node) }) else { continue }
                items += appended { receiver in
                    if receiver.type == "subscript" { return receiver.child(byField: "value")?.text == table.text }
                    guard receiver.type == "call" else { return false }
                    let filler = callSite(receiver)
                    return filler.name == "setdefault" && filler.receiver.map(unwrapped)?.text == table.text
                }
            default:
                continue
            }
        }
        return items.compactMap { item -> Node? in
            var group = unwrapped(item)
            if group.type == "identifier", let value = latestValue(of: group.text, before: group) { group = unwrapped(value) }
            return group.type == "dictionary" || (group.type == "call" && callSite(group).callee == "dict") ? group : nil
        }
    }

    /// The Adam step a class runs: in one of its methods, or in a function of the file its `step` reaches through
    /// calls (PyTorch's own layout: `step` gathers each group's tensors and calls a functional `adam(...)`, which
    /// dispatches to a single-tensor or a multi-tensor implementation).
    public func adamUpdate(of definition: Class) -> AdamUpdate? {
        let updates = adamUpdates
        guard !updates.isEmpty else { return nil }
        if let own = updates.first(where: { isInside($0.function.node, definition.node) }) { return own }
        guard let step = method("step", of: definition), isOptimizerStep(step) else { return nil }
        let reached = Set(reachableFunctions(from: step, depth: 3).map(\.node))
        return updates.first { reached.contains($0.function.node) }
    }

    /// Whether a method has an optimizer's `step` signature: `self` and parameters that all have defaults (`closure=None`,
    /// a switch such as `do_adam: bool = True`), so that `opt.step()` runs it; a trainer's `step(self, batch)` is not one.
    func isOptimizerStep(_ step: Function) -> Bool {
        guard let parameters = step.node.child(byField: "parameters") else { return true }
        return parameters.namedChildren.dropFirst().allSatisfy { parameter in
            ["default_parameter", "typed_default_parameter"].contains(parameter.type)
                || (parameter.type == "identifier" && parameter.text == "closure")
        }
    }

    /// Whether a class's methods call an orthogonalization (Newton-Schulz iteration or SVD): its `step` reaches
    /// code that orthogonalizes (`orthogonalizingOptimizerClasses`, whatever the names), or a method calls a
    /// function named for it.
    func isOrthogonalizing(_ definition: Class) -> Bool {
        orthogonalizingOptimizerClasses.contains { $0.node == definition.node } || calls.contains { call in
            definition.node.byteRange.contains(call.node.startByte)
                && Self.orthogonalizers.contains { call.name.lowercased().contains($0) }
        } || functions.contains { f in
            Self.orthogonalizers.contains { f.name.lowercased().contains($0) } && isReferenced(f.name, outside: f.node)
                && calls.contains { definition.node.byteRange.contains($0.node.startByte) && $0.name == f.name }
        }
    }
}

extension PythonFacts {
    /// The parameter of a step function whose tensors it changes in place: the receiver of an in-place update
    /// (`p.add_(...)`, `torch._foreach_add_(ps, ...)`, `p.data.copy_(...)`) followed back through locals
    /// (`ps = tree_leaves(params)`), loop and comprehension variables (`for p, d in zip(ps, dirs)`) to a parameter.
    public func updatedParameterIndex(_ function: Function) -> Int? {
        let flow = dataflow
        func parameter(of node: Node, depth: Int) -> Int? {
            let n = unwrapped(node)
            switch n.type {
            case "identifier":
                guard depth < 4 else { return nil }
                for binding in flow.bindings(of: n.text, at: n) {
                    switch binding.kind {
                    case .parameter(let index) where binding.node == function.node:
                        return index
                    case .value, .element, .iteration:
                        if let found = parameter(of: flow.iterationSource(binding), depth: depth + 1) { return found }
                    default:
                        continue
                    }
                }
                return nil
            case "attribute":
                // p.data
                return n.child(byField: "object").flatMap { parameter(of: $0, depth: depth) }
            default:
                // `tree_leaves(params)`, `[p.data for p in leaves]`, `zip(ps, dirs)`: the first part that is one.
                for part in descendants(of: n) where part != n && part.type == "identifier" && isRead(part) {
                    if let found = parameter(of: part, depth: depth + 1) { return found }
                }
                return nil
            }
        }
        // The update that applies the learning rate (`alpha=-lr`, `value=-lr / bias`) is the parameters' update; the
        // others change state (`buf.mul_(momentum).add_(g)`). Without a rate parameter, the last in-place update.
        let rates = Set(function.parameters.filter(Self.rateParameterNames.contains))
        var candidates: [(index: Int, appliesRate: Bool)] = []
        for node in descendants(of: function.node) where node.type == "call" {
            let view = methodView(callSite(node))
            guard ["add_", "sub_", "copy_", "addcdiv_", "addcmul_", "lerp_"].contains(view.name), let receiver = view.receiver,
                  let index = parameter(of: receiver, depth: 0) else { continue }
            let arguments = view.positional + Array(view.keywords.values)
            candidates.append((index, arguments.contains { argument in rates.contains { mentions(argument, $0) } }))
        }
        return (candidates.first(where: \.appliesRate) ?? candidates.last)?.index
    }
}
