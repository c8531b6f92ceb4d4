import Foundation
import SourceModel
import TreeSitterKit

/// Attributes named by a constant string, spelled as plain attribute access in place (see `ConfiguredProgram`), so
/// every detector reads `getattr(self, "lm_head")` as `self.lm_head` and `self.add_module("lm_head", m)` as
/// `self.lm_head = m`. Each respelling keeps the script's length, its line breaks and the bytes of the object read:
///
/// - a read, `getattr(obj, "name")` (with a default too, unless it stands in a test: `if getattr(m, "_is_head",
///   False):` asks whether the attribute is there, see `isPresenceTest`), becomes `(       obj.name   )`: the call's opening
///   becomes `(` and spaces, `.name` follows `obj`, spaces and `)` close it; `operator.attrgetter("a.b")(obj)`, whose
///   name comes before the object, becomes `(obj.a.b` and spaces up to its `)` when `obj` is a dotted name; a lookup in
///   a module's own tables, `obj._modules.get("name")` (also `_parameters`, `_buffers`; with or without a default), the
///   same way, `(obj.name` and spaces up to its `)`;
/// - a write standing as its own statement, `setattr(obj, "name", v)`, `obj.add_module("name", m)`,
///   `obj.register_module`, `obj.register_parameter`, becomes `obj.name = ` then spaces up to `v` (kept where it is)
///   and spaces for the rest of the call. `register_buffer` stays as written: the settings read it already, with
///   what only it says (`persistent=False`), and detectors look for it by name.
///
/// A write whose call breaks its line before the value (`obj.register_parameter(` / `"name",` / `v,` / `)`) ends each of
/// those lines in a `\` continuation.
///
/// The name is a string literal, an f-string whose parts are decided (`f"ve_{0}"`), a join of constant strings
/// (`"".join(self.STREAMS)`, see `foldedString`), a `+` of such strings, or a name the configuration decides (see
/// `decidedString`); it must be a Python identifier (dotted for `attrgetter`). A name computed at run time (a loop
/// variable) is left as written.
extension PythonFacts {
    /// One same-length rewrite: the bytes written at `range`, with the call's range `span` for evidence.
    struct Respelling {
        let pieces: [(range: Range<Int>, bytes: [UInt8])]
        let span: Range<Int>
    }

