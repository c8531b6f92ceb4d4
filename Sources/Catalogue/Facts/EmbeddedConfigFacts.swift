import Foundation
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// Configuration documents written inside a script as a string and loaded at run time
/// (`tomllib.loads(JOB_TOML)`, `yaml.safe_load("""lr: 0.0018 ...""")`, `json.loads(...)`, configparser's
/// `parser.read_string(INI)`, gin's
/// `gin.parse_config(BINDINGS)` with `build_optimizer.learning_rate = 0.0018` lines; also a parser the script writes
/// itself for `key: value` lines, see `lineParsers`): their entries are settings like
/// a dictionary's, named by the last part of their key; a gin binding keeps its whole key and sets only the parameter
/// of the configurable it names.
///
/// Each entry line of the document (`lr = 1.8e-3` in TOML, `lr: 0.0018` in YAML, `"lr": 0.0018,` in JSON) is
/// written into a *shadow* source as a Python assignment whose value sits at exactly the byte offset it has in the
/// script: the shadow is blank everywhere else, so its nodes' ranges point at the document's text in the script
/// (evidence shows the right line) and its values are ordinary literal nodes every reader already understands.
/// Entries whose value is not a plain literal (nested mappings, multi-line arrays, interpolations) are left out, except
/// arithmetic over number literals (`weight_decay = 0.1 * 0`, `sequence_length = 1 << 10`) in a script that calls
/// `eval`: the document holds that text as a string, which only `eval` makes the number it spells (see
/// `isNumberArithmetic`).
enum EmbeddedConfigDocuments {
    /// Loaders that read a configuration document from a string.
    static let loaders: Set<String> = [
        "tomllib.loads", "tomli.loads", "toml.loads", "yaml.safe_load", "yaml.load", "yaml.full_load",
        "json.loads", "omegaconf.OmegaConf.create", "gin.parse_config",
    ]

    /// Value node types kept as settings.
    static let literalTypes: Set<String> = ["integer", "float", "string", "true", "false", "none", "list", "unary_operator"]

    static func settings(_ facts: PythonFacts) -> [Setting] {
        let documents = documentStrings(facts)
        guard !documents.isEmpty else { return [] }
        var shadow = [UInt8](repeating: UInt8(ascii: " "), count: facts.file.bytes.count)
        for (index, byte) in facts.file.bytes.enumerated() where byte == UInt8(ascii: "\n") { shadow[index] = byte }
        var entries: [(start: Int, key: String, written: String, site: Node)] = []
        let gin = ginDocuments(facts)
        for document in documents {
            for entry in entryLines(facts.file.bytes, content: contentRange(document)) {
                write(entry, from: facts.file.bytes, into: &shadow, gin: gin.contains(document))
                // A gin binding keeps its scope (`build_optimizer.learning_rate`): it sets that configurable's parameter
                // only (`ValueResolver` reads it for the parameter of that function or class).
                let key = gin.contains(document) ? entry.key : entry.key.split(separator: ".").last.map(String.init) ?? entry.key
                entries.append((entry.value.lowerBound, key, entry.written, document))
            }
        }
        guard !entries.isEmpty, let tree = try? Parser(language: .python).parse(bytes: shadow) else { return [] }
        var result: [Setting] = []
        var bySite: [Int: (key: String, written: String, site: Node)] = [:]
        for entry in entries { bySite[entry.start] = (entry.key, entry.written, entry.site) }
        // Arithmetic text (`0.1 * 0`) is a number only where the script evaluates it (`eval(text, ...)` in a reading
        // helper); without an `eval` it stays the string it is and is left out.
        let evaluates = facts.calls.contains { $0.callee == "eval" }
        for statement in tree.rootNode.namedChildren where statement.type == "expression_statement" {
            guard let assignment = statement.namedChildren.first, assignment.type == "assignment",
                  let left = assignment.child(byField: "left"), left.type == "identifier",
                  let value = assignment.child(byField: "right"), let origin = bySite[value.startByte],
                  literalTypes.contains(value.type) || (value.type == "identifier" && (!gin.contains(origin.site) || isGinReference(value.startByte, facts.file.bytes)))
                    || (evaluates && isNumberArithmetic(value)) else { continue }
            // An unquoted word (`kind = trapezoid` in INI or YAML) stays a name in the shadow; `Setting.bareWord` reads
            // it as the string it is.
            // Read back by the key as written (`cfg["learning-rate"]`); the shadow's name is only a placeholder.
            result.append(Setting(name: origin.key, written: origin.written, value: value, source: .dictionaryEntry, site: origin.site))
        }
        return result
    }

