import Parsing
import TreeSitterKit

/// Fields of record objects read off something other than `self`: `args.ve` in a module whose `forward` takes
/// `args: AttnArgs`, with `AttnArgs` a dataclass the model builds per layer (`AttnArgs(ve=ve[i], ...)`).
extension PythonFacts {
    /// What the file's constructions of the classes an object may be an instance of (by the data flow or by its
    /// annotation, see `DeclaredTypes.swift`) give the field read: the argument each passes for it, or the class's
    /// default (see `fieldExpression`). Empty for a read on `self`, or on an object of no class of the file.
    public func constructedFieldValues(_ read: Node) -> [Node] {
        guard read.type == "attribute", let object = read.child(byField: "object").map(unwrapped), object.text != "self",
              let field = read.child(byField: "attribute")?.text else { return [] }
        let owners = dataflow.instanceClasses(of: object).sorted().compactMap(boundClass(named:))
        guard !owners.isEmpty else { return [] }
        var values: [Node] = []
        for owner in owners {
            for construction in constructions(of: owner) {
                if let value = fieldExpression(construction.node, field), !values.contains(value) { values.append(value) }
            }
        }
        return values
    }

    /// The calls of the file that build a class: by its name, or `cls(...)` in one of its class methods.
    public func constructions(of owner: Class) -> [CallSite] {
        let index = memoized("constructionsByClass") { () -> [Node: [CallSite]] in
            var table: [Node: [CallSite]] = [:]
            for call in calls {
                if let built = boundClass(named: call.callee) ?? classBuiltByCls(call.node) { table[built.node, default: []].append(call) }
            }
            return table
        }
        return index[owner.node] ?? []
    }
}
