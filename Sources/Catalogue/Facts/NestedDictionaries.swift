import TreeSitterKit

/// Entries of a nested configuration dictionary written out in the file, read by their path:
///
/// ```python
/// CONFIG = {"model": {"act": "relu2", ...}, "schedule": {"lr": "wsd", ...}}
/// mc = CONFIG["model"]
/// Trunk(CONFIG["model"])                  # def __init__(self, mc): ... mc["act"]
/// DC, OC, SC = CONFIG["data"], CONFIG["optim"], CONFIG["schedule"]
/// ```
///
/// `mc["act"]` is the literal `"relu2"` wherever `mc` is bound (once) to the `"model"` entry, by an assignment, a tuple
/// of values unpacked in one statement, or a parameter every call (every construction, for `__init__`) gives it. A
/// settings table reads entries by their last key alone, which a name like `"act"`, also set as `self.act = ...`,
/// leaves undecided; the path is exact. Keys the file writes anywhere else (`cfg["act"] = ...`) are not read this way.
extension PythonFacts {
    /// The value written in a nested dictionary literal for a read `x["key"]` (see the type's comment), or nil.
    func nestedEntry(_ read: Node) -> Node? {
        let n = unwrapped(read)
        guard n.type == "subscript", let key = n.child(byField: "subscript").flatMap(SettingsTable.stringValue),
              let object = n.child(byField: "value"), !writtenDictionaryKeys.contains(key),
              let dictionary = dictionaryLiteral(of: object, depth: 0) else { return nil }
        return literalPairs(dictionary).last { $0.key == key }.map { unwrapped($0.value) }
    }

    /// The keys of subscript writes anywhere in the file (`cfg["act"] = ...`, `cfg["act"] += ...`).
    var writtenDictionaryKeys: Set<String> {
        memoized("writtenDictionaryKeys") {
            var keys = Set<String>()
            for node in nodes(ofType: ["assignment", "augmented_assignment"]) {
                guard let left = node.child(byField: "left") else { continue }
                for target in [left] + left.namedChildren where target.type == "subscript" {
                    if let key = target.child(byField: "subscript").flatMap(SettingsTable.stringValue) { keys.insert(key) }
                }
            }
            return keys
        }
    }

    /// The dictionary literal an expression holds: the literal itself, an entry of one (`CONFIG["model"]`), or a name
    /// bound to one (see the type's comment).
    func dictionaryLiteral(of node: Node, depth: Int) -> Node? {
        guard depth < 6 else { return nil }
        let n = unwrapped(node)
        switch n.type {
        case "dictionary":
            return n
        case "subscript":
            return nestedEntry(n).flatMap { $0.type == "dictionary" ? $0 : nil }
        case "identifier":
            let bindings = dataflow.bindings(of: n.text, at: n)
            guard bindings.count == 1, let binding = bindings.first else { return nil }
            switch binding.kind {
            case .value:
                guard binding.node != n else { return nil }
                return dictionaryLiteral(of: binding.node, depth: depth + 1)
            case .parameter(let index):
                var found: Node?
                let sites = dataflow.callSites(of: binding.node)
                guard !sites.isEmpty else { return nil }
                for site in sites {
                    guard let argument = dataflow.argument(site, name: n.text, index: index),
                          let literal = dictionaryLiteral(of: argument, depth: depth + 1),
                          found == nil || found == literal else { return nil }
                    found = literal
                }
                return found
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// The entries of a dictionary literal whose keys are strings, in order.
    func literalPairs(_ dictionary: Node) -> [(key: String, value: Node)] {
        dictionary.namedChildren.compactMap { pair in
            guard pair.type == "pair", let key = pair.child(byField: "key").flatMap(SettingsTable.stringValue),
                  let value = pair.child(byField: "value") else { return nil }
            return (key, value)
        }
    }
}
