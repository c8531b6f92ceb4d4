import ClangKit
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// A file parsed with tree-sitter, with its outline (and, for CUDA, libclang's findings merged in).
public struct ParsedFile: Sendable {
    public let file: SourceFile
    public let tree: Tree
    public let imports: ImportTable
    public let embedded: [EmbeddedCUDA]
    public let outline: FileOutline
}

/// Options for `SourceParser`.
public struct ParseOptions: Sendable {
    /// Run libclang on CUDA code (files and embedded sources). Off, only tree-sitter runs.
    public var semanticCUDA = true
    /// Upper bound on one tree-sitter parse, so pathological input cannot hang a caller.
    public var timeoutMicroseconds: UInt64 = 10_000_000

    public init(semanticCUDA: Bool = true, timeoutMicroseconds: UInt64 = 10_000_000) {
        self.semanticCUDA = semanticCUDA
        self.timeoutMicroseconds = timeoutMicroseconds
    }
}

/// Parses Python and CUDA sources into trees and outlines. Create one per task: it owns tree-sitter parsers,
/// which are not thread-safe.
public final class SourceParser {
    private let python: TreeSitterKit.Parser
    private let cuda: TreeSitterKit.Parser
    public let options: ParseOptions

    public init(options: ParseOptions = ParseOptions()) throws {
        python = try Parser(language: .python)
        cuda = try Parser(language: .cuda)
        python.timeoutMicroseconds = options.timeoutMicroseconds
        cuda.timeoutMicroseconds = options.timeoutMicroseconds
        self.options = options
    }

    public func parser(for language: SourceLanguage) -> TreeSitterKit.Parser {
        language == .python ? python : cuda
    }

    /// Just the tree: the cheapest step, used where no outline is needed.
    public func tree(for file: SourceFile, oldTree: EditedTree? = nil) throws -> Tree {
        try parser(for: file.language).parse(bytes: file.bytes, oldTree: oldTree)
    }

    public func parse(_ file: SourceFile) throws -> ParsedFile {
        let tree = try tree(for: file)
        let root = tree.rootNode
        var outline = FileOutline(path: file.path, language: file.language, lineCount: file.lines.lineCount,
                                  byteCount: file.bytes.count)
        let scan = SyntaxScan(root: root, language: file.language, lines: file.lines)
        outline.nodeCount = scan.nodeCount
        outline.syntaxErrors = scan.problems
        let toRange: (Range<Int>) -> SourceRange = { file.lines.range($0) }

        switch file.language {
        case .python:
            let imports = ImportTable(root: root)
            let shape = PythonOutliner(root: root, imports: imports, lines: file.lines)
            outline.classes = shape.classes
            outline.functions = shape.functions
            outline.kernels = shape.kernels
            var extractor = EmbeddedCUDAExtractor(root: root, imports: imports)
            let embedded = extractor.extract()
            outline.notes += extractor.notes
            for source in embedded { try addEmbedded(source, to: &outline, file: file) }
            return ParsedFile(file: file, tree: tree, imports: imports, embedded: embedded, outline: outline)
        case .cuda:
            let shape = CUDAOutliner(root: root, range: toRange, embeddedSource: nil)
            outline.classes = shape.classes
            outline.functions = shape.functions
            outline.kernels = shape.kernels
            outline.launches = shape.launches
            if options.semanticCUDA {
                CUDASemantics.merge(into: &outline, bytes: file.bytes, clangPath: file.path, range: toRange,
                                    embeddedSource: nil)
            }
            return ParsedFile(file: file, tree: tree, imports: ImportTable(), embedded: [], outline: outline)
        }
    }

    /// Parses one embedded CUDA source and adds what it holds to the host file's outline, in host coordinates.
    private func addEmbedded(_ source: EmbeddedCUDA, to outline: inout FileOutline, file: SourceFile) throws {
        let toRange: (Range<Int>) -> SourceRange = { file.lines.range(source.source.sourceRange(of: $0)) }
        outline.embeddedSources.append(EmbeddedSource(index: source.index, via: source.via,
                                                      range: file.lines.range(source.literalRange),
                                                      byteCount: source.source.bytes.count))
        let tree = try cuda.parse(bytes: source.source.bytes)
        let scan = SyntaxScan(root: tree.rootNode, language: .cuda, lines: LineIndex(bytes: source.source.bytes),
                              embeddedSource: source.index, map: toRange)
        outline.nodeCount += scan.nodeCount
        outline.syntaxErrors += scan.problems
        let shape = CUDAOutliner(root: tree.rootNode, range: toRange, embeddedSource: source.index)
        outline.kernels += shape.kernels
        outline.launches += shape.launches
        if options.semanticCUDA {
            CUDASemantics.merge(into: &outline, bytes: source.source.bytes,
                                clangPath: "\(file.path).embedded\(source.index).cu", range: toRange,
                                embeddedSource: source.index)
        }
    }
}
