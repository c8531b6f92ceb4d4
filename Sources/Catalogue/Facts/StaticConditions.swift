import Foundation
import Parsing
import SourceModel
import TreeSitterKit

/// Conditions a script decides by its own configuration: `if args.use_rope:`, `x if cfg.relu2 else y`,
/// `if os.environ.get("FP8", "0") == "1":`. A switch is decided only when every place that can give it a value
/// gives the same one (its settings, any keyword argument or `setattr` naming it); anything that depends on the
/// run (a loop variable, a field the script counts up, a function parameter, the launcher's `RANK`, a device query,
/// an attribute torch sets on its tensors and modules such as `p.grad`) stays undecided.
extension PythonFacts {
    /// A value a switch can hold.
    enum SwitchValue: Equatable {
        case number(Double)
        case string(String)
        case none

        var isTrue: Bool {
            switch self {
            case .number(let value): value != 0
            case .string(let text): !text.isEmpty
            case .none: false
            }
        }
    }

    /// Environment variables the launcher sets (torchrun, SLURM): their defaults say nothing about a run.
    static let launcherVariables: Set<String> = [
        "RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "NODE_RANK", "GROUP_RANK", "MASTER_ADDR",
        "MASTER_PORT", "CUDA_VISIBLE_DEVICES", "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NTASKS", "SLURM_NODEID",
    ]

    /// Whether `condition` always holds (true), never holds (false), or depends on the run (nil).
    public func truth(of condition: Node) -> Bool? {
        truth(condition, depth: 0)
    }

    /// The string an expression holds in every run (`args.attn_impl`, `os.environ.get("NORM", "rms")`), or nil.
    public func decidedString(_ node: Node) -> String? {
        if case .string(let text)? = switchValue(node, depth: 0) { return text }
        return nil
    }

    /// The case of a `match` statement every run takes (its index; `cases.count` when none matches), or nil when
    /// the subject or a pattern depends on the run. `match args.schedule: case "wsd": ...` is decided by the
    /// configuration like `if args.schedule == "wsd":`. A guard is decided only when its pattern binds no name.
    public func decidedCase(of match: MatchStatement) -> Int? {
        guard let subject = switchValue(match.subject, depth: 0) else { return nil }
        let selection = match.select(subject, equals: { value, pattern in
            // A dotted value (`Kind.COSINE`) of an enumeration whose members equal their values reads as the member's
            // setting; other dotted values stay undecided.
            var node: Node? = pattern
            if pattern.type == "dotted_name" {
                let parts = pattern.namedChildren.filter { $0.type == "identifier" }
                let owner = parts.count == 2 ? self.boundClass(named: parts[0].text) : nil
                node = owner.map(self.isValueEnumeration) == true ? parts.last : nil
            }
            return node.flatMap { self.switchValue($0, depth: 1) }.map { $0 == value }
        }, elements: { _ in nil }, holds: { condition, bound in bound.isEmpty ? self.truth(of: condition) : nil })
        switch selection {
        case .unknown: return nil
        case .noMatch: return match.cases.count
        case .selected(let chosen, _): return match.cases.firstIndex { $0.node == chosen.node }
        }
    }

    private func truth(_ node: Node, depth: Int) -> Bool? {
        guard depth < 12 else { return nil }
        let n = unwrapped(node)
        switch n.type {
        case "not_operator":
            return n.child(byField: "argument").flatMap { truth($0, depth: depth + 1) }.map { !$0 }
        case "boolean_operator":
            guard let left = n.child(byField: "left"), let right = n.child(byField: "right"),
                  let op = n.child(byField: "operator")?.type else { return nil }
            let l = truth(left, depth: depth + 1), r = truth(right, depth: depth + 1)
            if op == "and" {
                if l == false || r == false { return false }
                return l == true && r == true ? true : nil
            }
            if l == true || r == true { return true }
            return l == false && r == false ? false : nil
        case "comparison_operator":
            return comparison(n, depth: depth)
        default:
            return switchValue(n, depth: depth)?.isTrue
        }
    }

    private func comparison(_ n: Node, depth: Int) -> Bool? {
        let operands = n.namedChildren.filter { $0.type != "comment" }
        let operators = n.children.filter { !$0.isNamed }.map(\.type)
        guard operands.count == 2 else { return nil }
        let op = operators.joined(separator: " ")
        if op == "in" || op == "not in" {
            let container = unwrapped(operands[1])
            guard ["tuple", "list", "set"].contains(container.type), let item = switchValue(operands[0], depth: depth + 1) else { return nil }
            var members: [SwitchValue] = []
            for element in container.namedChildren where element.type != "comment" {
                guard let member = switchValue(element, depth: depth + 1) else { return nil }
                members.append(member)
            }
            return members.contains(item) == (op == "in")
        }
        // `self.lm_head is not None` for a name every setting of which builds an object (`nn.Linear(...)`, also the
        // side of a conditional the configuration selects): never None.
        if op == "is" || op == "is not", operands.contains(where: { unwrapped($0).type == "none" }),
           let other = operands.first(where: { unwrapped($0).type != "none" }), switchValue(other, depth: depth + 1) == nil,
           surelyBuilt(other, depth: depth + 1) {
            return op == "is not"
        }
        // `torch.cuda.get_device_capability() >= (8, 0)`: compared as the machine's pair.
        if TargetHardware.isCapability(operands[0], self) || TargetHardware.isCapability(operands[1], self) {
            let left = TargetHardware.isCapability(operands[0], self)
            return TargetHardware.compareCapability(op, left ? operands[1] : operands[0], capabilityOnLeft: left, self)
        }
        guard let l = switchValue(operands[0], depth: depth + 1), let r = switchValue(operands[1], depth: depth + 1) else { return nil }
        switch (op, l, r) {
        case (_, .number(let a), .number(let b)): return PythonArithmetic.compare(op, a, b)
        case ("==", _, _), ("is", _, _): return l == r
        case ("!=", _, _), ("is not", _, _): return l != r
        default: return nil
        }
    }

