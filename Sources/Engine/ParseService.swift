import Parsing
import SourceModel

/// The outcome of `srlens parse` for one path.
public enum ParseReport: Sendable {
    case parsed(FileOutline, origin: SourceFile.Origin)
    case failed(path: String, message: String)

    public var path: String {
        switch self {
        case let .parsed(outline, _): outline.path
        case let .failed(path, _): path
        }
    }

    /// A file counts as clean when it was read and has no syntax errors.
    public var isClean: Bool {
        if case let .parsed(outline, _) = self { return outline.syntaxErrors.isEmpty }
        return false
    }
}

/// Loads and parses paths one by one; a failure in one never stops the others.
public struct ParseService {
    public var loader: SourceLoader
    public var options: ParseOptions

    public init(loader: SourceLoader = SourceLoader(), options: ParseOptions = ParseOptions()) {
        self.loader = loader
        self.options = options
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
                    return .parsed(try parser.parse(file).outline, origin: file.origin)
                } catch {
                    return .failed(path: path, message: "\(path): \(error)")
                }
            }
        }
    }
}
