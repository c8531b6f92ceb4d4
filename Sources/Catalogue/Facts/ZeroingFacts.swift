import Parsing
import TreeSitterKit

/// Tensors set to zero, in the spellings training scripts use at init.
extension PythonFacts {
    /// The tensor a call sets to zero: the receiver of `w.zero_()`, `w.fill_(0)`, `w.mul_(0)`,
    /// `w.copy_(torch.zeros_like(w))`; the first argument of `nn.init.zeros_(w)`, `nn.init.constant_(w, 0)`.
    public func zeroedTensor(_ call: CallSite) -> Node? {
        switch call.name {
        case "zeros_":
            return call.positional.first
        case "constant_":
            return call.argument("val", position: 1).flatMap { value(of: $0) }?.double == 0 ? call.positional.first : nil
        default:
            break
        }
        guard let receiver = call.receiver else { return nil }
        switch call.name {
        case "zero_":
            return receiver
        case "fill_", "mul_":
            return call.positional.first.flatMap { value(of: $0) }?.double == 0 ? receiver : nil
        case "copy_":
            return call.positional.first.map(isZeroTensor) == true ? receiver : nil
        default:
            return nil
        }
    }

    /// A tensor of zeros made fresh: `torch.zeros(...)`, `torch.zeros_like(x)`, `torch.full(shape, 0)`,
    /// `torch.full_like(x, 0.0)`, `x.new_zeros(...)`.
    public func isZeroTensor(_ node: Node) -> Bool {
        let node = unparenthesized(node)
        guard node.type == "call" else { return false }
        let call = callSite(node)
        switch call.callee {
        case "torch.zeros", "torch.zeros_like":
            return true
        case "torch.full", "torch.full_like":
            return call.argument("fill_value", position: 1).flatMap { value(of: $0) }?.double == 0
        default:
            return call.name == "new_zeros" && call.receiver != nil
        }
    }

    /// Whether a construction of a linear class of the file leaves its weight at zero because the class's
    /// `__init__` (its own or a base class's) applies an init function given as a parameter to the weight
    /// (`init_method(self.weight)`, `(init_method or nn.init.xavier_uniform_)(self.weight)`) and the construction
    /// passes a zeroing function for it (`RowParallelLinear(h, h, init_method=zeros_init_)`), or its default is one.
    public func zeroesWeightWhenBuilt(_ construction: CallSite) -> Bool {
        // The class's `__init__`, its own or inherited from a base class of the file.
        guard let owner = boundClass(named: construction.callee), let initializer = initializer(of: owner) else { return false }
        let parameters = initializer.parameters
        for call in calls where isInside(call.node, initializer.node) {
            guard let weight = call.positional.first, weight.text.hasPrefix("self.weight"),
                  let function = call.function.map(unparenthesized) else { continue }
            let names = function.type == "boolean_operator"
                ? [function.child(byField: "left"), function.child(byField: "right")].compactMap { $0 } : [function]
            for name in names where name.type == "identifier" {
                guard let index = parameters.firstIndex(of: name.text) else { continue }
                let offset = parameters.first == "self" ? 1 : 0
                let passed = construction.argument(name.text, position: index - offset)
                if let passed, isZeroingFunction(passed) { return true }
                if passed == nil, let value = parameterDefault(initializer, name.text), isZeroingFunction(value) { return true }
            }
        }
        return false
    }

    /// A function that zeroes the tensor it is given: `nn.init.zeros_`, a function of the file or a lambda whose
    /// body zeroes its first parameter.
    public func isZeroingFunction(_ node: Node) -> Bool {
        let n = unparenthesized(node)
        switch n.type {
        case "identifier", "attribute":
            if imports.qualifiedName(of: n) == "torch.nn.init.zeros_" { return true }
            guard n.type == "identifier", let f = functions.first(where: { $0.name == n.text }), let p = f.parameters.first else { return false }
            return descendants(of: f.node).contains { $0.type == "call" && zeroedTensor(callSite($0))?.text == p }
        case "lambda":
            guard let p = n.child(byField: "parameters")?.namedChildren.first?.text, let body = n.child(byField: "body") else { return false }
            return descendants(of: body).contains { $0.type == "call" && zeroedTensor(callSite($0))?.text == p }
        default:
            return false
        }
    }

    /// Whether a construction is wrapped by a helper of the file that zeroes the weight of what it is given and hands
    /// it back: `def zeroed(m): m.weight.data.zero_(); return m` called as `zeroed(nn.Linear(d, V))`, possibly
    /// several wrappers deep. `node` is the wrapped expression (the value assigned to a module attribute, or a layer
    /// of an `nn.Sequential`).
    public func wrapperZeroesWeight(_ node: Node) -> Bool {
        var current = unparenthesized(node)
        while let inner = passedThrough(current) {
            if let name = current.child(byField: "function")?.text, let helper = functions.first(where: { $0.name == name }),
               let parameter = helper.parameters.first, zeroesWeight(of: parameter, inside: helper) {
                return true
            }
            current = unparenthesized(inner)
        }
        return false
    }

    /// Whether a function zeroes the weight of the module named `parameter` (`nn.init.zeros_(m.weight)`,
    /// `m.weight.data.zero_()`).
    private func zeroesWeight(of parameter: String, inside helper: Function) -> Bool {
        calls.contains { zeroing in
            guard isInside(zeroing.node, helper.node), let tensor = zeroedTensor(zeroing) else { return false }
            let (owner, isWeight) = weightOwner(tensor)
            return isWeight && owner?.type == "identifier" && owner?.text == parameter
        }
    }

    /// The module of `module.weight`, through `.data` and `.detach()` around the weight. `isWeight` tells whether
    /// the expression is a weight (or a bare name, which may hold one).
    public func weightOwner(_ node: Node) -> (module: Node?, isWeight: Bool) {
        var current = unparenthesized(node)
        while true {
            if current.type == "attribute", current.child(byField: "attribute")?.text == "data", let o = current.child(byField: "object") {
                current = o
                continue
            }
            if current.type == "call", let f = current.child(byField: "function"), f.type == "attribute",
               f.child(byField: "attribute")?.text == "detach", let o = f.child(byField: "object") {
                current = o
                continue
            }
            break
        }
        if current.type == "attribute", current.child(byField: "attribute")?.text == "weight" {
            return (current.child(byField: "object"), true)
        }
        return (nil, current.type == "identifier")
    }
}
