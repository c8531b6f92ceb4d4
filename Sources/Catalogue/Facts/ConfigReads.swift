import Parsing
import TreeSitterKit

extension PythonFacts {
    /// A read of one key from a configuration object by method: configparser's `getfloat` / `getint` /
    /// `getboolean` / `get` (on a section, `sec.getfloat("lr")`, or on the parser, `cfg.getfloat("optim", "lr")`,
    /// with an optional `fallback=`), and `get("lr", default)` or `pop("lr", default)` on a mapping (a constructor taking
    /// `**kwargs` that pops each setting it knows). The key, and the fallback given.
    public func configKeyRead(_ call: CallSite) -> (name: String, fallback: Node?)? {
        guard call.receiver != nil, ["get", "pop", "getfloat", "getint", "getboolean"].contains(call.name),
              let first = call.positional.first.flatMap(SettingsTable.stringValue) else { return nil }
        if !["get", "pop"].contains(call.name), call.positional.count >= 2, let key = SettingsTable.stringValue(call.positional[1]) {
            return (key, call.keywords["fallback"] ?? (call.positional.count > 2 ? call.positional[2] : nil))
        }
        return (first, call.keywords["fallback"] ?? call.keywords["default"] ?? (call.positional.count > 1 ? call.positional[1] : nil))
    }
}

extension PythonFacts {
    /// Whether a setting is an entry of a dictionary literal that is an optimizer's parameter group (it has a
    /// `"params"` entry): `{"params": decay, "weight_decay": 0.0}`.
    public func isParameterGroupEntry(_ setting: Setting) -> Bool {
        guard setting.source == .dictionaryEntry, setting.site.type == "pair", let dictionary = setting.site.parent,
              dictionary.type == "dictionary" else { return false }
        return OptimizerUse.entry("params", in: dictionary) != nil
    }
}

extension PythonFacts {
    /// Whether a read by key (`p.pop("weight_decay")`, `p["weight_decay"]`) is made on a local copy of a configuration:
    /// a plain name last assigned before the read (`p = dict(cfg["params"])`), not one of an optimizer's parameter
    /// groups (a loop variable over `param_groups`, or a name taken from them). Such a read never sees the entries of
    /// a parameter group literal (`isParameterGroupEntry`).
    public func readsConfigurationCopy(_ receiver: Node, at use: Node) -> Bool {
        let holder = unwrapped(receiver)
        guard holder.type == "identifier", let value = latestValue(of: holder.text, before: use) else { return false }
        return !descendants(of: value).contains { $0.type == "identifier" && $0.text == "param_groups" }
    }
}

extension Setting {
    /// An unquoted word an embedded INI or YAML document gives as a value (`kind = trapezoid`): the shadow source
    /// holds it as a name, but it is a string.
    public var bareWord: String? {
        source == .dictionaryEntry && site.type == "string" && value.type == "identifier" ? value.text : nil
    }
}
