/// Results of the editor features: diagnostics, code lenses, hovers and document symbols (LSP 3.17 shapes).
public struct Diagnostic: Codable, Hashable, Sendable {
    public enum Severity: Int, Codable, Sendable {
        case error = 1, warning = 2, information = 3, hint = 4
    }

    public var range: LSPRange
    public var severity: Severity
    public var code: String?
    public var source: String
    public var message: String
}

public struct PublishDiagnosticsParams: Codable, Sendable {
    public var uri: String
    public var version: Int?
    public var diagnostics: [Diagnostic]
}

public struct Command: Codable, Hashable, Sendable {
    public var title: String
    public var command: String
    public var arguments: [String]?
}

public struct CodeLens: Codable, Hashable, Sendable {
    public var range: LSPRange
    public var command: Command
}

public struct MarkupContent: Codable, Hashable, Sendable {
    public var kind: String
    public var value: String
}

public struct Hover: Codable, Hashable, Sendable {
    public var contents: MarkupContent
    public var range: LSPRange?
}

public struct DocumentSymbol: Codable, Hashable, Sendable {
    /// LSP `SymbolKind` values used here.
    public enum Kind: Int, Codable, Sendable {
        case `class` = 5, method = 6, function = 12
    }

    public var name: String
    public var detail: String?
    public var kind: Kind
    public var range: LSPRange
    public var selectionRange: LSPRange
    public var children: [DocumentSymbol]
}
