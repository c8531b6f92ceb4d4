import TreeSitterKit

/// The calls that run a class's `__init__`, also through subclasses: a layer stack built only as a subclass that
/// inherits its constructor (`class Decoder(AttentionLayers): pass`, `Decoder(dim=512, depth=12)`), or one whose own
/// constructor hands on (`def __init__(self, **kwargs): super().__init__(causal=True, **kwargs)`).
extension PythonFacts {
    /// The calls that run `function`, an `__init__` of a class of the file, each with how many positional arguments
    /// it passes ahead of the parameters after `self` (1 for `Base.__init__(self, ...)`, else 0): constructions of the
    /// class (`Owner(...)`, `cls(...)` in its class methods), constructions of each subclass of the file that runs
    /// this `__init__` as its own (it defines none nearer in its method resolution order), and the calls in a
    /// subclass's own `__init__` that run it (`super().__init__(...)`, `super(Sub, self).__init__(...)`,
    /// `Owner.__init__(self, ...)`). Empty for a function that is no `__init__` of a class. In file order.
    public func initializerCalls(of function: Function) -> [(call: CallSite, leading: Int)] {
        guard function.name == "__init__", let owner = enclosingClass(function.node) else { return [] }
        return memoized("initializerCalls/\(function.node.startByte)") {
            var result: [(call: CallSite, leading: Int)] = []
            for c in classes where lineage(of: c).contains(where: { $0.node == owner.node }) {
                guard let resolved = initializer(of: c) else { continue }
                if resolved.node == function.node {
                    result += (calls(named: c.name) + calls(named: "cls")).filter { constructs($0, c.name) }.map { ($0, 0) }
                    continue
                }
                // The subclass's own `__init__`: its calls that run the next constructor in its order, or this one by name.
                guard c.node != owner.node, enclosingClass(resolved.node)?.node == c.node else { continue }
                for n in descendants(of: resolved.node) where n.type == "call" {
                    let call = callSite(n)
                    guard call.name == "__init__", let receiver = call.receiver.map(unwrapped) else { continue }
                    if receiver.type == "call", callSite(receiver).callee == "super" {
                        guard let next = lineage(of: c).dropFirst().first(where: { ownMethod("__init__", of: $0) != nil }),
                              next.node == owner.node else { continue }
                        result.append((call, 0))
                    } else if receiver.type == "identifier", baseClass(named: receiver.text, of: c)?.node == owner.node {
                        result.append((call, 1))
                    }
                }
            }
            return result.sorted { $0.call.node.startByte < $1.call.node.startByte }
        }
    }
}
