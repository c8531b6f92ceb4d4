/// One task of the benchmark (`Tasks/tasks.json`): reproduce record `referenceRecord` starting from `baseRecord`.
public struct TaskSpec: Sendable, Codable, Hashable, Identifiable {
    public enum Salience: String, Sendable, Codable {
        case headline, minor
    }

    public struct KeyChange: Sendable, Codable, Hashable {
        public var id: String
        public var salience: Salience
    }

    /// An innovation of an earlier task that this task removes or replaces.
    public struct Retired: Sendable, Codable, Hashable {
        public var id: String
        public var successor: String?
        public var note: String
    }

    public var task: Int
    public var baseRecord: Int
    public var referenceRecord: Int
    public var title: String
    public var date: String
    public var baseTimeMs: Double
    public var referenceTimeMs: Double
    public var emptyCodeDiff: Bool
    public var keyChanges: [KeyChange]
    public var retired: [Retired]

    public var id: Int { task }
}
