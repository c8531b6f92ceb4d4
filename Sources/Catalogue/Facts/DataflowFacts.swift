import Foundation
import Parsing
import TreeSitterKit

/// Where a name gets its value in one scope: an assignment (whole value or one element of an unpacked
/// value), an augmented assignment, a loop or comprehension target, or a parameter.
public struct NameBinding {
    public enum Kind: Equatable {
        /// `name = value` (also one element of `a, b = x, y`, `with value as name`, and `(name := value)`).
        case value
        /// `a, name = value` with a value that is not a literal tuple: element `index` of it.
        case element(Int)
        /// `name += value`.
        case augmented
        /// `for name in value` (element `index` of the target tuple when the target unpacks).
        case iteration(Int?)
        /// Parameter `index` of a function or lambda (`self` counts); `node` is the function or lambda.
        case parameter(Int)
    }

    public let kind: Kind
    /// The value, iterable, or function/lambda node.
    public let node: Node
    /// The statement (or clause, or definition) that binds the name.
    public let site: Node
}

/// A file's name bindings indexed by scope (module, function, lambda, comprehension, class body), so a name
/// read at a node is resolved to the bindings Python would use: the innermost scope that binds it. Attribute
/// targets (`self.tokens = ...`) are indexed by attribute name over the whole file. Built in one walk.
public final class Dataflow {
    /// Unowned: the facts keep their data flow (`facts.dataflow`), and a cycle would never be freed.
    public unowned let facts: PythonFacts
    private var scopes: [Node: [String: [NameBinding]]] = [:]
    private var attributes: [String: [NameBinding]] = [:]
    /// Every function and lambda by its node.
    private var parameterLists: [Node: [String]] = [:]
    /// Memoized call sites, and instance classes per node and steps left (both are asked for the same nodes many times).
    var callSiteCache: [Node: [(call: CallSite, offset: Int)]] = [:]
    var instanceClassesAtDepth: [NodeAtDepth: Set<String>] = [:]
    /// Questions being answered (`callSites(of:)`, `instanceClasses(of:)`), so that a cycle ends instead of recursing.
    var callSitesInProgress = Set<Node>()
    var instanceClassesInProgress = Set<Node>()
    /// How many times a question was cut short by one still open (answers computed meanwhile are not cached).
    var cyclesCut = 0

    static let scopeTypes: Set<String> = [
        "function_definition", "lambda", "class_definition", "list_comprehension", "generator_expression",
        "set_comprehension", "dictionary_comprehension",
    ]
    static let comprehensionTypes: Set<String> = [
        "list_comprehension", "generator_expression", "set_comprehension", "dictionary_comprehension",
    ]

    public init(_ facts: PythonFacts) {
        self.facts = facts
        visit(facts.root, scope: facts.root)
        // Modules put in place by name (`setattr(m, "wte", x)`, `set_module(model, "transformer.wte", x)`) bind the
        // attribute as an assignment would.
        for replacement in facts.namedReplacements() {
            attributes[replacement.attribute, default: []].append(NameBinding(kind: .value, node: replacement.value, site: replacement.call))
        }
    }

    // MARK: Lookup

    /// The scopes whose bindings a read at `node` may see, innermost first, ending with the module.
    public func scopeChain(of node: Node) -> [Node] {
        if let known = chains[node] { return known }
        let chain = computeScopeChain(of: node)
        chains[node] = chain
        return chain
    }

    /// Scope chains already computed, by node (bindings are looked up for the same reads many times).
    private var chains: [Node: [Node]] = [:]

    private func computeScopeChain(of node: Node) -> [Node] {
        var chain: [Node] = []
        var current = node.parent
        var child = node
        var insideFunction = false
        while let c = current {
            switch c.type {
            case "function_definition":
                // Only the body is the function's scope (defaults and decorators are read outside it).
                if c.child(byField: "body").map({ $0.byteRange.contains(child.startByte) }) == true
                    || c.child(byField: "parameters") == child {
                    chain.append(c)
                    insideFunction = true
                }
            case "lambda":
                if c.child(byField: "body") == child { chain.append(c); insideFunction = true }
            case "class_definition":
                if !insideFunction { chain.append(c) }
            case let type where Self.comprehensionTypes.contains(type):
                chain.append(c)
            default:
                break
            }
            child = c
            current = c.parent
        }
        chain.append(facts.root)
        return chain
    }

    /// The bindings a read of `name` at `use` sees (those of the innermost scope that binds it).
    public func bindings(of name: String, at use: Node) -> [NameBinding] {
        for scope in scopeChain(of: use) {
            if let found = scopes[scope]?[name], !found.isEmpty { return found }
        }
        return []
    }

    /// Bindings of an attribute name anywhere in the file (`self.tokens = ...`, `obj.tokens, x = ...`).
    public func attributeBindings(_ name: String) -> [NameBinding] { attributes[name] ?? [] }

    /// The bindings of a reference: an identifier through its scopes, an attribute through every assignment
    /// to that attribute name.
    public func bindings(ofReference node: Node) -> [NameBinding] {
        switch node.type {
        case "identifier":
            return bindings(of: node.text, at: node)
        case "attribute":
            guard let name = node.child(byField: "attribute")?.text else { return [] }
            return scopedToClass(attributeBindings(name), reference: node)
        default:
            return []
        }
    }

    /// For `obj.x`, the values `x` gets as an entry of a container or a config object: a keyword of `dict(x=...)`
    /// or of a config class, a dictionary literal's `"x"`, and `d["x"] = ...` written into a dictionary later
    /// registered as modules (`nn.ModuleDict(d)`); scoped to the reading class like `scopedToClass`.
    public func entryBindings(of node: Node) -> [NameBinding] {
        guard node.type == "attribute", let name = node.child(byField: "attribute")?.text else { return [] }
        let entries = facts.allSettings.settings(name).filter {
            $0.source == .dictionaryEntry || $0.source == .override || $0.written.hasSuffix("]")
        }
        return scopedToClass(entries.map { NameBinding(kind: .value, node: $0.value, site: $0.site) }, reference: node)
    }

    /// For `self.x`, the bindings made in the class that reads it when there are any (another class may use the
    /// same attribute name for something else), with the modules put in its place from outside (see
    /// `isSurgery`); all of them otherwise.
    public func scopedToClass(_ bindings: [NameBinding], reference node: Node) -> [NameBinding] {
        guard node.type == "attribute", let object = node.child(byField: "object"), object.type == "identifier", object.text == "self",
              let owner = facts.enclosingClass(node) else { return bindings }
        let own = bindings.filter { owner.node.byteRange.contains($0.site.startByte) }
        return own.isEmpty ? bindings : own + surgery(bindings, outside: owner)
    }

