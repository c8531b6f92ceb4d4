import Parsing
import TreeSitterKit

/// Init hooks applied to every module (`self.apply(self._init_weights)`), which draw weights again after
/// whatever a constructor set them to.
extension PythonFacts {
    static let randomInits: Set<String> = [
        "normal_", "uniform_", "trunc_normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
        "orthogonal_",
    ]

    /// Whether a weight set in a constructor by `site` is drawn again afterwards by an init hook that redraws
    /// every linear layer: `self.apply(hook)` later in the same `__init__`, or in the `__init__` of a class that
    /// builds this one (directly or through other classes of the file), whose submodules exist before its hook
    /// runs. A hook that tests anything but the module's type (a flag, a name) may spare the weight: not counted.
    public func isRedrawnByInitHook(_ site: Node) -> Bool {
        guard let constructor = enclosingFunction(site), constructor.name == "__init__",
              let owner = enclosingClass(constructor.node) else { return false }
        return redrawingHooks.contains { hook in
            hook.constructor.node == constructor.node ? hook.call.startByte > site.endByte : builds(hook.owner, owner)
        }
    }

    /// `self.apply(hook)` calls in constructors whose hook redraws every linear layer, found once per file (every
    /// zeroing asks).
    var redrawingHooks: [(call: Node, constructor: Function, owner: Class)] {
        memoized("redrawingHooks") {
            calls.compactMap { call in
                guard call.name == "apply", call.receiver?.text == "self", let constructor = enclosingFunction(call.node),
                      constructor.name == "__init__", let owner = enclosingClass(constructor.node),
                      let hook = call.positional.first.flatMap({ hookFunction($0, in: owner) }), redrawsEveryLinear(hook)
                else { return nil }
                return (call.node, constructor, owner)
            }
        }
    }

    /// `self._init_weights` (a method of the class) or the name of a function of the file.
    func hookFunction(_ reference: Node, in owner: Class) -> Function? {
        let reference = unwrapped(reference)
        if reference.type == "attribute", reference.child(byField: "object")?.text == "self", let name = reference.child(byField: "attribute")?.text {
            return function(named: name).first(where: { enclosingClass($0.node)?.node == owner.node })
        }
        if reference.type == "identifier" { return function(named: reference.text).first }
        return nil
    }

    /// A hook that draws the weight of every linear module it is given at random: a random init of
    /// `module.weight` guarded by nothing but `isinstance(module, nn.Linear)`, and no zeroing.
    func redrawsEveryLinear(_ hook: Function) -> Bool {
        guard let module = hook.parameters.last(where: { $0 != "self" }) else { return false }
        let inside = descendants(of: hook.node)
        var redraws = false
        for n in inside where n.type == "call" {
            let call = callSite(n)
            if ["zero_", "zeros_", "constant_", "fill_"].contains(call.name) { return false }
            guard Self.randomInits.contains(call.name) else { continue }
            let target = call.receiver.flatMap { $0.type == "attribute" ? $0 : nil } ?? call.positional.first
            guard let target, compact(target) == "\(module).weight" || compact(target) == "\(module).weight.data" else { continue }
            let conditions = ancestors(of: n).prefix { $0 != hook.node }.filter { $0.type == "if_statement" || $0.type == "elif_clause" }
            let onlyType = conditions.allSatisfy { condition in
                guard let test = condition.child(byField: "condition").map(unparenthesized), test.type == "call",
                      callSite(test).callee == "isinstance", let kinds = callSite(test).positional.dropFirst().first else { return false }
                return kinds.text.contains("Linear")
            }
            if onlyType { redraws = true }
        }
        return redraws
    }

    /// Flag attributes a condition of an init hook tests on the module it is given (`module` names the hook's
    /// parameter): `getattr(m, "flag", False)`, `hasattr(m, "flag")`, `m.flag` (not `m.weight`), each with the
    /// expression testing it, so that a reader can tell a negated test (`not getattr(m, "flag", False)`) from one that
    /// selects the flagged modules.
    public func testedFlagAttributes(_ condition: Node, module: String) -> [(name: String, test: Node)] {
        var found: [(name: String, test: Node)] = []
        for n in descendants(of: condition) {
            if n.type == "call" {
                let call = callSite(n)
                if ["getattr", "hasattr"].contains(call.callee), call.positional.count >= 2, call.positional[0].text == module,
                   let flag = SettingsTable.stringValue(call.positional[1]) {
                    found.append((name: flag, test: n))
                }
            } else if n.type == "attribute", n.child(byField: "object")?.text == module, n.parent?.type != "call",
                      let flag = n.child(byField: "attribute")?.text, flag != "weight" {
                found.append((name: flag, test: n))
            }
        }
        return found
    }

    /// The modules the file marks for an init hook by setting a flag attribute on them to a true value
    /// (`self.lm_head._zero_init = True`, `self.c_proj.RESIDUAL_OUT = 1`), outside a branch the configuration never
    /// takes: the module's bare name (`lm_head`, see `ownerName`) and the assignment, for each flag of `flags`.
    public func modulesFlagged(_ flags: Set<String>) -> [(name: String, site: Node)] {
        guard !flags.isEmpty else { return [] }
        return nodes(ofType: "assignment").compactMap { node in
            guard let left = node.child(byField: "left"), left.type == "attribute", let object = left.child(byField: "object"),
                  let flag = left.child(byField: "attribute")?.text, flags.contains(flag),
                  let right = node.child(byField: "right"), isTruthy(right), !isInDeadBranch(node),
                  let name = ownerName(of: object) else { return nil }
            return (name: name, site: node)
        }
    }

    /// Whether class `outer` builds class `inner`: its body names it, or names a class of the file that does.
    func builds(_ outer: Class, _ inner: Class) -> Bool {
        var seen: Set<String> = [outer.name]
        var work = [outer]
        while let current = work.popLast() {
            let named = Set(descendants(of: current.node).filter { $0.type == "identifier" }.map(\.text))
            if named.contains(inner.name) { return true }
            for other in classes where named.contains(other.name) && seen.insert(other.name).inserted { work.append(other) }
        }
        return false
    }
}
