import TreeSitterKit

/// Rewrites Python expressions into one canonical form before matching (see `NormalizationOptions`):
///
/// - import aliases: `F.relu`, `nn.functional.relu` and a `from`-imported `relu` all become the qualified name
///   `torch.nn.functional.relu`;
/// - idioms: `x ** 2`, `x * x`, `x.square()`, `x.pow(2)`, `torch.pow(x, 2)`, `torch.mul(x, x)`, `x.mul(x)` become
///   `torch.square(x)`;
///   `F.relu(x)`, `x.relu()`, `torch.nn.functional.relu(x)`, and the positive part written with the absolute value,
///   `(x + x.abs()) * 0.5`, `(x + abs(x)) / 2`, become `torch.relu(x)`; `a @ b`, `a.matmul(b)`
///   become `torch.matmul(a, b)`;
/// - keyword arguments: calls with a known signature pass every argument by keyword, in signature order;
/// - constants: numeric expressions are replaced by their value.
public struct PythonNormalizer: LoweringRewriter {
    public let imports: ImportTable
    public let options: NormalizationOptions
    let folder: ConstantFolder

    /// Folding is tried on expressions at most this long: constants are short, and the limit keeps
    /// evaluation linear on huge expressions.
    static let maxFoldedBytes = 256

    /// Functions that are the same operation under another name.
    static let canonicalFunctions: [String: String] = [
        "torch.nn.functional.relu": "torch.relu", "torch.relu": "torch.relu",
        "torch.square": "torch.square", "torch.matmul": "torch.matmul", "torch.mm": "torch.matmul",
    ]

    /// Names bound where an identifier is not a reference: these are never replaced by a qualified name.
    static let bindingParents: Set<String> = [
        "aliased_import", "keyword_argument", "parameters", "default_parameter", "typed_parameter",
        "typed_default_parameter", "function_definition", "class_definition", "lambda_parameters",
    ]

    /// Functions whose parameters reuse an imported name (`def f(config): ...` next to
    /// `import torch._inductor.config as config`): inside them the name is the parameter, not the import.
    let shadowing: [(range: Range<Int>, names: Set<String>)]

    public init(root: Node, options: NormalizationOptions) {
        let imports = ImportTable(root: root)
        self.imports = imports
        self.options = options
        folder = ConstantFolder(imports: imports)
        shadowing = imports.parameterScopes.compactMap { scope in
            let names = Set(scope.names.filter { imports.bindings[$0] != nil })
            return names.isEmpty ? nil : (scope.range, names)
        }
    }

    func isShadowed(_ name: String, at offset: Int) -> Bool {
        shadowing.contains { $0.range.contains(offset) && $0.names.contains(name) }
    }

    public func rewrite(_ node: Node, type: String, parentType: String?) -> Synthetic? {
        switch type {
        case "binary_operator":
            return folded(node) ?? binaryIdiom(node)
        case "unary_operator":
            return folded(node)
        case "call":
            return folded(node) ?? callIdiom(node) ?? keywordCall(node)
        case "attribute", "identifier":
            return qualifiedReference(node, type: type, parentType: parentType)
        default:
            return nil
        }
    }

    // MARK: Constants

    func folded(_ node: Node) -> Synthetic? {
        guard options.contains(.constantFolding), node.endByte - node.startByte <= Self.maxFoldedBytes else { return nil }
        if node.type == "call" {
            // Only calls of math functions and numeric builtins can fold: decide from the callee first.
            guard let function = node.child(byField: "function") else { return nil }
            let name = function.type == "identifier" ? function.text : importedName(function)
            guard let name, ConstantFolder.functions[name] != nil || ConstantFolder.builtins.contains(name) else { return nil }
        }
        guard let value = folder.evaluate(node) else { return nil }
        if case .int = value { return .leaf(kind: "integer", label: value.description, range: node.byteRange) }
        return .leaf(kind: "float", label: value.description, range: node.byteRange)
    }

    // MARK: Aliases

    /// The resolved name of a reference whose first part was imported, or nil for anything else.
    func importedName(_ node: Node) -> String? {
        // Every attribute of a chain `a.b.c` starts where its head `a` starts: remember the last head that
        // was not imported, so a long chain of a local value is looked at once, not once per level.
        let start = node.startByte
        if headCache.start == start { return nil }
        var head = node
        while head.type == "attribute", let object = head.child(byField: "object") { head = object }
        guard head.type == "identifier" else { return nil }
        guard imports.bindings[head.text] != nil, !isShadowed(head.text, at: start) else {
            // Only a chain that ends in an identifier shares its start with that identifier's other chains.
            headCache.start = start
            return nil
        }
        return imports.qualifiedName(of: node)
    }

    /// Start of the last reference chain whose head is not an import.
    final class HeadCache {
        var start = -1
    }
    let headCache = HeadCache()

