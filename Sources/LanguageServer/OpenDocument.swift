import Foundation
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// A document the editor has open: its text as the editor has it (not as saved), its version, and its syntax tree,
/// re-parsed incrementally as changes arrive.
public struct OpenDocument: Sendable {
    public let uri: String
    public let path: String
    public let language: SourceLanguage?
    public private(set) var version: Int
    public private(set) var bytes: [UInt8]
    public private(set) var lines: LineIndex
    /// nil for languages the server does not parse, and for text the parser refused (see `parseProblem`).
    public private(set) var tree: Tree?
    /// Why the text has no tree: the parser gave up on it (its time limit, nesting too deep to analyse).
    public private(set) var parseProblem: String?
    /// The version before the last change, with its tree: an analysis of it may carry over to this version
    /// (see `DocumentAnalysis.carriedOver`).
    public private(set) var previous: (version: Int, tree: Tree)?

    public enum ChangeError: Error, CustomStringConvertible {
        case rangeOutOfOrder(LSPRange)
        public var description: String {
            switch self {
            case .rangeOutOfOrder(let range):
                "change range ends before it starts (\(range.start.line):\(range.start.character)-\(range.end.line):\(range.end.character))"
            }
        }
    }

    /// `parse: false` leaves the tree for `parsed()`: a request answered from the analysis cache needs no tree.
    public init(uri: String, languageID: String, version: Int, text: String, parse: Bool = true) {
        self.uri = uri
        path = DocumentURI.path(of: uri) ?? uri
        language = OpenDocument.language(id: languageID, path: path)
        self.version = version
        bytes = Array(text.utf8)
        lines = LineIndex(bytes: bytes)
        tree = nil
        if parse { reparse(from: nil) }
    }

    /// Parses the text (reusing `edited`, the previous tree with the edits applied), keeping why when it cannot.
    private mutating func reparse(from edited: EditedTree?) {
        guard let language else { return }
        do {
            tree = try Parser(language: OpenDocument.grammar(language)).parse(bytes: bytes, oldTree: edited)
            parseProblem = nil
        } catch {
            tree = nil
            parseProblem = "\(path): \(error)"
        }
    }

    /// This document with its tree (parsed now if it was made with `parse: false`; a text the parser refused is not
    /// parsed again).
    public func parsed() -> OpenDocument {
        guard tree == nil, parseProblem == nil, language != nil else { return self }
        var copy = self
        copy.reparse(from: nil)
        return copy
    }

    /// Python or CUDA, from the client's language id or else the file's extension.
    static func language(id: String, path: String) -> SourceLanguage? {
        switch id {
        case "python": return .python
        case "cuda", "cuda-cpp", "cu": return .cuda
        default:
            if path.hasSuffix(".py") { return .python }
            if path.hasSuffix(".cu") || path.hasSuffix(".cuh") { return .cuda }
            return nil
        }
    }

    static func grammar(_ language: SourceLanguage) -> Language {
        language == .cuda ? Language.cuda : Language.python
    }

    public var sourceFile: SourceFile {
        SourceFile(path: path, language: language ?? .python, bytes: bytes, origin: .file)
    }

    /// Applies `didChange` events in order. Each ranged change edits the tree so the next parse reuses what did
    /// not change; the tree is re-parsed once, after the last event.
    public mutating func apply(_ changes: [TextDocumentContentChangeEvent], version: Int, encoding: PositionEncoding) throws {
        let before = tree.map { (version: self.version, tree: $0) }
        var edited: EditedTree?
        var unedited = tree
        for change in changes {
            let replacement = Array(change.text.utf8)
            guard let range = change.range else {
                bytes = replacement
                lines = LineIndex(bytes: bytes)
                edited = nil
                unedited = nil
                continue
            }
            let start = encoding.offset(of: range.start, in: lines), end = encoding.offset(of: range.end, in: lines)
            guard start <= end else { throw ChangeError.rangeOutOfOrder(range) }
            let startPoint = lines.position(at: start), endPoint = lines.position(at: end)
            bytes.replaceSubrange(start..<end, with: replacement)
            lines = LineIndex(bytes: bytes)
            let newEndPoint = lines.position(at: start + replacement.count)
            if edited != nil || unedited != nil {
                let edit = InputEdit(startByte: start, oldEndByte: end, newEndByte: start + replacement.count,
                                     startPoint: Point(row: startPoint.line, column: startPoint.column),
                                     oldEndPoint: Point(row: endPoint.line, column: endPoint.column),
                                     newEndPoint: Point(row: newEndPoint.line, column: newEndPoint.column))
                edited = edited?.edited(edit) ?? unedited?.edited(edit)
                unedited = nil
            }
        }
        previous = before
        self.version = version
        // No change at all (an empty list) leaves the text, and so the tree, as it was.
        if edited != nil || unedited == nil { reparse(from: edited) }
    }
}
