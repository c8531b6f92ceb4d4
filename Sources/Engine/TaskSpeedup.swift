import Catalogue
import RunLogs

extension TaskSpec {
    /// A run's speedup for this task: its time to the target against the task's base and reference times.
    public func speedup(of time: TimeToTarget) -> Result<Speedup, SpeedupError> {
        Result { () throws(SpeedupError) in try Speedup(baseMs: baseTimeMs, referenceMs: referenceTimeMs, submission: time) }
    }
}