    /// Whether a shadow value is arithmetic whose every operand is a number literal (`0.1 * 0`, `2 ** 7`, `(1 << 10)`,
    /// `-3e-4 * 2`): operators, parentheses and integer or float literals only, no names and no calls.
    static func isNumberArithmetic(_ value: Node) -> Bool {
        switch value.type {
        case "integer", "float":
            return true
        case "binary_operator", "unary_operator", "parenthesized_expression":
            let operands = value.namedChildren.filter { $0.type != "comment" }
            return !operands.isEmpty && operands.allSatisfy(isNumberArithmetic)
        default:
            return false
        }
    }

    /// The documents handed to gin's `parse_config`.
    static func ginDocuments(_ facts: PythonFacts) -> Set<Node> {
        Set(facts.calls(withCallee: "gin.parse_config").compactMap { call in
            call.positional.first.flatMap { literal($0, facts, depth: 0) }
        })
    }

    /// String literals handed to a loader, directly or through a name set to one (`textwrap.dedent(...)` and
    /// `.strip()` around them allowed).
    static func documentStrings(_ facts: PythonFacts) -> [Node] {
        var result: [Node] = []
        // configparser's `parser.read_string(DEFAULTS)`: an INI document, whose `[section]` / `key = value` lines read
        // as TOML's.
        for call in facts.calls where loaders.contains(call.callee) || (call.name == "read_string" && call.receiver != nil) {
            guard let argument = call.positional.first, let string = literal(argument, facts, depth: 0) else { continue }
            if !result.contains(string) { result.append(string) }
        }
        // A parser of the file's own for `key: value` lines (see `lineParsers`), called on a document.
        for (function, index) in lineParsers(facts) {
            for call in facts.calls(withCallee: function.name) where call.receiver == nil && !call.hasSplat {
                guard let argument = call.argument(function.parameters[index], position: index),
                      let string = literal(argument, facts, depth: 0) else { continue }
                if !result.contains(string) { result.append(string) }
            }
        }
        return result
    }

    /// Module-level functions of the file that read a document given as a parameter line by line into a dictionary
    /// (`for line in text.splitlines(): key, _, value = line.partition(":"); cfg[key.strip()] = parse(value)`, also
    /// `split(":", 1)` or `=` as the separator, the line first cut at `#`): such a function reads its document as a
    /// YAML or INI loader does. With the position of the document parameter.
    static func lineParsers(_ facts: PythonFacts) -> [(function: PythonFacts.Function, index: Int)] {
        facts.memoized("lineParsers") {
            var result: [(function: PythonFacts.Function, index: Int)] = []
            for function in facts.functions where facts.enclosingClass(function.node) == nil {
                guard let body = function.body else { continue }
                for loop in facts.descendants(of: body) where loop.type == "for_statement" {
                    // The loop walks the lines of a parameter.
                    guard let iterable = loop.child(byField: "right").map(facts.unwrapped), iterable.type == "call",
                          case let lines = facts.callSite(iterable),
                          lines.name == "splitlines" || (lines.name == "split" && lines.positional.first.flatMap(SettingsTable.stringValue) == "\n"),
                          let source = lines.receiver.map(facts.unwrapped),
                          let root = facts.descendants(of: source).first(where: { $0.type == "identifier" }) ?? (source.type == "identifier" ? source : nil),
                          let index = function.parameters.firstIndex(of: root.text),
                          let inner = loop.child(byField: "body") else { continue }
                    // Each line is cut at a separator and stored by key.
                    let cuts = facts.descendants(of: inner).contains { n in
                        guard n.type == "call", case let call = facts.callSite(n) else { return false }
                        let separator = call.positional.first.flatMap(SettingsTable.stringValue)
                        return (["partition", "split"].contains(call.name)) && (separator == ":" || separator == "=")
                    }
                    let stores = facts.descendants(of: inner).contains { n in
                        n.type == "assignment" && n.child(byField: "left")?.type == "subscript"
                    }
                    if cuts && stores {
                        result.append((function, index))
                        break
                    }
                }
            }
            return result
        }
    }

