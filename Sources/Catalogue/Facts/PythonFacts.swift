import Foundation
import Parsing
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// What detectors know about one Python file: its tree, imports, calls, settings, functions and classes, and
/// its normalized tree (squares, ReLUs and matrix products in one spelling, constants folded). Everything is
/// computed on first use and kept. Not thread-safe: one file is analysed by one thread.
public final class PythonFacts {
    public let file: SourceFile
    public let tree: Tree
    public let imports: ImportTable
    /// Settings of every file analysed together (so a config module can feed a training script).
    public var sharedSettings: SettingsTable? {
        // Strings folded against the file's own settings may read differently against the shared ones.
        didSet {
            foldedStrings = [:]
            interpretedStrings = [:]
            interpretedValues = [:]
            interpretedSettingsReads = [:]
            calledFunctions = [:]
            dictionariesMemo = [:]
            callerBindingsMemo = [:]
            worldSizeReads = [:]
        }
    }

    public init(file: SourceFile, tree: Tree) {
        self.file = file
        self.tree = tree
        imports = ImportTable(root: tree.rootNode)
    }

    /// Second facts of a file whose other facts already built the normalized tree: two analyses of one file can
    /// then run on two threads (facts compute lazily and are not shared between threads) without lowering the
    /// file twice. The normalized tree is a value, safe to read from both.
    public convenience init(file: SourceFile, tree: Tree, normalized: SyntaxTree) {
        self.init(file: file, tree: tree)
        self.normalized = normalized
    }

    public convenience init(file: SourceFile) throws {
        self.init(file: file, tree: try Parser(language: .python).parse(bytes: file.bytes))
    }

    public var root: Node { tree.rootNode }
    public var path: String { file.path }

    // MARK: Walks

    /// All named nodes in document order.
    public private(set) lazy var nodes: [Node] = root.namedDescendants { _ in false }

    /// For each place in the tree's document order, how many named nodes come before it (and one entry more for
    /// the end): a named node's position in `nodes`, and where a subtree's named nodes start and end there.
    private lazy var namedBefore: [Int32] = {
        var counts: [Int32] = []
        counts.reserveCapacity(tree.nodeCount + 1)
        var count: Int32 = 0
        for position in 0..<tree.nodeCount {
            counts.append(count)
            if tree.node(atDocumentPosition: position).isNamed { count += 1 }
        }
        counts.append(count)
        return counts
    }()

    /// Positions in `nodes` of each node type, read in one pass: detectors ask for "every assignment" or "every
    /// call" many times per file.
    private lazy var positionsByType: [String: [Int]] = {
        // Grouped by symbol id first (an array index, no hashing), then by name: several symbols can share one.
        var bySymbol = [[Int]](repeating: [], count: tree.language.symbolCount)
        var other: [UInt16: [Int]] = [:]  // the ERROR node's symbol lies outside the grammar's range
        for (position, node) in nodes.enumerated() {
            let symbol = Int(node.symbol)
            if symbol < bySymbol.count { bySymbol[symbol].append(position) } else { other[node.symbol, default: []].append(position) }
        }
        var index: [String: [Int]] = [:]
        for positions in bySymbol + Array(other.values) where !positions.isEmpty {
            let type = nodes[positions[0]].type
            if let earlier = index[type] { index[type] = (earlier + positions).sorted() } else { index[type] = positions }
        }
        return index
    }()

    /// The identifiers the file spells, as a set of names.
    public private(set) lazy var identifierNames: Set<String> = Set(identifiersByName.keys)

    /// Identifier nodes by their text, in document order.
    public private(set) lazy var identifiersByName: [String: [Node]] = Dictionary(grouping: nodes(ofType: "identifier"), by: \.text)

    /// Named nodes of one type, in document order.
    public func nodes(ofType type: String) -> [Node] { (positionsByType[type] ?? []).map { nodes[$0] } }

    /// Named nodes of any of the types, in document order.
    public func nodes(ofType types: Set<String>) -> [Node] {
        if types.count == 1, let type = types.first { return nodes(ofType: type) }
        return types.flatMap { positionsByType[$0] ?? [] }.sorted().map { nodes[$0] }
    }

    /// The position of a named node of this file in `nodes`.
    func position(of node: Node) -> Int? {
        guard node.tree === tree, node.isNamed else { return nil }
        return Int(namedBefore[node.documentPosition])
    }

    /// Named nodes inside `node` (itself included when named), in document order: a slice of `nodes`.
    public func descendants(of node: Node) -> ArraySlice<Node> {
        guard node.tree === tree else { return ArraySlice(node.preorder.filter(\.isNamed)) }
        let start = node.documentPosition
        return nodes[Int(namedBefore[start])..<Int(namedBefore[start + node.subtreeSize])]
    }

    public private(set) lazy var calls: [CallSite] = {
        let aliases = callableAliases
        let gradients = gradientFunctionNames
        return nodes(ofType: "call").map {
            CallSite(node: $0, imports: imports, aliases: aliases, readingMap: true, gradientFunctions: gradients)
        }
    }()

    /// Names standing for functions (`CallableAlias`), which call sites resolve.
    public private(set) lazy var callableAliases: [String: CallableAlias] = computeCallableAliases()

    /// Names holding a function a gradient transform returned (`CallSite.callsGradientFunction`).
    public private(set) lazy var gradientFunctionNames: Set<String> = computeGradientFunctionNames()

    /// Call sites by node, so detectors looking at one call do not resolve it again.
    private lazy var callSiteIndex: [Node: Int] = Dictionary(uniqueKeysWithValues: calls.enumerated().map { ($1.node, $0) })

    /// The call site of a `call` node of this file (resolved once).
    public func callSite(_ node: Node) -> CallSite {
        if let index = callSiteIndex[node] { return calls[index] }
        return CallSite(node: node, imports: imports, aliases: callableAliases, readingMap: true, gradientFunctions: gradientFunctionNames)
    }

    /// Calls whose callee is one of `names` (full dotted names, or `.name` for any receiver).
    public func calls(to names: Set<String>) -> [CallSite] { calls.filter { $0.calls(names) } }

    /// Positions in `calls` by callee (`CallSite.callee`) and by called name (`CallSite.name`), built once: many facts
    /// look up the calls of one function or class.
    private lazy var callsByCallee: [String: [Int]] = Dictionary(grouping: calls.indices, by: { calls[$0].callee })
    private lazy var callsByName: [String: [Int]] = Dictionary(grouping: calls.indices, by: { calls[$0].name })

