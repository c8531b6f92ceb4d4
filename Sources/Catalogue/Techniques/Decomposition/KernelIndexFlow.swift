import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// What the index arithmetic of a kernel (and of the device helpers it reaches) is derived from, for the
/// decomposition, reduction and synchronization detectors.
///
/// Every expression gets an *origin*: the set of thread-hierarchy sources it depends on, found by following
/// local variables to their definitions with C++ scoping (for-loop initializers, enclosing blocks, parameters,
/// file-scope variables), object-like and function-like macros (their replacement text is parsed), and the
/// cooperative-groups accessors. Origins are strings:
/// `threadIdx.x`, `blockIdx.y`, `blockDim.x`, `gridDim.x`, `warpSize` (the built-ins and their components),
/// `warp` (a warp number: a thread index divided by the warp size, or a tile's `meta_group_rank()`),
/// `lane` (a thread index modulo the warp size, or a 32-wide tile's `thread_rank()`), `param:NAME` (a runtime
/// function parameter), `global:NAME` (something declared outside this source), and on the host `smCount`
/// (`multiProcessorCount`, the SM-count device attribute), `occupancy` (results of the occupancy API) and
/// `smThreads` (`maxThreadsPerMultiProcessor`). One instance per detection; not thread-safe.
final class KernelIndexFlow {
    let facts: CUDAFacts
    /// The function analysed and the device helpers it reaches (for a host function: just itself).
    let functions: [CUDAFacts.Function]

    init(_ function: CUDAFacts.Function, in facts: CUDAFacts, reach: Bool = true) {
        self.facts = facts
        functions = reach ? facts.reach(function) : [function]
    }

    static let builtins: Set<String> = ["threadIdx", "blockIdx", "blockDim", "gridDim"]
    /// `cudaDeviceProp` fields that describe the streaming multiprocessors.
    static let deviceLimits: [String: String] = [
        "multiProcessorCount": "smCount", "maxThreadsPerMultiProcessor": "smThreads",
        "maxBlocksPerMultiProcessor": "smBlocks", "regsPerMultiprocessor": "smRegisters",
        "sharedMemPerMultiprocessor": "smSharedMemory",
    ]
    static let threadTokens: Set<String> = ["threadIdx.x", "threadIdx.y", "threadIdx.z", "warp", "lane"]

    var bodies: [Node] { functions.compactMap(\.body) }

    /// Nodes of the given types in every analysed body.
    func nodes(_ types: Set<String>) -> [Node] {
        functions.flatMap { f -> [Node] in
            if types.count == 1, let only = types.first { return facts.descendants(of: f, type: only) }
            return facts.descendants(of: f).filter { types.contains($0.type) }
        }
    }

    // MARK: Origins

    private var memo: [Node: Set<String>] = [:]
    private var visiting: Set<Node> = []

    func origin(_ node: Node?) -> Set<String> {
        guard let node else { return [] }
        if let known = memo[node] { return known }
        guard visiting.insert(node).inserted else { return [] }
        let result = computeOrigin(node)
        visiting.remove(node)
        memo[node] = result
        return result
    }

    /// Struct fields the file assigns from a device limit (`x.sm_count = prop.multiProcessorCount`): field -> limit.
    static func fieldsHoldingDeviceLimits(_ facts: CUDAFacts) -> [String: String] {
        facts.memo("KernelIndexFlow.fieldsHoldingDeviceLimits") {
            var result: [String: String] = [:]
            for assignment in facts.fileNodes(["assignment_expression"]) {
                guard let left = assignment.child(byField: "left"), left.type == "field_expression",
                      let field = left.child(byField: "field")?.text, let right = assignment.child(byField: "right") else { continue }
                for n in right.preorder where n.type == "field_expression" {
                    if let limit = n.child(byField: "field").flatMap({ deviceLimits[$0.text] }) { result[field] = limit; break }
                }
            }
            return result
        }
    }

