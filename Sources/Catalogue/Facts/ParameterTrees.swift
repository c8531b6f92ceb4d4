import TreeSitterKit

/// Functional models keep their weights in plain dictionaries (`params["blocks"][i]["attn"]["qkv"]`) instead of
/// `nn.Module` attributes: an entry's string key names the weight as an attribute name does. The settings table
/// already records a dictionary literal's entries and `tree["key"] = ...` writes as settings of the key (see
/// `SettingsCollector`); these facts read those settings as a parameter tree's weights.
extension PythonFacts {
    /// The tensors a parameter-tree entry holds: the values of every setting of `key` (a dictionary literal's
    /// entry, `tree["key"] = ...`), each a tensor made in the file (see `isTreeTensor`) or a list, tuple or
    /// comprehension of such tensors (`"value_embeds": [torch.randn(V, d) for _ in range(6)]`). Nil when the key has
    /// no setting, or one that is anything else (a number, a nested dictionary, a module, an optimizer's state).
    public func parameterTreeValues(_ key: String) -> [Node]? {
        memoized("parameterTreeValues." + key) {
            let settings = allSettings.settings(key).filter { $0.source != .parameterDefault }
            guard !settings.isEmpty else { return nil }
            let values = settings.map { unwrapped($0.value) }
            return values.allSatisfy { isTreeTensor($0) } ? values : nil
        }
    }

    /// Whether a value makes the tensors of a parameter-tree entry: a weight tensor (a factory, scaled or cast, in
    /// a `.requires_grad_()` chain, or made by a helper of the file, see `isWeightTensor`), `torch.tensor([0.5,
    /// 0.5])`, or a list, tuple or comprehension whose every item is one.
    func isTreeTensor(_ value: Node) -> Bool {
        let n = unwrapped(value)
        switch n.type {
        case "list", "tuple":
            let items = n.namedChildren.filter { $0.type != "comment" }
            return !items.isEmpty && items.allSatisfy { isTreeTensor($0) }
        case "list_comprehension", "generator_expression":
            return n.child(byField: "body").map { isTreeTensor($0) } ?? false
        case "call", "binary_operator":
            if n.type == "call", constructorCall(n)?.callee == "torch.tensor" { return true }
            return isWeightTensor(n)
        default:
            return false
        }
    }

    /// The key of a read of a parameter-tree entry: `p["qkv"]`, `params["blocks"][i]["attn"]["wq"]` (a subscript
    /// with a string key whose settings are tensors, see `parameterTreeValues`). Nil for any other expression.
    public func parameterTreeEntry(_ node: Node) -> String? {
        let n = unparenthesized(node)
        guard n.type == "subscript", let key = SettingsTable.bareName(of: n), parameterTreeValues(key) != nil else { return nil }
        return key
    }

    /// Whether the file trains plain tensors, as a functional model does: it differentiates with
    /// `torch.autograd.grad` or a `torch.func` transform, calls a model functionally (`functional_call`), or turns
    /// gradients on for tensors (`.requires_grad_()`, `requires_grad=True`; not `requires_grad_(False)`).
    public var trainsPlainTensors: Bool {
        memoized("trainsPlainTensors") {
            calls.contains { call in
                if Self.functionalGradientCalls.contains(call.callee) { return true }
                if call.name == "requires_grad_" { return call.positional.first.map { isTruthy($0) } ?? true }
                return keywordArgument("requires_grad", of: call).map { isTruthy($0) } == true
            }
        }
    }

    /// Calls that differentiate a function of plain tensors or run a model on given weights.
    static let functionalGradientCalls: Set<String> = CallSite.gradientTransforms.union([
        "torch.autograd.grad", "torch.func.vjp", "torch.func.functional_call", "torch.nn.utils.stateless.functional_call",
    ])

    /// Whether an expression reads a learnable weight of a parameter tree: an entry of one (`p["v_lambdas"]`, see
    /// `parameterTreeEntry`) in a file that trains plain tensors (`trainsPlainTensors`), or whose every setting
    /// asks for gradients itself (`torch.tensor([0.5, 0.5], requires_grad=True)`, `.requires_grad_()`).
    public func isLearnableTreeEntry(_ node: Node) -> Bool {
        guard let key = parameterTreeEntry(node), let values = parameterTreeValues(key) else { return false }
        if trainsPlainTensors { return true }
        return values.allSatisfy { value in
            ([value] + descendants(of: value)).contains { n in
                guard n.type == "call" else { return false }
                let call = callSite(n)
                return call.name == "requires_grad_" || call.callee == "torch.nn.Parameter"
                    || keywordArgument("requires_grad", of: call).map { isTruthy($0) } == true
            }
        }
    }

    /// The dictionary entries a value becomes, each with its key and the dictionary: written as the entry (`{"embed":
    /// value}`, `dict(embed=value)`), an item of a list or comprehension that is the entry (`"value_embeds": [emb() for _
    /// in range(3)]`), or returned by a function of the file every call of which becomes one. Nil when the value (or
    /// a call of the function returning it) goes anywhere else.
    public func treeEntries(holding value: Node, depth: Int = 0) -> [(key: String, dictionary: Node)]? {
        guard depth < 4 else { return nil }
        var node = value
        while let parent = node.parent, parent.type == "parenthesized_expression" { node = parent }
        guard let parent = node.parent else { return nil }
        switch parent.type {
        case "pair":
            guard parent.child(byField: "value") == node, let key = parent.child(byField: "key").flatMap(SettingsTable.stringValue),
                  let dictionary = parent.parent else { return nil }
            return [(key, dictionary)]
        case "keyword_argument":
            guard parent.child(byField: "value") == node, let key = parent.child(byField: "name")?.text,
                  let made = parent.parent?.parent, made.type == "call", callSite(made).callee == "dict" else { return nil }
            return [(key, made)]
        case "list", "tuple":
            return treeEntries(holding: parent, depth: depth + 1)
        case "list_comprehension", "generator_expression":
            guard parent.child(byField: "body") == node else { return nil }
            return treeEntries(holding: parent, depth: depth + 1)
        case "return_statement":
            guard let function = enclosingFunction(parent) else { return nil }
            let uses = calls(named: function.name).filter { calledFunction($0)?.node == function.node }
            guard !uses.isEmpty else { return nil }
            var result: [(key: String, dictionary: Node)] = []
            for use in uses {
                guard let found = treeEntries(holding: use.node, depth: depth + 1) else { return nil }
                result += found
            }
            return result
        default:
            return nil
        }
    }
}
