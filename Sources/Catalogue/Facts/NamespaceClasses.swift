import TreeSitterKit

/// Classes used as namespaces of static functions and held by a module name that the run may rebind: `OPS =
/// EagerOps` at module level, then `global OPS; OPS = select_ops(args.ops)` in `main()`, where `select_ops` returns
/// either `EagerOps` or a class a factory builds (`make_fused_ops(ext)` returning its nested `FusedOps`). A call
/// `OPS.unit_rms(x)` runs the method of that name of whichever class the name holds.
extension PythonFacts {
    /// The classes of the file a module name may hold when it is read (every value written to it at module level or
    /// by a function declaring it `global`, each followed through calls of the file's functions to what they return),
    /// nil when some value is not such a class or the name is bound locally where it is read.
    public func namespaceClasses(of receiver: Node) -> [Class]? {
        let receiver = unwrapped(receiver)
        guard receiver.type == "identifier", receiver.text != "self", !isLocallyBound(receiver) else { return nil }
        // Asked for every method call the norm and call-target readings meet: once per module name.
        return memoized("namespaceClasses/\(receiver.text)") { () -> [Class]? in
            guard let values = globalWrites(of: receiver.text), !values.isEmpty else { return nil }
            var found: [Class] = []
            for value in values {
                guard let classes = classesDenoted(by: value, depth: 0), !classes.isEmpty else { return nil }
                for c in classes where !found.contains(where: { $0.node == c.node }) { found.append(c) }
            }
            return found
        }
    }

    /// The methods named as the call names of the classes its receiver may hold (see `namespaceClasses`), one per
    /// class; empty unless every class has one.
    public func namespaceMethods(of call: CallSite) -> [Function] {
        guard let receiver = call.receiver, let classes = namespaceClasses(of: receiver) else { return [] }
        let methods = classes.compactMap { method(call.name, of: $0) }
        return methods.count == classes.count ? methods : []
    }

    /// The values written to a module name: its module-level assignments, and the assignments of functions that
    /// declare it `global`; nil when one of them unpacks its value (`OPS, ext = pick()`), which names no single value.
    func globalWrites(of name: String) -> [Node]? {
        let module = moduleBindings(of: name)
        guard module.allSatisfy({ $0.value != nil }) else { return nil }
        var values = module.compactMap(\.value)
        for declaration in nodes(ofType: "global_statement")
        where declaration.namedChildren.contains(where: { $0.type == "identifier" && $0.text == name }) {
            guard let function = enclosingFunction(declaration) else { continue }
            for assignment in descendants(of: function.node) where assignment.type == "assignment" {
                guard enclosingFunction(assignment)?.node == function.node else { continue }
                for bound in assignedNames(assignment) where bound.name == name {
                    guard let value = bound.value else { return nil }
                    values.append(value)
                }
            }
        }
        return values
    }

    /// The classes of the file an expression names: a class's name (a nested class in the function it stands in), or a
    /// call of a function of the file whose every return names classes.
    private func classesDenoted(by value: Node, depth: Int) -> [Class]? {
        let v = unwrapped(value)
        guard depth < 4 else { return nil }
        switch v.type {
        case "identifier":
            let scope = enclosingFunction(v)?.node
            if let local = classes.last(where: { $0.name == v.text && enclosingFunction($0.node)?.node == scope }) { return [local] }
            return boundClass(named: v.text).map { [$0] }
        case "call":
            let call = callSite(v)
            guard let function = calledFunction(call) else { return nil }
            let returned = returnedValues(function)
            guard !returned.isEmpty else { return nil }
            var found: [Class] = []
            for r in returned {
                guard let classes = classesDenoted(by: r, depth: depth + 1) else { return nil }
                found += classes
            }
            return found
        default:
            return nil
        }
    }
}
