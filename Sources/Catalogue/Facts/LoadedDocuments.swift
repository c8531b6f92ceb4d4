import TreeSitterGrammars
import TreeSitterKit

extension PythonFacts {
    /// The dictionary or list a configuration loader the script calls returns, as a node of the document's shadow tree:
    /// a JSON document (`json.loads`, see `jsonDocument`) or a YAML one (`yaml.safe_load`, see `yamlDocument`) written
    /// in the script as a string. Nil for any other call.
    public func loadedDocument(_ call: Node) -> Node? { jsonDocument(call) ?? yamlDocument(call) }
}

/// The last step of reading a configuration document a script parses at run time (`json.loads`, `yaml.safe_load`) as
/// the Python value it gives: the *shadow* source, blank but for the value written where the document stands in the
/// script, gets an assignment in front of the value and is parsed; the value's nodes then point at the document's
/// text in the script. See `JSONDocuments.swift` and `YAMLDocuments.swift`.
enum ShadowDocument {
    /// A shadow of `bytes`' size: spaces, with the script's line breaks where they are.
    static func blank(like bytes: [UInt8]) -> [UInt8] {
        var shadow = [UInt8](repeating: UInt8(ascii: " "), count: bytes.count)
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { shadow[index] = byte }
        return shadow
    }

    /// Writes the assignment the value starting at `start` stands in (`_=` on the value's first line when two columns
    /// precede it there, else on the line before, ended by a continuation), parses the shadow, and gives the dictionary
    /// or list assigned when it starts at `start` and the shadow parses without error.
    static func parse(_ shadow: inout [UInt8], valueAt start: Int, in bytes: [UInt8]) -> Node? {
        let lineStart = (bytes[..<start].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        if start - lineStart >= 2 {
            shadow.replaceSubrange(lineStart..<lineStart + 2, with: Array("_=".utf8))
        } else {
            guard lineStart >= 1 else { return nil }
            let previousStart = (bytes[..<(lineStart - 1)].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
            guard lineStart - 1 - previousStart >= 3 else { return nil }
            shadow.replaceSubrange(previousStart..<previousStart + 2, with: Array("_=".utf8))
            shadow[lineStart - 2] = UInt8(ascii: "\\")
        }
        guard let tree = try? Parser(language: .python).parse(bytes: shadow), !tree.rootNode.hasError,
              let statement = tree.rootNode.namedChildren.first(where: { $0.type == "expression_statement" }),
              let assignment = statement.namedChildren.first, assignment.type == "assignment",
              let value = assignment.child(byField: "right"), value.type == "dictionary" || value.type == "list",
              value.startByte == start else { return nil }
        return value
    }
}
