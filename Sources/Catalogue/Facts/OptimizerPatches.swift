import TreeSitterKit

/// Hyperparameters changed after an optimizer is built: `for g in opt.param_groups: g["betas"] = (0.8, 0.95)`,
/// `opt.param_groups[0]["lr"] = 0.05`, the same over a list of optimizers (`for o in [opt1, opt2]: for g in
/// o.param_groups: ...`), and groups added with `opt.add_param_group(dict(params=..., lr=0.3))`. An agent that
/// leaves the construction alone and re-tunes the optimizer afterwards writes it this way.
///
/// Only values that are constants of the file count (`g["lr"] = base * schedule(step)` is a schedule, read by
/// `ScheduleFacts`).
public struct OptimizerPatches {
    /// Entries set on every group (a loop over `param_groups`), or on group 0 of an optimizer built with one group.
    public var everyGroup: [String: [Node]] = [:]
    /// Entries set on one group by index, when the optimizer has several.
    public var oneGroup: [String: [Node]] = [:]
    /// Groups added with `add_param_group`.
    public var addedGroups: [Node] = []
}

extension PythonFacts {
    /// The patches of the optimizer a use builds, found by the name its construction is assigned to.
    public func patches(of use: OptimizerUse) -> OptimizerPatches {
        guard let assignment = use.call.node.parent, assignment.type == "assignment",
              assignment.child(byField: "right") == use.call.node,
              let left = assignment.child(byField: "left"), left.type == "identifier" || left.type == "attribute" else { return OptimizerPatches() }
        return optimizerPatchesByName[left.text] ?? OptimizerPatches()
    }

    private var optimizerPatchesByName: [String: OptimizerPatches] {
        memoized("optimizerPatchesByName") {
            var result: [String: OptimizerPatches] = [:]
            for call in calls where call.name == "add_param_group" {
                guard let receiver = call.receiver, let group = call.positional.first.map(unwrapped),
                      group.type == "dictionary" || group.type == "call" else { continue }
                result[receiver.text, default: OptimizerPatches()].addedGroups.append(group)
            }
            for assignment in nodes(ofType: "assignment") {
                guard let left = assignment.child(byField: "left"), left.type == "subscript",
                      let key = left.child(byField: "subscript").flatMap({ SettingsTable.stringValue($0) }),
                      let right = assignment.child(byField: "right"), isConstant(right),
                      let group = left.child(byField: "value").map(unwrapped) else { continue }
                if group.type == "subscript", let groups = group.child(byField: "value"), groups.type == "attribute",
                   groups.child(byField: "attribute")?.text == "param_groups", let owner = groups.child(byField: "object") {
                    // opt.param_groups[0]["lr"] = 0.05
                    result[owner.text, default: OptimizerPatches()].oneGroup[key, default: []].append(right)
                } else if group.type == "identifier" {
                    // for g in opt.param_groups: g["betas"] = ...
                    for owner in loopedOptimizers(group.text, around: assignment) {
                        result[owner, default: OptimizerPatches()].everyGroup[key, default: []].append(right)
                    }
                }
            }
            return result
        }
    }

    /// A number of the file, or a tuple or list of them (`(0.8, 0.95)`).
    private func isConstant(_ node: Node) -> Bool {
        let node = unwrapped(node)
        if node.type == "tuple" || node.type == "list" {
            let items = node.namedChildren.filter { $0.type != "comment" }
            return !items.isEmpty && items.allSatisfy { !values(of: $0).isEmpty }
        }
        return !values(of: node).isEmpty
    }

    /// The optimizer names whose `param_groups` a loop variable runs over: `for g in opt.param_groups`, or `for g in
    /// o.param_groups` inside `for o in (opt1, opt2)` / `for o in optimizers` with `optimizers = [opt1, opt2]`.
    private func loopedOptimizers(_ variable: String, around node: Node) -> [String] {
        for loop in enclosingLoops(node) where loopVariables(loop) == [variable] {
            guard let iterable = loop.child(byField: "right").map(unwrapped), iterable.type == "attribute",
                  iterable.child(byField: "attribute")?.text == "param_groups", let owner = iterable.child(byField: "object") else { continue }
            guard owner.type == "identifier" else { return [owner.text] }
            for outer in enclosingLoops(loop) where loopVariables(outer) == [owner.text] {
                guard var list = outer.child(byField: "right").map(unwrapped) else { continue }
                if list.type == "identifier", let value = latestValue(of: list.text, before: outer).map(unwrapped) { list = value }
                guard list.type == "list" || list.type == "tuple" else { continue }
                return list.namedChildren.filter { $0.type == "identifier" || $0.type == "attribute" }.map(\.text)
            }
            return [owner.text]
        }
        return []
    }
}
