/// Whether a run got to the end it planned.
public enum Completion: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A validation loss was logged at (or after) the planned last step.
    case complete
    /// The last step logged is before the planned total: the run stopped, or the log was cut.
    case incomplete(lastStep: Int, plannedSteps: Int)
    /// Training reached the planned total but no validation loss follows it.
    case missingFinalValidation(lastStep: Int)
    /// The log does not state a planned total (llm.c logs), so completion cannot be told.
    case unknown

    public var description: String {
        switch self {
        case .complete: "complete"
        case let .incomplete(last, planned): "run incomplete: last step \(last) of \(planned)"
        case let .missingFinalValidation(last): "run incomplete: no validation loss after the last step \(last)"
        case .unknown: "completion unknown: the log does not state the planned number of steps"
        }
    }
}