    private func computeOrigin(_ node: Node) -> Set<String> {
        switch node.type {
        case "number_literal", "string_literal", "char_literal", "true", "false", "null", "nullptr",
             "sizeof_expression", "alignof_expression", "comment", "type_descriptor", "primitive_type",
             "type_identifier", "template_argument_list":
            return []
        case "field_expression":
            let field = node.child(byField: "field")?.text ?? ""
            if let device = Self.deviceLimits[field] { return [device] }
            // A field the file fills from a device limit elsewhere (`ctx.sm_count = prop.multiProcessorCount;` in a
            // set-up function, read here as `ctx.sm_count * 2`).
            if let device = Self.fieldsHoldingDeviceLimits(facts)[field] { return [device] }
            guard let argument = node.child(byField: "argument") else { return [] }
            if argument.type == "identifier" {
                if Self.builtins.contains(argument.text) { return ["\(argument.text).\(field)"] }
                if let body = facts.macros[argument.text], Self.builtins.contains(body.trimmingCharacters(in: .whitespaces)) {
                    return ["\(body.trimmingCharacters(in: .whitespaces)).\(field)"]
                }
            }
            if argument.type == "call_expression", let (object, method) = methodCall(argument) {
                let base: String? = ["group_index": "blockIdx", "thread_index": "threadIdx", "group_dim": "blockDim",
                                     "dim_blocks": "gridDim", "block_index": "blockIdx"][method]
                if let base, groupKind(object) != nil { return ["\(base).\(field)"] }
            }
            return origin(argument)
        case "identifier":
            return identifierOrigin(node)
        case "parameter_list":
            // Constructor arguments that tree-sitter read as parameters (`dim3 grid(a * b)`): every name counts.
            var result: Set<String> = []
            for name in node.preorder where name.type == "identifier" || name.type == "type_identifier" {
                result.formUnion(identifierOrigin(name))
            }
            return result
        case "call_expression":
            return callOrigin(node)
        case "binary_expression":
            let op = operatorText(node)
            let left = node.child(byField: "left"), right = node.child(byField: "right")
            let leftOrigin = origin(left)
            if (op == "/" && isWarpSize(right)) || (op == ">>" && literalValue(right) == 5) {
                if !leftOrigin.isDisjoint(with: ["threadIdx.x", "threadIdx.y", "threadIdx.z", "lane"]) {
                    return leftOrigin.subtracting(["threadIdx.x", "threadIdx.y", "threadIdx.z", "lane"]).union(["warp"])
                }
            }
            if (op == "%" && isWarpSize(right)) || (op == "&" && isLaneMask(right)) {
                if !leftOrigin.isDisjoint(with: ["threadIdx.x", "threadIdx.y", "threadIdx.z"]) { return ["lane"] }
            }
            return leftOrigin.union(origin(right))
        default:
            var result: Set<String> = []
            for child in node.namedChildren where child.type != "type_descriptor" { result.formUnion(origin(child)) }
            return result
        }
    }

    /// `object.method(...)` as (object node, method name).
    func methodCall(_ call: Node) -> (Node, String)? {
        guard let function = call.child(byField: "function"), function.type == "field_expression",
              let object = function.child(byField: "argument"), let method = function.child(byField: "field") else { return nil }
        return (object, method.text)
    }

    /// What a cooperative-groups object is: "grid", "block", "tile", or nil.
    func groupKind(_ object: Node) -> String? {
        if object.type == "call_expression" {
            let name = callee(object)
            if name.hasSuffix("this_grid") { return "grid" }
            if name.hasSuffix("this_thread_block") { return "block" }
            if name.hasSuffix("tiled_partition") { return "tile" }
            return nil
        }
        guard object.type == "identifier" else { return nil }
        for declaration in declarationsVisible(object.text, at: object) {
            let type = declaration.child(byField: "type")?.text ?? ""
            if type.contains("grid_group") { return "grid" }
            if type.contains("thread_block_tile") { return "tile" }
            if type.contains("thread_block") { return "block" }
        }
        for value in values(of: object.text, at: object) {
            var v = value
            while v.type == "parenthesized_expression", let inner = v.namedChild(0) { v = inner }
            if v.type == "call_expression", let kind = groupKind(v) { return kind }
        }
        return nil
    }

    private func callOrigin(_ node: Node) -> Set<String> {
        var argumentOrigin: Set<String> = []
        for argument in node.child(byField: "arguments")?.namedChildren ?? [] { argumentOrigin.formUnion(origin(argument)) }
        if let (object, method) = methodCall(node), let kind = groupKind(object) {
            switch (kind, method) {
            case ("tile", "thread_rank"): return ["lane"]
            case ("tile", "meta_group_rank"): return ["warp"]
            case ("tile", "size"), ("tile", "num_threads"): return ["warpSize"]
            case ("tile", "meta_group_size"): return ["blockDim.x"]
            case ("block", "thread_rank"): return ["threadIdx.x"]
            case ("block", "size"), ("block", "num_threads"): return ["blockDim.x"]
            case ("grid", "thread_rank"): return ["blockIdx.x", "blockDim.x", "threadIdx.x"]
            case ("grid", "size"), ("grid", "num_threads"): return ["gridDim.x", "blockDim.x"]
            case ("grid", "block_rank"): return ["blockIdx.x"]
            case ("grid", "num_blocks"): return ["gridDim.x"]
            default: break
            }
        }
        let name = callee(node)
        if let body = facts.macros[name] { return argumentOrigin.union(macroOrigin(name, body)) }
        return argumentOrigin
    }

    private func identifierOrigin(_ node: Node) -> Set<String> {
        let name = node.text
        if name == "warpSize" { return ["warpSize"] }
        switch resolve(name, at: node) {
        case .values(let values):
            var result: Set<String> = []
            for value in values { result.formUnion(origin(value)) }
            return result
        case .outParameter(let call):
            return outParameterOrigin(call)
        case .parameter(_, let isTemplate):
            guard !isTemplate else { return [] }
            // A pointer parameter advanced in place (`inp += idx * C`) carries what it was advanced by.
            var result: Set<String> = ["param:\(name)"]
            var function = node.parent
            while let f = function, f.type != "function_definition" { function = f.parent }
            for step in function.map({ Array($0.preorder) }) ?? [] where step.type == "assignment_expression"
                && ["+=", "-="].contains(operatorText(step)) && strip(step.child(byField: "left"))?.text == name {
                result.formUnion(origin(step.child(byField: "right")))
            }
            return result
        case .macro(let body):
            return macroOrigin(name, body)
        case .declaredWithoutValue:
            return []
        case .unknown:
            return ["global:\(name)"]
        }
    }

