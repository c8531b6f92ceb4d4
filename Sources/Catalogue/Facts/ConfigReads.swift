import Parsing
import TreeSitterKit

extension PythonFacts {
    /// A read of one key from a configuration object by method: configparser's `getfloat` / `getint` /
    /// `getboolean` / `get` (on a section, `sec.getfloat("lr")`, or on the parser, `cfg.getfloat("optim", "lr")`,
    /// with an optional `fallback=`), and `get("lr", default)` on a mapping. The key, and the fallback given.
    public func configKeyRead(_ call: CallSite) -> (name: String, fallback: Node?)? {
        guard call.receiver != nil, ["get", "getfloat", "getint", "getboolean"].contains(call.name),
              let first = call.positional.first.flatMap(SettingsTable.stringValue) else { return nil }
        if call.name != "get", call.positional.count >= 2, let key = SettingsTable.stringValue(call.positional[1]) {
            return (key, call.keywords["fallback"] ?? (call.positional.count > 2 ? call.positional[2] : nil))
        }
        return (first, call.keywords["fallback"] ?? call.keywords["default"] ?? (call.positional.count > 1 ? call.positional[1] : nil))
    }
}

extension Setting {
    /// An unquoted word an embedded INI or YAML document gives as a value (`kind = trapezoid`): the shadow source
    /// holds it as a name, but it is a string.
    public var bareWord: String? {
        source == .dictionaryEntry && site.type == "string" && value.type == "identifier" ? value.text : nil
    }
}
