import SourceModel

/// Where a detector saw an innovation: a range of a file, the code there and what it shows.
public struct Evidence: Sendable, Codable, Hashable {
    public var path: String
    public var range: SourceRange
    public var code: String
    public var note: String

    public init(path: String, range: SourceRange, code: String, note: String) {
        self.path = path
        self.range = range
        self.code = code
        self.note = note
    }
}
