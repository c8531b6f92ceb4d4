import TreeSitterKit

/// Configuration objects followed to where they are built, so that a field read through nested objects reads the
/// value that particular object holds: `oc.embed.lr` with `oc = self.optim_cfg`, `self.optim_cfg` given an
/// `OptimizerSettings()` whose `embed` field defaults to `field(default_factory=lambda: GroupSpec(lr=0.3))` reads
/// 0.3, not every `lr` the file sets.
extension PythonFacts {
    /// The expressions a name-like expression may stand for, followed to where they are set: a local to its latest
    /// value, a parameter to what its callers pass and its default, a module name set once to that value,
    /// a module name set several times by straight-line module code to its latest value, a module moved in place
    /// (`model.cuda()`, `model.to(device)`, `torch.compile(model)`) to that module,
    /// `self.<name>` to what the class's methods assign to it (also from a tuple, `self.lo, self.hi = lo, hi`), a
    /// field of an object to what the objects it may be hold for it (see `fieldExpression`), and `getattr(obj, "name",
    /// default)` to the field, or to the default when the object holds none. Anything else (a call,
    /// a literal, a class name, a dotted name of an imported module such as `torch.bfloat16`) is its own origin.
    /// Empty when a step cannot be followed.
    public func origins(of node: Node) -> [Node] {
        var seen = Set<Node>()
        return origins(of: node, depth: 0, seen: &seen)
    }

    /// The constructions of classes of the file (`Cfg(...)` calls, or a class named as a dataclass field's
    /// `default_factory`, built with no arguments) among an expression's origins.
    public func constructions(of node: Node) -> [Node] {
        origins(of: node).filter { origin in
            if origin.type == "call" { return boundClass(named: callSite(origin).callee) != nil }
            return origin.type == "identifier" && boundClass(named: origin.text) != nil
        }
    }

    /// Each expression is followed once (`seen`), at most 12 hops from the read.
    private func origins(of node: Node, depth: Int, seen: inout Set<Node>) -> [Node] {
        let e = unwrapped(node)
        guard depth < 12, seen.insert(e).inserted else { return [] }
        switch e.type {
        case "identifier":
            if let function = parameterOwner(of: e) {
                var found = callerArguments(of: e).flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
                if let fallback = parameterDefault(function, e.text) { found += origins(of: fallback, depth: depth + 1, seen: &seen) }
                return found
            }
            if enclosingFunction(e) != nil, let value = latestValue(of: e.text, before: e) {
                return origins(of: value, depth: depth + 1, seen: &seen)
            }
            if boundClass(named: e.text) != nil { return [e] }
            // A module name set once (`CFG = TrainConfig(...)`).
            let values = moduleAssignments.flatMap { assignedNames($0) }.filter { $0.name == e.text }
            // Set several times by the module's straight-line code (`model = GPT(cfg)`, then `model =
            // prepare(model.cuda())`): a read outside loops holds the latest value before it.
            if values.count > 1, enclosingFunction(e) == nil, enclosingLoops(e).isEmpty, let value = latestValue(of: e.text, before: e) {
                return origins(of: value, depth: depth + 1, seen: &seen)
            }
            guard values.count == 1, let value = values[0].value else { return [] }
            return origins(of: value, depth: depth + 1, seen: &seen)
        case "attribute":
            guard let object = e.child(byField: "object"), let name = e.child(byField: "attribute")?.text else { return [] }
            if object.text == "self", let owner = enclosingClass(e) {
                // What the class's methods assign to `self.<name>`.
                let values = descendants(of: owner.node).filter { $0.type == "assignment" }.flatMap { selfAssignments($0) }
                    .filter { $0.name == name }.compactMap(\.value)
                return values.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
            }
            let holders = constructions(of: object)
            if holders.isEmpty { return imports.qualifiedName(of: e) != nil ? [e] : [] }
            return holders.compactMap { fieldExpression($0, name) }.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
        case "call":
            let call = callSite(e)
            // A module moved or switched in place is the same object (`model.cuda()`, `model.to(device)`,
            // `model.train()`), and `torch.compile(model)` reads its fields through to it.
            if Self.sameObjectMethods.contains(call.name), let receiver = call.receiver, !call.hasSplat {
                return origins(of: receiver, depth: depth + 1, seen: &seen)
            }
            if call.callee == "torch.compile", let compiled = call.argument("model", position: 0) {
                return origins(of: compiled, depth: depth + 1, seen: &seen)
            }
            // `getattr(obj, "name", default)`: the field as the object holds it, else the default.
            guard call.callee == "getattr", call.positional.count >= 2, let name = SettingsTable.stringValue(call.positional[1]) else { return [e] }
            let object = unwrapped(call.positional[0])
            var held: [Node] = []
            if object.text == "self", let owner = enclosingClass(e) {
                held = descendants(of: owner.node).filter { $0.type == "assignment" }.flatMap { selfAssignments($0) }
                    .filter { $0.name == name }.compactMap(\.value)
            } else {
                let holders = constructions(of: object)
                let fields = holders.compactMap { fieldExpression($0, name) }
                if !holders.isEmpty, fields.count == holders.count { held = fields }
            }
            if held.isEmpty, call.positional.count >= 3 { held = [call.positional[2]] }
            return held.flatMap { origins(of: $0, depth: depth + 1, seen: &seen) }
        default:
            return [e]
        }
    }

