import TreeSitterKit

/// Hyperparameters changed after an optimizer is built: `for g in opt.param_groups: g["betas"] = (0.8, 0.95)`,
/// `opt.param_groups[0]["lr"] = 0.05`, the same over a list of optimizers (`for o in [opt1, opt2]: for g in
/// o.param_groups: ...`), and groups added with `opt.add_param_group(dict(params=..., lr=0.3))`. An agent that
/// leaves the construction alone and re-tunes the optimizer afterwards writes it this way.
///
/// Only values that are constants of the file count (`g["lr"] = base * schedule(step)` is a schedule, read by
/// `ScheduleFacts`).
public struct OptimizerPatches {
    /// Entries set on every group (a loop over `param_groups`), or on group 0 of an optimizer built over one
    /// iterable of parameters (`Adam(model.parameters(), ...)`).
    public var everyGroup: [String: [Node]] = [:]
    /// Entries set on one group by index, when the optimizer may have several.
    public var oneGroup: [String: [Node]] = [:]
    /// Groups added with `add_param_group`.
    public var addedGroups: [Node] = []
}

extension PythonFacts {
    /// One write into an optimizer's groups, before it is matched to a construction.
    private struct GroupWrite {
        /// How the optimizer is named where it is patched (`opt`, `self.opt`).
        let owner: String
        /// The statement or call that patches it.
        let site: Node
        /// `nil`: every group; otherwise the index written; `-1`: a group added.
        let group: Int?
        let key: String?
        let value: Node
    }

    /// The patches of the optimizer a use builds: writes through the name its construction is assigned to, made
    /// after it and while that name still holds it (the same binding: `latestValue` before the patch is the
    /// construction; an attribute of `self` is matched by name).
    public func patches(of use: OptimizerUse) -> OptimizerPatches {
        guard let assignment = use.call.node.parent, assignment.type == "assignment",
              assignment.child(byField: "right") == use.call.node,
              let left = assignment.child(byField: "left"), left.type == "identifier" || left.type == "attribute" else { return OptimizerPatches() }
        var result = OptimizerPatches()
        let single = buildsOneGroup(use)
        for write in optimizerGroupWrites where write.owner == left.text && write.site.startByte > use.call.node.endByte {
            if left.type == "identifier", latestValue(of: left.text, before: write.site).map(unwrapped) != use.call.node { continue }
            switch write.group {
            case .some(-1): result.addedGroups.append(write.value)
            case nil: result.everyGroup[write.key!, default: []].append(write.value)
            case .some(0) where single: result.everyGroup[write.key!, default: []].append(write.value)
            default: result.oneGroup[write.key!, default: []].append(write.value)
            }
        }
        return result
    }

    /// Whether an optimizer is built over one iterable of parameters (`model.parameters()`, a list of tensors), so
    /// that its group 0 is its only group.
    private func buildsOneGroup(_ use: OptimizerUse) -> Bool {
        guard use.groups.isEmpty, let params = use.call.argument("params", position: 0).map(unwrapped) else { return false }
        if params.type == "call" { return ["parameters", "named_parameters"].contains(callSite(params).name) }
        guard params.type == "list" || params.type == "list_comprehension" else { return false }
        return !params.namedChildren.contains { $0.type == "dictionary" || ($0.type == "call" && callSite($0).callee == "dict") }
    }

    private var optimizerGroupWrites: [GroupWrite] {
        memoized("optimizerGroupWrites") {
            var result: [GroupWrite] = []
            for call in calls where call.name == "add_param_group" {
                guard let receiver = call.receiver, let group = call.positional.first.map(unwrapped),
                      group.type == "dictionary" || group.type == "call" else { continue }
                result.append(GroupWrite(owner: receiver.text, site: call.node, group: -1, key: nil, value: group))
            }
            for assignment in nodes(ofType: "assignment") {
                guard let left = assignment.child(byField: "left"), left.type == "subscript",
                      let key = left.child(byField: "subscript").flatMap({ SettingsTable.stringValue($0) }),
                      let right = assignment.child(byField: "right"), isConstant(right),
                      let group = left.child(byField: "value").map(unwrapped) else { continue }
                if group.type == "subscript", let groups = group.child(byField: "value"), groups.type == "attribute",
                   groups.child(byField: "attribute")?.text == "param_groups", let owner = groups.child(byField: "object"),
                   let index = group.child(byField: "subscript").flatMap({ value(of: $0)?.double.asBoundedInt }), index >= 0 {
                    // opt.param_groups[0]["lr"] = 0.05
                    result.append(GroupWrite(owner: owner.text, site: assignment, group: index, key: key, value: right))
                } else if group.type == "identifier" {
                    // for g in opt.param_groups: g["betas"] = ...
                    for owner in loopedOptimizers(group.text, around: assignment) {
                        result.append(GroupWrite(owner: owner, site: assignment, group: nil, key: key, value: right))
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
