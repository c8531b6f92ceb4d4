import Foundation
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// JSON documents written in a script as a string and parsed at run time (`json.loads("""{"optimizer": [...]}""")`),
/// read as the dictionaries and lists they hold, so that what reads a configuration's structure (a loop over its list of
/// optimizer entries, an entry read by key) reads them like a dictionary written in Python.
///
/// JSON's objects, arrays, strings and numbers are Python's dictionary, list, string and number syntax; its `true`,
/// `false` and `null` are written as Python's constants, which have the same lengths. The document is copied into a
/// *shadow* source at the byte offsets it has in the script, blank everywhere else, behind an assignment written where
/// the script's own text before it stood (`_=` on the document's first line, or on the line before, ended by `\`,
/// when the document starts a line). The shadow's nodes therefore point at the document's text in the script (evidence
/// shows the right line), and their values are ordinary literal nodes. Only documents whose shadow parses without error
/// are read (see `EmbeddedConfigDocuments` for the flat settings every loader's documents give).
extension PythonFacts {
    /// The dictionary or list a `json.loads(...)` call returns, as a node of the document's shadow tree; nil when the
    /// call is not one, its argument is no string literal the file holds (see `EmbeddedConfigDocuments.literal`), or the
    /// document does not read as one value.
    public func jsonDocument(_ call: Node) -> Node? {
        let n = unwrapped(call)
        guard n.type == "call", case let site = callSite(n), site.callee == "json.loads", let argument = site.positional.first,
              let string = EmbeddedConfigDocuments.literal(argument, self, depth: 0) else { return nil }
        return memoized("jsonDocument \(string.startByte)") { JSONShadow.value(of: string, in: file.bytes) }
    }
}

/// Builds the shadow source of one JSON document (see `PythonFacts.jsonDocument`).
enum JSONShadow {
    /// JSON's `true`, `false` and `null` outside strings written as Python's `True`, `False` and `None` (the same
    /// lengths), so the shadow's values are the constants they mean.
    static func pythonLiterals(in shadow: inout [UInt8], _ range: Range<Int>) {
        let words: [(json: [UInt8], python: [UInt8])] = [(Array("true".utf8), Array("True".utf8)), (Array("false".utf8), Array("False".utf8)),
                                                         (Array("null".utf8), Array("None".utf8))]
        func isWordByte(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
        var i = range.lowerBound
        var inString = false
        while i < range.upperBound {
            let b = shadow[i]
            if inString {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if b == UInt8(ascii: "\"") { inString = true; i += 1; continue }
            if isWordByte(b), i == range.lowerBound || !isWordByte(shadow[i - 1]) {
                var end = i
                while end < range.upperBound, isWordByte(shadow[end]) { end += 1 }
                if let word = words.first(where: { $0.json.elementsEqual(shadow[i..<end]) }) {
                    shadow.replaceSubrange(i..<end, with: word.python)
                }
                i = end
                continue
            }
            i += 1
        }
    }

    static func value(of string: Node, in bytes: [UInt8]) -> Node? {
        let content = EmbeddedConfigDocuments.contentRange(string)
        var start = content.lowerBound
        while start < content.upperBound, [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(bytes[start]) {
            start += 1
        }
        guard start < content.upperBound, bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "[") else { return nil }
        var shadow = ShadowDocument.blank(like: bytes)
        shadow.replaceSubrange(start..<content.upperBound, with: bytes[start..<content.upperBound])
        pythonLiterals(in: &shadow, start..<content.upperBound)
        return ShadowDocument.parse(&shadow, valueAt: start, in: bytes)
    }
}
