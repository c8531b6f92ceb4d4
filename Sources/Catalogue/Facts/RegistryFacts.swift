import Foundation
import SourceModel
import TreeSitterKit

/// Registries a script chooses from by its configuration: a module dictionary of functions or classes read with a
/// decided key (see `StaticConditions`).
extension PythonFacts {
    /// `REGISTRY[key]` where `REGISTRY` is a module's dictionary of functions or classes that nothing else writes
    /// and `key` is decided: the entry it selects (`{"relu2": relu_sq, "gelu": F.gelu}[args.act]`, also
    /// `ACTIVATIONS[cfg.act]`).
    public func registryEntry(_ read: Node) -> (dictionary: Node, pair: Node, entry: Node)? {
        // The table first (cheap), the key only for a registry.
        guard read.type == "subscript", let table = read.child(byField: "value"),
              let keyNode = read.child(byField: "subscript") else { return nil }
        let dictionary: Node
        if table.type == "dictionary" {
            dictionary = table
        } else {
            guard table.type == "identifier" else { return nil }
            let settings = allSettings.settings(table.text)
            guard settings.count == 1, settings[0].source == .moduleAssignment, settings[0].written == table.text,
                  settings[0].value.type == "dictionary", !isLocallyBound(table) else { return nil }
            // Only read: no `REGISTRY["x"] = ...`, `REGISTRY.update(...)`, and no hand-over to code that could write it.
            for use in identifiersByName[table.text] ?? [] where !settings[0].site.byteRange.contains(use.startByte) {
                guard let parent = use.parent, Self.onlyReads(use, parent) else { return nil }
            }
            dictionary = settings[0].value
        }
        guard let key = decidedString(keyNode) else { return nil }
        for pair in dictionary.namedChildren where pair.type == "pair" {
            guard let k = pair.child(byField: "key"), SettingsTable.stringValue(k) == key,
                  let value = pair.child(byField: "value") else { continue }
            return value.type == "identifier" || value.type == "attribute" ? (dictionary, pair, value) : nil
        }
        return nil
    }

    /// Whether this use of a dictionary only reads it: an entry read (not written or deleted), a membership test,
    /// its keys listed (`sorted(REGISTRY)`, `choices=list(REGISTRY)`, `REGISTRY.keys()`, `REGISTRY.get(k)`).
    static func onlyReads(_ use: Node, _ parent: Node) -> Bool {
        switch parent.type {
        case "subscript":
            guard parent.child(byField: "value") == use, let outer = parent.parent else { return false }
            if ["assignment", "augmented_assignment"].contains(outer.type), outer.child(byField: "left") == parent { return false }
            return outer.type != "delete_statement"
        case "comparison_operator", "keyword_argument":
            return true
        case "attribute":
            return ["keys", "values", "items", "get"].contains(parent.child(byField: "attribute")?.text ?? "")
        case "argument_list":
            guard let call = parent.parent, let function = call.child(byField: "function") else { return false }
            return ["sorted", "list", "tuple", "set", "len", "print", "str", "repr", "iter", "enumerate"].contains(function.text)
        default:
            return false
        }
    }
}
