/// The structural score of one submission for one task, with every component (docs/scoring.md).
public struct TaskScore: Sendable, Codable {
    public struct KeyChangeResult: Sendable, Codable {
        public var id: String
        public var title: String
        public var salience: TaskSpec.Salience
        public var weight: Double
        public var implemented: Bool
        /// Where the submission implements it (empty when missing).
        public var evidence: [Evidence]
        /// Why it is missing: not detected at all, or detected but already in the base.
        public var note: String?
    }

    public struct ReferenceChange: Sendable, Codable {
        /// `modified method CausalSelfAttention.forward`.
        public var change: String
        public var matched: Bool
        /// The submission's change that matches it.
        public var matchedBy: String?
    }

    public var task: Int
    public var title: String
    public var policy: ScoringPolicy
    public var keyChanges: [KeyChangeResult]
    /// Innovations the submission introduced that are not key changes of this task (listed, not penalized).
    public var extras: [Detection]
    /// Weighted share of the detectable key changes introduced; nil when the task has none (task 6).
    public var recall: Double?
    public var referenceChanges: [ReferenceChange]
    /// Share of the reference's semantic changes matched in the submission's diff from the base; nil when
    /// the reference changes nothing.
    public var alignment: Double?
    /// `recallShare x recall + (1 - recallShare) x alignment`; either alone when the other is undefined.
    public var structural: Double?
}
