import Parsing
import TreeSitterKit

/// Reads of a setting through a nested path (`cfg.optimizer.groups["head"].learning_rate`, `hp["head"]["lr"]`) and
/// the tables that nested dictionaries write (`{"groups": {"embed": {"learning_rate": 0.3}, "head": {...}}}`): the
/// step of the path just before the name, and the key of the table an entry stands in, so that a read names the entry
/// of its own table rather than the same key of a sibling one (see `ValueResolver.referenceValues`).
extension PythonFacts {
    /// The constant step just before the name a read ends with: the attribute or string key it is read on
    /// (`"head"` for `cfg.groups["head"].lr` and for `hp["head"]["lr"]`, `optimizer` for `cfg.optimizer.lr`). Nil for a
    /// plain name, or a step that is no constant (`groups[name].lr`, a call).
    func readPathParent(_ node: Node) -> String? {
        let read = unwrapped(node)
        let object: Node?
        switch read.type {
        case "attribute": object = read.child(byField: "object")
        case "subscript" where read.child(byField: "subscript").flatMap(SettingsTable.stringValue) != nil: object = read.child(byField: "value")
        default: return nil
        }
        guard let step = object.map(unwrapped) else { return nil }
        switch step.type {
        case "attribute": return step.child(byField: "attribute")?.text
        case "subscript": return step.child(byField: "subscript").flatMap { SettingsTable.stringValue(unwrapped($0)) }
        default: return nil
        }
    }

    /// The key of the table a dictionary entry stands in, when that table is itself the entry of another dictionary
    /// (`"head"` for `"lr": 0.002` in `{"head": {"lr": 0.002}}`, also `dict(head=dict(lr=0.002))`). Nil for an entry of
    /// a table written elsewhere (assigned to a name, handed to a call) and for any other setting.
    func dictionaryEntryParentKey(_ setting: Setting) -> String? {
        var table = setting.value.parent
        // The entry's table: a `{...}` literal around its pair, or a `dict(...)` call around its keyword.
        while let t = table, t.type != "dictionary", !(t.type == "call" && callSite(t).callee == "dict") {
            guard ["pair", "keyword_argument", "argument_list"].contains(t.type) else { return nil }
            table = t.parent
        }
        guard let holder = table?.parent else { return nil }
        if holder.type == "pair", holder.child(byField: "value") == table, let key = holder.child(byField: "key") {
            return SettingsTable.stringValue(key)
        }
        if holder.type == "keyword_argument", holder.child(byField: "value") == table { return holder.child(byField: "name")?.text }
        return nil
    }

    /// The step a read's path names for its entry (`"head"` for `cfg.groups["head"].lr`), when the file writes
    /// dictionary entries of that name under a key of that step; nil otherwise (the read is then by name alone).
    func nestedReadKey(_ node: Node, name: String) -> String? {
        guard let step = readPathParent(node) else { return nil }
        return dictionaryEntryParentKeys(name.lastDottedComponent).contains(step) ? step : nil
    }

    /// The keys of the tables that hold dictionary entries of a name (`["embed", "head"]` for `lr`), kept per name:
    /// asked for every read through a path.
    private func dictionaryEntryParentKeys(_ name: String) -> Set<String> {
        memoized("dictionaryEntryParentKeys/\(name)") { Set(allSettings.settings(name).compactMap { dictionaryEntryParentKey($0) }) }
    }

    /// Whether a setting is a dictionary entry of a table under another key than `key` (`"embed": {"lr": 0.3}` for
    /// a read of the `"head"` table's `lr`).
    func isSiblingEntry(_ setting: Setting, of key: String) -> Bool {
        guard setting.source == .dictionaryEntry || setting.source == .override, let parent = dictionaryEntryParentKey(setting) else { return false }
        return parent != key
    }
}
