import Foundation
import SourceModel
import TreeSitterKit

/// Hydra-style instantiation: an object built from a configuration node that names its class with `_target_` (torchtune:
/// `_component_`) and holds its keyword arguments as its other keys.
///
/// ```python
/// CONFIG = """
/// optimizer:
///   _target_: torch.optim.AdamW
///   lr: 0.0018
/// schedule:
///   _target_: torch.optim.lr_scheduler.LambdaLR
///   lr_lambda: {_target_: __main__.Trapezoid, warmup: 256}
/// """
/// cfg = yaml.safe_load(CONFIG)
/// opt = instantiate(cfg["optimizer"], model.parameters())
/// ```
///
/// reads as `opt = torch.optim.AdamW(model.parameters(), lr=0.0018)`: `ConfiguredProgram` writes each such call as the
/// construction it makes, so every detector sees the class and its arguments where the object is made and used.
///
/// The configuration is a document the script loads from a string (YAML, JSON, TOML; see `EmbeddedConfigDocuments`) or a
/// dictionary it writes at module level (`CFG = {"optim": {"_target_": "torch.optim.AdamW", "lr": 0.0018}}`, also
/// `dict(...)` of keywords), whose values are then Python expressions taken as written.
///
/// The instantiating function is `hydra.utils.instantiate` or a function of the file that reads the `_target_` (or
/// `_component_`) key of what it is handed. Its node argument is a chain of keys into a configuration document of the file (`cfg["optim"]
/// ["matrix"]`, `cfg.optim.matrix`, `ocfg["matrix"]` after `ocfg = cfg["optim"]`): the node whose path is that chain,
/// or else the one node whose path ends with it. Arguments the call passes come first (positional ones) or win over the
/// node's (keywords). A node within a node is built first when the instantiating function recurses into the values it
/// is given (Hydra's default); when it does not, the inner node is handed over unbuilt and the receiving class builds
/// it, so it is written as `functools.partial(Target, ...)` and a call `instantiate(inner, dim)` there as `inner(dim)`.
/// A node with `_partial_: true` is always a partial. Values: numbers, booleans and `null` as Python's, bare words as
/// strings, flow lists element by element, `${a.b}` as the value at that path; a key whose value cannot be read
/// (`${env:NAME}`, a block list) is left out, so the class's default stands for it.
public struct HydraInstantiation {
    /// The whole call.
    public let call: Node
    /// The construction, with the call's line breaks kept (before its closing parenthesis).
    public let text: String
}

/// The nested mappings of one configuration document, by dotted path.
struct ConfigurationDocument {
    /// Leaf values as written, by path (`optimizer.lr` -> `0.0018`).
    var leaves: [String: String] = [:]
    /// The keys under each mapping, in document order (`""` for the top level).
    var children: [String: [String]] = [:]

    /// Paths of the mappings that name a class with a target key (see `targetKeys`), sorted.
    private(set) var targetNodes: [String] = []
    /// Whether leaves are Python expressions (a dictionary written in the script) rather than YAML scalars.
    private(set) var python = false

    /// A document the script loads from a string, from its entry lines (see `EmbeddedConfigDocuments.entryLines`).
    init(entries: [EmbeddedConfigDocuments.Entry], bytes: [UInt8]) {
        for entry in entries {
            add(entry.written.split(separator: ".").map(String.init), value: String(decoding: bytes[entry.value], as: UTF8.self))
        }
        targetNodes = children.keys.filter { target(of: $0) != nil }.sorted()
    }

    /// A configuration written as Python dictionaries (`{"_target_": "torch.optim.AdamW", "lr": 0.0018}`, also
    /// `dict(_target_=..., lr=...)`), nested ones by their keys; `pairs` reads a mapping's entries (`registryPairs`).
    init(dictionary: Node, pairs: (Node) -> [(pair: Node, key: String, value: Node)]) {
        python = true
        func walk(_ node: Node, _ path: [String]) {
            for (_, key, value) in pairs(node) {
                if Self.isMapping(value) { walk(value, path + [key]) } else { add(path + [key], value: value.text) }
            }
        }
        walk(dictionary, [])
        targetNodes = children.keys.filter { target(of: $0) != nil }.sorted()
    }

