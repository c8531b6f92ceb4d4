import Engine
import Foundation
import Rules
import SourceModel
import Testing
import TestSupport

/// A submission written in a test: a base record's text with precise edits applied. Every edit must apply
/// (the test fails at the edit otherwise), so a test cannot silently check an unchanged file.
struct EditedRecord {
    let record: Int
    let baseText: String
    private(set) var text: String

    init(_ record: Int) throws {
        self.record = record
        baseText = try String(contentsOf: Corpus.record(record), encoding: .utf8)
        text = baseText
    }

    /// Replaces `old` by `new`: exactly `count` occurrences when given, otherwise every occurrence (at least one).
    mutating func replace(_ old: String, with new: String, count: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = text.components(separatedBy: old).count - 1
        if let count {
            #expect(found == count, "expected \(count) occurrence(s) of \(old.debugDescription) in record \(record), found \(found)", sourceLocation: sourceLocation)
        } else {
            #expect(found > 0, "\(old.debugDescription) not found in record \(record)", sourceLocation: sourceLocation)
        }
        text = text.replacingOccurrences(of: old, with: new)
    }

    /// Replaces the first occurrence only (it must exist).
    mutating func replaceFirst(_ old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let range = text.range(of: old) else {
            Issue.record("\(old.debugDescription) not found in record \(record)", sourceLocation: sourceLocation)
            return
        }
        text.replaceSubrange(range, with: new)
    }

    /// Replaces the last occurrence only (it must exist).
    mutating func replaceLast(_ old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let range = text.range(of: old, options: .backwards) else {
            Issue.record("\(old.debugDescription) not found in record \(record)", sourceLocation: sourceLocation)
            return
        }
        text.replaceSubrange(range, with: new)
    }

    /// Renames an identifier everywhere (whole words only, strings included: restore log keys afterwards).
    mutating func renameWord(_ old: String, to new: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let pattern = "\\b" + NSRegularExpression.escapedPattern(for: old) + "\\b"
        let before = text
        text = text.replacingOccurrences(of: pattern, with: new, options: .regularExpression)
        #expect(before != text, "\(old) not found in record \(record)", sourceLocation: sourceLocation)
    }

    var baseFile: SourceFile { SourceFile(path: "record_\(record)/train_gpt2.py", language: .python, bytes: Array(baseText.utf8)) }
    var submissionFile: SourceFile { SourceFile(path: "submission/train_gpt2.py", language: .python, bytes: Array(text.utf8)) }

    func check(siblings: [String] = []) throws -> CheckReport {
        try CheckService().check(base: baseFile, submission: submissionFile, siblings: siblings)
    }

    /// The 0-based line of the first occurrence of `snippet` in the submission (`after` skips earlier text).
    func line(of snippet: String, after: String? = nil) -> Int? { Self.line(of: snippet, in: text, after: after) }
    func baseLine(of snippet: String, after: String? = nil) -> Int? { Self.line(of: snippet, in: baseText, after: after) }

    static func line(of snippet: String, in text: String, after: String?) -> Int? {
        var start = text.startIndex
        if let after, let r = text.range(of: after) { start = r.upperBound }
        guard let range = text.range(of: snippet, range: start..<text.endIndex) else { return nil }
        // A snippet may start with a newline to anchor it at the start of a line.
        return text[..<range.lowerBound].reduce(0) { $1 == "\n" ? $0 + 1 : $0 } + (snippet.hasPrefix("\n") ? 1 : 0)
    }
}

extension CheckReport {
    func errors(_ rule: String) -> [Finding] { findings.filter { $0.rule == rule && $0.severity == .error } }
    var errors: [Finding] { findings.filter { $0.severity == .error } }
    var summary: String { findings.map { "[\($0.rule)/\($0.severity.rawValue)] \($0.message) @\($0.submission.map { "\($0.range.start)" }) base@\($0.base.map { "\($0.range.start)" })" }.joined(separator: "\n") }
}

/// Checks a submission and expects a finding of `rule` at `severity` whose submission evidence starts on the
/// line of `at` in the submission (and whose base evidence starts on the line of `baseAt` in the base), and no
/// error of another rule unless listed in `alsoAllowed`. Returns the finding.
@discardableResult
func expectFinding(_ submission: EditedRecord, rule: String, severity: Severity = .error,
                   at snippet: String? = nil, after: String? = nil, baseAt baseSnippet: String? = nil, baseAfter: String? = nil,
                   siblings: [String] = [], alsoAllowed: Set<String> = [],
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> Finding? {
    let report = try submission.check(siblings: siblings)
    let matching = report.findings.filter { $0.rule == rule && $0.severity == severity }
    guard !matching.isEmpty else {
        Issue.record("record \(submission.record): no \(severity.rawValue) of \(rule); findings:\n\(report.summary)", sourceLocation: sourceLocation)
        return nil
    }
    var candidates = matching
    if let snippet {
        guard let line = submission.line(of: snippet, after: after) else {
            Issue.record("\(snippet.debugDescription) is not in the submission", sourceLocation: sourceLocation)
            return nil
        }
        candidates = candidates.filter { $0.submission.contains { $0.range.start.line == line } }
        #expect(!candidates.isEmpty, "no \(rule) evidence on submission line \(line + 1) (\(snippet)); findings:\n\(report.summary)",
                sourceLocation: sourceLocation)
    }
    if let baseSnippet {
        guard let line = submission.baseLine(of: baseSnippet, after: baseAfter) else {
            Issue.record("\(baseSnippet.debugDescription) is not in the base", sourceLocation: sourceLocation)
            return nil
        }
        candidates = candidates.filter { $0.base.contains { $0.range.start.line == line } }
        #expect(!candidates.isEmpty, "no \(rule) base evidence on base line \(line + 1) (\(baseSnippet)); findings:\n\(report.summary)",
                sourceLocation: sourceLocation)
    }
    let others = report.errors.filter { $0.rule != rule && !alsoAllowed.contains($0.rule) }
    #expect(others.isEmpty, "unrelated errors:\n\(others.map { "[\($0.rule)] \($0.message)" }.joined(separator: "\n"))", sourceLocation: sourceLocation)
    // Every finding carries evidence somewhere, and evidence paths name the file they point into.
    for finding in report.findings {
        #expect(!(finding.submission.isEmpty && finding.base.isEmpty), "\(finding.rule): no evidence", sourceLocation: sourceLocation)
        #expect(finding.submission.allSatisfy { $0.path == "submission/train_gpt2.py" }, sourceLocation: sourceLocation)
        #expect(finding.base.allSatisfy { $0.path == "record_\(submission.record)/train_gpt2.py" }, sourceLocation: sourceLocation)
    }
    return candidates.first
}

/// Checks a submission that keeps every rule: no error-level finding at all.
func expectClean(_ submission: EditedRecord, siblings: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let report = try submission.check(siblings: siblings)
    #expect(report.errors.isEmpty, "record \(submission.record): \(report.errors.map { "[\($0.rule)] \($0.message)" }.joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    #expect(report.isValid, sourceLocation: sourceLocation)
}