    /// Calls whose callee (imports resolved, `CallSite.callee`) is exactly `callee`, in document order.
    public func calls(withCallee callee: String) -> [CallSite] { (callsByCallee[callee] ?? []).map { calls[$0] } }

    /// Calls of a function or method called `name` on any receiver (`CallSite.name`), in document order.
    public func calls(named name: String) -> [CallSite] { (callsByName[name] ?? []).map { calls[$0] } }

    /// The calls called `name` inside `node` (itself included), from the index rather than a walk of `node`.
    public func calls(named name: String, inside node: Node) -> [CallSite] {
        guard node.tree === tree else { return descendants(of: node).filter { $0.type == "call" }.map(callSite).filter { $0.name == name } }
        let range = node.byteRange
        return (callsByName[name] ?? []).map { calls[$0] }.filter { range.contains($0.node.startByte) && $0.node.endByte <= range.upperBound }
    }

    /// A class: copied constantly (lists of functions are filtered and passed around), it costs one reference count.
    public final class Function {
        public let node: Node
        public let name: String
        /// `Class.method` or `function` (nested functions: `outer.inner`).
        public let qualifiedName: String
        /// The names of `parameterList`, in order.
        public let parameters: [String]
        /// The parameters with how a call fills each (see `FunctionParameter`), read once from the definition.
        public let parameterList: [FunctionParameter]
        public let decorators: [String]
        public let body: Node?
        /// The name a method gives its instance: its first parameter (`self`, or `s` in `def forward(s, x)`) when it
        /// is written in a class body (or given in the namespace of `type(name, bases, {...})`) and is neither a
        /// `@staticmethod` nor a `@classmethod`; nil for other functions.
        public let receiver: String?
        /// A `@triton.jit` (or `triton.autotune`...) kernel.
        public var isTritonKernel: Bool { decorators.contains { $0.hasPrefix("triton.") } }
        /// The parameters a call fills: all of them less what Python passes itself, the method's receiver (also the
        /// `self` of a method written outside its class and bound later) or a class method's `cls`.
        public var passedParameters: [String] { Array(parameters.dropFirst(passedOffset)) }
        /// Whether it is a statement of the module itself (decorated or not), not nested in a class, function or block.
        public var isModuleLevel: Bool { node.parent?.type == "module" || node.parent?.parent?.type == "module" }
        /// A `@classmethod` or `@staticmethod`: called on its class, with no instance.
        public var isClassLevel: Bool { decorators.contains { ["classmethod", "staticmethod"].contains($0.lastDottedComponent) } }
        /// How many leading parameters a call does not fill (0 or 1).
        public var passedOffset: Int {
            receiver != nil || parameters.first == "self" || parameters.first == "cls" || decorators.contains("classmethod") ? 1 : 0
        }

        init(node: Node, name: String, qualifiedName: String, parameterList: [FunctionParameter], decorators: [String], body: Node?,
             receiver: String? = nil) {
            self.node = node
            self.name = name
            self.qualifiedName = qualifiedName
            self.parameterList = parameterList
            parameters = parameterList.map(\.name)
            self.decorators = decorators
            self.body = body
            self.receiver = receiver
        }
    }

    public private(set) lazy var functions: [Function] = {
        var result: [Function] = []
        for node in nodes(ofType: "function_definition") {
            guard let name = node.child(byField: "name")?.text else { continue }
            var parents: [String] = []
            var current = node.parent
            while let c = current {
                if c.type == "function_definition" || c.type == "class_definition", let n = c.child(byField: "name")?.text {
                    parents.append(n)
                }
                current = c.parent
            }
            let parameterList = FunctionParameter.list(node.child(byField: "parameters"))
            var decorators: [String] = []
            if let parent = node.parent, parent.type == "decorated_definition" {
                for d in parent.namedChildren where d.type == "decorator" {
                    guard var expression = d.namedChild(0) else { continue }
                    if expression.type == "call", let f = expression.child(byField: "function") { expression = f }
                    decorators.append(imports.qualifiedName(of: expression) ?? expression.text)
                }
            }
            // A method: written in a class body (possibly decorated), with an instance to receive.
            let definition = node.parent?.type == "decorated_definition" ? node.parent : node
            let isMethod = definition?.parent?.type == "block" && definition?.parent?.parent?.type == "class_definition"
                && !decorators.contains { ["staticmethod", "classmethod"].contains($0.lastDottedComponent) }
            result.append(Function(node: node, name: name, qualifiedName: (parents.reversed() + [name]).joined(separator: "."),
                                   parameterList: parameterList, decorators: decorators, body: node.child(byField: "body"),
                                   receiver: isMethod ? parameterList.first?.name : nil))
        }
        // The methods of a class built by `type(name, bases, namespace)` that the namespace gives as lambdas.
        for owner in dynamicClassDefinitions {
            for (key, value) in owner.namespace where value.type == "lambda" {
                let parameterList = FunctionParameter.list(value.child(byField: "parameters"))
                result.append(Function(node: value, name: key, qualifiedName: "\(owner.name).\(key)", parameterList: parameterList,
                                       decorators: [], body: value.child(byField: "body"), receiver: parameterList.first?.name))
            }
        }
        return result
    }()

    /// The functions of the file with this name (methods included), in document order.
    public func function(named name: String) -> [Function] { functionsByName[name] ?? [] }

    private lazy var functionsByName: [String: [Function]] = Dictionary(grouping: functions, by: \.name)

    public struct Class {
        public let node: Node
        public let name: String
        /// Base classes as resolved names (`torch.nn.Module`, `nn.Module` when not imported).
        public let bases: [String]
        public let body: Node?
    }

    /// The file's classes: its `class` statements, and the classes it builds with `type(name, bases, namespace)`
    /// (whose node is that call and whose body is the namespace), in document order.
    public private(set) lazy var classes: [Class] = (nodes(ofType: "class_definition").compactMap { node -> Class? in
        guard let name = node.child(byField: "name")?.text else { return nil }
        let bases = node.child(byField: "superclasses")?.namedChildren.map { imports.qualifiedName(of: $0) ?? $0.text } ?? []
        return Class(node: node, name: name, bases: bases, body: node.child(byField: "body"))
    } + dynamicClassDefinitions.map { Class(node: $0.node, name: $0.name, bases: $0.bases, body: $0.body) })
        .sorted { $0.node.startByte < $1.node.startByte }

