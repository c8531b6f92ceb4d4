import Foundation
@testable import RunLogs
import TestSupport
import Testing

@Suite struct ConcatenatedLogTests {
    @Test func twoModdedRunsAreReportedSeparately() throws {
        let first = SyntheticLogs.modded(steps: 10)
        let second = SyntheticLogs.modded(steps: 20, valEvery: 10) { step in step == 20 ? "3.1000" : "5.0000" }
        let parsed = try SyntheticLogs.parse(first + second)
        #expect(parsed.runs.count == 2)
        let firstLines = first.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        // The second run starts after the first run's peak memory line, with its own script.
        #expect(parsed.runs[0].lines == 1...firstLines)
        #expect(parsed.runs[1].lines?.lowerBound == firstLines + 1)
        #expect(parsed.runs[0].steps == 10)
        #expect(parsed.runs[0].finalValidation?.loss == Loss(3.0))
        #expect(parsed.runs[1].steps == 20)
        #expect(parsed.runs[1].plannedSteps == 20)
        #expect(parsed.runs[1].timeToTarget == .reached(trainTimeMs: 2400, step: 20))
        #expect(parsed.runs.allSatisfy { $0.completion == .complete && $0.peakMemory?.allocatedMiB == 1000 })
        // Each run has its own script, located in its own part of the file.
        let bytes = Array((first + second).utf8)
        let scripts = parsed.runs.compactMap(\.script)
        #expect(scripts.count == 2)
        #expect(scripts.allSatisfy { String(decoding: bytes[$0.bytes], as: UTF8.self) == SyntheticLogs.script })
        #expect(scripts[1].lines == (firstLines + 1)...(firstLines + 2))
        // The step line where the counter restarts (first run's 18 lines + script 2 + separator, smi, separator).
        let restart = firstLines + 6
        #expect(parsed.warnings == [RunLogWarning(line: nil, "the file holds 2 runs: the step counter restarts at line(s) \(restart); each run is reported separately")])
        #expect(throws: RunLogError.multipleRuns(startLines: [1, firstLines + 1])) { try parsed.singleRun() }
    }

    @Test func twoLLMCRunsAreSplitWhereTheCounterRestarts() throws {
        let run = "s:0 tel:11.0\ns:0 trl:11.0\ns:1 trl:9.0\ns:2 tel:3.2\n"
        let parsed = try SyntheticLogs.parse(run + run)
        #expect(parsed.runs.count == 2)
        #expect(parsed.runs.map(\.lines) == [1...4, 5...8])
        #expect(parsed.runs.map(\.steps) == [2, 2])
        #expect(parsed.runs.allSatisfy { $0.timeToTarget == .unavailable(.noTrainTime(step: 2)) })
    }

    @Test func aRestartWithTheSameFirstStepIsStillANewRun() throws {
        // The first attempt crashed right after its first evaluation; the second one starts over.
        let text = "step:0/10 val_loss:10.0 train_time:0ms step_avg:nanms\n"
            + SyntheticLogs.modded(steps: 10)
        let parsed = try SyntheticLogs.parse(text)
        #expect(parsed.runs.count == 2)
        #expect(parsed.runs[0].completion == .incomplete(lastStep: 0, plannedSteps: 10))
        #expect(parsed.runs[1].completion == .complete)
    }

    @Test func aDifferentPlannedTotalStartsANewRun() throws {
        let text = "step:0/10 val_loss:10.0 train_time:0ms\nstep:1/10 train_time:100ms\n"
            + "step:2/20 train_time:200ms\nstep:20/20 val_loss:3.0 train_time:2000ms\n"
        let parsed = try SyntheticLogs.parse(text)
        #expect(parsed.runs.map(\.plannedSteps) == [10, 20])
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func twoCorpusLogsInOneFile() throws {
        let softCap = try CorpusLog.bytes("2025-01-04_SoftCap")
        let valueEmbed = try CorpusLog.bytes("2024-12-04_ValueEmbed")
        let parsed = try RunLogParser.parse(softCap + valueEmbed)
        #expect(parsed.runs.count == 2)
        #expect(parsed.runs[0].finalValidation?.loss == Loss(3.2785))
        #expect(parsed.runs[0].peakMemory?.allocatedMiB == 31563)
        #expect(parsed.runs[1].finalValidation?.loss == Loss(3.2751))
        #expect(parsed.runs[1].timeToTarget == .reached(trainTimeMs: 258_826, step: 1500))
        // SoftCap has 2018 lines; ValueEmbed's script is its lines 1-566, so 2019-2584 of the whole.
        #expect(parsed.runs[1].script?.lines == 2019...2584)
        let script = try #require(parsed.runs[1].script)
        let alone = try #require(try RunLogParser.parse(valueEmbed).singleRun().script)
        #expect(Array((softCap + valueEmbed)[script.bytes]) == Array(valueEmbed[alone.bytes]))
        #expect(parsed.runs.allSatisfy { $0.warnings.isEmpty })
    }

    @Test func aSecondScriptWithoutStepsIsAWarning() throws {
        let text = SyntheticLogs.modded(steps: 10) + SyntheticLogs.script + SyntheticLogs.separator + "\ncrashed\n"
        let run = try SyntheticLogs.run(text)
        #expect(run.steps == 10)
        #expect(run.warnings.map(\.message) == ["a separator line follows the last step line; text after it (another script?) has no step lines and was ignored"])
    }
}
