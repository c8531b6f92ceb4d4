import TreeSitterKit

/// Form (e) of `long_short_sliding_window`: each layer is given its window, read from a table of windows by a
/// per-layer key, and uses it as its attention window.
extension LongShortSlidingWindow {
    /// A function or layer constructor whose parameter becomes an attention window (`window_size=` of a kernel call,
    /// also through an attribute the constructor sets from it, `self.window_size = (span - 1, 0)`, or an argument of a
    /// mask constructor), called with that parameter read from a table of two or more windows of different finite
    /// sizes by a per-layer key: `Attention(cfg, spans[kind]) for kind in cfg.layer_pattern` with `spans = {"L":
    /// cfg.window, "S": cfg.window // 2}` (see `windowSizes`, `isPerLayerKey`). A table of sizes that never reaches an
    /// attention window (layer widths), windows all equal, or a global entry (`None`, `-1`) are not it.
    func perLayerWindowTables(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        // The calls a window can reach: an argument named like a window, or a mask constructor (few in any file).
        let windowCalls = facts.calls.filter { call in
            call.keywords.keys.contains { $0.lowercased().contains("window") } || Self.maskCalls.contains(call.name)
        }
        guard !windowCalls.isEmpty else { return [] }
        for function in facts.functions {
            let scope = function.name == "__init__" ? facts.enclosingClass(function.node)?.node ?? function.node : function.node
            let reachable = windowCalls.filter { facts.isInside($0.node, scope) }
            guard !reachable.isEmpty else { continue }
            for (offset, parameter) in function.passedParameters.enumerated() {
                guard becomesWindow(parameter, in: function, calls: reachable, facts) else { continue }
                let index = offset + (function.parameters.count - function.passedParameters.count)
                for site in flow.callSites(of: function.node) {
                    guard let argument = flow.argument(site, name: parameter, index: index).map(facts.unwrapped),
                          argument.type == "subscript", let table = argument.child(byField: "value"),
                          let key = argument.child(byField: "subscript"), isPerLayerKey(key, entries: [], facts) else { continue }
                    let sizes = Set(windowSizes(table, facts, depth: 0))
                    guard sizes.count >= 2, sizes.allSatisfy({ $0.isFinite && $0 > 0 }) else { continue }
                    return [facts.evidence(argument, "each layer gets its attention window from a table of \(sizes.count) windows by `\(key.text)`")]
                }
            }
        }
        return []
    }

    /// Whether `parameter` of `function` ends up as an attention window in one of `calls` (those inside the function,
    /// or inside the class whose `__init__` it is): an argument named like a window (`window_size=`, `window=`) or of a mask constructor, whose
    /// value mentions the parameter or an attribute of `self` that `function` sets from it.
    private func becomesWindow(_ parameter: String, in function: PythonFacts.Function, calls: [CallSite], _ facts: PythonFacts) -> Bool {
        var carriers: Set<String> = []
        for assignment in facts.descendants(of: function.node) where assignment.type == "assignment" {
            guard let left = assignment.child(byField: "left"), left.type == "attribute", left.text.hasPrefix("self."),
                  let right = assignment.child(byField: "right"), facts.mentions(right, parameter) else { continue }
            carriers.insert(left.text)
        }
        func carries(_ value: Node) -> Bool {
            facts.isInside(value, function.node) && facts.mentions(value, parameter)
                || ([value] + facts.descendants(of: value)).contains { $0.type == "attribute" && carriers.contains($0.text) }
        }
        for call in calls {
            if call.keywords.contains(where: { key, value in key.lowercased().contains("window") && carries(value) }) { return true }
            if Self.maskCalls.contains(call.name), (call.positional + Array(call.keywords.values)).contains(where: carries) { return true }
        }
        return false
    }
}