    /// Whether a name or attribute always holds an object the file builds, never None: every setting of it (a
    /// parameter's default aside) is a construction (`nn.Linear(...)`, a class of the file), or a conditional whose
    /// selected side is one (`None if cfg.tie else nn.Linear(...)` with `cfg.tie` decided false).
    func surelyBuilt(_ node: Node, depth: Int) -> Bool {
        guard depth < 12, let name = SettingsTable.bareName(of: unwrapped(node)) else { return false }
        let settings = allSettings.settings(name)
        guard !settings.isEmpty else { return false }
        func built(_ value: Node) -> Bool {
            let v = unwrapped(value)
            if let parts = conditionalParts(v) {
                guard let holds = truth(parts.test, depth: depth + 1) else { return built(parts.value) && built(parts.alternative) }
                return built(holds ? parts.value : parts.alternative)
            }
            guard v.type == "call" else { return false }
            let callee = callSite(v).callee
            if boundClass(named: callee) != nil { return true }
            // A library class (`nn.Linear`, `torch.nn.Embedding`): its last name is capitalized.
            return callee.split(separator: ".").last?.first?.isUppercase == true
        }
        return settings.allSatisfy { $0.source != .parameterDefault && built($0.value) }
    }

    /// The one value an expression has in every run, or nil.
    private func switchValue(_ node: Node, depth: Int) -> SwitchValue? {
        guard depth < 12 else { return nil }
        let n = unwrapped(node)
        switch n.type {
        case "true": return .number(1)
        case "false": return .number(0)
        case "none": return SwitchValue.none
        case "integer", "float", "unary_operator", "binary_operator":
            return ConstantFolder(imports: imports).evaluate(n).map { .number($0.double) }
        case "string":
            if n.namedChildren.contains(where: { $0.type == "interpolation" }) {
                // An f-string whose fields are decided strings (`f"_act_{cfg.act}"`); a number field stays undecided
                // (`3` and `3.0` print differently).
                return stringLiteral(n) { field in
                    if case .string(let text)? = self.switchValue(field, depth: depth + 1) { return text }
                    return nil
                }.map { .string($0) }
            }
            guard let text = SettingsTable.stringValue(n) else { return nil }
            return .string(text)
        case "not_operator", "boolean_operator", "comparison_operator":
            return truth(n, depth: depth + 1).map { .number($0 ? 1 : 0) }
        case "call":
            return callValue(n, depth: depth)
        case "conditional_expression":
            // `default if v is None else ...`: the branch a decided condition picks.
            guard let parts = conditionalParts(n) else { return nil }
            guard let condition = truth(parts.test, depth: depth + 1) else {
                // Undecided test, both sides the same value (`bool(check()) if callable(check) else True` with `check()`
                // true): that value.
                guard let a = switchValue(parts.value, depth: depth + 1), let b = switchValue(parts.alternative, depth: depth + 1),
                      a == b else { return nil }
                return a
            }
            return switchValue(condition ? parts.value : parts.alternative, depth: depth + 1)
        case "identifier", "attribute", "subscript":
            // `torch.cuda.get_device_capability()[0]`: the machine's major version.
            if n.type == "subscript", let value = n.child(byField: "value"), TargetHardware.isCapability(value, self),
               let index = n.child(byField: "subscript").flatMap({ self.value(of: $0)?.double }),
               let part = TargetHardware.capabilityPart(Int(index)) {
                return .number(part)
            }
            if n.type == "subscript", let value = nestedEntryValue(n, depth: depth) { return value }
            return referenceValue(n, depth: depth)
        default:
            return nil
        }
    }

    /// An entry of a nested configuration dictionary written in the file, read by its path (`mc["qk_norm"]`,
    /// `spec.pop("name")`, with `mc` the `"model"` entry of `CONFIG`; see `nestedEntry`), when it is a constant.
    private func nestedEntryValue(_ n: Node, depth: Int) -> SwitchValue? {
        guard let entry = nestedEntry(n), ["string", "integer", "float", "true", "false", "none", "unary_operator"].contains(entry.type) else {
            return nil
        }
        return switchValue(entry, depth: depth + 1)
    }

