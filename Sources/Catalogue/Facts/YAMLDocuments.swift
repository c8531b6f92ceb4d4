import Foundation
import TreeSitterKit
import Yams

/// YAML documents written in a script as a string and loaded at run time (`cfg = yaml.safe_load(CONFIG_YAML)` with
/// `CONFIG_YAML = """optim: ..."""`), read as the dictionaries and lists they hold, as JSON documents are (see
/// `JSONDocuments.swift`): a loop over the document's list of optimizer entries, or an entry read by key, reads them
/// like a dictionary written in Python.
///
/// The document is parsed by Yams (libyaml) with PyYAML's reading of plain scalars (numbers, booleans, null), anchors
/// and aliases, and merge keys (`<<: *base`, the explicit keys winning). Its value is then written as Python text
/// into a shadow source, in order, each scalar at the byte offset it has in the script when the text around it leaves
/// room (indentation, comments and the `key: ` text give it), else as near as it can be: structure and keys (`{`,
/// `"lr":`, `,`) go where there is room, from the start of the line the string starts on (see `layout`). Evidence of a
/// value therefore shows its own line of the document, or one near it. A document whose Python text does not fit in
/// the room there is, or that holds a Python escape (`\n` in a string that is not raw would change its text), is not
/// read.
extension PythonFacts {
    /// The dictionary or list a `yaml.safe_load(...)` (also `yaml.load`, `yaml.full_load`) call returns, as a node of
    /// the document's shadow tree; nil when the call is not one, its argument is no string literal the file holds (see
    /// `EmbeddedConfigDocuments.literal`), or the document does not read as one mapping or sequence.
    public func yamlDocument(_ call: TreeSitterKit.Node) -> TreeSitterKit.Node? {
        let n = unwrapped(call)
        guard n.type == "call", case let site = callSite(n), YAMLShadow.loaders.contains(site.callee), let argument = site.positional.first,
              let string = EmbeddedConfigDocuments.literal(argument, self, depth: 0) else { return nil }
        return memoized("yamlDocument \(string.startByte)") { YAMLShadow.value(of: string, in: file.bytes) }
    }
}

/// Builds the shadow source of one YAML document (see `PythonFacts.yamlDocument`).
enum YAMLShadow {
    static let loaders: Set<String> = ["yaml.safe_load", "yaml.load", "yaml.full_load", "yaml.unsafe_load"]

    /// A piece of the Python text, with the byte offset of the scalar it writes when it has one.
    struct Piece {
        let text: [UInt8]
        let at: Int?

        init(_ text: String, at: Int? = nil) {
            self.text = Array(text.utf8)
            self.at = at
        }
    }

    /// The most pieces one document may take (aliases repeat what they name, and may nest).
    static let pieceLimit = 100_000

