import TreeSitterKit

/// Schedules that are methods of an object the file builds, handed the step as any of their arguments: OLMo's
/// `group["lr"] = self.scheduler.get_lr(group["initial_lr"], self.global_step, self.max_steps)`, the scheduler made by a
/// factory of the file (`build_scheduler(cfg)` choosing `WarmupStableDecay(...)`) and held in a trainer's field.
///
/// The step is the argument the training loop drives: the variable of a `for ... in range(...)` loop around the
/// write, or a field the loop sets to its variable or counts up (`self.global_step = step`, see `isStepField`); else
/// the first argument, as for any schedule function. A base rate handed in ahead of the step that the file does not
/// fix (`group["initial_lr"]`, a parameter named like a rate) is taken as 1: the curve is then the multiplier every
/// group's own rate follows.
extension PythonFacts {
    /// One use per construction the receiver may hold whose class has the method; empty when the call is no method
    /// call on an object the file builds.
    func objectMethodScheduleUses(_ call: CallSite, site: Node) -> [ScheduleUse] {
        guard call.receiver != nil, !call.hasSplat else { return [] }
        var uses: [ScheduleUse] = []
        for (construction, method) in objectCalls(call) {
            let parameters = method.passedParameters
            guard !parameters.isEmpty, call.positional.count <= parameters.count else { continue }
            let stepIndex = call.positional.firstIndex(where: { drivesStep($0, at: site) }) ?? 0
            var use = ScheduleUse(function: method, lambda: nil, site: site)
            for (index, argument) in call.positional.enumerated() where index != stepIndex {
                let parameter = parameters[index]
                if index < stepIndex, Self.rateParameterNames.contains(parameter) || parameter.hasSuffix("_lr"), value(of: argument) == nil {
                    use.unitParameters.insert(parameter)
                } else {
                    use.bound[parameter] = argument
                }
            }
            for (name, argument) in call.keywords where use.bound[name] == nil { use.bound[name] = argument }
            use.stepParameter = parameters[stepIndex]  // in range: no more positional arguments than parameters
            use.object = construction
            uses.append(use)
        }
        return uses
    }

    /// Whether an argument is the step of the training loop: a `range` loop variable around `site`, or a field the
    /// file's loop drives (`self.global_step`, see `isStepField`).
    private func drivesStep(_ argument: Node, at site: Node) -> Bool {
        let a = unwrapped(argument)
        if a.type == "identifier" {
            return enclosingLoops(site).contains { isRangeLoop($0) && $0.child(byField: "left")?.text == a.text }
        }
        guard a.type == "attribute", let field = a.child(byField: "attribute")?.text else { return false }
        return isStepField(field)
    }
}