    /// Python's keywords: never an attribute spelled with a dot.
    static let pythonKeywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]

    /// The tables an `nn.Module` keeps its fields in: `obj._modules.get("name")` reads `obj.name`.
    static let moduleFieldTables: Set<String> = ["_modules", "_parameters", "_buffers"]

    /// Module methods that set a field by name: `obj.add_module("name", m)` is `obj.name = m`.
    static let namedFieldSetters: Set<String> = ["add_module", "register_module", "register_parameter"]

    /// Whether a read with a default stands in a test (`if getattr(m, "_is_lm_head", False):`, `x if getattr(...) else
    /// y`, `a and getattr(...)`, `not getattr(...)`): there it asks whether the object carries the attribute at all (a
    /// marker set on some modules only), so it stays as written rather than reading as `m._is_lm_head`.
    func isPresenceTest(_ read: Node) -> Bool {
        var node = read
        while let parent = node.parent {
            switch parent.type {
            case "parenthesized_expression", "boolean_operator", "not_operator", "comparison_operator":
                node = parent
                continue
            case "if_statement", "elif_clause", "while_statement":
                return parent.child(byField: "condition") == node
            case "conditional_expression":
                let parts = parent.namedChildren.filter { $0.type != "comment" }
                return parts.count == 3 && parts[1] == node
            default:
                return node != read
            }
        }
        return false
    }

    /// The constant a name argument always holds (see the type's comment), or nil.
    func constantAttributeName(_ node: Node) -> String? {
        let n = unwrapped(node)
        switch n.type {
        case "string" where n.namedChildren.contains(where: { $0.type == "interpolation" }):
            var text = ""
            for part in n.namedChildren {
                switch part.type {
                case "string_start", "string_end": continue
                case "string_content": text += part.text
                case "interpolation":
                    guard part.child(byField: "format_specifier") == nil, part.child(byField: "type_conversion") == nil,
                          let expression = part.child(byField: "expression") else { return nil }
                    if expression.type == "integer" {
                        text += expression.text
                    } else if let held = decidedString(expression) {
                        text += held
                    } else {
                        return nil
                    }
                default: return nil
                }
            }
            return text
        case "binary_operator":
            guard n.child(byField: "operator")?.type == "+", let left = n.child(byField: "left"),
                  let right = n.child(byField: "right"), let l = constantAttributeName(left),
                  let r = constantAttributeName(right) else { return nil }
            return l + r
        case "call":
            // A join of constant strings (`"".join(self.STREAMS)` with `STREAMS = ("q", "k", "v")`, see `foldedString`).
            return decidedString(n) ?? foldedString(n)
        default:
            return decidedString(n)
        }
    }

    /// Whether `name` can follow a dot: an identifier that is not a keyword (`dotted` allows `a.b`).
    static func isAttributeName(_ name: String, dotted: Bool = false) -> Bool {
        let parts = dotted ? name.split(separator: ".", omittingEmptySubsequences: false).map(String.init) : [name]
        return parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first, first == "_" || (first.isASCII && CharacterSet.letters.contains(first)),
                  !pythonKeywords.contains(part) else { return false }
            return part.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
        }
    }

    /// The respellings of the script's constant-name attribute reads and writes (see the type's comment), in document
    /// order, none overlapping another; calls starting in `skipped` (code that never runs) are left alone.
    func constantAttributeRespellings(skipped: (Int) -> Bool) -> [Respelling] {
        let bytes = file.bytes
        func hasBreak(_ range: Range<Int>) -> Bool {
            range.contains { bytes[$0] == UInt8(ascii: "\n") || bytes[$0] == UInt8(ascii: "\r") }
        }
        // Spaces for a range, keeping its line breaks.
        func blank(_ range: Range<Int>) -> [UInt8] {
            range.map { bytes[$0] == UInt8(ascii: "\n") || bytes[$0] == UInt8(ascii: "\r") ? bytes[$0] : UInt8(ascii: " ") }
        }
        let primaries: Set<String> = ["identifier", "attribute", "call", "subscript", "parenthesized_expression"]
        // `(` + spaces up to `object`, then `.name` + spaces + `)` after it.
        func read(_ call: Node, _ object: Node, _ name: String) -> Respelling? {
            let tail = Array(".\(name)".utf8)
            guard primaries.contains(object.type), call.endByte - object.endByte >= tail.count + 1,
                  !hasBreak(object.endByte..<call.endByte) else { return nil }
            let opening = [UInt8(ascii: "(")] + blank(call.startByte + 1..<object.startByte)
            let closing = tail + Array(repeating: UInt8(ascii: " "), count: call.endByte - object.endByte - tail.count - 1) + [UInt8(ascii: ")")]
            return Respelling(pieces: [(call.startByte..<object.startByte, opening), (object.endByte..<call.endByte, closing)], span: call.byteRange)
        }
        // `(object.name` + spaces + `)` over the whole call, for a dotted-name object written after the name.
        func movedRead(_ call: Node, _ object: Node, _ name: String) -> Respelling? {
            let text = Array("(\(object.text).\(name)".utf8)
            guard object.text.range(of: #"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"#, options: .regularExpression) != nil,
                  !hasBreak(call.byteRange), text.count + 1 <= call.byteRange.count else { return nil }
            let spelled = text + Array(repeating: UInt8(ascii: " "), count: call.byteRange.count - text.count - 1) + [UInt8(ascii: ")")]
            return Respelling(pieces: [(call.byteRange, spelled)], span: call.byteRange)
        }
        // `object.name = ` + spaces up to `value`, spaces after it. When the call breaks its line before `value`
        // (`self.register_parameter(` / `"w_qkv",` / `nn.Parameter(...),` / `)`), each line up to `value` ends in a
        // `\` continuation instead of its last byte, so the assignment stays one statement; this needs a byte before
        // each break (no empty line) and the head before the first one.
        func write(_ call: Node, _ object: Node, _ name: String, _ value: Node) -> Respelling? {
            guard call.parent?.type == "expression_statement", call.parent?.namedChildren.count == 1,
                  object.text.range(of: #"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"#, options: .regularExpression) != nil else { return nil }
            let head = Array("\(object.text).\(name) = ".utf8)
            let before = call.startByte..<value.startByte
            guard head.count <= before.count else { return nil }
            var opening = head + blank(call.startByte + head.count..<value.startByte)
            // A lone `\r` break has no `\n` to continue before.
            guard !before.contains(where: { bytes[$0] == UInt8(ascii: "\r") && ($0 + 1 >= bytes.count || bytes[$0 + 1] != UInt8(ascii: "\n")) })
            else { return nil }
            var lineStart = call.startByte + head.count
            for index in before where bytes[index] == UInt8(ascii: "\n") {
                var slot = index - 1
                if slot >= lineStart, bytes[slot] == UInt8(ascii: "\r") { slot -= 1 }
                guard slot >= lineStart else { return nil }
                opening[slot - call.startByte] = UInt8(ascii: "\\")
                lineStart = index + 1
            }
            return Respelling(pieces: [(before, opening), (value.endByte..<call.endByte, blank(value.endByte..<call.endByte))],
                              span: call.byteRange)
        }
        var respellings: [Respelling] = []
        var taken: [Range<Int>] = []
        for call in calls where !call.hasSplat && !call.isMapped && !skipped(call.node.startByte) {
            var found: Respelling?
            let positional = call.positional
            if call.callee == "getattr", call.keywords.isEmpty, (2...3).contains(positional.count),
               positional.count == 2 || !isPresenceTest(call.node),
               let name = constantAttributeName(positional[1]), Self.isAttributeName(name) {
                found = read(call.node, positional[0], name)
            } else if call.callee == "setattr", call.keywords.isEmpty, positional.count == 3,
                      let name = constantAttributeName(positional[1]), Self.isAttributeName(name) {
                found = write(call.node, positional[0], name, positional[2])
            } else if Self.namedFieldSetters.contains(call.name), call.function?.type == "attribute", let receiver = call.receiver,
                      positional.count == 2, call.keywords.isEmpty,
                      let name = constantAttributeName(positional[0]), Self.isAttributeName(name) {
                found = write(call.node, receiver, name, positional[1])
            } else if positional.count == 1, call.keywords.isEmpty, let getter = call.function, getter.type == "call",
                      case let made = callSite(getter), ["operator.attrgetter", "attrgetter"].contains(made.callee),
                      made.positional.count == 1, made.keywords.isEmpty, !made.hasSplat,
                      let name = constantAttributeName(made.positional[0]), Self.isAttributeName(name, dotted: true) {
                found = movedRead(call.node, positional[0], name)
            } else if call.name == "get", call.keywords.isEmpty, (1...2).contains(positional.count),
                      let table = call.receiver.map(unwrapped), table.type == "attribute",
                      let field = table.child(byField: "attribute")?.text, Self.moduleFieldTables.contains(field),
                      let object = table.child(byField: "object"), let name = constantAttributeName(positional[0]),
                      Self.isAttributeName(name) {
                // `self._modules.get("attn")`: `(self.attn` and spaces.
                found = movedRead(call.node, object, name)
            }
            guard let found, !found.pieces.contains(where: { piece in taken.contains { $0.overlaps(piece.range) } }) else { continue }
            respellings.append(found)
            taken += found.pieces.map(\.range)
        }
        return respellings
    }
}