    /// A variable filled through `f(&v, ...)`: what the call says about it.
    private func outParameterOrigin(_ call: Node) -> Set<String> {
        let name = callee(call)
        let arguments = call.child(byField: "arguments")?.namedChildren ?? []
        if name.hasPrefix("cudaOccupancyMaxActiveBlocksPerMultiprocessor") { return ["occupancy"] }
        if name.hasPrefix("cudaOccupancyMaxPotentialBlockSize") { return ["occupancy"] }
        if name.hasSuffix("cudaDeviceGetAttribute") {
            let attribute = arguments.count > 1 ? arguments[1].text : ""
            if attribute.contains("MultiProcessorCount") { return ["smCount"] }
            if attribute.contains("MaxThreadsPerMultiProcessor") { return ["smThreads"] }
        }
        return []
    }

    // MARK: Macros

    private var macroTrees: [String: Tree] = [:]

    /// The replacement text of a macro parsed on its own, as an expression or as statements (see `MacroText`).
    func macroTree(_ name: String) -> Node? {
        if let tree = macroTrees[name] { return tree.rootNode }
        guard let body = facts.macros[name], let tree = MacroText.parseOnItsOwn(body) else { return nil }
        macroTrees[name] = tree
        return tree.rootNode
    }

    /// The expression a macro's replacement text forms (nil for statement macros such as loops).
    func macroExpression(_ name: String) -> Node? {
        guard let root = macroTree(name), let declaration = root.namedChild(0), declaration.type == "declaration" else { return nil }
        return root.preorder.first { $0.type == "init_declarator" }?.child(byField: "value")
    }

    private var macroVisiting: Set<String> = []

    private func macroOrigin(_ name: String, _ body: String) -> Set<String> {
        guard macroVisiting.insert(name).inserted else { return [] }
        defer { macroVisiting.remove(name) }
        if let expression = macroExpression(name) {
            // The macro's own parameters are unknown names inside its text: they stand for the arguments.
            return origin(expression).filter { !$0.hasPrefix("global:") }
        }
        guard let root = macroTree(name) else { return [] }
        var result: Set<String> = []
        for node in root.preorder {
            if node.type == "field_expression", let argument = node.child(byField: "argument"), argument.type == "identifier",
               Self.builtins.contains(argument.text) {
                result.insert("\(argument.text).\(node.child(byField: "field")?.text ?? "")")
            } else if node.type == "identifier", node.text != name, let inner = facts.macros[node.text] {
                result.formUnion(macroOrigin(node.text, inner))
            }
        }
        return result
    }

    // MARK: Name resolution

    enum Resolution {
        case values([Node])
        case outParameter(Node)
        case parameter(isPointer: Bool, isTemplate: Bool)
        case macro(String)
        case declaredWithoutValue
        case unknown
    }

    /// What `name` refers to at `node`: C++ block scoping, then the enclosing function's parameters, then file
    /// scope, then macros.
    func resolve(_ name: String, at node: Node) -> Resolution {
        var current: Node? = node.parent
        var lastChild: Node = node
        while let scope = current {
            switch scope.type {
            case "for_statement", "for_range_loop":
                if let initializer = scope.child(byField: "initializer"), let declared = declared(in: initializer, name: name) {
                    return declared.value.map { .values([$0]) } ?? .declaredWithoutValue
                }
            case "compound_statement", "translation_unit", "namespace_definition", "declaration_list":
                let declarations = scope.namedChildren.filter { $0.type == "declaration" && $0.startByte <= lastChild.startByte }
                if let found = declarations.reversed().lazy.compactMap({ self.declared(in: $0, name: name) }).first {
                    var values = found.value.map { [$0] } ?? []
                    let searchRoot = scope.type == "translation_unit" || scope.type == "namespace_definition" ? facts.root : scope
                    values += assignments(to: name, in: searchRoot)
                    // `int sms = 0; cudaDeviceGetAttribute(&sms, ...)`: a placeholder value, then filled by the call.
                    if values.allSatisfy({ $0.type == "number_literal" }), let call = outParameterCall(name, in: searchRoot) {
                        return .outParameter(call)
                    }
                    return values.isEmpty ? .declaredWithoutValue : .values(values)
                }
            case "function_definition":
                if let parameter = parameters(of: scope).first(where: { $0.name == name }) {
                    return .parameter(isPointer: parameter.isPointer, isTemplate: false)
                }
                if templateParameters(of: scope).contains(name) { return .parameter(isPointer: false, isTemplate: true) }
            default:
                break
            }
            lastChild = scope
            current = scope.parent
        }
        if let body = facts.macros[name] { return .macro(body) }
        return .unknown
    }

    /// The value nodes `name` may hold at `node` (empty for parameters, macros and unknown names).
    func values(of name: String, at node: Node) -> [Node] {
        if case .values(let values) = resolve(name, at: node) { return values }
        return []
    }

    /// The declarations of `name` visible at `node` (for their declared type).
    func declarationsVisible(_ name: String, at node: Node) -> [Node] {
        var current: Node? = node.parent
        while let scope = current {
            if scope.type == "for_statement", let initializer = scope.child(byField: "initializer"),
               initializer.type == "declaration", declared(in: initializer, name: name) != nil { return [initializer] }
            if ["compound_statement", "translation_unit", "namespace_definition"].contains(scope.type) {
                let found = scope.namedChildren.filter { $0.type == "declaration" && declared(in: $0, name: name) != nil }
                if !found.isEmpty { return found }
            }
            if scope.type == "function_definition",
               let parameter = scope.child(byField: "declarator")?.child(byField: "parameters")?.namedChildren
                   .first(where: { declaredName($0.child(byField: "declarator")) == name }) {
                return [parameter]
            }
            current = scope.parent
        }
        return []
    }

