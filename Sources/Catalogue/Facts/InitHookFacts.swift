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
            return functions.first { $0.name == name && enclosingClass($0.node)?.node == owner.node }
        }
        if reference.type == "identifier" { return functions.first { $0.name == reference.text } }
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