    /// A class built by the builtin `type` with three arguments: `Lin = type("Lin", (nn.Linear,), dict(forward=lambda
    /// s, x: ...))`, or a dictionary literal for the namespace. It goes by the name it is assigned to (what
    /// constructions call), else by the name it is given; `namespace` holds the entries the namespace writes out.
    struct DynamicClass {
        let node: Node
        let name: String
        let bases: [String]
        let body: Node
        let namespace: [(key: String, value: Node)]
    }

    /// The `type(name, bases, namespace)` classes of the file, in document order.
    private(set) lazy var dynamicClassDefinitions: [DynamicClass] = nodes(ofType: "call").compactMap { call -> DynamicClass? in
        guard let function = call.child(byField: "function"), function.type == "identifier", function.hasText("type"),
              imports.bindings["type"] == nil,
              let arguments = call.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }), arguments.count == 3,
              let given = SettingsTable.stringValue(arguments[0]), ["tuple", "parenthesized_expression"].contains(arguments[1].type)
        else { return nil }
        let body = arguments[2]
        var entries: [(key: String, value: Node)] = []
        if body.type == "dictionary" {
            for pair in body.namedChildren where pair.type == "pair" {
                if let key = pair.child(byField: "key").flatMap(SettingsTable.stringValue), let value = pair.child(byField: "value") {
                    entries.append((key, value))
                }
            }
        } else if body.type == "call", body.child(byField: "function")?.hasText("dict") == true {
            for argument in body.child(byField: "arguments")?.namedChildren ?? [] where argument.type == "keyword_argument" {
                if let key = argument.child(byField: "name")?.text, let value = argument.child(byField: "value") { entries.append((key, value)) }
            }
        } else {
            return nil
        }
        let bases = (arguments[1].type == "tuple" ? arguments[1].namedChildren : Array(arguments[1].namedChildren.prefix(1)))
            .map { imports.qualifiedName(of: $0) ?? $0.text }
        var name = given
        if let assignment = call.parent, assignment.type == "assignment", assignment.child(byField: "right") == call,
           let target = assignment.child(byField: "left"), target.type == "identifier" {
            name = target.text
        }
        return DynamicClass(node: call, name: name, bases: bases, body: body, namespace: entries)
    }

    /// The innermost function around a node.
    /// The function whose parameter a name is: the enclosing one, or an outer one for a nested function that
    /// captures it (`def build(cfg, max_steps): def factor(step): ... max_steps ...`); nil when no enclosing function
    /// has a parameter of that name.
    public func parameterOwner(of identifier: Node) -> Function? {
        var owner = enclosingFunction(identifier)
        while let f = owner {
            if f.parameters.contains(identifier.text) { return f }
            // The next function out, by walking up the syntax (the start byte of the block may be f's own).
            var ancestor = f.node.parent
            while let a = ancestor, a.type != "function_definition" { ancestor = a.parent }
            owner = ancestor.flatMap { a in functions.first { $0.node == a } }
        }
        return nil
    }

    /// For a name that is a parameter of its function (or of an outer function a nested one captures it from),
    /// the arguments the callers pass for it; for `__init__`, the constructions of its class (a
    /// `super().__init__(...)` call belongs to another class's initializer); for the value parameter of a property
    /// setter, the values assigned to the property (`propertyAssignments`).
    public func callerArguments(of identifier: Node) -> [Node] {
        callerBindings(of: identifier).map(\.argument) + propertyAssignments(of: identifier)
    }

    /// For the value parameter of a property setter (`@momentum.setter def momentum(self, value)`), the values the file
    /// assigns to that property (`opt.momentum = ramp(step)`): Python runs the setter with each. The object written
    /// must be an instance of the setter's class or of a subclass (`self` in one of those classes, or an object the data
    /// flow finds built from one); an object of unknown class counts when no other class of the file has a setter of
    /// that name.
    public func propertyAssignments(of identifier: Node) -> [Node] {
        guard identifier.type == "identifier", let setter = enclosingFunction(identifier), setter.parameters.count == 2,
              setter.parameters[1] == identifier.text, setter.decorators.contains("\(setter.name).setter"),
              let owner = enclosingClass(setter.node) else { return [] }
        return memoized("propertyAssignments/\(setter.node.startByte)") {
            let setters = function(named: setter.name).filter { $0.decorators.contains("\(setter.name).setter") }
            func isInstance(_ name: String) -> Bool {
                boundClass(named: name).map { lineage(of: $0).contains { $0.node == owner.node } } == true
            }
            return nodes(ofType: "assignment").compactMap { assignment -> Node? in
                guard let left = assignment.child(byField: "left"), left.type == "attribute",
                      left.child(byField: "attribute")?.text == setter.name, let object = left.child(byField: "object").map(unwrapped),
                      let right = assignment.child(byField: "right") else { return nil }
                if object.type == "identifier", let method = enclosingFunction(assignment), method.receiver == object.text {
                    return enclosingClass(method.node).map { isInstance($0.name) } == true ? right : nil
                }
                let classes = dataflow.instanceClasses(of: object)
                if classes.isEmpty { return setters.count == 1 ? right : nil }
                return classes.contains(where: isInstance) ? right : nil
            }
        }
    }

    /// `callerArguments`, each with the call that passes it. A parameter of a lambda bound to a name
    /// (`adam = lambda ps, lr: Adam(ps, lr=lr)`) is passed by the calls of that name; a parameter of a function held in
    /// a table of functions (`TERMS = {"doc": lambda env: ...}`) by the calls through the table (`TERMS[name](env)`,
    /// see `tableCalls`).
    public func callerBindings(of identifier: Node) -> [(call: CallSite, argument: Node)] {
        guard identifier.type == "identifier" else { return [] }
        // Kept per name read: the question comes back from many readers (dictionaries, values, instance classes), and
        // one asked again while it is being answered (a helper's table that a caller's `**` spread leads back to) gets
        // no callers rather than starting over.
        if let known = callerBindingsMemo[identifier] { return known }
        callerBindingsMemo[identifier] = []
        let found = computeCallerBindings(of: identifier)
        callerBindingsMemo[identifier] = found
        return found
    }

    private func computeCallerBindings(of identifier: Node) -> [(call: CallSite, argument: Node)] {
        if let (name, index) = boundLambdaParameter(identifier) {
            return calls(named: name).compactMap { call in
                call.argument(identifier.text, position: index).map { (call, $0) }
            }
        }
        if identifier.tree === tree, let binding = dataflow.bindings(of: identifier.text, at: identifier).first(where: { $0.node.type == "lambda" }),
           case .parameter(let index) = binding.kind {
            let sites = tableCalls(ofEntry: binding.node)
            if !sites.isEmpty { return sites.compactMap { call in call.argument(identifier.text, position: index).map { (call, $0) } } }
        }
        guard let function = parameterOwner(of: identifier),
              let index = function.parameters.firstIndex(of: identifier.text) else { return [] }
        let owner = enclosingClass(function.node)?.name
        // The `forward` of an autograd function is called by `Fn.apply(...)`, which passes everything after `ctx`.
        if function.name == "forward", owner != nil, index > 0 {
            let applies = calls(named: "apply").filter { autogradForwards($0).contains { $0.node == function.node } }
            if !applies.isEmpty {
                return applies.compactMap { call in call.positional.count > index - 1 ? (call, call.positional[index - 1]) : nil }
            }
        }
        let position = index - function.passedOffset
        var result: [(call: CallSite, argument: Node)] = []
        for (call, leading) in callCandidates(of: function) {
            let position = position + leading
            if var argument = call.argument(identifier.text, position: position >= 0 ? position : nil) ?? splattedEntry(call, key: identifier.text) {
                // A mapped call's sequence `itertools.repeat(x)` gives `x` at every pass (`starmap(set_lr,
                // zip(groups, repeat(lr)))`).
                if call.isMapped, case let sequence = unwrapped(argument), sequence.type == "call",
                   imports.qualifiedName(of: sequence.child(byField: "function") ?? sequence) == "itertools.repeat",
                   let repeated = callSite(sequence).positional.first {
                    argument = repeated
                }
                // A call made once per entry of a list a builder fills (`[self._make(role, ps) for role, ps in
                // self._roles]`): what each entry holds in that place, with the call that gave it (see `appendedEntries`).
                if let entries = appendedEntries(argument) {
                    result += entries
                    continue
                }
                result.append((call, argument))
            } else if call.hasSplat, case let .known(forwarded, _) = forwardedKeyword(identifier.text, through: call) {
                result += forwarded.map { ($0.call, $0.value) }
            }
        }
        // A module function partially applied: what `partial(f, a, ...)` binds, and what the calls of the
        // name holding it pass after the bound arguments.
        if owner == nil {
            for site in partialCallSites(of: function.name) {
                let shifted = position - site.offset
                if let argument = site.call.argument(identifier.text, position: shifted >= 0 ? shifted : nil) { result.append((site.call, argument)) }
            }
        }
        // A call in a self-check passes toy values; the other callers say what training gets (see `selfChecks`).
        return outsideSelfChecks(result, at: \.call.node)
    }

    /// The calls that may run `function`, with how many positional arguments each passes ahead of its parameters
    /// after `self` (see `initializerCalls`): a constructor's class's and subclasses' constructions, the calls of an
    /// object's `__call__` through its instances, otherwise the calls of its name; a module function's calls through
    /// tables of functions too.
    func callCandidates(of function: Function) -> [(call: CallSite, leading: Int)] {
        let owner = enclosingClass(function.node)
        if owner != nil, function.name == "__init__" { return initializerCalls(of: function) }
        if function.name == "__call__", let owner { return instanceCalls(of: owner).map { ($0, 0) } }
        var candidates = calls(named: function.name).map { ($0, 0) }
        if owner == nil { candidates += tableCalls(ofEntry: function.node).map { ($0, 0) } }
        return candidates
    }

    /// Whether some call of the function owning a parameter spreads a `**` dictionary that cannot be read for the
    /// parameter's name (`Attention(dim, **attn_kwargs)` with `attn_kwargs` built by a helper the file does not
    /// resolve): the parameter may get a value no caller names, so its default is not known to hold.
    public func mayReceiveUnreadKeyword(_ identifier: Node) -> Bool {
        guard identifier.type == "identifier", let function = parameterOwner(of: identifier) else { return false }
        // Asked for every default the interpreter reads: kept per function and name.
        return memoized("mayReceiveUnreadKeyword/\(function.node.startByte)/\(identifier.text)") {
            callCandidates(of: function).contains { candidate in
                guard candidate.call.hasSplat, candidate.call.keywords[identifier.text] == nil else { return false }
                if case .unknown = forwardedKeyword(identifier.text, through: candidate.call) { return true }
                return false
            }
        }
    }

    /// For an argument that is a loop variable over a list that starts empty and is filled by `append` (`for role, ps in
    /// self._roles`, with `def with_params(self, role, ps): self._roles.append((role, list(ps)))`): each appended entry's
    /// part in the variable's place (a tuple's element when the loop unpacks), with the `append` call; a part that is a
    /// parameter of the method appending, also inside `list(...)` / `tuple(...)`, is what each call of that method gives
    /// it, with that call (`.with_params("head", [model.lm_head.weight])`). Nil when the argument is no such variable. A
    /// name is a list of its own function, an attribute of `self` a list of its class. Also a registry of lists by key
    /// (`self.callbacks = defaultdict(list)`, filled `self.callbacks[event].append(fn)` or `setdefault(event,
    /// []).append(fn)`) walked at one key (`for cb in self.callbacks.get(event, [])`, `self.callbacks[event]`): what
    /// every key holds, since the key may be any.
    func appendedEntries(_ argument: Node) -> [(call: CallSite, argument: Node)]? {
        let variable = unwrapped(argument)
        guard variable.type == "identifier", appendedEntriesInProgress.insert(variable).inserted else { return nil }
        defer { appendedEntriesInProgress.remove(variable) }
        for binding in dataflow.bindings(of: variable.text, at: variable) {
            guard case .iteration(let index) = binding.kind else { continue }
            // A registry read at one key stands for the registry (see `keyedRead`).
            let registry = keyedRead(unwrapped(binding.node))
            let keyed = registry != nil
            let list = registry ?? unwrapped(binding.node)
            let onSelf = list.type == "attribute" && list.child(byField: "object")?.text == "self"
            guard list.type == "identifier" || onSelf, let name = SettingsTable.bareName(of: list) else { return nil }
            let owner = onSelf ? enclosingClass(list)?.node : nil
            let scope = onSelf ? nil : enclosingFunction(list)?.node
            func same(_ node: Node) -> Bool {
                let n = unwrapped(node)
                guard n.type == list.type, SettingsTable.bareName(of: n) == name else { return false }
                return onSelf ? n.child(byField: "object")?.text == "self" && enclosingClass(n)?.node == owner : enclosingFunction(n)?.node == scope
            }
            // Made empty (`self._roles = []`, `list()`; a registry `defaultdict(list)`, `{}`, `dict()`) wherever it is
            // assigned.
            let made = nodes(ofType: "assignment").compactMap { a -> Node? in
                guard let left = a.child(byField: "left"), same(left) else { return nil }
                return a.child(byField: "right").map(unwrapped)
            }
            guard !made.isEmpty, made.allSatisfy({ keyed ? isEmptyRegistry($0) : isEmptyList($0) }) else { return nil }
            var found: [(call: CallSite, argument: Node)] = []
            for append in calls(named: "append") {
                guard let receiver = append.receiver, keyed ? keyedRead(unwrapped(receiver)).map(same) == true : same(receiver),
                      var item = append.positional.first.map(unwrapped) else { continue }
                if let index {
                    let parts = ["tuple", "list"].contains(item.type) ? item.namedChildren.filter { $0.type != "comment" } : []
                    guard index < parts.count else { return nil }
                    item = parts[index]
                }
                var inner = unwrapped(item)
                if inner.type == "call", ["list", "tuple"].contains(callSite(inner).callee), callSite(inner).positional.count == 1 {
                    inner = unwrapped(callSite(inner).positional[0])
                }
                if inner.type == "identifier", let filler = enclosingFunction(append.node), filler.passedParameters.contains(inner.text),
                   parameterOwner(of: inner)?.node == filler.node {
                    found += callerBindings(of: inner)
                } else {
                    found.append((append, item))
                }
            }
            return found.isEmpty ? nil : found
        }
        return nil
    }

    /// `[]` or `list()`.
    func isEmptyList(_ node: Node) -> Bool {
        node.type == "list" && node.namedChildCount == 0 || node.type == "call" && callSite(node).callee == "list" && callSite(node).positional.isEmpty
    }

    /// A registry of lists by key made empty: `defaultdict(list)`, `{}`, `dict()`.
    func isEmptyRegistry(_ node: Node) -> Bool {
        if node.type == "dictionary" { return node.namedChildren.allSatisfy { $0.type == "comment" } }
        guard node.type == "call" else { return false }
        let call = callSite(node)
        if call.callee == "dict" { return call.positional.isEmpty && call.keywords.isEmpty }
        return call.name == "defaultdict" && call.positional.count == 1 && unwrapped(call.positional[0]).text == "list"
    }

    /// For a read of a registry at one key, `registry[key]`, `registry.get(key)` / `registry.get(key, [])` or
    /// `registry.setdefault(key, [])`: the registry. Nil for anything else.
    func keyedRead(_ node: Node) -> Node? {
        if node.type == "subscript" { return node.child(byField: "value").map(unwrapped) }
        guard node.type == "call" else { return nil }
        let call = callSite(node)
        guard ["get", "setdefault"].contains(call.name), (1...2).contains(call.positional.count), let receiver = call.receiver else { return nil }
        return unwrapped(receiver)
    }

    /// Whether a name or dotted name starts at a name an import binds (`F.relu`, `torch.compile`).
    public func isImportedName(_ node: Node) -> Bool {
        var head = node
        while head.type == "attribute", let object = head.child(byField: "object") { head = object }
        return head.type == "identifier" && imports.bindings[head.text] != nil
    }

    /// Calls of instances of a class of the file or of its subclasses (`policy(model)` with `policy = Policy()`).
    func instanceCalls(of owner: Class) -> [CallSite] {
        memoized("instanceCalls/\(owner.node.startByte)") {
            calls.filter { call in
                guard let callee = call.function.map(unwrapped), callee.type == "identifier" || callee.type == "attribute",
                      !isImportedName(callee), calledFunction(call) == nil else { return false }
                return dataflow.instanceClasses(of: callee).contains { name in
                    boundClass(named: name).map { lineage(of: $0).contains { $0.node == owner.node } } == true
                }
            }
        }
    }

    /// The dictionary a module-level helper builds and returns (`def scales(cfg): return dict(x_s=cfg["x"], ...)`):
    /// its one `return` expression, when that is a dictionary literal or a `dict(...)` call. Its entries are read
    /// like any expression of the helper (its parameters: what the callers pass).
    public func returnedDictionary(_ call: CallSite) -> Node? {
        guard call.receiver == nil, let function = moduleFunctions[call.callee] else { return nil }
        let returned = returnedValues(function).map(unparenthesized)
        guard returned.count == 1, let expression = returned.first else { return nil }
        if expression.type == "dictionary" || (expression.type == "call" && callSite(expression).callee == "dict") { return expression }
        return nil
    }

    /// The value a call passes for `key` through a dictionary it unpacks (`Linear(d, v, **HEAD_SCALES)` with
    /// `HEAD_SCALES = dict(x_s=2.0, ...)`, a literal `**{"x_s": 2.0}`, a helper's `**scales_from(cfg)`).
    public func splattedEntry(_ call: CallSite, key: String) -> Node? {
        guard call.hasSplat, let arguments = call.node.child(byField: "arguments") else { return nil }
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard let expression = splat.namedChildren.first.map(unparenthesized) else { continue }
            var tables = [expression]
            if let name = SettingsTable.bareName(of: expression), ["identifier", "attribute"].contains(expression.type) {
                // A dataclass field holding the table: its default (`field(default_factory=lambda: dict(...))`).
                tables += allSettings.settings(name).map { unwrappedFieldDefault($0.value) }
            }
            for table in tables {
                if case .value(let value)? = resolver.dictionaryEntry(table, key: key) { return value }
            }
        }
        return nil
    }

    /// Calls that pass arguments to a function by way of `functools.partial`, with the offset between a
    /// parameter's index and its position in the call (as `Dataflow.callSites` gives them): the
    /// `partial(f, a, b)` call itself (offset -1: its first positional is `f`), and every call of a plain name
    /// set to it (offset: the number of positionals the partial binds).
    public func partialCallSites(of name: String) -> [(call: CallSite, offset: Int)] {
        var result: [(call: CallSite, offset: Int)] = []
        for call in calls(named: "partial") where ["functools.partial", "partial"].contains(call.callee) {
            guard let first = call.positional.first, first.type == "identifier", first.text == name else { continue }
            result.append((call, -1))
            if let assignment = call.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == call.node,
               let target = assignment.child(byField: "left"), target.type == "identifier", target.text != name {
                for use in calls(named: target.text) where use.function?.type == "identifier" {
                    result.append((use, call.positional.count - 1))
                }
            }
        }
        return result
    }

    /// Calls that hand a function the items of sequences: `map(f, xs, ys)`, or `map(functools.partial(f, a, k=v), xs,
    /// ys)` whose sequences fill the parameters after those the partial binds by position, where `denotes` accepts the
    /// mapped expression (`f`: a name of the function, or the lambda written there). With the offset as
    /// `partialCallSites` gives it, so `call.argument(name, position: index - offset)` is the sequence whose items
    /// parameter `index` takes (never one item): readers that follow a value into its container (token-table flow,
    /// instance classes) read it as they read the items.
    public func mappedCallSites(where denotes: (Node) -> Bool) -> [(call: CallSite, offset: Int)] {
        var result: [(call: CallSite, offset: Int)] = []
        for call in calls(named: "map") where call.callee == "map" && !call.hasSplat && call.positional.count >= 2 {
            let mapped = unwrapped(call.positional[0])
            if denotes(mapped) {
                result.append((call, -1))
            } else if mapped.type == "call", case let partial = callSite(mapped), ["functools.partial", "partial"].contains(partial.callee),
                      !partial.hasSplat, let first = partial.positional.first, denotes(unwrapped(first)) {
                // `partial(f, a)`: `a` is parameter 0, the first sequence (position 1 of the map) parameter 1.
                result.append((call, partial.positional.count - 2))
            }
        }
        return result
    }

    /// Module-level functions by name (the first of a name), read once: helpers are looked up per call.
    public var moduleFunctions: [String: Function] {
        memoized("moduleFunctions") {
            var byName: [String: Function] = [:]
            for f in functions where f.node.parent?.type == "module" && byName[f.name] == nil { byName[f.name] = f }
            return byName
        }
    }

    /// For each module-level function, its parameters (with their positions) that it calls: `def apply(g, backend):
    /// return backend(g)` gives `backend` at 1. Read once.
    public var calledParameters: [String: [(index: Int, name: String)]] {
        memoized("calledParameters") {
            var result: [String: [(index: Int, name: String)]] = [:]
            for (name, f) in moduleFunctions {
                let hits = calledParameters(of: f)
                if !hits.isEmpty { result[name] = hits }
            }
            return result
        }
    }

    /// The parameters a function calls, numbered as its callers pass them: a method called on `self` or an
    /// instance is not passed its `self` (or `cls`), a `@staticmethod` has none (`def _blocks(g, fn, n): ...
    /// fn(part)` gives `fn` at 1 for `self._blocks(g, backend, 3)`).
    public func calledParameters(of f: Function) -> [(index: Int, name: String)] {
        let called = Set(descendants(of: f.node).compactMap { n -> String? in
            guard n.type == "call", let callee = n.child(byField: "function"), callee.type == "identifier" else { return nil }
            return callee.text
        })
        return f.passedParameters.enumerated().filter { called.contains($0.element) }.map { (index: $0.offset, name: $0.element) }
    }

    /// Names of the file's classes.
    public var classNameSet: Set<String> { memoized("classNameSet") { Set(classes.map(\.name)) } }
    /// The names of the file's functions (methods included).
    public var functionNameSet: Set<String> { memoized("functionNameSet") { Set(functions.map(\.name)) } }

    /// Names of the methods the file's classes define (a call `obj.name(...)` can only reach one of these).
    public var methodNames: Set<String> {
        memoized("methodNames") { Set(functions.filter { enclosingClass($0.node) != nil }.map(\.name)) }
    }

    /// Whether a call builds an instance of the class named `owner`: `Owner(...)`, or `cls(...)` inside one of its
    /// class methods.
    func constructs(_ call: CallSite, _ owner: String?) -> Bool {
        guard let owner else { return false }
        if call.name == owner { return true }
        return call.callee == "cls" && enclosingClass(call.node)?.name == owner
    }

    /// For a `cls(...)` call inside a class method (`@classmethod def default(cls): return cls(vocab_size=...)`), the
    /// class it builds; nil for any other call.
    public func classBuiltByCls(_ call: Node) -> Class? {
        guard call.type == "call", call.child(byField: "function")?.text == "cls",
              enclosingFunction(call)?.parameters.first == "cls" else { return nil }
        return enclosingClass(call)
    }

    public func enclosingFunction(_ node: Node) -> Function? {
        // Only the start byte matters, so the answer is kept per start byte.
        let start = node.startByte
        if let known = enclosingFunctionByStart[start] { return known.map { functions[$0] } }
        let index = Self.innermost(containing: start, in: functionRanges)
        enclosingFunctionByStart[start] = .some(index)
        return index.map { functions[$0] }
    }

    /// The function a function is defined in (`pre` of `def feed(self, j): def pre(module, args): ...; return pre` is
    /// in `feed`); nil for one defined at module level or in a class body. Not `enclosingFunction` of its parent block:
    /// a block whose first statement is the nested `def` starts where that function does, and would answer it.
    public func outerFunction(of function: Function) -> Function? {
        for ancestor in ancestors(of: function.node) {
            if ancestor.type == "class_definition" { return nil }
            if ancestor.type == "function_definition" { return functions.first { $0.node == ancestor } }
        }
        return nil
    }

    /// Byte ranges of `functions` and `classes`, read once (asking the nodes goes through the C runtime).
    private lazy var functionRanges: [Range<Int>] = functions.map(\.node.byteRange)
    private lazy var classRanges: [Range<Int>] = classes.map(\.node.byteRange)

    /// The index of the shortest range containing `offset`.
    private static func innermost(containing offset: Int, in ranges: [Range<Int>]) -> Int? {
        var best: Int?
        for (index, range) in ranges.enumerated() where range.contains(offset) {
            if best == nil || range.count < ranges[best!].count { best = index }
        }
        return best
    }

    private var enclosingFunctionByStart: [Int: Int?] = [:]

    /// Every assignment and augmented assignment, in document order.
    public private(set) lazy var assignmentNodes: [Node] = nodes(ofType: ["assignment", "augmented_assignment"])

    /// Assignments outside every function.
    public private(set) lazy var moduleAssignments: [Node] = assignmentNodes.filter { enclosingFunction($0) == nil }

    public func enclosingClass(_ node: Node) -> Class? {
        let start = node.startByte
        if let known = enclosingClassByStart[start] { return known.map { classes[$0] } }
        let index = Self.innermost(containing: start, in: classRanges)
        enclosingClassByStart[start] = .some(index)
        return index.map { classes[$0] }
    }

    private var enclosingClassByStart: [Int: Int?] = [:]

    /// What `foldedString` found per node and depth (see there).
    var foldedStrings: [NodeAtDepth: String?] = [:]

    /// What `interpretedString` found per call.
    var interpretedStrings: [Node: String?] = [:]

    /// The function of the file each call runs (see `calledFunction`).
    var calledFunctions: [Node: Function?] = [:]

    /// What the interpreter made of each expression evaluated where it stands, with nothing bound, per step budget
    /// (see `ScriptInterpreter.value(of:)`).
    var interpretedValues: [InterpretedKey: ScriptValue?] = [:]
    struct InterpretedKey: Hashable {
        let node: Node
        let budget: Int
    }

    /// What the interpreter read from the settings for a name nothing local explains, by read, depth and budget, with
    /// what the reading depended on (see `ScriptInterpreter.settingsValue`).
    var interpretedSettingsReads: [SettingsReadKey: SettingsRead] = [:]
    struct SettingsReadKey: Hashable {
        let node: Node
        let depth: Int
        let budget: Int
    }
    struct SettingsRead {
        let value: ScriptValue?
        /// The names the reading resolved (see `ScriptInterpreter.settingsValue`).
        let resolved: Set<Range<Int>>
        /// The steps of budget it took.
        let spent: Int
    }

    /// Whether an identifier is the instance a method works on: `self`, or whatever name the method gives its first
    /// parameter (`def forward(s, x): return s.proj(x)`, `forward=lambda s, x: ...` in a `type(...)` namespace), read
    /// in the method or in a function or lambda nested in it that does not take a parameter of that name.
    public func isInstance(_ node: Node) -> Bool {
        guard node.type == "identifier" else { return false }
        if node.hasText("self") { return true }
        var function = enclosingFunction(node)
        while let f = function {
            if let receiver = f.receiver { return receiver == node.text }
            if f.parameters.contains(node.text) { return false }
            // The next function out, by walking up the syntax (the start byte of the block may be f's own).
            var ancestor = f.node.parent
            while let a = ancestor, a.type != "function_definition" { ancestor = a.parent }
            function = ancestor.flatMap { a in functions.first { $0.node == a } }
        }
        return false
    }

    /// For `self.name` (the instance under any name, see `isInstance`), `name`.
    public func instanceAttribute(_ node: Node) -> String? {
        guard node.type == "attribute", let object = node.child(byField: "object"), isInstance(object) else { return nil }
        return node.child(byField: "attribute")?.text
    }

    // MARK: Shared analyses (computed once per file, used by many detectors)

    /// Name bindings by scope.
    public private(set) lazy var dataflow = Dataflow(self)

    /// Token-table lookups followed through the file (`TokenTableFlow`), shared by the value-embedding detectors: its
    /// answers depend on the file alone, and each one it works out helps the next question.
    public private(set) lazy var tokenTables = TokenTableFlow(self, dataflow)

    /// Embeddings, linear classes and output heads.
    private(set) lazy var modelView = ModelView(self)

    /// Derived views computed by the fact extensions, kept by name (see `memoized`).
    private var memo: [String: Any] = [:]

    /// Loop variables whose entries `appendedEntries` is reading (a list filled by a method that a loop over the same
    /// list calls would lead back to itself).
    var appendedEntriesInProgress = Set<Node>()

    /// Conditions of module-level `if` statements whose truth `runsOnceAtModuleLevel` is deciding (a switch read in the
    /// branch may lead back to the same statement).
    var moduleBranchesInProgress = Set<Node>()

    /// How many `evaluate(_:bindings:depth:)` calls are running, one inside another. Each chain of evaluation bounds
    /// its own depth, but a call of a file function runs the function's statements with a fresh chain, so a function
    /// that calls itself (`def lr(it): ... return lr(it)`) would nest chains until the stack overflows; this bounds
    /// them all (see `evaluationNestingLimit`).
    var evaluationNesting = 0
    /// The `evaluate` calls the outermost evaluation running has made (see `evaluationStepLimit`).
    var evaluationSteps = 0

    /// The values a node takes as the benchmark runs it, by node and resolution depth (see `benchmarkValues`):
    /// a name assigned in several places is read again by every expression that uses it, and without this each
    /// reading resolved it anew, fanning out with the number of assignments.
    var benchmarkValueMemo: [Int: [Double]] = [:]
    /// Configuration switches by name (`StaticConditions`): decided, undecided (nil), or being read (a cycle).
    var switchMemo: [String: SwitchValue?] = [:]
    /// The helper calls being read by `StaticConditions` (innermost last): each helper's parameters hold what that
    /// call passes (or their defaults).
    var helperCallFrames: [(function: Node, arguments: [String: Node])] = []

    /// The origins of an expression (see `origins(of:)`), by expression.
    var originsMemo: [Node: [Node]] = [:]

    /// Whether an expression reads the world size (see `readsWorldSize(_:)`), by expression.
    var worldSizeReads: [Node: Bool] = [:]

    /// The dictionaries an expression denotes (see `dictionaries(_:depth:given:)`), by expression and depth.
    var dictionariesMemo: [DictionariesKey: [Node]] = [:]

    /// What the callers pass for a parameter (see `callerBindings(of:)`), by the name read.
    var callerBindingsMemo: [Node: [(call: CallSite, argument: Node)]] = [:]

    /// The functions a function may run, by function and depth (see `reachableFunctions(from:depth:)`): a dozen
    /// detectors walk the call graph from the same forward methods and optimizer steps.
    var reachableMemo: [Node: [Int: [Function]]] = [:]

    /// Whether a function orthogonalizes, by function (see `orthogonalizes(_:)`).
    var orthogonalizingFunctionMemo: [Node: Bool] = [:]

    /// The latest value of a name before a use, by use and name (see `latestValue(of:before:)`).
    var latestValueMemo: [LatestValueKey: Node?] = [:]

    struct LatestValueKey: Hashable {
        let position: Int
        let name: String
    }

    /// The value of a derived view, computed on first use and kept: many detectors ask for the same view
    /// (attention sites, optimizers, schedules), and the file does not change while it is analysed. Other
    /// modules use it too (the rules keep their reading of a base record here); a kept value must not hold these
    /// facts strongly, or neither would ever be freed.
    public func memoized<T>(_ key: String, _ compute: () -> T) -> T {
        // Look the entry up before casting: casting a missing entry to an optional `T` would succeed with nil.
        if let entry = memo[key] { return entry as! T }
        let value = compute()
        memo[key] = value
        return value
    }

    /// As `memoized`, for a fact whose computation may ask for itself again (through facts that depend on it): such
    /// a nested question gets `provisional` instead of starting the computation over.
    public func memoized<T>(_ key: String, provisional: T, _ compute: () -> T) -> T {
        if let entry = memo[key] { return entry as! T }
        memo[key] = provisional
        let value = compute()
        memo[key] = value
        return value
    }

    // MARK: Settings and values

    public private(set) lazy var settings: SettingsTable = withoutSelfCheckSettings(SettingsCollector.collect(self))

    /// The settings detectors resolve against: the shared table when files are analysed together.
    public var allSettings: SettingsTable { sharedSettings ?? settings }

    public private(set) lazy var resolver = ValueResolver(facts: self)

    /// The numeric value of an expression, following names to where they are set.
    public func value(of node: Node) -> NumericValue? { resolver.value(of: node) }

    /// Every value an expression may take (a name set in several places), strongest setting first.
    public func values(of node: Node) -> [NumericValue] { resolver.values(of: node) }

    /// A string literal's value (or a name set to one).
    public func string(of node: Node) -> String? { resolver.string(of: node) }

    // MARK: Normalized view

    public private(set) lazy var normalized: SyntaxTree = NormalizedTree.build(root, language: .python)

    /// Normalized nodes whose source range lies inside `range`.
    public func normalizedNodes(in range: Range<Int>) -> [Int] {
        (0..<normalized.count).filter { range.contains(normalized.byteRange[$0].lowerBound) && normalized.byteRange[$0].upperBound <= range.upperBound }
    }

    // MARK: Queries

    /// Matches of a detector's query file `queries/python/<id>/<name>.scm` (embedded in the binary).
    public func matches(_ id: String, query name: String = "detector") -> [QueryMatch] {
        guard let source = CatalogueData.text("queries/python/\(id)/\(name).scm"),
              let query = try? QueryCache.shared.query(language: .python, source: source) else { return [] }
        return QueryCursor().matches(of: query, in: root)
    }

    // MARK: Evidence

    public func evidence(_ node: Node, _ note: String) -> Evidence {
        Evidence(path: file.path, range: file.lines.range(node.byteRange), code: snippet(node), note: note)
    }

    public func evidence(range: Range<Int>, _ note: String) -> Evidence {
        Evidence(path: file.path, range: file.lines.range(range), code: snippet(range), note: note)
    }

    /// The first line of a node's text, shortened.
    public func snippet(_ node: Node) -> String { snippet(node.byteRange) }

    public func snippet(_ range: Range<Int>) -> String { file.snippet(range) }

    /// Text of a node with whitespace removed, for comparing expressions.
    public func compact(_ node: Node) -> String { String(node.text.filter { !$0.isWhitespace }) }
}

