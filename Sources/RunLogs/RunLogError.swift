/// Why a file gave no run metrics. Each case describes itself in one line.
public enum RunLogError: Error, Hashable, CustomStringConvertible {
    /// The file is empty or only whitespace.
    case empty
    /// The file holds a NUL byte at `offset`: it is binary, not a log.
    case binary(offset: Int)
    /// No step line, no embedded script, and not JSON: some other text.
    case notARunLog
    /// The file looks like a run log but yields no step line; `reason` says why.
    case noStepLines(reason: String)
    /// A `results.json` that is not valid JSON or lacks a required metric; `reason` names the field.
    case invalidResults(reason: String)
    /// `ParsedRunLog.singleRun()` on a file that holds several runs, starting at these 1-based lines.
    case multipleRuns(startLines: [Int])
    /// The target validation loss is not a finite number.
    case invalidTarget(Double)

    public var description: String {
        switch self {
        case .empty: "the file is empty"
        case let .binary(offset): "the file is binary (NUL byte at offset \(offset)), not a run log"
        case .notARunLog:
            "not a run log: no 'step:N/TOTAL val_loss:…' or 's:N tel:…' line, no embedded script, and not a results.json"
        case let .noStepLines(reason): "no usable step line: \(reason)"
        case let .invalidResults(reason): "results.json: \(reason)"
        case let .multipleRuns(starts):
            "the file holds \(starts.count) runs (starting at lines \(starts.map(String.init).joined(separator: ", "))); choose one"
        case let .invalidTarget(value): "the target validation loss must be a finite number, not \(value)"
        }
    }
}
