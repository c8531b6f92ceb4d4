import Parsing
import SemanticDiff
import SourceModel

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
        do {
            let parser = try SourceParser(options: ParseOptions(semanticCUDA: false))
            let oldSide = try side(oldFile, parser)
            let newSide = try side(newFile, parser)
            return .success(SemanticDiffer.diff(oldSide, newSide, options: matcher))
        } catch {
            return .failure(.parse(path: oldFile.path, message: "\(error)"))
        }
    }

    func side(_ file: SourceFile, _ parser: SourceParser) throws -> DiffSide {
        let tree = try parser.tree(for: file)
        let lowered = NormalizedTree.build(tree.rootNode, language: file.language, options: normalization)
        return DiffSide(path: file.path, tree: lowered, bytes: file.bytes)
    }
}
