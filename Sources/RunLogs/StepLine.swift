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

    /// The line's reading, or nil when its first field is not `step:N` / `s:N` written compactly at the start
    /// of the line (then the line is ordinary text, such as a line of the embedded script).
    static func read(_ line: Substring) -> Result<StepLine, LineProblem>? {
        let dialect: Dialect
        if line.starts(with: "step:") { dialect = .modded } else if line.starts(with: "s:") { dialect = .llmc } else { return nil }
        let fields = FieldTokenizer.fields(of: line)
        guard let first = fields.first, first.key == (dialect == .modded ? "step" : "s"),
              let digit = first.value.unicodeScalars.first, ("0"..."9").contains(digit)
        else { return nil }
        do {
            return .success(try parse(dialect: dialect, fields: fields))
        } catch {
            return .failure(error)
        }
    }

    private static func parse(dialect: Dialect, fields: [LogField]) throws(LineProblem) -> StepLine {
        let stepField = fields[0]
        let parts = stepField.value.split(separator: "/", omittingEmptySubsequences: false)
        guard stepField.isSingleWord, (1...2).contains(parts.count), let step = Int(parts[0]), step >= 0 else {
            throw LineProblem("step '\(stepField.value)' is not a step number")
        }
        var line = StepLine(dialect: dialect, loggedStep: step)
        if parts.count == 2 {
            guard let total = Int(parts[1]), total > 0 else {
                throw LineProblem("planned total in '\(stepField.value)' is not a positive number")
            }
            line.plannedSteps = total
        }
        var seen: Set<String> = []
        for field in fields.dropFirst() {
            guard field.isSingleWord else {
                throw LineProblem(field.value.isEmpty ? "field '\(field.key)' has no value"
                                                      : "field '\(field.key)' is followed by unexpected text '\(field.value)'")
            }
            let slot = canonicalKey(field.key)
            guard seen.insert(slot).inserted else { throw LineProblem("field '\(slot)' appears twice") }
            switch slot {
            case "val_loss":
                guard let loss = Loss(parsing: field.value) else { throw LineProblem("\(field.key) '\(field.value)' is not a number") }
                line.valLoss = loss
            case "train_loss":
                guard let loss = Loss(parsing: field.value) else { throw LineProblem("\(field.key) '\(field.value)' is not a number") }
                line.trainLoss = loss
            case "train_time":
                guard let ms = milliseconds(field.value), ms.isNaN || ms >= 0 else {
                    throw LineProblem("train_time '\(field.value)' is not a duration in ms")
                }
                if ms.isNaN { line.trainTimeIsNaN = true } else { line.trainTimeMs = ms }
            case "step_avg":
                guard milliseconds(field.value) != nil else {
                    throw LineProblem("step_avg '\(field.value)' is not a duration in ms")
                }
            default:
                break
            }
        }
        guard line.valLoss != nil || line.trainLoss != nil || line.trainTimeMs != nil || line.trainTimeIsNaN else {
            throw LineProblem("step line has no loss and no train_time")
        }
        return line
    }

    /// One name per quantity: llm.c's `tel` and `trl` are modded-nanogpt's `val_loss` and `train_loss`.
    static func canonicalKey(_ key: String) -> String {
        switch key {
        case "tel": "val_loss"
        case "trl": "train_loss"
        default: key
        }
    }

    /// `204345ms` -> 204345; `nanms` -> nan; anything without the `ms` unit -> nil.
    static func milliseconds(_ text: String) -> Double? {
        guard text.hasSuffix("ms") else { return nil }
        let number = text.dropLast(2)
        if number.lowercased() == "nan" { return .nan }
        guard let value = Loss.decimal(number), value.isFinite else { return nil }
        return value
    }
}

/// Why a line that claims to be a step or memory line could not be read.
struct LineProblem: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
