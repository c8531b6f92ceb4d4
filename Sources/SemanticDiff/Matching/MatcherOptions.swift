/// Tuning of the GumTree matcher. The defaults are GumTree's published ones.
public struct MatcherOptions: Sendable, Equatable {
    /// Subtrees lower than this are not matched top-down (they are too common to mean anything alone).
    public var minHeight = 2
    /// Containers are matched bottom-up only when this share of their descendants is matched (Dice).
    public var minDice = 0.5
    /// When more than this many isomorphic candidates compete for one hash, they are paired in document
    /// order instead of by parent similarity, keeping huge repetitive inputs linear (noted in the result).
    public var maxCandidatePairs = 4_096
    /// Bottom-up candidates examined per container: past this the search stops with the best so far.
    public var maxBottomUpCandidates = 64

    public init() {}
}
