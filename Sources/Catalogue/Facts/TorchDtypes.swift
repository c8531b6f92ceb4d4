import Parsing
import TreeSitterKit

/// The torch dtype an expression names, wherever the name was chosen: `torch.bfloat16` under any import alias, or
/// `getattr(torch, name)` with the string `name` set in a configuration (`activation_dtype: str = "bfloat16"`),
/// followed through locals, `self` attributes, parameters and configuration fields (see `origins`), or read from the
/// environment with a string default (`os.environ.get("ACT_DTYPE", "bfloat16")`, also held by a dictionary entry,
/// see `decidedString`), or named by a field of a settings object through its method (see `fieldNamedDtype`).
extension PythonFacts {
    /// Dtype names as torch spells them, each with the canonical name (`half` is `float16`).
    static let torchDtypes: [String: String] = [
        "bfloat16": "bfloat16", "float16": "float16", "half": "float16", "float32": "float32", "float": "float32",
        "float64": "float64", "double": "float64", "float8_e4m3fn": "float8_e4m3fn", "float8_e5m2": "float8_e5m2",
        "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64", "long": "int64", "uint8": "uint8",
    ]

    /// The canonical dtype name (`"bfloat16"`, `"float32"`) an expression denotes; nil when none, or when its origins
    /// name different ones.
    public func dtypeName(of node: Node) -> String? {
        // (Read at the call, or at the local it was just stored in: the method's own return value has no field name.)
        let n = unwrapped(node)
        if let dtype = fieldNamedDtype(n) { return dtype }
        if n.type == "identifier", let value = latestValue(of: n.text, before: n), let dtype = fieldNamedDtype(unwrapped(value)) { return dtype }
        let names = Set(origins(of: node).compactMap(namedDtype))
        return names.count == 1 ? names.first : nil
    }

    /// The dtype an origin names itself: a `torch.<dtype>` reference, or `getattr(torch, "<dtype>")` with the name
    /// written out, built from constants (`getattr(torch, "float" + str(4 * 8))`, see `foldedString`), set in a
    /// configuration, or a string every run gives it (an environment knob's default, `os.environ.get("ACT_DTYPE",
    /// "bfloat16")`, directly or through a dictionary entry: `getattr(torch, plan["compute"])` with `plan =
    /// dict(compute=os.environ.get(...))`; see `decidedString`). A table read by a key computed at run time (see
    /// `computedKeyLookup`: `DTYPES[type(m).__name__]` with `DTYPES = {"Embedding": torch.bfloat16}`, or `getattr(torch,
    /// DTYPES.get(name))` with the names spelled) names the dtype all its entries name, its fallback too (a `None`
    /// fallback aside: nothing is cast then).
    private func namedDtype(_ origin: Node) -> String? {
        if let dtype = torchDtypeReference(origin) { return dtype }
        if let lookup = computedKeyLookup(origin) {
            var values: [Node] = lookup.entries.map { $0.value }
            if let fallback = lookup.fallback, unwrapped(fallback).type != "none" { values.append(fallback) }
            let names = values.map(torchDtypeReference)
            return names.contains(where: { $0 == nil }) || Set(names).count != 1 ? nil : names[0]
        }
        guard origin.type == "call", callSite(origin).callee == "getattr", callSite(origin).positional.count >= 2,
              imports.qualifiedName(of: callSite(origin).positional[0]) == "torch" else { return nil }
        let name = callSite(origin).positional[1]
        // A name written out or built from constants (`"float" + str(4 * 8)`, `f"bfloat{16}"`), or a call that spells
        // the string it holds in every run (`os.environ.get("ACT_DTYPE", "bfloat16")`); a reference that origins
        // cannot follow further is read below.
        let found = origins(of: name)
        var spelled = Set(found.compactMap { spelling -> String? in
            guard !["identifier", "attribute", "subscript"].contains(spelling.type) else { return nil }
            return foldedString(spelling) ?? (spelling.type == "call" ? decidedString(spelling) : nil)
        })
        for lookup in found.compactMap(computedKeyLookup) {
            var texts: [String?] = lookup.entries.map { $0.text }
            if let fallback = lookup.fallback, unwrapped(fallback).type != "none" { texts.append(SettingsTable.stringValue(fallback)) }
            guard !texts.contains(where: { $0 == nil }) else { return nil }
            spelled.formUnion(texts.compactMap { $0 })
        }
        if spelled.count == 1 { return spelled.first.flatMap { Self.torchDtypes[$0] } }
        // A name read from a parsed configuration (`cfg["loss"]["dtype"]` of an embedded YAML or JSON document),
        // which has no origin in the script's own code, or from a dictionary entry set to an environment knob.
        return spelled.isEmpty ? (string(of: name) ?? decidedString(name)).flatMap { Self.torchDtypes[$0] } : nil
    }

    /// A settings object's method that names dtypes by its fields (`def torch_dtype(self, name): return getattr(torch,
    /// getattr(self, name))`), called with a field's name written out (`settings.precision.torch_dtype("activation_dtype")`
    /// with `activation_dtype: Literal["bfloat16", "float32"] = "bfloat16"` in the class): the dtype that field's value
    /// spells. Nil for any other call.
    private func fieldNamedDtype(_ origin: Node) -> String? {
        guard origin.type == "call", case let call = callSite(origin),
              let method = calledFunction(call) ?? { let found = targets(of: call); return found.count == 1 ? found[0] : nil }(),
              let owner = enclosingClass(method.node), let receiver = method.receiver,
              case let returned = returnedValues(method), returned.count == 1,
              case let outer = unwrapped(returned[0]), outer.type == "call", case let lookup = callSite(outer), lookup.callee == "getattr",
              lookup.positional.count == 2, imports.qualifiedName(of: lookup.positional[0]) == "torch",
              case let inner = unwrapped(lookup.positional[1]), inner.type == "call", case let field = callSite(inner),
              field.callee == "getattr", field.positional.count == 2, field.positional[0].text == receiver,
              case let parameter = unwrapped(field.positional[1]), parameter.type == "identifier",
              let index = method.passedParameters.firstIndex(of: parameter.text),
              let name = call.argument(parameter.text, position: index).flatMap(SettingsTable.stringValue),
              let value = classAttribute(name, of: owner).flatMap(SettingsTable.stringValue) else { return nil }
        return Self.torchDtypes[value]
    }

    /// The dtype a `torch.<dtype>` reference (under any import alias) names.
    private func torchDtypeReference(_ node: Node) -> String? {
        guard let name = imports.qualifiedName(of: node), name.hasPrefix("torch."), name.split(separator: ".").count == 2 else { return nil }
        return Self.torchDtypes[String(name.dropFirst("torch.".count))]
    }
}