    /// Conversions of a decided value (`int(...)`, `bool(...)`, `str(...).lower()`) and environment switches.
    private func callValue(_ n: Node, depth: Int) -> SwitchValue? {
        if let value = nestedEntryValue(n, depth: depth) { return value }
        let call = callSite(n)
        // A question the benchmark's machine answers (`torch.cuda.is_bf16_supported()`, see `TargetHardware`).
        if let query = TargetHardware.query(call, self), let answer = TargetHardware.answers[query] { return .number(answer) }
        // `hasattr(torch, "float8_e4m3fn")`: what the scored PyTorch has.
        if call.callee == "hasattr", call.positional.count == 2, imports.qualifiedName(of: unwrapped(call.positional[0])) == "torch",
           let name = SettingsTable.stringValue(call.positional[1]), TargetHardware.torchAttributes.contains(name) {
            return .number(1)
        }
        // `callable(checker)` with `checker = getattr(torch.cuda, "is_bf16_supported", None)`: the machine has it.
        if call.callee == "callable", call.positional.count == 1, case let held = unwrapped(call.positional[0]), held.type == "identifier",
           let value = latestValue(of: held.text, before: n), let fetched = TargetHardware.fetchedAttribute(value, self),
           TargetHardware.answers[fetched] != nil {
            return .number(1)
        }
        if let fallback = environmentDefault(n) {
            guard let key = call.positional.first, isSettingVariable(key) else { return nil }
            return switchValue(fallback, depth: depth + 1)
        }
        // `os.environ.get(key)` without a default: None in the run the script describes (nothing set).
        if ["os.environ.get", "os.getenv"].contains(call.callee), call.positional.count == 1, call.keywords.isEmpty {
            return isSettingVariable(call.positional[0]) ? SwitchValue.none : nil
        }
        // A small helper of the file (`def env_flag(name, default=True): v = os.environ.get(name); return default if
        // v is None else ...`): its one returned expression, its parameters holding what every call passes.
        if call.receiver == nil, !call.hasSplat, let function = calledFunction(call), enclosingClass(function.node) == nil,
           !helperCallFrames.contains(where: { $0.function == function.node }) {
            var arguments: [String: Node] = [:]
            for (index, parameter) in function.parameters.enumerated() {
                if let given = call.argument(parameter, position: index) ?? parameterDefault(function, parameter) { arguments[parameter] = given }
            }
            helperCallFrames.append((function.node, arguments))
            defer { helperCallFrames.removeLast() }
            return helperResult(function, depth: depth)
        }
        if let receiver = call.receiver, call.positional.isEmpty, ["lower", "upper", "strip"].contains(call.name),
           case .string(let text)? = switchValue(receiver, depth: depth + 1) {
            switch call.name {
            case "lower": return .string(text.lowercased())
            case "upper": return .string(text.uppercased())
            default: return .string(text.trimmingCharacters(in: .whitespaces))
            }
        }
        if let key = configKeyRead(call) {
            // `section.get("kind")`: the setting of that key, or the fallback when nothing sets it.
            if !allSettings.settings(key.name).isEmpty { return switchValue(named: key.name, depth: depth + 1) }
            return key.fallback.flatMap { switchValue($0, depth: depth + 1) }
        }
        guard call.receiver == nil, call.positional.count == 1, call.keywords.isEmpty,
              let inner = switchValue(call.positional[0], depth: depth + 1) else { return nil }
        // An enumeration of the file looked up by value (`Schedule(args.schedule)`) is the member with that value,
        // which reads as its value.
        if let owner = boundClass(named: call.callee), isValueEnumeration(owner) { return inner }
        switch (call.callee, inner) {
        case ("bool", _): return .number(inner.isTrue ? 1 : 0)
        case ("int", .number(let v)), ("float", .number(let v)): return .number(call.callee == "int" ? v.rounded(.towardZero) : v)
        case ("int", .string(let s)), ("float", .string(let s)):
            return Double(s.trimmingCharacters(in: .whitespaces)).map { .number(call.callee == "int" ? $0.rounded(.towardZero) : $0) }
        case ("str", .string): return inner
        default: return nil
        }
    }

    /// What a small helper of the file returns in every run for one call (its parameters hold what the call passes,
    /// see `helperCallFrames`): its statements read in order, where a docstring, an
    /// assertion or an assignment (read back through `straightLineRead`) goes on, `if condition: return x` returns
    /// `x` when the condition holds and goes on when it does not, and the final `return` gives its value. nil for
    /// anything else (loops, other branches, nested functions) or an undecided condition.
    private func helperResult(_ function: Function, depth: Int) -> SwitchValue? {
        guard let body = function.body else { return nil }
        let statements = body.namedChildren.filter { $0.type != "comment" }
        guard statements.count <= 8,
              !descendants(of: body).contains(where: { ["function_definition", "lambda", "yield"].contains($0.type) }) else { return nil }
        func returned(_ statement: Node) -> Node? {
            guard statement.type == "return_statement" else { return nil }
            return statement.namedChildren.first { $0.type != "comment" }
        }
        for statement in statements {
            switch statement.type {
            case "expression_statement", "assert_statement", "pass_statement":
                continue
            case "return_statement":
                return returned(statement).flatMap { switchValue($0, depth: depth + 1) }
            case "if_statement":
                guard statement.child(byField: "alternative") == nil, let condition = statement.child(byField: "condition"),
                      let consequence = statement.child(byField: "consequence"),
                      let only = consequence.namedChildren.filter({ $0.type != "comment" }).first,
                      consequence.namedChildren.filter({ $0.type != "comment" }).count == 1,
                      let value = returned(only), let holds = truth(condition, depth: depth + 1) else { return nil }
                if holds { return switchValue(value, depth: depth + 1) }
            default:
                return nil
            }
        }
        return nil
    }

    /// An environment variable that configures the run, not one a launcher sets (`RANK`, `WORLD_SIZE`, ...): a string
    /// literal, or a helper's parameter that the call being read (else every caller) gives such a literal.
    private func isSettingVariable(_ key: Node) -> Bool {
        func isSetting(_ node: Node) -> Bool {
            guard let name = SettingsTable.stringValue(node) else { return false }
            return !Self.launcherVariables.contains(name)
        }
        if isSetting(key) { return true }
        guard key.type == "identifier" else { return false }
        if let frame = helperCallFrames.last, let function = enclosingFunction(key), frame.function == function.node,
           let given = frame.arguments[key.text] {
            return isSetting(given)
        }
        let passed = callerArguments(of: key)
        return !passed.isEmpty && passed.allSatisfy(isSetting)
    }

    /// An enumeration whose members are equal to their values (`StrEnum`, `IntEnum`, `class Kind(str, Enum)`): there
    /// `Kind("cos") == "cos"` and a member pattern matches its value. A plain `Enum` member equals only itself.
    func isValueEnumeration(_ owner: Class) -> Bool {
        let bases = Set(owner.bases.map(\.lastDottedComponent))
        if !bases.isDisjoint(with: ["StrEnum", "IntEnum"]) { return true }
        return bases.contains("Enum") && !bases.isDisjoint(with: ["str", "int"])
    }