    /// The modules of the file put in place of `self.x` from outside the class reading it (see `isSurgery`), by the
    /// class each builds.
    public func surgeryClasses(of reference: Node) -> [String] {
        guard reference.type == "attribute", reference.child(byField: "object")?.text == "self",
              let name = reference.child(byField: "attribute")?.text, let owner = facts.enclosingClass(reference) else { return [] }
        return surgery(attributeBindings(name), outside: owner).compactMap { facts.unwrapped($0.node).child(byField: "function")?.text }
    }

    /// The bindings made outside `owner` that are module surgery (see `isSurgery`).
    private func surgery(_ bindings: [NameBinding], outside owner: PythonFacts.Class) -> [NameBinding] {
        bindings.filter { !owner.node.byteRange.contains($0.site.startByte) && isSurgery($0) }
    }

    /// A module of the file put in an attribute of another object from outside its class, as surgery on a built model
    /// does: `model.lm_head = CappedHead(model.lm_head)`, `state.model.squash = Sigmoid()`, `setattr(model, "x", M())`.
    /// Numbers and other values written onto objects (`args.lr = 0.1`) are not.
    private func isSurgery(_ binding: NameBinding) -> Bool {
        let value = facts.unwrapped(binding.node)
        guard binding.kind == .value, value.type == "call",
              let callee = value.child(byField: "function"), facts.classNameSet.contains(callee.text) else { return false }
        if binding.site.type == "call" { return true }
        guard binding.site.type == "assignment", let left = binding.site.child(byField: "left"), left.type == "attribute",
              let receiver = left.child(byField: "object") else { return false }
        return receiver.text != "self"
    }

    /// The parameter names of a function or lambda node.
    public func parameters(of function: Node) -> [String] { parameterLists[function] ?? [] }

    /// The last `.value` binding of a local name that lies before `use` in the same function (the value the
    /// name holds there in straight-line code), or nil.
    public func latestValue(of name: String, before use: Node) -> Node? {
        let candidates = bindings(of: name, at: use).filter { $0.kind == .value && $0.site.endByte <= use.startByte }
        return candidates.max { $0.site.startByte < $1.site.startByte }?.node
    }

    /// The values of a local name that may reach `use`: the latest `.value` binding before it (see `latestValue`) and,
    /// when that one is in a branch of an `if` statement that does not hold `use`, the last binding in each other
    /// branch of that statement (`if split: blocks = g.split(d)` / `else: blocks = (g,)` both reach the loop after it).
    public func reachingValues(of name: String, before use: Node) -> [Node] {
        let candidates = bindings(of: name, at: use).filter { $0.kind == .value && $0.site.endByte <= use.startByte }
        guard let latest = candidates.max(by: { $0.site.startByte < $1.site.startByte }) else { return [] }
        var result = [latest.node]
        // The innermost `if` statement whose branch holds the latest binding, unless it also holds the use. Without an
        // `else`, the value from before the statement reaches too.
        var cursor = latest.site.parent
        while let node = cursor, node.type != "function_definition", node.type != "module" {
            defer { cursor = node.parent }
            guard node.type == "if_statement" else { continue }
            guard !node.byteRange.contains(use.startByte) else { break }
            let alternatives = node.namedChildren.filter { ["elif_clause", "else_clause"].contains($0.type) }
            for other in [node.child(byField: "consequence")].compactMap({ $0 }) + alternatives
            where !other.byteRange.contains(latest.site.startByte) {
                let inOther = candidates.filter { other.byteRange.contains($0.site.startByte) }
                if let last = inOther.max(by: { $0.site.startByte < $1.site.startByte }) { result.append(last.node) }
            }
            if !alternatives.contains(where: { $0.type == "else_clause" }),
               let before = candidates.filter({ $0.site.endByte <= node.startByte }).max(by: { $0.site.startByte < $1.site.startByte }) {
                result.append(before.node)
            }
            break
        }
        return result
    }

    // MARK: Walk

    private func add(_ name: String, _ binding: NameBinding, scope: Node) {
        scopes[scope, default: [:]][name, default: []].append(binding)
    }

    private func visit(_ node: Node, scope: Node) {
        switch node.type {
        case "function_definition":
            let names = parameterNames(node.child(byField: "parameters"))
            parameterLists[node] = names
            for (index, name) in names.enumerated() {
                add(name, NameBinding(kind: .parameter(index), node: node, site: node), scope: node)
            }
            if let nameNode = node.child(byField: "name") {
                add(nameNode.text, NameBinding(kind: .value, node: node, site: node), scope: scope)
            }
            // Parameter defaults are evaluated in the enclosing scope.
            if let parameters = node.child(byField: "parameters") { visit(parameters, scope: scope) }
            if let body = node.child(byField: "body") { visit(body, scope: node) }
            return
        case "lambda":
            let names = parameterNames(node.child(byField: "parameters"))
            parameterLists[node] = names
            for (index, name) in names.enumerated() {
                add(name, NameBinding(kind: .parameter(index), node: node, site: node), scope: node)
            }
            if let body = node.child(byField: "body") { visit(body, scope: node) }
            return
        case "class_definition":
            if let nameNode = node.child(byField: "name") {
                add(nameNode.text, NameBinding(kind: .value, node: node, site: node), scope: scope)
            }
            if let body = node.child(byField: "body") { visit(body, scope: node) }
            return
        case let type where Self.comprehensionTypes.contains(type):
            for clause in node.namedChildren where clause.type == "for_in_clause" {
                if let left = clause.child(byField: "left"), let right = clause.child(byField: "right") {
                    bindTargets(left, iterating: right, site: clause, scope: node)
                }
            }
            for child in node.namedChildren { visit(child, scope: node) }
            return
        case "assignment":
            if let left = node.child(byField: "left"), var right = node.child(byField: "right") {
                // x = y = value: every target gets the innermost value.
                var targets = [left]
                while right.type == "assignment", let inner = right.child(byField: "left"), let value = right.child(byField: "right") {
                    targets.append(inner)
                    right = value
                }
                for target in targets { bindAssignment(target, right, site: node, scope: scope) }
            }
        case "augmented_assignment":
            if let left = node.child(byField: "left"), let right = node.child(byField: "right") {
                bind(left, NameBinding(kind: .augmented, node: right, site: node), scope: scope)
            }
        case "for_statement":
            if let left = node.child(byField: "left"), let right = node.child(byField: "right") {
                bindTargets(left, iterating: right, site: node, scope: scope)
            }
        case "named_expression":
            // `(f := min(step / n, 1))` binds `f` like an assignment, in the scope it is written in.
            if let name = node.child(byField: "name"), let value = node.child(byField: "value") {
                bind(name, NameBinding(kind: .value, node: value, site: node), scope: scope)
            }
        case "with_item":
            if let value = node.child(byField: "value"), value.type == "as_pattern",
               let source = value.namedChildren.first, let target = value.child(byField: "alias") ?? value.namedChildren.last {
                let name = target.type == "as_pattern_target" ? (target.namedChildren.first ?? target) : target
                bind(name, NameBinding(kind: .value, node: source, site: node), scope: scope)
            }
        default:
            break
        }
        for child in node.namedChildren { visit(child, scope: scope) }
    }