    /// Methods that hand back the module they are called on.
    static let sameObjectMethods: Set<String> = ["cuda", "cpu", "to", "train", "eval", "requires_grad_"]

    /// The attributes of `self` an assignment sets, each with its value (nil when unpacked from one value):
    /// `self.x = v`, `self.lo, self.hi = lo, hi`.
    func selfAssignments(_ assignment: Node) -> [(name: String, value: Node?)] {
        guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right") else { return [] }
        func attribute(_ target: Node) -> String? {
            target.type == "attribute" && target.child(byField: "object")?.text == "self" ? target.child(byField: "attribute")?.text : nil
        }
        if let name = attribute(left) { return [(name, right)] }
        guard ["pattern_list", "tuple_pattern"].contains(left.type) else { return [] }
        let targets = left.namedChildren
        let values = ["expression_list", "tuple"].contains(right.type) ? right.namedChildren : []
        return targets.enumerated().compactMap { index, target in
            attribute(target).map { ($0, values.count == targets.count ? values[index] : nil) }
        }
    }

    /// The expression a construction gives its field `name`: the argument passed for it (by keyword, or by position
    /// in the order of a dataclass's fields or of `__init__`'s parameters), else the class's default for it (a
    /// `default_factory` lambda's body, `field(default=...)`'s value, or the field's own default). Nil when the class
    /// has no such field.
    public func fieldExpression(_ construction: Node, _ name: String) -> Node? {
        // A class named as a default factory stands for an instance built with no arguments.
        let call: CallSite? = construction.type == "call" ? callSite(construction) : nil
        guard call?.hasSplat != true, let owner = boundClass(named: call?.callee ?? construction.text) else { return nil }
        if let initializer = initializer(of: owner) {
            // `self.<name> = <parameter>` in `__init__`: what the construction passes for that parameter.
            let parameters = Array(initializer.parameters.dropFirst())
            for a in descendants(of: initializer.node) where a.type == "assignment" {
                for (field, assigned) in selfAssignments(a) where field == name {
                    guard let value = assigned.map(unwrapped), value.type == "identifier",
                          let index = parameters.firstIndex(of: value.text) else { return assigned }
                    return call?.argument(value.text, position: index) ?? parameterDefault(initializer, value.text)
                }
            }
            return nil
        }
        // Annotated class-body fields, in order (a dataclass, a NamedTuple).
        let fields = (owner.body?.namedChildren ?? []).compactMap { statement -> Node? in
            guard statement.type == "expression_statement", let a = statement.namedChildren.first, a.type == "assignment",
                  a.child(byField: "type") != nil, a.child(byField: "left")?.type == "identifier" else { return nil }
            return a
        }
        guard let index = fields.firstIndex(where: { $0.child(byField: "left")?.text == name }) else { return nil }
        if let argument = call?.argument(name, position: index) { return argument }
        guard let fallback = fields[index].child(byField: "right").map(unwrapped) else { return nil }
        if fallback.type == "call", callSite(fallback).name == "field", callSite(fallback).keywords["default"] == nil,
           callSite(fallback).keywords["default_factory"] == nil { return nil }
        return unwrappedFieldDefault(fallback)
    }

    /// The value a dataclass field's default stands for: `field(default=v)` is `v`, `field(default_factory=lambda: e)`
    /// is `e`, `field(default_factory=Cls)` is `Cls` (an instance built with no arguments); anything else is itself.
    public func unwrappedFieldDefault(_ value: Node) -> Node {
        let value = unwrapped(value)
        guard value.type == "call", callSite(value).name == "field" else { return value }
        let options = callSite(value)
        if let fallback = options.keywords["default"] { return fallback }
        guard let factory = options.keywords["default_factory"].map(unwrapped) else { return value }
        return factory.type == "lambda" ? factory.child(byField: "body") ?? factory : factory
    }
}
