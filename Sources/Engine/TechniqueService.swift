import Catalogue
import Foundation
import Parsing
import SourceModel
import TreeSitterGrammars
import TreeSitterKit

/// CUDA technique classification of `.cu`/`.cuh` files and of CUDA held in Python strings (`load_inline`,
/// cupy), reported at the kernel's real place in the Python file.
public struct TechniqueService {
    public var loader: SourceLoader

    public init(loader: SourceLoader = SourceLoader()) { self.loader = loader }

    /// The CUDA sources of a file: the file itself, or the sources embedded in a Python file (`tree`, when the
    /// caller has already parsed the script, saves parsing it again).
    public func sources(_ file: SourceFile, pythonTree: Tree? = nil) throws -> [CUDAFacts] {
        switch file.language {
        case .cuda:
            return [try CUDAFacts(file: file)]
        case .python:
            let tree = try pythonTree ?? Parser(language: .python).parse(bytes: file.bytes)
            var extractor = EmbeddedCUDAExtractor(root: tree.rootNode, imports: ImportTable(root: tree.rootNode))
            return try extractor.extract().map { embedded in
                let decoded = embedded.source
                let inner = SourceFile(path: "\(file.path).embedded\(embedded.index).cu", language: .cuda, bytes: decoded.bytes)
                return try CUDAFacts(file: inner, reportPath: file.path,
                                     reportRange: { file.lines.range(decoded.sourceRange(of: $0)) })
            }
        }
    }

    public func classify(_ file: SourceFile) throws -> [TechniqueReport] {
        try sources(file).map { TechniqueClassifier.classify($0) }
    }

    public func classify(path: String) -> Result<[TechniqueReport], LoadError> {
        loader.load(path).flatMap { file in
            do { return .success(try classify(file)) } catch { return .failure(.unreadable(path, reason: "\(error)")) }
        }
    }
}