    private func bindAssignment(_ target: Node, _ value: Node, site: Node, scope: Node) {
        switch target.type {
        case "pattern_list", "tuple_pattern", "list_pattern":
            let elements = target.namedChildren
            let values = value.type == "tuple" || value.type == "expression_list" || value.type == "list"
                ? value.namedChildren : nil
            // `(p_n, p_i), (f_n, f_i) = (order(m) for m in (partial, full))`: a comprehension over as many items as
            // there are targets gives a nested target the comprehension's element to unpack (the loop's name free).
            let element = values == nil ? comprehensionElement(value, count: elements.count) : nil
            for (index, target) in elements.enumerated() {
                if let element, ["pattern_list", "tuple_pattern", "list_pattern"].contains(target.type) {
                    bindAssignment(target, element, site: site, scope: scope)
                    continue
                }
                bindElement(target, index: index, of: elements.count, values: values, value: value, site: site, scope: scope)
            }
        default:
            bind(target, NameBinding(kind: .value, node: value, site: site), scope: scope)
        }
    }

    /// Binds one target of a pattern: to the value at its place when the value is written as a tuple or list of as
    /// many items (a nested target unpacks that value: `(p_n, p_i), (f_n, f_i) = order(a), order(b)`), else as element
    /// `index` of the value.
    private func bindElement(_ element: Node, index: Int, of count: Int, values: [Node]?, value: Node, site: Node, scope: Node) {
        guard let values, values.count == count else {
            bind(element, NameBinding(kind: .element(index), node: value, site: site), scope: scope)
            return
        }
        if ["pattern_list", "tuple_pattern", "list_pattern"].contains(element.type) {
            bindAssignment(element, facts.unwrapped(values[index]), site: site, scope: scope)
        } else {
            bind(element, NameBinding(kind: .value, node: values[index], site: site), scope: scope)
        }
    }

    /// The element of a generator expression or list comprehension that walks a literal tuple or list of `count` items
    /// with one `for` clause and no condition (`order(m) for m in (partial, full)`): `order(m)`. Nil otherwise, also
    /// when two items are written the same (the targets would not be told apart).
    private func comprehensionElement(_ value: Node, count: Int) -> Node? {
        let value = facts.unwrapped(value)
        guard ["generator_expression", "list_comprehension"].contains(value.type), let body = value.child(byField: "body") else { return nil }
        let clauses = value.namedChildren.filter { ["for_in_clause", "if_clause"].contains($0.type) }
        guard clauses.count == 1, clauses[0].type == "for_in_clause", let items = clauses[0].child(byField: "right").map(facts.unwrapped),
              ["tuple", "list"].contains(items.type), items.namedChildren.count == count,
              Set(items.namedChildren.map { facts.compact($0) }).count == count else { return nil }
        return facts.unwrapped(body)
    }

    private func bindTargets(_ target: Node, iterating iterable: Node, site: Node, scope: Node) {
        switch target.type {
        case "pattern_list", "tuple_pattern", "list_pattern":
            for (index, element) in target.namedChildren.enumerated() {
                if ["tuple_pattern", "list_pattern"].contains(element.type) {
                    // `for i, (block, ve) in enumerate(zip(blocks, values))`: a nested target unpacks the element its
                    // place takes, an element of that argument of `zip` (of `enumerate`'s argument at place 1); of
                    // an iterable read no further, each name is bound like the place it sits in.
                    if let inner = zippedIterable(iterable, place: index) {
                        bindTargets(element, iterating: inner, site: site, scope: scope)
                    } else {
                        for name in element.namedChildren {
                            bindTargets(name, iterating: iterable, index: index, site: site, scope: scope)
                        }
                    }
                    continue
                }
                bind(element, NameBinding(kind: .iteration(index), node: iterable, site: site), scope: scope)
            }
        default:
            bind(target, NameBinding(kind: .iteration(nil), node: iterable, site: site), scope: scope)
        }
    }

    /// Binds every name of a nested target as element `index` of the loop's iterable (patterns nested deeper too).
    private func bindTargets(_ target: Node, iterating iterable: Node, index: Int, site: Node, scope: Node) {
        if ["tuple_pattern", "list_pattern", "pattern_list"].contains(target.type) {
            for name in target.namedChildren { bindTargets(name, iterating: iterable, index: index, site: site, scope: scope) }
        } else {
            bind(target, NameBinding(kind: .iteration(index), node: iterable, site: site), scope: scope)
        }
    }

    /// For a loop over the builtin `zip(a, b, ...)` or `enumerate(a)`, the iterable whose elements fill a place of
    /// the loop target: `zip`'s argument at that place, `enumerate`'s argument at place 1. Nil for anything else
    /// (a spread argument, a `zip` or `enumerate` imported under that name).
    private func zippedIterable(_ iterable: Node, place: Int) -> Node? {
        let call = facts.unwrapped(iterable)
        guard call.type == "call", let function = call.child(byField: "function"), function.type == "identifier",
              facts.imports.bindings[function.text] == nil,
              let arguments = call.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
        let items = arguments.namedChildren.filter { $0.type != "comment" }
        guard !items.contains(where: { $0.type.hasSuffix("splat") }) else { return nil }
        let positional = items.filter { $0.type != "keyword_argument" }
        switch function.text {
        case "zip": return place < positional.count ? positional[place] : nil
        case "enumerate": return place == 1 ? positional.first : nil
        default: return nil
        }
    }

    private func bind(_ target: Node, _ binding: NameBinding, scope: Node) {
        switch target.type {
        case "identifier":
            add(target.text, binding, scope: scope)
        case "attribute":
            if let name = target.child(byField: "attribute")?.text { attributes[name, default: []].append(binding) }
        default:
            break
        }
    }

    /// The parameters that take one argument each (not `*args` or `**kwargs`).
    private func parameterNames(_ parameters: Node?) -> [String] {
        FunctionParameter.list(parameters).filter(\.takesOneArgument).map(\.name)
    }
}

extension PythonFacts {
    /// The import table with every name of a multi-name `from m import a, b as c` bound (the table built while
    /// parsing can keep only the first name of such a statement).
    public var fullImports: ImportTable {
        memoized("fullImports") {
            var table = imports
            for statement in nodes(ofType: "import_from_statement") {
                guard let module = statement.child(byField: "module_name") else { continue }
                for child in statement.namedChildren where child != module {
                    switch child.type {
                    case "dotted_name":
                        if table.bindings[child.text] == nil { table.bind(child.text, to: "\(module.text).\(child.text)") }
                    case "aliased_import":
                        if let name = child.child(byField: "name"), let alias = child.child(byField: "alias"), table.bindings[alias.text] == nil {
                            table.bind(alias.text, to: "\(module.text).\(name.text)")
                        }
                    default:
                        continue
                    }
                }
            }
            return table
        }
    }

