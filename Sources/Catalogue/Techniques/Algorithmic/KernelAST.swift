import SourceModel
import TreeSitterKit

/// Small structural helpers over tree-sitter CUDA nodes shared by the algorithmic, compute and precision
/// technique detectors: callee names (through macros), assignments, loops, identifiers and declared types.
/// Everything reads syntax nodes; comments and string literals never contribute identifiers.
enum KernelAST {
    static let loopTypes: Set<String> = ["for_statement", "while_statement", "do_statement", "for_range_loop"]
    static let expCalls: Set<String> = ["expf", "__expf", "exp", "exp2f", "__exp2f", "exp2", "hexp", "h2exp", "__expf_approx"]
    static let maxCalls: Set<String> = ["fmaxf", "fmax", "max", "__hmax", "std::max", "cuda::std::max", "maxf"]
    /// The half-precision and bfloat16 scalar and packed types (canonical and typedef spellings).
    static let lowPrecisionTypes: Set<String> = ["__half", "half", "__nv_half", "__half2", "half2", "__nv_bfloat16", "nv_bfloat16",
                                                 "__nv_bfloat162", "nv_bfloat162", "Half", "BFloat16", "__hip_bfloat16", "bfloat16"]
    static let packedTypes: Set<String> = ["__half2", "half2", "__nv_bfloat162", "nv_bfloat162", "__hip_bfloat162"]

    /// `a::b::name` -> `name`.
    static func bare(_ name: String) -> String {
        name.lastQualifiedComponent
    }

    /// The operator token of a binary, assignment or unary expression (`+`, `*=`, `-`, ...).
    static func op(_ node: Node) -> String? {
        if let o = node.child(byField: "operator") { return o.type }
        for child in node.children where !child.isNamed { return child.type }
        return nil
    }

    /// Intrinsics that spell a binary operator (`__fdividef(a, b)` is `a / b`, `__hadd2(a, b)` is `a + b`, `__hmul2(a, b)`
    /// is `a * b`), by name.
    static let operatorIntrinsics: [String: String] = [
        "__fdividef": "/", "fdividef": "/", "__fdiv_rn": "/", "__fdiv_rz": "/", "__ddiv_rn": "/", "__hdiv": "/", "__h2div": "/",
        "__hadd2": "+", "__hadd": "+", "__fadd_rn": "+", "__fadd_rz": "+", "__dadd_rn": "+", "__hadd_rn": "+",
        "__hmul": "*", "__hmul2": "*", "__fmul_rn": "*", "__fmul_rz": "*", "__dmul_rn": "*",
    ]

