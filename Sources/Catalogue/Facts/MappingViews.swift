import Parsing
import SourceModel
import TreeSitterKit

/// Mappings written through the standard library's views and layerings of other mappings, read as the mappings they
/// stand for: `types.MappingProxyType(m)` (a read-only view holding the entries of `m`), `collections.ChainMap(first,
/// second, ...)` (a lookup that takes each key from the first layer holding it, so an override layer written first
/// wins), `dict(m)` (a copy of one mapping), and a call of a `TypedDict` class of the file (`Spec(lr=0.1)`, a plain
/// dictionary of its keywords). The readers of dictionaries see through them (`dictionaries`,
/// `ValueResolver.dictionaryEntry`, `tableEntries`), and a switch read by name ignores an entry a ChainMap's earlier
/// layer shadows (see `switchValue(named:depth:)`). Enumeration members, the other standard-library way to name a
/// table of settings, are read in `EnumMembers.swift`.
extension PythonFacts {
    /// Callees of a read-only view of one mapping.
    static let mappingViewCallees: Set<String> = ["types.MappingProxyType", "MappingProxyType"]
    /// Callees of a layered lookup over several mappings, first layer first.
    static let chainMapCallees: Set<String> = ["collections.ChainMap", "ChainMap"]

    /// The mappings a view or layering denotes, in the order a lookup tries them: the one mapping of
    /// `MappingProxyType(m)` or `dict(m)` (one positional argument, no keywords), the layers of `ChainMap(a, b)`. Nil
    /// for any other expression, and for layers not written out (`ChainMap(*maps)`, `dict(m, lr=0.1)`).
    public func mappingLayers(_ node: Node) -> [Node]? {
        let n = unwrapped(node)
        guard n.type == "call" else { return nil }
        let call = callSite(n)
        guard !call.hasSplat, call.keywords.isEmpty else { return nil }
        if Self.mappingViewCallees.contains(call.callee) || call.callee == "dict" {
            return call.positional.count == 1 ? call.positional : nil
        }
        return Self.chainMapCallees.contains(call.callee) ? call.positional : nil
    }

    /// Whether a call builds a plain dictionary through a `TypedDict` class of the file (the class, or a base of the
    /// file, lists `TypedDict` among its bases): `MomentumSpec(lr_fraction=1.0, beta=0.9)` holds its keywords as
    /// entries, like `dict(...)`. A positional argument (a mapping copied in) or a spread is not written out, so it
    /// is none.
    public func isTypedDictConstruction(_ node: Node) -> Bool {
        let n = unwrapped(node)
        guard n.type == "call", let function = n.child(byField: "function").map(unwrapped), function.type == "identifier",
              !isLocallyBound(function), let owner = boundClass(named: function.text) else { return false }
        let call = callSite(n)
        guard call.positional.isEmpty, !call.hasSplat else { return false }
        return lineage(of: owner).contains { c in c.bases.contains { $0.lastDottedComponent == "TypedDict" } }
    }

    /// The `ChainMap(...)` calls of the file, with the dictionaries each layer denotes (see `dictionaries`), first
    /// layer first.
    var chainMapLayers: [[[Node]]] {
        memoized("chainMapLayers") {
            calls.filter { Self.chainMapCallees.contains($0.callee) }.compactMap { call in
                mappingLayers(call.node).map { layers in layers.map { dictionaries($0) } }
            }
        }
    }

    /// Whether `value`, the value of entry `key` of a dictionary (a `{key: value}` pair, or a keyword of `dict(...)` or
    /// of a `TypedDict` construction), is never what a lookup of `key` gives: the dictionary is a layer of the file's
    /// `ChainMap`s only behind an earlier layer that holds `key` too (`ChainMap(overrides, dict(DEFAULTS))` with
    /// `"split_fused_qkv"` in both: the default is shadowed), in every ChainMap it is a layer of. False when it is
    /// no layer of one, or is the first layer holding the key in some ChainMap.
    public func isShadowedMappingEntry(_ value: Node, key: String) -> Bool {
        let layered = chainMapLayers
        guard !layered.isEmpty, let holder = value.parent else { return false }
        var container: Node?
        if holder.type == "pair", holder.child(byField: "value") == value {
            container = holder.parent
        } else if holder.type == "keyword_argument", holder.child(byField: "value") == value, holder.child(byField: "name")?.text == key,
                  let arguments = holder.parent, arguments.type == "argument_list" {
            container = arguments.parent
        }
        guard let container else { return false }
        var shadowedSomewhere = false
        for layers in layered {
            guard let index = layers.firstIndex(where: { $0.contains(container) }) else { continue }
            let earlier = layers[..<index].contains { tables in tables.contains { OptimizerUse.entry(key, in: $0) != nil } }
            guard earlier else { return false }
            shadowedSomewhere = true
        }
        return shadowedSomewhere
    }
}
