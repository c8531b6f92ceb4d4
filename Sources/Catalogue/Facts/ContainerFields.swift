import Foundation
import Parsing
import TreeSitterKit

/// Fields of the class-like containers a script may hold its settings in, beyond a `@dataclass` body: field
/// specifiers of attrs and pydantic (`attr.ib(default=v)`, `attrs.field(default=v)`, `Field(default=v)`,
/// `Field(v)`), and classes made by a call (`namedtuple("Shape", ["rows", "cols"], defaults=(3, 0.5))`,
/// `dataclasses.make_dataclass("Policy", [("lr", float, field(default=0.1))])`) whose fields are read by name as
/// settings (see `SettingsCollector.collect`).
enum ContainerFields {
    /// Calls that declare a class field with its options: `dataclasses.field`, pydantic's `Field`, attrs' `attr.ib` /
    /// `attr.attrib` / `attrs.field`.
    static let specifierNames: Set<String> = ["field", "Field", "ib", "attrib"]

    /// The default a field specifier declares: its `default=` keyword, pydantic's positional default (`Field(0.12)`,
    /// not the required marker `Field(...)`); nil for another call or a specifier without a default.
    static func specifiedDefault(_ call: CallSite) -> Node? {
        guard specifierNames.contains(call.name) else { return nil }
        if let value = call.keywords["default"] { return value }
        guard call.name == "Field", let first = call.positional.first, first.type != "ellipsis" else { return nil }
        return first
    }

    /// The factory a field specifier gives for its default: `default_factory=` (dataclasses, pydantic) or attrs'
    /// `factory=`.
    static func specifiedFactory(_ call: CallSite) -> Node? {
        guard specifierNames.contains(call.name) else { return nil }
        return call.keywords["default_factory"] ?? (call.name == "field" || call.name == "ib" || call.name == "attrib" ? call.keywords["factory"] : nil)
    }

    /// Whether a decorator makes its class an attrs class, whose annotated or `attr.ib()` body fields are settings
    /// (`@attr.s(frozen=True)`, `@attr.attrs`, `@attrs.define`, `@attrs.frozen`, `@define`, `@frozen`, `@mutable`).
    static func isAttrsDecorator(_ decorator: Node) -> Bool {
        var text = decorator.text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("@") { text.removeFirst() }
        if let open = text.firstIndex(of: "(") { text = String(text[..<open]) }
        let parts = text.split(separator: ".").map(String.init)
        guard let last = parts.last else { return false }
        if parts.count == 1 { return ["define", "frozen", "mutable", "attrs"].contains(last) }
        guard ["attr", "attrs"].contains(parts[parts.count - 2]) else { return false }
        return ["s", "attrs", "define", "frozen", "mutable"].contains(last)
    }

    /// The fields a class-making call declares, each with its default: `namedtuple("Shape", ["rows", "cols"],
    /// defaults=(3, 0.5))` (`collections.namedtuple`; field names as a list or tuple of strings or one string split
    /// at commas and spaces; the defaults fill the last fields), and `make_dataclass("Policy", [("lr", float,
    /// field(default=0.1)), ("steps", int, 100), "name"])` (a field's third element: a specifier's default, a
    /// `default_factory` lambda's body, or the value itself). Fields without a default are left out; empty for any
    /// other call or a list that is not written out.
    static func declaredDefaults(_ call: CallSite, _ facts: PythonFacts) -> [(name: String, value: Node)] {
        switch call.name {
        case "namedtuple":
            guard let defaults = call.keywords["defaults"].map(facts.unwrapped), ["list", "tuple"].contains(defaults.type) else { return [] }
            let fields = declaredFieldNames(call, facts)
            let values = defaults.namedChildren
            guard !fields.isEmpty, values.count <= fields.count else { return [] }
            return zip(fields.suffix(values.count), values).map { (name: $0, value: $1) }
        case "make_dataclass":
            guard let list = madeFieldList(call, facts) else { return [] }
            return list.namedChildren.compactMap { entry -> (name: String, value: Node)? in
                let entry = facts.unwrapped(entry)
                guard entry.type == "tuple", entry.namedChildren.count == 3,
                      let name = SettingsTable.stringValue(entry.namedChildren[0]) else { return nil }
                let declared = entry.namedChildren[2]
                let value = facts.unwrappedFieldDefault(declared)
                // A specifier without a default (`field(init=False)`) declares none.
                if value.type == "call", specifierNames.contains(facts.callSite(value).name) { return nil }
                return (name: name, value: value)
            }
        default:
            return []
        }
    }