    /// A call's arguments in order, positional and keyword values, including a bare generator argument
    /// (`nn.ModuleList(Block() for _ in range(n))`, which has no argument list).
    public func callArguments(_ call: CallSite) -> [Node] {
        if let arguments = call.node.child(byField: "arguments"), arguments.type == "generator_expression" { return [arguments] }
        return call.positional + Array(call.keywords.values)
    }

    /// A call's callee resolved with `fullImports`; a call through a callable alias (`wrap = functools.partial(DDP,
    /// gradient_as_bucket_view=True)`, then `wrap(model)`) names the aliased function, as `CallSite.callee` does.
    public func resolvedCallee(_ call: CallSite, imports table: ImportTable) -> String {
        if let function = call.function, function.type == "identifier" || function.type == "attribute",
           callableAliases[function.text] != nil {
            return call.callee
        }
        return call.function.flatMap { table.qualifiedName(of: $0) } ?? call.callee
    }

    /// Strips wrappers that do not change what an expression denotes: parentheses.
    /// For `items[i]` with `items` bound to a list or tuple literal (`optimizers = [adam, ortho]`, or the one
    /// list a function or method of the file returns, literal or through the name it returns) and a literal index,
    /// the element (`ortho` for `optimizers[1]`); for a name set to such an element (`muon = optimizers[1]`), the same.
    /// A string key reads the dictionary the name holds or is filled with (`opts["ortho"]`, see `keyedElement`).
    public func indexedElement(_ node: Node) -> Node? {
        var node = unwrapped(node)
        if node.type == "identifier", let value = latestValue(of: node.text, before: node).map(unwrapped), value.type == "subscript" {
            node = value
        }
        if node.type == "subscript", let index = node.child(byField: "subscript"), string(of: index) != nil { return keyedElement(node) }
        guard node.type == "subscript", let value = node.child(byField: "value"), value.type == "identifier",
              let index = node.child(byField: "subscript"), let i = self.value(of: index)?.double.asBoundedInt,
              // The list the name was last given (`optimizers = raw_model.configure_optimizers(...)`, which returns
              // its local `optimizers = [...]`), one unpacked from a call, or a parameter's (`def
              // on_train_batch_start(self, step, optimizers)`, called with such a name).
              let items = listItems(value) else { return nil }
        let k = i < 0 ? items.count + i : i
        return k >= 0 && k < items.count ? items[k] : nil
    }

    /// The items of the list or tuple an expression holds, followed through names (their last value, or the part
    /// of an unpacked call's result they take), calls of the file's functions and methods (what they return), and
    /// parameters (what the callers pass); nil when it is not one list the file writes.
    func listItems(_ expression: Node, depth: Int = 0) -> [Node]? {
        let node = unwrapped(expression)
        guard depth < 5 else { return nil }
        switch node.type {
        case "list", "tuple", "expression_list":
            let items = node.namedChildren.filter { $0.type != "comment" }
            return items.contains(where: { $0.type == "list_splat" }) ? nil : items
        case "call":
            // A JSON array the script parses (`json.loads("""[...]""")`, see `jsonDocument`).
            if let document = loadedDocument(node) { return document.type == "list" ? listItems(document, depth: depth + 1) : nil }
            let returned = targets(of: callSite(node)).flatMap { returnedValues($0) }
            return returned.count == 1 ? listItems(returned[0], depth: depth + 1) : nil
        case "subscript":
            // An entry of a configuration read by its key (`config["optimizer"]`): the list it holds in the dictionaries
            // the configuration denotes (a literal, a parsed JSON document, what a parameter's callers pass).
            guard let table = node.child(byField: "value"), let key = node.child(byField: "subscript").map(unwrapped).flatMap(SettingsTable.stringValue)
            else { return nil }
            let held = entries(key, in: table)
            return held.count == 1 ? listItems(held[0], depth: depth + 1) : nil
        case "identifier":
            if var value = latestValue(of: node.text, before: node) {
                // `x = [x]` normalizing a single entry to a list (`if isinstance(x, dict): x = [x]`): the list it was.
                if unwrapped(value).type == "list", case let items = unwrapped(value).namedChildren, items.count == 1,
                   unwrapped(items[0]).type == "identifier", unwrapped(items[0]).text == node.text,
                   let earlier = latestValue(of: node.text, before: value) {
                    value = earlier
                }
                return listItems(value, depth: depth + 1)
            }
            for assignment in assignments(around: node) where assignment.type == "assignment" && assignment.endByte <= node.startByte {
                guard let left = assignment.child(byField: "left"), left.type == "pattern_list" || left.type == "tuple_pattern",
                      let position = left.namedChildren.firstIndex(where: { $0.type == "identifier" && $0.text == node.text }),
                      let right = assignment.child(byField: "right"),
                      let parts = listItems(right, depth: depth + 1), parts.count == left.namedChildren.count else { continue }
                return listItems(parts[position], depth: depth + 1)
            }
            for argument in callerArguments(of: node) {
                if let items = listItems(argument, depth: depth + 1) { return items }
            }
            // A module-level table read inside a function (`for name, attr, kind in OPTIMIZER_TABLE:` in a builder):
            // its one module binding, when the function binds no local of that name.
            if enclosingFunction(node) != nil, !isLocallyBound(node) {
                let module = moduleBindings(of: node.text)
                if module.count == 1, let value = module[0].value { return listItems(value, depth: depth + 1) }
            }
            return nil
        case "attribute":
            // `self.opts`, set in another method of the class (`self.opts, self.scheds = ...`).
            guard node.child(byField: "object")?.text == "self", let owner = enclosingClass(node) else { return nil }
            // The last assignment that gives a list (`self.opts = None` in `__init__`, the list in `setup()`).
            var found: [Node]?
            for assignment in nodes(ofType: "assignment") where isInside(assignment, owner.node) {
                guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right") else { continue }
                if left.type == "attribute", left.text == node.text {
                    if let items = listItems(right, depth: depth + 1) { found = items }
                    continue
                }
                guard left.type == "pattern_list" || left.type == "tuple_pattern",
                      let position = left.namedChildren.firstIndex(where: { $0.text == node.text }),
                      let parts = listItems(right, depth: depth + 1), parts.count == left.namedChildren.count,
                      let items = listItems(parts[position], depth: depth + 1) else { continue }
                found = items
            }
            return found
        default:
            return nil
        }
    }

    public func unwrapped(_ node: Node) -> Node {
        var current = node
        while current.type == "parenthesized_expression", let inner = current.namedChildren.first { current = inner }
        return current
    }

