import Dispatch
import Parsing
import Synchronization
import SemanticDiff
import SourceModel
import TreeSitterKit

/// Why a diff could not be computed.
public enum DiffError: Error, CustomStringConvertible, Equatable {
    case load(LoadError)
    case languageMismatch(old: String, new: String)
    case parse(path: String, message: String)

    public var description: String {
        switch self {
        case .load(let error): error.description
        case let .languageMismatch(old, new): "cannot diff \(old) and \(new): they are not in the same language"
        case let .parse(path, message): "\(path): \(message)"
        }
    }
}

/// Loads, parses, normalizes and diffs two files.
public struct DiffService {
    public var loader: SourceLoader
    public var normalization: NormalizationOptions
    public var matcher: MatcherOptions

    public init(loader: SourceLoader = SourceLoader(), normalization: NormalizationOptions = .standard,
                matcher: MatcherOptions = MatcherOptions()) {
        self.loader = loader
        self.normalization = normalization
        self.matcher = matcher
    }

    public func diff(oldPath: String, newPath: String) -> Result<SemanticDiffResult, DiffError> {
        let oldFile: SourceFile, newFile: SourceFile
        switch (loader.load(oldPath), loader.load(newPath)) {
        case let (.success(a), .success(b)): (oldFile, newFile) = (a, b)
        case let (.failure(error), _), let (_, .failure(error)): return .failure(.load(error))
        }
        return diff(oldFile, newFile)
    }

    public func diff(_ oldFile: SourceFile, _ newFile: SourceFile) -> Result<SemanticDiffResult, DiffError> {
        guard oldFile.language == newFile.language else {
            return .failure(.languageMismatch(old: oldFile.path, new: newFile.path))
        }
        switch Self.parsedSides(oldFile, newFile, normalization: normalization) {
        case let .success(sides):
            var result = SemanticDiffer.diff(sides[0].side, sides[1].side, options: matcher)
            for note in sides.compactMap(\.syntaxNote) { result.note(note) }
            return .success(result)
        case let .failure(error):
            return .failure(error)
        }
    }

    /// One parsed and lowered side, with a note when its file has syntax errors.
    struct ParsedSide: Sendable {
        var side: DiffSide
        var syntaxNote: String?
    }

    /// A one-line note when a tree has syntax errors: the diff then compares what the parser recovered.
    static func syntaxNote(_ root: Node, _ file: SourceFile) -> String? {
        guard root.hasError else { return nil }
        let problems = SyntaxScan(root: root, language: file.language, lines: file.lines).problems
        guard let first = problems.first else { return nil }
        return "\(file.path) has \(problems.count) syntax error\(problems.count == 1 ? "" : "s") (first at \(first.range.start): \(first.message)); the diff compares the code the parser recovered"
    }

    /// Parses, normalizes and lowers both files, one per thread (they share nothing; each gets its own parser).
    public static func sides(_ oldFile: SourceFile, _ newFile: SourceFile,
                             normalization: NormalizationOptions) -> Result<(DiffSide, DiffSide), DiffError> {
        parsedSides(oldFile, newFile, normalization: normalization).map { ($0[0].side, $0[1].side) }
    }

    /// Both sides, each parsed once: the same tree gives the lowered side and the syntax-error note.
    static func parsedSides(_ oldFile: SourceFile, _ newFile: SourceFile,
                            normalization: NormalizationOptions) -> Result<[ParsedSide], DiffError> {
        let files = [oldFile, newFile]
        let results = ResultSlots<ParsedSide, DiffError>(count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let file = files[index]
            do {
                let parser = try SourceParser(options: ParseOptions(semanticCUDA: false))
                let tree = try parser.tree(for: file)
                let lowered = NormalizedTree.build(tree.rootNode, language: file.language, options: normalization)
                results.set(index, .success(ParsedSide(side: DiffSide(path: file.path, tree: lowered, bytes: file.bytes),
                                                       syntaxNote: syntaxNote(tree.rootNode, file))))
            } catch {
                results.set(index, .failure(.parse(path: file.path, message: "\(error)")))
            }
        }
        switch (results.get(0), results.get(1)) {
        case let (.success(a), .success(b)): return .success([a, b])
        case let (.failure(error), _), let (_, .failure(error)): return .failure(error)
        }
    }
}

/// Results written by concurrent workers, one slot each.
final class ResultSlots<Success: Sendable, Failure: Error & Sendable>: Sendable {
    private let slots: Mutex<[Result<Success, Failure>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ value: Result<Success, Failure>) { slots.withLock { $0[index] = value } }

    func get(_ index: Int) -> Result<Success, Failure> {
        slots.withLock { $0[index] }!
    }
}
