import Foundation

/// The benchmark's `results.json`:
///
///     {"job_status": "COMPLETED", "metrics": {"n_steps": 1390, "val_loss": 3.277, "train_time": 211840}, ...}
///
/// `metrics.train_time` (ms, > 0), `metrics.val_loss` and `metrics.n_steps` (a whole number) are required;
/// every missing or mistyped one is named in the error. Python's `NaN` / `Infinity` are accepted as losses.
enum ResultsFile {
    static func parse(_ bytes: [UInt8], target: Double) throws(RunLogError) -> ParsedRunLog {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true  // Python's json module writes NaN and Infinity, which strict JSON forbids
        let document: ResultsDocument
        do {
            document = try decoder.decode(ResultsDocument.self, from: Data(bytes))
        } catch DecodingError.typeMismatch {
            throw .invalidResults(reason: "the top level is not a JSON object")
        } catch {
            throw .invalidResults(reason: "not valid JSON")
        }
        guard let metrics = document.metrics else {
            throw .invalidResults(reason: document.metricsValue.map { "metrics must be an object, found \($0)" }
                                      ?? "the metrics object is missing")
        }

        var problems: [String] = []
        func number(_ key: String) -> Double? {
            switch metrics[key] {
            case let .number(value)?: return value
            case nil: problems.append("metrics.\(key) is missing")
            case let other?: problems.append("metrics.\(key) must be a number, found \(other)")
            }
            return nil
        }
        let trainTime = number("train_time")
        let valLoss = number("val_loss")
        let steps = number("n_steps")
        if let trainTime, !(trainTime.isFinite && trainTime > 0) {
            problems.append("metrics.train_time must be a positive number of ms, found \(trainTime)")
        }
        if let steps, !(steps.isFinite && steps >= 0 && steps == steps.rounded() && steps < 1e15) {
            problems.append("metrics.n_steps must be a whole number of steps, found \(steps)")
        }
        guard problems.isEmpty, let trainTime, let valLoss, let steps else {
            throw .invalidResults(reason: problems.joined(separator: "; "))
        }

        var warnings: [RunLogWarning] = []
        var completion = Completion.unknown
        switch document.fields["job_status"] {
        case .string("COMPLETED")?: completion = .complete
        case let .string(status)?: warnings.append(RunLogWarning(line: nil, "job_status is \(status), not COMPLETED"))
        case nil: break
        case let other?: warnings.append(RunLogWarning(line: nil, "job_status should be a string, found \(other)"))
        }
        let loss = Loss(valLoss)
        if !loss.isFinite { warnings.append(RunLogWarning(line: nil, "val_loss is \(loss)")) }

        let n = Int(steps)
        let point = ValidationPoint(step: n, loss: loss, trainTimeMs: trainTime, line: nil)
        let run = RunMetrics(format: .resultsJSON, lines: nil, script: nil, target: target, validations: [point],
                             steps: n, plannedSteps: nil, completion: completion, finalTrainTimeMs: trainTime,
                             meanStepTimeMs: n > 0 ? trainTime / Double(n) : nil, peakMemory: nil, warnings: warnings)
        return ParsedRunLog(format: .resultsJSON, runs: [run], warnings: [])
    }
}
