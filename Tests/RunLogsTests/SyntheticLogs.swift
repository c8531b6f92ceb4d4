import Foundation
@testable import RunLogs

/// Small logs the tests write themselves, in the formats of the corpus.
enum SyntheticLogs {
    static let separator = String(repeating: "=", count: 100)
    static let script = "import os\nprint('hello')\n"

    /// A modded-nanogpt log: script, separator, validation every `valEvery` steps and at the end, training
    /// lines with `train_loss` and `train_time` (120 ms a step), and a peak memory line when `finished`.
    static func modded(steps total: Int, upTo last: Int? = nil, valEvery: Int = 5, valLoss: (Int) -> String = loss,
                       finished: Bool = true) -> String {
        var lines = [script + separator, "nvidia-smi: fake", separator]
        let last = last ?? total
        for step in 0...last {
            if step % valEvery == 0 || step == total {
                lines.append("step:\(step)/\(total) val_loss:\(valLoss(step)) train_time:\(step * 120)ms step_avg:120.00ms")
            }
            if step < last {
                lines.append("step:\(step + 1)/\(total) train_loss:4.0000 train_time:\((step + 1) * 120)ms step_avg:120.00ms")
            }
        }
        if finished && last == total { lines.append("peak memory consumption: 1000 MiB") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Validation loss falling by 0.1 a step from 4.0.
    static func loss(_ step: Int) -> String { String(format: "%.4f", 4.0 - 0.1 * Double(step)) }

    static func parse(_ text: String, target: Double = RunMetrics.defaultTarget) throws -> ParsedRunLog {
        try RunLogParser.parse(Array(text.utf8), target: target)
    }

    static func run(_ text: String, target: Double = RunMetrics.defaultTarget) throws -> RunMetrics {
        try parse(text, target: target).singleRun()
    }

    /// The error parsing `text` throws, or nil.
    static func error(_ text: String) -> RunLogError? { error(Array(text.utf8)) }

    static func error(_ bytes: [UInt8]) -> RunLogError? {
        do {
            _ = try RunLogParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }
}