    /// Records a leaf and the mappings on its path.
    private mutating func add(_ parts: [String], value: String) {
        for (index, part) in parts.enumerated() {
            let parent = parts[..<index].joined(separator: ".")
            if !(children[parent]?.contains(part) ?? false) { children[parent, default: []].append(part) }
        }
        leaves[parts.joined(separator: ".")] = value
    }

    /// A dictionary display or a `dict(...)` call of keywords.
    static func isMapping(_ node: Node) -> Bool {
        node.type == "dictionary" || (node.type == "call" && node.child(byField: "function")?.text == "dict"
            && node.child(byField: "arguments")?.namedChildren.allSatisfy { $0.type == "keyword_argument" } == true)
    }

    /// The mapping a configuration value is: a mapping itself, or the one argument of a call wrapping it
    /// (`DictConfig({...})`, `OmegaConf.create({...})`).
    static func documentMapping(_ node: Node) -> Node? {
        if isMapping(node) { return node }
        guard node.type == "call", let arguments = node.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
        let given = arguments.namedChildren.filter { $0.type != "comment" }
        guard given.count == 1, isMapping(given[0]) else { return nil }
        return given[0]
    }

    /// The keys that name what a node builds: Hydra's `_target_`, torchtune's `_component_`.
    static let targetKeys = ["_target_", "_component_"]