    /// `name`'s declarator in a declaration, with its initial value (nil when declared without one).
    func declared(in declaration: Node, name: String) -> (declarator: Node, value: Node?)? {
        guard declaration.type == "declaration" else {
            if declaration.type == "assignment_expression", declaration.child(byField: "left")?.text == name {
                return (declaration, declaration.child(byField: "right"))
            }
            return nil
        }
        for declarator in declarators(of: declaration) {
            if declarator.type == "init_declarator" {
                if declaredName(declarator.child(byField: "declarator")) == name {
                    return (declarator, declarator.child(byField: "value"))
                }
            } else if declarator.type == "function_declarator", declaration.parent?.type == "compound_statement",
                      declaredName(declarator) == name {
                // `dim3 grid(a * b);` inside a body: tree-sitter reads a function declarator; it is a constructor call.
                return (declarator, declarator.child(byField: "parameters"))
            } else if declaredName(declarator) == name {
                return (declarator, nil)
            }
        }
        return nil
    }

    /// The declarators of a declaration (`int a = 1, *b;` has two). Read from the children's types: the
    /// runtime's field lookup per child index is unreliable next to qualifiers.
    func declarators(of declaration: Node) -> [Node] {
        let type = declaration.child(byField: "type")
        return declaration.namedChildren.filter { child in
            ["init_declarator", "identifier", "pointer_declarator", "array_declarator", "function_declarator",
             "reference_declarator"].contains(child.type) && child.byteRange != type?.byteRange
        }
    }

    func declaredName(_ node: Node?) -> String? { Self.declaredName(node) }

    static func declaredName(_ node: Node?) -> String? {
        var current = node
        while let d = current {
            if d.type == "identifier" || d.type == "field_identifier" { return d.text }
            current = d.child(byField: "declarator") ?? d.namedChildren.first { $0.type != "type_qualifier" }
            if current == nil { return nil }
        }
        return nil
    }

    /// Whether a declaration is `const`/`constexpr`.
    func isConstant(_ declaration: Node) -> Bool {
        declaration.children.contains { $0.type == "type_qualifier" && ($0.text == "const" || $0.text == "constexpr") }
    }

    /// Plain `name = value` assignments under `root` (compound assignments are updates, not definitions).
    func assignments(to name: String, in root: Node) -> [Node] {
        root.preorder.compactMap { node -> Node? in
            guard node.type == "assignment_expression", operatorText(node) == "=",
                  node.child(byField: "left")?.type == "identifier", node.child(byField: "left")?.text == name else { return nil }
            return node.child(byField: "right")
        }
    }

    /// A call `f(..., &name, ...)` under `root`: the variable is an out-parameter of `f`.
    func outParameterCall(_ name: String, in root: Node) -> Node? {
        root.preorder.first { node in
            node.type == "call_expression" && (node.child(byField: "arguments")?.namedChildren.contains {
                $0.type == "pointer_expression" && $0.child(byField: "argument")?.text == name && $0.text.hasPrefix("&")
            } ?? false)
        }
    }

    struct Parameter { let name: String; let isPointer: Bool }

    /// A function's parameters in order, one per declared parameter (an unnamed one, `void launch(cudaStream_t, float*
    /// x)`, has the name `""`), so that positions match a call's arguments.
    func parameters(of function: Node) -> [Parameter] { Self.parameters(of: function) }

    static func parameters(of function: Node) -> [Parameter] {
        var declarator = function.child(byField: "declarator")
        while let d = declarator, d.type != "function_declarator" { declarator = d.child(byField: "declarator") }
        let kinds: Set<String> = ["parameter_declaration", "optional_parameter_declaration", "variadic_parameter_declaration"]
        return (declarator?.child(byField: "parameters")?.namedChildren ?? []).filter { kinds.contains($0.type) }.map { parameter in
            let d = parameter.child(byField: "declarator")
            let isPointer = d?.preorder.contains { $0.type == "pointer_declarator" || $0.type == "array_declarator" || $0.type == "reference_declarator" } ?? false
            return Parameter(name: declaredName(d) ?? "", isPointer: isPointer)
        }
    }

    func templateParameters(of function: Node) -> Set<String> {
        guard let template = function.parent, template.type == "template_declaration",
              let list = template.child(byField: "parameters") else { return [] }
        var names: Set<String> = []
        for parameter in list.namedChildren {
            if let name = declaredName(parameter.child(byField: "declarator")) { names.insert(name) }
            for child in parameter.namedChildren where child.type == "type_identifier" { names.insert(child.text) }
        }
        return names
    }

    // MARK: Constants

    func operatorText(_ node: Node) -> String { node.child(byField: "operator")?.type ?? "" }

    func strip(_ node: Node?) -> Node? {
        var current = node
        while let c = current {
            switch c.type {
            case "parenthesized_expression": current = c.namedChild(0)
            case "cast_expression": current = c.child(byField: "value")
            default: return c
            }
        }
        return nil
    }

