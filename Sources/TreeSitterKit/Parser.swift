import CTreeSitter

/// A tree-sitter parser for one language. Not thread-safe: use one per thread or task.
public final class Parser {
    private let raw: OpaquePointer
    public let language: Language

    /// Creates a parser, failing with both ABI numbers when the runtime cannot load the grammar
    /// (tree-sitter itself only returns `false` in that case).
    public init(language: Language) throws {
        try language.checkCompatible()
        guard let parser = ts_parser_new() else { throw TreeSitterError.parseAborted(reason: "out of memory") }
        guard ts_parser_set_language(parser, language.pointer) else {
            ts_parser_delete(parser)
            let range = Language.runtimeABIRange
            throw TreeSitterError.incompatibleLanguage(
                name: language.name, grammarVersion: language.abiVersion,
                runtimeMinimum: range.lowerBound, runtimeMaximum: range.upperBound)
        }
        self.raw = parser
        self.language = language
    }

    deinit { ts_parser_delete(raw) }

    /// Upper bound on the time one parse may take; 0 means no limit.
    public var timeoutMicroseconds: UInt64 {
        get { ts_parser_timeout_micros(raw) }
        set { ts_parser_set_timeout_micros(raw, newValue) }
    }

    /// The deepest nesting of nodes a parse accepts (see `Tree.depth`); deeper source fails with
    /// `TreeSitterError.nestingTooDeep`.
    ///
    /// Analyses walk trees recursively, and a stack overflow cannot be caught: it would end a language server that
    /// a single document made too deep. Ordinary code stays far below the limit (the corpus records nest at most 24
    /// levels deep; CPython itself refuses more than 200 nested parentheses), while a 2,000-term sum or 2,000 nested
    /// brackets, which tree-sitter parses, nest deeper.
    public var maximumDepth = Parser.defaultMaximumDepth

    /// The default `maximumDepth`. Measured on 8 MB of stack: `srlens classify` in the debug build read 1,600 levels
    /// and overflowed at 2,400.
    public static let defaultMaximumDepth = 500

    /// Parses UTF-8 text. Pass the previous tree, `edited`, to re-parse incrementally.
    public func parse(_ text: String, oldTree: EditedTree? = nil) throws -> Tree {
        try parse(bytes: Array(text.utf8), oldTree: oldTree)
    }

    /// Parses UTF-8 bytes. The tree keeps the bytes so nodes can return their text.
    public func parse(bytes: [UInt8], oldTree: EditedTree? = nil) throws -> Tree {
        let tree: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    ts_parser_parse_string_encoding(raw, oldTree?.raw, $0, UInt32(buffer.count), TSInputEncodingUTF8)
                }
            } ?? ts_parser_parse_string_encoding(raw, oldTree?.raw, "", 0, TSInputEncodingUTF8)
        }
        guard let tree else {
            ts_parser_reset(raw)
            let reason = timeoutMicroseconds > 0
                ? "exceeded the time limit of \(timeoutMicroseconds / 1000) ms" : "the parser returned no tree"
            throw TreeSitterError.parseAborted(reason: reason)
        }
        let parsed = Tree(raw: tree, bytes: bytes, language: language)
        guard parsed.depth <= maximumDepth else {
            throw TreeSitterError.nestingTooDeep(depth: parsed.depth, limit: maximumDepth, line: parsed.deepestNode.startPoint.row + 1)
        }
        return parsed
    }
}
