/// One validation loss of a run.
public struct ValidationPoint: Sendable, Hashable, Codable {
    /// Training steps completed before this evaluation.
    public let step: Int
    public let loss: Loss
    /// The run's `train_time` at this point (ms), when the log gives one.
    public let trainTimeMs: Double?
    /// The 1-based line of the log; nil for `results.json`.
    public let line: Int?

    public init(step: Int, loss: Loss, trainTimeMs: Double?, line: Int?) {
        self.step = step
        self.loss = loss
        self.trainTimeMs = trainTimeMs
        self.line = line
    }
}