    /// The three parts of a conditional expression `value if test else alternative`, in that order. The grammar keeps
    /// comments and the `\` line continuations written inside one among its children (`X \` then `if flag else Y` on
    /// the next line has four), which are not parts.
    public func conditionalParts(_ node: Node) -> (value: Node, test: Node, alternative: Node)? {
        guard node.type == "conditional_expression" else { return nil }
        let parts = node.namedChildren.filter { $0.type != "comment" && $0.type != "line_continuation" }
        return parts.count == 3 ? (parts[0], parts[1], parts[2]) : nil
    }

    /// The sides of `a if test else b` a run may take: the one the configuration's decided truth of the test picks
    /// (see `truth(of:)`), else both; empty for anything else.
    public func liveBranches(of conditional: Node) -> [Node] {
        guard let parts = conditionalParts(conditional) else { return [] }
        switch truth(of: parts.test) {
        case true?: return [parts.value]
        case false?: return [parts.alternative]
        case nil: return [parts.value, parts.alternative]
        }
    }

    /// The conditions that hold wherever `node` runs in its function, innermost first: the test of each `if` or `elif`
    /// whose block holds it (`if g.size(0) == 3 * g.size(1): ...`) and of each `value if test else alternative` whose
    /// value holds it. An `else` side gives none.
    public func holdingConditions(_ node: Node) -> [Node] {
        var result: [Node] = []
        var current = node
        while let parent = current.parent, !["function_definition", "lambda", "class_definition", "module"].contains(parent.type) {
            switch parent.type {
            case "if_statement", "elif_clause":
                if parent.child(byField: "consequence") == current, let test = parent.child(byField: "condition") { result.append(test) }
            case "conditional_expression":
                if let parts = conditionalParts(parent), parts.value == current { result.append(parts.test) }
            default:
                break
            }
            current = parent
        }
        return result
    }

    /// Named descendants of a node (the node included), skipping string contents.
    public func descendants(_ node: Node) -> [Node] { node.namedDescendants { $0.type == "string" } }

    /// Whether `inner` lies within `outer`.
    public func isInside(_ inner: Node, _ outer: Node) -> Bool {
        outer.byteRange.contains(inner.startByte) && inner.endByte <= outer.endByte
    }

    /// Whether an expression is the literal `True` or resolves to a non-zero number (`True` folds to 1).
    public func isTruthy(_ node: Node) -> Bool {
        let n = unwrapped(node)
        if n.type == "call", callSite(n).callee == "bool", let inner = callSite(n).positional.first {
            return isTruthy(inner)
        }
        if n.type == "true" { return true }
        if n.type == "false" || n.type == "none" { return false }
        // A literal container is true when it holds something (`fp8_scales=(2.0, 512.0, 2.0 ** 19)`).
        if ["tuple", "list", "dictionary", "set"].contains(n.type) { return n.namedChildren.contains { $0.type != "comment" } }
        // An instance of a class of the file that does not define its own truth (`FP8Scales()`), nor inherits one
        // from a class outside the file (`class Options(dict)` is false when empty).
        if n.type == "call", let c = boundClass(named: callSite(n).callee),
           method("__bool__", of: c) == nil, method("__len__", of: c) == nil,
           lineage(of: c).allSatisfy({ member in member.bases.allSatisfy { base in
               base == "object" || baseClass(named: base.lastDottedComponent, of: member) != nil
           } }) {
            return true
        }
        let values = self.values(of: n)
        if !values.isEmpty { return values[0].double != 0 }
        // A switch the configuration decides (`use_fp8 = not os.environ.get("DISABLE_FP8", False)`, see `truth(of:)`).
        return truth(of: n) == true
    }

    /// The dictionary nodes an expression may denote: a dict literal, `dict(...)`, or a name/entry set to one (a helper's
    /// parameter: what its callers pass); also
    /// what a call with no arguments returns when it calls a lambda or a function of the file (`**make_kw()`, `**(lambda:
    /// dict(...))()`), or an entry of a dictionary of them read by a key (`**EXTRA["Adam"]()`, or `**EXTRA[cls]()` with
    /// `cls` a string `given`, such as a table row's, see `rowEnvironment`). A view or layering of mappings
    /// (`MappingProxyType(m)`, `ChainMap(overrides, defaults)`, `dict(m)`, see `mappingLayers`) denotes the dictionaries
    /// of its layers, first layer first, so a reader taking the first dictionary holding a key reads it as the lookup
    /// does; a `TypedDict` construction (`Spec(lr=0.1)`, see `isTypedDictConstruction`) is a dictionary of its keywords.
    public func dictionaries(_ node: Node, depth: Int = 0, given: [String: ScriptValue] = [:]) -> [Node] {
        // Kept by expression and depth (the answer depends on nothing else when no names are given): a name set to a
        // view of itself (`cfg = dict(cfg)`), or read again through its callers' spreads, is asked again by each
        // of its settings at each depth, and without the memo the questions multiply with the settings.
        guard given.isEmpty else { return computeDictionaries(node, depth: depth, given: given) }
        let key = DictionariesKey(node: node, depth: depth)
        if let known = dictionariesMemo[key] { return known }
        dictionariesMemo[key] = []
        // Each once, first reading first: a table reached by two paths (two settings copying the same name) would
        // otherwise be handed on twice, and its readers asked twice, at every depth.
        let found = Self.distinct(computeDictionaries(node, depth: depth, given: given))
        dictionariesMemo[key] = found
        return found
    }

    struct DictionariesKey: Hashable {
        let node: Node
        let depth: Int
    }

    private func computeDictionaries(_ node: Node, depth: Int, given: [String: ScriptValue]) -> [Node] {
        let n = unwrapped(node)
        if n.type == "dictionary" { return [n] }
        if let layers = mappingLayers(n) {
            // The layers are parts of the call, so reading them cannot loop: the depth counts names followed only.
            let layered = layers.flatMap { dictionaries($0, depth: depth, given: given) }
            if !layered.isEmpty || callSite(n).callee != "dict" { return layered }
        }
        if n.type == "call", callSite(n).callee == "dict" { return [n] }
        // A JSON document the script parses (`json.loads("""{...}""")`, see `jsonDocument`).
        if n.type == "call", let document = loadedDocument(n) { return document.type == "dictionary" ? [document] : [] }
        if isTypedDictConstruction(n) { return [n] }
        // `NEW_LRS if USE_DOUBLED_LR else LEGACY_LRS`: the side the configuration takes, else both.
        if n.type == "conditional_expression" { return liveBranches(of: n).flatMap { dictionaries($0, depth: depth, given: given) } }
        if n.type == "call", depth < 4, case let thunk = callSite(n), thunk.positional.isEmpty, thunk.keywords.isEmpty, !thunk.hasSplat,
           let function = thunk.function.map(unwrapped) {
            return thunkResults(function, given: given).flatMap { dictionaries($0, depth: depth + 1, given: given) }
        }
        if depth < 4, let nested = nestedDictionaries(n, depth: depth, given: given) { return nested }
        // A parameter of a helper (`def make_optimizers(m, lrs)`) that no local assignment replaces: what its callers pass.
        if n.type == "identifier", depth < 4, let owner = parameterOwner(of: n), !isReassigned(n.text, in: owner) {
            let passed = callerArguments(of: n).flatMap { dictionaries($0, depth: depth + 1, given: given) }
            if !passed.isEmpty { return passed }
        }
        guard depth < 4, let name = SettingsTable.bareName(of: n) else { return [] }
        // A dataclass field holding the dictionary: its default (`field(default_factory=lambda: dict(...))`).
        return allSettings.settings(name).flatMap { dictionaries(unwrappedFieldDefault($0.value), depth: depth + 1) }
    }

