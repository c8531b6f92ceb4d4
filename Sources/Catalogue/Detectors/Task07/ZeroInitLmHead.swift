import Parsing
import TreeSitterKit

/// `zero_init_lm_head`: the untied output head starts at all zeros.
///
/// Requires an untied output head (see `untied_lm_head`) whose weight is zeroed at init: an in-place zeroing of
/// its weight (`.zero_()`, `.fill_(0)`, `.mul_(0)`, `nn.init.zeros_`, `nn.init.constant_(w, 0)`, through `.data` /
/// `.detach()`; also a parametrization registered on the head whose `right_inverse` returns zeros, see
/// `PythonFacts.zeroedTensor`), a helper that zeroes the weight of the module it wraps and returns it (`zeroed(nn.Linear(d, V))`), a parameter (or a functional model's weight matrix) created with `torch.zeros`, also
/// through a helper of the file that hands back a zero matrix for the call's mode (`readout = lin(V, d, zero=True)`, see
/// `PythonFacts.zeroCreation`), an init hook that zeroes a module's weight under a test
/// that names the head (`module is self.head`, `"lm_head" in name`) or a flag attribute the file sets on the head
/// (`if getattr(module, "_zero_init", False): module.weight.zero_()` with `self.lm_head._zero_init = True`), a helper of the file that zeroes the weight of the
/// module it is handed, called on the head as a statement (`zero_init_(self.to_logits)`, possibly under a flag that
/// holds), a rule table applied in a loop over
/// `named_parameters()` whose zeroing row selects the head's weight (`for rx, fn in rules: if rx.search(name): fn(p)` with
/// a row `(r"^lm_head\.weight$", "zeros")`), or a linear class that zeroes its own weight
/// (unconditionally, under a flag the head's construction sets, or through a zeroing init function it is given:
/// `ColumnParallelLinear(h, V, init_method=zeros_init_)`); the test naming the head may be an `elif` after other
/// tests (`if isinstance(m, MLP): ... elif m is self.lm_head: nn.init.zeros_(m.weight)`). Rejects zeroing only the
/// head's bias, zeroing other projections, zeroing in the `else` branch of a head test or under a negated one
/// (`m is not self.lm_head`, `not getattr(m, "_zero_init", False)`), a flag set False or only on other modules, zeroing a head tied to the embedding, and zeroing that an init hook applied afterwards to
/// every linear layer draws again (`self.apply(self._init_weights)`). Examples: `queries/python/zero_init_lm_head/examples/`.
struct ZeroInitLmHead: Detector {
    let id = "zero_init_lm_head"
    /// Calls that may zero a tensor (see `PythonFacts.zeroedTensor`), a parametrization registered with a zeroing
    /// `right_inverse` included.
    static let zeroingMethods: Set<String> = ["zero_", "zeros_", "fill_", "constant_", "mul_", "copy_", "register_parametrization"]