    func literalValue(_ node: Node?) -> Int? {
        guard let node = strip(node) else { return nil }
        if node.type == "number_literal" {
            var text = node.text.lowercased()
            while let last = text.last, "ul".contains(last) { text.removeLast() }
            return text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
        }
        if node.type == "identifier" {
            if facts.macros[node.text] != nil, let value = macroExpression(node.text) { return literalValue(value) }
            if case .values(let values) = resolve(node.text, at: node), values.count == 1,
               let declaration = values[0].parent?.parent, declaration.type == "declaration", isConstant(declaration) {
                return literalValue(values[0])
            }
        }
        return nil
    }

    /// 32, `warpSize`, a constant or macro equal to 32, or a tile's `size()`.
    func isWarpSize(_ node: Node?) -> Bool {
        guard let node = strip(node) else { return false }
        if literalValue(node) == 32 { return true }
        if node.type == "identifier", node.text == "warpSize" { return true }
        if node.type == "call_expression", let (object, method) = methodCall(node), ["size", "num_threads"].contains(method) {
            return groupKind(object) == "tile"
        }
        return false
    }

    /// 31, `0x1f`, or `warpSize - 1`.
    func isLaneMask(_ node: Node?) -> Bool {
        guard let node = strip(node) else { return false }
        if literalValue(node) == 31 { return true }
        if node.type == "binary_expression", operatorText(node) == "-", literalValue(node.child(byField: "right")) == 1 {
            return isWarpSize(node.child(byField: "left"))
        }
        return false
    }

    /// Whether an expression's value is fixed at compile time (literals, template parameters, constants,
    /// macros standing for constants).
    func isCompileTime(_ node: Node?) -> Bool {
        guard let node else { return true }
        switch node.type {
        case "number_literal", "char_literal", "true", "false", "sizeof_expression", "alignof_expression",
             "qualified_identifier":
            // `x128::size`, `Traits::kBlock`: static members and enumerators.
            return true
        case "identifier":
            if node.text == "warpSize" { return true }
            switch resolve(node.text, at: node) {
            case .parameter(_, let isTemplate): return isTemplate
            case .macro:
                guard macroVisiting.insert(node.text).inserted else { return false }
                defer { macroVisiting.remove(node.text) }
                return macroExpression(node.text).map { isCompileTime($0) } ?? false
            case .values(let values):
                return values.allSatisfy { value in
                    guard let declaration = value.parent?.parent, declaration.type == "declaration", isConstant(declaration) else { return false }
                    return isCompileTime(value)
                }
            default: return false
            }
        case "field_expression", "call_expression", "subscript_expression", "pointer_expression", "assignment_expression":
            return false
        default:
            return node.namedChildren.filter { $0.type != "type_descriptor" }.allSatisfy { isCompileTime($0) }
        }
    }

    // MARK: Calls

    /// The callee's name as written (template arguments and object dropped).
    func callee(_ call: Node) -> String {
        guard let function = call.child(byField: "function") else { return "" }
        switch function.type {
        case "template_function": return function.child(byField: "name")?.text ?? function.text
        case "field_expression": return function.child(byField: "field")?.text ?? function.text
        case "qualified_identifier":
            let name = function.child(byField: "name")
            if let name, name.type == "template_function" { return (function.child(byField: "scope")?.text ?? "") + "::" + (name.child(byField: "name")?.text ?? "") }
            return function.text
        default: return function.text
        }
    }

    func bareCallee(_ call: Node) -> String {
        let name = callee(call)
        return name.lastQualifiedComponent
    }

    /// Whether a call is (or a macro that expands to) one of `names`.
    func calls(_ call: Node, anyOf names: Set<String>) -> Bool {
        let bare = bareCallee(call)
        return names.contains(bare) || !facts.expansion(of: bare).isDisjoint(with: names)
    }

    static let barriers: Set<String> = ["__syncthreads", "__syncthreads_count", "__syncthreads_and", "__syncthreads_or",
                                        "__barrier_sync"]

    /// A block-wide barrier: `__syncthreads()` (directly or through a macro), a thread block's `sync()`, or
    /// `cg::sync(block)`.
    func isBarrier(_ call: Node) -> Bool {
        if calls(call, anyOf: Self.barriers) { return true }
        if let (object, method) = methodCall(call), method == "sync" { return groupKind(object) == "block" || groupKind(object) == "grid" }
        if bareCallee(call) == "sync", callee(call).contains("::"),
           let argument = call.child(byField: "arguments")?.namedChild(0) {
            return groupKind(argument) == "block"
        }
        return false
    }

    func barrierCalls() -> [Node] { nodes(["call_expression"]).filter { isBarrier($0) } }

    // MARK: Loops

    struct Loop {
        let node: Node
        let variable: String
        /// The induction variable's first value (nil when the loop does not initialize it).
        let start: Node?
        /// The increment (`i += stride`), nil for a loop that does not step its variable.
        let stride: Node?
        let strideOperator: String
        /// The other side of the loop condition's comparison.
        let bound: Node?
        let body: Node?
    }

    private var loopCache: [Loop]?

