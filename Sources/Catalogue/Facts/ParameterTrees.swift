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
    static let functionalGradientCalls: Set<String> = [
        "torch.autograd.grad", "torch.func.grad", "torch.func.grad_and_value", "torch.func.vjp", "torch.func.functional_call",
        "torch.nn.utils.stateless.functional_call", "functorch.grad", "functorch.grad_and_value",
    ]

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
}