    /// Whether a call may zero a tensor: a zeroing method, or a call of a function, lambda or table entry of the file
    /// that may zero what it is handed (`INITS[spec["head"]["init"]](w)`, see `PythonFacts.zeroingCallTarget`).
    static func mayZero(_ call: CallSite) -> Bool {
        zeroingMethods.contains(call.name) || (call.receiver == nil && !call.positional.isEmpty)
    }

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        guard !model.embeddingNames.isEmpty else { return [] }
        for head in model.untiedHeads {
            if let site = zeroing(of: head.name, facts, model) {
                return [facts.evidence(site, "output head \(head.name) initialized to zero")]
            }
        }
        return []
    }

    /// Where the head's weight is set to zero.
    func zeroing(of head: String, _ facts: PythonFacts, _ model: ModelView) -> Node? {
        // Created as zeros: self.unembed = nn.Parameter(torch.zeros(V, d)).
        for setting in facts.allSettings.settings(head) where setting.source != .parameterDefault {
            if let call = facts.constructorCall(setting.value), call.torchCallee == "torch.nn.Parameter",
               let inner = call.positional.first, facts.isZeroTensor(inner) {
                return setting.site
            }
            // Built by a helper that zeroes the weight of the module it wraps: `self.head = zeroed(nn.Linear(d, V))`.
            if facts.wrapperZeroesWeight(setting.value), !facts.isRedrawnByInitHook(setting.site) { return setting.site }
            // A functional model's output matrix: `unembed = torch.zeros(d, V)`, `{"w_out": torch.zeros(d, V)}`.
            if let call = facts.constructorCall(facts.unparenthesized(setting.value)), call.callee == "torch.zeros", call.positional.count == 2 {
                return setting.site
            }
            // Made by a helper of the file that hands back a zero matrix for this call's mode (`lin(V, d, zero=True)`
            // with `if zero: return nn.Parameter(w.zero_())`), or zeroed in place where made (see `PythonFacts.zeroCreation`).
            if let made = facts.zeroCreation(setting.value), made.positional.count == 2 { return setting.site }
        }
        // A rule table's zeroing action whose row selects the head's weight (`(r"^lm_head\.weight$", "zeros")`, see
        // `PythonFacts.ruleTableZeroedNames`).
        for zeroing in facts.ruleTableZeroings where zeroing.names.contains(where: { $0 == "\(head).weight" || $0.hasSuffix(".\(head).weight") }) {
            if !facts.isRedrawnByInitHook(zeroing.call.node) { return zeroing.call.node }
        }
        // A helper of the file handed the head to zero its weight, as a statement or not (`zero_init_(self.to_logits)`,
        // see `PythonFacts.moduleWeightZeroed`); the head itself, not its weight or bias.
        for call in facts.calls where !call.positional.isEmpty || !call.keywords.isEmpty {
            let arguments = call.positional + Array(call.keywords.values)
            guard arguments.contains(where: { isModule(of: head, $0, facts) }), let module = facts.moduleWeightZeroed(by: call),
                  isModule(of: head, module, facts), !facts.isRedrawnByInitHook(call.node) else { continue }
            return call.node
        }
        for call in facts.calls where Self.mayZero(call) {
            // Zeroed, then drawn again by an init hook applied to every module: not zero at the start.
            guard let target = facts.zeroedTensor(call), !facts.isRedrawnByInitHook(call.node) else { continue }
            // The weight itself (never the bias).
            if isWeight(of: head, target, facts) { return call.node }
            // An init hook or a loop over named parameters: the zeroed tensor is chosen by a test naming the head, one
            // that holds where the zeroing runs (an `if` or `elif` whose block holds it, see `holdingConditions`; not
            // the `if` of an `elif`/`else` branch).
            if isWeightLike(target), facts.holdingConditions(call.node).contains(where: { mentionsHead(head, $0, facts) }) {
                return call.node
            }
            // An init hook that zeroes the weight of the modules marked with a flag attribute, the head among them
            // (`if getattr(module, "_zero_init", False): module.weight.zero_()` with `self.lm_head._zero_init = True`).
            if isWeightLike(target), flaggedForZeroing(head, call: call, target: target, facts) { return call.node }
        }
        // A linear class given a zeroing init function for the head (`ColumnParallelLinear(h, V, init_method=zeros)`).
        if let constructor = facts.moduleConstructor(head), facts.zeroesWeightWhenBuilt(constructor) { return constructor.node }
        // A linear class that zeroes its own weight, constructed for the head (with the flag it tests, if any).
        if let constructor = facts.moduleConstructor(head), let c = facts.boundClass(named: constructor.callee) {
            for call in facts.calls where Self.mayZero(call) && facts.isInside(call.node, c.node) {
                guard let target = facts.zeroedTensor(call), facts.ownerName(of: target) == nil || target.text.hasPrefix("self.weight") else { continue }
                let flags = facts.ancestors(of: call.node).filter { $0.type == "if_statement" && facts.isInside($0, c.node) }
                    .compactMap { $0.child(byField: "condition") }
                if flags.isEmpty { return call.node }
                if flags.allSatisfy({ flag in
                    guard flag.type == "identifier" || flag.type == "attribute", let name = SettingsTable.bareName(of: flag),
                          let value = constructor.keywords[name] else { return false }
                    return facts.isTruthy(value)
                }) { return constructor.node }
            }
        }
        return nil
    }

    /// Whether a zeroing in an init hook selects its module by a flag attribute the file sets to a true value on the
    /// head: the zeroed tensor is the weight of the hook's module parameter, a condition holding where the zeroing runs
    /// tests a flag on that parameter, not negated (`getattr(m, "_zero_init", False)`, `hasattr(m, "ZERO")`, `m.zero`;
    /// see `PythonFacts.testedFlagAttributes`), and the head is marked with that flag (`self.lm_head._zero_init = True`,
    /// see `PythonFacts.modulesFlagged`). A flag set False, or set only on other modules, selects no head.
    func flaggedForZeroing(_ head: String, call: CallSite, target: Node, _ facts: PythonFacts) -> Bool {
        guard let module = facts.weightOwner(target).module, module.type == "identifier",
              let function = facts.enclosingFunction(call.node), function.parameters.contains(module.text) else { return false }
        var flags = Set<String>()
        for condition in facts.holdingConditions(call.node) {
            for tested in facts.testedFlagAttributes(condition, module: module.text) where !isNegated(tested.test, within: condition, facts) {
                flags.insert(tested.name)
            }
        }
        return facts.modulesFlagged(flags).contains { $0.name == head }
    }

    /// `self.lm_head.weight`, `lm_head.weight.data`, `self.unembed` (a raw parameter), never `.bias`.
    func isWeight(of head: String, _ target: Node, _ facts: PythonFacts) -> Bool {
        guard isWeightLike(target), facts.ownerName(of: target) == head else { return false }
        return true
    }

    /// `self.lm_head`, `lm_head`, `self.model.lm_head`: the head module itself, never its weight or bias (read by
    /// `bareName`, unlike `ownerName`, which sees through `.weight`).
    func isModule(of head: String, _ node: Node, _ facts: PythonFacts) -> Bool {
        let n = facts.unwrapped(node)
        guard n.type == "identifier" || n.type == "attribute" else { return false }
        return SettingsTable.bareName(of: n) == head
    }

    /// Whether an expression is not a bias (`m.bias`, `head.bias.data`).
    func isWeightLike(_ target: Node) -> Bool {
        var current = target
        while true {
            if current.type == "attribute", let attribute = current.child(byField: "attribute")?.text {
                if attribute == "bias" { return false }
                if attribute == "weight" { return true }
                guard let object = current.child(byField: "object") else { return true }
                current = object
            } else if current.type == "call", let function = current.child(byField: "function"), function.type == "attribute",
                      let object = function.child(byField: "object") {
                current = object
            } else {
                return true
            }
        }
    }

    /// Whether a condition names the head: `module is self.head`, `m == self.lm_head`, `"lm_head" in name`; not a
    /// negated test (`module is not self.lm_head`, `"lm_head" not in name`, `not (m is self.head)`), which selects
    /// the other modules.
    func mentionsHead(_ head: String, _ condition: Node, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: condition).contains { n in
            guard !isNegated(n, within: condition, facts) else { return false }
            if n.type == "attribute" || n.type == "identifier", SettingsTable.bareName(of: n) == head,
               !(n.parent?.type == "attribute" && n.parent?.child(byField: "object") == n) {
                return n.parent?.type == "comparison_operator"
            }
            if n.type == "string", let s = SettingsTable.stringValue(n), !s.isEmpty, s != "weight" { return head.contains(s) || s.contains(head) }
            return false
        }
    }

    /// Whether a node of a condition sits under a `not` or in a negative comparison (`is not`, `!=`, `not in`).
    func isNegated(_ node: Node, within condition: Node, _ facts: PythonFacts) -> Bool {
        for a in [node] + facts.ancestors(of: node) {
            if a.type == "not_operator" { return true }
            if a.type == "comparison_operator" {
                let operators = a.children.filter { !$0.isNamed }.map(\.type).joined(separator: " ")
                if operators.contains("not") || operators.contains("!=") { return true }
            }
            if a == condition { break }
        }
        return false
    }
}