    static func value(of string: TreeSitterKit.Node, in bytes: [UInt8]) -> TreeSitterKit.Node? {
        guard !string.namedChildren.contains(where: { $0.type == "interpolation" }) else { return nil }
        let content = EmbeddedConfigDocuments.contentRange(string)
        guard !content.isEmpty, !bytes[content].contains(UInt8(ascii: "\\")) else { return nil }
        let text = String(decoding: bytes[content], as: UTF8.self)
        guard let root = try? Yams.compose(yaml: text), root.mapping != nil || root.sequence != nil else { return nil }
        let positions = Positions(bytes, content)
        var pieces: [Piece] = []
        guard write(root, positions, into: &pieces, depth: 0) else { return nil }
        // The value starts as early as the string's line allows (right after the `_=` the assignment takes at the line's
        // start, see `ShadowDocument.parse`): the code before the string (`CONFIG_YAML = `), the quotes, and the line break
        // and indentation before the document's first line are room for its Python text too.
        let lineStart = (bytes[..<string.startByte].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        let start = string.startByte - lineStart >= 2 ? lineStart + 2 : content.lowerBound
        guard let places = layout(pieces, from: start, to: string.endByte) else { return nil }
        var shadow = ShadowDocument.blank(like: bytes)
        for (piece, at) in zip(pieces, places) { shadow.replaceSubrange(at..<at + piece.text.count, with: piece.text) }
        return ShadowDocument.parse(&shadow, valueAt: start, in: bytes)
    }

    /// Where each piece goes, in order, between `start` and `limit`: structure as early as it can, a scalar where the
    /// document has it unless what precedes has run past that place, or what follows would no longer fit before
    /// `limit` (then as late as still lets it fit). Nil when the pieces take more room than there is.
    static func layout(_ pieces: [Piece], from start: Int, to limit: Int) -> [Int]? {
        // The latest start of each piece that leaves room for all the pieces after it.
        var latest = [Int](repeating: 0, count: pieces.count)
        var end = limit
        for index in pieces.indices.reversed() {
            latest[index] = end - pieces[index].text.count
            end = latest[index]
        }
        guard end >= start else { return nil }
        var places: [Int] = []
        var cursor = start
        for (index, piece) in pieces.enumerated() {
            let at = min(max(piece.at ?? cursor, cursor), latest[index])
            places.append(at)
            cursor = at + piece.text.count
        }
        return places
    }

    /// Appends the Python text of `node`; false when a part has none (a key that is no scalar, a NaN) or the document
    /// is too large.
    static func write(_ node: Yams.Node, _ positions: Positions, into pieces: inout [Piece], depth: Int) -> Bool {
        guard depth < 64, pieces.count < pieceLimit else { return false }
        switch node {
        case .mapping(let mapping):
            pieces.append(Piece("{"))
            for (index, pair) in merged(mapping).enumerated() {
                guard let key = literal(of: pair.key) else { return false }
                if index > 0 { pieces.append(Piece(",")) }
                pieces.append(Piece(key + ":"))
                guard write(pair.value, positions, into: &pieces, depth: depth + 1) else { return false }
            }
            pieces.append(Piece("}"))
        case .sequence(let sequence):
            pieces.append(Piece("["))
            for (index, item) in sequence.enumerated() {
                if index > 0 { pieces.append(Piece(",")) }
                guard write(item, positions, into: &pieces, depth: depth + 1) else { return false }
            }
            pieces.append(Piece("]"))
        case .scalar:
            guard let text = literal(of: node) else { return false }
            pieces.append(Piece(text, at: positions.offset(of: node.mark)))
        case .alias:
            // Composing replaces each alias by the node it names.
            return false
        }
        return true
    }

    /// A mapping's pairs with its merge keys expanded as PyYAML does: the merged mappings' pairs first (of several, the
    /// earlier one's), then the mapping's own, which win over merged ones of the same key.
    static func merged(_ mapping: Yams.Node.Mapping) -> [(key: Yams.Node, value: Yams.Node)] {
        var own: [(key: Yams.Node, value: Yams.Node)] = []
        var inherited: [(key: Yams.Node, value: Yams.Node)] = []
        for (key, value) in mapping {
            guard tagName(key) == .merge else {
                own.append((key, value))
                continue
            }
            switch value {
            case .mapping(let source):
                inherited += merged(source)
            case .sequence(let sources):
                for case .mapping(let source) in sources { inherited += merged(source) }
            default:
                continue
            }
        }
        var seen = Set(own.compactMap { literal(of: $0.key) })
        let kept = inherited.filter { pair in literal(of: pair.key).map { seen.insert($0).inserted } ?? false }
        return kept + own
    }

    /// The Python literal of a scalar as PyYAML loads it: None, True / False, an int, a float, else a string.
    static func literal(of node: Yams.Node) -> String? {
        guard case .scalar(let scalar) = node else { return nil }
        switch tagName(node) {
        case .null:
            return "None"
        case .bool:
            return node.bool.map { $0 ? "True" : "False" }
        case .int:
            if let value = node.int { return String(value) }
            return quoted(scalar.string)
        case .float:
            guard let value = node.float, !value.isNaN else { return nil }
            if value.isInfinite { return value > 0 ? "1e999" : "-1e999" }
            return "\(value)"
        default:
            return quoted(scalar.string)
        }
    }

    /// The tag the resolver gives a node (`int`, `float`, `merge`...).
    static func tagName(_ node: Yams.Node) -> Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    /// A double-quoted Python string literal of `text`.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Byte offsets in the script of positions libyaml reports in the document (lines from 1, columns from 1 counted in
    /// Unicode scalars).
    struct Positions {
        let bytes: [UInt8]
        let end: Int
        let lineStarts: [Int]

        init(_ bytes: [UInt8], _ content: Range<Int>) {
            self.bytes = bytes
            end = content.upperBound
            var starts = [content.lowerBound]
            for index in content where bytes[index] == UInt8(ascii: "\n") { starts.append(index + 1) }
            lineStarts = starts
        }

        func offset(of mark: Mark?) -> Int? {
            guard let mark, mark.line >= 1, mark.line <= lineStarts.count, mark.column >= 1 else { return nil }
            var position = lineStarts[mark.line - 1]
            for _ in 1..<mark.column {
                guard position < end, bytes[position] != UInt8(ascii: "\n") else { return nil }
                // One Unicode scalar: its lead byte and continuation bytes.
                position += 1
                while position < end, bytes[position] & 0xC0 == 0x80 { position += 1 }
            }
            return position
        }
    }
}
