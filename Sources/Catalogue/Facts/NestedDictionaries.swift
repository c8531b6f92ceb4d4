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
/// `mc["act"]` (also `mc.get("act")`, `mc.pop("act")`) is the literal `"relu2"` wherever `mc` is bound (once) to the
/// `"model"` entry or a copy of it (`dict(...)`, `.copy()`, `deepcopy`), by an assignment, a tuple of values unpacked
/// in one statement, or a parameter every call (every construction, for `__init__`) gives it. A
/// settings table reads entries by their last key alone, which a name like `"act"`, also set as `self.act = ...`,
/// leaves undecided; the path is exact. An entry the file writes again (`CONFIG["model"]["act"] = ...`, an `update`
/// naming it, through any name that holds the same dictionary) is not read this way.
extension PythonFacts {
    /// The value written in a nested dictionary literal for a read `x["key"]` (see the type's comment), or nil.
    func nestedEntry(_ read: Node) -> Node? {
        guard let (object, key) = entryRead(read), let dictionary = dictionaryLiteral(of: object, depth: 0) else { return nil }
        // An entry the file writes again (`CONFIG["model"]["act"] = "gelu"`, `cfg["model"].update(act="gelu")`, through any
        // name for the same dictionary) holds what the run gives it.
        for written in entryWrites[key] ?? [] {
            if unwrapped(written).text == unwrapped(object).text || dictionaryLiteral(of: written, depth: 0) == dictionary { return nil }
        }
        return literalPairs(dictionary).last { $0.key == key }.map { unwrapped($0.value) }
    }

    /// A read of one entry by a constant key: `d["key"]`, `d.get("key")`, `d.get("key", default)`, `d.pop("key")`: the
    /// dictionary expression and the key; nil for anything else.
    func entryRead(_ node: Node) -> (object: Node, key: String)? {
        let n = unwrapped(node)
        if n.type == "subscript", let key = n.child(byField: "subscript").flatMap(SettingsTable.stringValue),
           let object = n.child(byField: "value") {
            return (object, key)
        }
        guard n.type == "call", let function = n.child(byField: "function"), function.type == "attribute",
              ["get", "pop"].contains(function.child(byField: "attribute")?.text ?? ""), case let call = callSite(n),
              (1...2).contains(call.positional.count), call.keywords.isEmpty,
              let key = SettingsTable.stringValue(call.positional[0]), let object = function.child(byField: "object") else { return nil }
        return (object, key)
    }

    /// The dictionaries the file writes an entry into, by key: the object of a subscript write (`cfg["act"] = ...`,
    /// `cfg["act"] += ...`) and the receiver of an `update` naming the key (`cfg.update(act=...)`, `cfg.update({"act":
    /// ...})`).
    var entryWrites: [String: [Node]] {
        memoized("entryWritesByKey") {
            var writes: [String: [Node]] = [:]
            for node in nodes(ofType: ["assignment", "augmented_assignment"]) {
                guard let left = node.child(byField: "left") else { continue }
                for target in [left] + left.namedChildren where target.type == "subscript" {
                    guard let key = target.child(byField: "subscript").flatMap(SettingsTable.stringValue),
                          let object = target.child(byField: "value") else { continue }
                    writes[key, default: []].append(object)
                }
            }
            for call in calls(named: "update") {
                guard let receiver = call.receiver else { continue }
                var keys = Array(call.keywords.keys)
                for argument in call.positional where unwrapped(argument).type == "dictionary" {
                    keys += literalPairs(unwrapped(argument)).map(\.key)
                }
                for key in keys { writes[key, default: []].append(receiver) }
            }
            return writes
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
        case "call":
            // A copy: `dict(cfg["optim"])`, `cfg["optim"].copy()`, `copy.deepcopy(cfg["optim"])`.
            let call = callSite(n)
            guard call.keywords.isEmpty, !call.hasSplat else { return nil }
            if ["dict", "deepcopy", "copy.deepcopy", "copy.copy"].contains(call.callee), call.positional.count == 1 {
                return dictionaryLiteral(of: call.positional[0], depth: depth + 1)
            }
            if call.name == "copy", call.positional.isEmpty, let receiver = call.receiver {
                return dictionaryLiteral(of: receiver, depth: depth + 1)
            }
            return nil
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
