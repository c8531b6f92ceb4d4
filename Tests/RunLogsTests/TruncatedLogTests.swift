import Foundation
@testable import RunLogs
import TestSupport
import Testing

@Suite struct TruncatedLogTests {
    @Test func aLineCutInTheMiddleIsIgnoredWithAWarning() throws {
        // The last validation line lost its time: reading it would give a loss with no time, or worse a
        // shortened number. It is dropped, and the run is judged on what is left.
        var text = SyntheticLogs.modded(steps: 10, finished: false)
        text += "step:10/10 val_loss:3.0000 train_ti"
        let run = try SyntheticLogs.run(text)
        // The builder already wrote a complete validation at step 10; the cut line is a second one.
        #expect(run.finalValidation?.step == 10)
        #expect(run.warnings.contains(RunLogWarning(line: 19, "the last line is cut (no newline at the end) and was ignored: 'step:10/10 val_loss:3.0000 train_ti'")))
    }

    @Test func aFinalValidationCutMidLineLeavesTheRunWithoutOne() throws {
        let full = SyntheticLogs.modded(steps: 10, finished: false)
        let cut = String(full.dropLast("val_loss:3.0000 train_time:1200ms step_avg:120.00ms\n".count - 6))
        #expect(cut.hasSuffix("step:10/10 val_lo"))
        let run = try SyntheticLogs.run(cut)
        #expect(run.finalValidation == ValidationPoint(step: 5, loss: Loss(3.5), trainTimeMs: 600, line: 12))
        #expect(run.steps == 10)
        #expect(run.completion == .missingFinalValidation(lastStep: 10))
        #expect(!run.reachedTarget)
        #expect(run.warnings.map(\.message) == [
            "the last line is cut (no newline at the end) and was ignored: 'step:10/10 val_lo'",
            "run incomplete: no validation loss after the last step 10",
        ])
    }

    @Test func aNumberCutMidLineIsNotTrusted() throws {
        // "train_time:12" could be the start of 1200 or 12000: the whole line is ignored.
        let text = SyntheticLogs.modded(steps: 10, upTo: 9, finished: false) + "step:10/10 train_loss:4.0 train_time:12"
        let run = try SyntheticLogs.run(text)
        #expect(run.steps == 9)
        #expect(run.finalTrainTimeMs == 1080)
        #expect(run.completion == .incomplete(lastStep: 9, plannedSteps: 10))
    }

    @Test func aRunCutBeforeItsEndIsIncomplete() throws {
        let run = try SyntheticLogs.run(SyntheticLogs.modded(steps: 1390, upTo: 800, valEvery: 125))
        #expect(run.steps == 800)
        #expect(run.plannedSteps == 1390)
        #expect(run.completion == .incomplete(lastStep: 800, plannedSteps: 1390))
        #expect(run.warnings.map(\.description) == ["line \(run.lines!.upperBound): run incomplete: last step 800 of 1390"])
        #expect(run.finalValidation?.step == 750)
        #expect(run.peakMemory == nil)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func theSoftCapLogCutAtStep800() throws {
        // Keep lines 1-1421 of the real log: the last one is `step:800/1390 train_time:113352ms ...`.
        let bytes = try CorpusLog.bytes("2025-01-04_SoftCap")
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let kept = Array(lines[..<1421].joined(separator: [0x0A])) + [0x0A]
        let run = try RunLogParser.parse(kept).singleRun()
        #expect(run.steps == 800)
        #expect(run.completion == .incomplete(lastStep: 800, plannedSteps: 1390))
        #expect(run.completion.description == "run incomplete: last step 800 of 1390")
        #expect(run.warnings == [RunLogWarning(line: 1421, "run incomplete: last step 800 of 1390")])
        // The last evaluation before the cut: line 1371, `step:750/1390 val_loss:3.5205 train_time:105889ms`.
        #expect(run.finalValidation == ValidationPoint(step: 750, loss: Loss(3.5205), trainTimeMs: 105_889, line: 1371))
        #expect(run.finalTrainTimeMs == 113_352)
        #expect(!run.reachedTarget)
        #expect(run.script?.lines == 1...559)
    }

    @Test(.enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func theSoftCapLogCutInsideItsFinalValidation() throws {
        // Cut line 2017 `step:1390/1390 val_loss:3.2785 train_time:204345ms ...` after "val_loss:3.27".
        let bytes = try CorpusLog.bytes("2025-01-04_SoftCap")
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let kept = Array(lines[..<2016].joined(separator: [0x0A])) + [0x0A] + Array("step:1390/1390 val_loss:3.27".utf8)
        let run = try RunLogParser.parse(kept).singleRun()
        // Not 3.27 (a wrong number), but the step-1375 evaluation that was logged in full.
        #expect(run.finalValidation == ValidationPoint(step: 1375, loss: Loss(3.2793), trainTimeMs: 201_992, line: 2001))
        #expect(run.completion == .missingFinalValidation(lastStep: 1390))
        #expect(run.timeToTarget == .reached(trainTimeMs: 201_992, step: 1375))
        #expect(run.peakMemory == nil)
        #expect(run.warnings.first == RunLogWarning(line: 2017, "the last line is cut (no newline at the end) and was ignored: 'step:1390/1390 val_loss:3.27'"))
    }

    @Test func aScriptWithNoStepLinesIsAnError() {
        let text = SyntheticLogs.script + SyntheticLogs.separator + "\nnvidia-smi: fake\n"
        #expect(SyntheticLogs.error(text) == .noStepLines(reason: "the log embeds a training script (lines 1-2) but no step line follows: the run stopped, or the log was cut, before training"))
    }

    @Test func aLogWhoseOnlyStepLineIsCutIsAnError() {
        let error = SyntheticLogs.error("step:0/10 val_loss:4.")
        #expect(error == .noStepLines(reason: "the only step line (line 1) is cut mid-line"))
        #expect(error?.description == "no usable step line: the only step line (line 1) is cut mid-line")
    }
}
