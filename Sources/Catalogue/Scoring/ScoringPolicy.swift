/// The weights of the structural score (docs/scoring.md). Defaults: a headline key change counts 1, a minor
/// one 0.5; the structural score is 0.7 x innovation recall + 0.3 x diff alignment.
public struct ScoringPolicy: Sendable, Equatable, Codable {
    public var headlineWeight = 1.0
    public var minorWeight = 0.5
    public var recallShare = 0.7

    public init() {}

    public func weight(_ salience: TaskSpec.Salience) -> Double {
        salience == .headline ? headlineWeight : minorWeight
    }
}
