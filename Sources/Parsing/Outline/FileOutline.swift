import SourceModel

/// What `srlens parse` reports for one file: size, syntax problems, and the entities found in it.
/// Encoded as part of the `srlens.parse/1` JSON schema (docs/json-parse.md): add fields, never rename them.
public struct FileOutline: Sendable, Codable, Equatable {
    public var path: String
    public var language: SourceLanguage
    public var lineCount: Int
    public var byteCount: Int
    public var nodeCount: Int
    public var syntaxErrors: [SyntaxProblem]
    public var classes: [Entity]
    public var functions: [Entity]
    public var kernels: [KernelEntity]
    public var launches: [LaunchEntity]
    public var embeddedSources: [EmbeddedSource]
    /// Semantic diagnostics from libclang for CUDA code (errors only; the shim makes warnings noise).
    public var diagnostics: [SemanticDiagnostic]
    /// Things the parser could not do that a reader should know, e.g. an f-string source left unparsed.
    public var notes: [String]

    public init(path: String, language: SourceLanguage, lineCount: Int, byteCount: Int) {
        self.path = path
        self.language = language
        self.lineCount = lineCount
        self.byteCount = byteCount
        nodeCount = 0
        syntaxErrors = []
        classes = []
        functions = []
        kernels = []
        launches = []
        embeddedSources = []
        diagnostics = []
        notes = []
    }
}

/// A syntax error or missing token reported by tree-sitter, or a nesting limit exceeded.
public struct SyntaxProblem: Sendable, Codable, Equatable {
    public var message: String
    public var range: SourceRange
    /// nil for the file's own code; the index of the embedded source otherwise.
    public var embeddedSource: Int?
}

/// A class, function or method.
public struct Entity: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case `class`, function, method }
    public var kind: Kind
    public var name: String
    /// Dotted path through enclosing classes and functions, e.g. `GPT.forward`.
    public var qualifiedName: String
    public var decorators: [String]
    public var range: SourceRange
}

/// A GPU kernel or device function, in CUDA (a file or an embedded source) or as a `@triton.jit` function.
public struct KernelEntity: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case cudaKernel = "cuda_kernel", cudaDevice = "cuda_device", cudaHostDevice = "cuda_host_device"
        case tritonKernel = "triton_kernel"
    }
    public var kind: Kind
    public var name: String
    public var qualifiedName: String
    public var range: SourceRange
    /// The file the kernel is written in when that is not the analysed file (a header it includes).
    public var file: String?
    public var embeddedSource: Int?
    public var templateParameters: [String]
    public var parameters: [String]
    public var launchBounds: String?
    /// Which parser found it: `tree-sitter`, `libclang` or both.
    public var foundBy: [String]
}

/// A kernel launch `k<<<grid, block, shared, stream>>>(...)`.
public struct LaunchEntity: Sendable, Codable, Equatable {
    public var kernel: String
    /// True when the kernel was resolved to a definition (by libclang, or by name within the unit).
    public var resolved: Bool
    public var caller: String?
    public var grid: String
    public var block: String
    public var sharedMemory: String?
    public var stream: String?
    public var range: SourceRange
    public var file: String?
    public var embeddedSource: Int?
}

/// CUDA source found inside a Python string and parsed as CUDA.
public struct EmbeddedSource: Sendable, Codable, Equatable {
    public var index: Int
    /// The call that receives the source, e.g. `torch.utils.cpp_extension.load_inline(cuda_sources=)`.
    public var via: String
    /// The range of the string literal(s) in the Python file.
    public var range: SourceRange
    public var byteCount: Int
}

/// A libclang diagnostic in the analysed code.
public struct SemanticDiagnostic: Sendable, Codable, Equatable {
    public var severity: String
    public var message: String
    public var range: SourceRange?
    public var file: String?
    public var embeddedSource: Int?
}
