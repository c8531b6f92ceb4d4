import TreeSitterKit

/// Modules put in place by name on a built model, the way model-surgery code does it: `setattr(model.transformer,
/// "wte", m)`, torch's `model.set_submodule("transformer.wte", m)`, or a helper of the file that walks a dotted path
/// and ends in `setattr(parent, leaf, m)` (`def set_module(root, path, m): parent_name, _, leaf = path.rpartition(".");
/// ...; setattr(parent, leaf, m)`, called as `set_module(model, "transformer.wte", RMSNormed(table))`). Each binds
/// the path's last attribute to the module, as `model.transformer.wte = m` would (see `Dataflow.attributeBindings`).
extension PythonFacts {
    /// A module put in place by name: the attribute it becomes, the value, and the call doing it.
    public struct NamedReplacement {
        public let attribute: String
        public let value: Node
        public let call: Node
    }

    /// Every module the file puts in place by name (see `NamedReplacement`), in file order. Read from the syntax
    /// alone, names as written (the data flow is built from these, and call sites resolve names through it).
    public func namedReplacements() -> [NamedReplacement] {
        memoized("namedReplacements") {
            var result: [NamedReplacement] = []
            func lastPart(_ node: Node) -> String? {
                guard let path = SettingsTable.stringValue(unwrapped(node)), let last = path.split(separator: ".").last,
                      !last.allSatisfy(\.isNumber) else { return nil }
                return String(last)
            }
            let helpers = Dictionary(replacementHelpers().map { ($0.function.name, $0) }) { first, _ in first }
            for node in nodes(ofType: "call") {
                guard let function = node.child(byField: "function").map(unwrapped), let (positional, keywords) = Self.writtenArguments(node) else { continue }
                if function.type == "identifier", function.text == "setattr", positional.count == 3, keywords.isEmpty,
                   let name = lastPart(positional[1]) {
                    result.append(NamedReplacement(attribute: name, value: positional[2], call: node))
                } else if function.type == "attribute", function.child(byField: "attribute")?.text == "set_submodule",
                          positional.count >= 2, let name = lastPart(positional[0]) {
                    result.append(NamedReplacement(attribute: name, value: positional[1], call: node))
                } else if function.type == "identifier", let helper = helpers[function.text] {
                    guard let path = keywords[helper.path] ?? (helper.pathIndex < positional.count ? positional[helper.pathIndex] : nil),
                          let value = keywords[helper.module] ?? (helper.moduleIndex < positional.count ? positional[helper.moduleIndex] : nil),
                          let name = lastPart(path) else { continue }
                    result.append(NamedReplacement(attribute: name, value: value, call: node))
                }
            }
            return result
        }
    }

    /// A call's arguments as written: the positional ones and the keywords; nil when it spreads `*` or `**`.
    static func writtenArguments(_ call: Node) -> (positional: [Node], keywords: [String: Node])? {
        guard let arguments = call.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
        var positional: [Node] = []
        var keywords: [String: Node] = [:]
        for argument in arguments.namedChildren where argument.type != "comment" {
            switch argument.type {
            case "list_splat", "dictionary_splat": return nil
            case "keyword_argument":
                guard let name = argument.child(byField: "name")?.text, let value = argument.child(byField: "value") else { return nil }
                keywords[name] = value
            default: positional.append(argument)
            }
        }
        return (positional, keywords)
    }

    /// Module-level functions that end a walk of a dotted path in `setattr(parent, leaf, module)`: `leaf` a local the
    /// function computes from its `path` parameter (`path.rpartition(".")`, `path.split(".")[-1]`), `module` another of
    /// its parameters. With each parameter's name and position.
    func replacementHelpers() -> [(function: Function, path: String, pathIndex: Int, module: String, moduleIndex: Int)] {
        var result: [(function: Function, path: String, pathIndex: Int, module: String, moduleIndex: Int)] = []
        for function in functions where enclosingClass(function.node) == nil {
            guard let body = function.body else { continue }
            let parameters = function.parameters
            for node in descendants(of: body) where node.type == "call" && node.child(byField: "function")?.text == "setattr" {
                guard let (positional, _) = Self.writtenArguments(node), positional.count == 3,
                      case let leaf = unwrapped(positional[1]), leaf.type == "identifier",
                      case let module = unwrapped(positional[2]), module.type == "identifier",
                      let moduleIndex = parameters.firstIndex(of: module.text) else { continue }
                // The local `leaf` is set from a parameter holding the dotted path.
                let sources = descendants(of: body).filter { assignment in
                    guard assignment.type == "assignment", assignment.startByte < node.startByte,
                          let left = assignment.child(byField: "left") else { return false }
                    if left.type == "identifier" { return left.text == leaf.text }
                    // (`parent_name, _, leaf = ...`; not `parent[int(leaf)] = module`, which only reads it.)
                    return ["pattern_list", "tuple_pattern"].contains(left.type)
                        && left.namedChildren.contains { $0.type == "identifier" && $0.text == leaf.text }
                }
                guard let source = sources.last?.child(byField: "right"),
                      let pathIndex = parameters.firstIndex(where: { name in
                          name != module.text && descendants(of: source).contains { $0.type == "identifier" && $0.text == name }
                      }) else { continue }
                result.append((function, parameters[pathIndex], pathIndex, module.text, moduleIndex))
                break
            }
        }
        return result
    }
}
