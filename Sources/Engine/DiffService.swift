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
public struct DiffService: Sendable {
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
        return Self.preparedSides(oldFile, newFile, normalization: normalization).map { diff($0[0], $0[1]) }
    }

    /// Diffs two prepared sides (a base prepared once can be diffed against many submissions).
    public func diff(_ old: PreparedSide, _ new: PreparedSide) -> SemanticDiffResult {
        var result = SemanticDiffer.diff(old.side, new.side, options: matcher)
        for note in [old.syntaxNote, new.syntaxNote].compactMap({ $0 }) { result.note(note) }
        return result
    }

    /// A file parsed, normalized and lowered, ready to be diffed.
    public struct PreparedSide: Sendable {
        public var side: DiffSide
        /// Set when the tree has syntax errors (the diff then compares what the parser recovered).
        public var syntaxNote: String?
    }

    /// Parses, normalizes and lowers a file.
    public func prepare(_ file: SourceFile) -> Result<PreparedSide, DiffError> {
        do {
            let parser = try SourceParser(options: ParseOptions(semanticCUDA: false))
            return .success(prepare(file, tree: try parser.tree(for: file)))
        } catch {
            return .failure(.parse(path: file.path, message: "\(error)"))
        }
    }

    /// Normalizes and lowers a file already parsed. `lowered`: its tree already normalized with this service's
    /// options (a Python script's facts keep one), so it is not built twice.
    public func prepare(_ file: SourceFile, tree: Tree, lowered: SyntaxTree? = nil) -> PreparedSide {
        let lowered = lowered ?? NormalizedTree.build(tree.rootNode, language: file.language, options: normalization)
        return PreparedSide(side: DiffSide(path: file.path, tree: lowered, bytes: file.bytes),
                            syntaxNote: Self.syntaxNote(tree.rootNode, file))
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
        preparedSides(oldFile, newFile, normalization: normalization).map { ($0[0].side, $0[1].side) }
    }

    /// Both sides, each parsed once: the same tree gives the lowered side and the syntax-error note.
    static func preparedSides(_ oldFile: SourceFile, _ newFile: SourceFile,
                              normalization: NormalizationOptions) -> Result<[PreparedSide], DiffError> {
        let files = [oldFile, newFile]
        let results = ResultSlots<PreparedSide, DiffError>(count: 2)
        let service = DiffService(normalization: normalization)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            results.set(index, service.prepare(files[index]))
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
