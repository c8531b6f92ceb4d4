/// The speed score of a submission on a task, as the benchmark's paper defines it.
///
/// With `t_base` the base record's time, `t_reference` the next record's time and `t_sub` the submission's
/// time to the target (all ms):
///
///     FSR   = (t_base - t_sub) / (t_base - t_reference)   fraction of the expert's speedup recovered
///     ratio = t_base / t_sub                              plain speedup over the base
///
/// FSR is not clipped: a submission faster than the reference has FSR > 1, one slower than the base has
/// FSR < 0. A submission without a time to target recovers nothing, and says why.
public struct Speedup: Sendable, Hashable, Codable, CustomStringConvertible {
    public let baseMs: Double
    public let referenceMs: Double
    public let submission: TimeToTarget
    public let outcome: Outcome

    public enum Outcome: Sendable, Hashable, Codable {
        case measured(submissionMs: Double, fsr: Double, ratio: Double)
        /// No time to target, so no speedup: not zero, not a number at all.
        case recoversNothing(NoTimeReason)
    }

    /// Checks the times and computes the scores. Throws when a time is not a positive finite number, or
    /// when the base and reference times are equal (FSR would divide by zero).
    public init(baseMs: Double, referenceMs: Double, submission: TimeToTarget) throws(SpeedupError) {
        try Self.check(baseMs, role: "base")
        try Self.check(referenceMs, role: "reference")
        guard baseMs != referenceMs else { throw .baseEqualsReference(baseMs) }
        self.baseMs = baseMs
        self.referenceMs = referenceMs
        self.submission = submission
        switch submission {
        case let .reached(ms, _):
            try Self.check(ms, role: "submission")
            outcome = .measured(submissionMs: ms, fsr: (baseMs - ms) / (baseMs - referenceMs), ratio: baseMs / ms)
        case let .unavailable(reason):
            outcome = .recoversNothing(reason)
        }
    }

    /// A submission known only by its time to target; nil means it never reached the target.
    public init(baseMs: Double, referenceMs: Double, submissionMs: Double?, target: Double = RunMetrics.defaultTarget) throws(SpeedupError) {
        let time: TimeToTarget = submissionMs.map { .reached(trainTimeMs: $0, step: nil) }
            ?? .unavailable(.targetNotReached(target: target, bestValLoss: nil))
        try self.init(baseMs: baseMs, referenceMs: referenceMs, submission: time)
    }

    /// Fraction of Speedup Recovered; nil when the submission has no time.
    public var fsr: Double? {
        if case let .measured(_, fsr, _) = outcome { return fsr }
        return nil
    }

    /// `t_base / t_sub`; nil when the submission has no time.
    public var ratio: Double? {
        if case let .measured(_, _, ratio) = outcome { return ratio }
        return nil
    }

    /// The reference record is slower than the base (it happens: records 6 and 7). FSR is still the same
    /// formula, but the denominator is negative, so a faster submission scores lower.
    public var referenceSlowerThanBase: Bool { referenceMs > baseMs }

    /// The submission reached the target sooner than the reference did.
    public var fasterThanReference: Bool {
        if case let .measured(ms, _, _) = outcome { return ms < referenceMs }
        return false
    }

    public var description: String {
        switch outcome {
        case let .recoversNothing(reason): return "recovers nothing: \(reason)"
        case let .measured(_, fsr, ratio):
            var text = "FSR \(Self.round(fsr)), \(Self.round(ratio))x the base"
            if fasterThanReference { text += " (faster than the reference)" }
            if referenceSlowerThanBase { text += " (the reference is slower than the base)" }
            return text
        }
    }

    static func round(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }

    private static func check(_ ms: Double, role: String) throws(SpeedupError) {
        guard ms.isFinite, ms > 0 else { throw .invalidTime(role: role, ms: ms) }
    }
}

public enum SpeedupError: Error, Hashable, CustomStringConvertible {
    /// A time that is zero, negative, NaN or infinite.
    case invalidTime(role: String, ms: Double)
    /// Base and reference took the same time: there is no speedup to recover.
    case baseEqualsReference(Double)

    public var description: String {
        switch self {
        case let .invalidTime(role, ms): "the \(role) time must be a positive number of ms, not \(ms)"
        case let .baseEqualsReference(ms): "base and reference times are equal (\(ms) ms): FSR is undefined"
        }
    }
}