    /// Dictionaries reached through a table that holds them, or through code that hands a table on: an entry read by
    /// a string key (`raw["env"]`, `cfg.get("env", {})`, the default's tables when no table holds the key), what a
    /// function of the file returns (`load(DOC)` with `return Settings(yaml.safe_load(text))`), and the mapping a
    /// subclass of `dict` of the file is built from (`Settings(mapping)`, whose `__init__` copies its entries). Nil for
    /// any other expression, and when none is found that way (the reading by name then applies).
    private func nestedDictionaries(_ n: Node, depth: Int, given: [String: ScriptValue]) -> [Node]? {
        func tables(_ object: Node, key: String, fallback: Node?) -> [Node]? {
            let held = dictionaries(object, depth: depth + 1, given: given).compactMap { OptimizerUse.entry(key, in: $0) }
                .flatMap { dictionaries($0, depth: depth + 1, given: given) }
            if held.isEmpty, let fallback {
                let defaults = dictionaries(fallback, depth: depth + 1, given: given)
                return defaults.isEmpty ? nil : defaults
            }
            return held.isEmpty ? nil : held
        }
        if n.type == "subscript", let object = n.child(byField: "value"),
           let key = n.child(byField: "subscript").flatMap({ SettingsTable.stringValue(unwrapped($0)) }) {
            return tables(object, key: key, fallback: nil)
        }
        guard n.type == "call" else { return nil }
        let call = callSite(n)
        if call.name == "get", let object = call.receiver, let key = call.positional.first.flatMap({ SettingsTable.stringValue(unwrapped($0)) }) {
            return tables(object, key: key, fallback: call.positional.count > 1 ? call.positional[1] : nil)
        }
        if call.receiver == nil, let owner = boundClass(named: call.callee), owner.bases.contains(where: { ["dict", "collections.UserDict", "UserDict"].contains($0) }),
           call.positional.count == 1, call.keywords.isEmpty {
            let copied = dictionaries(call.positional[0], depth: depth + 1, given: given)
            return copied.isEmpty ? nil : copied
        }
        if let function = calledFunction(call), !call.positional.isEmpty || !call.keywords.isEmpty {
            let returned = returnedValues(function).flatMap { dictionaries($0, depth: depth + 1, given: given) }
            return returned.isEmpty ? nil : returned
        }
        return nil
    }

    /// The values `key` holds in the dictionaries an expression denotes (see `dictionaries`), each once: a dictionary
    /// may be reached twice, by its name and through a parameter or keyword argument it is handed to (`dict(cfg=cfg)`).
    public func entries(_ key: String, in table: Node) -> [Node] {
        Self.distinct(dictionaries(table).compactMap { OptimizerUse.entry(key, in: $0) })
    }

    /// What calling `function` with no arguments returns (see `dictionaries`): a lambda's body; the return values of a
    /// module-level function of the file that takes no arguments; for a name, those of the lambdas it is set to; for
    /// `TABLE[key]` with a string key (or a name `given` a string), those of the entry the key selects in the
    /// dictionaries `TABLE` denotes. Empty otherwise.
    func thunkResults(_ function: Node, given: [String: ScriptValue], depth: Int = 0) -> [Node] {
        guard depth < 3 else { return [] }
        let f = unwrapped(function)
        switch f.type {
        case "lambda":
            let takesNothing = f.child(byField: "parameters").map { $0.namedChildren.isEmpty } ?? true
            return takesNothing ? f.child(byField: "body").map { [$0] } ?? [] : []
        case "identifier":
            let defined = self.function(named: f.text).filter { enclosingClass($0.node) == nil }
            if defined.count == 1 { return defined[0].passedParameters.isEmpty ? returnedValues(defined[0]) : [] }
            return allSettings.settings(f.text).map(\.value).filter { unwrapped($0).type == "lambda" }
                .flatMap { thunkResults($0, given: given, depth: depth + 1) }
        case "subscript":
            guard let table = f.child(byField: "value"), let index = f.child(byField: "subscript").map(unwrapped) else { return [] }
            var key = SettingsTable.stringValue(index)
            if key == nil, index.type == "identifier", case .string(let text)? = given[index.text] { key = text }
            guard let key else { return [] }
            return entries(key, in: table).flatMap { thunkResults($0, given: given, depth: depth + 1) }
        default:
            return []
        }
    }

    /// An entry of a dictionary a loop walks, as the loop's key variable sees it (see `loopedEntries`).
    public struct LoopedEntry {
        /// The entry's key and value in the dictionary literal (for `dict(name=value)`, the keyword's name and value).
        public let key: Node
        public let value: Node
        /// The key's text: a string key, or the keyword of `dict(name=value)`; nil for any other key.
        public let name: String?
        /// The loop's key variable (`k`) and value variable (`v` of `for k, v in T.items()`, nil without one).
        public let keyVariable: String
        public let valueVariable: String?
        /// The dictionary as the loop walks it (`T`, `SPEC["env"]`).
        public let table: Node
    }

