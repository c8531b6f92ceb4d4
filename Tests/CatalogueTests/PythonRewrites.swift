import Catalogue
import Foundation
import SourceModel
import TreeSitterKit

/// Meaning-preserving rewrites of a whole Python file, located on the tree-sitter tree that `PythonFacts`
/// parses: consistent renaming of variables and parameters, layout changes (line breaks inside parentheses,
/// quote style, blank lines, comments), reordering of top-level definitions, hyperparameter values moved into
/// module-level constants or into the `Hyperparameters` dataclass, and magic numbers given names. Used by
/// `RecordRefactorTests`: a detector must find the same innovations before and after each rewrite.
///
/// Every rewrite is conservative: when Python semantics could change (a keyword argument that names a
/// parameter, a name bound in a class body, a definition whose header uses another), the spot is left alone.
enum PythonRewrites {
    /// A rewritten file and how many places changed (a rewrite that changed nothing tests nothing).
    struct Result {
        var bytes: [UInt8]
        var changes: Int
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    struct Edit {
        var range: Range<Int>
        var replacement: String
    }

    static func facts(_ bytes: [UInt8]) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "rewrite.py", language: .python, bytes: bytes))
    }

    /// Applies non-overlapping edits (insertions at one offset keep their order).
    static func apply(_ edits: [Edit], to bytes: [UInt8]) -> [UInt8] {
        let ordered = edits.enumerated().sorted {
            ($0.element.range.lowerBound, $0.element.range.upperBound, $0.offset)
                < ($1.element.range.lowerBound, $1.element.range.upperBound, $1.offset)
        }.map(\.element)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + edits.count * 16)
        var cursor = 0
        for edit in ordered {
            precondition(edit.range.lowerBound >= cursor, "overlapping edits at byte \(edit.range.lowerBound)")
            out += bytes[cursor..<edit.range.lowerBound]
            out += Array(edit.replacement.utf8)
            cursor = edit.range.upperBound
        }
        out += bytes[cursor...]
        return out
    }

    static func rewrite(_ bytes: [UInt8], _ plan: (PythonFacts) -> [Edit]) throws -> Result {
        let edits = plan(try facts(bytes))
        return Result(bytes: apply(edits, to: bytes), changes: edits.count)
    }

    // MARK: Tree helpers

    static let scopeTypes: Set<String> = ["function_definition", "lambda", "class_definition", "list_comprehension",
                                          "set_comprehension", "dictionary_comprehension", "generator_expression"]

    static func isField(_ node: Node, _ field: String, of parent: Node?) -> Bool {
        guard let parent, let child = parent.child(byField: field) else { return false }
        return child == node
    }

    static func ancestors(_ node: Node) -> [Node] {
        var result: [Node] = []
        var current = node.parent
        while let c = current { result.append(c); current = c.parent }
        return result
    }

    /// Start of the line holding `offset`.
    static func lineStart(_ offset: Int, _ bytes: [UInt8]) -> Int {
        var index = offset
        while index > 0, bytes[index - 1] != UInt8(ascii: "\n") { index -= 1 }
        return index
    }

    /// Whether only spaces and tabs precede `offset` on its line.
    static func startsLine(_ offset: Int, _ bytes: [UInt8]) -> Bool {
        bytes[lineStart(offset, bytes)..<offset].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    static func indentation(of offset: Int, _ bytes: [UInt8]) -> String {
        let start = lineStart(offset, bytes)
        var end = start
        while end < bytes.count, bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t") { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    static func identifiers(in node: Node) -> [Node] { node.preorder.filter { $0.type == "identifier" } }

    /// A fresh identifier: not used anywhere in the file nor handed out before.
    struct NameSource {
        var taken: Set<String>
        var counter = 0
        mutating func fresh(_ stem: String) -> String {
            while true {
                counter += 1
                let name = "\(stem)\(counter)"
                if taken.insert(name).inserted { return name }
            }
        }
    }

    // MARK: Renaming

    /// Names a binding target introduces (`a`, `a, (b, c)`, `*rest`); attributes and subscripts bind nothing.
    static func targetNames(_ node: Node) -> [Node] {
        switch node.type {
        case "identifier": return [node]
        case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "parenthesized_expression",
             "list_splat_pattern", "list_splat", "as_pattern_target", "expression_list":
            return node.namedChildren.flatMap(targetNames)
        default: return []
        }
    }

    /// The parameter names of a function or lambda, with the nodes of their names.
    static func parameterNames(_ scope: Node) -> [Node] {
        guard let parameters = scope.child(byField: "parameters") else { return [] }
        return parameters.namedChildren.flatMap { p -> [Node] in
            switch p.type {
            case "identifier": return [p]
            case "default_parameter", "typed_default_parameter": return p.child(byField: "name").map { [$0] } ?? []
            case "typed_parameter":
                guard let first = p.namedChildren.first else { return [] }
                return first.type == "identifier" ? [first] : first.namedChildren.filter { $0.type == "identifier" }
            case "list_splat_pattern", "dictionary_splat_pattern": return p.namedChildren.filter { $0.type == "identifier" }
            default: return []
            }
        }
    }

    /// Parts of a function or lambda evaluated in the enclosing scope: defaults, annotations, return type.
    static func headerParts(_ scope: Node) -> [Node] {
        var parts: [Node] = []
        if let parameters = scope.child(byField: "parameters") {
            for p in parameters.namedChildren {
                if let value = p.child(byField: "value") { parts.append(value) }
                if let type = p.child(byField: "type") { parts.append(type) }
            }
        }
        if let returnType = scope.child(byField: "return_type") { parts.append(returnType) }
        return parts
    }

    /// What a scope binds directly (not in nested scopes), and the names it declares global or nonlocal.
    static func bindings(of scope: Node) -> (bound: [String: [Node]], declared: Set<String>) {
        var bound: [String: [Node]] = [:]
        var declared: Set<String> = []
        func bind(_ nodes: [Node]) { for n in nodes { bound[n.text, default: []].append(n) } }
        if scope.type == "function_definition" || scope.type == "lambda" { bind(parameterNames(scope)) }
        if ["list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"].contains(scope.type) {
            for clause in scope.namedChildren where clause.type == "for_in_clause" {
                if let left = clause.child(byField: "left") { bind(targetNames(left)) }
            }
            return (bound, declared)
        }
        let body = scope.type == "module" ? scope : (scope.child(byField: "body") ?? scope)
        var stack = [body]
        while let node = stack.popLast() {
            switch node.type {
            case "assignment", "augmented_assignment":
                if let left = node.child(byField: "left") { bind(targetNames(left)) }
            case "for_statement":
                if let left = node.child(byField: "left") { bind(targetNames(left)) }
            case "as_pattern_target": bind(targetNames(node))
            case "named_expression":
                if let name = node.child(byField: "name") { bind([name]) }
            case "global_statement", "nonlocal_statement":
                for n in node.namedChildren where n.type == "identifier" { declared.insert(n.text) }
            default: break
            }
            if node != body, scopeTypes.contains(node.type) {
                // A nested scope binds its own names; only its header (decorators, defaults) runs here, and
                // a comprehension's first iterable.
                if node.type == "function_definition" || node.type == "lambda" { stack += headerParts(node) }
                continue
            }
            stack += node.namedChildren
        }
        return (bound, declared)
    }

    /// Identifiers that are not variable references: attribute names, keyword-argument names, names in
    /// import statements, and the names of functions and classes.
    static func isVariableOccurrence(_ node: Node) -> Bool {
        let parent = node.parent
        if isField(node, "attribute", of: parent) && parent?.type == "attribute" { return false }
        if isField(node, "name", of: parent) && parent?.type == "keyword_argument" { return false }
        if isField(node, "name", of: parent) && ["function_definition", "class_definition"].contains(parent?.type ?? "") { return false }
        return !ancestors(node).contains { ["import_statement", "import_from_statement", "future_import_statement"].contains($0.type) }
    }

    /// Renames variables and parameters consistently, scope by scope: module-level variables in the whole
    /// file, each function's, lambda's and comprehension's own names inside it (its defaults and annotations,
    /// evaluated outside, keep the outer meaning). Left alone: `self`/`cls`, dunders, imported names, function
    /// and class names, names bound in a class body (they are attributes), names declared `global`/`nonlocal`
    /// below the scope, parameters that some call passes by keyword (or of functions handed over as a keyword
    /// argument, such as `setup_context=setup_context`, which the library calls by keyword), and functions
    /// holding a class.
    static func renameVariables(_ bytes: [UInt8]) throws -> Result {
        try rewrite(bytes) { facts in
            let all = facts.nodes(ofType: "identifier")
            var names = NameSource(taken: Set(all.map(\.text)))
            // Variable occurrences by name, in document order.
            var occurrences: [String: [Node]] = [:]
            for id in all where isVariableOccurrence(id) { occurrences[id.text, default: []].append(id) }
            let keywordArguments = facts.nodes(ofType: "keyword_argument")
            let keywordNames = Set(keywordArguments.compactMap { $0.child(byField: "name")?.text })
            let keywordValues = Set(keywordArguments.compactMap { $0.child(byField: "value") }.filter { $0.type == "identifier" }.map(\.text))
            var imported: Set<String> = []
            for statement in facts.nodes(ofType: ["import_statement", "import_from_statement"]) {
                for id in identifiers(in: statement) { imported.insert(id.text) }
            }
            // Functions and classes that are not methods: their names are bindings of the enclosing scope.
            var definitionNames: Set<String> = []
            var protectedParameters: Set<String> = []
            for definition in facts.nodes(ofType: ["function_definition", "class_definition"]) {
                guard let name = definition.child(byField: "name")?.text else { continue }
                let statement = definition.parent?.type == "decorated_definition" ? definition.parent : definition
                if statement?.parent?.parent?.type != "class_definition" { definitionNames.insert(name) }
                if definition.type == "function_definition", keywordValues.contains(name) {
                    protectedParameters.formUnion(parameterNames(definition).map(\.text))
                }
            }
            var classBound: Set<String> = []
            for cls in facts.nodes(ofType: "class_definition") { classBound.formUnion(bindings(of: cls).bound.keys) }
            func eligible(_ name: String) -> Bool {
                !["self", "cls"].contains(name) && !(name.hasPrefix("__") && name.hasSuffix("__"))
                    && !imported.contains(name) && !definitionNames.contains(name)
            }

            var renamed: [Int: (Range<Int>, String)] = [:]
            func rename(_ name: String, to new: String, in region: Node, except skipped: [Node]) {
                for id in occurrences[name] ?? [] where region.byteRange.contains(id.startByte) {
                    if skipped.contains(where: { $0.byteRange.contains(id.startByte) }) { continue }
                    renamed[id.startByte] = (id.byteRange, new)
                }
            }

            // Module-level variables: the whole file.
            let module = bindings(of: facts.root)
            for name in module.bound.keys.sorted() where eligible(name) && !classBound.contains(name)
                && !keywordNames.contains(name) && !protectedParameters.contains(name) {
                rename(name, to: names.fresh("g"), in: facts.root, except: [])
            }

            // Function, lambda and comprehension scopes, outer first (inner renamings overwrite).
            let scopes = facts.nodes(ofType: ["function_definition", "lambda", "list_comprehension", "set_comprehension",
                                              "dictionary_comprehension", "generator_expression"])
            var declaredIn: [Node: Set<String>] = [:]
            for scope in scopes {
                let nested = scope.preorder.filter { scopeTypes.contains($0.type) && $0 != scope }
                if nested.contains(where: { $0.type == "class_definition" }) { continue }
                let own = bindings(of: scope)
                var declaredBelow: Set<String> = []
                for inner in nested {
                    if declaredIn[inner] == nil { declaredIn[inner] = bindings(of: inner).declared }
                    declaredBelow.formUnion(declaredIn[inner] ?? [])
                }
                let parameters = Set(parameterNames(scope).map(\.text))
                let functionName = scope.child(byField: "name")?.text ?? ""
                var skipped = headerParts(scope)
                if let first = scope.namedChildren.first(where: { $0.type == "for_in_clause" }), let right = first.child(byField: "right") {
                    skipped.append(right)
                }
                for name in own.bound.keys.sorted() where eligible(name) && !own.declared.contains(name) && !declaredBelow.contains(name) {
                    if parameters.contains(name), keywordNames.contains(name) || keywordValues.contains(functionName) { continue }
                    rename(name, to: names.fresh("l"), in: scope, except: skipped)
                }
            }
            return renamed.values.map { Edit(range: $0.0, replacement: $0.1) }
        }
    }

    // MARK: Layout

    /// A line break (and a comment) after every comma of call arguments and parameter lists, outside strings.
    static func breakArgumentLines(_ bytes: [UInt8]) throws -> Result {
        try rewrite(bytes) { facts in
            var edits: [Edit] = []
            for list in facts.nodes(ofType: ["argument_list", "parameters"]) {
                if ancestors(list).contains(where: { $0.type == "string" }) { continue }
                let indent = indentation(of: list.startByte, bytes) + "        "
                for comma in list.children where comma.type == "," {
                    guard let next = comma.nextSibling, next.type != ")" else { continue }
                    edits.append(Edit(range: comma.endByte..<comma.endByte, replacement: "  # next argument\n" + indent))
                }
            }
            return edits
        }
    }

    /// Single-quoted strings become double-quoted and double-quoted ones single-quoted, where the text holds no
    /// quote or backslash (so nothing needs escaping) and the string is not nested in another.
    static func swapQuotes(_ bytes: [UInt8]) throws -> Result {
        try rewrite(bytes) { facts in
            var edits: [Edit] = []
            for string in facts.nodes(ofType: "string") {
                if ancestors(string).contains(where: { $0.type == "string" }) { continue }
                let text = Array(string.text.utf8)
                guard let open = text.firstIndex(where: { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\"") }),
                      text.count >= open + 2, text.last == text[open] else { continue }
                let quote = text[open]
                let body = text[(open + 1)..<(text.count - 1)]
                if text.count >= open + 3, text[open + 1] == quote, text[open + 2] == quote { continue } // triple-quoted
                if body.contains(where: { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { continue }
                let other = quote == UInt8(ascii: "'") ? "\"" : "'"
                let start = string.startByte + open
                edits.append(Edit(range: start..<(start + 1), replacement: other))
                edits.append(Edit(range: (string.endByte - 1)..<string.endByte, replacement: other))
            }
            return edits
        }
    }

    /// A blank line and a comment line before every statement that starts a line, and a trailing comment after
    /// every expression statement that ends one.
    static func blankLinesAndComments(_ bytes: [UInt8]) throws -> Result {
        try rewrite(bytes) { facts in
            var edits: [Edit] = []
            for container in [facts.root] + facts.nodes(ofType: "block") {
                for statement in container.namedChildren where statement.type != "comment" {
                    guard startsLine(statement.startByte, bytes) else { continue }
                    let start = lineStart(statement.startByte, bytes)
                    let indent = indentation(of: statement.startByte, bytes)
                    edits.append(Edit(range: start..<start, replacement: "\n\(indent)# layout only: \(statement.type)\n"))
                    if statement.type == "expression_statement", statement.endByte < bytes.count,
                       bytes[statement.endByte] == UInt8(ascii: "\n") {
                        edits.append(Edit(range: statement.endByte..<statement.endByte, replacement: "  # unchanged"))
                    }
                }
            }
            return edits
        }
    }

    // MARK: Reordering

    /// Names a definition uses while it is being defined: decorators, defaults, annotations, base classes and
    /// the class body outside method bodies.
    static func definitionTimeNames(_ statement: Node) -> Set<String> {
        var result: Set<String> = []
        var stack = [statement]
        while let node = stack.popLast() {
            if node.type == "identifier", isVariableOccurrence(node) { result.insert(node.text) }
            for child in node.namedChildren {
                // A method or function body runs later.
                if node.type == "function_definition", isField(child, "body", of: node) { continue }
                stack.append(child)
            }
        }
        return result
    }

    /// Reverses each run of consecutive top-level function and class definitions, as far as their
    /// definition-time dependencies allow (a base class, a decorator or a default taken from another definition
    /// of the run stays before its user). Comment lines above a definition move with it.
    static func reorderDefinitions(_ bytes: [UInt8]) throws -> Result {
        let facts = try facts(bytes)
        let definitionTypes: Set<String> = ["function_definition", "class_definition", "decorated_definition"]
        var runs: [[Node]] = [], current: [Node] = []
        for child in facts.root.namedChildren {
            if definitionTypes.contains(child.type) { current.append(child); continue }
            if child.type == "comment" { continue }
            if current.count > 1 { runs.append(current) }
            current = []
        }
        if current.count > 1 { runs.append(current) }

        func name(_ definition: Node) -> String? {
            let inner = definition.type == "decorated_definition" ? definition.child(byField: "definition") : definition
            return inner?.child(byField: "name")?.text
        }
        var edits: [Edit] = []
        var moved = 0
        for run in runs {
            let names = run.compactMap(name)
            guard names.count == run.count, Set(names).count == names.count else { continue }
            // Segment of each definition: from the first comment line directly above it to its end, plus a
            // comment on its last line.
            var segments: [Range<Int>] = []
            var previousEnd = lineStart(run[0].startByte, bytes)
            for definition in run {
                var start = lineStart(definition.startByte, bytes)
                var sibling = definition.previousSibling
                while let s = sibling, s.type == "comment", s.startByte >= previousEnd, startsLine(s.startByte, bytes) {
                    start = lineStart(s.startByte, bytes)
                    sibling = s.previousSibling
                }
                var end = definition.endByte
                if let next = definition.nextSibling, next.type == "comment", !startsLine(next.startByte, bytes) { end = next.endByte }
                segments.append(start..<end)
                previousEnd = end
            }
            let uses = run.map(definitionTimeNames)
            var placed: [Int] = []
            var remaining = Array(run.indices)
            while !remaining.isEmpty {
                // The latest definition whose dependencies are all placed.
                let ready = remaining.last { i in
                    remaining.allSatisfy { j in j == i || !uses[i].contains(names[j]) }
                } ?? remaining[0]
                placed.append(ready)
                remaining.removeAll { $0 == ready }
            }
            guard placed != Array(run.indices) else { continue }
            moved += zip(placed, run.indices).filter { $0 != $1 }.count
            let text = placed.map { String(decoding: bytes[segments[$0]], as: UTF8.self) }.joined(separator: "\n\n\n")
            edits.append(Edit(range: segments[0].lowerBound..<segments[segments.count - 1].upperBound, replacement: text))
        }
        return Result(bytes: apply(edits, to: bytes), changes: moved)
    }

    // MARK: Hyperparameters

    /// The module-level `@dataclass` classes (with the statement holding their decorator) and their fields that
    /// have a value not read from another field: `(name, value)`.
    static func dataclassFields(_ facts: PythonFacts) -> [(cls: Node, statement: Node, fields: [(name: String, value: Node)])] {
        var result: [(Node, Node, [(String, Node)])] = []
        for cls in facts.classes {
            guard let statement = cls.node.parent, statement.type == "decorated_definition", statement.parent == facts.root,
                  statement.namedChildren.contains(where: { $0.type == "decorator" && $0.text.hasSuffix("dataclass") }),
                  let body = cls.body else { continue }
            let own = Set(bindings(of: cls.node).bound.keys)
            var fields: [(String, Node)] = []
            for line in body.namedChildren where line.type == "expression_statement" {
                guard let assignment = line.namedChildren.first, assignment.type == "assignment",
                      let left = assignment.child(byField: "left"), left.type == "identifier",
                      let value = assignment.child(byField: "right") else { continue }
                // A value that reads another field of the class cannot leave the class body.
                if identifiers(in: value).contains(where: { own.contains($0.text) && isVariableOccurrence($0) }) { continue }
                fields.append((left.text, value))
            }
            if !fields.isEmpty { result.append((cls.node, statement, fields)) }
        }
        return result
    }

    /// Moves each field value of the module-level dataclasses (`Hyperparameters`, model configs) into a block
    /// of module constants just above the class; the field keeps its name and type and takes the constant.
    /// With `readsToo`, every read `args.field` of an instance `args = Hyperparameters()` becomes the constant
    /// (fields written somewhere, and reads where `args` is a local name, are left alone).
    static func hyperparameterConstants(_ bytes: [UInt8], readsToo: Bool) throws -> Result {
        try rewrite(bytes) { facts in
            var names = NameSource(taken: Set(facts.nodes(ofType: "identifier").map(\.text)))
            var edits: [Edit] = []
            for (cls, statement, fields) in dataclassFields(facts) {
                let className = cls.child(byField: "name")?.text ?? "CONFIG"
                var block = "# hyperparameter values of \(className)\n"
                var constants: [String: String] = [:]
                for (field, value) in fields {
                    let constant = names.fresh("\(className.uppercased())_\(field.uppercased())_")
                    constants[field] = constant
                    block += "\(constant) = \(value.text)\n"
                    edits.append(Edit(range: value.byteRange, replacement: constant))
                }
                let start = lineStart(statement.startByte, bytes)
                edits.append(Edit(range: start..<start, replacement: block + "\n"))
                guard readsToo else { continue }
                // Instances: `args = Hyperparameters()`, the only binding of that module-level name.
                let moduleBindings = bindings(of: facts.root).bound
                let instances = Set(facts.nodes(ofType: "assignment").compactMap { a -> String? in
                    guard let left = a.child(byField: "left"), left.type == "identifier", let right = a.child(byField: "right"),
                          right.type == "call", right.child(byField: "function")?.text == className,
                          right.child(byField: "arguments")?.namedChildCount == 0,
                          moduleBindings[left.text]?.count == 1 else { return nil }
                    return left.text
                })
                let attributes = facts.nodes(ofType: "attribute").filter { a in
                    guard let object = a.child(byField: "object"), object.type == "identifier", instances.contains(object.text),
                          let field = a.child(byField: "attribute"), constants[field.text] != nil else { return false }
                    return true
                }
                let written = Set(attributes.filter { a in
                    let parent = a.parent
                    return (["assignment", "augmented_assignment"].contains(parent?.type ?? "") && isField(a, "left", of: parent))
                        || ancestors(a).contains { $0.type == "pattern_list" || $0.type == "delete_statement" }
                }.compactMap { $0.child(byField: "attribute")?.text })
                for a in attributes {
                    guard let object = a.child(byField: "object"), let field = a.child(byField: "attribute")?.text,
                          !written.contains(field), let constant = constants[field] else { continue }
                    // `args` must be the module's instance here, not a local of the same name.
                    let shadowed = ancestors(a).contains { scope in
                        ["function_definition", "lambda"].contains(scope.type) && bindings(of: scope).bound[object.text] != nil
                    }
                    if !shadowed { edits.append(Edit(range: a.byteRange, replacement: constant)) }
                }
            }
            return edits
        }
    }

    static let optimizerKeywords: Set<String> = ["lr", "betas", "eps", "momentum", "weight_decay", "backend_steps",
                                                 "ns_steps", "nesterov", "fused"]

    /// A literal that needs nothing defined: numbers, booleans, and tuples of them.
    static func isLiteral(_ node: Node) -> Bool {
        switch node.type {
        case "integer", "float", "true", "false": return true
        case "unary_operator", "tuple", "parenthesized_expression", "binary_operator": return node.namedChildren.allSatisfy(isLiteral)
        default: return false
        }
    }

    /// Where a block of literal-valued module constants can go: after the leading imports, comments and
    /// docstring.
    static func constantBlockOffset(_ facts: PythonFacts, _ bytes: [UInt8]) -> Int {
        let leading: Set<String> = ["import_statement", "import_from_statement", "future_import_statement", "comment"]
        let first = facts.root.namedChildren.first { child in
            !leading.contains(child.type) && !(child.type == "expression_statement" && child.namedChildren.first?.type == "string")
        }
        return first.map { lineStart($0.startByte, bytes) } ?? bytes.count
    }

    /// Names every magic number: each float literal, and each integer of 16 or more, outside strings,
    /// subscripts and annotations, becomes a module constant (`softcap = 15 * tanh(x / 15)` reads
    /// `K_1 * tanh(x / K_2)`, `step / 300` reads `step / K_3`).
    static func magicNumberConstants(_ bytes: [UInt8]) throws -> Result {
        try rewrite(bytes) { facts in
            var names = NameSource(taken: Set(facts.nodes(ofType: "identifier").map(\.text)))
            var edits: [Edit] = []
            var block = "# named numbers\n"
            for literal in facts.nodes(ofType: ["float", "integer"]) {
                if literal.type == "integer" {
                    let digits = literal.text.replacingOccurrences(of: "_", with: "")
                    guard let value = Int(digits), value >= 16 else { continue }
                }
                if ancestors(literal).contains(where: { ["string", "subscript", "slice", "type", "decorator"].contains($0.type) }) { continue }
                let constant = names.fresh("K_")
                block += "\(constant) = \(literal.text)\n"
                edits.append(Edit(range: literal.byteRange, replacement: constant))
            }
            guard !edits.isEmpty else { return [] }
            let at = constantBlockOffset(facts, bytes)
            edits.append(Edit(range: at..<at, replacement: block + "\n"))
            return edits
        }
    }

    /// Moves the literal optimizer keywords of module-level calls that run after `args = Hyperparameters()`
    /// (`Muon(params, lr=0.05, momentum=0.95)`) into new fields of that dataclass, read as `args.<field>`.
    static func literalsIntoDataclass(_ bytes: [UInt8]) throws -> Result {
        try rewrite(bytes) { facts in
            let taken = Set(facts.nodes(ofType: "identifier").map(\.text))
            var edits: [Edit] = []
            for (cls, _, fields) in dataclassFields(facts) {
                let className = cls.child(byField: "name")?.text ?? ""
                guard let body = cls.child(byField: "body"), let last = fields.last?.value else { continue }
                let moduleBindings = bindings(of: facts.root).bound
                guard let instance = facts.nodes(ofType: "assignment").first(where: { a in
                    guard let left = a.child(byField: "left"), left.type == "identifier", let right = a.child(byField: "right") else { return false }
                    return right.type == "call" && right.child(byField: "function")?.text == className
                        && right.child(byField: "arguments")?.namedChildCount == 0 && moduleBindings[left.text]?.count == 1
                }), let instanceName = instance.child(byField: "left")?.text else { continue }
                let indent = indentation(of: body.namedChildren.first { $0.type != "comment" }?.startByte ?? body.startByte, bytes)
                var added = ""
                var counter = 0
                for keyword in facts.nodes(ofType: "keyword_argument") {
                    guard keyword.startByte > instance.endByte, let name = keyword.child(byField: "name")?.text,
                          optimizerKeywords.contains(name), keyword.parent?.parent?.type == "call",
                          let value = keyword.child(byField: "value"), isLiteral(value),
                          !ancestors(keyword).contains(where: { ["function_definition", "class_definition", "lambda"].contains($0.type) })
                    else { continue }
                    var field: String
                    repeat { counter += 1; field = "opt_\(name)_\(counter)" } while taken.contains(field)
                    let type = value.type == "tuple" ? "tuple" : (["true", "false"].contains(value.type) ? "bool" : "float")
                    added += "\(indent)\(field) : \(type) = \(value.text)\n"
                    edits.append(Edit(range: value.byteRange, replacement: "\(instanceName).\(field)"))
                }
                guard !added.isEmpty else { continue }
                // After the line of the last field.
                var end = last.endByte
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                edits.append(Edit(range: (end + 1)..<(end + 1), replacement: added))
                break
            }
            return edits
        }
    }

    /// Moves the literal values of optimizer keywords (`lr=0.6`, `betas=(0.8, 0.95)`, `eps=1e-10`...) in calls,
    /// and the literal defaults of every function parameter (`def __init__(self, lr=0.02, momentum=0.95)`), into
    /// one block of module constants placed after the leading imports.
    static func literalConstants(_ bytes: [UInt8]) throws -> Result {
        try rewrite(bytes) { facts in
            var names = NameSource(taken: Set(facts.nodes(ofType: "identifier").map(\.text)))
            var edits: [Edit] = []
            var block = "# optimizer and default values\n"
            for keyword in facts.nodes(ofType: "keyword_argument") {
                guard let name = keyword.child(byField: "name")?.text, optimizerKeywords.contains(name),
                      keyword.parent?.parent?.type == "call", let value = keyword.child(byField: "value"), isLiteral(value) else { continue }
                let constant = names.fresh("\(name.uppercased())_")
                block += "\(constant) = \(value.text)\n"
                edits.append(Edit(range: value.byteRange, replacement: constant))
            }
            for parameter in facts.nodes(ofType: ["default_parameter", "typed_default_parameter"]) {
                guard parameter.parent?.type == "parameters", let name = parameter.child(byField: "name")?.text,
                      let value = parameter.child(byField: "value"), isLiteral(value) else { continue }
                let constant = names.fresh("DEFAULT_\(name.uppercased())_")
                block += "\(constant) = \(value.text)\n"
                edits.append(Edit(range: value.byteRange, replacement: constant))
            }
            guard !edits.isEmpty else { return [] }
            let at = constantBlockOffset(facts, bytes)
            edits.append(Edit(range: at..<at, replacement: block + "\n"))
            return edits
        }
    }
}