    /// The string literal a document argument holds: the literal itself, through `textwrap.dedent` and `strip`, a name's
    /// latest assignment, the one side of a conditional that is a document (`open(path).read() if path else DEFAULT_TOML`:
    /// the document the script runs on when no file is given), and a parameter of a function of the file, read where the
    /// function is called (`JobConfig.from_toml(text, overrides)` with `def from_toml(cls, text, ...)`).
    static func literal(_ node: Node, _ facts: PythonFacts, depth: Int) -> Node? {
        let node = facts.unparenthesized(node)
        guard depth < 6 else { return nil }
        switch node.type {
        case "string":
            return node
        case "conditional_expression":
            guard let parts = facts.conditionalParts(node) else { return nil }
            let sides = [parts.value, parts.alternative].compactMap { literal($0, facts, depth: depth + 1) }
            return sides.count == 1 ? sides[0] : nil
        case "call":
            let call = facts.callSite(node)
            if call.callee == "textwrap.dedent", let inner = call.positional.first { return literal(inner, facts, depth: depth + 1) }
            if ["strip", "lstrip", "rstrip"].contains(call.name), let receiver = call.receiver { return literal(receiver, facts, depth: depth + 1) }
            return nil
        case "identifier":
            // The latest assignment of the name before the use.
            for assignment in facts.nodes(ofType: "assignment").reversed() {
                guard assignment.startByte < node.startByte, let left = assignment.child(byField: "left"), left.type == "identifier",
                      left.text == node.text, let right = assignment.child(byField: "right") else { continue }
                return literal(right, facts, depth: depth + 1)
            }
            return parameterLiteral(node, facts, depth: depth)
        default:
            return nil
        }
    }

    /// For a parameter of a function of the file, the one document its calls pass (by position or keyword).
    static func parameterLiteral(_ name: Node, _ facts: PythonFacts, depth: Int) -> Node? {
        guard let function = facts.enclosingFunction(name), function.parameters.contains(name.text) else { return nil }
        var found: [Node] = []
        for call in facts.calls(named: function.name) where !call.hasSplat {
            // A method called on its instance or class (`JobConfig.from_toml(text)`) is not passed `self` / `cls`.
            let offset = call.receiver != nil ? function.passedOffset : 0
            guard let index = function.parameters.firstIndex(of: name.text),
                  let argument = call.argument(name.text, position: index - offset >= 0 ? index - offset : nil),
                  let document = literal(argument, facts, depth: depth + 1) else { continue }
            if !found.contains(document) { found.append(document) }
        }
        return found.count == 1 ? found[0] : nil
    }

    /// The byte range of a string literal's text between its quotes.
    static func contentRange(_ string: Node) -> Range<Int> {
        let text = Array(string.text.utf8)
        var start = 0
        while start < text.count, ![UInt8(ascii: "\""), UInt8(ascii: "'")].contains(text[start]) { start += 1 }
        guard start < text.count else { return string.startByte..<string.startByte }
        let quote = text[start]
        let triple = start + 2 < text.count && text[start + 1] == quote && text[start + 2] == quote
        let width = triple ? 3 : 1
        let lower = string.startByte + start + width
        let upper = max(lower, string.endByte - width)
        return lower..<upper
    }

    /// One `key <sep> value` line of a document: where its key and value are, and the key's path.
    struct Entry {
        /// Where the shadow writes the entry's name: the line's first column, or, for a later entry of a one-line
        /// mapping (`{"eps": 1e-10, "beta1": 0.8}`), just after a `;` that follows the entry before it.
        var nameAt: Int
        var separated = false
        let key: String
        let value: Range<Int>
        let written: String
    }

