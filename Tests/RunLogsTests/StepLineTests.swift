@testable import RunLogs
import Testing

@Suite struct StepLineTests {
    func read(_ line: String) -> Result<StepLine, LineProblem>? {
        let bytes = Array(line.utf8)
        var seen = SeenFields()
        return StepLine.read(bytes, line: 0..<bytes.count, seen: &seen)
    }

    func problem(_ line: String) -> String? {
        guard case let .failure(problem)? = read(line) else { return nil }
        return problem.message
    }

    @Test func spacesAndTabsSeparateWords() throws {
        let line = try read("step:5/10\t val_loss:3.5   train_time:50ms")?.get()
        #expect(line == StepLine(dialect: .modded, loggedStep: 5, plannedSteps: 10, valLoss: Loss(3.5), trainTimeMs: 50))
        // A value may begin after the colon's word, but a step line's values are single words.
        #expect(try read("step: 5/10 val_loss: 3.5")?.get().valLoss == Loss(3.5))
        #expect(problem("s:1 trl:3.5 \t and\tmore") == "field 'trl' is followed by unexpected text '3.5 and more'")
        #expect(problem("s:1 trl:") == "field 'trl' has no value")
    }

    @Test func aFieldTwiceMakesTheLineMalformed() {
        #expect(problem("s:1 tel:3.5 val_loss:3.4") == "field 'val_loss' appears twice")
        #expect(problem("s:1 trl:3.5 lr:0.1 lr:0.2") == "field 'lr' appears twice")
        #expect(problem("step:1/10 train_time:5ms train_time:6ms") == "field 'train_time' appears twice")
    }

    @Test func fieldsSeenOnOneLineDoNotCarryOverToTheNext() throws {
        let bytes = Array("s:1 trl:3.5 lr:0.1 norm:2\ns:2 trl:3.4 lr:0.1 norm:2\n".utf8)
        var seen = SeenFields()
        #expect(try StepLine.read(bytes, line: 0..<25, seen: &seen)?.get().trainLoss == Loss(3.5))
        #expect(try StepLine.read(bytes, line: 26..<51, seen: &seen)?.get().trainLoss == Loss(3.4))
    }

    @Test func stepNumbers() {
        #expect(problem("step:5/0 val_loss:3.0") == "planned total in '5/0' is not a positive number")
        #expect(problem("step:5/-3 val_loss:3.0") == "planned total in '5/-3' is not a positive number")
        #expect(problem("step:5/10/20 val_loss:3.0") == "step '5/10/20' is not a step number")
        #expect(problem("s:99999999999999999999 tel:3.0") == "step '99999999999999999999' is not a step number")
        #expect(problem("s:5x tel:3.0") == "step '5x' is not a step number")
        #expect(read("s:x5 tel:3.0") == nil)
    }

    @Test func durations() {
        #expect(StepLine.milliseconds(Array("204345ms".utf8), 0..<8) == 204_345)
        #expect(StepLine.milliseconds(Array("NaNms".utf8), 0..<5)?.isNaN == true)
        #expect(StepLine.milliseconds(Array("1e400ms".utf8), 0..<7) == nil)
        #expect(StepLine.milliseconds(Array("12s".utf8), 0..<3) == nil)
        #expect(problem("step:2/10 train_time:-5ms") == "train_time '-5ms' is not a duration in ms")
    }
}

extension StepLineTests {
    @Test func aLineWithManyOtherFieldsStillFindsATwice() throws {
        let others = (0..<20).map { "f\($0):1" }.joined(separator: " ")
        #expect(try read("s:1 trl:3.5 \(others)")?.get().trainLoss == Loss(3.5))
        #expect(problem("s:1 trl:3.5 \(others) f3:2") == "field 'f3' appears twice")
        #expect(problem("s:1 trl:3.5 \(others) f19:2") == "field 'f19' appears twice")
    }
}
