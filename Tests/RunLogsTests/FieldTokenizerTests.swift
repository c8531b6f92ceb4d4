@testable import RunLogs
import Testing

@Suite struct FieldTokenizerTests {
    func fields(_ line: String) -> [String] { FieldTokenizer.fields(of: line[...]).map(\.description) }

    func stepLine(_ line: String) -> Result<StepLine, LineProblem>? {
        let bytes = Array(line.utf8)
        var seen = SeenFields()
        return StepLine.read(bytes, line: 0..<bytes.count, seen: &seen)
    }

    @Test func compactFields() {
        #expect(fields("step:1390/1390 val_loss:3.2785 train_time:204345ms step_avg:148.08ms")
                == ["step:1390/1390", "val_loss:3.2785", "train_time:204345ms", "step_avg:148.08ms"])
        #expect(fields("s:19559 trl:3.2217 lr:0.000000 norm:0.22") == ["s:19559", "trl:3.2217", "lr:0.000000", "norm:0.22"])
        #expect(fields("step:0/1390\tval_loss:nan") == ["step:0/1390", "val_loss:nan"])
    }

    @Test func spacedLabelsAndMultiWordValues() {
        #expect(fields("peak memory consumption: 31563 MiB") == ["peak memory consumption:31563 MiB"])
        #expect(fields("peak memory allocated: 29148 MiB reserved: 44818 MiB")
                == ["peak memory allocated:29148 MiB", "reserved:44818 MiB"])
    }

    @Test func colonsThatAreNotLabels() {
        // A clock time has no label before its colons; a line with no label has no fields.
        #expect(fields("Sat Jan  4 08:29:45 2025") == [])
        #expect(fields("nvidia-smi:") == ["nvidia-smi:"])
        #expect(fields("time: 12:30") == ["time:12:30"])
        #expect(fields("") == [])
    }

    @Test func stepLineReading() throws {
        let line = try stepLine("s:9535 trl:3.340180")?.get()
        #expect(line?.completedSteps == 9536, "llm.c numbers training steps from 0")
        let val = try stepLine("s:9536 tel:3.275959")?.get()
        #expect(val?.completedSteps == 9536)
        let modded = try stepLine("step:11/1390 train_time:135ms step_avg:nanms")?.get()
        #expect(modded == StepLine(dialect: .modded, loggedStep: 11, plannedSteps: 1390, trainTimeMs: 135))
        #expect(stepLine("steps: 3") == nil)
        #expect(stepLine("s: x") == nil)
    }

    @Test func lossReading() {
        #expect(Loss(parsing: "3.2785") == Loss(3.2785))
        #expect(Loss(parsing: "NaN")?.isNaN == true)
        #expect(Loss(parsing: "-inf") == Loss(-.infinity))
        #expect(Loss(parsing: "0x1p2") == nil)
        #expect(Loss(parsing: "3.2.") == nil)
        #expect(Loss(parsing: "") == nil)
    }
}
