@testable import RunLogs
import Testing

@Suite struct DivergedLogTests {
    @Test func nanValidationLossIsReportedAndNeverReachesTheTarget() throws {
        let text = SyntheticLogs.modded(steps: 10) { $0 >= 10 ? "nan" : SyntheticLogs.loss($0) }
        let run = try SyntheticLogs.run(text)
        let final = try #require(run.finalValidation)
        #expect(final.loss.isNaN)
        #expect(final.loss.description == "nan")
        #expect(run.finalValLoss == Loss(.nan))
        #expect(run.bestValidation?.step == 5)
        #expect(run.bestValLoss == Loss(3.5))
        #expect(!run.reachedTarget)
        #expect(run.timeToTarget == .unavailable(.targetNotReached(target: 3.28, bestValLoss: 3.5)))
        #expect(run.warnings.map(\.message) == ["validation loss is nan at step 10"])
    }

    @Test func infiniteLossesAreReportedAsSuch() throws {
        let text = SyntheticLogs.modded(steps: 10) { $0 == 0 ? "4.0" : ($0 == 5 ? "inf" : "-inf") }
        let run = try SyntheticLogs.run(text)
        #expect(run.validations.map(\.loss.description) == ["4.0", "inf", "-inf"])
        // -inf is "below" 3.28 numerically, but it is not a loss a run can reach.
        #expect(!run.reachedTarget)
        #expect(run.bestValidation?.step == 0)
        #expect(run.warnings.map(\.message) == ["validation loss is inf at step 5 (2 non-finite validation losses in all)"])
    }

    @Test func allNonFiniteLossesHaveNoBest() throws {
        let run = try SyntheticLogs.run(SyntheticLogs.modded(steps: 10) { _ in "nan" })
        #expect(run.bestValidation == nil)
        #expect(run.timeToTarget == .unavailable(.targetNotReached(target: 3.28, bestValLoss: nil)))
        #expect(run.timeToTarget.description == "never reached val_loss <= 3.28 (no finite validation loss)")
    }

    @Test func nanTrainingLossInAnLLMCLogIsAWarning() throws {
        let text = "s:0 tel:11.0\ns:0 trl:11.0\ns:1 trl:nan\ns:2 trl:nan\ns:3 tel:nan\n"
        let run = try SyntheticLogs.run(text)
        #expect(run.format == .llmc)
        #expect(run.steps == 3)
        #expect(run.finalValLoss == Loss(.nan))
        #expect(run.warnings.map(\.description) == [
            "line 5: validation loss is nan at step 3",
            "line 3: training loss is nan at step 2 (2 training lines in all)",
        ])
    }

    @Test func nanTrainTimesAreNotUsed() throws {
        let text = """
            step:0/2 val_loss:4.0 train_time:nanms
            step:1/2 train_loss:3.5 train_time:nanms
            step:2/2 train_loss:3.1 train_time:200ms
            step:2/2 val_loss:3.0 train_time:nanms

            """
        let run = try SyntheticLogs.run(text)
        // The target is reached at step 2, but that line's time is not a number: no time to target.
        #expect(run.timeToTarget == .unavailable(.noTrainTime(step: 2)))
        #expect(run.finalTrainTimeMs == 200)
        #expect(run.meanStepTimeMs == 200)  // one timed training step, step 2: 200 / (2 - 2 + 1)
        #expect(run.warnings == [RunLogWarning(line: 1, "train_time is nan on 3 line(s); those times are not used")])
    }

    @Test func nonFiniteLossesSurviveAJSONRoundTrip() throws {
        let run = try SyntheticLogs.run(SyntheticLogs.modded(steps: 10) { $0 == 10 ? "nan" : ($0 == 5 ? "-inf" : "4.0") })
        let json = try String(decoding: JSONEncoderForTests.encode(run), as: UTF8.self)
        #expect(json.contains("\"loss\":\"nan\""))
        #expect(json.contains("\"loss\":\"-inf\""))
        #expect(try JSONEncoderForTests.decode(json) == run)
    }
}

import Foundation

enum JSONEncoderForTests {
    static func encode(_ run: RunMetrics) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(run)
    }

    static func decode(_ json: String) throws -> RunMetrics {
        try JSONDecoder().decode(RunMetrics.self, from: Data(json.utf8))
    }
}