    /// A configuration switch read by name: the value every place that can set it gives, when they all agree. An
    /// attribute torch sets on its own objects (`p.grad`, see `libraryAttributes`) is decided only by a declaration
    /// or a module statement of that name, never by writes on objects alone.
    private func referenceValue(_ n: Node, depth: Int) -> SwitchValue? {
        // A bare name is a switch only where it reads a module-level setting: a name bound by a loop, a
        // comprehension, a lambda or the enclosing function holds what the run gives it.
        if n.type == "identifier", isLocallyBound(n) {
            // A local a method of an enumeration unpacks from `self.value` (`gate, power = self.value`), `self` being
            // the one member the file names: that element of the member's value (see `enumerationSelfValueElement`).
            if let element = enumerationSelfValueElement(n) { return switchValue(element, depth: depth + 1) }
            guard !isBoundInInnerScope(n), let function = enclosingFunction(n) else { return nil }
            // A local set in straight-line code before the read (`opt = opt.lower()`): that value, whose own reads
            // of the name see the parameter.
            switch straightLineRead(n, in: function) {
            case nil: return nil
            case .assigned(let value)?: return switchValue(value, depth: depth + 1)
            case .decided(let value)?: return value
            case .notYetAssigned?: break
            }
            guard function.parameters.contains(n.text) else {
                // A parameter of an enclosing function the closure captures (`def make(warmup): def ramp(it): ...
                // warmup ...`): what every call of that function passes; a captured local stays undecided.
                guard let outer = capturingFunction(of: n, from: function), outer.parameters.contains(n.text),
                      !isReassigned(n.text, in: outer) else { return nil }
                let key = "\(outer.node.startByte):\(n.text)"
                if let known = switchMemo[key] { return known }
                switchMemo[key] = .some(nil)
                let value = parameterValue(n.text, of: outer, depth: depth)
                switchMemo[key] = .some(value)
                return value
            }
            // Inside a helper call being read: what that call passes, read where the call is.
            if let frame = helperCallFrames.last, frame.function == function.node {
                guard let argument = frame.arguments[n.text] else { return nil }
                let saved = helperCallFrames.removeLast()
                defer { helperCallFrames.append(saved) }
                return switchValue(argument, depth: depth + 1)
            }
            // A parameter holds what every call passes (or its default), when every call can be seen.
            let key = "\(function.node.startByte):\(n.text)"
            if let known = switchMemo[key] { return known }
            switchMemo[key] = .some(nil)
            let value = parameterValue(n.text, of: function, depth: depth)
            switchMemo[key] = .some(value)
            return value
        }
        guard let name = SettingsTable.bareName(of: n) else { return nil }
        // `p.grad`, `module.bias`, `p.requires_grad`: an attribute torch gives its own tensors and modules is set by
        // the library too (autograd fills `.grad`, a layer's constructor `.bias`), so the file's writes of it on
        // some object (`p.grad = None` clearing gradients) never decide it; only a configuration declaring a
        // field of that name (`bias: bool = False`) does (see `switchValue(named:depth:objectWritesDecide:)`).
        let libraryAttribute = n.type == "attribute" && Self.libraryAttributes.contains(name)
        let key = libraryAttribute ? "attribute.\(name)" : name
        if let known = switchMemo[key] { return known }
        switchMemo[key] = .some(nil)  // a switch set from itself stays undecided
        let value = switchValue(named: name, depth: depth, objectWritesDecide: !libraryAttribute)
        switchMemo[key] = .some(value)
        return value
    }

    /// Attributes torch gives its own objects: a tensor's `grad` (autograd), `data`, `requires_grad`, a module's
    /// `weight` and `bias` (its constructor), `training` (`train()` / `eval()`). Read on an object
    /// (`if p.grad is not None:`), they hold what the run gives them, whatever the file writes on some object.
    static let libraryAttributes: Set<String> = ["grad", "data", "requires_grad", "weight", "bias", "training"]

    /// The writes of a switch fall in three kinds. Declarations (an argparse default, a class field, a dictionary
    /// entry) give its default; statements of the module itself, run once in order before anything is trained
    /// (`args.use_rope = True`, `flags = dataclasses.replace(flags, window=True)`, `USE_FP8 = False`), override
    /// the defaults; any other write (inside a function, a loop, a branch) may or may not run. The switch is
    /// decided when there are no other writes and the module's statements agree (or, without them, the
    /// declarations do), or when every write of every kind agrees. An entry of a mapping that a `ChainMap` layers
    /// behind an earlier layer holding the same key counts as no write (see `isShadowedMappingEntry`).
    /// With `objectWritesDecide` false (a read of an attribute the library sets, see `libraryAttributes`), the other
    /// writes alone decide nothing: the switch needs a declaration or a statement of the module.
    /// An argparse switch declared without a default (`add_argument("--zero-head", action="store_true")`, read as
    /// `args.zero_head`): off in the run the script describes, since nothing on its command line is known to turn it
    /// on (`store_false`: on). The name is argparse's: `dest=`, else the first `--` spelling, dashes as underscores.
    private func storeSwitchDefault(_ name: String) -> SwitchValue? {
        for call in calls where call.name == "add_argument" && call.keywords["default"] == nil {
            guard let action = call.keywords["action"].flatMap(SettingsTable.stringValue),
                  action == "store_true" || action == "store_false" else { continue }
            let spellings = call.positional.compactMap(SettingsTable.stringValue)
            var dest = call.keywords["dest"].flatMap(SettingsTable.stringValue)
            if dest == nil, let spelled = spellings.first(where: { $0.hasPrefix("--") }) ?? spellings.first {
                dest = String(spelled.drop { $0 == "-" }).replacingOccurrences(of: "-", with: "_")
            }
            if dest == name { return .number(action == "store_true" ? 0 : 1) }
        }
        return nil
    }