    /// For a key variable read inside a loop over a dictionary's keys (`for k in T:`, `for k in T.keys():`, `for k, v
    /// in T.items():`, also a comprehension's `for` clause): the entries of the dictionary literals `T` denotes (see
    /// `dictionaries`: written there, or a name or configuration entry set to one, `SPEC["env"]`; also `dict(...)` of
    /// keywords only, `SUBLAYERS = dict(attn=..., mlp=...)`), one per key; also
    /// for the key variable of a loop over a literal sequence of pairs (`for k, v in (("a", 1), ("b", 2)):`), one
    /// entry per pair (its table is the sequence, so only the value variable reads the entry). Empty when `key` is no
    /// such variable.
    public func loopedEntries(_ key: Node) -> [LoopedEntry] {
        let variable = unwrapped(key)
        guard variable.type == "identifier" else { return [] }
        var entries: [LoopedEntry] = []
        for binding in dataflow.bindings(of: variable.text, at: variable) {
            // Read in the loop's body (a comprehension's variable is read nowhere else).
            guard case .iteration(let index) = binding.kind, index == nil || index == 0,
                  binding.site.type == "for_in_clause" || isInside(variable, binding.site),
                  let targets = binding.site.child(byField: "left") else { continue }
            var table = unwrapped(binding.node)
            var method: String?
            if table.type == "call", let f = table.child(byField: "function"), f.type == "attribute", let object = f.child(byField: "object") {
                method = f.child(byField: "attribute")?.text
                table = object
            }
            // `for k, v in (("broadcast_buffers", False), ("gradient_as_bucket_view", True)):`: a literal sequence of
            // key-value pairs, walked as a dictionary's items.
            if method == nil, index == 0, ["tuple", "list"].contains(table.type), targets.namedChildCount == 2,
               targets.namedChildren[1].type == "identifier" {
                let items = table.namedChildren.map(unwrapped)
                guard !items.isEmpty, items.allSatisfy({ ["tuple", "list"].contains($0.type) && $0.namedChildCount == 2 }) else { continue }
                for item in items {
                    entries.append(LoopedEntry(key: item.namedChildren[0], value: item.namedChildren[1],
                                               name: SettingsTable.stringValue(unwrapped(item.namedChildren[0])), keyVariable: variable.text,
                                               valueVariable: targets.namedChildren[1].text, table: table))
                }
                continue
            }
            guard method == nil && index == nil || method == "keys" && index == nil || method == "items" && index == 0 else { continue }
            let valueVariable = method == "items" && targets.namedChildCount == 2 && targets.namedChildren[1].type == "identifier"
                ? targets.namedChildren[1].text : nil
            for dictionary in dictionaries(table) {
                if dictionary.type == "call" {
                    // `dict(attn=..., mlp=...)`: keywords only (a positional mapping or a `**` spread is not written out).
                    guard let arguments = dictionary.child(byField: "arguments"),
                          arguments.namedChildren.allSatisfy({ $0.type == "keyword_argument" || $0.type == "comment" }) else { continue }
                    for keyword in arguments.namedChildren where keyword.type == "keyword_argument" {
                        guard let k = keyword.child(byField: "name"), let v = keyword.child(byField: "value") else { continue }
                        entries.append(LoopedEntry(key: k, value: v, name: k.text, keyVariable: variable.text, valueVariable: valueVariable,
                                                   table: table))
                    }
                    continue
                }
                for pair in dictionary.namedChildren where pair.type == "pair" {
                    guard let k = pair.child(byField: "key"), let v = pair.child(byField: "value") else { continue }
                    entries.append(LoopedEntry(key: k, value: v, name: SettingsTable.stringValue(unwrapped(k)), keyVariable: variable.text,
                                               valueVariable: valueVariable, table: table))
                }
            }
        }
        return entries
    }

    /// The value of a looped entry an expression in the loop reads (see `loopedEntries`): the loop's value variable
    /// (`v`), or the walked dictionary read by the key variable (`T[k]`); nil for anything else.
    public func loopedValue(_ expression: Node, of entry: LoopedEntry) -> Node? {
        let e = unwrapped(expression)
        if e.type == "identifier", let valueVariable = entry.valueVariable, e.text == valueVariable { return entry.value }
        // `str(v)` of an entry that is text already (`os.environ[k] = str(v)`): the entry.
        if e.type == "call", case let call = callSite(e), call.callee == "str", call.positional.count == 1, call.keywords.isEmpty,
           let inner = loopedValue(call.positional[0], of: entry), SettingsTable.stringValue(unwrapped(inner)) != nil {
            return inner
        }
        guard e.type == "subscript", let read = e.child(byField: "value"), let k = e.child(byField: "subscript").map(unwrapped),
              k.type == "identifier", k.text == entry.keyVariable, compact(read) == compact(entry.table) else { return nil }
        return entry.value
    }

    /// A keyword argument's value, looking through `**spread` dictionaries when the call does not name it: a dictionary
    /// literal or `dict(...)` (or a name or field set to one, entries written into it afterwards win), a
    /// configuration document loaded from a string (`**json.loads(DDP_JSON)`), or an object of the file's classes
    /// spread as a mapping (`**DDPOptions()`, see `mappingEntry`).
    public func keywordArgument(_ name: String, of call: CallSite) -> Node? {
        if let value = call.keywords[name] { return value }
        guard call.hasSplat, let arguments = call.node.child(byField: "arguments") else { return nil }
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard let source = splat.namedChildren.first else { continue }
            // An entry written into the dictionary after it is made (a builder's `self._adam_kw.update(kw)`, filled by
            // `.with_adam_options(eps=1e-10)`) replaces the one it was made with.
            if let written = dictionaryWrites(name, into: source).last { return written }
            if let returned = returnedEntry(name, of: source) { return returned }
            for dictionary in dictionaries(source) {
                if let entry = OptimizerUse.entry(name, in: dictionary) { return entry }
            }
            // A configuration document the script loads from a string (`**json.loads('{"gradient_as_bucket_view":
            // true}')`, or a name set to that load): its entry (see `embeddedDocumentEntry`).
            if let entry = embeddedDocumentEntry(name, of: source)?.entry { return entry }
            if let entry = mappingEntry(name, of: source) { return entry }
            // The enclosing function's own `**kwargs` handed on (`def build_adamw(params, **kw): return
            // AdamW(params, **kw)`): what its callers pass for the keyword, when that is one value (see
            // `forwardedKeyword`).
            if source.type == "identifier", let function = enclosingFunction(call.node), keywordsParameter(of: function) == source.text,
               case let .known(values, _) = forwardedKeyword(name, through: call), values.count == 1 {
                return values[0].value
            }
        }
        return nil
    }

    /// The entry `key` of the dictionary a method or function of the file returns, where `source` is a call of it or a
    /// local name set to one (`ak = self.adam_kwargs()` then `Adam(params, **ak)`): the entry of the dictionary it
    /// returns, read through a returned local and the writes into it before the return (`kw = super().adam_kwargs();
    /// kw["betas"] = self.adam_betas; return kw`, the override of a mixin adding to its base's). Nil unless every
    /// `return` gives one and the same entry.
    func returnedEntry(_ key: String, of source: Node, depth: Int = 0) -> Node? {
        guard depth < 4 else { return nil }
        var n = unwrapped(source)
        if n.type == "identifier", enclosingFunction(n) != nil, let value = latestValue(of: n.text, before: n).map(unwrapped) { n = value }
        guard n.type == "call", let function = calledFunction(callSite(n)) else { return nil }
        var found: Node?
        for returned in returnedValues(function).map(unwrapped) {
            var entry: Node?
            if returned.type == "dictionary" || (returned.type == "call" && callSite(returned).callee == "dict") {
                entry = OptimizerUse.entry(key, in: returned)
            } else if returned.type == "identifier" {
                entry = dictionaryWrites(key, into: returned).last
                    ?? latestValue(of: returned.text, before: returned).flatMap { value in
                        returnedEntry(key, of: value, depth: depth + 1)
                            ?? dictionaries(value).lazy.compactMap { OptimizerUse.entry(key, in: $0) }.first
                    }
            } else if returned.type == "call" {
                entry = returnedEntry(key, of: returned, depth: depth + 1)
            }
            guard let entry else { return nil }
            if let f = found, f != entry { return nil }
            found = entry
        }
        return found
    }

    /// The keywords a call passes only through its `**` spreads, each with the value `keywordArgument` reads for it:
    /// the string keys of the dictionary literals (or `dict(k=v)` calls) each spread denotes (see `dictionaries`), as
    /// `model(x, y, **ctx)` with `ctx = dict(span=torch.tensor(w))` passes `span`. Keywords the call names itself
    /// are left out (`call.keywords` has them); a spread of something else (a `**kwargs` handed on) adds nothing.
    public func spreadKeywords(of call: CallSite) -> [(key: String, value: Node)] {
        guard call.hasSplat, let arguments = call.node.child(byField: "arguments") else { return [] }
        var keys: [String] = []
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard let source = splat.namedChildren.first else { continue }
            for dictionary in dictionaries(source) {
                if dictionary.type == "dictionary" {
                    keys += dictionary.namedChildren.filter { $0.type == "pair" }
                        .compactMap { $0.child(byField: "key").flatMap(SettingsTable.stringValue) }
                } else if let written = dictionary.child(byField: "arguments") {
                    keys += written.namedChildren.filter { $0.type == "keyword_argument" }.compactMap { $0.child(byField: "name")?.text }
                }
            }
        }
        var seen = Set(call.keywords.keys)
        return keys.compactMap { key -> (key: String, value: Node)? in
            guard seen.insert(key).inserted, let value = keywordArgument(key, of: call) else { return nil }
            return (key, value)
        }
    }

    /// The entry `name` of an object of a class of the file that a call spreads with `**` through the mapping
    /// protocol: the class (or a base of the file) defines `keys` and a `__getitem__` that returns the attribute its
    /// key names (`getattr(self, key)`), so `**Options()` passes each attribute by name. The entry is the field the
    /// one construction the object comes from gives it (`fieldExpression`: an `__init__` argument, a dataclass field,
    /// a class attribute such as `gradient_as_bucket_view = True` in the class body). Nil otherwise.
    func mappingEntry(_ name: String, of source: Node) -> Node? {
        let built = constructions(of: source)
        guard built.count == 1, let construction = built.first, let owner = builtObject(construction)?.owner,
              method("keys", of: owner) != nil, let getter = method("__getitem__", of: owner),
              let key = getter.passedParameters.first else { return nil }
        let readsAttribute = returnedValues(getter).contains { value in
            let v = unwrapped(value)
            guard v.type == "call" else { return false }
            let lookup = callSite(v)
            return lookup.callee == "getattr" && lookup.positional.count == 2 && unwrapped(lookup.positional[0]).text == "self"
                && unwrapped(lookup.positional[1]).text == key
        }
        return readsAttribute ? fieldExpression(construction, name) : nil
    }
}

