import Parsing
import TreeSitterKit

/// Classes of the file that type annotations declare: what a name or a field holds when the data flow cannot say
/// (the value arrives through a chain of calls, or is built in a part of the program the file does not hold).
///
/// `def forward(self, x, ctx: Ctx)` declares `ctx` a `Ctx`; `class Ctx: rope: Rotary` (a dataclass, NamedTuple or any
/// annotated class-body name) declares `ctx.rope` a `Rotary`, as does `self.rope: Rotary = ...` in a method; a local
/// `rope: Rotary = pick()` declares `rope`. `Optional[C]`, `C | None` and `"C"` declare `C`.
extension PythonFacts {
    /// The classes of the file an annotation names (`C`, `Optional[C]`, `C | D`, `"C"`); library types are left out.
    /// `type[C]` (or `typing.Type[C]`) declares a class object, C or any subclass of it, not an instance of C: it
    /// names none (what the callers pass says which class it is).
    public func annotatedClasses(_ annotation: Node) -> [Class] {
        var found: [Class] = []
        let classObjects = ([annotation] + descendants(of: annotation)).filter(isClassObjectAnnotation)
        for n in [annotation] + descendants(of: annotation) where n.type == "identifier" || n.type == "string_content" {
            guard !classObjects.contains(where: { isInside(n, $0) }) else { continue }
            if let c = boundClass(named: n.text), !found.contains(where: { $0.node == c.node }) { found.append(c) }
        }
        return found
    }

    /// `type[C]` (a generic type) or `typing.Type[C]` / `Type[C]` (a subscript).
    private func isClassObjectAnnotation(_ node: Node) -> Bool {
        switch node.type {
        case "generic_type":
            guard let head = node.namedChild(0), head.type == "identifier" else { return false }
            return head.hasText("type") || head.hasText("Type")
        case "subscript":
            guard let head = node.child(byField: "value") else { return false }
            return ["type", "Type", "typing.Type"].contains(head.text)
        default:
            return false
        }
    }

    /// The classes a field of `owner` (or of the nearest base of the file that declares it) is annotated with:
    /// `name: C` in the class body, or `self.name: C` in one of its methods.
    public func declaredFieldClasses(_ name: String, of owner: Class) -> [Class] {
        for c in lineage(of: owner) {
            if let type = fieldAnnotations[c.node]?[name] { return annotatedClasses(type) }
        }
        return []
    }

    /// The annotations of fields naming a class of the file, by class and field name (see `declaredFieldClasses`).
    var fieldAnnotations: [Node: [String: Node]] {
        memoized("fieldAnnotations") { () -> [Node: [String: Node]] in
            var table: [Node: [String: Node]] = [:]
            for assignment in nodes(ofType: "assignment") {
                guard let type = assignment.child(byField: "type"), !annotatedClasses(type).isEmpty,
                      let left = assignment.child(byField: "left") else { continue }
                if left.type == "identifier", let statement = assignment.parent, statement.type == "expression_statement",
                   let body = statement.parent, body.type == "block", let definition = body.parent, definition.type == "class_definition" {
                    table[definition, default: [:]][left.text] = type
                } else if left.type == "attribute", let object = left.child(byField: "object"), object.type == "identifier",
                          let field = left.child(byField: "attribute")?.text,
                          let method = enclosingFunction(assignment), method.receiver == object.text,
                          let owner = enclosingClass(method.node) {
                    table[owner.node, default: [:]][field] = table[owner.node]?[field] ?? type
                }
            }
            return table
        }
    }

    /// The names of the fields some class of the file annotates with a class of the file.
    var declaredFieldNames: Set<String> {
        memoized("declaredFieldNames") { Set(fieldAnnotations.values.flatMap(\.keys)) }
    }
}

extension Dataflow {
    /// The classes of the file the annotations declare a name or a field read to hold (see `DeclaredTypes.swift`): the
    /// annotation of the parameter a name is, or of an assignment binding it; for `object.field`, the field's
    /// annotation in the classes `object` is an instance of (`self` being one of its method's class).
    func declaredClasses(of node: Node, bindings found: [NameBinding], depth: Int) -> Set<String> {
        switch node.type {
        case "identifier":
            let declared = found.compactMap { $0.site.type == "assignment" ? $0.site.child(byField: "type") : nil }
            if !declared.isEmpty { return Set(declared.flatMap(facts.annotatedClasses).map(\.name)) }
            guard found.contains(where: { if case .parameter = $0.kind { return true } else { return false } }) else { return [] }
            return facts.annotatedClass(ofParameter: node).map { [$0.name] } ?? []
        case "attribute":
            guard let field = node.child(byField: "attribute")?.text, facts.declaredFieldNames.contains(field),
                  let object = node.child(byField: "object").map(facts.unwrapped) else { return [] }
            var owners: [PythonFacts.Class] = []
            if object.type == "identifier", let method = facts.enclosingFunction(node), method.receiver == object.text,
               let own = facts.enclosingClass(method.node) {
                owners = [own]
            } else {
                owners = instanceClasses(of: object, depth: depth + 1).sorted().compactMap(facts.boundClass(named:))
            }
            return Set(owners.flatMap { facts.declaredFieldClasses(field, of: $0) }.map(\.name))
        default:
            return []
        }
    }
}
