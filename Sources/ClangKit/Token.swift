import CClang

/// A preprocessor token with its spelling and extent.
public struct Token: Hashable, Sendable {
    public enum Kind: Sendable { case punctuation, keyword, identifier, literal, comment }
    public let kind: Kind
    public let spelling: String
    public let extent: SourceSpan
}