    /// Operator and operands of `a op b`, or of an intrinsic call spelling it (`__hadd2(a, b)`, see
    /// `operatorIntrinsics`).
    static func arithmetic(_ n: Node) -> (op: String, left: Node, right: Node)? {
        if n.type == "binary_expression", let o = op(n), let l = n.child(byField: "left"), let r = n.child(byField: "right") {
            return (o, l, r)
        }
        if n.type == "call_expression", let name = callee(n), let o = operatorIntrinsics[name],
           let args = n.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }), args.count == 2 {
            return (o, args[0], args[1])
        }
        return nil
    }

    /// The node without enclosing parentheses and casts.
    static func unwrap(_ node: Node) -> Node {
        var current = node
        while true {
            if current.type == "parenthesized_expression", let inner = current.namedChild(0) { current = inner; continue }
            if current.type == "cast_expression", let inner = current.child(byField: "value") { current = inner; continue }
            return current
        }
    }

    /// The value of a numeric literal (`1.0f`, `0x10`, `0b1111`, `017` (octal), `1'000'000`, `1e-5`, `3u`).
    static func number(_ literal: String) -> Double? {
        var text = literal.lowercased().filter { $0 != "'" }
        for (prefix, radix) in [("0x", 16), ("0b", 2)] where text.hasPrefix(prefix) {
            while let last = text.last, last == "u" || last == "l" { text.removeLast() }
            return UInt64(text.dropFirst(2), radix: radix).map { Double($0) }
        }
        while let last = text.last, last == "f" || last == "u" || last == "l" { text.removeLast() }
        // A leading zero makes a whole number octal.
        if text.count > 1, text.hasPrefix("0"), text.allSatisfy(\.isNumber) { return UInt64(text, radix: 8).map { Double($0) } }
        if text.hasSuffix(".") { text.removeLast() }
        return Double(text)
    }

    /// Whitespace-free text of a node, for comparing two expressions written the same way.
    static func compact(_ node: Node) -> String {
        String(node.text.filter { !$0.isWhitespace })
    }

    /// Identifiers (variables and callees, not types or fields) mentioned in a node.
    static func identifiers(in node: Node) -> [String] {
        node.preorder.filter { $0.type == "identifier" }.map(\.text)
    }

    /// Whether `node` lies inside `ancestor` (or is it).
    static func isInside(_ node: Node, _ ancestor: Node) -> Bool {
        node.startByte >= ancestor.startByte && node.endByte <= ancestor.endByte
    }

    /// The callee's name as written (`f`, `ns::f`, `obj.f` -> `f`, `f<T>` -> `f`).
    static func callee(_ call: Node) -> String? {
        guard let function = call.child(byField: "function") else { return nil }
        switch function.type {
        case "template_function": return function.child(byField: "name")?.text
        case "field_expression": return function.child(byField: "field")?.text
        default: return function.text
        }
    }

    /// Calls inside `node` whose callee (bare, or followed through the source's macros) is one of `names`.
    static func calls(in node: Node, named names: Set<String>, facts: CUDAFacts) -> [Node] {
        node.preorder.filter { n in
            guard n.type == "call_expression", let name = callee(n) else { return false }
            return matches(name, names, facts)
        }
    }

    static func matches(_ name: String, _ names: Set<String>, _ facts: CUDAFacts) -> Bool {
        if names.contains(name) || names.contains(bare(name)) { return true }
        return !facts.expansion(of: bare(name)).isDisjoint(with: names)
    }

    /// Whether the node contains a call to one of `names`.
    static func containsCall(_ node: Node, _ names: Set<String>, facts: CUDAFacts) -> Bool {
        if node.type == "call_expression", let name = callee(node), matches(name, names, facts) { return true }
        return !calls(in: node, named: names, facts: facts).isEmpty
    }

    /// Loops strictly enclosing `node`, innermost first, up to (not including) `limit`.
    static func enclosingLoops(_ node: Node, within limit: Node? = nil) -> [Node] {
        var result: [Node] = []
        var current = node.parent
        while let c = current {
            if let limit, c == limit { break }
            if loopTypes.contains(c.type) { result.append(c) }
            current = c.parent
        }
        return result
    }

    /// A write or definition of a scalar or element: `x = v`, `x op= v`, `T x = v`.
    struct Assignment {
        let target: Node
        let value: Node
        /// `=` for plain assignments and initializations, else the compound operator (`+=`, `*=`).
        let op: String
        let node: Node
        /// The target's variable name when it is a plain identifier.
        var name: String? { target.type == "identifier" ? target.text : nil }
    }

    static func assignments(in node: Node) -> [Assignment] {
        var result: [Assignment] = []
        for n in node.preorder {
            if n.type == "assignment_expression", let left = n.child(byField: "left"), let right = n.child(byField: "right") {
                result.append(Assignment(target: left, value: right, op: op(n) ?? "=", node: n))
            } else if n.type == "init_declarator", let declarator = n.child(byField: "declarator"),
                      let value = n.child(byField: "value") {
                var target = declarator
                while target.type != "identifier", let inner = target.child(byField: "declarator") { target = inner }
                result.append(Assignment(target: target, value: value, op: "=", node: n))
            }
        }
        return result
    }

    /// The variable a for loop counts with (`for (int i = ...; ...)` or `for (i = ...; ...)`, else the
    /// identifier on the left of its condition).
    static func loopVariable(_ loop: Node) -> String? {
        if let initializer = loop.child(byField: "initializer") {
            if let a = assignments(in: initializer).first, let name = a.name { return name }
        }
        if let update = loop.child(byField: "update") {
            let u = unwrap(update)
            if u.type == "update_expression", let argument = u.child(byField: "argument"), argument.type == "identifier" { return argument.text }
            if u.type == "assignment_expression", let left = u.child(byField: "left"), left.type == "identifier" { return left.text }
        }
        if let condition = loop.child(byField: "condition") {
            let c = unwrap(condition)
            if c.type == "binary_expression", let left = c.child(byField: "left") {
                let l = unwrap(left)
                if l.type == "identifier" { return l.text }
            }
        }
        return nil
    }

    // MARK: Declared types

    /// `typedef`/`using` aliases of the source: alias -> aliased type text.
    static func aliases(_ facts: CUDAFacts) -> [String: String] { facts.memo("KernelAST.aliases") { computeAliases(facts) } }

    private static func computeAliases(_ facts: CUDAFacts) -> [String: String] {
        var result: [String: String] = [:]
        for n in facts.root.preorder {
            if n.type == "type_definition", let type = n.child(byField: "type") {
                for d in n.children where d.type == "type_identifier" || d.type == "primitive_type" {
                    if d != type { result[d.text] = type.text }
                }
                if let declarator = n.child(byField: "declarator"), declarator.type == "type_identifier" {
                    result[declarator.text] = type.text
                }
            } else if n.type == "alias_declaration", let name = n.child(byField: "name"), let type = n.child(byField: "type") {
                result[name.text] = type.text
            }
        }
        return result
    }

    /// The type names a written type stands for, following the source's typedefs and aliases.
    static func resolve(_ typeText: String, aliases: [String: String]) -> Set<String> {
        var words = Set(CUDAFacts.identifiers(in: typeText))
        var frontier = Array(words)
        for _ in 0..<6 {
            var next: [String] = []
            for w in frontier {
                guard let target = aliases[w] else { continue }
                for x in CUDAFacts.identifiers(in: target) where words.insert(x).inserted { next.append(x) }
            }
            frontier = next
            if frontier.isEmpty { break }
        }
        return words
    }

    /// Variables declared in a function (parameters and locals): name -> written type text, with a `*` or `[]`
    /// appended for pointers and arrays.
    static func declaredTypes(_ function: CUDAFacts.Function) -> [String: String] {
        var result: [String: String] = [:]
        let scopes = [function.node.child(byField: "declarator"), function.body].compactMap { $0 }
        for scope in scopes {
            for n in scope.preorder where n.type == "parameter_declaration" || n.type == "declaration" {
                guard let type = n.child(byField: "type") else { continue }
                for child in n.namedChildren where child != type {
                    var d = child, suffix = ""
                    while d.type != "identifier" {
                        if d.type == "pointer_declarator" || d.type == "abstract_pointer_declarator" { suffix += "*" }
                        if d.type == "array_declarator" { suffix += "[]" }
                        if d.type == "reference_declarator" { suffix += "&" }
                        guard let inner = d.child(byField: "declarator") ?? d.namedChildren.first(where: { $0.type.contains("declarator") || $0.type == "identifier" }) else { break }
                        d = inner
                    }
                    if d.type == "identifier" { result[d.text] = type.text + suffix }
                }
            }
        }
        return result
    }
}