    private func switchValue(named name: String, depth: Int, objectWritesDecide: Bool = true) -> SwitchValue? {
        let settings = allSettings.settings(name)
        guard !settings.isEmpty else { return storeSwitchDefault(name) }
        // A name the script steps (`self.iter_num += 1` in the training loop) holds what the run has reached.
        guard !steppedNames.contains(name) else { return nil }
        var declared: [SwitchValue] = [], module: [SwitchValue] = [], other: [SwitchValue] = []
        var sites = Set<Int>()
        func add(_ value: Node, at site: Node, declaration: Bool, perInstance: Bool = false) -> Bool {
            // A value that is the same switch read elsewhere (`use_rope=args.use_rope`) adds nothing.
            if SettingsTable.bareName(of: unwrapped(value)) == name { return true }
            guard let decided = switchValue(value, depth: depth + 1) else { return false }
            if declaration { declared.append(decided) }
            else if runsOnceAtModuleLevel(site) && !perInstance { module.append(decided) }
            else { other.append(decided) }
            return true
        }
        // A keyword of one of several constructions of a class of the file (`Hyper(lr=0.02, ortho=True)` beside
        // `Hyper(lr=0.3)` as rows of a table) sets that instance only: the others hold what they are given, or the
        // class's default, and all of them must agree.
        var instancesSeen = Set<Node>()
        func severalTimesBuilt(_ value: Node) -> Class? {
            guard let keyword = value.parent, keyword.type == "keyword_argument", let call = keyword.parent?.parent, call.type == "call",
                  let owner = boundClass(named: callSite(call).callee), constructions(of: owner).count > 1 else { return nil }
            return owner
        }
        func addOtherInstances(_ owner: Class) -> Bool {
            guard instancesSeen.insert(owner.node).inserted else { return true }
            for construction in constructions(of: owner) where construction.keywords[name] == nil {
                guard let given = fieldExpression(construction.node, name) else { continue }
                if !add(given, at: construction.node, declaration: false, perInstance: true) { return false }
            }
            return true
        }
        for setting in settings {
            // A parameter's default counts through the calls of its function (`parameterValue`).
            if setting.source == .parameterDefault { continue }
            // A plain local variable of a function (`opt = opt.lower()`) is another variable: reads of it are answered
            // where they stand (`referenceValue`).
            if isFunctionLocal(setting) { continue }
            sites.insert(setting.value.startByte)
            // An entry a ChainMap's earlier layer shadows (`ChainMap(overrides, DEFAULTS)`) is never what a lookup gives.
            if isShadowedMappingEntry(setting.value, key: name) { continue }
            if setting.isForward {
                // `self.pinned = pinned` in `__init__`: what the constructions pass.
                guard let values = forwardedValues(setting, depth: depth + 1) else { return nil }
                other += values
                continue
            }
            let declaration = [.argparseDefault, .classField, .dictionaryEntry].contains(setting.source)
            if let word = setting.bareWord {
                declared.append(.string(word))
            } else if setting.source == .argparseDefault, let number = resolver.argparseNumber(setting) {
                declared.append(.number(number.double))
            } else if let owner = severalTimesBuilt(setting.value) {
                if !add(setting.value, at: setting.site, declaration: false, perInstance: true) || !addOtherInstances(owner) { return nil }
            } else if !add(setting.value, at: setting.site, declaration: declaration) {
                return nil
            }
        }
        // Writes the settings table does not hold: a keyword naming the switch anywhere (`replace(flags,
        // use_rope=True)`), `setattr(obj, "use_rope", ...)`.
        for node in identifiersByName[name] ?? [] {
            guard let parent = node.parent, parent.type == "keyword_argument", parent.child(byField: "name") == node,
                  let value = parent.child(byField: "value"), !sites.contains(value.startByte),
                  !isShadowedMappingEntry(value, key: name) else { continue }
            // A keyword of a call into an array library (`np.frombuffer(b, dtype=np.uint16)`, `torch.zeros(n,
            // dtype=torch.bfloat16)`) names that function's parameter: it sets no switch of the script.
            if let call = parent.parent?.parent, call.type == "call", callsArrayLibrary(call) { continue }
            if let owner = severalTimesBuilt(value) {
                if !add(value, at: parent, declaration: false, perInstance: true) || !addOtherInstances(owner) { return nil }
                continue
            }
            if !add(value, at: parent, declaration: false) { return nil }
        }
        for call in calls where call.callee == "setattr" && call.positional.count == 3 {
            if SettingsTable.stringValue(call.positional[1]) == name, !add(call.positional[2], at: call.node, declaration: false) { return nil }
        }
        func agreed(_ values: [SwitchValue]) -> SwitchValue? {
            guard let first = values.first, values.allSatisfy({ $0 == first }) else { return nil }
            return first
        }
        // Every write hands the same switch on (`self.flag = flag` with `Opt(flag=args.flag)`): the argparse switch it
        // reads decides, off unless its command line turns it on.
        if declared.isEmpty, module.isEmpty, other.isEmpty, objectWritesDecide { return storeSwitchDefault(name) }
        if !objectWritesDecide, declared.isEmpty, module.isEmpty { return nil }
        if !other.isEmpty { return agreed(declared + module + other) }
        return module.isEmpty ? agreed(declared) : agreed(module)
    }

    /// The names (a plain name, or a field's last part) an augmented assignment of the file changes (`step += 1`,
    /// `self.iter_num += 1`, `self.scale *= 0.5`).
    var steppedNames: Set<String> {
        memoized("steppedNames") {
            Set(nodes(ofType: "augmented_assignment").compactMap { $0.child(byField: "left").flatMap { SettingsTable.bareName(of: $0) } })
        }
    }

