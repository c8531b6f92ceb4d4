import Foundation
@testable import RunLogs
import TestSupport
import Testing

@Suite struct ResultsFileTests {
    func error(_ json: String) -> RunLogError? { SyntheticLogs.error(json) }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func aRecordsResultsAreRead() throws {
        // record_21/results.json: "n_steps": 1770, "val_loss": 3.2739, "train_time": 184262, "COMPLETED".
        let run = try RecordResults.run(21)
        #expect(run.format == .resultsJSON)
        #expect(run.steps == 1770)
        #expect(run.finalValLoss == Loss(3.2739))
        #expect(run.finalTrainTimeMs == 184_262)
        #expect(run.timeToTarget == .reached(trainTimeMs: 184_262, step: 1770))
        #expect(run.completion == .complete)
        #expect(run.meanStepTimeMs == 184_262.0 / 1770.0)
        #expect(run.lines == nil && run.script == nil && run.peakMemory == nil && run.plannedSteps == nil)
        #expect(run.warnings.isEmpty)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func recordThreeIsAboveTheTarget() throws {
        // record_3/results.json: "val_loss": 3.2813 — its summary says it reached 3.28, but 3.2813 > 3.28.
        let run = try RecordResults.run(3)
        #expect(!run.reachedTarget)
        #expect(run.timeToTarget == .unavailable(.targetNotReached(target: 3.28, bestValLoss: 3.2813)))
        #expect(run.finalTrainTimeMs == 1_386_147)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func everyRecordsResultsParse() throws {
        for record in Corpus.recordNumbers {
            let run = try RecordResults.run(record)
            #expect(run.completion == .complete, "record \(record)")
            #expect((run.finalTrainTimeMs ?? 0) > 0, "record \(record)")
        }
    }

    @Test func formatIsRecognizedByContent() throws {
        // Leading whitespace, no file name anywhere: the bytes alone say it is a results.json.
        let parsed = try SyntheticLogs.parse("\n  {\"metrics\": {\"train_time\": 1000, \"val_loss\": 3.1, \"n_steps\": 10}}")
        #expect(parsed.format == .resultsJSON)
        #expect(parsed.runs[0].timeToTarget == .reached(trainTimeMs: 1000, step: 10))
        // No job_status: completion is not claimed.
        #expect(parsed.runs[0].completion == .unknown)
    }

    @Test func missingFieldsAreNamed() {
        #expect(error("{\"metrics\": {\"val_loss\": 3.2}}")
                == .invalidResults(reason: "metrics.train_time is missing; metrics.n_steps is missing"))
        #expect(error("{\"job_status\": \"COMPLETED\"}") == .invalidResults(reason: "the metrics object is missing"))
        #expect(error("{}")?.description == "results.json: the metrics object is missing")
    }

    @Test func wrongTypesAreNamed() {
        let json = "{\"metrics\": {\"train_time\": \"184262\", \"val_loss\": true, \"n_steps\": 3.5}}"
        #expect(error(json) == .invalidResults(reason: "metrics.train_time must be a number, found the string \"184262\"; "
            + "metrics.val_loss must be a number, found the boolean true; metrics.n_steps must be a whole number of steps, found 3.5"))
        #expect(error("{\"metrics\": [1, 2]}") == .invalidResults(reason: "metrics must be an object, found an array"))
        #expect(error("{\"metrics\": {\"train_time\": null, \"val_loss\": {}, \"n_steps\": 1}}")
                == .invalidResults(reason: "metrics.train_time must be a number, found null; metrics.val_loss must be a number, found an object"))
        #expect(error("{\"metrics\": {\"train_time\": -5, \"val_loss\": 3.0, \"n_steps\": 1}}")
                == .invalidResults(reason: "metrics.train_time must be a positive number of ms, found -5.0"))
    }

    @Test func brokenJSONIsAnError() {
        #expect(error("{\"metrics\": {\"train_time\": 1") == .invalidResults(reason: "not valid JSON"))
        #expect(error("{\"metrics\": {\"train_time\": 1")?.description == "results.json: not valid JSON")
    }

    @Test func pythonNaNAndAFailedJobAreReported() throws {
        // Python's json.dump writes a diverged loss as the bare word NaN.
        let run = try SyntheticLogs.run("{\"job_status\": \"FAILED\", \"metrics\": {\"train_time\": 5000, \"val_loss\": NaN, \"n_steps\": 100}}")
        #expect(run.finalValLoss == Loss(.nan))
        #expect(!run.reachedTarget)
        #expect(run.completion == .unknown)
        #expect(run.warnings.map(\.message) == ["job_status is FAILED, not COMPLETED", "val_loss is nan"])
    }
}
