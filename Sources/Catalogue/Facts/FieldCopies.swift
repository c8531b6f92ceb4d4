import TreeSitterKit

/// Copies of configuration objects with some fields changed: a NamedTuple's `hp._replace(betas=b)`,
/// `dataclasses.replace(hp, lr=0.1)` (and Python 3.13's `copy.replace`), attrs' `attrs.evolve(hp, lr=0.1)`, pydantic's
/// `hp.model_copy(update={"lr": 0.1})`. A field read on such a copy (`embed_hp.lr` after `embed_hp =
/// cfg.embed._replace(betas=...)`) holds the changed value when the copy names the field, else what the copied object
/// holds for it; never every setting of that field's name in the file.
extension PythonFacts {
    /// A copy made by one of the calls above: the expression copied and the fields it changes. Nil for any other call,
    /// and for a copy whose changes cannot all be read (`replace(hp, **changes)`, an `update=` that is no dictionary
    /// written out), which may change any field.
    public struct FieldCopy {
        public let copied: Node
        public let changes: [String: Node]
    }

    /// Callees taking the object first and its changes as keywords.
    static let keywordCopyFunctions: Set<String> = ["dataclasses.replace", "copy.replace", "attrs.evolve", "attr.evolve"]

    public func fieldCopy(_ node: Node) -> FieldCopy? {
        let e = unwrapped(node)
        guard e.type == "call" else { return nil }
        let call = callSite(e)
        guard !call.hasSplat else { return nil }
        if Self.keywordCopyFunctions.contains(call.callee), call.positional.count == 1 {
            return FieldCopy(copied: call.positional[0], changes: call.keywords)
        }
        guard let receiver = call.receiver, call.positional.isEmpty else { return nil }
        if call.name == "_replace" { return FieldCopy(copied: receiver, changes: call.keywords) }
        // pydantic: `model_copy(update={...})` (v2), `copy(update={...})` (v1); without `update` an unchanged copy.
        if call.name == "model_copy" || (call.name == "copy" && call.keywords["update"] != nil) {
            guard call.keywords.keys.allSatisfy({ $0 == "update" || $0 == "deep" }) else { return nil }
            guard let update = call.keywords["update"] else { return FieldCopy(copied: receiver, changes: [:]) }
            let written = unwrapped(update)
            guard written.type == "dictionary" else { return nil }
            var changes: [String: Node] = [:]
            for item in written.namedChildren where item.type != "comment" {
                guard item.type == "pair", let key = item.child(byField: "key").flatMap(SettingsTable.stringValue),
                      let value = item.child(byField: "value") else { return nil }
                changes[key] = value
            }
            return FieldCopy(copied: receiver, changes: changes)
        }
        return nil
    }

    /// For a field read `obj.name` whose object comes only from copies (see `fieldCopy`), the expressions that field
    /// holds: the changed value where a copy names it, else the field as the copied object holds it (followed through
    /// further copies, and through the objects the file builds, see `fieldExpression`). Nil when the read is no such
    /// field read, or when the field of some copied object cannot be found.
    public func copiedField(_ read: Node) -> [Node]? {
        guard hasFieldCopies, read.type == "attribute", let object = read.child(byField: "object"), object.text != "self",
              let name = read.child(byField: "attribute")?.text else { return nil }
        return copiedField(name, of: object, depth: 0)
    }

    /// Whether the file makes any copy with changes (so that a file without one pays nothing for reading them).
    var hasFieldCopies: Bool {
        memoized("hasFieldCopies") { calls.contains { fieldCopy($0.node) != nil } }
    }

    private func copiedField(_ name: String, of object: Node, depth: Int) -> [Node]? {
        guard depth < 8 else { return nil }
        let sources = unwrapped(object).type == "call" ? [unwrapped(object)] : origins(of: object)
        let copies = sources.compactMap(fieldCopy)
        guard !copies.isEmpty, copies.count == sources.count else { return nil }
        var found: [Node] = []
        for copy in copies {
            if let changed = copy.changes[name] { found.append(changed); continue }
            if let further = copiedField(name, of: copy.copied, depth: depth + 1) { found += further; continue }
            let holders = constructions(of: copy.copied)
            let fields = holders.compactMap { fieldExpression($0, name) }
            guard !holders.isEmpty, fields.count == holders.count else { return nil }
            found += fields
        }
        return found
    }
}
