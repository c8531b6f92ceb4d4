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
    /// Isomorphic subtrees up to this height are matched top-down only inside the same entity (function,
    /// method or class): a small expression such as `self.n_head` found once in each file but in different
    /// functions is a coincidence, not a move.
    public var scopedHeight = 3
    /// Recovery pairs two unmatched children of the same kind only when this share of their leaves (kind and
    /// label) is common, unless each is the only child of its kind left on its side.
    public var minRecoverySimilarity = 0.4
    /// Containers matched bottom-up whose subtrees are both at most this large get an optimal (Zhang-Shasha)
    /// matching of what is still unmatched inside them, as GumTree's last-chance step does.
    public var maxOptimalSize = 100

    public init() {}
}
