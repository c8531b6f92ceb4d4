@testable import RunLogs
import Testing

@Suite struct NotALogTests {
    @Test func emptyAndBlankFiles() {
        #expect(SyntheticLogs.error("") == .empty)
        #expect(SyntheticLogs.error(" \n\t\r\n") == .empty)
        #expect(SyntheticLogs.error([0xEF, 0xBB, 0xBF]) == .empty)
        #expect(RunLogError.empty.description == "the file is empty")
    }

    @Test func proseIsNotARunLog() {
        let prose = """
            The quick brown fox jumps over the lazy dog. Steps: many; loss: none.
            step by step, the model learned: nothing at all.
            s: this is not a step either
            """
        #expect(SyntheticLogs.error(prose) == .notARunLog)
        #expect(RunLogError.notARunLog.description.hasPrefix("not a run log:"))
        #expect(!RunLogError.notARunLog.description.contains("\n"))
    }

    @Test func pythonSourceIsNotARunLog() {
        #expect(SyntheticLogs.error("import os\nstep = 0\nfor s in range(3):\n    print(f'step:{s}')\n") == .notARunLog)
    }

    @Test func binaryDataIsRejected() {
        #expect(SyntheticLogs.error([0x73, 0x3A, 0x30, 0x00, 0xFF]) == .binary(offset: 3))
    }

    @Test func malformedStepLinesAreIgnoredWithWarnings() throws {
        let text = """
            step:0/10 val_loss:10.0 train_time:0ms
            step:1/10 val_loss:abc train_time:5ms
            step:2/10 train_time:20s
            step:3/10 val_loss:4.0 val_loss:3.0 train_time:30ms
            step:4/10 train_loss:5.0 and then some
            step:x/10 val_loss:1.0
            step:5/10
            step:10/10 val_loss:3.2 train_time:100ms

            """
        let run = try SyntheticLogs.run(text)
        #expect(run.validations.map(\.step) == [0, 10])
        #expect(run.warnings.map(\.description) == [
            "line 2: ignored: val_loss 'abc' is not a number",
            "line 3: ignored: train_time '20s' is not a duration in ms",
            "line 4: ignored: field 'val_loss' appears twice",
            "line 5: ignored: field 'train_loss' is followed by unexpected text '5.0 and then some'",
            "line 7: ignored: step line has no loss and no train_time",
        ])
    }

    @Test func onlyMalformedStepLinesIsAnError() {
        let error = SyntheticLogs.error("step:0/10 val_loss:?? train_time:0ms\n")
        #expect(error == .noStepLines(reason: "every step line is malformed; the first, line 1: val_loss '??' is not a number"))
    }

    @Test func manyMalformedLinesAreSummarized() throws {
        let bad = Array(repeating: "step:1/10 val_loss:oops\n", count: 25).joined()
        let run = try SyntheticLogs.run("step:0/10 val_loss:4.0\n" + bad)
        #expect(run.warnings.count == 10 + 1 + 1)  // ten shown, one summary, one "run incomplete"
        #expect(run.warnings.contains(RunLogWarning(line: nil, "15 more malformed lines ignored")))
    }

    @Test func windowsLineEndingsAreRead() throws {
        let run = try SyntheticLogs.run("s:0 tel:11.0\r\ns:0 trl:11.0\r\ns:1 tel:3.0\r\n")
        #expect(run.finalValLoss == Loss(3.0))
        #expect(run.steps == 1)
    }

    @Test func theFirstRecordsMixBothDialects() throws {
        // Records 1-3 log validation as `step:N/TOTAL val_loss:… train_time:…ms` and training as llm.c's `s:N trl:`.
        let text = """
            step:0/4 val_loss:10.9 train_time:0ms
            s:0 trl:10.9
            s:1 trl:8.0
            step:2/4 val_loss:5.0 train_time:800ms
            s:2 trl:4.0
            s:3 trl:3.5
            step:4/4 val_loss:3.25 train_time:1600ms

            """
        let run = try SyntheticLogs.run(text)
        #expect(run.format == .mixed)
        #expect(run.steps == 4)
        #expect(run.completion == .complete)
        #expect(run.timeToTarget == .reached(trainTimeMs: 1600, step: 4))
        // No timed training line: the last validation's train_time over its step count, 1600 / 4.
        #expect(run.meanStepTimeMs == 400)
        #expect(run.warnings.isEmpty)
    }

    @Test func invalidTargetIsRejected() {
        #expect(throws: RunLogError.invalidTarget(.infinity)) { try SyntheticLogs.parse("s:0 tel:3.0\n", target: .infinity) }
    }
}