extension Dataflow {
    /// Numbers an expression may take, names resolved through the scopes they are read in: a local through its
    /// assignments, a parameter through the arguments its callers pass (and its default), `self.x` through the
    /// assignments to `x`; arithmetic folded on the first value of each side. Falls back to the file-wide
    /// resolver (`PythonFacts.values(of:)`) where the scopes give nothing.
    public func numbers(_ node: Node, depth: Int = 0) -> [Double] {
        let n = facts.unwrapped(node)
        guard depth < 10 else { return [] }
        var result: [Double] = []
        switch n.type {
        case "integer", "float", "true", "false":
            return facts.values(of: n).map(\.double)
        case "identifier":
            for binding in bindings(of: n.text, at: n) {
                switch binding.kind {
                case .value:
                    if binding.node != n { result += numbers(binding.node, depth: depth + 1) }
                case .parameter(let index):
                    // A self-check's call passes toy values; the training callers give the numbers (see `selfChecks`).
                    for site in facts.outsideSelfChecks(callSites(of: binding.node), at: \.call.node) {
                        if let argument = argument(site, name: n.text, index: index) {
                            result += numbers(argument, depth: depth + 1)
                        }
                    }
                    if let value = facts.parameterDefault(in: binding.node, n.text) {
                        result += numbers(value, depth: depth + 1)
                    }
                default:
                    continue
                }
            }
        case "attribute":
            if let object = n.child(byField: "object"), object.type == "identifier", object.text == "self" {
                for binding in bindings(ofReference: n) where binding.kind == .value && binding.node != n {
                    result += numbers(binding.node, depth: depth + 1)
                }
            }
        case "binary_operator":
            guard let op = n.child(byField: "operator")?.type,
                  let l = n.child(byField: "left").flatMap({ numbers($0, depth: depth + 1).first }),
                  let r = n.child(byField: "right").flatMap({ numbers($0, depth: depth + 1).first }) else { break }
            result = PythonArithmetic.binary(op, l, r).map { [$0] } ?? []
        case "call":
            let call = facts.callSite(n)
            if ["int", "float"].contains(call.callee), call.positional.count == 1 {
                result = numbers(call.positional[0], depth: depth + 1).map { call.callee == "int" ? $0.rounded(.towardZero) : $0 }
            }
        default:
            break
        }
        if result.isEmpty { result = facts.values(of: n).map(\.double) }
        var unique: [Double] = []
        for v in result where !unique.contains(v) { unique.append(v) }
        return unique
    }
}

extension Dataflow {
    /// For a parameter binding (`name` at `index` of a function or lambda of the file), what each call of it passes
    /// for it (for a `map` call, the sequence whose items it takes; see `callSites`); empty for any other binding.
    public func passedArguments(_ binding: NameBinding, name: String) -> [Node] {
        guard case .parameter(let index) = binding.kind, ["function_definition", "lambda"].contains(binding.node.type) else { return [] }
        // A call in a self-check passes toy values; the other callers say what training gets (see `selfChecks`).
        let sites = facts.outsideSelfChecks(callSites(of: binding.node), at: \.call.node)
        return sites.compactMap { argument($0, name: name, index: index) }
    }

    /// The argument a call site passes for parameter `index` (named `name`) of the function it calls: by
    /// keyword, or by position once the site's offset (`self`) is taken off (a bare generator, `Mirrored(e(x) for e in
    /// tables)`, being the first); nil for `self` itself.
    public func argument(_ site: (call: CallSite, offset: Int), name: String, index: Int) -> Node? {
        let position = index - site.offset
        if position == 0, let generator = site.call.node.child(byField: "arguments"), generator.type == "generator_expression" {
            return generator
        }
        return site.call.argument(name, position: position >= 0 ? position : nil)
    }
}

extension Double {
    /// The value as an `Int` when it is finite and of a reasonable size (converting NaN or infinity traps).
    public var asBoundedInt: Int? {
        isFinite && Swift.abs(self) < 1e15 ? Int(self) : nil
    }
}
