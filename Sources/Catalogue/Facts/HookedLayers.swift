import TreeSitterKit

/// Where a hook registered on the items of a module list runs: which layers, read from the loop and the tests around
/// the registration (see `hookedLayers`).
extension PythonFacts {
    /// The items of a module list a hook is registered on, read from the code that registers it: the container
    /// (its text, `blocks` / `model.transformer.h`) and the positions, in order. The receiver is an item of the
    /// container, `blocks[i]` / `blocks[n_enc + j]`, with an index the interpreter computes for each item of the `for`
    /// loop around the registration (`for i in range(self.n_enc)`; a constant index with no loop is one position),
    /// or the variable of a loop over the container itself, a slice of it, or `enumerate` of either (`for blk in
    /// blocks[n:]`, `for i, blk in enumerate(model.blocks)`; positions from `PythonFacts.itemCount`). An `if` between
    /// the loop and the registration keeps the items for which its test holds (its `else` those for which it fails;
    /// `if i < n: blk.register_forward_hook(push)`). A hook so registered runs as part of the forward of exactly those
    /// layers, whatever loop calls them. Nil for any other receiver, a loop or test the interpreter cannot compute,
    /// or a registration under an `elif`.
    public func hookedLayers(_ hook: ForwardHook) -> (container: String, layers: [Int])? {
        guard let receiver = hook.registration.receiver.map(unwrapped) else { return nil }
        let site = hook.registration.node
        let scope = enclosingFunction(site)?.node
        let interpreter = ScriptInterpreter(self)
        let loop = ancestors(of: site).prefix { $0 != scope }.first { $0.type == "for_statement" }
        // The tests between the loop (or the function) and the registration, with the branch the registration is in.
        var tests: [(condition: Node, holds: Bool)] = []
        var child = site
        for a in ancestors(of: site) {
            if a == loop || a == scope { break }
            if a.type == "if_statement", let condition = a.child(byField: "condition") {
                if let consequence = a.child(byField: "consequence"), isInside(child, consequence) {
                    tests.append((condition: condition, holds: true))
                } else if a.namedChildren.contains(where: { $0.type == "elif_clause" }) {
                    return nil
                } else {
                    tests.append((condition: condition, holds: false))
                }
            }
            child = a
        }
        func kept(_ env: [String: ScriptValue]) -> Bool? {
            for test in tests {
                guard let value = interpreter.value(of: test.condition, env: env) else { return nil }
                if value.truthy != test.holds { return false }
            }
            return true
        }
        if receiver.type == "subscript", let container = receiver.child(byField: "value"), let index = receiver.child(byField: "subscript"),
           index.type != "slice" {
            var layers: [Int] = []
            guard let loop else {
                guard tests.isEmpty, let k = interpreter.value(of: index, env: [:])?.number, k >= 0, k == k.rounded() else { return nil }
                return (container: compact(container), layers: [Int(k)])
            }
            guard let target = loop.child(byField: "left"), let iterable = loop.child(byField: "right"),
                  case .tuple(let items)? = interpreter.iteration(of: iterable), items.count <= 4096 else { return nil }
            for item in items {
                var env: [String: ScriptValue] = [:]
                guard interpreter.bind(target, item, &env), let keep = kept(env) else { return nil }
                guard keep else { continue }
                guard let k = interpreter.value(of: index, env: env)?.number, k >= 0, k == k.rounded(), k < 1e6 else { return nil }
                layers.append(Int(k))
            }
            return (container: compact(container), layers: layers)
        }
        // The loop's own variable: `for blk in blocks[a:b]`, `for i, blk in enumerate(blocks)`.
        guard receiver.type == "identifier", let loop, let target = loop.child(byField: "left"),
              var walked = loop.child(byField: "right").map(unwrapped) else { return nil }
        var counter: Node?
        var element = target
        if walked.type == "call", case let call = callSite(walked), call.callee == "enumerate", call.positional.count == 1,
           call.keywords.isEmpty, ["pattern_list", "tuple_pattern"].contains(target.type), target.namedChildren.count == 2 {
            counter = target.namedChildren[0]
            element = target.namedChildren[1]
            walked = unwrapped(call.positional[0])
        }
        guard element.type == "identifier", element.text == receiver.text else { return nil }
        var container = walked
        var slice: Node?
        if walked.type == "subscript", let value = walked.child(byField: "value"), let index = walked.child(byField: "subscript"),
           index.type == "slice" {
            container = value
            slice = index
        }
        guard ["identifier", "attribute"].contains(container.type), let count = itemCount(container), count <= 4096 else { return nil }
        var positions = (0..<count).map { ScriptValue.number(Double($0)) }
        if let slice {
            guard case .tuple(let sliced)? = interpreter.slice(positions, slice, [:], 0) else { return nil }
            positions = sliced
        }
        var layers: [Int] = []
        for (offset, position) in positions.enumerated() {
            var env: [String: ScriptValue] = [:]
            if let counter {
                guard counter.type == "identifier" else { return nil }
                env[counter.text] = .number(Double(offset))
            }
            guard let keep = kept(env) else { return nil }
            if keep, let k = position.number { layers.append(Int(k)) }
        }
        return (container: compact(container), layers: layers)
    }
}