    /// The values a forwarding setting of a switch gives it (`self.pinned = pinned`, `dict(x=x)` in a function with
    /// a parameter `x`): what every call passes for the parameter, or its default (see `parameterArguments`), less an
    /// argument that reads the same switch elsewhere (`Muon(..., x=hp["x"])`, `x=cfg.x`), which adds nothing, as in
    /// `switchValue(named:)`; for any other forward, the value it reads. Nil when one is undecided.
    private func forwardedValues(_ setting: Setting, depth: Int) -> [SwitchValue]? {
        let name = setting.name
        guard let function = enclosingFunction(setting.value), function.parameters.contains(name), !isReassigned(name, in: function),
              let arguments = parameterArguments(name, of: function) else {
            return switchValue(setting.value, depth: depth).map { [$0] }
        }
        var values: [SwitchValue] = []
        for argument in arguments {
            let read = unwrapped(argument)
            if read.type != "identifier", SettingsTable.bareName(of: read) == name { continue }
            guard let value = switchValue(argument, depth: depth) else { return nil }
            values.append(value)
        }
        return values
    }

    /// Modules whose functions take tensor arguments (`dtype=`, `device=`, `dim=`), never a configuration.
    static let arrayLibraries: Set<String> = ["torch", "numpy", "triton", "jax", "cupy"]

    /// Whether a call goes into an array library the script imports: `np.frombuffer(...)`, `torch.zeros(...)`,
    /// `F.pad(...)` (a local name or an object's method is not one).
    func callsArrayLibrary(_ call: Node) -> Bool {
        guard var head = call.child(byField: "function") else { return false }
        while head.type == "attribute", let object = head.child(byField: "object") { head = object }
        guard head.type == "identifier", !isLocallyBound(head), let module = imports.bindings[head.text] else { return false }
        return Self.arrayLibraries.contains(String(module.prefix { $0 != "." }))
    }

    /// Whether a name is read in a type annotation (also inside `Optional[...]` or `A | B`) or as the class argument of
    /// `isinstance` / `issubclass`.
    func isTypeOrClassTest(_ use: Node) -> Bool {
        var current = use
        while let parent = current.parent {
            switch parent.type {
            case "type":
                return true
            case "generic_type", "type_parameter", "binary_operator", "subscript", "attribute", "tuple", "parenthesized_expression":
                current = parent
            case "argument_list":
                guard let call = parent.parent, call.type == "call" else { return false }
                return ["isinstance", "issubclass"].contains(callSite(call).callee) && callSite(call).positional.dropFirst().contains(current)
            default:
                return false
            }
        }
        return false
    }

    /// Whether a name is the whole value of an assignment to a name or attribute that no call of the file calls
    /// (`config_class = SparrowConfig` with no `config_class(...)` anywhere).
    func isStoredUncalled(_ use: Node) -> Bool {
        guard let assignment = use.parent, assignment.type == "assignment", assignment.child(byField: "right") == use,
              let target = assignment.child(byField: "left"), ["identifier", "attribute"].contains(target.type) else { return false }
        let stored = target.text.lastDottedComponent
        return calls(named: stored).isEmpty && (identifiersByName[stored] ?? []).allSatisfy { read in
            read.parent?.type != "argument_list" && read.parent?.type != "keyword_argument"
        }
    }