    /// The entry lines of a document: TOML (`[table]` headers, `key = value`), YAML (`key: value`, a key with
    /// no value opening a nested mapping) and JSON-like (`"key": value,`). Comments, list items, braces and
    /// blank lines are skipped.
    static func entryLines(_ bytes: [UInt8], content: Range<Int>) -> [Entry] {
        var result: [Entry] = []
        var table: String?
        var parents: [(indent: Int, key: String)] = []
        var lineStart = content.lowerBound
        // A document that starts on the line of its opening quotes writes its first names from that line's start.
        var firstColumn = lineStart
        while firstColumn > 0, bytes[firstColumn - 1] != UInt8(ascii: "\n") { firstColumn -= 1 }
        while lineStart < content.upperBound {
            let nameColumn = lineStart == content.lowerBound ? firstColumn : lineStart
            var lineEnd = lineStart
            while lineEnd < content.upperBound, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            var i = lineStart
            while i < lineEnd, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 }
            let indent = i - lineStart
            guard i < lineEnd else { continue }
            let first = bytes[i]
            if first == UInt8(ascii: "#") || first == UInt8(ascii: "-") || first == UInt8(ascii: "}") { continue }
            // The entries of a mapping written on one line, placed as statements of one shadow line: the first name
            // at the line's first column, each later one after a `;` that follows the entry before it.
            func appendFlowMapping(from start: Int, path: [String]) {
                var line: [Entry] = []
                _ = flowMapping(bytes, from: start, to: lineEnd, path: path, into: &line)
                for (index, entry) in line.enumerated() {
                    var entry = entry
                    if index == 0 {
                        entry.nameAt = nameColumn
                    } else {
                        entry.nameAt = line[index - 1].value.upperBound + 1
                        entry.separated = true
                    }
                    result.append(entry)
                }
            }
            if first == UInt8(ascii: "{") {
                // A mapping on one line (JSON, YAML flow style): its entries, nested ones included.
                appendFlowMapping(from: i, path: [table].compactMap { $0 } + parents.map(\.key))
                continue
            }
            if first == UInt8(ascii: "[") {
                // A TOML table header: `[optimizer]`, `[model.attention]`.
                if let close = bytes[i..<lineEnd].firstIndex(of: UInt8(ascii: "]")) {
                    table = String(decoding: bytes[(i + 1)..<close], as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                }
                continue
            }
            guard let (key, afterSeparator) = keyAndSeparator(bytes, from: i, to: lineEnd) else { continue }
            i = afterSeparator
            while i < lineEnd, bytes[i] == UInt8(ascii: " ") { i += 1 }
            parents.removeAll { $0.indent >= indent }
            if i < lineEnd, bytes[i] == UInt8(ascii: "{") {
                let valueEnd = scalarEnd(bytes, from: i, to: lineEnd)
                if isBalanced(bytes[i..<valueEnd]) {
                    // `"model": {"n_layer": 12, "vocab_size": 50304},`: a nested mapping on the key's line.
                    appendFlowMapping(from: i, path: [table].compactMap { $0 } + parents.map(\.key) + [key])
                } else {
                    // `"optimizer": {` opens a mapping on the lines below (JSON), like a bare YAML key.
                    parents.append((indent, key))
                }
                continue
            }
            let valueEnd = scalarEnd(bytes, from: i, to: lineEnd)
            // A value that opens a bracket or quote it does not close on its line (a multi-line array or mapping,
            // a YAML block) is left out: written into the shadow it would swallow the entries after it.
            guard valueEnd <= i || isBalanced(bytes[i..<valueEnd]) else { continue }
            guard valueEnd > i else {
                // `model:` with nothing after it opens a nested YAML mapping.
                parents.append((indent, key))
                continue
            }
            let path = ([table].compactMap { $0 } + parents.map(\.key) + [key]).joined(separator: ".")
            result.append(Entry(nameAt: nameColumn, key: key, value: i..<valueEnd, written: path))
        }
        return result
    }

