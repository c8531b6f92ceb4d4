/// One pass over the lines of a text log: classifies each line, splits the file into runs where the step
/// counter restarts, and collects each run's numbers.
struct LogScanner {
    let bytes: [UInt8]
    let start: Int
    let target: Double

    private var runs: [RunMetrics] = []
    private var current: RunBuilder?
    /// Warnings about lines before the first step line; they go to the first run.
    private var early = WarningList()
    /// Where the next run's part of the file would begin: after the last step or memory line so far.
    private var segmentStart: Int
    private var segmentFirstLine = 1
    /// Separator lines seen since the last step or memory line.
    private var separatorsSinceStep: [Int] = []
    private var restartLines: [Int] = []
    private var firstProblem: RunLogWarning?
    private var cutStepLine: Int?
    private var seenFields = SeenFields()

    init(bytes: [UInt8], start: Int, target: Double) {
        self.bytes = bytes
        self.start = start
        self.target = target
        self.segmentStart = start
    }

    mutating func scan() throws(RunLogError) -> ParsedRunLog {
        var lineStart = start
        var number = 0
        var partial: RunLogWarning?
        while lineStart < bytes.count {
            number += 1
            guard let newline = nextNewline(from: lineStart) else {
                // No newline at the end: the file was cut in the middle of this line, so none of it is trusted.
                let text = String(decoding: bytes[lineStart...], as: UTF8.self)
                if !text.allSatisfy(\.isWhitespace) {
                    partial = RunLogWarning(line: number, "the last line is cut (no newline at the end) and was ignored: '\(Self.clip(text))'")
                    if StepLine.read(bytes, line: lineStart..<bytes.count, seen: &seenFields) != nil { cutStepLine = number }
                }
                break
            }
            var end = newline
            if end > lineStart && bytes[end - 1] == ASCII.carriageReturn { end -= 1 }
            read(line: lineStart..<end, number: number, next: newline + 1)
            lineStart = newline + 1
        }

        guard var run = current else { throw noRunError() }
        if let partial { run.warnings.add(partial) }
        if let separator = separatorsSinceStep.first {
            run.warnings.add(RunLogWarning(line: separator, "a separator line follows the last step line; text after it (another script?) has no step lines and was ignored"))
        }
        runs.append(finish(run))

        var fileWarnings: [RunLogWarning] = []
        if runs.count > 1 {
            let at = restartLines.map(String.init).joined(separator: ", ")
            fileWarnings.append(RunLogWarning(line: nil, "the file holds \(runs.count) runs: the step counter restarts at line(s) \(at); each run is reported separately"))
        }
        let formats = Set(runs.map(\.format))
        return ParsedRunLog(format: formats.count == 1 ? runs[0].format : .mixed, runs: runs, warnings: fileWarnings)
    }

    /// The position of the first newline at or after `position`.
    private func nextNewline(from position: Int) -> Int? {
        var index = position
        while index < bytes.count {
            if bytes[index] == ASCII.newline { return index }
            index += 1
        }
        return nil
    }

    private mutating func read(line range: Range<Int>, number: Int, next: Int) {
        if EmbeddedScript.isSeparator(bytes, range) {
            if current != nil { separatorsSinceStep.append(number) }
            return
        }
        guard let first = range.first else { return }
        let head = bytes[first]
        guard head == UInt8(ascii: "s") || head == UInt8(ascii: "p") || head == UInt8(ascii: "P") else { return }
        if let reading = StepLine.read(bytes, line: range, seen: &seenFields) {
            switch reading {
            case let .success(step): add(step, number: number, lineStart: range.lowerBound, next: next)
            case let .failure(problem): malformed(problem, number: number)
            }
        } else if let reading = PeakMemory.read(bytes, line: range) {
            switch reading {
            case let .success(memory):
                if current == nil {
                    early.add(RunLogWarning(line: number, "a peak memory line before any step line was ignored"))
                } else {
                    current?.add(memory, at: number)
                    recognized(number: number, next: next)
                }
            case let .failure(problem): malformed(problem, number: number)
            }
        }
    }

    private mutating func add(_ step: StepLine, number: Int, lineStart: Int, next: Int) {
        if current?.continues(with: step) == false, let run = current {
            runs.append(finish(run))
            restartLines.append(number)
            current = nil
        }
        if current == nil {
            var run = RunBuilder(target: target, segmentStart: segmentStart, firstLine: segmentFirstLine, firstStepByte: lineStart)
            if runs.isEmpty { run.warnings.append(contentsOf: early) }
            current = run
        }
        current?.add(step, at: number)
        recognized(number: number, next: next)
    }

    private mutating func recognized(number: Int, next: Int) {
        segmentStart = next
        segmentFirstLine = number + 1
        separatorsSinceStep = []
    }

    private mutating func malformed(_ problem: LineProblem, number: Int) {
        if firstProblem == nil { firstProblem = RunLogWarning(line: number, problem.message) }
        if current == nil { early.addMalformed(line: number, problem.message) } else { current?.warnings.addMalformed(line: number, problem.message) }
    }

    private func finish(_ run: RunBuilder) -> RunMetrics {
        run.finish(script: script(in: run.segmentStart..<run.firstStepByte, firstLine: run.firstLine))
    }

    /// The script in `window`, whose first byte starts line `firstLine`.
    private func script(in window: Range<Int>, firstLine: Int) -> ScriptLocation? {
        guard case let .success(range) = EmbeddedScript.range(in: bytes, within: window) else { return nil }
        let scriptLine = firstLine + newlines(in: window.lowerBound..<range.lowerBound)
        let count = newlines(in: range)
        return ScriptLocation(bytes: range, lines: scriptLine...(scriptLine + max(count, 1) - 1))
    }

    private func newlines(in range: Range<Int>) -> Int {
        var count = 0
        for byte in bytes[range] where byte == 0x0A { count += 1 }
        return count
    }

    private func noRunError() -> RunLogError {
        if let firstProblem {
            return .noStepLines(reason: "every step line is malformed; the first, \(firstProblem)")
        }
        if let line = cutStepLine {
            return .noStepLines(reason: "the only step line (line \(line)) is cut mid-line")
        }
        if let script = script(in: start..<bytes.count, firstLine: 1) {
            return .noStepLines(reason: "the log embeds a training script (lines \(script.lines.lowerBound)-\(script.lines.upperBound)) but no step line follows: the run stopped, or the log was cut, before training")
        }
        return .notARunLog
    }

    static func clip(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(77)) + "..."
    }
}
