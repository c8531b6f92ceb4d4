/// One catalogued innovation (`Tasks/innovations.json`).
public struct Innovation: Sendable, Codable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Codable {
        /// A change of code structure (a new module, a new computation).
        case structural
        /// A hyperparameter set to a value.
        case value
        /// Outside the code (a library upgrade): nothing to detect.
        case environment
    }

    public struct TargetValue: Sendable, Codable, Hashable {
        public var name: String
        public var equals: Double
        public var tolerance: Double
    }

    public var id: String
    public var title: String
    public var category: String
    public var kind: Kind
    public var detectable: Bool
    public var introducedInTask: Int
    public var summary: String
    public var evidence: String
    public var value: TargetValue?
}
