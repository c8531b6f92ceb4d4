import SourceModel

/// Reading calls in a normalized tree (see `PythonNormalizer`): after normalization `x ** 2`, `x * x`,
/// `x.square()` and `torch.pow(x, 2)` are all `torch.square(x)`, every ReLU spelling is `torch.relu(x)`, and
/// `a @ b` is `torch.matmul(a, b)`, so detectors match one form.
extension SyntaxTree {
    /// The called name of a `call` node: a resolved dotted name (`torch.square`), a local name (`relu_sq`),
    /// or `.method` for a method called on a value (`.clamp_min` in `x.clamp_min(0)`).
    public func callee(_ node: Int) -> String? {
        guard kindName(node) == "call", let first = children(of: node).first.map(Int.init) else { return nil }
        switch kindName(first) {
        case "qualified_name", "identifier":
            return label[first]
        case "attribute":
            return children(of: first).last.map { "." + label[Int($0)] }
        default:
            return nil
        }
    }

    /// For a method call on a value (`x.clamp_min(0)`), the value's node.
    public func receiver(_ node: Int) -> Int? {
        guard kindName(node) == "call", let first = children(of: node).first.map(Int.init),
              kindName(first) == "attribute" else { return nil }
        return children(of: first).first.map(Int.init)
    }

    /// The argument nodes of a `call` node (keyword arguments included, as `keyword_argument` nodes).
    public func arguments(_ node: Int) -> [Int] {
        guard kindName(node) == "call", children(of: node).count > 1 else { return [] }
        let list = Int(children(of: node).dropFirst().first!)
        return kindName(list) == "argument_list" ? children(of: list).map(Int.init) : []
    }

    /// A keyword argument's value in a call, by name.
    public func keyword(_ name: String, of call: Int) -> Int? {
        for argument in arguments(call) where kindName(argument) == "keyword_argument" {
            let parts = children(of: argument).map(Int.init)
            if parts.count == 2, label[parts[0]] == name { return parts[1] }
        }
        return nil
    }

    /// All `call` nodes whose callee is one of `names`.
    public func calls(to names: Set<String>) -> [Int] {
        (0..<count).filter { kindName($0) == "call" && callee($0).map(names.contains) == true }
    }

    /// Whether the subtree at `node` contains a call to one of `names`.
    public func contains(callTo names: Set<String>, in node: Int) -> Bool {
        (node..<(node + Int(size[node]))).contains { kindName($0) == "call" && callee($0).map(names.contains) == true }
    }

    /// The numeric value of a literal leaf (constants are folded during normalization).
    public func number(_ node: Int) -> Double? {
        let kind = kindName(node)
        guard kind == "integer" || kind == "float" else {
            if kind == "unary_operator", label[node] == "-", let inner = children(of: node).first.map(Int.init) {
                return number(inner).map { -$0 }
            }
            return nil
        }
        return Double(label[node])
    }

    /// The nearest ancestor (or the node itself) with the given kind.
    public func ancestor(of node: Int, kind: String) -> Int? {
        var current: Int? = node
        while let c = current {
            if kindName(c) == kind { return c }
            current = parentOf(c)
        }
        return nil
    }
}
