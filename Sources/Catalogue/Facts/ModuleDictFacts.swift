import Parsing
import TreeSitterKit

/// Module dictionaries (`nn.ModuleDict`) the file builds with keys written out, and the entries a read or a loop over
/// one selects.
extension PythonFacts {
    /// The constructions an `nn.ModuleDict` read selects: for `self.proj["out"]`, with `self.proj` set (in the reading
    /// class, else anywhere) to `nn.ModuleDict({"q": nn.Linear(...), "out": nn.Linear(...)})`, `nn.ModuleDict(dict(out=
    /// ...))` or `nn.ModuleDict({n: nn.Linear(d, d) for n in ("q", "out")})`, the entry `"out"` is built with (a
    /// comprehension's one value for any key); for a key that is not a string literal (`self.proj[n]`), every entry's.
    /// Nil when the container holds no such dictionary, the key names no entry, or an entry is no construction.
    public func moduleDictEntries(_ container: Node, key: Node) -> [CallSite]? {
        let moduleDicts = moduleDictConstructions(container)
        guard !moduleDicts.isEmpty else { return nil }
        let wanted = SettingsTable.stringValue(unwrapped(key))
        var entries: [Node] = []
        for moduleDict in moduleDicts {
            guard let argument = moduleDict.argument("modules", position: 0).map(unwrapped) else { return nil }
            switch argument.type {
            case "dictionary":
                for pair in argument.namedChildren where pair.type == "pair" {
                    guard let k = pair.child(byField: "key"), let v = pair.child(byField: "value") else { continue }
                    if wanted == nil || SettingsTable.stringValue(k) == wanted { entries.append(v) }
                }
            case "call" where callSite(argument).callee == "dict":
                for (k, v) in callSite(argument).keywords where wanted == nil || k == wanted { entries.append(v) }
            case "dictionary_comprehension":
                guard let v = argument.child(byField: "body")?.child(byField: "value") else { return nil }
                entries.append(v)
            default:
                return nil
            }
        }
        let built = entries.compactMap { constructorCall(unwrapped($0)) }
        return built.isEmpty || built.count != entries.count ? nil : built
    }

    /// The `nn.ModuleDict(...)` constructions a container reference may hold: `self.proj` as set in the reading class
    /// (else anywhere), or any setting of the bare name (`blk.lin`).
    func moduleDictConstructions(_ container: Node) -> [CallSite] {
        var values: [Node] = []
        if container.type == "attribute", container.child(byField: "object")?.text == "self", let owner = enclosingClass(container),
           let name = container.child(byField: "attribute")?.text {
            values = selfAssignedValues(name, in: owner)
        }
        if values.isEmpty, let module = moduleConstructor(container.text) { values = [module.node] }
        return values.compactMap { constructorCall(unwrapped($0)) }.filter { $0.torchCallee == "torch.nn.ModuleDict" }
    }

    /// The keys and entries of the module dictionaries a container may hold, when every key is written out: a dictionary
    /// literal with string keys, `dict(out=...)`, or a comprehension over a sequence of strings written out
    /// (`{n: nn.Linear(d, d) for n in ("q", "k", "v")}`, each key with the comprehension's one value). Nil otherwise.
    public func keyedModuleDictEntries(_ container: Node) -> [(key: String, value: Node)]? {
        let moduleDicts = moduleDictConstructions(container)
        guard !moduleDicts.isEmpty else { return nil }
        var entries: [(key: String, value: Node)] = []
        for moduleDict in moduleDicts {
            // (See `writtenEntries`: every key must be known.)
            guard let written = writtenEntries(moduleDict.node, depth: 0) else { return nil }
            for entry in written {
                guard let key = entry.key else { return nil }
                entries.append((key, entry.value))
            }
        }
        return entries
    }

    /// For a name a loop binds to a module dictionary's entries (`for key, lin in blk.lin.items()`, `for lin in
    /// self.proj.values()`, `for key in self.proj: lin = self.proj[key]` is not followed), the keys whose entries reach
    /// `site` inside the loop: those for which every `if` condition around the site that reads the key variable is true
    /// with the key bound (`if key.endswith("_out")`, `if key in ("attn_out", "ff_out")`) and every earlier `if ...:
    /// continue` reading it is false. Nil when the name is bound
    /// otherwise or the dictionary's keys are not written out.
    public func moduleDictLoopKeys(_ module: Node, at site: Node) -> [String]? {
        guard module.type == "identifier", let loop = enclosingLoops(site).first(where: { loop in
            loop.type == "for_statement" && loopVariables(loop).last == module.text
        }), let iterable = loop.child(byField: "right").map(unwrapped), iterable.type == "call",
              case let call = callSite(iterable), ["items", "values"].contains(call.name), call.positional.isEmpty,
              let container = call.receiver, let entries = keyedModuleDictEntries(container) else { return nil }
        let variables = loopVariables(loop)
        let keyVariable = call.name == "items" && variables.count == 2 ? variables[0] : nil
        guard let keyVariable else { return entries.map(\.key) }
        // Conditions that must hold (an `if` around the site) and conditions that must not (an earlier `if ...: continue`
        // of a block around the site).
        var holding: [Node] = [], skipping: [Node] = []
        var child = site
        for ancestor in ancestors(of: site) {
            if ancestor == loop { break }
            if ancestor.type == "if_statement", child.type != "else_clause", child.type != "elif_clause",
               let condition = ancestor.child(byField: "condition"), mentions(condition, keyVariable) {
                holding.append(condition)
            }
            if ancestor.type == "block" {
                for statement in ancestor.namedChildren where statement.endByte <= child.startByte && statement.type == "if_statement" {
                    guard let condition = statement.child(byField: "condition"), mentions(condition, keyVariable),
                          statement.child(byField: "alternative") == nil,
                          statement.child(byField: "consequence")?.namedChildren.last?.type == "continue_statement" else { continue }
                    skipping.append(condition)
                }
            }
            child = ancestor
        }
        let interpreter = ScriptInterpreter(self)
        return entries.compactMap { entry in
            let env = [keyVariable: ScriptValue.string(entry.key)]
            let selected = holding.allSatisfy { interpreter.value(of: $0, env: env)?.truthy == true }
                && skipping.allSatisfy { interpreter.value(of: $0, env: env)?.truthy == false }
            return selected ? entry.key : nil
        }
    }
}