    /// Counting loops (`for`, `while`, `do`) of every analysed body, and the loops that macros expand to.
    func loops() -> [Loop] {
        if let loopCache { return loopCache }
        var result = nodes(["for_statement", "while_statement", "do_statement"]).compactMap(loop)
        for node in nodes(["call_expression", "function_declarator"]) {
            let name = node.type == "call_expression" ? bareCallee(node) : (node.child(byField: "declarator")?.text ?? "")
            guard facts.macros[name] != nil, let root = macroTree(name) else { continue }
            for inner in root.preorder where inner.type == "for_statement" {
                if let found = loop(inner) {
                    // Keep the use site as the evidence node.
                    result.append(Loop(node: node, variable: found.variable, start: found.start, stride: found.stride,
                                       strideOperator: found.strideOperator, bound: found.bound, body: found.body))
                }
            }
        }
        loopCache = result
        return result
    }

    /// The variable one side of a loop condition compares: `i`, or `i` offset by a constant (`i + 1 < end`,
    /// `i + VEC <= n`), which bounds the same variable.
    private func comparedVariable(_ side: Node?) -> String? {
        guard let side else { return nil }
        if side.type == "identifier" { return side.text }
        guard side.type == "binary_expression", ["+", "-"].contains(operatorText(side)),
              let left = strip(side.child(byField: "left")), left.type == "identifier",
              isCompileTime(side.child(byField: "right")) else { return nil }
        return left.text
    }

    func loop(_ node: Node) -> Loop? {
        let condition = node.child(byField: "condition")
        var comparisons: [(variable: String, bound: Node?)] = []
        if let condition {
            for c in condition.preorder where c.type == "binary_expression" && ["<", "<=", ">", ">=", "!="].contains(operatorText(c)) {
                let left = strip(c.child(byField: "left")), right = strip(c.child(byField: "right"))
                if let variable = comparedVariable(left) { comparisons.append((variable, right)) }
                if let variable = comparedVariable(right) { comparisons.append((variable, left)) }
            }
        }
        switch node.type {
        case "for_statement":
            let initializer = node.child(byField: "initializer")
            let update = node.child(byField: "update")
            let updates = update.map { u in u.preorder.filter { $0.type == "assignment_expression" || $0.type == "update_expression" } } ?? []
            for candidate in updates {
                guard let variable = updatedVariable(candidate) else { continue }
                if !comparisons.isEmpty, !comparisons.contains(where: { $0.variable == variable }) { continue }
                // With no initializer (`for (; i + 1 < end; i += 2)`), the value the variable holds on entry, as for `while`.
                let start = initializer.flatMap { declared(in: $0, name: variable)?.value }
                    ?? initializer.flatMap { i in i.preorder.first { $0.type == "assignment_expression" && $0.child(byField: "left")?.text == variable }?.child(byField: "right") }
                    ?? (initializer == nil ? values(of: variable, at: node).first : nil)
                let (stride, op) = strideOf(candidate, variable: variable)
                return Loop(node: node, variable: variable, start: start, stride: stride, strideOperator: op,
                            bound: comparisons.first { $0.variable == variable }?.bound, body: node.child(byField: "body"))
            }
            if let first = comparisons.first {
                return Loop(node: node, variable: first.variable, start: initializer.flatMap { declared(in: $0, name: first.variable)?.value },
                            stride: nil, strideOperator: "", bound: first.bound, body: node.child(byField: "body"))
            }
            return nil
        default:
            guard let body = node.child(byField: "body") else { return nil }
            for (variable, bound) in comparisons {
                let steps = body.preorder.filter { n in
                    (n.type == "assignment_expression" || n.type == "update_expression") && updatedVariable(n) == variable
                        && !isInsideNestedLoop(n, below: node)
                }
                guard let step = steps.last else { continue }
                let (stride, op) = strideOf(step, variable: variable)
                let start = values(of: variable, at: node).first
                return Loop(node: node, variable: variable, start: start, stride: stride, strideOperator: op, bound: bound, body: body)
            }
            return nil
        }
    }

    private func isInsideNestedLoop(_ node: Node, below loop: Node) -> Bool {
        var current = node.parent
        while let c = current, c != loop {
            if ["for_statement", "while_statement", "do_statement"].contains(c.type) { return true }
            current = c.parent
        }
        return false
    }

    private func updatedVariable(_ node: Node) -> String? {
        if node.type == "update_expression" { return strip(node.child(byField: "argument"))?.text }
        guard let left = node.child(byField: "left"), left.type == "identifier" else { return nil }
        return left.text
    }

    /// The amount added per iteration: `i += s` / `i -= s` / `i = i + s` / `++i`; `i >>= 1` and `i *= 2` are
    /// reported with their operator.
    private func strideOf(_ node: Node, variable: String) -> (Node?, String) {
        if node.type == "update_expression" { return (nil, node.text.contains("++") ? "++" : "--") }
        let op = operatorText(node)
        guard let right = node.child(byField: "right") else { return (nil, op) }
        if op == "=" {
            if let r = strip(right), r.type == "binary_expression", ["+", "-"].contains(operatorText(r)) {
                if strip(r.child(byField: "left"))?.text == variable { return (r.child(byField: "right"), operatorText(r) + "=") }
                if strip(r.child(byField: "right"))?.text == variable, operatorText(r) == "+" { return (r.child(byField: "left"), "+=") }
            }
            return (right, "=")
        }
        return (right, op)
    }

    /// Whether the stride covers the whole grid (it involves `gridDim`, or a grid group's size).
    func isGridStride(_ loop: Loop) -> Bool {
        guard loop.strideOperator == "+=" || loop.strideOperator == "-=" else { return false }
        return origin(loop.stride).contains { $0.hasPrefix("gridDim.") }
    }

    // MARK: Memory

