import ClangKit
import Foundation
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// Structural helpers shared by the memory (and register / stream) technique detectors: which names in a
/// function are pointers, shared arrays or register arrays; what a subscript is based on; loops; small
/// integer constant folding; and the comments that sit at a kernel (for the design-intent labels whose
/// definition requires the author's stated intent).
enum MemSupport {
    // MARK: Names

    /// The identifier an lvalue-ish expression is rooted at: `a[i][j]` -> `a`, `(p + 4)[i]` -> `p`,
    /// `reinterpret_cast<float4*>(&s[0])[i]` -> `s`, `*(x + i)` -> `x`.
    static func base(of node: Node) -> String? {
        var current: Node? = node
        var steps = 0
        while let c = current, steps < 64 {
            steps += 1
            switch c.type {
            case "identifier": return c.text
            case "subscript_expression": current = c.child(byField: "argument")
            case "parenthesized_expression": current = c.namedChild(0)
            case "pointer_expression": current = c.child(byField: "argument")
            case "cast_expression": current = c.child(byField: "value")
            case "binary_expression":
                // Pointer arithmetic: the operand that is not a plain number.
                let left = c.child(byField: "left"), right = c.child(byField: "right")
                current = (left.flatMap { base(of: $0) } != nil) ? left : right
            case "call_expression":
                // reinterpret_cast<T*>(p), static_cast<T*>(p), a helper returning a pointer into its argument.
                current = c.child(byField: "arguments")?.namedChild(0)
            case "field_expression": current = c.child(byField: "argument")
            default: return nil
            }
        }
        return nil
    }

    /// Identifiers declared in `function` (parameters and locals) whose declarator is a pointer.
    static func pointerNames(in function: CUDAFacts.Function) -> Set<String> {
        var names: Set<String> = []
        let roots = [function.node.child(byField: "declarator"), function.body].compactMap { $0 }
        for root in roots {
            for node in root.preorder where node.type == "parameter_declaration" || node.type == "declaration" {
                if node.type == "declaration", isShared(node) { continue }
                for declarator in declarators(of: node) where hasPointer(declarator) {
                    if let name = declaredIdentifier(declarator) { names.insert(name) }
                }
            }
        }
        return names
    }

    /// Non-shared local arrays of a function (`float acc[4][4]`): arrays held in registers (or local memory).
    static func registerArrays(in function: CUDAFacts.Function) -> [(name: String, declaration: Node, sizes: [Node])] {
        guard let body = function.body else { return [] }
        var result: [(String, Node, [Node])] = []
        for node in body.preorder where node.type == "declaration" && !isShared(node) && !isStaticOrExtern(node) {
            for declarator in declarators(of: node) {
                var sizes: [Node] = []
                var d: Node? = declarator.type == "init_declarator" ? declarator.child(byField: "declarator") : declarator
                while let current = d, current.type == "array_declarator" {
                    if let size = current.child(byField: "size") { sizes.insert(size, at: 0) }
                    d = current.child(byField: "declarator")
                }
                if !sizes.isEmpty, let name = d, name.type == "identifier" { result.append((name.text, node, sizes)) }
            }
        }
        return result
    }