    /// What the node at `path` names as its class or function, as written.
    func target(of path: String) -> String? {
        Self.targetKeys.lazy.compactMap { leaves[Self.join(path, $0)] }.first
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

extension PythonFacts {
    /// The calls of an instantiating function this file makes, each with the construction it stands for (see
    /// `HydraInstantiation`), in document order.
    public func hydraInstantiations() -> [HydraInstantiation] {
        memoized("hydraInstantiations") { computeHydraInstantiations() }
    }

    private func computeHydraInstantiations() -> [HydraInstantiation] {
        // The file's instantiating functions, with whether each builds inner nodes itself.
        // (Found from the strings that spell a target key: most files have none, and no function is looked into then.)
        var local: [Node: Bool] = [:]
        for marker in nodes(ofType: "string") where SettingsTable.stringValue(marker).map(ConfigurationDocument.targetKeys.contains) == true {
            guard let function = enclosingFunction(marker), local[function.node] == nil, !function.parameters.isEmpty,
                  let body = function.body else { continue }
            local[function.node] = calls(named: function.name, inside: body).contains { calledFunction($0)?.node == function.node }
        }
        let library = calls.contains { $0.callee == "hydra.utils.instantiate" }
        guard !local.isEmpty || library else { return [] }
        var documents = EmbeddedConfigDocuments.documentStrings(self).map {
            ConfigurationDocument(entries: EmbeddedConfigDocuments.entryLines(file.bytes, content: EmbeddedConfigDocuments.contentRange($0)),
                                  bytes: file.bytes)
        }
        // Configurations written as dictionaries that name a class somewhere: the outermost ones assigned at module level,
        // and those a module-level function returns (`def build_cfg(): return DictConfig({...})`), each also as the one
        // argument of a wrapper (`DictConfig({...})`, `OmegaConf.create({...})`).
        var values = moduleAssignments.filter { $0.type == "assignment" }.compactMap { $0.child(byField: "right") }
        for function in functions where enclosingClass(function.node) == nil && enclosingFunction(function.node.parent ?? function.node) == nil {
            values += returnedValues(function)
        }
        for value in values {
            guard let mapping = ConfigurationDocument.documentMapping(unwrapped(value)) else { continue }
            let document = ConfigurationDocument(dictionary: mapping, pairs: registryPairs)
            if !document.targetNodes.isEmpty { documents.append(document) }
        }
        var result: [HydraInstantiation] = []
        for call in calls {
            let recursive: Bool
            if call.callee == "hydra.utils.instantiate" {
                recursive = call.keywords["_recursive_"].map { unwrapped($0).type != "false" } ?? true
            } else if let function = calledFunction(call), let recurses = local[function.node] {
                // Its own recursive calls are how it works, not constructions.
                if isInside(call.node, function.node) { continue }
                recursive = recurses
            } else {
                continue
            }
            guard let argument = call.positional.first, !call.isMapped,
                  !descendants(of: call.node).contains(where: { $0.type == "comment" }) else { continue }
            let rest = Array(call.positional.dropFirst()).map(\.text)
                + (call.node.child(byField: "arguments")?.namedChildren ?? []).filter { ["keyword_argument", "dictionary_splat"].contains($0.type) }.map(\.text)
            let given = Set(call.keywords.keys)
            var text: String
            if let keys = configurationKeys(argument), let (document, path) = Self.configurationNode(keys, in: documents),
               let built = Self.construction(path, in: document, recursive: recursive, leading: rest, given: given) {
                text = built
            } else if !recursive, ["identifier", "attribute"].contains(unwrapped(argument).type) {
                // A node handed over unbuilt is a partial (see above): building it with arguments calls it.
                text = "\(unwrapped(argument).text)(\(rest.joined(separator: ", ")))"
            } else {
                continue
            }
            // Line breaks stay where the call had them: the ones its arguments do not bring go before its parenthesis.
            let breaks = call.node.text.filter { $0 == "\n" }.count - text.filter { $0 == "\n" }.count
            guard breaks >= 0 else { continue }
            if breaks > 0 { text = String(text.dropLast()) + String(repeating: "\n", count: breaks) + ")" }
            result.append(HydraInstantiation(call: call.node, text: text))
        }
        return result
    }

    /// The keys a configuration read goes through: `cfg["optim"]["matrix"]`, `cfg.optim.matrix`, `cfg.get("optim")`.
    /// Nil when a key is not a string the file decides, or when there is no key.
    private func configurationKeys(_ node: Node) -> [String]? {
        let n = unwrapped(node)
        var keys: [String] = []
        if n.type == "attribute", let object = n.child(byField: "object"), let name = n.child(byField: "attribute") {
            keys = (configurationKeys(object) ?? []) + [name.text]
        } else if let (_, chain) = keyPath(n), !chain.isEmpty {
            for key in chain {
                guard let text = SettingsTable.stringValue(key) ?? decidedString(key) else { return nil }
                keys.append(text)
            }
        }
        // The object a read starts from (`self.cfg`, `cfg`) is no key of the document: a leading name that is not a key
        // of it is dropped by the suffix match below.
        return keys.isEmpty ? nil : keys
    }

    /// The document and path of the node a chain of keys reads: the node whose path is the chain, or else the one node
    /// whose path ends with it (a read from a sub-configuration held by a name).
    static func configurationNode(_ keys: [String], in documents: [ConfigurationDocument]) -> (ConfigurationDocument, String)? {
        var suffixMatches: [(ConfigurationDocument, String)] = []
        for start in keys.indices {
            let wanted = keys[start...].joined(separator: ".")
            for document in documents {
                for path in document.targetNodes {
                    if path == wanted { return (document, path) }
                    if path.hasSuffix("." + wanted) { suffixMatches.append((document, path)) }
                }
            }
            if suffixMatches.count == 1 { return suffixMatches[0] }
            if suffixMatches.count > 1 { return nil }
        }
        return nil
    }

    /// The construction a target node stands for, `Target(leading..., key=value, ...)`, or `functools.partial(Target,
    /// ...)` for a partial node. `given`: keywords the call passes (they win over the node's).
    static func construction(_ path: String, in document: ConfigurationDocument, recursive: Bool, leading: [String] = [],
                             given: Set<String> = [], partial forced: Bool = false, depth: Int = 0) -> String? {
        guard depth < 8, let written = document.target(of: path) else { return nil }
        var target = unquoted(written)
        if target.hasPrefix("__main__.") { target.removeFirst("__main__.".count) }
        guard !target.isEmpty, target.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { return nil }
        let partial = forced || ["true", "True", "yes"].contains(document.leaves[ConfigurationDocument.join(path, "_partial_")] ?? "")
        var arguments = leading
        for key in document.children[path] ?? [] where !key.hasPrefix("_") && !given.contains(key) {
            guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                  let value = value(ConfigurationDocument.join(path, key), in: document, recursive: recursive, depth: depth + 1) else { continue }
            arguments.append("\(key)=\(value)")
        }
        if partial { return "functools.partial(\(([target] + arguments).joined(separator: ", ")))" }
        return "\(target)(\(arguments.joined(separator: ", ")))"
    }

    /// The Python value a path of the document holds: a construction, a mapping, or a scalar.
    private static func value(_ path: String, in document: ConfigurationDocument, recursive: Bool, depth: Int) -> String? {
        guard depth < 8 else { return nil }
        if document.target(of: path) != nil {
            return construction(path, in: document, recursive: recursive, partial: !recursive, depth: depth)
        }
        if let keys = document.children[path] {
            var pairs: [String] = []
            for key in keys {
                guard let value = value(ConfigurationDocument.join(path, key), in: document, recursive: recursive, depth: depth + 1) else { continue }
                pairs.append("\"\(key)\": \(value)")
            }
            return "{\(pairs.joined(separator: ", "))}"
        }
        guard let written = document.leaves[path] else { return nil }
        if document.python { return written.contains("\n") || written.contains("#") ? nil : written }
        return scalar(written.trimmingCharacters(in: .whitespaces), in: document, depth: depth)
    }

    /// A scalar of the document as Python writes it; nil when the run decides it (`${env:NAME}`) or it cannot be read.
    private static func scalar(_ text: String, in document: ConfigurationDocument, depth: Int) -> String? {
        guard depth < 8, !text.isEmpty else { return nil }
        if text.hasPrefix("${"), text.hasSuffix("}"), !text.dropFirst(2).contains("$") {
            let reference = String(text.dropFirst(2).dropLast())
            guard !reference.contains(":"), let referenced = document.leaves[reference] else { return nil }
            return scalar(referenced.trimmingCharacters(in: .whitespaces), in: document, depth: depth + 1)
        }
        if let first = text.first, first == "\"" || first == "'" { return text.contains("${") ? nil : text }
        switch text {
        case "true", "True", "yes": return "True"
        case "false", "False", "no": return "False"
        case "null", "None", "~": return "None"
        default: break
        }
        if Double(text.replacingOccurrences(of: "_", with: "")) != nil, text.first != "." || text.count > 1 { return text }
        if text.hasPrefix("["), text.hasSuffix("]") {
            var items: [String] = []
            for item in splitTopLevel(String(text.dropFirst().dropLast())) where !item.isEmpty {
                guard let value = scalar(item, in: document, depth: depth + 1) else { return nil }
                items.append(value)
            }
            return "[\(items.joined(separator: ", "))]"
        }
        guard text.allSatisfy({ $0.isLetter || $0.isNumber || "_.-/".contains($0) }) else { return nil }
        return "\"\(text)\""
    }

    /// The items of a flow list's inside, split at commas outside brackets and quotes, trimmed.
    private static func splitTopLevel(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for c in text {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "[" || c == "{" || c == "(" {
                depth += 1
            } else if c == "]" || c == "}" || c == ")" {
                depth -= 1
            } else if c == ",", depth == 0 {
                items.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(c)
        }
        items.append(current.trimmingCharacters(in: .whitespaces))
        return items
    }

    private static func unquoted(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let first = trimmed.first, first == "\"" || first == "'", trimmed.count >= 2, trimmed.last == first {
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }
}