    /// `__shared__` arrays the analysed functions use (their own, and file-scope ones), plus local pointers
    /// set from them and pointer parameters of the reached helpers that a call passes one of them to.
    func sharedArrays() -> Set<String> {
        if let sharedCache { return sharedCache }
        let names = Set(functions.map(\.name))
        var result = Set((facts.inventory?.sharedDeclarations ?? []).filter { declaration in
            guard let function = declaration.function else { return true }
            return names.contains(function.lastQualifiedComponent)
        }.map(\.name))
        // Aliases: `float* partial = smem;`, `float* b = smem + 32;`, `reinterpret_cast<float2*>(smem)`.
        for _ in 0..<2 {
            for declaration in nodes(["declaration"]) {
                for d in declarators(of: declaration) {
                    guard d.type == "init_declarator",
                          let name = declaredName(d.child(byField: "declarator")), let value = d.child(byField: "value") else { continue }
                    let isPointer = d.child(byField: "declarator")?.type == "pointer_declarator" || declaration.child(byField: "type")?.text == "auto"
                    if isPointer, pointsIntoShared(value, result) {
                        result.insert(name)
                    }
                }
            }
            // Helper parameters: `block_sum(v, s_red)` with `float* scratch` makes `scratch` shared in the helper.
            for call in nodes(["call_expression"]) {
                guard let helper = functions.dropFirst().first(where: { $0.name == bareCallee(call) }),
                      let arguments = call.child(byField: "arguments")?.namedChildren else { continue }
                for (argument, parameter) in zip(arguments, parameters(of: helper.node))
                where parameter.isPointer && pointsIntoShared(argument, result) {
                    result.insert(parameter.name)
                }
            }
        }
        sharedCache = result
        return result
    }

    private var sharedCache: Set<String>?

    /// An address inside one of the `shared` arrays (`smem`, `smem + 32`, `&s[0]`, `reinterpret_cast<float2*>(s)`),
    /// not an element value read from it (`s[i]`).
    private func pointsIntoShared(_ value: Node, _ shared: Set<String>) -> Bool {
        value.preorder.contains { $0.type == "identifier" && shared.contains($0.text) }
            && !value.preorder.contains { $0.type == "subscript_expression" && $0.parent?.type != "pointer_expression" }
    }

    /// The shared array an element access (`s[i]`, `s[w][i]`, `*(s + i)`, `reinterpret_cast<float4*>(s)[i]`,
    /// `s[i].x`) reads or writes, if any.
    func sharedAccess(_ node: Node?) -> String? {
        guard var current = strip(node) else { return nil }
        if current.type == "field_expression", let argument = strip(current.child(byField: "argument")),
           argument.type == "subscript_expression" { current = argument }
        guard current.type == "subscript_expression" || (current.type == "pointer_expression" && current.text.hasPrefix("*")) else { return nil }
        while true {
            switch current.type {
            case "subscript_expression", "pointer_expression":
                guard let argument = strip(current.child(byField: "argument")) else { return nil }
                current = argument
            case "binary_expression":
                guard ["+", "-"].contains(operatorText(current)), let left = strip(current.child(byField: "left")) else { return nil }
                current = left
            case "call_expression":
                guard current.child(byField: "function")?.type == "template_function",
                      let argument = current.child(byField: "arguments")?.namedChild(0) else { return nil }
                current = strip(argument) ?? argument
            case "identifier":
                return sharedArrays().contains(current.text) ? current.text : nil
            default:
                return nil
            }
        }
    }

    /// Whether `node` mentions `variable`, directly or through a local variable defined from it.
    func references(_ node: Node, _ variable: String, depth: Int = 3) -> Bool {
        for n in node.preorder where n.type == "identifier" {
            if n.text == variable { return true }
            guard depth > 0 else { continue }
            for value in values(of: n.text, at: n) where !value.byteRange.overlaps(node.byteRange) {
                if references(value, variable, depth: depth - 1) { return true }
            }
        }
        return false
    }

    // MARK: Comments

    /// Comments inside the analysed bodies, and the comment block right above each analysed function.
    func comments() -> [Node] {
        var result = nodes(["comment"])
        for function in functions {
            var anchor: Node = function.node
            if let parent = anchor.parent, parent.type == "template_declaration" { anchor = parent }
            // The comment block right above (a `using`/`typedef` line between them, as above llm.c's
            // `blockReduce`, does not separate them).
            var previous = anchor.previousSibling
            while let p = previous, p.type == "comment" || p.type == "alias_declaration" || p.type == "type_definition" {
                if p.type == "comment" { result.append(p) }
                previous = p.previousSibling
            }
        }
        return result
    }

    // MARK: Launches

    /// Tree-sitter launch expressions (`k<<<grid, block, smem, stream>>>(...)`) of `kernel` anywhere in the
    /// source, with their configuration arguments. libclang's inventory says where the launches are (including
    /// template launches it could not resolve); without an inventory the tree is scanned.
    func launchSites(of kernel: CUDAFacts.Function) -> [(call: Node, configuration: [Node])] {
        if let known = launchCache[kernel.name] { return known }
        // Shared by every flow of this source (each detector builds its own flow).
        let result = facts.memo("KernelIndexFlow.launchSites:\(kernel.name)") { findLaunchSites(of: kernel) }
        launchCache[kernel.name] = result
        return result
    }