    /// The value a parameter has in every call of its function: the argument each call passes, or the default.
    /// Undecided unless every call can be seen (see `parameterArguments`).
    private func parameterValue(_ name: String, of function: Function, depth: Int) -> SwitchValue? {
        guard let arguments = parameterArguments(name, of: function) else { return nil }
        var values: [SwitchValue] = []
        for argument in arguments {
            guard let value = switchValue(argument, depth: depth + 1) else { return nil }
            values.append(value)
        }
        guard let first = values.first, values.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// What a parameter read at `identifier` holds (`def __init__(self, kernel=flex_attention)`, then `kernel(...)`):
    /// the expressions `parameterArguments` gives; nil when the function assigns the name again or not every call
    /// can be seen.
    public func heldArguments(of identifier: Node) -> [Node]? {
        guard identifier.type == "identifier", let function = parameterOwner(of: identifier),
              !isReassigned(identifier.text, in: function) else { return nil }
        return parameterArguments(identifier.text, of: function)
    }

    /// The expressions a parameter is given in every call of its function: the argument each call passes, or the
    /// default. Nil unless every call can be seen: the function (for `__init__`, its class) is named only where it
    /// is defined or called, and no call unpacks arguments. A module's `forward` is called where its instances are.
    func parameterArguments(_ name: String, of function: Function) -> [Node]? {
        guard let index = function.parameters.firstIndex(of: name) else { return nil }
        let callee: String
        var sites: [CallSite]
        if function.name == "__init__" {
            guard let owner = enclosingClass(function.node) else { return nil }
            callee = owner.name
            sites = (calls(named: owner.name) + calls(named: "cls")).filter { constructs($0, owner.name) }
        } else if forwardMethodNames.contains(function.name), enclosingClass(function.node) != nil {
            // A module's forward runs where its instances are called (`block(x, kernel)`, see `Dataflow.callSites`).
            callee = function.name
            sites = dataflow.callSites(of: function.node).filter { $0.offset == 1 }.map(\.call)
        } else {
            callee = function.name
            sites = calls(named: callee)
        }
        for use in identifiersByName[callee] ?? [] {
            guard let parent = use.parent else { return nil }
            if ["function_definition", "class_definition"].contains(parent.type), parent.child(byField: "name") == use { continue }
            if parent.type == "call", parent.child(byField: "function") == use { continue }
            if parent.type == "attribute", parent.child(byField: "attribute") == use, let call = parent.parent,
               call.type == "call", call.child(byField: "function") == parent { continue }
            // A keyword's name (`dict(ns=...)`) names no function.
            if parent.type == "keyword_argument", parent.child(byField: "name") == use { continue }
            // A type annotation (`config: SparrowConfig`), a class test (`isinstance(m, Norm)`), or the class kept under a
            // name the file never calls (`config_class = SparrowConfig`, read by a library loader): no call.
            if isTypeOrClassTest(use) || isStoredUncalled(use) { continue }
            // A base class of the file's own subclass (`class OutputHead(Dense):`): its `__init__` runs from the
            // subclass's `super().__init__(...)` calls, or, when the subclass writes no `__init__`, from its constructions.
            if function.name == "__init__", let subclassSites = subclassInitializerCalls(use) {
                sites += subclassSites
                continue
            }
            // An entry of a table of functions (`backends = dict(svd=zp_svd, ns5=zp_ns5)`): the calls through its reads.
            guard function.name != "__init__", let throughTable = tableCalls(of: use) else { return nil }
            sites += throughTable
        }
        guard !sites.isEmpty else { return nil }
        let offset = function.passedOffset
        var passed: [Node] = []
        for call in sites {
            let position = index - offset
            var arguments: [Node] = []
            if let argument = call.argument(name, position: position >= 0 ? position : nil) {
                arguments = [argument]
            } else if call.hasSplat {
                // Unpacked `*args` may shift positions; `**` dictionaries are read for the keyword when they can be.
                guard !(call.node.child(byField: "arguments")?.namedChildren.contains { $0.type == "list_splat" } ?? false),
                      case let .known(forwarded, sometimesAbsent) = forwardedKeyword(name, through: call) else { return nil }
                arguments = forwarded.map(\.value)
                if sometimesAbsent || forwarded.isEmpty {
                    guard let fallback = parameterDefault(function, name) else { return nil }
                    arguments.append(fallback)
                }
            } else if let fallback = parameterDefault(function, name) {
                arguments = [fallback]
            }
            guard !arguments.isEmpty else { return nil }
            passed += arguments
        }
        return passed
    }

    /// For a class named among the bases of a class of the file (`class OutputHead(Dense):`), the calls that run the
    /// base's `__init__` for it: `super().__init__(...)` in the subclass's own `__init__` (none when it never calls it),
    /// or the subclass's constructions when it writes no `__init__`. Nil for any other use, or a subclass whose
    /// constructions cannot all be seen.
    func subclassInitializerCalls(_ use: Node) -> [CallSite]? {
        guard let list = use.parent, list.type == "argument_list", let definition = list.parent, definition.type == "class_definition",
              definition.child(byField: "superclasses") == list, list.namedChildren.contains(use),
              let subclass = classes.first(where: { $0.node == definition }) else { return nil }
        if let own = initializer(of: subclass), isInside(own.node, subclass.node) {
            return calls(named: "__init__", inside: own.node).filter { call in
                guard let receiver = call.receiver.map(unwrapped), receiver.type == "call" else { return false }
                return callSite(receiver).callee == "super"
            }
        }
        // No `__init__` of its own: the base's runs for each construction, and every use of the subclass must be one.
        let uses = identifiersByName[subclass.name] ?? []
        let constructions = calls(named: subclass.name).filter { constructs($0, subclass.name) }
        let named = uses.filter { u in
            guard let parent = u.parent else { return true }
            return !(parent.type == "class_definition" && parent.child(byField: "name") == u)
        }
        return named.count == constructions.count ? constructions : nil
    }

    /// For a function named as an entry of a module-level table (`backends = dict(svd=zp_svd, ns5=zp_ns5)`, or a
    /// literal `{"ns5": zp_ns5}`), the calls that may run it: every read of the table picks an entry by a key and is
    /// called at once (`backends[k](g)`) or set to a local that is only called (`run = backends[k]`, then `run(g,
    /// regrouped=...)`). Nil when the use is no such entry or the table is read or written any other way.
    func tableCalls(of use: Node) -> [CallSite]? {
        guard let parent = use.parent, var table = parent.parent else { return nil }
        if parent.type == "keyword_argument", parent.child(byField: "value") == use {
            // `dict(name=function)`: the call's argument list, then the call.
            guard table.type == "argument_list", let call = table.parent, call.type == "call", callSite(call).callee == "dict" else { return nil }
            table = call
        } else if !(parent.type == "pair" && parent.child(byField: "value") == use && table.type == "dictionary") {
            return nil
        }
        guard let assignment = table.parent, assignment.type == "assignment", assignment.child(byField: "right") == table,
              enclosingFunction(assignment) == nil, let name = assignment.child(byField: "left"), name.type == "identifier" else { return nil }
        var sites: [CallSite] = []
        for read in identifiersByName[name.text] ?? [] where read != name {
            guard let lookup = read.parent, lookup.type == "subscript", lookup.child(byField: "value") == read,
                  let holder = lookup.parent else { return nil }
            if holder.type == "call", holder.child(byField: "function") == lookup {
                sites.append(callSite(holder))
                continue
            }
            guard holder.type == "assignment", holder.child(byField: "right") == lookup, let local = holder.child(byField: "left"),
                  local.type == "identifier", let scope = enclosingFunction(holder) else { return nil }
            for use in descendants(of: scope.node) where use.type == "identifier" && use.text == local.text && use != local {
                guard let call = use.parent, call.type == "call", call.child(byField: "function") == use else { return nil }
                sites.append(callSite(call))
            }
        }
        return sites
    }

    /// Whether a name is bound around its use by something other than module-level code: a loop or comprehension
    /// variable, a lambda's or the enclosing function's parameter, or an assignment inside the enclosing function.
    func isLocallyBound(_ n: Node, countingParameters: Bool = true) -> Bool {
        if isBoundInInnerScope(n) { return true }
        guard let function = enclosingFunction(n) else { return false }
        if countingParameters, function.parameters.contains(n.text) { return true }
        if isReassigned(n.text, in: function) { return true }
        // A name a nested function captures from an enclosing one (its parameter or local) is that function's.
        return capturingFunction(of: n, from: function).map { countingParameters || isReassigned(n.text, in: $0) } ?? false
    }

    /// The function enclosing `function` whose parameter or local a read of `n` in `function` captures: the nearest
    /// outer function (not across a class) that takes or assigns the name. Nil when none does.
    func capturingFunction(of n: Node, from function: Function) -> Function? {
        var current = function
        while let outer = outerFunction(of: current) {
            if outer.parameters.contains(n.text) || isReassigned(n.text, in: outer) { return outer }
            current = outer
        }
        return nil
    }

    /// Whether a name is bound by a loop, a comprehension or a lambda around the read.
    private func isBoundInInnerScope(_ n: Node) -> Bool {
        let name = n.text
        if enclosingLoops(n).contains(where: { loopVariables($0).contains(name) }) { return true }
        var ancestor = n.parent
        while let node = ancestor {
            switch node.type {
            case "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
                for clause in node.namedChildren where clause.type == "for_in_clause" {
                    if let left = clause.child(byField: "left"), descendants(of: left).contains(where: { $0.type == "identifier" && $0.text == name }) { return true }
                }
            case "lambda":
                if let parameters = node.child(byField: "parameters"),
                   descendants(of: parameters).contains(where: { $0.type == "identifier" && $0.text == name }) { return true }
            default:
                break
            }
            ancestor = node.parent
        }
        return false
    }

    /// A setting that binds a plain name inside a function that does not declare it `global`.
    /// (A function with functions nested in it is left alone: a closure may read the local as its switch.)
    private func isFunctionLocal(_ setting: Setting) -> Bool {
        guard setting.source == .localAssignment, !setting.written.contains("."), !setting.written.contains("["),
              let function = enclosingFunction(setting.site) else { return false }
        return !descendants(of: function.node).contains { node in
            (node.type == "function_definition" && node != function.node) || node.type == "lambda"
                || (node.type == "global_statement" && node.namedChildren.contains { $0.text == setting.name })
        }
    }

    /// What a read of a local sees in straight-line code (see `straightLineRead`).
    private enum LocalRead {
        /// The value of the last assignment before the read.
        case assigned(Node)
        /// A value the last assignment gives it without an expression of its own (`major, minor =
        /// torch.cuda.get_device_capability()`, see `TargetHardware`).
        case decided(SwitchValue)
        /// No assignment yet: the parameter of that name, if there is one.
        case notYetAssigned
    }

    /// For a name a function binds only by plain assignments that are statements of its body itself (not inside an
    /// `if`, a loop, a `with` or a `try`), what the read sees. Nil when the name is bound any other way.
    private func straightLineRead(_ n: Node, in function: Function) -> LocalRead? {
        guard let body = function.body else { return nil }
        // A `global` or `nonlocal` name is shared: any call between the assignment and the read may change it.
        let shared = descendants(of: function.node).contains { node in
            ["global_statement", "nonlocal_statement"].contains(node.type) && node.namedChildren.contains { $0.text == n.text }
        }
        if shared { return nil }
        let own = dataflow.bindings(of: n.text, at: n).filter { binding in
            if case .parameter = binding.kind { return false }
            return true
        }
        var latest: NameBinding?
        var unpacked: (site: Node, part: Double)?
        for binding in own {
            // `major, minor = torch.cuda.get_device_capability()` as a statement of the body: the machine's pair.
            if binding.site.type == "assignment", let left = binding.site.child(byField: "left"),
               ["pattern_list", "tuple_pattern"].contains(left.type), let right = binding.site.child(byField: "right"),
               TargetHardware.isCapability(right, self), binding.site.parent?.parent == body,
               let index = left.namedChildren.firstIndex(where: { $0.type == "identifier" && $0.text == n.text }),
               let part = TargetHardware.capabilityPart(index) {
                if binding.site.endByte <= n.startByte, unpacked.map({ $0.site.startByte < binding.site.startByte }) ?? true {
                    unpacked = (binding.site, part)
                }
                continue
            }
            // `name = value` as a statement of the body: the site's statement hangs from the body block.
            guard binding.kind == .value, binding.site.type == "assignment",
                  binding.site.child(byField: "left")?.type == "identifier",
                  binding.site.parent?.type == "expression_statement", binding.site.parent?.parent == body else { return nil }
            if binding.site.endByte <= n.startByte, latest.map({ $0.site.startByte < binding.site.startByte }) ?? true { latest = binding }
        }
        if let unpacked, latest.map({ $0.site.startByte < unpacked.site.startByte }) ?? true { return .decided(.number(unpacked.part)) }
        return latest.map { .assigned($0.node) } ?? .notYetAssigned
    }

    /// Whether a function assigns to one of its names (then a parameter of that name no longer holds what was passed).
    func isReassigned(_ name: String, in function: Function) -> Bool {
        let body = function.node.byteRange
        for other in identifiersByName[name] ?? [] where body.contains(other.startByte) {
            guard let parent = other.parent else { continue }
            switch parent.type {
            case "assignment", "augmented_assignment", "for_statement", "named_expression":
                if parent.child(byField: "left") == other || parent.child(byField: "name") == other { return true }
            case "pattern_list", "tuple_pattern", "list_pattern", "as_pattern_target", "global_statement", "nonlocal_statement":
                // `global name` makes the module's name the function's; treated as local too (it is written here).
                return true
            default:
                continue
            }
        }
        return false
    }
}
