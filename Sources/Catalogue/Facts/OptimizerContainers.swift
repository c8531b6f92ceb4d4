import TreeSitterKit

/// Classes that hold optimizers and step them together (`class OptimizerList: def step(self): for opt in
/// self.optimizers: opt.step()`, OLMo's and Composer's lists, a `MultiOptimizer`): their `step` reaches the held
/// optimizers' steps (a Muon's orthogonalization among them) but updates nothing itself, so the class is no optimizer;
/// the optimizers it holds are, each with its own parameters and rates.
extension PythonFacts {
    /// Whether a class's own `step` does nothing but call `step` on other objects (never on itself or through `super()`,
    /// which a subclass of an optimizer does to run its base's update).
    func delegatesStep(_ c: Class) -> Bool {
        memoized("delegatesStep/\(c.node.startByte)") {
            guard let step = ownMethod("step", of: c) else { return false }
            let inner = calls.filter { isInside($0.node, step.node) }
            guard !inner.isEmpty else { return false }
            return inner.allSatisfy { call in
                guard call.name == "step", let receiver = call.receiver.map(unwrapped) else { return false }
                if receiver.type == "identifier", receiver.text == (step.receiver ?? "self") { return false }
                return !(receiver.type == "call" && callSite(receiver).callee == "super")
            }
        }
    }

    /// Whether an optimizer's `step` runs its base class's update (`return super().step(closure)`, also
    /// `torch.optim.AdamW.step(self, closure)`), adding something before or after it (a decoupled decay of its own, a
    /// write of the groups' rates): the subclass is still the library optimizer it extends.
    func runsBaseStep(_ step: Function) -> Bool {
        calls.contains { call in
            guard call.name == "step", isInside(call.node, step.node), let receiver = call.receiver.map(unwrapped) else { return false }
            if receiver.type == "call" { return callSite(receiver).callee == "super" }
            return call.positional.first.map { unwrapped($0).text == (step.receiver ?? "self") } == true
                && receiver.text.hasPrefix("torch.optim.")
        }
    }
}
