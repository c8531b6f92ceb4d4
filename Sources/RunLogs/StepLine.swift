/// A training or validation line of a run log, read from its fields.
///
/// Two dialects share one reader: modded-nanogpt writes `step:N/TOTAL` followed by `val_loss:`, `train_loss:`,
/// `train_time:` and `step_avg:`; llm.c (and the PyTorch records that copied its logger) writes `s:N` followed
/// by `tel:` (validation) or `trl:` (training), sometimes with `lr:` and `norm:`. Unknown fields are allowed and
/// ignored; a known field with a value that does not read makes the whole line malformed, so a half-read line
/// never contributes a number.
struct StepLine: Sendable, Equatable {
    enum Dialect: Sendable, Equatable { case modded, llmc }

    var dialect: Dialect
    /// The step number as printed.
    var loggedStep: Int
    /// `TOTAL` of `step:N/TOTAL`.
    var plannedSteps: Int?
    var valLoss: Loss?
    var trainLoss: Loss?
    /// `train_time` in ms; nil when absent or printed as `nan`.
    var trainTimeMs: Double?
    /// `train_time:nanms` was printed.
    var trainTimeIsNaN = false

    var isValidation: Bool { valLoss != nil }

    /// Steps completed when the line was printed. modded-nanogpt prints training lines after step N as
    /// `step:N`; llm.c prints `s:N trl:` for the step with 0-based index N, so N + 1 steps are done. Validation
    /// lines of both dialects print the number of steps done before the evaluation.
    var completedSteps: Int { dialect == .llmc && !isValidation ? loggedStep + 1 : loggedStep }

    /// The reading of the line `bytes[line]`, or nil when its first field is not `step:N` / `s:N` written
    /// compactly at the start of the line (then the line is ordinary text, such as a line of the embedded
    /// script). `seen` is scratch space the caller keeps from line to line.
    static func read(_ bytes: [UInt8], line: Range<Int>, seen: inout SeenFields) -> Result<StepLine, LineProblem>? {
        let dialect: Dialect
        if ASCII.hasPrefix(bytes, line, "step:") {
            dialect = .modded
        } else if ASCII.hasPrefix(bytes, line, "s:") {
            dialect = .llmc
        } else {
            return nil
        }
        var fields = FieldCursor(line: line)
        guard let first = fields.next(in: bytes), ASCII.matches(bytes, first.key, dialect == .modded ? "step" : "s"),
              let head = first.value.first, ASCII.isDigit(bytes[head])
        else { return nil }
        do throws(LineProblem) {
            var reading = try start(dialect: dialect, step: first, in: bytes)
            seen.removeAll()
            while let field = fields.next(in: bytes) { try reading.read(field, in: bytes, seen: &seen) }
            guard reading.valLoss != nil || reading.trainLoss != nil || reading.trainTimeMs != nil || reading.trainTimeIsNaN else {
                throw LineProblem("step line has no loss and no train_time")
            }
            return .success(reading)
        } catch {
            return .failure(error)
        }
    }

    /// The line as its step field, `N` or `N/TOTAL`, gives it.
    private static func start(dialect: Dialect, step field: FieldSpan, in bytes: [UInt8]) throws(LineProblem) -> StepLine {
        let value = field.value
        let slash = bytes[value].firstIndex(of: UInt8(ascii: "/"))
        let total = slash.map { ($0 + 1)..<value.upperBound }
        guard field.isSingleWord, total.map({ !bytes[$0].contains(UInt8(ascii: "/")) }) ?? true,
              let step = ASCIINumber.integer(bytes, value.lowerBound..<(slash ?? value.upperBound)), step >= 0
        else { throw LineProblem("step '\(field.valueText(in: bytes))' is not a step number") }
        var line = StepLine(dialect: dialect, loggedStep: step)
        if let total {
            guard let planned = ASCIINumber.integer(bytes, total), planned > 0 else {
                throw LineProblem("planned total in '\(field.valueText(in: bytes))' is not a positive number")
            }
            line.plannedSteps = planned
        }
        return line
    }

    /// Takes in one field after the step.
    private mutating func read(_ field: FieldSpan, in bytes: [UInt8], seen: inout SeenFields) throws(LineProblem) {
        guard field.isSingleWord else {
            let key = field.keyText(in: bytes)
            throw LineProblem(field.value.isEmpty ? "field '\(key)' has no value"
                                                  : "field '\(key)' is followed by unexpected text '\(field.valueText(in: bytes))'")
        }
        let kind = StepField(key: field.key, in: bytes)
        guard seen.insert(kind, key: field.key, in: bytes) else {
            throw LineProblem("field '\(kind.name ?? field.keyText(in: bytes))' appears twice")
        }
        let value = field.value
        switch kind {
        case .valLoss:
            guard let loss = Loss(parsing: bytes, value) else { throw Self.notANumber(field, in: bytes) }
            valLoss = loss
        case .trainLoss:
            guard let loss = Loss(parsing: bytes, value) else { throw Self.notANumber(field, in: bytes) }
            trainLoss = loss
        case .trainTime:
            guard let ms = Self.milliseconds(bytes, value), ms.isNaN || ms >= 0 else {
                throw LineProblem("train_time '\(field.valueText(in: bytes))' is not a duration in ms")
            }
            if ms.isNaN { trainTimeIsNaN = true } else { trainTimeMs = ms }
        case .stepAvg:
            guard Self.milliseconds(bytes, value) != nil else {
                throw LineProblem("step_avg '\(field.valueText(in: bytes))' is not a duration in ms")
            }
        case .other:
            break
        }
    }

    private static func notANumber(_ field: FieldSpan, in bytes: [UInt8]) -> LineProblem {
        LineProblem("\(field.keyText(in: bytes)) '\(field.valueText(in: bytes))' is not a number")
    }

    /// `204345ms` -> 204345; `nanms` -> nan; anything without the `ms` unit -> nil.
    static func milliseconds(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        guard range.count >= 2, bytes[range.upperBound - 2] == UInt8(ascii: "m"), bytes[range.upperBound - 1] == UInt8(ascii: "s") else {
            return nil
        }
        let number = range.lowerBound..<(range.upperBound - 2)
        if ASCII.matches(bytes, number, "nan", ignoringCase: true) { return .nan }
        guard let value = ASCIINumber.decimal(bytes, number), value.isFinite else { return nil }
        return value
    }
}

/// Why a line that claims to be a step or memory line could not be read.
struct LineProblem: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