    /// The field names a class-making call declares, in order (see `declaredDefaults`); empty when they are not
    /// written out.
    static func declaredFieldNames(_ call: CallSite, _ facts: PythonFacts) -> [String] {
        switch call.name {
        case "namedtuple":
            guard let names = call.argument("field_names", position: 1).map(facts.unwrapped) else { return [] }
            if let spelled = SettingsTable.stringValue(names) { return spelled.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) }
            guard ["list", "tuple"].contains(names.type) else { return [] }
            let strings = names.namedChildren.compactMap(SettingsTable.stringValue)
            return strings.count == names.namedChildren.count ? strings : []
        case "make_dataclass":
            guard let list = madeFieldList(call, facts) else { return [] }
            let names = list.namedChildren.map { entry -> String? in
                let entry = facts.unwrapped(entry)
                return SettingsTable.stringValue(entry.type == "tuple" ? entry.namedChildren.first ?? entry : entry)
            }
            return names.contains(nil) ? [] : names.compactMap { $0 }
        default:
            return []
        }
    }

    /// The written-out list of field entries of `make_dataclass("Policy", [...])`, nil when it is not a list or tuple.
    private static func madeFieldList(_ call: CallSite, _ facts: PythonFacts) -> Node? {
        guard let list = call.argument("fields", position: 1).map(facts.unwrapped), ["list", "tuple"].contains(list.type) else { return nil }
        return list
    }

    /// The expression a construction of a class made by a call gives its field `name` (`Policy()` with `Policy =
    /// dataclasses.make_dataclass("Policy", [("kinds", tuple, field(default=(nn.Embedding,)))])`, `Shape(4, cols=8)`
    /// with `Shape = namedtuple("Shape", ["rows", "cols"])`): the argument passed for it, by keyword or by place, else
    /// the declared default. Nil when `construction` calls no such class of the module, passes `*` / `**` arguments, or
    /// the class has no such field.
    static func madeField(_ construction: Node, _ name: String, _ facts: PythonFacts) -> Node? {
        guard construction.type == "call", case let built = facts.callSite(construction), !built.hasSplat,
              let function = built.function, function.type == "identifier",
              case let bindings = facts.moduleBindings(of: function.text), bindings.count == 1,
              let made = bindings[0].value.map(facts.unwrapped), made.type == "call", case let maker = facts.callSite(made),
              ["namedtuple", "make_dataclass"].contains(maker.name) else { return nil }
        let names = declaredFieldNames(maker, facts)
        guard let index = names.firstIndex(of: name) else { return nil }
        if let given = built.keywords[name] { return given }
        if index < built.positional.count { return built.positional[index] }
        return declaredDefaults(maker, facts).first { $0.name == name }?.value
    }

    /// Names the file binds to a class a call makes (`Shape = namedtuple("Shape", ...)`, `Policy =
    /// dataclasses.make_dataclass("Policy", ...)`): calling one builds a configuration whose keywords override the
    /// declared defaults, as a dataclass's do.
    static func declaredTypeNames(_ facts: PythonFacts) -> Set<String> {
        var names: Set<String> = []
        for a in facts.assignmentNodes {
            guard let left = a.child(byField: "left"), left.type == "identifier",
                  let right = a.child(byField: "right").map(facts.unwrapped), right.type == "call",
                  ["namedtuple", "make_dataclass"].contains(facts.callSite(right).name) else { continue }
            names.insert(left.text)
        }
        return names
    }
}
