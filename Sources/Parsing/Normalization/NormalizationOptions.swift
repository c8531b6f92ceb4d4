/// Which normalizations run before matching. Each can be switched off per request, e.g. to see a diff
/// exactly as written.
public struct NormalizationOptions: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `F.relu` read as `torch.nn.functional.relu`, through every import spelling.
    public static let importAliases = NormalizationOptions(rawValue: 1 << 0)
    /// Equivalent idioms in one form: squares, ReLU, matrix products.
    public static let idioms = NormalizationOptions(rawValue: 1 << 1)
    /// Calls of known signatures with every argument passed by keyword, in signature order.
    public static let keywordArguments = NormalizationOptions(rawValue: 1 << 2)
    /// Arithmetic on constants computed (`1 / math.sqrt(24)`, `2 ** -0.5`, `8 * 64 * 1024`).
    public static let constantFolding = NormalizationOptions(rawValue: 1 << 3)
    /// Local variables renamed to their order of first use, so consistent renames compare equal.
    public static let identifierAbstraction = NormalizationOptions(rawValue: 1 << 4)

    /// What `srlens diff` uses unless told otherwise: everything but identifier abstraction.
    public static let standard: NormalizationOptions = [.importAliases, .idioms, .keywordArguments, .constantFolding]
    public static let none: NormalizationOptions = []
    public static let all: NormalizationOptions = [.standard, .identifierAbstraction]

    /// Names used on the command line and in JSON.
    public static let names: [(String, NormalizationOptions)] = [
        ("aliases", .importAliases), ("idioms", .idioms), ("keywords", .keywordArguments),
        ("constants", .constantFolding), ("identifiers", .identifierAbstraction),
    ]

    public var names: [String] { Self.names.filter { contains($0.1) }.map(\.0) }
}