    private func findLaunchSites(of kernel: CUDAFacts.Function) -> [(call: Node, configuration: [Node])] {
        var result: [(call: Node, configuration: [Node])] = []
        if facts.inventory != nil {
            for launch in facts.launches(of: kernel) where launch.span.startOffset < launch.span.endOffset
                && launch.span.endOffset <= facts.file.bytes.count {
                guard let found = facts.root.namedDescendant(for: launch.span.startOffset..<launch.span.endOffset),
                      let call = launchCall(around: found), bareCallee(call) == kernel.name,
                      !result.contains(where: { $0.call == call }) else { continue }
                result.append((call, configuration(of: call)))
            }
            // Launches libclang dropped because an argument or the configuration did not type-check (a type from a
            // header that is not at hand, `ctx.stream()`): the syntax still names the kernel. Only calls no
            // reported launch covers, so a launch libclang resolved to another kernel of that name stays out.
            let reported = facts.inventory?.launches ?? []
            for node in facts.mainFileNodes("call_expression") where bareCallee(node) == kernel.name && launchSyntax(node) != nil
                && !result.contains(where: { $0.call == node })
                && !reported.contains(where: { $0.span.startOffset < node.endByte && node.startByte < $0.span.endOffset }) {
                result.append((node, configuration(of: node)))
            }
        } else {
            for node in facts.mainFileNodes("call_expression") where bareCallee(node) == kernel.name {
                if launchSyntax(node) != nil { result.append((node, configuration(of: node))) }
            }
        }
        // Launches through a handle: `auto k = kern<Cfg>; k<<<...>>>`, or a lambda/function parameter
        // (`auto run = [&](auto k) { k<<<...>>>(...); }; run(kern<Cfg>);`).
        for node in facts.mainFileNodes("call_expression") where launchSyntax(node) != nil && !result.contains(where: { $0.call == node }) {
            let name = bareCallee(node)
            if name != kernel.name, designates(kernel, name, at: node) { result.append((node, configuration(of: node))) }
        }
        return result
    }

    /// Whether `expression` spells the kernel itself: `k`, `k<T>`, `&k`, `(void*)k`, `ns::k`.
    func spellsKernel(_ kernel: CUDAFacts.Function, _ expression: Node) -> Bool {
        expression.preorder.contains { ($0.type == "identifier" || $0.type == "namespace_identifier") && $0.text == kernel.name }
    }

    /// Whether the local or parameter `name`, seen at `node`, holds `kernel`: a local initialised with the
    /// kernel, or a parameter of the enclosing lambda or function that a call passes the kernel to.
    func designates(_ kernel: CUDAFacts.Function, _ name: String, at node: Node) -> Bool {
        if values(of: name, at: node).contains(where: { spellsKernel(kernel, $0) }) { return true }
        var current = node.parent
        while let scope = current {
            if scope.type == "lambda_expression" || scope.type == "function_definition" {
                let parameters = scope.type == "lambda_expression"
                    ? (scope.child(byField: "declarator")?.child(byField: "parameters")?.namedChildren ?? []).filter { $0.type != "comment" }
                        .map { declaredName($0.child(byField: "declarator")) ?? "" }
                    : self.parameters(of: scope).map(\.name)
                guard let index = parameters.firstIndex(of: name) else { return false }
                return callers(of: scope).contains { call in
                    let arguments = call.child(byField: "arguments")?.namedChildren ?? []
                    return index < arguments.count && spellsKernel(kernel, arguments[index])
                }
            }
            current = scope.parent
        }
        return false
    }

    /// Calls of a lambda (through the local it initialises) or of a function (by name) in the main file.
    func callers(of scope: Node) -> [Node] {
        let calleeName: String?
        if scope.type == "lambda_expression" {
            calleeName = scope.parent?.type == "init_declarator" ? declaredName(scope.parent?.child(byField: "declarator")) : nil
        } else {
            calleeName = declaredName(scope.child(byField: "declarator"))
        }
        guard let calleeName else { return [] }
        return facts.mainFileNodes("call_expression").filter { launchSyntax($0) == nil && bareCallee($0) == calleeName }
    }

    private var launchCache: [String: [(call: Node, configuration: [Node])]] = [:]

    private func launchSyntax(_ call: Node) -> Node? {
        call.type == "call_expression" ? call.namedChildren.first { $0.type == "kernel_call_syntax" } : nil
    }

    private func configuration(of call: Node) -> [Node] {
        launchSyntax(call)?.namedChildren.filter { $0.type != "comment" } ?? []
    }

    /// The launch expression at (or just around, or inside) the node libclang's span maps to.
    private func launchCall(around node: Node) -> Node? {
        var current: Node? = node
        for _ in 0..<4 {
            guard let c = current else { break }
            if launchSyntax(c) != nil { return c }
            current = c.parent
        }
        return node.preorder.first { launchSyntax($0) != nil }
    }
}

extension Set where Element == String {
    /// An origin that depends on the thread within its block (thread index, lane, warp number).
    var dependsOnThread: Bool { !isDisjoint(with: KernelIndexFlow.threadTokens) }
    var dependsOnBlockIndex: Bool { contains { $0.hasPrefix("blockIdx.") } }
    var dependsOnGridDim: Bool { contains { $0.hasPrefix("gridDim.") } }
    var dependsOnBlockDim: Bool { contains { $0.hasPrefix("blockDim.") } }
}