    /// A key (a bare word of letters, digits, `_`, `-`, `.`, or a quoted one) and the `=` or `:` after it: the key
    /// and the offset just past the separator.
    static func keyAndSeparator(_ bytes: [UInt8], from start: Int, to end: Int) -> (String, Int)? {
        var i = start
        var keyStart = i, keyEnd = i
        guard i < end else { return nil }
        let first = bytes[i]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            keyStart = i + 1
            guard keyStart <= end, let close = bytes[keyStart..<end].firstIndex(of: first) else { return nil }
            keyEnd = close
            i = close + 1
        } else {
            while i < end, isKeyByte(bytes[i]) { i += 1 }
            keyEnd = i
        }
        guard keyEnd > keyStart else { return nil }
        while i < end, bytes[i] == UInt8(ascii: " ") { i += 1 }
        guard i < end, bytes[i] == UInt8(ascii: "=") || bytes[i] == UInt8(ascii: ":") else { return nil }
        return (String(decoding: bytes[keyStart..<keyEnd], as: UTF8.self), i + 1)
    }

    /// The entries of a one-line mapping starting at `{`: `key: value` pairs separated by commas, a value that is
    /// itself a mapping read in turn. Returns the offset after the closing `}` (or `end`).
    static func flowMapping(_ bytes: [UInt8], from start: Int, to end: Int, path: [String], into entries: inout [Entry]) -> Int {
        var i = start + 1
        while i < end {
            while i < end, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: ",") { i += 1 }
            guard i < end, bytes[i] != UInt8(ascii: "}") else { return i + 1 }
            guard let (key, afterSeparator) = keyAndSeparator(bytes, from: i, to: end) else { return end }
            i = afterSeparator
            while i < end, bytes[i] == UInt8(ascii: " ") { i += 1 }
            guard i < end else { return end }
            if bytes[i] == UInt8(ascii: "{") {
                i = flowMapping(bytes, from: i, to: end, path: path + [key], into: &entries)
                continue
            }
            // The value runs to the next comma or closing brace outside brackets and quotes.
            var depth = 0
            var quote: UInt8?
            let valueStart = i
            while i < end {
                let b = bytes[i]
                if let q = quote {
                    if b == q { quote = nil }
                } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                    quote = b
                } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "(") {
                    depth += 1
                } else if b == UInt8(ascii: "]") || b == UInt8(ascii: ")") {
                    depth -= 1
                } else if depth == 0, b == UInt8(ascii: ",") || b == UInt8(ascii: "}") {
                    break
                }
                i += 1
            }
            var valueEnd = i
            while valueEnd > valueStart, bytes[valueEnd - 1] == UInt8(ascii: " ") { valueEnd -= 1 }
            if valueEnd > valueStart {
                entries.append(Entry(nameAt: valueStart, key: key, value: valueStart..<valueEnd, written: (path + [key]).joined(separator: ".")))
            }
        }
        return end
    }

    /// Whether every bracket and quote a value opens is closed within it, and it does not continue on the next
    /// line (`\`, YAML's `|` and `>`).
    static func isBalanced(_ value: ArraySlice<UInt8>) -> Bool {
        var depth = 0
        var quote: UInt8?
        for b in value {
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") || b == UInt8(ascii: "(") {
                depth += 1
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == UInt8(ascii: ")") {
                depth -= 1
                if depth < 0 { return false }
            }
        }
        guard quote == nil, depth == 0, let last = value.last else { return false }
        return ![UInt8(ascii: "\\"), UInt8(ascii: "|"), UInt8(ascii: ">")].contains(last)
    }

    static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }

    /// Where a value ends: before a comment (outside quotes), a trailing comma, or trailing blanks.
    static func scalarEnd(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
        var quote: UInt8?
        var i = start
        var last = start
        while i < end {
            let b = bytes[i]
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: "#") {
                break
            }
            if b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") && b != UInt8(ascii: "\r") { last = i + 1 }
            i += 1
        }
        if last > start, bytes[last - 1] == UInt8(ascii: ",") { last -= 1 }
        return last
    }

    /// `null`, `true` and `false` written as whole words outside quotes become `None`, `True` and `False`, in a value
    /// or inside a flow list (`[0, 1, 2, null, null, 0, 1, 2]`); each is the length of the word it replaces, so every byte
    /// keeps its offset.
    static func pythonWords(_ value: [UInt8]) -> [UInt8] {
        let words: [(yaml: [UInt8], python: [UInt8])] = [("null", "None"), ("true", "True"), ("false", "False")]
            .map { (Array($0.utf8), Array($1.utf8)) }
        func isWordByte(_ b: UInt8) -> Bool {
            b == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
        }
        var out = value
        var quote: UInt8?
        var i = 0
        while i < out.count {
            let b = out[i]
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if i == 0 || !isWordByte(out[i - 1]),
                      let word = words.first(where: { word in
                          out[i...].starts(with: word.yaml) && (i + word.yaml.count == out.count || !isWordByte(out[i + word.yaml.count]))
                      }) {
                out.replaceSubrange(i..<i + word.yaml.count, with: word.python)
                i += word.yaml.count
                continue
            }
            i += 1
        }
        return out
    }

    /// Whether a gin value is a reference: `@name` (a configurable function or class of the file) or `%NAME` (a macro,
    /// itself a binding of the document).
    static func isGinReference(_ start: Int, _ bytes: [UInt8]) -> Bool {
        start < bytes.count && (bytes[start] == UInt8(ascii: "@") || bytes[start] == UInt8(ascii: "%"))
    }

    /// Writes `key = value` into the shadow: the key from the line's first column (its last dotted part, `-` read
    /// as `_`, as argparse does), `=` just before the value, the value at its own offset with YAML's and JSON's words
    /// spelled the Python way (see `pythonWords`). A gin reference is written as the name it refers to, from the value's
    /// first column (`@relu_squared` as `relu_squared `), so that it reads as that function or setting.
    static func write(_ entry: Entry, from bytes: [UInt8], into shadow: inout [UInt8], gin: Bool = false) {
        let name = Array((entry.key.split(separator: ".").last.map(String.init) ?? entry.key).replacingOccurrences(of: "-", with: "_").utf8)
        guard entry.nameAt + name.count < entry.value.lowerBound, let first = name.first,
              !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return }
        if entry.separated { shadow[entry.nameAt - 1] = UInt8(ascii: ";") }
        for (offset, byte) in name.enumerated() { shadow[entry.nameAt + offset] = byte }
        shadow[entry.value.lowerBound - 1] = UInt8(ascii: "=")
        var value = pythonWords(Array(bytes[entry.value]))
        if gin, isGinReference(entry.value.lowerBound, bytes) { value = Array(value.dropFirst()) + [UInt8(ascii: " ")] }
        for (offset, byte) in value.enumerated() { shadow[entry.value.lowerBound + offset] = byte }
    }
}