    func qualifiedReference(_ node: Node, type: String, parentType: String?) -> Synthetic? {
        guard options.contains(.importAliases), !imports.bindings.isEmpty else { return nil }
        if type == "identifier", let parentType, Self.bindingParents.contains(parentType) { return nil }
        guard let name = importedName(node) else { return nil }
        return .leaf(kind: "qualified_name", label: name, range: node.byteRange)
    }

    /// The callee as a qualified name leaf when aliases are resolved, as written otherwise.
    func callee(_ function: Node, name: String?) -> Synthetic {
        if options.contains(.importAliases), let name { return .leaf(kind: "qualified_name", label: name, range: function.byteRange) }
        return .lower(function)
    }

    // MARK: Idioms

    func canonicalCall(_ name: String, _ arguments: [Node], range: Range<Int>, calleeRange: Range<Int>) -> Synthetic {
        .node(kind: "call", label: "", range: range, children: [
            .leaf(kind: "qualified_name", label: name, range: calleeRange),
            .node(kind: "argument_list", label: "", range: range, children: arguments.map { .lower($0) }),
        ])
    }

    static func isTwo(_ node: Node) -> Bool {
        guard node.type == "integer" || node.type == "float" else { return false }
        return Double(node.text.replacingOccurrences(of: "_", with: "")) == 2
    }

    /// Text without whitespace, to compare the two operands of `x * x`.
    static func compact(_ node: Node) -> String { String(node.text.filter { !$0.isWhitespace }) }

    static let pureOperands: Set<String> = ["identifier", "attribute", "subscript", "call", "parenthesized_expression"]

    func binaryIdiom(_ node: Node) -> Synthetic? {
        guard options.contains(.idioms), let left = node.child(byField: "left"), let right = node.child(byField: "right"),
              let op = node.child(byField: "operator")?.type else { return nil }
        switch op {
        case "**" where Self.isTwo(right):
            return canonicalCall("torch.square", [left], range: node.byteRange, calleeRange: node.byteRange)
        case "*" where Self.pureOperands.contains(left.type) && Self.compact(left) == Self.compact(right):
            return canonicalCall("torch.square", [left], range: node.byteRange, calleeRange: node.byteRange)
        case "@":
            return canonicalCall("torch.matmul", [left, right], range: node.byteRange, calleeRange: node.byteRange)
        case "*", "/":
            // (x + |x|) * 0.5, 0.5 * (x + |x|), (x + |x|) / 2: the positive part of x.
            let (sum, factor) = op == "*" && Self.isNumber(left, 0.5) ? (right, left) : (left, right)
            guard Self.isNumber(factor, op == "*" ? 0.5 : 2), let x = rectifiedOperand(sum) else { return nil }
            return canonicalCall("torch.relu", [x], range: node.byteRange, calleeRange: node.byteRange)
        default:
            return nil
        }
    }

    static func isNumber(_ node: Node, _ value: Double) -> Bool {
        guard node.type == "integer" || node.type == "float" else { return false }
        return Double(node.text.replacingOccurrences(of: "_", with: "")) == value
    }

    /// For `x + |x|` (or `|x| + x`; `x.abs()`, `abs(x)`, `torch.abs(x)`), parenthesized or not: `x`. Half of it is
    /// the positive part of `x`, a ReLU written with the absolute value.
    func rectifiedOperand(_ node: Node) -> Node? {
        var sum = node
        while sum.type == "parenthesized_expression", let inner = sum.namedChildren.first { sum = inner }
        guard sum.type == "binary_operator", sum.child(byField: "operator")?.type == "+",
              let a = sum.child(byField: "left"), let b = sum.child(byField: "right") else { return nil }
        func absoluteOf(_ n: Node) -> Node? {
            guard n.type == "call", let function = n.child(byField: "function"), let args = Self.positional(n) else { return nil }
            if function.type == "attribute", function.child(byField: "attribute")?.text == "abs", args.isEmpty,
               let receiver = function.child(byField: "object") { return receiver }
            if args.count == 1, function.type == "identifier" && function.text == "abs" || importedName(function) == "torch.abs" { return args[0] }
            return nil
        }
        if let x = absoluteOf(b), Self.pureOperands.contains(a.type), Self.compact(x) == Self.compact(a) { return a }
        if let x = absoluteOf(a), Self.pureOperands.contains(b.type), Self.compact(x) == Self.compact(b) { return b }
        return nil
    }

    /// Positional arguments of a call, or nil when it has keywords, splats or comprehensions.
    static func positional(_ call: Node) -> [Node]? {
        guard let arguments = call.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
        let args = arguments.namedChildren.filter { $0.type != "comment" }
        guard args.allSatisfy({ !["keyword_argument", "list_splat", "dictionary_splat"].contains($0.type) }) else { return nil }
        return args
    }

