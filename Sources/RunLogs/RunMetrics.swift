/// What one run's log (or `results.json`) says about the run. `docs/run-logs.md` defines every field.
public struct RunMetrics: Sendable, Hashable, Codable {
    /// The benchmark's target validation loss.
    public static let defaultTarget = 3.28

    public let format: LogFormat
    /// The 1-based lines of the file this run covers (from the end of the previous run, or the top of the
    /// file, to its last step or memory line); nil for `results.json`.
    public let lines: ClosedRange<Int>?
    /// The training script the log printed before this run's first step line, when it printed one.
    public let script: ScriptLocation?
    /// The target the run was judged against.
    public let target: Double
    /// Every validation loss, in log order.
    public let validations: [ValidationPoint]
    /// The last validation loss logged (NaN or infinite if that is what was logged).
    public let finalValidation: ValidationPoint?
    /// The lowest finite validation loss (its first occurrence); nil when there is none.
    public let bestValidation: ValidationPoint?
    /// The first validation loss that is finite and at or below `target`; nil when the run never got there.
    public let firstAtTarget: ValidationPoint?
    /// `firstAtTarget`'s train_time, or why there is none.
    public let timeToTarget: TimeToTarget
    /// Training steps completed: the highest step count the log reached.
    public let steps: Int
    /// The planned total of `step:N/TOTAL`; nil when the format does not print one.
    public let plannedSteps: Int?
    public let completion: Completion
    /// `train_time` (ms) on the run's last line that carries one.
    public let finalTrainTimeMs: Double?
    /// Mean time of one training step (ms); see `docs/run-logs.md` for the exact rule.
    public let meanStepTimeMs: Double?
    public let peakMemory: PeakMemory?
    public let warnings: [RunLogWarning]

    public var reachedTarget: Bool { firstAtTarget != nil }
    public var finalValLoss: Loss? { finalValidation?.loss }
    public var bestValLoss: Loss? { bestValidation?.loss }

    public init(format: LogFormat, lines: ClosedRange<Int>?, script: ScriptLocation?, target: Double,
                validations: [ValidationPoint], steps: Int, plannedSteps: Int?, completion: Completion,
                finalTrainTimeMs: Double?, meanStepTimeMs: Double?, peakMemory: PeakMemory?,
                warnings: [RunLogWarning]) {
        self.format = format
        self.lines = lines
        self.script = script
        self.target = target
        self.validations = validations
        self.finalValidation = validations.last
        var best: ValidationPoint?
        for point in validations where point.loss.isFinite {
            if best.map({ point.loss.value < $0.loss.value }) ?? true { best = point }
        }
        self.bestValidation = best
        let hit = validations.first { $0.loss.isFinite && $0.loss.value <= target }
        self.firstAtTarget = hit
        if let hit {
            timeToTarget = hit.trainTimeMs.map { .reached(trainTimeMs: $0, step: hit.step) }
                ?? .unavailable(.noTrainTime(step: hit.step))
        } else if validations.isEmpty {
            timeToTarget = .unavailable(.noValidationLoss)
        } else {
            timeToTarget = .unavailable(.targetNotReached(target: target, bestValLoss: best?.loss.value))
        }
        self.steps = steps
        self.plannedSteps = plannedSteps
        self.completion = completion
        self.finalTrainTimeMs = finalTrainTimeMs
        self.meanStepTimeMs = meanStepTimeMs
        self.peakMemory = peakMemory
        self.warnings = warnings
    }
}

/// Where a log holds the script it printed: bytes of the file and their 1-based lines.
public struct ScriptLocation: Sendable, Hashable, Codable {
    public let bytes: Range<Int>
    public let lines: ClosedRange<Int>

    public init(bytes: Range<Int>, lines: ClosedRange<Int>) {
        self.bytes = bytes
        self.lines = lines
    }
}
