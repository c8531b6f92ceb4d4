import TreeSitterKit

/// Self-checks: module-level functions a script runs to test its own pieces on toy inputs before training
/// (`def _check_shapes(): cfg = GPTConfig(vocab_size=48, n_embd=32); assert GPT(cfg)(idx)[0].shape == ...`). What they
/// build configures nothing that trains, so where a value is looked up among several places (the keywords of every
/// construction of a config class, the arguments every caller passes), a place inside a self-check gives way to the
/// others.
///
/// A self-check is a function of the module (not a method, not nested) whose own body asserts something, that returns
/// no value, declares no `global` or `nonlocal`, and from which no training step can be reached: no call of
/// `backward` or of an optimizer's `step` in it or in the functions it calls (four calls deep). The function that
/// trains (`main()` running the loop, even one that asserts its settings) is never one.
extension PythonFacts {
    /// The definitions of the file's self-check functions.
    public var selfChecks: Set<Node> {
        // What the search reads (calls, the functions they reach) may read the settings, which leave out the places in
        // self-checks: while it runs, there are none.
        memoized("selfChecks", provisional: Set<Node>()) {
            var result: Set<Node> = []
            for function in functions where enclosingClass(function.node) == nil && enclosingFunction(function.node.parent ?? function.node) == nil {
                let own = descendants(of: function.node).filter { node in
                    enclosingFunction(node)?.node == function.node
                }
                guard own.contains(where: { $0.type == "assert_statement" }),
                      !own.contains(where: { ["global_statement", "nonlocal_statement", "yield"].contains($0.type) }),
                      !own.contains(where: { $0.type == "return_statement" && $0.namedChildren.first != nil }) else { continue }
                let trains = reachableFunctions(from: function, depth: 4).contains { reached in
                    descendants(of: reached.node).contains { node in
                        node.type == "call" && ["backward", "step"].contains(callSite(node).name)
                    }
                }
                if !trains { result.insert(function.node) }
            }
            return result
        }
    }

    /// The settings of the file without those a self-check makes (`GPTConfig(vocab_size=48)` building a toy model)
    /// where the name is also set outside self-checks.
    func withoutSelfCheckSettings(_ table: SettingsTable) -> SettingsTable {
        guard !selfChecks.isEmpty else { return table }
        return table.filtered { name, settings in outsideSelfChecks(settings, at: \.site) }
    }

    /// Whether a node lies in a self-check function (see `selfChecks`).
    public func isInSelfCheck(_ node: Node) -> Bool {
        let checks = selfChecks
        guard !checks.isEmpty else { return false }
        return ancestors(of: node).contains { checks.contains($0) }
    }

    /// Places a value is looked up among, without those inside self-checks when some lie outside them.
    func outsideSelfChecks<T>(_ places: [T], at site: (T) -> Node) -> [T] {
        guard !selfChecks.isEmpty else { return places }
        let kept = places.filter { !isInSelfCheck(site($0)) }
        return kept.isEmpty ? places : kept
    }
}
