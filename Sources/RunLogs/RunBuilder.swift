/// Collects the lines of one run, in order, and turns them into `RunMetrics`.
struct RunBuilder: Sendable {
    let target: Double
    /// Byte offset and 1-based line where this run's part of the file begins.
    let segmentStart: Int
    let firstLine: Int
    /// Byte offset of the run's first step line: the embedded script, if any, lies before it.
    let firstStepByte: Int
    private(set) var lastLine: Int

    private var hasModdedLines = false
    private var hasLLMCLines = false
    private var plannedSteps: Int?
    private var validations: [ValidationPoint] = []
    private var maxStep = 0
    private var lastTrainStep: Int?
    private var lastValidationStep: Int?
    private var lastTime: Double?
    /// Timing of training lines: the clock is reset once early on (after compilation warm-up), which shows
    /// as `train_time` going down; the timed segment starts at the step after the reset.
    private var lastTrainTime: Double?
    private var lastTimedStep: Int?
    private var timedSegmentFirstStep: Int?
    private var peakMemory: PeakMemory?
    private var nonFiniteValidations: [ValidationPoint] = []
    private var firstNonFiniteTrain: (step: Int, loss: Loss, line: Int)?
    private var nonFiniteTrainCount = 0
    private var firstNaNTimeLine: Int?
    private var nanTimeCount = 0
    var warnings = WarningList()

    init(target: Double, segmentStart: Int, firstLine: Int, firstStepByte: Int) {
        self.target = target
        self.segmentStart = segmentStart
        self.firstLine = firstLine
        self.firstStepByte = firstStepByte
        self.lastLine = firstLine
    }

    /// Whether `line` continues this run. It does not when the step counter goes back (a validation or a
    /// training step at or before one already logged, or any step before the highest) or when the planned
    /// total changes: then a new run begins.
    func continues(with line: StepLine) -> Bool {
        if let planned = plannedSteps, let other = line.plannedSteps, planned != other { return false }
        let step = line.completedSteps
        if step < maxStep { return false }
        if line.isValidation, let last = lastValidationStep, step <= last { return false }
        if !line.isValidation, let last = lastTrainStep, step <= last { return false }
        return true
    }

    mutating func add(_ line: StepLine, at number: Int) {
        switch line.dialect {
        case .modded: hasModdedLines = true
        case .llmc: hasLLMCLines = true
        }
        if plannedSteps == nil { plannedSteps = line.plannedSteps }
        let step = line.completedSteps
        maxStep = max(maxStep, step)
        if let time = line.trainTimeMs { lastTime = time }
        if line.trainTimeIsNaN {
            nanTimeCount += 1
            if firstNaNTimeLine == nil { firstNaNTimeLine = number }
        }
        if let loss = line.valLoss {
            lastValidationStep = step
            let point = ValidationPoint(step: step, loss: loss, trainTimeMs: line.trainTimeMs, line: number)
            validations.append(point)
            if !loss.isFinite { nonFiniteValidations.append(point) }
        } else {
            lastTrainStep = step
            if let loss = line.trainLoss, !loss.isFinite {
                nonFiniteTrainCount += 1
                if firstNonFiniteTrain == nil { firstNonFiniteTrain = (step, loss, number) }
            }
            if let time = line.trainTimeMs {
                if let previous = lastTrainTime, time < previous { timedSegmentFirstStep = step }
                if timedSegmentFirstStep == nil { timedSegmentFirstStep = step }
                lastTrainTime = time
                lastTimedStep = step
            }
        }
        lastLine = number
    }

    mutating func add(_ memory: PeakMemory, at number: Int) {
        if peakMemory != nil { warnings.add(RunLogWarning(line: number, "a second peak memory line; the last one is used")) }
        peakMemory = memory
        lastLine = number
    }

    /// See `docs/run-logs.md`: the script's own `step_avg` rule, the last training time over the steps
    /// since the clock was last reset; without timed training lines, the last timed validation line's
    /// time over its step count.
    var meanStepTimeMs: Double? {
        if let time = lastTrainTime, let last = lastTimedStep, let first = timedSegmentFirstStep, last >= first, time > 0 {
            return time / Double(last - first + 1)
        }
        if let point = validations.last(where: { $0.trainTimeMs != nil }), let time = point.trainTimeMs,
           point.step > 0, time > 0 {
            return time / Double(point.step)
        }
        return nil
    }

    var format: LogFormat {
        switch (hasModdedLines, hasLLMCLines) {
        case (true, false): .moddedNanoGPT
        case (false, true): .llmc
        default: .mixed
        }
    }

    var completion: Completion {
        guard let planned = plannedSteps else { return .unknown }
        if let last = lastValidationStep, last >= planned { return .complete }
        if maxStep >= planned { return .missingFinalValidation(lastStep: maxStep) }
        return .incomplete(lastStep: maxStep, plannedSteps: planned)
    }

    func finish(script: ScriptLocation?) -> RunMetrics {
        var list = warnings
        switch completion {
        case .complete, .unknown: break
        case let other: list.add(RunLogWarning(line: lastLine, other.description))
        }
        if let first = nonFiniteValidations.first, let line = first.line {
            let more = nonFiniteValidations.count > 1 ? " (\(nonFiniteValidations.count) non-finite validation losses in all)" : ""
            list.add(RunLogWarning(line: line, "validation loss is \(first.loss) at step \(first.step)\(more)"))
        }
        if let first = firstNonFiniteTrain {
            let more = nonFiniteTrainCount > 1 ? " (\(nonFiniteTrainCount) training lines in all)" : ""
            list.add(RunLogWarning(line: first.line, "training loss is \(first.loss) at step \(first.step)\(more)"))
        }
        if let line = firstNaNTimeLine {
            list.add(RunLogWarning(line: line, "train_time is nan on \(nanTimeCount) line(s); those times are not used"))
        }
        return RunMetrics(format: format, lines: firstLine...lastLine, script: script, target: target,
                          validations: validations, steps: maxStep, plannedSteps: plannedSteps,
                          completion: completion, finalTrainTimeMs: lastTime, meanStepTimeMs: meanStepTimeMs,
                          peakMemory: peakMemory, warnings: list.finished)
    }
}