    func callIdiom(_ node: Node) -> Synthetic? {
        guard options.contains(.idioms), let function = node.child(byField: "function") else { return nil }
        let range = node.byteRange, calleeRange = function.byteRange
        if let name = importedName(function).flatMap({ Self.canonicalFunctions[$0] ?? ($0 == "torch.pow" || $0 == "torch.mul" ? $0 : nil) }) {
            // A library function: torch.relu(x), F.relu(x, inplace=True), torch.square(x), torch.pow(x, 2), torch.matmul(a, b).
            guard let arguments = node.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
            let args = arguments.namedChildren.filter { $0.type != "comment" }
            let plain = args.filter { $0.type != "keyword_argument" }
            switch name {
            case "torch.relu" where plain.count == 1 && args.allSatisfy({ $0.type != "keyword_argument" || $0.child(byField: "name")?.text == "inplace" }):
                return canonicalCall(name, plain, range: range, calleeRange: calleeRange)
            case "torch.square" where plain.count == 1 && args.count == 1:
                return canonicalCall(name, plain, range: range, calleeRange: calleeRange)
            case "torch.pow" where plain.count == 2 && args.count == 2 && Self.isTwo(plain[1]):
                return canonicalCall("torch.square", [plain[0]], range: range, calleeRange: calleeRange)
            case "torch.matmul" where plain.count == 2 && args.count == 2:
                return canonicalCall(name, plain, range: range, calleeRange: calleeRange)
            case "torch.mul" where plain.count == 2 && args.count == 2 && Self.pureOperands.contains(plain[0].type)
                && Self.compact(plain[0]) == Self.compact(plain[1]):
                return canonicalCall("torch.square", [plain[0]], range: range, calleeRange: calleeRange)
            default:
                return nil
            }
        }
        // A method on a value: x.relu(), x.square(), x.pow(2), a.matmul(b).
        guard function.type == "attribute", importedName(function) == nil,
              let receiver = function.child(byField: "object"), let method = function.child(byField: "attribute")?.text,
              let args = Self.positional(node) else { return nil }
        switch (method, args.count) {
        case ("relu", 0): return canonicalCall("torch.relu", [receiver], range: range, calleeRange: calleeRange)
        case ("square", 0): return canonicalCall("torch.square", [receiver], range: range, calleeRange: calleeRange)
        case ("pow", 1) where Self.isTwo(args[0]):
            return canonicalCall("torch.square", [receiver], range: range, calleeRange: calleeRange)
        case ("mul", 1) where Self.pureOperands.contains(receiver.type) && Self.compact(receiver) == Self.compact(args[0]):
            return canonicalCall("torch.square", [receiver], range: range, calleeRange: calleeRange)
        case ("matmul", 1), ("mm", 1):
            return canonicalCall("torch.matmul", [receiver, args[0]], range: range, calleeRange: calleeRange)
        case ("mul", 1) where Self.isNumber(args[0], 0.5), ("div", 1) where Self.isNumber(args[0], 2):
            // (x + x.abs()).mul(0.5): the positive part of x.
            guard let x = rectifiedOperand(receiver) else { return nil }
            return canonicalCall("torch.relu", [x], range: range, calleeRange: calleeRange)
        default: return nil
        }
    }

    // MARK: Keyword arguments

    func keywordCall(_ node: Node) -> Synthetic? {
        guard options.contains(.keywordArguments), let function = node.child(byField: "function"),
              let name = importedName(function), let parameters = KnownSignatures.parameters[name],
              let arguments = node.child(byField: "arguments"), arguments.type == "argument_list" else { return nil }
        let args = arguments.namedChildren.filter { $0.type != "comment" }
        guard args.allSatisfy({ !["list_splat", "dictionary_splat", "generator_expression"].contains($0.type) }) else { return nil }
        var named: [(order: Int, name: String, value: Node, range: Range<Int>)] = []
        var position = 0
        for arg in args {
            if arg.type == "keyword_argument" {
                guard let key = arg.child(byField: "name")?.text, let value = arg.child(byField: "value") else { return nil }
                named.append((parameters.firstIndex(of: key) ?? parameters.count, key, value, arg.byteRange))
            } else {
                guard position < parameters.count else { return nil }
                named.append((position, parameters[position], arg, arg.byteRange))
                position += 1
            }
        }
        named.sort { ($0.order, $0.name) < ($1.order, $1.name) }
        return .node(kind: "call", label: "", range: node.byteRange, children: [
            callee(function, name: name),
            .node(kind: "argument_list", label: "", range: arguments.byteRange, children: named.map { item in
                .node(kind: "keyword_argument", label: "", range: item.range, children: [
                    .leaf(kind: "identifier", label: item.name, range: item.range), .lower(item.value),
                ])
            }),
        ])
    }
}