    /// Names of the `__shared__` variables visible to a kernel and the helpers it reaches (libclang's list,
    /// and tree-sitter's declarations carrying the `__shared__` qualifier), with pointers into them.
    static func sharedNames(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> Set<String> {
        Set(sharedRoots(kernel, facts).keys)
    }

    /// Every name that designates shared memory in a kernel and its helpers, mapped to the declared shared
    /// variable it points into: the declarations themselves, pointers initialised from them
    /// (`float* row = smem + k * n;`), and helper parameters that receive them.
    static func sharedRoots(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> [String: String] {
        var roots: [String: String] = [:]
        for declaration in facts.sharedDeclarations(in: kernel) { roots[declaration.name] = declaration.name }
        let reached = facts.reach(kernel)
        for f in reached {
            guard let body = f.body else { continue }
            for node in body.preorder where node.type == "declaration" && isShared(node) {
                for declarator in declarators(of: node) { if let name = declaredIdentifier(declarator) { roots[name] = name } }
            }
        }
        for _ in 0..<3 {
            for f in reached {
                guard let body = f.body else { continue }
                for node in body.preorder where node.type == "init_declarator" {
                    guard let value = node.child(byField: "value"), let declarator = node.child(byField: "declarator"),
                          hasPointer(declarator), let name = declaredIdentifier(declarator), roots[name] == nil,
                          let b = base(of: value), let root = roots[b] else { continue }
                    roots[name] = root
                }
                for call in body.preorder where call.type == "call_expression" {
                    guard let callee = call.child(byField: "function").map(calleeSpelling),
                          let target = reached.first(where: { $0.name == callee && $0.node != f.node }),
                          let arguments = call.child(byField: "arguments")?.namedChildren else { continue }
                    let parameters = target.node.child(byField: "declarator")?.preorder
                        .filter { $0.type == "parameter_declaration" } ?? []
                    for (argument, parameter) in zip(arguments, parameters) {
                        guard let b = base(of: argument), let root = roots[b],
                              let declarator = declarators(of: parameter).first, hasPointer(declarator),
                              let name = declaredIdentifier(declarator), roots[name] == nil else { continue }
                        roots[name] = root
                    }
                }
            }
        }
        return roots
    }

    /// Whether an identifier node is the name being declared (not a use).
    static func isDeclaredName(_ node: Node) -> Bool {
        guard let parent = node.parent else { return false }
        switch parent.type {
        case "array_declarator", "pointer_declarator", "reference_declarator", "parameter_declaration", "declaration",
             "function_declarator":
            return parent.child(byField: "declarator") == node
        case "init_declarator":
            return parent.child(byField: "declarator") == node
        default:
            return false
        }
    }

    static func isShared(_ declaration: Node) -> Bool {
        declaration.children.contains { ($0.type == "type_qualifier" || $0.type == "attribute_specifier") && $0.text == "__shared__" }
    }

    static func isStaticOrExtern(_ declaration: Node) -> Bool {
        declaration.children.contains { $0.type == "storage_class_specifier" }
    }

    static let declaratorTypes: Set<String> = ["identifier", "field_identifier", "init_declarator", "pointer_declarator",
                                               "array_declarator", "reference_declarator", "function_declarator",
                                               "parenthesized_declarator", "abstract_pointer_declarator"]

    /// The declarators of a declaration (`float a, *b = p, c[4];` has three). Read by node type: the type
    /// node is excluded by identity (field lookup per child is unreliable in the runtime version used).
    static func declarators(of declaration: Node) -> [Node] {
        let type = declaration.child(byField: "type")
        return declaration.namedChildren.filter { $0 != type && declaratorTypes.contains($0.type) }
    }

    static func hasPointer(_ declarator: Node) -> Bool {
        var d: Node? = declarator
        while let current = d {
            if current.type == "pointer_declarator" || current.type == "abstract_pointer_declarator" { return true }
            if current.type == "init_declarator" || current.type == "reference_declarator" {
                d = current.child(byField: "declarator") ?? current.namedChild(0)
                continue
            }
            return false
        }
        return false
    }

    static func declaredIdentifier(_ declarator: Node) -> String? {
        var d: Node? = declarator
        var steps = 0
        while let current = d, steps < 16 {
            steps += 1
            if current.type == "identifier" || current.type == "field_identifier" { return current.text }
            d = current.child(byField: "declarator") ?? current.namedChildren.last
        }
        return nil
    }

    /// Identifier nodes spelled `name` inside `node`.
    static func uses(of name: String, in node: Node) -> [Node] {
        node.preorder.filter { $0.type == "identifier" && $0.text == name && !isDeclaredName($0) }
    }

    static func mentions(_ names: Set<String>, in node: Node) -> Bool {
        node.preorder.contains { $0.type == "identifier" && names.contains($0.text) }
    }

    // MARK: Assignments and memory reads

    /// Every assignment (plain and compound) and `++`/`--` in a function with its target.
    static func assignments(in node: Node) -> [(target: Node, value: Node?, op: String, node: Node)] {
        var result: [(Node, Node?, String, Node)] = []
        for n in node.preorder {
            if n.type == "assignment_expression", let left = n.child(byField: "left") {
                result.append((left, n.child(byField: "right"), n.child(byField: "operator")?.type ?? "=", n))
            } else if n.type == "update_expression", let argument = n.child(byField: "argument") {
                result.append((argument, nil, n.child(byField: "operator")?.type ?? "++", n))
            } else if n.type == "init_declarator", let declarator = n.child(byField: "declarator") {
                result.append((declarator, n.child(byField: "value"), "=", n))
            }
        }
        return result
    }

    /// Cache-operator and read-only load intrinsics.
    static let loadIntrinsics: Set<String> = ["__ldg", "__ldcs", "__ldcg", "__ldca", "__ldlu", "__ldcv"]

    /// Reads through a pointer inside `node`: subscripts and dereferences based on one of `pointers`, and
    /// load intrinsics. Shared arrays are excluded by the caller passing only global pointer names.
    static func memoryReads(in node: Node, pointers: Set<String>) -> [Node] {
        var result: [Node] = []
        for n in node.preorder {
            switch n.type {
            case "subscript_expression":
                // The outermost subscript of a chain only.
                if n.parent?.type == "subscript_expression", n.parent?.child(byField: "argument") == n { continue }
                if let b = base(of: n), pointers.contains(b) { result.append(n) }
            case "pointer_expression":
                if n.child(byField: "operator")?.type == "*", let b = base(of: n), pointers.contains(b) { result.append(n) }
            case "call_expression":
                if let callee = n.child(byField: "function"), loadIntrinsics.contains(calleeSpelling(callee)) { result.append(n) }
            default: break
            }
        }
        return result
    }

    /// Memory reads, plus calls that hand one of `pointers` to a helper (`load128(x + i * 8)`).
    static func memoryTouches(in node: Node, pointers: Set<String>) -> [Node] {
        var result = memoryReads(in: node, pointers: pointers)
        for call in node.preorder where call.type == "call_expression" {
            guard let arguments = call.child(byField: "arguments")?.namedChildren else { continue }
            if arguments.contains(where: { argument in
                guard let b = base(of: argument), pointers.contains(b) else { return false }
                return argument.type == "identifier" || argument.type == "binary_expression" || argument.type == "pointer_expression"
            }) { result.append(call) }
        }
        return result
    }

    static func calleeSpelling(_ node: Node) -> String {
        switch node.type {
        case "template_function": return node.child(byField: "name")?.text ?? node.text
        case "qualified_identifier":
            return node.text.lastQualifiedComponent
        case "field_expression": return node.child(byField: "field")?.text ?? node.text
        default: return node.text
        }
    }

    /// Whether `node` is written (left of an assignment, `++`/`--`, address taken for an atomic).
    static func isWritten(_ node: Node) -> Bool {
        var child = node
        var current = node.parent
        while let c = current {
            switch c.type {
            case "subscript_expression", "parenthesized_expression", "field_expression":
                if c.type == "subscript_expression", c.child(byField: "argument") != child { return false }
                child = c; current = c.parent
            case "assignment_expression":
                return c.child(byField: "left") == child
            case "update_expression":
                return true
            default:
                return false
            }
        }
        return false
    }

    // MARK: Loops

    static let loopTypes: Set<String> = ["for_statement", "while_statement", "do_statement", "for_range_loop"]

    /// Loops enclosing `node`, innermost first, up to (excluding) `limit`.
    static func enclosingLoops(_ node: Node, within limit: Node? = nil) -> [Node] {
        var result: [Node] = []
        var current = node.parent
        while let c = current, c != limit {
            if loopTypes.contains(c.type) { result.append(c) }
            current = c.parent
        }
        return result
    }

    static func contains(_ outer: Node, _ inner: Node) -> Bool {
        outer.startByte <= inner.startByte && inner.endByte <= outer.endByte
    }

    /// Whether a `for` loop counts down: `i -= s`, `i--`, `--i`, `i = i - s`.
    static func isDescending(_ loop: Node) -> Bool {
        guard loop.type == "for_statement", let update = loop.child(byField: "update") else { return false }
        switch update.type {
        case "update_expression": return update.child(byField: "operator")?.type == "--"
        case "assignment_expression":
            let op = update.child(byField: "operator")?.type ?? "="
            if op == "-=" { return true }
            if op == "=", let right = update.child(byField: "right"), right.type == "binary_expression",
               right.child(byField: "operator")?.type == "-",
               right.child(byField: "left")?.text == update.child(byField: "left")?.text { return true }
            return false
        default: return false
        }
    }

    static func isAscending(_ loop: Node) -> Bool {
        guard loop.type == "for_statement", let update = loop.child(byField: "update") else { return false }
        switch update.type {
        case "update_expression": return update.child(byField: "operator")?.type == "++"
        case "assignment_expression": return update.child(byField: "operator")?.type == "+="
        default: return false
        }
    }

    // MARK: Comments

    /// Comments that speak for a function: those inside its body and the block of comments right above it
    /// (above its template header when it has one).
    static func comments(at function: CUDAFacts.Function) -> [Node] {
        var result: [Node] = function.body.map { body in body.preorder.filter { $0.type == "comment" } } ?? []
        var anchor = function.node
        if let parent = anchor.parent, parent.type == "template_declaration" { anchor = parent }
        // The comment block touching the definition (no blank line in between).
        var next = anchor
        var previous = anchor.previousSibling
        while let p = previous, p.type == "comment", p.endPoint.row + 1 >= next.startPoint.row {
            result.append(p)
            next = p
            previous = p.previousSibling
        }
        return result
    }

    /// Comments of a kernel and of every helper it reaches.
    static func comments(reachedFrom kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> [Node] {
        facts.reach(kernel).flatMap { comments(at: $0) }
    }

    /// The comments that open the file (before the first declaration or directive that is not a comment).
    static func fileHeader(_ facts: CUDAFacts) -> [Node] {
        var result: [Node] = []
        for child in facts.root.children {
            if child.type == "comment" { result.append(child); continue }
            if child.type == "preproc_include" || child.type == "preproc_def" || child.type == "preproc_call" { continue }
            break
        }
        return result
    }

    /// The lines of the file header that describe the kernel's version (`version 3 ...`, `kernel 3: ...`), when the
    /// kernel's name ends in that number (`layernorm_forward_kernel3`).
    static func headerLines(about kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> [(line: String, node: Node)] {
        let digits = String(kernel.name.reversed().prefix { $0.isNumber }.reversed())
        guard let number = Int(digits) else { return [] }
        var result: [(String, Node)] = []
        for comment in fileHeader(facts) {
            for line in comment.text.split(separator: "\n") {
                let words = identifiersAndNumbers(String(line).lowercased())
                for (i, word) in words.enumerated() where ["version", "kernel", "v"].contains(word) {
                    if i + 1 < words.count, Int(words[i + 1]) == number { result.append((String(line), comment)); break }
                }
            }
        }
        return result
    }

    /// Lower-cased words of a comment.
    static func words(_ comment: Node) -> [String] {
        identifiersAndNumbers(comment.text.lowercased())
    }

    /// Whether the comment text contains a phrase (word sequence), e.g. `["bank", "conflicts"]`.
    static func contains(_ words: [String], phrase: [String]) -> Bool {
        guard !phrase.isEmpty, words.count >= phrase.count else { return false }
        for i in 0...(words.count - phrase.count) where Array(words[i..<(i + phrase.count)]) == phrase { return true }
        return false
    }

    /// Words that turn a stated technique into a wish or a complaint rather than a claim.
    static let hedges: Set<String> = ["todo", "fixme", "xxx", "suffers", "suffer", "uncoalesced", "not", "no", "without",
                                      "could", "should", "would", "might", "lacks", "missing", "non"]

    /// Root nodes of the source and of the local headers it includes.
    static func roots(_ facts: CUDAFacts) -> [Node] {
        [facts.root] + facts.headers.map(\.tree.rootNode)
    }

    // MARK: Inline PTX

    /// The inline-assembly statements a kernel executes, with the node to report: `asm(...)` in the kernel and
    /// its helpers, and `asm` inside the function-like macros they call (the macro body is parsed as CUDA).
    static func inlineAssembly(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> [(code: String, node: Node)] {
        var result: [(String, Node)] = []
        for node in facts.nodes(in: kernel, types: ["gnu_asm_expression"]) {
            result.append((assemblyText(node), node))
        }
        for (name, call) in facts.callNodes(in: kernel) {
            for macro in facts.expansion(of: name) {
                guard let body = facts.macros[macro], !body.isEmpty,
                      let tree = try? Parser(language: .cuda).parse(bytes: Array("void __srlens_macro() { \(body); }\n".utf8))
                else { continue }
                for node in tree.rootNode.preorder where node.type == "gnu_asm_expression" {
                    result.append((assemblyText(node), call))
                }
            }
        }
        return result
    }

    /// The instruction text of an `asm` statement (its string literals joined).
    static func assemblyText(_ node: Node) -> String {
        guard let code = node.child(byField: "assembly_code") else { return "" }
        return code.preorder.filter { $0.type == "string_content" || $0.type == "escape_sequence" }
            .map { $0.type == "escape_sequence" ? " " : $0.text }.joined()
    }

    /// PTX instruction mnemonics of an assembly text, split at `;` and newlines: `ld.global.cs.v4.f32`.
    static func instructions(_ assembly: String) -> [[String]] {
        assembly.split(whereSeparator: { $0 == ";" || $0 == "\n" }).compactMap { statement in
            let trimmed = statement.trimmingCharacters(in: .whitespaces)
            // Skip a predicate guard `@p`.
            let words = trimmed.split(separator: " ").map(String.init).filter { !$0.hasPrefix("@") && !$0.isEmpty }
            return words.first.map { $0.split(separator: ".").map(String.init) }
        }
    }

    // MARK: Constants

    /// Folds a small integer expression: literals, `sizeof` of common types, `#define`d and `const`/`constexpr`
    /// names of the file, arithmetic and shifts.
    static func evaluate(_ node: Node, _ facts: CUDAFacts, depth: Int = 0) -> Int? {
        guard depth < 12 else { return nil }
        switch node.type {
        case "number_literal":
            var text = node.text.lowercased()
            while let last = text.last, "ulf".contains(last), !text.hasPrefix("0x") || last != "f" { text.removeLast() }
            if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
            return Int(text)
        case "parenthesized_expression":
            return node.namedChild(0).flatMap { evaluate($0, facts, depth: depth + 1) }
        case "binary_expression":
            guard let l = node.child(byField: "left").flatMap({ evaluate($0, facts, depth: depth + 1) }),
                  let r = node.child(byField: "right").flatMap({ evaluate($0, facts, depth: depth + 1) }) else { return nil }
            switch node.child(byField: "operator")?.type ?? "" {
            case "+": let (v, o) = l.addingReportingOverflow(r); return o ? nil : v
            case "-": let (v, o) = l.subtractingReportingOverflow(r); return o ? nil : v
            case "*": let (v, o) = l.multipliedReportingOverflow(by: r); return o ? nil : v
            case "/": return r == 0 || (l == Int.min && r == -1) ? nil : l / r
            case "%": return r == 0 || (l == Int.min && r == -1) ? nil : l % r
            case "<<": return r >= 0 && r < 40 ? l << r : nil
            case ">>": return r >= 0 && r < 63 ? l >> r : nil
            default: return nil
            }
        case "cast_expression":
            return node.child(byField: "value").flatMap { evaluate($0, facts, depth: depth + 1) }
        case "sizeof_expression":
            let operand = node.child(byField: "type") ?? node.child(byField: "value")
            return operand.flatMap { sizeOf($0.text.trimmingCharacters(in: CharacterSet(charactersIn: "() "))) }
        case "identifier":
            return constant(named: node.text, facts, depth: depth + 1)
        default:
            return nil
        }
    }

    static func sizeOf(_ type: String) -> Int? {
        let sizes: [String: Int] = ["char": 1, "int8_t": 1, "uint8_t": 1, "short": 2, "half": 2, "__half": 2,
                                    "nv_bfloat16": 2, "__nv_bfloat16": 2, "int": 4, "unsigned": 4, "float": 4,
                                    "unsigned int": 4, "uint32_t": 4, "int32_t": 4, "double": 8, "long": 8,
                                    "long long": 8, "int64_t": 8, "size_t": 8, "float2": 8, "half2": 4,
                                    "float4": 16, "int4": 16, "uint4": 16, "double2": 16]
        return sizes[type]
    }

    /// The value of a `#define` or a file-scope / local `const`/`constexpr` integer named `name`.
    static func constant(named name: String, _ facts: CUDAFacts, depth: Int) -> Int? {
        if let text = facts.macros[name] {
            return expression(text).flatMap { evaluate($0, facts, depth: depth) }
        }
        // Memoised as a list: empty when there is no such constant.
        let values: [Node] = facts.memo("MemSupport.constant:\(name)") {
            for node in facts.fileNodes(["init_declarator"]) {
                guard node.child(byField: "declarator")?.text == name, let declaration = node.parent,
                      declaration.type == "declaration",
                      declaration.children.contains(where: { $0.type == "type_qualifier" && ($0.text == "const" || $0.text == "constexpr") }),
                      let value = node.child(byField: "value") else { continue }
                return [value]
            }
            return []
        }
        return values.first.flatMap { evaluate($0, facts, depth: depth) }
    }

    /// Parses a macro's replacement text as an expression (tree-sitter; no text matching).
    static func expression(_ text: String) -> Node? {
        let source = "const long __srlens_value = \(text);\n"
        guard let tree = try? Parser(language: .cuda).parse(bytes: Array(source.utf8)) else { return nil }
        return tree.rootNode.preorder.first(where: { $0.type == "init_declarator" })?.child(byField: "value")
    }
}

extension MemSupport {
    /// Words and numbers of a text (for reading comments word by word).
    static func identifiersAndNumbers(_ text: String) -> [String] {
        var words: [String] = [], current = ""
        for ch in text {
            if ch.isLetter || ch.isNumber || ch == "_" { current.append(ch) } else {
                if !current.isEmpty { words.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

// MARK: Types declared by the source

extension MemSupport {
    /// Struct types declared with an explicit alignment (`struct alignas(16) P {...}`, `__align__(16)`,
    /// `__attribute__((aligned(16)))`) in the source and its local headers: name -> alignment (0 when unknown).
    static func alignedTypes(_ facts: CUDAFacts) -> [String: Int] { facts.memo("MemSupport.alignedTypes") { compute_alignedTypes(facts) } }

    private static func compute_alignedTypes(_ facts: CUDAFacts) -> [String: Int] {
        var result: [String: Int] = [:]
        for root in roots(facts) {
            for node in root.preorder where ["struct_specifier", "class_specifier", "union_specifier"].contains(node.type) {
                guard let name = node.child(byField: "name")?.text else { continue }
                if name == "__align__" {
                    // tree-sitter reads `struct __align__(16) P { ... }` as a function named P returning
                    // `struct __align__`: the real name is the declarator's identifier.
                    guard let definition = node.parent, definition.type == "function_definition",
                          let declarator = definition.child(byField: "declarator"),
                          let real = Array(declarator.preorder).last(where: { $0.type == "identifier" })?.text else { continue }
                    let value = declarator.preorder.first(where: { $0.type == "number_literal" }).flatMap { evaluate($0, facts) }
                    result[real] = value ?? 0
                    continue
                }
                guard node.child(byField: "body") != nil else { continue }
                if let alignas = node.children.first(where: { $0.type == "alignas_qualifier" }) {
                    result[name] = alignas.namedChild(0).flatMap { evaluate($0, facts) } ?? 0
                } else if let attribute = node.children.first(where: { $0.type == "attribute_specifier" || $0.type == "attribute_declaration" }),
                          attribute.preorder.contains(where: { $0.type == "identifier" && ($0.text == "aligned" || $0.text == "__aligned__") }) {
                    result[name] = attribute.preorder.first(where: { $0.type == "number_literal" }).flatMap { evaluate($0, facts) } ?? 0
                }
            }
        }
        return result
    }

    /// `typedef A B;` and `using B = A;` of the source and its headers: B -> base name of A.
    static func aliases(_ facts: CUDAFacts) -> [String: String] { facts.memo("MemSupport.aliases") { compute_aliases(facts) } }

    private static func compute_aliases(_ facts: CUDAFacts) -> [String: String] {
        var result: [String: String] = [:]
        for root in roots(facts) {
            for node in root.preorder {
                if node.type == "type_definition", let type = node.child(byField: "type").flatMap(typeName) {
                    let typeNode = node.child(byField: "type")
                    for child in node.namedChildren where child != typeNode && child.type == "type_identifier" {
                        result[child.text] = type
                    }
                } else if node.type == "alias_declaration", let name = node.child(byField: "name")?.text,
                          let type = node.child(byField: "type").flatMap(typeName) {
                    result[name] = type
                }
            }
        }
        return result
    }

    /// The base name of a type node: `const float4` -> `float4`, `Packed128<float>` -> `Packed128`.
    static func typeName(_ node: Node) -> String? {
        switch node.type {
        case "type_descriptor": return node.child(byField: "type").flatMap(typeName)
        case "template_type": return node.child(byField: "name")?.text
        case "qualified_identifier": return node.child(byField: "name").flatMap(typeName) ?? node.text
        case "type_identifier", "primitive_type", "sized_type_specifier": return node.text
        default: return nil
        }
    }

    /// Follows aliases to the underlying base name.
    static func resolve(_ name: String, _ aliases: [String: String]) -> String {
        var current = name, steps = 0
        while let next = aliases[current], next != current, steps < 8 { current = next; steps += 1 }
        return current
    }

    /// Base names of the 16-byte vector types: built-in ones and explicitly 16-byte-aligned structs.
    static func vector128Types(_ facts: CUDAFacts) -> Set<String> { facts.memo("MemSupport.vector128Types") { compute_vector128Types(facts) } }

    private static func compute_vector128Types(_ facts: CUDAFacts) -> Set<String> {
        var result: Set<String> = ["float4", "int4", "uint4", "double2", "longlong2", "ulonglong2", "long2", "ulong2"]
        for (name, alignment) in alignedTypes(facts) where alignment == 16 { result.insert(name) }
        return result
    }

    /// The declared type's base name for a parameter or declaration node.
    static func declaredTypeName(_ declaration: Node) -> String? {
        declaration.child(byField: "type").flatMap(typeName)
    }
}

extension MemSupport {
    /// Evidence at a launch libclang reported, when the launch lies in the analysed source itself (a launch in an
    /// included header is reported at `fallback`).
    static func launchEvidence(_ launch: ClangKit.KernelLaunch, _ facts: CUDAFacts, _ note: String, fallback: Node) -> Evidence {
        let span = launch.span
        let own = span.file == facts.file.path || span.file == facts.file.path + ".cu"
        if own, span.startOffset <= span.endOffset, span.endOffset <= facts.file.bytes.count {
            return facts.evidence(span: span, note)
        }
        return facts.evidence(fallback, note)
    }
}