extension PythonFacts {
    /// Whether the script parses gin bindings at all: value resolution asks for a parameter's scoped binding only
    /// then, instead of looking up every identifier's enclosing function.
    var hasGinBindings: Bool { memoized("hasGinBindings") { calls.contains { $0.callee == "gin.parse_config" } } }

    /// The gin bindings of a parameter of a function of the file (`make_optimizer.lr = 0.0018`), or of its class for an
    /// `__init__` (`Block.act = @relu_squared`). Empty when the script parses no gin bindings.
    func ginBindings(of parameter: String, in function: Node) -> [Setting] {
        guard hasGinBindings, let name = function.child(byField: "name")?.text,
              let scope = name == "__init__" ? enclosingClass(function).map(\.name) : name else { return [] }
        return allSettings.settings("\(scope).\(parameter)")
    }
}

/// A mapping read by a key computed at run time (see `PythonFacts.computedKeyLookup`).
public struct ComputedKeyLookup {
    /// The key expression (`type(m).__name__`).
    public let key: Node
    /// What `.get(key, fallback)` gives for a key the mapping lacks; nil without one (and for `mapping[key]`).
    public let fallback: Node?
    /// Every entry the read may give: its key as written (a string key's text; a name key's qualified name,
    /// `torch.nn.Embedding`, else its text), its value, and the string the value spells (a string literal, or an
    /// unquoted word of an INI or YAML document), nil when it spells none.
    public let entries: [(key: String, value: Node, text: String?)]
}

