/// When a run first reached the target validation loss, in the terms a speedup needs.
public enum TimeToTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first validation loss at or below the target was logged at this `train_time`.
    /// `step` is nil when the caller only knows the time.
    case reached(trainTimeMs: Double, step: Int?)
    /// There is no time to compare, and why.
    case unavailable(NoTimeReason)

    public var trainTimeMs: Double? {
        if case let .reached(ms, _) = self { return ms }
        return nil
    }

    public var description: String {
        switch self {
        case let .reached(ms, step?): "reached the target at step \(step), train_time \(Self.format(ms)) ms"
        case let .reached(ms, nil): "reached the target at train_time \(Self.format(ms)) ms"
        case let .unavailable(reason): reason.description
        }
    }

    static func format(_ ms: Double) -> String { ms == ms.rounded() && abs(ms) < 1e15 ? String(Int(ms)) : String(ms) }
}

/// Why a run has no time to target.
public enum NoTimeReason: Sendable, Hashable, Codable, CustomStringConvertible {
    /// No validation loss was at or below the target. `bestValLoss` is the lowest finite one, nil when
    /// every validation loss was NaN or infinite.
    case targetNotReached(target: Double, bestValLoss: Double?)
    /// The run logged no validation loss at all.
    case noValidationLoss
    /// The target was reached at `step`, but the log gives no `train_time` there (llm.c logs).
    case noTrainTime(step: Int)

    public var description: String {
        switch self {
        case let .targetNotReached(target, best?): "never reached val_loss <= \(target) (best \(best))"
        case let .targetNotReached(target, nil): "never reached val_loss <= \(target) (no finite validation loss)"
        case .noValidationLoss: "the run logged no validation loss"
        case let .noTrainTime(step): "reached the target at step \(step), but the log records no train_time there"
        }
    }
}