extension PythonFacts {
    /// Whether `name` is used anywhere outside `definition` (called, launched as `name[grid](...)`, passed
    /// along, instantiated): a helper that nothing uses does not count.
    public func isReferenced(_ name: String, outside definition: Node) -> Bool {
        (identifiersByName[name] ?? []).contains { !definition.byteRange.contains($0.startByte) }
    }

    /// Whether code may run: every function and class around it is used outside its own definition (see
    /// `isReferenced`) or decorated (a decorator may register it). A method is judged by its class, whose methods
    /// PyTorch and Python call by name (`forward`, `reset_parameters`, `__init__`), so an init in a class nothing
    /// builds, subclasses or names (`class CastedLinearV2(CastedLinear)` never swapped in), or in a helper nothing
    /// calls, does not run. Module-level code runs.
    public func mayRun(_ node: Node) -> Bool {
        for scope in ancestors(of: node) where scope.type == "function_definition" || scope.type == "class_definition" {
            guard scope.parent?.type != "decorated_definition", let name = scope.child(byField: "name")?.text else { continue }
            let owner = ancestors(of: scope).first { $0.type == "function_definition" || $0.type == "class_definition" }
            if scope.type == "function_definition", owner?.type == "class_definition" { continue }
            if !isReferenced(name, outside: scope) { return false }
        }
        return true
    }

    /// The normalized node covering exactly `node`'s range (the outermost one when several do).
    public func normalizedNode(for node: Node) -> Int? {
        (0..<normalized.count).first { normalized.byteRange[$0] == node.byteRange }
    }

    /// The source text of a normalized node.
    public func text(ofNormalized node: Int) -> String { file.text(in: normalized.byteRange[node]) }

    /// The callee of a normalized `call` node read through callable aliases (`CallSite.callee`): the normalized tree
    /// resolves import aliases only, so a call through a name bound to a library function (`relu = F.relu`, also a
    /// local of an enclosing function, then `relu(h)`) keeps the name there; this gives `torch.nn.functional.relu`.
    /// Nil when the node is no call.
    public func aliasedCallee(ofNormalized node: Int) -> String? {
        guard normalized.callee(node) != nil, let original = root.namedDescendant(for: normalized.byteRange[node]),
              original.type == "call" else { return nil }
        return callSite(original).callee
    }

    /// Evidence at a normalized node.
    public func evidence(normalized node: Int, _ note: String) -> Evidence {
        evidence(range: normalized.byteRange[node], note)
    }
}