extension PythonFacts {
    /// `table[key]`, `table.get(key)` or `table.get(key, fallback)` with a key that is no literal (`DTYPES[name]`,
    /// `spec["storage_dtypes"].get(type(m).__name__)`): the entries of the mapping it reads. The mapping is a dictionary
    /// literal or a `dict(...)` of keywords (or a name set to one, see `dictionaries`), or a mapping of a configuration
    /// document embedded in the script, reached from its load by literal keys (`json.loads(SPEC)["storage_dtypes"]`, or
    /// `spec["storage_dtypes"]` with `spec` set to the load; see `embeddedDocumentEntry`), whose entries are the
    /// `EmbeddedConfigDocuments` settings written under that path. Nil for a literal key (a read by name), and when the
    /// mapping is unknown or not every entry is written out (a `**` spread, a positional argument of `dict(...)`).
    public func computedKeyLookup(_ node: Node) -> ComputedKeyLookup? {
        let n = unwrapped(node)
        let table: Node
        let key: Node
        var fallback: Node?
        if n.type == "subscript", let value = n.child(byField: "value"), let index = n.child(byField: "subscript") {
            table = value
            key = index
        } else if n.type == "call", case let call = callSite(n), call.name == "get", let receiver = call.receiver, !call.hasSplat,
                  call.keywords.isEmpty, (1...2).contains(call.positional.count) {
            table = receiver
            key = call.positional[0]
            fallback = call.positional.count == 2 ? call.positional[1] : nil
        } else {
            return nil
        }
        let literals: Set<String> = ["string", "concatenated_string", "integer", "float", "unary_operator", "slice", "true", "false", "none"]
        guard !literals.contains(unwrapped(key).type) else { return nil }
        var entries: [(key: String, value: Node, text: String?)] = []
        let written = dictionaries(table)
        if !written.isEmpty {
            for dictionary in written {
                guard let items = dictionaryItems(dictionary) else { return nil }
                entries += items
            }
        } else {
            // A mapping of a configuration document embedded in the script: the document's entries that a read of
            // `table` by their own key reaches (see `embeddedDocumentEntry`).
            for setting in embeddedDocumentSettings {
                let name = setting.written.split(separator: ".").last.map(String.init) ?? setting.written
                guard let found = embeddedDocumentEntry(name, of: table), found.entry == setting.value else { continue }
                entries.append((name, setting.value, setting.bareWord ?? SettingsTable.stringValue(setting.value)))
            }
        }
        return entries.isEmpty ? nil : ComputedKeyLookup(key: key, fallback: fallback, entries: entries)
    }

    /// The entries of a dictionary literal or a `dict(...)` call, as `computedKeyLookup` gives them; nil when some are
    /// not written out (a `**` spread, a positional argument of `dict`).
    private func dictionaryItems(_ dictionary: Node) -> [(key: String, value: Node, text: String?)]? {
        var items: [(key: String, value: Node, text: String?)] = []
        if dictionary.type == "dictionary" {
            for child in dictionary.namedChildren where child.type != "comment" {
                guard child.type == "pair", let k = child.child(byField: "key"), let v = child.child(byField: "value") else { return nil }
                items.append((SettingsTable.stringValue(k) ?? imports.qualifiedName(of: k) ?? k.text, v, SettingsTable.stringValue(v)))
            }
        } else {
            let call = callSite(dictionary)
            guard call.positional.isEmpty, !call.hasSplat else { return nil }
            for (name, value) in call.keywords { items.append((name, value, SettingsTable.stringValue(value))) }
        }
        return items
    }

    /// The entries of the configuration documents embedded in the script (`EmbeddedConfigDocuments`' settings: a
    /// dictionary entry whose site is the document's string), computed once.
    var embeddedDocumentSettings: [Setting] {
        memoized("embeddedDocumentSettings") {
            allSettings.byName.values.joined().filter { $0.source == .dictionaryEntry && $0.site.type == "string" }
        }
    }
}
