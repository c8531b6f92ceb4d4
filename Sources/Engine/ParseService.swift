import Parsing
import SourceModel

/// The outcome of `srlens parse` for one path.
public enum ParseReport: Sendable {
    /// `sExpression` is tree-sitter's S-expression, kept only when `ParseService.keepSExpression` asks.
    case parsed(FileOutline, origin: SourceFile.Origin, sExpression: String? = nil)
    case failed(path: String, message: String)

    public var path: String {
        switch self {
        case let .parsed(outline, _, _): outline.path
        case let .failed(path, _): path
        }
    }

    /// A file counts as clean when it was read and has no syntax errors.
    public var isClean: Bool {
        if case let .parsed(outline, _, _) = self { return outline.syntaxErrors.isEmpty }
        return false
    }
}

/// Loads and parses paths one by one; a failure in one never stops the others.
public struct ParseService {
    public var loader: SourceLoader
    public var options: ParseOptions
    public var keepSExpression: Bool

    public init(loader: SourceLoader = SourceLoader(), options: ParseOptions = ParseOptions(),
                keepSExpression: Bool = false) {
        self.loader = loader
        self.options = options
        self.keepSExpression = keepSExpression
    }

    public func parse(paths: [String]) -> [ParseReport] {
        let parser: SourceParser
        do {
            parser = try SourceParser(options: options)
        } catch {
            return paths.map { .failed(path: $0, message: "\($0): \(error)") }
        }
        return paths.map { path in
            switch loader.load(path) {
            case let .failure(error):
                return .failed(path: path, message: error.description)
            case let .success(file):
                do {
                    let parsed = try parser.parse(file)
                    return .parsed(parsed.outline, origin: file.origin,
                                   sExpression: keepSExpression ? parsed.tree.rootNode.sExpression : nil)
                } catch {
                    return .failed(path: path, message: "\(path): \(error)")
                }
            }
        }
    }
}
